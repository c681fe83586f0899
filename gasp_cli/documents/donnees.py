"""`gasp export`: the research dataset, a Frictionless Data Package (DESIGN.md, « gasp export »).

`build(records, day)` returns every file of the package as bytes: the CSV tables
(UTF-8, a header row, ISO dates, rows in a stable order) and `datapackage.json`,
which describes each table and each column in French, with its type, its unit and,
for a derived column, the rule that computes it. The columns are declared once here,
in `RESOURCES`; the CSV and the JSON are both written from that declaration, so they
cannot disagree.

Privacy by construction: people are never a table. Attendees are counted by person
kind; an action's `who` is a name only when the person consented (`names.person_name`
rules), else left empty with the person's kind; services' agents blocks are never
read. The sociologist's observations are here (the researcher's own notes) and in
`gasp trace`, never in a document of `gasp render` or `gasp report`.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import facts
from ..indicators import DEFINITIONS, PERSON_KIND_ORDER, of_run, theme_mentions
from ..lifecycle import DECISIONS, History
from ..loader import Records
from ..models import Meeting
from ..trace import document_of, summaries
from ..vocabulary import slugify

PERSON_KIND_WORDS = {
    "agent": "agents",
    "resident": "habitants",
    "head": "responsables de service",
    "elected": "élus",
    "facilitator": "animateurs (sociologue, secrétaire)",
}
ACTIVITIES = ("raised", "discussed", "withdrawn", *DECISIONS, "in-progress", "done", "abandoned")
STATUSES = ACTIVITIES[:]
MEETING_STATUSES = ("planned", "held", "cancelled")
GROUP_KINDS = ("agents", "usagers", "referents", "intergroupes")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema: string, integer, number, date, boolean
    title: str
    description: str
    unit: str | None = None
    rule: str | None = None  # how a derived column is computed
    enum: tuple[str, ...] | None = None
    required: bool = False

    def descriptor(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "type": self.type,
            "format": "default",
        }
        if self.unit:
            found["unit"] = self.unit
        if self.rule:
            found["rule"] = self.rule
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            found["constraints"] = constraints
        return found


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, resource, its column)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def descriptor(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"fields": [c.descriptor() for c in self.columns], "missingValues": [""]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": resource, "fields": other}}
                for column, resource, other in self.foreign_keys
            ]
        return {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "title": self.title,
            "description": self.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
            **self.extra,
        }


def _id(what: str) -> Column:
    return Column(
        "id",
        "string",
        "Identifiant",
        f"Identifiant {what} : le nom de son fichier dans records/, sans « .yaml ».",
        required=True,
    )


GROUP = Column("group", "string", "Groupe", "Identifiant du groupe (records/groups/<id>.yaml).")
NOTE = Column(
    "note", "string", "Note", "Ce que le compte rendu en dit, tel qu’il a été écrit (peut tenir sur plusieurs lignes)."
)
DOCUMENT = Column(
    "document",
    "string",
    "Compte rendu",
    "Chemin, sous le dossier out/ de `gasp render`, du compte rendu qui l’écrit (vide sinon).",
    rule="comptes-rendus/<identifiant de la réunion>.html pour une réunion tenue.",
)

MEETINGS = Resource(
    "meetings",
    "Réunions",
    "Une ligne par réunion enregistrée (tenue, prévue ou annulée) de chaque groupe. Les présents sont comptés "
    "par sorte de personne : aucun nom n’est exporté.",
    (
        _id("de la réunion (AAAA-MM-JJ-groupe)"),
        GROUP,
        Column("date", "date", "Date", "Date de la réunion.", required=True),
        Column(
            "status",
            "string",
            "Statut",
            "planned (prévue), held (tenue) ou cancelled (annulée).",
            enum=MEETING_STATUSES,
            required=True,
        ),
        Column(
            "attendees",
            "integer",
            "Présents",
            "Nombre de présents.",
            unit="personnes",
            rule="Nombre d’identifiants de la liste attendees.",
        ),
        *(
            Column(
                f"attendees_{kind}",
                "integer",
                f"Présents : {PERSON_KIND_WORDS[kind]}",
                f"Nombre de présents de la sorte « {kind} » ({PERSON_KIND_WORDS[kind]}).",
                unit="personnes",
                rule=f"Présents dont la fiche people/ a kind: {kind}.",
            )
            for kind in PERSON_KIND_ORDER
        ),
        Column("minutes_sent", "date", "Compte rendu envoyé", "Date d’envoi du compte rendu (vide : pas noté)."),
        Column(
            "group_kind",
            "string",
            "Sorte de groupe",
            "agents, usagers, referents (référents) ou intergroupes.",
            enum=GROUP_KINDS,
        ),
        Column("time", "string", "Heure", "Heure de début « HH:MM » (celle du groupe quand la réunion n’en dit pas)."),
        Column("place", "string", "Lieu", "Identifiant du lieu (gasp.yaml, places), celui du groupe par défaut."),
        Column("excused", "integer", "Excusés", "Nombre d’excusés.", unit="personnes"),
        Column(
            "guests", "integer", "Invités", "Nombre d’invités ponctuels (texte libre ou service).", unit="personnes"
        ),
        Column(
            "days_to_minutes",
            "integer",
            "Délai du compte rendu",
            "Jours entre la réunion et l’envoi du compte rendu.",
            unit="jours",
            rule="minutes_sent − date, pour une réunion tenue.",
        ),
        Column("topic", "string", "Sujet retenu", "Identifiant du thème choisi par le groupe."),
        Column(
            "problems",
            "integer",
            "Problèmes du tour de table",
            "Nombre de problèmes évoqués (voir problems.csv).",
            unit="problèmes",
        ),
        Column("discussion", "string", "Discussion", "Le compte rendu de la discussion, tel qu’il a été écrit."),
        Column("cancel_reason", "string", "Motif d’annulation", "Pour une réunion annulée : pourquoi."),
        DOCUMENT,
    ),
    primary_key=("id",),
)

PROPOSALS = Resource(
    "proposals",
    "Propositions",
    "Une ligne par proposition, avec ce que son historique (events.csv) en dérive.",
    (
        _id("de la proposition"),
        Column("title", "string", "Intitulé", "Intitulé de la proposition.", required=True),
        Column("theme", "string", "Thème", "Identifiant du thème (themes.csv).", required=True),
        Column(
            "raised_by",
            "string",
            "Soulevée par",
            "Groupe qui l’a soulevée.",
            rule="Le groupe de la réunion de l’événement raised.",
        ),
        Column(
            "raised_on",
            "date",
            "Soulevée le",
            "Date de la réunion où elle a été soulevée.",
            rule="La date de l’événement raised.",
        ),
        Column(
            "status",
            "string",
            "Statut",
            "Statut au jour de l’export (vide : pas encore soulevée).",
            enum=STATUSES,
            rule="Le dernier événement, une discussion ne changeant que le statut raised.",
        ),
        Column(
            "outcome",
            "string",
            "Dernière décision",
            "La dernière décision des référents ou de l’intergroupes.",
            enum=DECISIONS,
            rule="L’issue du dernier événement de décision.",
        ),
        Column(
            "decided_on",
            "date",
            "Décidée le",
            "Date de la dernière décision.",
            rule="La date du dernier événement de décision.",
        ),
        Column(
            "days_to_decision",
            "integer",
            "Jours jusqu’à la dernière décision",
            "Jours entre la proposition et sa dernière décision.",
            unit="jours",
            rule="decided_on − raised_on.",
        ),
        Column(
            "done_on",
            "date",
            "Réalisée le",
            "Date de l’étape done (réalisée), s’il y en a une.",
            rule="La date de la première étape done.",
        ),
        Column("cost", "number", "Coût", "Coût estimé.", unit="euros"),
        Column(
            "first_decided_on",
            "date",
            "Première décision le",
            "Date de la première décision (une mise à l’étude ou un ajournement est déjà une réponse).",
            rule="La date du premier événement de décision.",
        ),
        Column(
            "days_to_first_decision",
            "integer",
            "Jours jusqu’à la première décision",
            "Jours entre la proposition et sa première décision.",
            unit="jours",
            rule="first_decided_on − raised_on.",
        ),
        Column("replaces", "string", "Remplace", "La proposition que celle-ci remplace."),
    ),
    primary_key=("id",),
    foreign_keys=(("theme", "themes", "id"), ("replaces", "proposals", "id")),
)

EVENTS = Resource(
    "events",
    "Journal des événements",
    "Le journal d’événements des propositions, chargeable tel quel par les outils de fouille de processus "
    "(process mining) : une ligne par événement, le cas est la proposition, l’activité la sorte d’événement, "
    "l’horodatage sa date. Rangé par date, puis par proposition, puis dans l’ordre de l’historique.",
    (
        Column("case_id", "string", "Cas", "Identifiant de la proposition (proposals.csv).", required=True),
        Column(
            "activity",
            "string",
            "Activité",
            "Sorte d’événement : raised (soulevée), discussed (discutée), withdrawn (retirée), une décision "
            "(validated, rejected, deferred, study) ou une étape (in-progress, done, abandoned).",
            enum=ACTIVITIES,
            required=True,
        ),
        Column("timestamp", "date", "Date", "Date de l’événement (réunion ou étape).", required=True),
        Column("group", "string", "Groupe", "Groupe de la réunion (vide pour une étape)."),
        Column("meeting", "string", "Réunion", "Identifiant de la réunion (vide pour une étape)."),
        NOTE,
        DOCUMENT,
    ),
    foreign_keys=(("case_id", "proposals", "id"), ("meeting", "meetings", "id")),
)

PROBLEMS = Resource(
    "problems",
    "Tour de table",
    "Une ligne par problème évoqué au tour de table d’une réunion tenue, dans l’ordre du compte rendu.",
    (
        Column("meeting", "string", "Réunion", "Identifiant de la réunion.", required=True),
        GROUP,
        Column("date", "date", "Date", "Date de la réunion.", required=True),
        Column("theme", "string", "Thème", "Identifiant du thème, s’il en a un."),
        Column("note", "string", "Problème", "Le problème, tel qu’il a été dit.", required=True),
    ),
    foreign_keys=(("meeting", "meetings", "id"), ("theme", "themes", "id")),
)

ACTIONS = Resource(
    "actions",
    "Actions",
    "Une ligne par action décidée en réunion (qui, quoi, échéance). Une personne n’est nommée que si elle y a "
    "consenti : sinon seule sa sorte est donnée.",
    (
        Column("meeting", "string", "Réunion", "Identifiant de la réunion.", required=True),
        GROUP,
        Column("date", "date", "Date", "Date de la réunion.", required=True),
        Column("what", "string", "Quoi", "Ce qu’il faut faire.", required=True),
        Column(
            "who",
            "string",
            "Qui",
            "Le nom de la personne qui s’en charge si elle consent à être nommée, ou le nom du service ; vide sinon.",
            rule="Le nom de la fiche people/ si publish_name le permet, le nom de la fiche services/, sinon vide.",
        ),
        Column(
            "who_kind",
            "string",
            "Sorte de responsable",
            "Sorte de la personne (agent, resident, head, elected, facilitator) ou service.",
            enum=(*PERSON_KIND_ORDER, "service"),
        ),
        Column("due", "date", "Échéance", "Date d’échéance."),
        Column("done", "boolean", "Faite", "L’action est-elle faite ?"),
        Column("done_on", "date", "Faite le", "Date où elle a été faite, si elle est notée."),
    ),
    foreign_keys=(("meeting", "meetings", "id"),),
)

THEMES = Resource(
    "themes",
    "Thèmes",
    "Une ligne par thème, avec le premier groupe qui l’a abordé.",
    (
        _id("du thème"),
        Column("title", "string", "Intitulé", "Intitulé du thème.", required=True),
        Column("description", "string", "Description", "Ce que recouvre le thème."),
        Column(
            "first_raised_on",
            "date",
            "Abordé le",
            "Date de la première réunion tenue qui l’aborde.",
            rule="Première réunion tenue qui le cite au tour de table, le retient comme sujet ou y soulève une "
            "proposition de ce thème.",
        ),
        Column("first_raised_by", "string", "Abordé par", "Groupe de cette première réunion."),
        Column("groups", "integer", "Groupes", "Nombre de groupes qui l’ont abordé.", unit="groupes"),
        Column("proposals", "integer", "Propositions", "Nombre de propositions de ce thème.", unit="propositions"),
        Column(
            "problems", "integer", "Problèmes", "Nombre de problèmes du tour de table de ce thème.", unit="problèmes"
        ),
    ),
    primary_key=("id",),
)

OBSERVATIONS = Resource(
    "observations",
    "Observations",
    "Les notes de terrain de la personne sociologue (records/observations/) : jamais publiées ailleurs.",
    (
        _id("de l’observation"),
        Column("date", "date", "Date", "Date de l’observation.", required=True),
        Column("meeting", "string", "Réunion", "Réunion observée, le cas échéant."),
        Column(
            "themes",
            "string",
            "Thèmes",
            "Identifiants des thèmes concernés, séparés par « ; ».",
            rule="La liste themes, jointe par « ; ».",
        ),
        Column("text", "string", "Observation", "Le texte de l’observation.", required=True),
    ),
    primary_key=("id",),
    foreign_keys=(("meeting", "meetings", "id"),),
)

INDICATORS = Resource(
    "indicators",
    "Indicateurs",
    "Les indicateurs, en format long : une ligne par année, indicateur, groupe et sujet. Chaque indicateur est "
    "défini dans « indicators » ci-dessous. Chaque année est comptée au 31 décembre, ou au jour de l’export "
    "s’il vient avant (colonne counted_to) : le rapport annuel de l’année montre les mêmes valeurs, quel que "
    "soit le jour où l’un ou l’autre est produit.",
    (
        Column(
            "year",
            "integer",
            "Année",
            "L’année : de la proposition (cohorte) pour decided_share, done_share "
            "et median_days ; de la reprise pour theme_taken_up ; des réunions ou des adhésions sinon.",
            required=True,
        ),
        Column(
            "indicator",
            "string",
            "Indicateur",
            "Le nom de l’indicateur (voir « indicators »).",
            enum=tuple(DEFINITIONS),
            required=True,
        ),
        Column("group", "string", "Groupe", "Le groupe concerné ; vide : tous les groupes ensemble."),
        Column(
            "subject",
            "string",
            "Sujet",
            "Une étape (median_days), un thème (theme_taken_up) ou une sorte de personne (attendance) ; vide sinon.",
        ),
        Column(
            "origin_group",
            "string",
            "Groupe d’origine",
            "Pour theme_taken_up : le premier groupe qui a abordé le thème ; vide sinon.",
        ),
        Column("value", "number", "Valeur", "La valeur, dans l’unité de la colonne unit.", required=True),
        Column(
            "unit", "string", "Unité", "L’unité de value : %, jours, personnes, personnes par réunion.", required=True
        ),
        Column(
            "n",
            "integer",
            "Effectif",
            "Sur combien d’éléments la valeur est calculée (voir chaque indicateur) ; vide quand cela n’a pas de sens.",
        ),
        Column(
            "counted_to",
            "date",
            "Compté au",
            "Le jour jusqu’auquel l’année est comptée : ce qui s’est passé après n’y est pas.",
            rule="Le 31 décembre de year, ou le jour de l’export (today, as_of ou GASP_TODAY) s’il vient avant.",
            required=True,
        ),
    ),
    extra={
        "indicators": {
            name: {"title": d.title, "unit": d.unit, "description": d.description} for name, d in DEFINITIONS.items()
        }
    },
)

RESOURCES = (MEETINGS, PROPOSALS, EVENTS, PROBLEMS, ACTIONS, THEMES, OBSERVATIONS, INDICATORS)


# --- rows -----------------------------------------------------------------------------------


def attendees_by_kind(records: Records, meeting: Meeting) -> dict[str, int]:
    """A meeting's attendees counted by person kind, in PERSON_KIND_ORDER: the one count that every
    export format shows (people are counted, never listed)."""
    kinds: list[str] = [records.people[p].kind for p in meeting.attendees if p in records.people]
    return {kind: kinds.count(kind) for kind in PERSON_KIND_ORDER}


def _meeting_rows(records: Records) -> list[list[Any]]:
    rows = []
    for mid, meeting in sorted(records.meetings.items(), key=lambda pair: (pair[1].date, pair[0])):
        group = records.groups.get(meeting.group)
        held = meeting.status == "held"
        sent = meeting.minutes_sent
        rows.append(
            [
                mid,
                meeting.group,
                meeting.date,
                meeting.status,
                len(meeting.attendees),
                *attendees_by_kind(records, meeting).values(),
                sent,
                group.kind if group else None,
                meeting.time or (group.cadence.time if group else None),
                meeting.place or (group.cadence.place if group else None),
                len(meeting.excused),
                len(meeting.guests),
                (sent - meeting.date).days if held and sent else None,
                meeting.topic,
                len(meeting.problems_raised),
                meeting.discussion,
                meeting.cancel_reason,
                f"comptes-rendus/{mid}.html" if held else None,
            ]
        )
    return rows


def _proposal_rows(records: Records, derived: dict[str, History]) -> list[list[Any]]:
    rows = []
    for summary in sorted(summaries(records, derived), key=lambda s: s.id):
        proposal = records.proposals[summary.id]
        done = next((e.date for e in derived[summary.id].events if e.kind == "done"), None)
        rows.append(
            [
                summary.id,
                summary.title,
                summary.theme,
                summary.raised_by,
                summary.raised_on,
                summary.status,
                summary.outcome,
                summary.decided_on,
                summary.days_to_decision,
                done,
                _cell(proposal.cost),
                summary.first_decided_on,
                summary.days_to_first_decision,
                proposal.replaces,
            ]
        )
    return rows


def _event_rows(derived: dict[str, History]) -> list[list[Any]]:
    rows = []
    for pid in sorted(derived):
        for order, event in enumerate(derived[pid].events):
            rows.append(
                (
                    (event.date, pid, order),
                    [pid, event.kind, event.date, event.group, event.meeting, event.note, document_of(event)],
                )
            )
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def _held_in_order(records: Records) -> list[tuple[str, Meeting]]:
    return [
        (mid, m)
        for mid, m in sorted(records.meetings.items(), key=lambda pair: (pair[1].date, pair[0]))
        if m.status == "held"
    ]


def _problem_rows(records: Records) -> list[list[Any]]:
    return [[mid, m.group, m.date, p.theme, p.note] for mid, m in _held_in_order(records) for p in m.problems_raised]


def _who(records: Records, who: str | None) -> tuple[str | None, str | None]:
    """(name, kind) of an action's `who`: a person named only with consent, or a service."""
    if who is None:
        return None, None
    if who in records.people:
        person = records.people[who]
        return (person.name if person.may_be_named else None), person.kind
    if who in records.services:
        return records.services[who].name, "service"
    return None, None


def _action_rows(records: Records) -> list[list[Any]]:
    rows = []
    for mid, meeting in sorted(records.meetings.items(), key=lambda pair: (pair[1].date, pair[0])):
        for action in meeting.actions:
            name, kind = _who(records, action.who)
            done_on = action.done if isinstance(action.done, datetime.date) else None
            rows.append(
                [
                    mid,
                    meeting.group,
                    meeting.date,
                    action.what,
                    name,
                    kind,
                    action.due,
                    _cell(action.done is not False),
                    done_on,
                ]
            )
    return rows


def _theme_rows(records: Records, day: datetime.date) -> list[list[Any]]:
    mentions = theme_mentions(records, day)
    proposals = Counter(p.theme for p in records.proposals.values())
    problems = Counter(p.theme for _, m in _held_in_order(records) for p in m.problems_raised)
    rows = []
    for tid, theme in sorted(records.themes.items()):
        by_group = mentions.get(tid, {})
        first = min(by_group.items(), key=lambda pair: (pair[1], pair[0])) if by_group else (None, None)
        rows.append(
            [tid, theme.title, theme.description, first[1], first[0], len(by_group), proposals[tid], problems[tid]]
        )
    return rows


def _observation_rows(records: Records) -> list[list[Any]]:
    return [
        [oid, o.date, o.meeting, ";".join(o.themes) or None, o.text]
        for oid, o in sorted(records.observations.items(), key=lambda pair: (pair[1].date, pair[0]))
    ]


def _indicator_rows(records: Records, day: datetime.date, derived: dict[str, History]) -> list[list[Any]]:
    return [
        [r.year, r.indicator, r.group, r.subject, r.origin_group, _cell(r.value), r.unit, r.n, r.counted_to]
        for r in of_run(facts.of(records, derived), day)
    ]


# --- bytes ----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(round(value, 4))
    return str(value)


def csv_bytes(resource: Resource, rows: list[list[Any]]) -> bytes:
    """RFC 4180: CRLF between records, fields quoted when they must be (a note's own line breaks stay LF).

    Cells are text, whole numbers, dates (`str` is ISO) or None (an empty cell), which the
    csv module writes as they should be; floats and booleans are made text by `_cell` first.
    """
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([c.name for c in resource.columns])
    writer.writerows(rows)
    return stream.getvalue().encode("utf-8")


def datapackage(records: Records) -> dict[str, Any]:
    name = records.gasp.name if records.gasp is not None else "Gasp"
    return {
        "profile": "tabular-data-package",
        "name": f"gasp-{slugify(name)}" if not slugify(name).startswith("gasp") else slugify(name),
        "title": f"Données de recherche — {name}",
        "description": (
            "L’histoire entière du Gasp (Groupe d’amélioration des services publics), telle que ses "
            "enregistrements la décrivent : réunions, propositions et leur journal d’événements, tour de table, "
            "actions, thèmes, observations de la personne sociologue, indicateurs. Produit par « gasp export » : "
            "mêmes enregistrements, mêmes octets. Les habitants sont comptés, jamais nommés sans leur accord ; "
            "les informations réservées aux agents ne sont pas exportées. Dates ISO 8601 (AAAA-MM-JJ), "
            "fichiers CSV en UTF-8 avec une ligne d’en-tête ; une cellule vide est une valeur absente."
        ),
        "resources": [resource.descriptor() for resource in RESOURCES],
    }


def build(records: Records, day: datetime.date) -> dict[str, bytes]:
    """Every file of the package (name → bytes): the same records and day give the same bytes."""
    derived = facts.of(records).histories
    tables: dict[str, Callable[[], list[list[Any]]]] = {
        "meetings": lambda: _meeting_rows(records),
        "proposals": lambda: _proposal_rows(records, derived),
        "events": lambda: _event_rows(derived),
        "problems": lambda: _problem_rows(records),
        "actions": lambda: _action_rows(records),
        "themes": lambda: _theme_rows(records, day),
        "observations": lambda: _observation_rows(records),
        "indicators": lambda: _indicator_rows(records, day, derived),
    }
    files = {resource.path: csv_bytes(resource, tables[resource.name]()) for resource in RESOURCES}
    package = json.dumps(datapackage(records), ensure_ascii=False, indent=2) + "\n"
    files["datapackage.json"] = package.encode("utf-8")
    return files
