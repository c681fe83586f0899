"""The record kinds, as pydantic models.

Each field carries a short French description: the models are also the JSON
Schema that editors use to complete and check the YAML. Unknown keys are refused
and values are taken strictly (a date is a date, not a number of seconds).

The input rules of the contract live here, once, for `gasp validate` and for
`gasp schema` alike: one-line fields hold no line break and no control character,
long text has its line ends made LF, dates lie between 1900 and 2200, numbers are
finite and bounded, the time zone is one zoneinfo knows. Each type carries the
JSON Schema that says the same thing (`tests/test_schema_agrees.py`).
"""

import datetime
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from .vocabulary import PROPOSAL_STATUSES

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
# Years 1900 to 2200: the range of dates gasp accepts anywhere (records and command line).
DATE_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2200, 12, 31)
# What a one-line field may not hold: C0 and C1 control characters (line feed, carriage
# return, tab, ESC, NUL, NEL…), the Unicode line and paragraph separators, and the
# bidirectional overrides and isolates that make a line read other than it is.
FORBIDDEN_IN_ONE_LINE = r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
_FORBIDDEN_IN_ONE_LINE = re.compile(FORBIDDEN_IN_ONE_LINE)
# The largest amount of euros a proposal may cost: a billion. Past it, the figure is a
# typing slip, and sums in the report would lose their cents or overflow.
MAX_EUROS = 1_000_000_000
# A commitment (days to decide, days to send minutes) of at most ten years.
MAX_COMMITMENT_DAYS = 3650

# In the JSON Schema, a string holds none of the characters above. (Said with `not`
# rather than an anchored pattern: Python's `$` would let a final line feed through.)
_NO_CONTROL = {"not": {"pattern": FORBIDDEN_IN_ONE_LINE}}


def _one_line(value: str) -> str:
    if _FORBIDDEN_IN_ONE_LINE.search(value):
        raise PydanticCustomError("one_line", "une seule ligne, sans caractère de contrôle")
    return value


def _line_ends(value: Any) -> Any:
    """Long text: CRLF and a lone CR (old Mac, some copy-pastes) become LF."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


# An e-mail address as `gasp mail` puts it in a header: an ASCII dot-atom, « @ », a domain
# name with at least one dot. Nothing a header could be split or folded on (no space, no
# comma, no angle bracket, no quote, no line break): a record cannot inject a header.
EMAIL_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_EMAIL = re.compile(EMAIL_PATTERN)


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise PydanticCustomError("email", "adresse de courriel invalide")
    return value


def _date(value: Any) -> Any:
    """An ISO date, quoted or not (YAML 1.2 reads both as text), from 1900 to 2200."""
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise PydanticCustomError("date_parsing", "date AAAA-MM-JJ attendue")
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_parsing", "date AAAA-MM-JJ attendue") from None
    if type(value) is datetime.date and not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError("date_range", "date entre 1900 et 2200")
    return value


def _integral(value: Any) -> Any:
    """`120.0` is the integer 120, as for JSON Schema; `true` is not 1."""
    if type(value) is float and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    if isinstance(value, bool):
        return "true" if value else "false"  # refused below, with the value shown as written
    return value


# Names in the zone folder that are not the zone of a place: `localtime` is whatever the
# machine says (two secretaries, two calendars); `posixrules` and `Factory` are no place.
MACHINE_ZONES = frozenset({"localtime", "posixrules", "Factory", "posix", "right"})


def _timezone(value: str) -> str:
    import zoneinfo

    # Names of the zone folder that are not a place: `localtime` is whatever the machine says
    # (two secretaries, two calendars), `posixrules` and `Factory` are not zones of a place.
    if value.split("/", 1)[0] in MACHINE_ZONES:
        raise PydanticCustomError("timezone", "fuseau horaire de la machine")
    # A key, never a path: `../../etc/passwd` is not looked for on the disk.
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*", value):
        try:
            zoneinfo.ZoneInfo(value)
            return value
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError; a zone-folder file that is not a zone
            pass  # (ValueError), a folder (IsADirectoryError) or a name too long for the disk (OSError)
    raise PydanticCustomError("timezone", "fuseau horaire inconnu")


Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN, **_NO_CONTROL}),
]
Time = Annotated[
    str,
    StringConstraints(pattern=TIME_PATTERN),
    WithJsonSchema({"type": "string", "pattern": TIME_PATTERN, **_NO_CONTROL}),
]


@dataclass(frozen=True, slots=True)
class Names:
    """On an id field: the kinds of record it names (`gasp_cli/references.py` reads them).

    `checked`: whether an unknown id is an error. A meeting's `guests` are free text or service ids:
    `gasp rename` follows a renamed service there, `gasp validate` does not ask every guest to be one."""

    kinds: tuple[str, ...]
    checked: bool = True


PersonId = Annotated[Slug, Names(("people",))]
GroupId = Annotated[Slug, Names(("groups",))]
ServiceId = Annotated[Slug, Names(("services",))]
ThemeId = Annotated[Slug, Names(("themes",))]
ProposalId = Annotated[Slug, Names(("proposals",))]
MeetingId = Annotated[Slug, Names(("meetings",))]
PlaceId = Annotated[Slug, Names(("places",))]  # a key of `places` in gasp.yaml
PersonOrServiceId = Annotated[Slug, Names(("people", "services"))]

# A one-line field: a name, a title, a place, a role.
Line = Annotated[
    str,
    StringConstraints(min_length=1),
    AfterValidator(_one_line),
    WithJsonSchema({"type": "string", "minLength": 1, **_NO_CONTROL}),
]
# A long text field: paragraphs and `- ` list items are kept.
Text = Annotated[str, BeforeValidator(_line_ends), StringConstraints(min_length=1)]
# A person's e-mail address (private: only ever a recipient of `gasp mail`).
Email = Annotated[
    str,
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "maxLength": 254, "pattern": EMAIL_PATTERN, **_NO_CONTROL}),
]
Date = Annotated[
    datetime.date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN, **_NO_CONTROL}),
]
Timezone = Annotated[
    str,
    AfterValidator(_timezone),
    WithJsonSchema({"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", **_NO_CONTROL}),
]
Euros = Annotated[float, Field(ge=0, le=MAX_EUROS, allow_inf_nan=False), BeforeValidator(_integral)]
Days = Annotated[int, Field(ge=1, le=MAX_COMMITMENT_DAYS), BeforeValidator(_integral)]

GroupKind = Literal["agents", "usagers", "referents", "intergroupes"]
Frequency = Literal["monthly", "quarterly", "semiannual", "annual"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
Avoid = Literal["public-holidays", "school-holidays"]
PersonKind = Literal["agent", "resident", "head", "elected", "facilitator"]
MeetingStatus = Literal["planned", "held", "cancelled"]
ProposalEventKind = Literal["raised", "discussed", "withdrawn"]
Outcome = Literal["validated", "rejected", "deferred", "study"]
MilestoneStatus = Literal["in-progress", "done", "abandoned"]
Month = Annotated[int, Field(ge=1, le=12), BeforeValidator(_integral)]
Week = Annotated[Literal[1, 2, 3, 4, -1], BeforeValidator(_integral)]


def _bool_or_date(value: object) -> bool | datetime.date:
    if isinstance(value, bool):
        return value
    try:
        day = _date(value)
    except PydanticCustomError:
        raise PydanticCustomError("bool_or_date", "true, false ou une date") from None
    if type(day) is datetime.date:
        return day
    raise PydanticCustomError("bool_or_date", "true, false ou une date")


# One error message for "true/false or a date", instead of one per member of the union.
BoolOrDate = Annotated[
    bool | datetime.date,
    PlainValidator(_bool_or_date),
    WithJsonSchema(
        {"anyOf": [{"type": "boolean"}, {"type": "string", "format": "date", "pattern": DATE_PATTERN, **_NO_CONTROL}]}
    ),
]


def _statuses(*tokens: str) -> str:
    """« validated (validée), rejected (refusée) ou study (mise à l’étude). »: the YAML tokens and their French words."""
    shown = [f"{token} ({PROPOSAL_STATUSES[token]})" for token in tokens]
    return ", ".join(shown[:-1]) + " ou " + shown[-1] + "."


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Place(Record):
    name: Line = Field(description="Nom du lieu, tel qu'il figure sur les convocations.")
    address: Line | None = Field(None, description="Adresse postale du lieu.")
    accessibility: Line | None = Field(
        None, description="Accessibilité du lieu, telle que la disent les convocations (fauteuil, ascenseur…)."
    )


class Commitments(Record):
    decision_within_days: Days | None = Field(
        None,
        description="Les référents répondent à une proposition dans ce nombre de jours après qu'elle a été soulevée.",
    )
    minutes_within_days: Days | None = Field(
        None, description="Le compte rendu part dans ce nombre de jours après la réunion."
    )


class Validation(Record):
    ignore: list[Line] = Field(
        default_factory=list,
        description="Codes d'avertissements que le Gasp a choisi d'accepter : gasp ne les signale plus "
        "(voir la page « Les codes des problèmes »). Une erreur ne peut pas être tue.",
    )


class Gasp(Record):
    """Le groupe lui-même : records/gasp.yaml."""

    name: Line = Field(description="Nom de la démarche, par exemple « Gasp d'Escautpont et de Bruay-sur-l'Escaut ».")
    communes: list[Line] = Field(min_length=1, description="Communes couvertes par la démarche.")
    created: Date = Field(description="Date de création du groupe (AAAA-MM-JJ).")
    timezone: Timezone = Field(
        "Europe/Paris", description="Fuseau horaire des réunions : un nom IANA, par exemple « Europe/Paris »."
    )
    school_zone: Literal["A", "B", "C"] = Field("B", description="Zone des vacances scolaires (B : académie de Lille).")
    places: dict[Slug, Place] = Field(
        default_factory=dict, description="Lieux de réunion : identifiant → nom et adresse."
    )
    sociologist: PersonId | None = Field(None, description="Identifiant de la personne sociologue.")
    secretary: PersonId | None = Field(None, description="Identifiant de la personne secrétaire.")
    as_of: Date | None = Field(
        None,
        description=(
            "Pour des archives : date à laquelle les enregistrements s'arrêtent. "
            "Les contrôles, le calendrier et les documents la prennent pour « aujourd'hui »."
        ),
    )
    commitments: Commitments | None = Field(
        None, description="Engagements de délai du Gasp : réponse des référents, envoi des comptes rendus."
    )
    validation: Validation | None = Field(None, description="Réglages de `gasp validate`.")


class Cadence(Record):
    frequency: Frequency = Field(
        description="Fréquence : monthly (mensuelle), quarterly (trimestrielle), "
        "semiannual (semestrielle), annual (annuelle)."
    )
    weekday: Weekday = Field(description="Jour de la semaine de la réunion (monday … sunday).")
    week: Week = Field(description="Semaine du mois : 1 à 4 pour la 1re à la 4e, -1 pour la dernière.")
    months: list[Month] | None = Field(
        None,
        description="Pour une fréquence non mensuelle : le mois de la réunion dans chaque période "
        "(un mois par trimestre, semestre ou année).",
    )
    skip_months: list[Month] = Field(
        default_factory=list, description="Mois sans réunion (par exemple 7 et 8 pour l'été)."
    )
    time: Time = Field(description="Heure de début, « HH:MM » entre guillemets.")
    duration: Annotated[int, Field(gt=0, le=720), BeforeValidator(_integral)] = Field(description="Durée en minutes.")
    place: PlaceId = Field(description="Lieu habituel : un identifiant de `places` dans gasp.yaml.")
    avoid: list[Avoid] = Field(
        default_factory=list,
        description="Dates à éviter : public-holidays (jours fériés), school-holidays (vacances "
        "scolaires). Une réunion qui y tombe est décalée d'une semaine.",
    )


class Member(Record):
    person: PersonId = Field(description="Identifiant de la personne.")
    since: Date = Field(description="Date d'entrée dans le groupe.")
    until: Date | None = Field(None, description="Date de sortie du groupe, le cas échéant.")


class Group(Record):
    """Un groupe : agents, usagers, référents ou intergroupes."""

    name: Line = Field(description="Nom du groupe, par exemple « Groupe des agents ».")
    kind: GroupKind = Field(description="Sorte de groupe : agents, usagers, referents (référents) ou intergroupes.")
    cadence: Cadence = Field(description="Rythme des réunions.")
    members: list[Member] = Field(default_factory=list, description="Membres du groupe, avec leurs dates.")
    guests_allowed: bool = Field(False, description="Le groupe accueille-t-il des invités ponctuels ?")
    public_minutes: bool | None = Field(
        None,
        description="Ses comptes rendus vont-ils sur le site des habitants ? Par défaut oui pour les usagers "
        "et l'intergroupes, non pour les agents et les référents.",
    )

    @property
    def minutes_are_public(self) -> bool:
        if self.public_minutes is not None:
            return self.public_minutes
        return self.kind in ("usagers", "intergroupes")


class Person(Record):
    """Une personne : agent, habitant, responsable, élu ou animateur."""

    # Only a resident may go without a name: said in the schema too, so that an
    # editor refuses what `gasp validate` refuses.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"kind": {"not": {"const": "resident"}}}, "required": ["kind"]},
            "then": {"required": ["name"], "properties": {"name": {"type": "string"}}},
        }
    )

    name: Line | None = Field(None, description="Nom (facultatif pour un habitant).")
    email: Email | None = Field(
        None,
        description="Adresse de courriel, privée : seulement pour envoyer convocations et comptes rendus "
        "(gasp mail) ; elle ne paraît dans aucun document.",
    )
    kind: PersonKind = Field(
        description="agent, resident (habitant), head (responsable de service), elected (élu), "
        "facilitator (animateur : sociologue, secrétaire)."
    )
    role: Line | None = Field(None, description="Fonction, par exemple « agent d'accueil ».")
    service: ServiceId | None = Field(None, description="Identifiant du service de la personne.")
    publish_name: bool | None = Field(
        None,
        description="Le nom peut-il paraître dans les documents ? Par défaut oui, "
        "sauf pour un habitant (non sans son accord).",
    )

    @property
    def may_be_named(self) -> bool:
        if self.publish_name is not None:
            return self.publish_name and self.name is not None
        return self.kind != "resident" and self.name is not None


class PublicInfo(Record):
    description: Text | None = Field(None, description="Ce que fait le service, en quelques phrases.")
    tasks: list[Line] = Field(default_factory=list, description="Missions du service.")
    procedures: list[Line] = Field(default_factory=list, description="Démarches possibles auprès du service.")
    address: Line | None = Field(None, description="Adresse d'accueil du public.")
    hours: Text | None = Field(None, description="Horaires d'ouverture.")
    phone: Line | None = Field(None, description="Téléphone ouvert au public.")
    email: Line | None = Field(None, description="Courriel ouvert au public.")
    website: Line | None = Field(None, description="Site internet.")
    accessibility: Text | None = Field(None, description="Accessibilité (fauteuil, malentendants…).")


class AgentsInfo(Record):
    contact: PersonId | None = Field(None, description="Personne à contacter (identifiant).")
    direct_phone: Line | None = Field(None, description="Ligne directe, réservée aux agents.")
    email: Line | None = Field(None, description="Courriel direct, réservé aux agents.")
    referral: Text | None = Field(None, description="Quand et comment orienter un usager vers ce service.")
    notes: Text | None = Field(None, description="Notes internes, jamais publiées aux usagers.")


class Service(Record):
    """Une institution ou un service : une entrée du guide des services publics."""

    name: Line = Field(description="Nom du service.")
    institution: Line = Field(description="Institution dont relève le service.")
    category: Line = Field(description="Rubrique du guide, par exemple « Enfance et famille ».")
    public: PublicInfo = Field(
        default_factory=PublicInfo, description="Informations publiées dans les deux éditions du guide."
    )
    agents: AgentsInfo | None = Field(None, description="Informations réservées à l'édition des agents.")


class Theme(Record):
    """Un thème : un sujet travaillé par les groupes."""

    title: Line = Field(description="Intitulé du thème.")
    description: Text | None = Field(None, description="Ce que recouvre le thème.")


class Funding(Record):
    source: Line = Field(description="Financeur, par exemple « politique de la ville ».")
    share: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False), BeforeValidator(_integral)] = Field(
        description="Part en pourcentage."
    )


class Milestone(Record):
    date: Date = Field(description="Date de l'étape (AAAA-MM-JJ).")
    status: MilestoneStatus = Field(description=_statuses("in-progress", "done", "abandoned"))
    note: Text | None = Field(None, description="Ce qui s'est passé.")


class Proposal(Record):
    """Une proposition ; son historique vient des réunions et de ses étapes."""

    title: Line = Field(description="Intitulé de la proposition.")
    theme: ThemeId = Field(description="Identifiant du thème.")
    summary: Text | None = Field(None, description="La proposition en quelques phrases.")
    cost: Euros | None = Field(None, description="Coût estimé, en euros (au plus un milliard).")
    funding: list[Funding] = Field(default_factory=list, description="Financements, en parts du coût.")
    replaces: ProposalId | None = Field(None, description="Proposition que celle-ci remplace.")
    milestones: list[Milestone] = Field(
        default_factory=list, description="Étapes de la mise en œuvre, après validation."
    )
    services: list[ServiceId] = Field(
        default_factory=list,
        description="Services que la proposition change (identifiants) : les guides disent ce qui y a changé "
        "grâce au Gasp.",
    )


class ProblemRaised(Record):
    theme: ThemeId | None = Field(None, description="Thème du problème, s'il en a un.")
    note: Text = Field(description="Le problème, tel qu'il a été dit.")


class ProposalEvent(Record):
    proposal: ProposalId = Field(description="Identifiant de la proposition.")
    event: ProposalEventKind = Field(description=_statuses("raised", "discussed", "withdrawn"))
    note: Text | None = Field(None, description="Ce qui en a été dit.")


class Decision(Record):
    proposal: ProposalId = Field(description="Identifiant de la proposition.")
    outcome: Outcome = Field(description=_statuses("validated", "rejected", "deferred", "study"))
    note: Text | None = Field(None, description="Motif, conditions.")


class Action(Record):
    what: Line = Field(description="Ce qu'il faut faire.")
    who: PersonOrServiceId | None = Field(
        None, description="Qui s'en charge : identifiant d'une personne ou d'un service."
    )
    due: Date | None = Field(None, description="Échéance (AAAA-MM-JJ).")
    done: BoolOrDate = Field(False, description="Fait : true, ou la date où c'est fait.")


class Meeting(Record):
    """Une réunion d'un groupe : records/meetings/AAAA/AAAA-MM-JJ-groupe.yaml."""

    group: GroupId = Field(description="Identifiant du groupe.")
    date: Date = Field(description="Date de la réunion (AAAA-MM-JJ).")
    time: Time | None = Field(None, description="Heure « HH:MM » ; par défaut celle du groupe.")
    place: PlaceId | None = Field(None, description="Lieu ; par défaut celui du groupe.")
    status: MeetingStatus = Field(description="planned (prévue), held (tenue) ou cancelled (annulée).")
    attendees: list[PersonId] = Field(default_factory=list, description="Présents (identifiants).")
    excused: list[PersonId] = Field(default_factory=list, description="Excusés (identifiants).")
    guests: list[Annotated[Line, Names(("services",), checked=False)]] = Field(
        default_factory=list,
        description="Invités ponctuels : en texte libre, ou l'identifiant d'un service (un bailleur, un "
        "transporteur…), que le rapport compte parmi les institutions venues.",
    )
    problems_raised: list[ProblemRaised] = Field(
        default_factory=list, description="Tour de table : les problèmes évoqués."
    )
    topic: ThemeId | None = Field(None, description="Sujet retenu par le groupe (identifiant de thème).")
    discussion: Text | None = Field(None, description="Compte rendu de la discussion.")
    minutes_sent: Date | None = Field(None, description="Date d'envoi du compte rendu (AAAA-MM-JJ).")
    cancel_reason: Text | None = Field(None, description="Pour une réunion annulée : pourquoi.")
    proposals: list[ProposalEvent] = Field(default_factory=list, description="Propositions évoquées.")
    decisions: list[Decision] = Field(
        default_factory=list, description="Décisions (réunions des référents et intergroupes seulement)."
    )
    actions: list[Action] = Field(default_factory=list, description="Actions : qui, quoi, échéance.")


class Observation(Record):
    """Une note de terrain de la personne sociologue : jamais dans un document publié."""

    date: Date = Field(description="Date de l'observation (AAAA-MM-JJ).")
    meeting: MeetingId | None = Field(None, description="Réunion observée (identifiant), le cas échéant.")
    themes: list[ThemeId] = Field(default_factory=list, description="Thèmes concernés (identifiants).")
    text: Text = Field(description="L'observation.")


# Folder under records/ → model. gasp.yaml stands alone.
KINDS: dict[str, type[Record]] = {
    "groups": Group,
    "people": Person,
    "services": Service,
    "themes": Theme,
    "proposals": Proposal,
    "meetings": Meeting,
    "observations": Observation,
}
