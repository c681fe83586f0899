"""The record kinds, as pydantic models.

Each field carries a short French description: the models are also the JSON
Schema that editors use to complete and check the YAML. Unknown keys are refused
and values are taken strictly (a date is a date, not a number of seconds).
"""


import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StringConstraints
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Time = Annotated[str, StringConstraints(pattern=TIME_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]
Date = datetime.date  # (annotations are evaluated at class creation: no __future__ import, quicker)

GroupKind = Literal["agents", "usagers", "referents", "intergroupes"]
Frequency = Literal["monthly", "quarterly", "semiannual", "annual"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
Avoid = Literal["public-holidays", "school-holidays"]
PersonKind = Literal["agent", "resident", "head", "elected", "facilitator"]
MeetingStatus = Literal["planned", "held", "cancelled"]
ProposalEventKind = Literal["raised", "discussed", "withdrawn"]
Outcome = Literal["validated", "rejected", "deferred", "study"]
MilestoneStatus = Literal["in-progress", "done", "abandoned"]
Month = Annotated[int, Field(ge=1, le=12)]


def _bool_or_date(value: object) -> bool | datetime.date:
    if isinstance(value, bool) or type(value) is datetime.date:
        return value
    raise PydanticCustomError("bool_or_date", "true, false ou une date")


# One error message for "true/false or a date", instead of one per member of the union.
BoolOrDate = Annotated[bool | Date, PlainValidator(_bool_or_date, json_schema_input_type=bool | Date)]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Place(Record):
    name: Text = Field(description="Nom du lieu, tel qu'il figure sur les convocations.")
    address: Text | None = Field(None, description="Adresse postale du lieu.")


class Gasp(Record):
    """Le groupe lui-même : records/gasp.yaml."""

    name: Text = Field(description="Nom de la démarche, par exemple « Gasp d'Escautpont et de Bruay-sur-l'Escaut ».")
    communes: list[Text] = Field(min_length=1, description="Communes couvertes par la démarche.")
    created: Date = Field(description="Date de création du groupe (AAAA-MM-JJ).")
    timezone: Text = Field("Europe/Paris", description="Fuseau horaire des réunions.")
    school_zone: Literal["A", "B", "C"] = Field(
        "B", description="Zone des vacances scolaires (B : académie de Lille)."
    )
    places: dict[Slug, Place] = Field(
        default_factory=dict, description="Lieux de réunion : identifiant → nom et adresse."
    )
    sociologist: Slug | None = Field(None, description="Identifiant de la personne sociologue.")
    secretary: Slug | None = Field(None, description="Identifiant de la personne secrétaire.")
    as_of: Date | None = Field(
        None,
        description=(
            "Pour des archives : date à laquelle les enregistrements s'arrêtent. "
            "Les contrôles, le calendrier et les documents la prennent pour « aujourd'hui »."
        ),
    )


class Cadence(Record):
    frequency: Frequency = Field(
        description="Fréquence : monthly (mensuelle), quarterly (trimestrielle), "
        "semiannual (semestrielle), annual (annuelle)."
    )
    weekday: Weekday = Field(description="Jour de la semaine de la réunion (monday … sunday).")
    week: Literal[1, 2, 3, 4, -1] = Field(
        description="Semaine du mois : 1 à 4 pour la 1re à la 4e, -1 pour la dernière."
    )
    months: list[Month] | None = Field(
        None,
        description="Pour une fréquence non mensuelle : le mois de la réunion dans chaque période "
        "(un mois par trimestre, semestre ou année).",
    )
    skip_months: list[Month] = Field(
        default_factory=list, description="Mois sans réunion (par exemple 7 et 8 pour l'été)."
    )
    time: Time = Field(description="Heure de début, « HH:MM » entre guillemets.")
    duration: Annotated[int, Field(gt=0, le=720)] = Field(description="Durée en minutes.")
    place: Slug = Field(description="Lieu habituel : un identifiant de `places` dans gasp.yaml.")
    avoid: list[Avoid] = Field(
        default_factory=list,
        description="Dates à éviter : public-holidays (jours fériés), school-holidays (vacances "
        "scolaires). Une réunion qui y tombe est décalée d'une semaine.",
    )


class Member(Record):
    person: Slug = Field(description="Identifiant de la personne.")
    since: Date = Field(description="Date d'entrée dans le groupe.")
    until: Date | None = Field(None, description="Date de sortie du groupe, le cas échéant.")


class Group(Record):
    """Un groupe : agents, usagers, référents ou intergroupes."""

    name: Text = Field(description="Nom du groupe, par exemple « Groupe des agents ».")
    kind: GroupKind = Field(
        description="Sorte de groupe : agents, usagers, referents (référents) ou intergroupes."
    )
    cadence: Cadence = Field(description="Rythme des réunions.")
    members: list[Member] = Field(default_factory=list, description="Membres du groupe, avec leurs dates.")
    guests_allowed: bool = Field(False, description="Le groupe accueille-t-il des invités ponctuels ?")


class Person(Record):
    """Une personne : agent, habitant, responsable, élu ou animateur."""

    name: Text | None = Field(None, description="Nom (facultatif pour un habitant).")
    kind: PersonKind = Field(
        description="agent, resident (habitant), head (responsable de service), elected (élu), "
        "facilitator (animateur : sociologue, secrétaire)."
    )
    role: Text | None = Field(None, description="Fonction, par exemple « agent d'accueil ».")
    service: Slug | None = Field(None, description="Identifiant du service de la personne.")
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
    tasks: list[Text] = Field(default_factory=list, description="Missions du service.")
    procedures: list[Text] = Field(default_factory=list, description="Démarches possibles auprès du service.")
    address: Text | None = Field(None, description="Adresse d'accueil du public.")
    hours: Text | None = Field(None, description="Horaires d'ouverture.")
    phone: Text | None = Field(None, description="Téléphone ouvert au public.")
    email: Text | None = Field(None, description="Courriel ouvert au public.")
    website: Text | None = Field(None, description="Site internet.")
    accessibility: Text | None = Field(None, description="Accessibilité (fauteuil, malentendants…).")


class AgentsInfo(Record):
    contact: Slug | None = Field(None, description="Personne à contacter (identifiant).")
    direct_phone: Text | None = Field(None, description="Ligne directe, réservée aux agents.")
    email: Text | None = Field(None, description="Courriel direct, réservé aux agents.")
    referral: Text | None = Field(None, description="Quand et comment orienter un usager vers ce service.")
    notes: Text | None = Field(None, description="Notes internes, jamais publiées aux usagers.")


class Service(Record):
    """Une institution ou un service : une entrée du guide des services publics."""

    name: Text = Field(description="Nom du service.")
    institution: Text = Field(description="Institution dont relève le service.")
    category: Text = Field(description="Rubrique du guide, par exemple « Enfance et famille ».")
    public: PublicInfo = Field(
        default_factory=PublicInfo, description="Informations publiées dans les deux éditions du guide."
    )
    agents: AgentsInfo | None = Field(None, description="Informations réservées à l'édition des agents.")


class Theme(Record):
    """Un thème : un sujet travaillé par les groupes."""

    title: Text = Field(description="Intitulé du thème.")
    description: Text | None = Field(None, description="Ce que recouvre le thème.")


class Funding(Record):
    source: Text = Field(description="Financeur, par exemple « politique de la ville ».")
    share: Annotated[float, Field(gt=0, le=100)] = Field(description="Part en pourcentage.")


class Milestone(Record):
    date: Date = Field(description="Date de l'étape (AAAA-MM-JJ).")
    status: MilestoneStatus = Field(
        description="in-progress (en cours), done (réalisée) ou abandoned (abandonnée)."
    )
    note: Text | None = Field(None, description="Ce qui s'est passé.")


class Proposal(Record):
    """Une proposition ; son historique vient des réunions et de ses étapes."""

    title: Text = Field(description="Intitulé de la proposition.")
    theme: Slug = Field(description="Identifiant du thème.")
    summary: Text | None = Field(None, description="La proposition en quelques phrases.")
    cost: Annotated[float, Field(ge=0)] | None = Field(None, description="Coût estimé, en euros.")
    funding: list[Funding] = Field(default_factory=list, description="Financements, en parts du coût.")
    replaces: Slug | None = Field(None, description="Proposition que celle-ci remplace.")
    milestones: list[Milestone] = Field(
        default_factory=list, description="Étapes de la mise en œuvre, après validation."
    )


class ProblemRaised(Record):
    theme: Slug | None = Field(None, description="Thème du problème, s'il en a un.")
    note: Text = Field(description="Le problème, tel qu'il a été dit.")


class ProposalEvent(Record):
    proposal: Slug = Field(description="Identifiant de la proposition.")
    event: ProposalEventKind = Field(
        description="raised (soulevée), discussed (discutée) ou withdrawn (retirée)."
    )
    note: Text | None = Field(None, description="Ce qui en a été dit.")


class Decision(Record):
    proposal: Slug = Field(description="Identifiant de la proposition.")
    outcome: Outcome = Field(
        description="validated (validée), rejected (refusée), deferred (ajournée), study (mise à l'étude)."
    )
    note: Text | None = Field(None, description="Motif, conditions.")


class Action(Record):
    what: Text = Field(description="Ce qu'il faut faire.")
    who: Slug | None = Field(None, description="Qui s'en charge : identifiant d'une personne ou d'un service.")
    due: Date | None = Field(None, description="Échéance (AAAA-MM-JJ).")
    done: BoolOrDate = Field(False, description="Fait : true, ou la date où c'est fait.")


class Meeting(Record):
    """Une réunion d'un groupe : records/meetings/AAAA/AAAA-MM-JJ-groupe.yaml."""

    group: Slug = Field(description="Identifiant du groupe.")
    date: Date = Field(description="Date de la réunion (AAAA-MM-JJ).")
    time: Time | None = Field(None, description="Heure « HH:MM » ; par défaut celle du groupe.")
    place: Slug | None = Field(None, description="Lieu ; par défaut celui du groupe.")
    status: MeetingStatus = Field(description="planned (prévue), held (tenue) ou cancelled (annulée).")
    attendees: list[Slug] = Field(default_factory=list, description="Présents (identifiants).")
    excused: list[Slug] = Field(default_factory=list, description="Excusés (identifiants).")
    guests: list[Text] = Field(default_factory=list, description="Invités ponctuels, en texte libre.")
    problems_raised: list[ProblemRaised] = Field(
        default_factory=list, description="Tour de table : les problèmes évoqués."
    )
    topic: Slug | None = Field(None, description="Sujet retenu par le groupe (identifiant de thème).")
    discussion: Text | None = Field(None, description="Compte rendu de la discussion.")
    minutes_sent: Date | None = Field(None, description="Date d'envoi du compte rendu (AAAA-MM-JJ).")
    cancel_reason: Text | None = Field(None, description="Pour une réunion annulée : pourquoi.")
    proposals: list[ProposalEvent] = Field(default_factory=list, description="Propositions évoquées.")
    decisions: list[Decision] = Field(
        default_factory=list, description="Décisions (réunions des référents et intergroupes seulement)."
    )
    actions: list[Action] = Field(default_factory=list, description="Actions : qui, quoi, échéance.")


# Folder under records/ → model. gasp.yaml stands alone.
KINDS: dict[str, type[Record]] = {
    "groups": Group,
    "people": Person,
    "services": Service,
    "themes": Theme,
    "proposals": Proposal,
    "meetings": Meeting,
}
