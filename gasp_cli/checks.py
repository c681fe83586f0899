"""Cross-record checks: plain functions (records, today) → diagnostics, gathered in `CHECKS`.

The loader has already checked each file alone; these look across files:
references, meeting file names, who may decide, the proposal lifecycle, and the
warnings about what looks forgotten (a missing meeting, an overdue action) or late
against the Gasp's own commitments (an answer, a compte rendu).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel

from . import cadence as cadence_periods
from . import facts
from .calendar import group_start
from .diagnostics import SHOWN_PER_FILE, Diagnostic, Loc, closest, suggestion
from .lifecycle import check_lifecycles
from .loader import KIND_LABELS, Records
from .models import SLUG_PATTERN, Meeting
from .references import checked_by_source
from .vocabulary import FREQUENCIES, decides, long_date, plural, slugify
from .workspace import Workspace
from .yamlsource import SourceFile

Check = Callable[[Records, datetime.date], list[Diagnostic]]


def today_for(records: Records, now: datetime.date) -> datetime.date:
    """The day the records are judged on: `as_of` for an archive, else today."""
    if records.gasp is not None and records.gasp.as_of is not None:
        return min(records.gasp.as_of, now)
    return now


# --- references -------------------------------------------------------------------

# Record folder → (path of an id, the kinds it may name), read off the models' id types.
REFERENCES = checked_by_source()

_SLUG = re.compile(SLUG_PATTERN)
# A meeting's file name: <date>-<group>.
_MEETING_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")


def broken_meetings(records: Records) -> dict[str, SourceFile | None]:
    """Meeting files that failed their model (or did not parse), by id, with their source if it parsed.

    Their data is not a meeting, but their file name still says which group met and when:
    the checks that count meetings must not call that meeting missing.
    """
    return {
        mid: records.sources.get(("meetings", mid))
        for mid in sorted(records.known_ids.get("meetings", set()) - records.meetings.keys())
    }


def _named_day_and_group(mid: str) -> tuple[datetime.date, str] | None:
    named = _MEETING_NAME.match(mid)
    if named is None:
        return None
    try:
        return datetime.date.fromisoformat(named[1]), named[2]
    except ValueError:
        return None


def _values_at(data: object, path: tuple[str, ...], loc: Loc = ()) -> Iterable[tuple[Loc, str]]:
    """(loc, id) of every id at `path` in a record's data; what is not an id is the model's to report."""
    found: list[tuple[Loc, str]] = []
    _collect_ids(data, path, loc, found)
    return found


def _collect_ids(
    data: object, path: tuple[str, ...], loc: Loc, found: list[tuple[Loc, str]], *, malformed: bool = False
) -> None:
    """The ids at `path` (or, with `malformed`, the texts there that are not ids)."""
    # A plain recursion into a list: this runs for every reference of every record.
    if not path:
        if isinstance(data, str) and (_SLUG.fullmatch(data) is None) == malformed:
            found.append((loc, data))
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                _collect_ids(item, rest, (*loc, index), found, malformed=malformed)
    elif isinstance(data, dict):
        if head in data:
            _collect_ids(data[head], rest, (*loc, head), found, malformed=malformed)
    elif isinstance(data, BaseModel):  # a valid record: its model, whose fields are the YAML keys
        value = getattr(data, head, None)
        if value is not None:
            _collect_ids(value, rest, (*loc, head), found, malformed=malformed)


def _likely_id(written: str, candidates: set[str]) -> str | None:
    """The known id a malformed one most likely means: `Karim` → `karim-haddad`, not `karim`."""
    slug = slugify(written)
    if slug in candidates:
        return slug
    longer = sorted(c for c in candidates if c.startswith(slug + "-"))
    if longer:
        return longer[0]
    return closest(slug, candidates)


def better_id_suggestions(records: Records, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A malformed id in a reference suggests the record it most likely names, among those of its kinds.

    The loader, which reads one file at a time, can only suggest the slug of what was written.
    """
    wanted: dict[tuple[str, int, int], str] = {}
    found: list[tuple[Loc, str]] = []
    for (kind, _), source in records.sources.items():
        if source.data is None:
            continue  # a valid record: its ids are well formed
        for path, targets in REFERENCES.get(kind, ()):
            found.clear()
            _collect_ids(source.data, path, (), found, malformed=True)
            for loc, value in found:
                candidates = set().union(*(records.known_ids.get(target, set()) for target in targets))
                better = _likely_id(value, candidates)
                if better is not None:
                    line, column = source.position(loc)
                    wanted[(source.rel, line, column)] = better
    result = []
    for diagnostic in diagnostics:
        better = wanted.get((diagnostic.file, diagnostic.line, diagnostic.column))
        if diagnostic.code == "bad-id" and better:
            message = re.sub(
                r" ; vouliez-vous dire « [^»]*» \?$", f" ; vouliez-vous dire « {better} » ?", diagnostic.message
            )
            result.append(dataclasses.replace(diagnostic, message=message))
            continue
        result.append(diagnostic)
    return result


def _references(records: Records) -> Iterable[tuple[str, str, Loc, str | None, tuple[str, ...]]]:
    """Every id written in a record: (kind, id, path, value, kinds it may name).

    A record that fails its model has its references read from its file's data, so
    that they are checked too: one run shows every problem. A valid record's are read
    from its model (its raw data is not kept).
    """
    found: list[tuple[Loc, str]] = []
    for (kind, record_id), source in records.sources.items():
        for path, targets in REFERENCES.get(kind, ()):
            found.clear()
            # A record that failed its model has only its data; a valid one, only its model.
            data = source.data if source.data is not None else records.of_kind(kind).get(record_id)
            _collect_ids(data, path, (), found)
            for loc, value in found:
                yield kind, record_id, loc, value, targets


def _places(records: Records) -> set[str] | None:
    """The place ids of gasp.yaml, even when gasp.yaml fails its model for another reason."""
    if records.gasp is not None:
        return set(records.gasp.places)
    source = records.sources.get(("gasp", "gasp"))
    places = source.data.get("places") if source is not None and isinstance(source.data, dict) else None
    return {key for key in places if isinstance(key, str)} if isinstance(places, dict) else None


def how_to_create(targets: tuple[str, ...], wanted: str) -> str:
    """« ; pour la créer : gasp new proposal --title "Relais logement" --theme THEME »: the command
    that writes the missing record under that id (its id comes from the title or the name)."""
    title = wanted.replace("-", " ").capitalize()
    commands = {
        "proposals": ("la créer", f'gasp new proposal --title "{title}" --theme THEME'),
        "themes": ("le créer", f'gasp new theme --title "{title}"'),
        "people": ("la créer", f'gasp new person --kind SORTE --name "{title}"'),
        "services": ("le créer", f'gasp new service --name "{title}" --institution "…" --category "…"'),
    }
    made = [commands[target] for target in targets if target in commands]
    if len(made) != 1:
        return ""  # a group, a place, or a person or a service (`who`): no single command to give
    pronoun, command = made[0]
    return f" ; pour {pronoun} : {command}"


# « une personne inconnue », « un thème inconnu ».
FEMININE_KINDS = frozenset({"people", "proposals", "meetings", "observations"})


def check_references(records: Records, today: datetime.date) -> list[Diagnostic]:
    places = _places(records)
    known = dict(records.known_ids)
    if places is not None:
        known["places"] = places
    diagnostics = []
    # The ids each tuple of target kinds allows, gathered once: there is a reference
    # for every attendee of every meeting.
    allowed: dict[tuple[str, ...], set[str]] = {}
    # A suggestion looks at every candidate: computed once per unknown id, and only for the
    # problems `gasp validate` shows (SHOWN_PER_FILE of a code per file): 2 000 unknown ids
    # among 2 000 people took 87 s of difflib.
    hints: dict[tuple[tuple[str, ...], str], str] = {}
    per_file: dict[tuple[str, str], int] = {}
    for kind, record_id, loc, value, targets in _references(records):
        if value is None:
            continue
        ids = allowed.get(targets)
        if ids is None:
            ids = allowed[targets] = set().union(*(known.get(target, ()) for target in targets))
        if value in ids:
            continue
        if "places" in targets and places is None:
            continue  # gasp.yaml is broken: its own errors say so
        shown = per_file[kind, record_id] = per_file.get((kind, record_id), 0) + 1
        hint = hints.get((targets, value))
        if hint is None:
            hint = "" if shown > SHOWN_PER_FILE else suggestion(value, ids)
            if shown <= SHOWN_PER_FILE:
                hints[targets, value] = hint
        what = " ou ".join("lieu" if t == "places" else KIND_LABELS[t] for t in targets)
        where = " (dans places de gasp.yaml)" if targets == ("places",) else ""
        field = loc[-1] if isinstance(loc[-1], str) else loc[0]
        unknown = "inconnue" if targets[-1] in FEMININE_KINDS else "inconnu"
        diagnostics.append(
            records.diagnostic(
                kind,
                record_id,
                loc,
                "dangling-ref",
                # A close id is a typo; none: a record still to write, and the command that writes it.
                f"« {field} » : {what} « {value} » {unknown}{where}{hint or how_to_create(targets, value)}",
            )
        )
    return diagnostics


# --- meetings ----------------------------------------------------------------------


def check_meeting_files(records: Records, today: datetime.date) -> list[Diagnostic]:
    """The file name is `<date>-<group>.yaml`, under a folder of its year."""
    diagnostics = []
    for mid, meeting in records.meetings.items():
        source = records.sources[("meetings", mid)]
        day = meeting.date.isoformat()
        if not mid.startswith(day + "-"):
            expected = f"{day}-{meeting.group}"
            named = _MEETING_NAME.match(mid)
            if expected in records.known_ids.get("meetings", set()) and named:
                # A copy of the previous meeting whose date was not changed: the name is right.
                advice = (
                    f"« {expected}.yaml » existe déjà : si ce fichier en est une copie, "
                    f"écrivez la date de son nom (« date: {named[1]} »)"
                )
            else:
                advice = f"attendu : « {expected}.yaml »"
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("date",),
                    "file-name",
                    f"la date {day} ne correspond pas au nom du fichier « {mid}.yaml » ({advice})",
                )
            )
        elif mid != f"{day}-{meeting.group}":
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("group",),
                    "file-name",
                    f"le groupe « {meeting.group} » ne correspond pas au nom du fichier « {mid}.yaml » "
                    f"(attendu : « {day}-{meeting.group}.yaml »)",
                )
            )
        folders = source.rel.split("/")[2:-1]
        if folders and folders[0] != str(meeting.date.year):
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("date",),
                    "file-place",
                    f"réunion de {meeting.date.year} rangée dans meetings/{folders[0]}/ : "
                    f"déplacez-la dans meetings/{meeting.date.year}/",
                    severity="warning",
                )
            )
    return diagnostics


def check_meetings(records: Records, today: datetime.date) -> list[Diagnostic]:
    """Who may decide; what a meeting's status says about its date; attendance lists."""
    diagnostics = []
    for mid, meeting in records.meetings.items():
        group = records.groups.get(meeting.group)
        if meeting.decisions and group is not None and not decides(group.kind):
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("decisions",),
                    "decision-outside",
                    (
                        f"décisions dans une réunion du groupe « {meeting.group} » ({group.kind}) : seuls les "
                        "référents et la réunion intergroupes décident ; notez ici « discussed » dans proposals"
                    ),
                    key=True,
                )
            )
        if meeting.status == "planned" and meeting.date < today:
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("status",),
                    "past-planned",
                    f"réunion du {long_date(meeting.date)} passée mais toujours « planned » : "
                    "indiquez « held » (tenue) ou « cancelled » (annulée)",
                    severity="warning",
                )
            )
        if meeting.status == "held" and meeting.date > today:
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("status",),
                    "future-held",
                    f"réunion du {long_date(meeting.date)} marquée « held » alors qu'elle est à venir",
                    severity="warning",
                )
            )
        if meeting.status == "cancelled" and (meeting.proposals or meeting.decisions):
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("status",),
                    "cancelled-content",
                    "réunion annulée : ses propositions et décisions ne comptent pas",
                    severity="warning",
                )
            )
        diagnostics.extend(_attendance(records, mid, meeting.attendees, meeting.excused))
    # A meeting that fails its model for another reason still has its lists checked:
    # one run shows every problem of the file.
    for mid, source in broken_meetings(records).items():
        data = source.data if source is not None else None
        if isinstance(data, dict):
            attendees, excused = data.get("attendees"), data.get("excused")
            if isinstance(attendees, list) and isinstance(excused, list):
                diagnostics.extend(
                    _attendance(records, mid, [a if isinstance(a, str) else "" for a in attendees], excused)
                )
    return diagnostics


def _attendance(records: Records, mid: str, attendees: list[str], excused_list: Sequence[object]) -> list[Diagnostic]:
    """Nobody twice among the attendees (a warning), nobody both present and excused (an error)."""
    diagnostics = []
    excused = {person for person in excused_list if isinstance(person, str)}
    seen: set[str] = set()
    for i, person in enumerate(attendees):
        if not person:
            continue
        if person in seen:
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("attendees", i),
                    "duplicate-attendee",
                    f"« {person} » figure deux fois parmi les présents",
                    severity="warning",
                )
            )
        if person in excused:
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("attendees", i),
                    "present-and-excused",
                    f"« {person} » est à la fois présent et excusé",
                )
            )
        seen.add(person)
    return diagnostics


def check_actions(records: Records, today: datetime.date) -> list[Diagnostic]:
    diagnostics = []
    for mid, meeting in records.meetings.items():
        for i, action in enumerate(meeting.actions):
            if action.due is not None and action.due < today and action.done is False:
                diagnostics.append(
                    records.diagnostic(
                        "meetings",
                        mid,
                        ("actions", i, "due"),
                        "overdue-action",
                        f"action en retard (échéance {long_date(action.due)}) : « {action.what} » ; "
                        "notez « done: true » si elle est faite",
                        severity="warning",
                    )
                )
    return diagnostics


# --- groups and cadences -------------------------------------------------------------


def check_groups(records: Records, today: datetime.date) -> list[Diagnostic]:
    """Cadences that cannot work, membership dates, and past periods with no meeting recorded."""
    diagnostics = []
    meetings_by_group: dict[str, list[Meeting]] = {}
    for meeting in records.meetings.values():
        meetings_by_group.setdefault(meeting.group, []).append(meeting)
    for gid, group in records.groups.items():
        for path, message in cadence_periods.cadence_problems(group.cadence):
            diagnostics.append(records.diagnostic("groups", gid, ("cadence", *path), "bad-cadence", message))
        for i, member in enumerate(group.members):
            if member.until is not None and member.until < member.since:
                diagnostics.append(
                    records.diagnostic(
                        "groups",
                        gid,
                        ("members", i, "until"),
                        "date-order",
                        f"sortie du groupe (le {long_date(member.until)}) avant l’entrée (le {long_date(member.since)})",
                    )
                )
        meetings = meetings_by_group.get(gid, [])
        diagnostics.extend(_missing_meetings(records, gid, meetings, today))
        diagnostics.extend(_meetings_before_members(records, gid, meetings))
        diagnostics.extend(_same_period(records, gid, meetings))
    return diagnostics


def _meetings_before_members(records: Records, gid: str, meetings: list[Meeting]) -> list[Diagnostic]:
    """Meetings held before the group's first member arrived: its periods count from that arrival.

    `gasp init` makes every member start the day it runs; a Gasp that records its past meetings
    afterwards would see « Prévues 0, Tenues 7 » in its report without knowing why.
    """
    group = records.groups[gid]
    if not group.members:
        return []
    first = min(range(len(group.members)), key=lambda i: group.members[i].since)
    since = group.members[first].since
    before = sorted(m.date for m in meetings if m.status == "held" and m.date < since)
    if not before:
        return []
    return [
        records.diagnostic(
            "groups",
            gid,
            ("members", first, "since"),
            "meetings-before-members",
            f"{plural(len(before), 'réunion tenue', 'réunions tenues')} avant l’arrivée du premier membre "
            f"(le {long_date(since)}), la première le {long_date(before[0])} : les réunions dues ne sont comptées "
            "qu’à partir de cette arrivée ; avancez les dates « since » des membres",
            severity="warning",
        )
    ]


def _same_period(records: Records, gid: str, meetings: list[Meeting]) -> list[Diagnostic]:
    """Two meetings of a group in one cadence period: often the same meeting written twice."""
    group = records.groups[gid]
    frequency = group.cadence.frequency
    by_period: dict[cadence_periods.Period, list[Meeting]] = {}
    for meeting in sorted(meetings, key=lambda m: m.date):
        by_period.setdefault(cadence_periods.period_of(frequency, meeting.date), []).append(meeting)
    diagnostics = []
    ids = {id(meeting): mid for mid, meeting in records.meetings.items()}
    for period, found in by_period.items():
        if len(found) < 2:
            continue
        first = ids[id(found[0])]
        for other in found[1:]:
            if not ids[id(other)].startswith(other.date.isoformat()):
                continue  # its file name does not match its date: that error says it already
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    ids[id(other)],
                    ("date",),
                    "same-period",
                    f"deux réunions du groupe « {gid} » dans la période {period.label} : celle-ci et "
                    f"« {first}.yaml » ; si c’est la même réunion, supprimez l’un des deux fichiers "
                    "(une réunion de plus est permise : ignorez alors cet avertissement)",
                    severity="warning",
                )
            )
    return diagnostics


def _missing_meetings(records: Records, gid: str, meetings: list[Meeting], today: datetime.date) -> list[Diagnostic]:
    """A past period due by the cadence with no meeting recorded in it (held or cancelled)."""
    group = records.groups[gid]
    start = group_start(records, gid)
    if start is None or start >= today:
        return []
    frequency = group.cadence.frequency
    covered = {cadence_periods.period_of(frequency, m.date) for m in meetings}
    # A meeting file that fails its model is still a meeting recorded: its name says when.
    for mid in broken_meetings(records):
        named = _named_day_and_group(mid)
        if named is not None and named[1] == gid:
            covered.add(cadence_periods.period_of(frequency, named[0]))
    diagnostics = []
    for period in cadence_periods.due_periods(group.cadence, start, today):
        slot = cadence_periods.nominal_slot(group.cadence, period)
        if period.end >= today or period in covered or slot is None or slot < start:
            continue
        diagnostics.append(
            records.diagnostic(
                "groups",
                gid,
                ("cadence", "frequency"),
                "missing-meeting",
                f"aucune réunion enregistrée pour la période {period.label} (cadence "
                f"{FREQUENCIES[frequency]}) : ajoutez-la dans meetings/{period.year}/, tenue ou annulée",
                severity="warning",
                rank=period.start.toordinal(),
            )
        )
    return diagnostics


def check_proposals(records: Records, today: datetime.date) -> list[Diagnostic]:
    # A meeting file that fails its model may hold the decision a milestone follows: the
    # lifecycle of the proposals it names is judged once its own errors are fixed.
    unsure = _named_in_broken_meetings(records)
    diagnostics = [
        d
        for d in check_lifecycles(records, facts.of(records).histories)  # the histories the render reads too
        if d.code != "lifecycle"
        or (unsure is not None and not any(d.message.startswith(f"« {pid} »") for pid in unsure))
    ]
    for pid, proposal in records.proposals.items():
        if proposal.funding:
            total = sum(f.share for f in proposal.funding)
            if abs(total - 100) > 0.01:
                diagnostics.append(
                    records.diagnostic(
                        "proposals",
                        pid,
                        ("funding",),
                        "funding-share",
                        f"les parts de financement font {total:g} % au lieu de 100 %",
                        severity="warning",
                        key=True,
                    )
                )
    return diagnostics


def check_people(records: Records, today: datetime.date) -> list[Diagnostic]:
    diagnostics = []
    for pid, person in records.people.items():
        if person.kind != "resident" and person.name is None:
            diagnostics.append(
                records.diagnostic(
                    "people",
                    pid,
                    (),
                    "missing-field",
                    "champ « name » manquant : seul un habitant peut rester sans nom",
                )
            )
        if person.kind == "resident" and person.publish_name and person.name is None:
            diagnostics.append(
                records.diagnostic(
                    "people",
                    pid,
                    ("publish_name",),
                    "missing-field",
                    "publish_name: true mais aucun nom à publier (« name » manquant)",
                    severity="warning",
                )
            )
    return diagnostics


# A French mobile number, or an address that names a person or sits at a personal mailbox.
_MOBILE = re.compile(r"(?<!\d)(?:\+33[\s.]?|0)[67](?:[\s.-]?\d{2}){4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PERSONAL_MAILBOXES = (
    "gmail.",
    "hotmail.",
    "yahoo.",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "laposte.net",
    "sfr.fr",
    "outlook.",
    "live.",
    "icloud.",
    "aol.",
)
_GENERIC_LOCAL_PARTS = {
    "accueil",
    "contact",
    "info",
    "infos",
    "mairie",
    "secretariat",
    "courrier",
    "service",
    "services",
    "standard",
    "direction",
    "bibliotheque",
    "mediatheque",
    "etat-civil",
    "pmi",
}


def _personal_email(address: str) -> bool:
    local, _, domain = address.lower().partition("@")
    if any(domain.startswith(box) or domain == box for box in _PERSONAL_MAILBOXES):
        return True
    # prenom.nom@… names somebody; accueil@… or etat-civil@… does not.
    return local not in _GENERIC_LOCAL_PARTS and bool(re.fullmatch(r"[a-z]+[.][a-z-]+", local))


def check_public_personal_data(records: Records, today: datetime.date) -> list[Diagnostic]:
    """A mobile number or a personal address in a `public` block would go to every resident."""
    diagnostics = []
    for sid, service in records.services.items():
        for field, value in service.public.model_dump(exclude_none=True).items():
            values = value if isinstance(value, list) else [value]
            for index, text in enumerate(values):
                loc = ("public", field, index) if isinstance(value, list) else ("public", field)
                if not isinstance(text, str):
                    continue
                if _MOBILE.search(text):
                    diagnostics.append(
                        records.diagnostic(
                            "services",
                            sid,
                            loc,
                            "personal-data",
                            "numéro de portable dans le bloc public : s'il est celui d'une personne, il serait publié "
                            "aux usagers ; mettez-le dans agents.direct_phone",
                            severity="warning",
                        )
                    )
                for address in _EMAIL.findall(text):
                    if _personal_email(address):
                        diagnostics.append(
                            records.diagnostic(
                                "services",
                                sid,
                                loc,
                                "personal-data",
                                f"adresse « {address} » dans le bloc public : elle semble personnelle et serait publiée "
                                "aux usagers ; mettez-la dans agents.email, ou donnez une adresse de service",
                                severity="warning",
                            )
                        )
    return diagnostics


def check_unconsented_names(records: Records, today: datetime.date) -> list[Diagnostic]:
    """The recorded name of a person who did not consent to be named, in a free text that goes to
    the residents' site (« Signalé par M. Petit »): gasp counts such people, but cannot know that a
    text names one; it knows the name, so it says where."""
    from .public import unconsented_names

    diagnostics = []
    for kind, record_id, loc, words, person_id in unconsented_names(records):
        person = records.people[person_id]
        who = "un habitant" if person.kind == "resident" else "cette personne"
        diagnostics.append(
            records.diagnostic(
                kind,
                record_id,
                loc,
                "unconsented-name",
                f"« {words} » nomme {person_id} (people/{person_id}.yaml), qui n’a pas donné son accord pour "
                f"être nommé (publish_name) ; ce texte va sur le site des habitants : écrivez « {who} »",
                severity="warning",
            )
        )
    return diagnostics


# --- commitments -------------------------------------------------------------------


def check_commitments(records: Records, today: datetime.date) -> list[Diagnostic]:
    """Proposals awaiting a decision past `decision_within_days`, comptes rendus not sent past
    `minutes_within_days` (see gasp_cli/facts.py), and a compte rendu sent before its meeting."""
    diagnostics = []
    for mid, meeting in records.meetings.items():
        if meeting.minutes_sent is not None and meeting.minutes_sent < meeting.date:
            diagnostics.append(
                records.diagnostic(
                    "meetings",
                    mid,
                    ("minutes_sent",),
                    "date-order",
                    f"compte rendu envoyé le {long_date(meeting.minutes_sent)}, avant la réunion du "
                    f"{long_date(meeting.date)}",
                )
            )
    minutes_days = facts.minutes_within_days(records)
    if minutes_days is not None:
        for mid, meeting in records.meetings.items():
            late = facts.minutes_late_by(meeting, today, minutes_days)
            if late is not None:
                diagnostics.append(
                    records.diagnostic(
                        "meetings",
                        mid,
                        ("date",),
                        "late-minutes",
                        f"compte rendu de la réunion du {long_date(meeting.date)} toujours pas envoyé : "
                        f"{plural(late, 'jour')} de retard sur l’engagement de {plural(minutes_days, 'jour')} "
                        "(commitments.minutes_within_days) ; notez « minutes_sent: AAAA-MM-JJ » quand il est parti",
                        severity="warning",
                    )
                )
    decision_days = facts.decision_within_days(records)
    if decision_days is not None:
        # Late: not answered (a deferral or a study is an answer) past the commitment (gasp_cli/facts.py).
        run = facts.of(records)
        unsure = _named_in_broken_meetings(records)
        for pid, late in run.late(today).items():
            raised = run.histories[pid].raised
            if raised is None or unsure is None or pid in unsure:
                continue  # a meeting file that fails its model may hold its decision: its errors come first
            diagnostics.append(
                records.diagnostic(
                    "proposals",
                    pid,
                    ("title",),
                    "late-decision",
                    f"proposition sans réponse des référents depuis le {long_date(raised.date)} "
                    f"({plural((today - raised.date).days, 'jour')}) : {plural(late, 'jour')} de retard sur "
                    f"l’engagement de réponse en {plural(decision_days, 'jour')} (commitments.decision_within_days)",
                    severity="warning",
                    key=True,
                )
            )
    return diagnostics


def _named_in_broken_meetings(records: Records) -> set[str] | None:
    """The proposal ids a broken meeting file mentions; None when one of them could not be read at all."""
    named: set[str] = set()
    for source in broken_meetings(records).values():
        if source is None or source.text is None:
            return None
        named.update(word for word in re.findall(r"[a-z0-9][a-z0-9-]*", source.text) if word in records.proposals)
    return named


def check_ignored_codes(records: Records, today: datetime.date) -> list[Diagnostic]:
    """`validation: {ignore: […]}` names known warning codes: an error cannot be silenced."""
    from .codes import CODES

    if records.gasp is None or records.gasp.validation is None:
        return []
    diagnostics = []
    for index, code in enumerate(records.gasp.validation.ignore):
        known = CODES.get(code)
        if known is None:
            message = f"code « {code} » inconnu{suggestion(code, CODES)} (voir la page « Les codes des problèmes »)"
        elif not known.ignorable:
            message = f"« {code} » est une erreur : une erreur ne peut pas être tue, seulement corrigée"
        else:
            continue
        diagnostics.append(records.diagnostic("gasp", "gasp", ("validation", "ignore", index), "bad-value", message))
    return diagnostics


def check_local_times(records: Records, today: datetime.date) -> list[Diagnostic]:
    """A meeting at a local time that does not exist, or occurs twice, on a day the clocks change."""
    import zoneinfo

    if records.gasp is None:
        return []
    try:
        zone = zoneinfo.ZoneInfo(records.gasp.timezone)
    except (KeyError, ValueError, OSError):
        return []  # gasp.yaml's own check says so
    diagnostics = []
    for mid, meeting in records.meetings.items():
        written = meeting.time or _group_time(records, meeting.group)
        if not written:
            continue
        hour, minute = (int(part) for part in written.split(":"))
        local = datetime.datetime.combine(meeting.date, datetime.time(hour, minute), tzinfo=zone)
        earlier, later = local.replace(fold=0).utcoffset(), local.replace(fold=1).utcoffset()
        if earlier == later:
            continue
        back = local.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
        missing = back != local.replace(tzinfo=None)
        what = (
            "n’existe pas ce jour-là (on avance l’heure)"
            if missing
            else "existe deux fois ce jour-là (on recule l’heure)"
        )
        diagnostics.append(
            records.diagnostic(
                "meetings",
                mid,
                ("time",) if meeting.time else ("date",),
                "ambiguous-time",
                f"{written} le {long_date(meeting.date)} {what} dans le fuseau {records.gasp.timezone} : "
                "les agendas la placeraient une heure à côté ; choisissez une autre heure",
                severity="warning",
            )
        )
    return diagnostics


def _group_time(records: Records, group_id: str) -> str | None:
    group = records.groups.get(group_id)
    cadence = getattr(group, "cadence", None) if group is not None else None
    time = getattr(cadence, "time", None)
    return time if isinstance(time, str) else None


CHECKS: list[Check] = [
    check_references,
    check_local_times,
    check_meeting_files,
    check_meetings,
    check_actions,
    check_groups,
    check_proposals,
    check_people,
    check_public_personal_data,
    check_unconsented_names,
    check_commitments,
    check_ignored_codes,
]


def ignored_codes(records: Records) -> frozenset[str]:
    """The warning codes gasp.yaml silences."""
    if records.gasp is None or records.gasp.validation is None:
        return frozenset()
    return frozenset(records.gasp.validation.ignore)


def without_ignored(diagnostics: list[Diagnostic], ignore: frozenset[str]) -> list[Diagnostic]:
    """Warnings of the silenced codes left out; errors always stay."""
    if not ignore:
        return diagnostics
    return [d for d in diagnostics if d.severity == "error" or d.code not in ignore]


def run_checks(records: Records, today: datetime.date) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    for check in CHECKS:
        diagnostics.extend(check(records, today))
    return diagnostics


def check_workspace(workspace: Workspace, now: datetime.date) -> tuple[Records, list[Diagnostic]]:
    """Load every record and run every check: the first step of every command."""
    from .diagnostics import sort_diagnostics
    from .loader import garbage_collector_paused, load_workspace

    with garbage_collector_paused():
        loaded = load_workspace(workspace)
        records = loaded.records
        diagnostics = better_id_suggestions(records, loaded.diagnostics) + run_checks(records, today_for(records, now))
        diagnostics = without_ignored(diagnostics, ignored_codes(records))
        return records, sort_diagnostics(diagnostics)
