"""New records, written for a person to read: YAML with French comments on every field.

The only code that writes under records/. A file is created whole and never
replaces one that exists (a hard link from a temporary file fails if the name is
taken). What is written is checked against its model first: a new record validates.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import yaml

from . import facts
from .calendar import calendar_rows, holidays_for
from .loader import Records
from .models import KINDS, Gasp
from .output import system_reason, write_new
from .vocabulary import PROPOSAL_STATUSES, decides, french_time, slugify, weekday_date
from .workspace import Workspace


class CreationError(Exception):
    """A record that cannot be created; the message is French."""


def scalar(value: object) -> str:
    """A value as YAML writes it on one line (quoted when it must be)."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def unique_id(wanted: str, taken: set[str]) -> str:
    base = slugify(wanted)[:76].rstrip("-") or "x"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _check(kind: str, text: str) -> None:
    """Refuse to write what would not validate: a bug here must not reach the records."""
    data = yaml.safe_load(text)
    model = Gasp if kind == "gasp" else KINDS[kind]
    model.model_validate(data)


def create_file(path: Path, text: str, kind: str) -> None:
    _check(kind, text)
    if path.exists():
        raise CreationError(f"« {path} » existe déjà : gasp n'écrase jamais un enregistrement")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_new(path, text)  # with the user's umask; fails if the name was taken meanwhile: never overwrites
    except FileExistsError:
        raise CreationError(f"« {path} » existe déjà : gasp n'écrase jamais un enregistrement") from None
    except OSError as error:
        raise CreationError(f"impossible d'écrire « {path} » : {system_reason(error)}") from None


def _schema_line(workspace: Workspace, path: Path, kind: str) -> str:
    """The yaml-language-server modeline, when the workspace has its schemas."""
    schema = workspace.root / "schemas" / f"{SCHEMA_NAMES[kind]}.schema.json"
    if not schema.is_file():
        return ""
    relative = os.path.relpath(schema, path.parent).replace(os.sep, "/")
    return f"# yaml-language-server: $schema={relative}\n"


SCHEMA_NAMES = {
    "gasp": "gasp",
    "groups": "group",
    "people": "person",
    "services": "service",
    "themes": "theme",
    "proposals": "proposal",
    "meetings": "meeting",
}


# --- meetings -------------------------------------------------------------------------------


@dataclass
class NewMeeting:
    path: Path
    text: str


def next_slot(records: Records, group_id: str, today: datetime.date) -> datetime.date:
    """The group's next date from its cadence that has no meeting recorded yet."""
    end = today + datetime.timedelta(days=800)
    rows = calendar_rows(
        records, today + datetime.timedelta(days=1), end, holidays_for(records, today, end), [group_id]
    )
    planned = [row for row in rows if row.origin == "planned"]
    if not planned:
        raise CreationError(f"le groupe « {group_id} » n'a pas de date prévue dans les deux ans : donnez --date")
    return planned[0].date


def default_slot(records: Records, group_id: str, today: datetime.date) -> datetime.date:
    """The date `gasp new meeting` writes when none is given: the meeting that just took place.

    That is the most recent cadence date up to today that has no meeting recorded, if it lies
    within one cadence period (a month for a monthly group, three for a quarterly one…):
    on 12 March a monthly group meeting on the second Tuesday gets 9 March, not 13 April.
    Older than that, it is a forgotten meeting (`gasp validate` warns) rather than the
    minutes of the day, and the next cadence date is given instead.
    """
    from .cadence import PERIOD_MONTHS

    frequency = records.groups[group_id].cadence.frequency
    start = today - datetime.timedelta(days=31 * PERIOD_MONTHS[frequency])
    rows = calendar_rows(records, start, today, holidays_for(records, start, today), [group_id])
    past = [row for row in rows if row.origin == "planned" and row.date <= today]
    return past[-1].date if past else next_slot(records, group_id, today)


def one_line(text: str) -> str:
    """Record text inside a comment: one line, whatever it holds (a line break would end the comment)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _attendees(records: Records, group_id: str, day: datetime.date) -> list[str]:
    """The group's members on that day; for the intergroupes, every group's members (each once)."""
    group = records.groups[group_id]
    groups = [group_id] + ([g for g in sorted(records.groups) if g != group_id] if group.kind == "intergroupes" else [])
    found: list[str] = []
    for gid in groups:
        for m in records.groups[gid].members:
            if m.since <= day and (m.until is None or m.until >= day) and m.person not in found:
                found.append(m.person)
    return found


def new_meeting(
    workspace: Workspace, records: Records, group_id: str, day: datetime.date, today: datetime.date
) -> NewMeeting:
    group = records.groups[group_id]
    meeting_id = f"{day.isoformat()}-{group_id}"
    path = workspace.records / "meetings" / str(day.year) / f"{meeting_id}.yaml"
    if meeting_id in records.known_ids.get("meetings", set()) or path.exists():
        raise CreationError(f"la réunion « {meeting_id} » existe déjà : gasp n'écrase jamais un enregistrement")
    members = _attendees(records, group_id, day)
    derived = facts.of(records).histories
    waiting = [
        (pid, cast(str, derived[pid].status_on(today)))  # to decide: a status
        for pid in sorted(records.proposals)
        if facts.to_decide(derived[pid], today)
    ]
    place = group.cadence.place
    place_name = records.gasp.places[place].name if records.gasp and place in records.gasp.places else place
    deciding = decides(group.kind)

    name = one_line(group.name)
    title = name if name.lower().startswith("réunion") else f"Réunion : {name}"
    lines = [
        _schema_line(workspace, path, "meetings"),
        f"# {title}, {weekday_date(day)} à {french_time(group.cadence.time)}, {one_line(place_name)}.\n",
        "# Écrite par « gasp new meeting » : complétez-la après la réunion, vérifiez avec\n",
        "# « gasp validate », puis faites le compte rendu avec « gasp render " + meeting_id + " ».\n",
        "\n",
        "# Le groupe qui se réunit (un fichier de records/groups/).\n",
        f"group: {scalar(group_id)}\n",
        "# La date (AAAA-MM-JJ) : c'est aussi le début du nom du fichier.\n",
        f"date: {day.isoformat()}\n",
        "# L'heure, entre guillemets.\n",
        f"time: {scalar(group.cadence.time)}\n",
        "# Le lieu : un identifiant de « places » dans gasp.yaml.\n",
        f"place: {scalar(place)}\n",
        "# planned (prévue) ; après la réunion : held (tenue) ou cancelled (annulée).\n",
        "status: planned\n",
        "# Les présents : ici les membres du groupe à cette date. Retirez les absents.\n"
        if group.kind != "intergroupes"
        else "# Les présents : ici les membres de tous les groupes à cette date. Retirez les absents.\n",
        "attendees:\n" if members else "attendees: []\n",
        *(f"  - {scalar(person)}\n" for person in members),
        "# Les excusés (identifiants de personnes).\n",
        "excused: []\n",
        "# Les invités ponctuels, en texte libre : « Un représentant du bailleur ».\n",
        "guests: []\n",
    ]
    lines.append(
        "# Pour remplir une liste ci-dessous, retirez le « # » et l'espace qui le suit en tête de ses lignes.\n"
    )
    if not deciding:
        lines += [
            "# Le tour de table : un problème par élément, avec son thème s'il en a un.\n",
            "# problems_raised:\n",
            "#   - theme: logement\n",
            "#     note: Des halls mal entretenus.\n",
            "# Le sujet retenu par le groupe (un identifiant de thème).\n",
            "# topic: logement\n",
        ]
    lines += [
        "# La discussion, en quelques phrases.\n",
        "# discussion: >-\n",
        "#   Le groupe a ...\n",
    ]
    if group.kind != "referents":  # the référents decide; they do not raise nor discuss
        lines += [
            "# Les propositions : raised (soulevée ici), discussed (discutée), withdrawn (retirée).\n",
            "# proposals:\n",
        ]
    if group.kind == "referents":
        pass
    elif waiting and not deciding:
        lines.append("#   # en attente, que le groupe peut discuter :\n")
        for pid, status in waiting:
            lines += [
                f"#   - proposal: {pid}   # {one_line(records.proposals[pid].title)} ({PROPOSAL_STATUSES[status]})\n",
                "#     event: discussed\n",
            ]
    else:
        lines += ["#   - proposal: identifiant-de-la-proposition\n", "#     event: raised\n"]
    if deciding:
        lines += [
            "# Les décisions : validated (validée), rejected (refusée), deferred (ajournée), study (mise à l’étude).\n",
            "# Ici, chaque proposition qui attend une décision : gardez celles qui ont été décidées.\n",
            "# decisions:\n",
        ]
        for pid, status in waiting:
            lines += [
                f"#   - proposal: {pid}   # {one_line(records.proposals[pid].title)} ({PROPOSAL_STATUSES[status]})\n",
                "#     outcome: validated\n",
                "#     note: Motif, conditions.\n",
            ]
    secretary = records.gasp.secretary if records.gasp and records.gasp.secretary else "secretaire"
    lines += [
        "# Les actions : quoi, qui (une personne ou un service), échéance, et done: true une fois faites.\n",
        "# actions:\n",
        "#   - what: Envoyer le compte rendu\n",
        f"#     who: {secretary}\n",
        f"#     due: {(day + datetime.timedelta(days=7)).isoformat()}\n",
    ]
    text = "".join(lines)
    create_file(path, text, "meetings")
    return NewMeeting(path, text)


# --- the other kinds ---------------------------------------------------------------------------


def _create(workspace: Workspace, kind: str, record_id: str, text: str) -> Path:
    path = workspace.records / kind / f"{record_id}.yaml"
    create_file(path, _schema_line(workspace, path, kind) + text, kind)
    return path


def new_proposal(workspace: Workspace, records: Records, title: str, theme: str, summary: str | None) -> Path:
    record_id = unique_id(title, records.known_ids.get("proposals", set()))
    text = (
        "# Proposition écrite par « gasp new proposal ». Son histoire vient des réunions : ajoutez-la\n"
        "# aux « proposals » de la réunion où elle est faite, avec « event: raised ».\n"
        f"title: {scalar(title)}\n"
        "# Le thème (un fichier de records/themes/).\n"
        f"theme: {theme}\n"
        + (f"summary: {scalar(summary)}\n" if summary else "# summary: La proposition en quelques phrases.\n")
        + "# cost: 1000                        # coût estimé, en euros\n"
        "# funding:                          # financements, en parts du coût (100 en tout)\n"
        "#   - source: politique de la ville\n"
        "#     share: 100\n"
        "# replaces: autre-proposition       # celle qu'elle remplace, refusée ou retirée\n"
        "# milestones:                       # après la validation : in-progress, done, abandoned\n"
        "#   - date: 2027-01-15\n"
        "#     status: in-progress\n"
        "#     note: Début des travaux.\n"
    )
    return _create(workspace, "proposals", record_id, text)


def new_theme(workspace: Workspace, records: Records, title: str, description: str | None) -> Path:
    record_id = unique_id(title, records.known_ids.get("themes", set()))
    text = f"# Thème écrit par « gasp new theme » : un sujet que les groupes travaillent.\ntitle: {scalar(title)}\n" + (
        f"description: {scalar(description)}\n" if description else "# description: Ce que recouvre le thème.\n"
    )
    return _create(workspace, "themes", record_id, text)


def new_person(
    workspace: Workspace, records: Records, name: str | None, kind: str, role: str | None, service: str | None
) -> Path:
    taken = records.known_ids.get("people", set())
    if name:
        record_id = unique_id(name, taken)
    elif kind == "resident":
        number = 1
        while f"habitant-{number}" in taken:
            number += 1
        record_id = f"habitant-{number}"
    else:
        raise CreationError("--name est obligatoire, sauf pour un habitant (--kind resident)")
    consent = (
        "# Un habitant n'est jamais nommé dans les documents, sauf accord écrit : alors\n# publish_name: true\n"
        if kind == "resident"
        else "# publish_name: false       # pour ne jamais publier son nom\n"
    )
    text = (
        "# Personne écrite par « gasp new person ».\n"
        + (f"name: {scalar(name)}\n" if name else "# name: (facultatif pour un habitant)\n")
        + "# agent, resident (habitant), head (responsable), elected (élu), facilitator (animateur).\n"
        f"kind: {kind}\n"
        + (f"role: {scalar(role)}\n" if role else "# role: Sa fonction.\n")
        + (f"service: {service}\n" if service else "# service: identifiant-du-service\n")
        + consent
    )
    return _create(workspace, "people", record_id, text)


def new_service(workspace: Workspace, records: Records, name: str, institution: str, category: str) -> Path:
    record_id = unique_id(name, records.known_ids.get("services", set()))
    text = (
        "# Service écrit par « gasp new service » : une entrée du guide des services publics.\n"
        f"name: {scalar(name)}\n"
        f"institution: {scalar(institution)}\n"
        "# La rubrique du guide.\n"
        f"category: {scalar(category)}\n"
        "# Ce que voient les usagers ET les agents (les deux éditions du guide) ;\n"
        "# jamais de numéro ni d'adresse personnels ici. Décommentez ce qui sert.\n"
        "# public:\n"
        "  # description: Ce que fait le service.\n"
        "  # tasks: [Accueil, Orientation]\n"
        "  # procedures: [Prendre rendez-vous]\n"
        "  # address: 1 place de la Mairie\n"
        "  # hours: Du lundi au vendredi, 9 h – 12 h\n"
        "  # phone: 03 27 00 00 00\n"
        "  # email: accueil@exemple.fr\n"
        "  # website: https://exemple.fr\n"
        "  # accessibility: Accessible en fauteuil.\n"
        "# Ce que voient seulement les agents (l'édition des agents du guide).\n"
        "# agents:\n"
        "#   contact: identifiant-de-la-personne\n"
        "#   direct_phone: 03 27 00 00 01\n"
        "#   email: prenom.nom@exemple.fr\n"
        "#   referral: Quand orienter un usager vers ce service.\n"
        "#   notes: Notes internes.\n"
    )
    return _create(workspace, "services", record_id, text)
