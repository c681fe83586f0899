"""`suivi.*`, « Vous avez dit, nous avons fait » : the sheet handed to the next usagers meeting.

Every proposal the usagers groups raised or discussed (up to the day), where it stands
in one sentence, and what was decided and done since, grouped from « c’est fait » to
« non retenu ». It is read by residents, so it is built from what residents may see:
titles, the usagers' own meeting dates, the référents' and the inter-group meeting's
decisions, and the proposal's milestones. Never a person (no attendance, nobody
named), never what the agents' group said, never a service's agents block.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import facts
from ..calendar import calendar_rows, holidays_for
from ..facts import TO_DECIDE
from ..lifecycle import Event, History
from ..loader import Records
from ..names import gasp_name, place_of
from ..vocabulary import capitalised, french_time, long_date, plural, status_word, weekday_date
from .base import Output, Page, Run, Template
from .dossier import quiet
from .proposition import past_events, where_it_stands

FORMATS: dict[str, Template] = {"md": "suivi.md.j2", "html": "suivi.html.j2", "pdf": "suivi.typ.j2"}
SITE_HTML: Template = "site-suivi.html.j2"  # its page on the residents' site


@dataclass
class Done:
    """Something decided or done about a proposal: « 15 juin 2001 : validée par les référents. »"""

    date: str
    what: str
    note: str


@dataclass
class SuiviItem:
    id: str
    title: str
    said: str
    where: str
    done: list[Done]


@dataclass
class QuietItem:
    id: str
    title: str


@dataclass
class QuietGroup:
    """Proposals with nothing new for more than a year, by what last became of them and the year:
    « Réalisées en 1981 : … ». The date and the rest are on each one's page."""

    label: str
    items: list[QuietItem]


# What last became of a proposal, in the order a group of them is listed; a discussion is told
# as the proposal it followed (« Soulevées en 2001 »).
_BECAME = ("raised", "deferred", "study", "validated", "in-progress", "done", "rejected", "withdrawn", "abandoned")


def _became(kind: str, count: int) -> str:
    """« Ajournée », « Mises à l’étude »: the group's label, from vocabulary's one table."""
    return capitalised(status_word("raised" if kind == "discussed" else kind, count))


@dataclass
class SuiviSection:
    title: str
    items: list[SuiviItem]  # in full: something new within dossier.QUIET_AFTER
    quiet: list[QuietGroup] = field(default_factory=list)  # the others, by what became of them and when
    quiet_intro: str = ""


@dataclass
class Suivi:
    gasp_name: str
    date: str
    next_meeting: str
    sections: list[SuiviSection]
    count: int


# From what a resident wants to hear first to what did not go through.
SECTIONS = (
    ("C’est fait", frozenset({"done"})),
    ("C’est en cours", frozenset({"validated", "in-progress"})),
    ("En attente d’une décision", TO_DECIDE),  # answered with a deferral or a study, or not yet
    ("Pas retenu", frozenset({"rejected", "withdrawn", "abandoned"})),
)

_KIND_ORDER = {kind: order for order, kind in enumerate(_BECAME)} | {"discussed": 0}
_DECIDED_BY = {"referents": "par les référents", "intergroupes": "en réunion intergroupes"}


def _dates(days: list[datetime.date]) -> str:
    """« le 8 mars 2001 », « le 8 mars 2001 et le 14 juin 2001 »."""
    words = [f"le {long_date(day)}" for day in days]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


def _said(usagers_events: list[Event]) -> str:
    raised = [e.date for e in usagers_events if e.kind == "raised"]
    discussed = sorted({e.date for e in usagers_events if e.kind == "discussed"})
    parts = []
    if raised:
        parts.append(f"Vous l’avez proposée {_dates(raised)}")
    if discussed:
        parts.append(f"vous en avez parlé {_dates(discussed)}" if raised else f"Vous en avez parlé {_dates(discussed)}")
    return " ; ".join(parts) + "."


def _done(records: Records, history: History, day: datetime.date) -> list[Done]:
    """Decisions of the référents and the inter-group meeting, and milestones: never the agents' words."""
    result = []
    for event in past_events(history, day):
        if event.kind == "withdrawn" or event.is_decision:
            kind = records.groups[event.group].kind if event.group in records.groups else ""
            if kind not in _DECIDED_BY:
                continue  # a withdrawal in an agents meeting is told by the status, not by their words
            result.append(
                Done(long_date(event.date), f"{status_word(event.kind)} {_DECIDED_BY[kind]}", event.note or "")
            )
        elif event.meeting is None:
            result.append(Done(long_date(event.date), status_word(event.kind), event.note or ""))
    return result


def next_usagers_meeting(records: Records, day: datetime.date) -> str:
    """« jeudi 12 septembre 2002 à 18 h, Maison des services publics », or "" without a usagers group."""
    usagers = sorted(gid for gid, group in records.groups.items() if group.kind == "usagers")
    if not usagers:
        return ""
    start, end = day + datetime.timedelta(days=1), day + datetime.timedelta(days=400)
    # Every meeting after the day counts, whatever became of it later, except a cancelled one.
    rows = [
        row
        for row in calendar_rows(records, start, end, holidays_for(records, start, end), usagers)
        if row.status != "cancelled"
    ]
    if not rows:
        return ""
    place, _ = place_of(records, rows[0].place)
    return f"{weekday_date(rows[0].date)} à {french_time(rows[0].time)}, {place}"


def _said_by_usagers(records: Records, history: History, day: datetime.date) -> list[Event]:
    """The raisings and discussions of a proposal in an usagers group, up to `day`."""
    return [
        e
        for e in past_events(history, day)
        if e.kind in ("raised", "discussed") and e.group in records.groups and records.groups[e.group].kind == "usagers"
    ]


def _quiet_groups(items: list[SuiviItem], quiet_ids: dict[str, tuple[datetime.date, str]]) -> list[QuietGroup]:
    """The quiet proposals of a section, by the year and what last became of them (« Validées en 2001 »)."""
    grouped: dict[tuple[int, str], list[QuietItem]] = {}
    for item in items:
        if item.id in quiet_ids:
            when, kind = quiet_ids[item.id]
            grouped.setdefault((when.year, kind), []).append(QuietItem(item.id, item.title))
    return [
        QuietGroup(f"{_became(kind, len(members))} en {year}", members)
        for (year, kind), members in sorted(grouped.items(), key=lambda pair: (pair[0][0], _KIND_ORDER[pair[0][1]]))
    ]


def _section(
    title: str, dated: list[tuple[datetime.date, SuiviItem]], quiet_ids: dict[str, tuple[datetime.date, str]]
) -> SuiviSection | None:
    """A section of the sheet, its items in the order they were first said; None when empty."""
    items = [item for _, item in sorted(dated, key=lambda pair: pair[0])]
    if not items:
        return None
    groups = _quiet_groups(items, quiet_ids)
    count = sum(len(group.items) for group in groups)
    return SuiviSection(
        title,
        [item for item in items if item.id not in quiet_ids],
        groups,
        f"{plural(count, 'proposition')} sans rien de nouveau depuis plus d’un an, "
        "par ce qu’il en est advenu en dernier et l’année ; la page de chacune dit le reste."
        if groups
        else "",
    )


def build(records: Records, day: datetime.date, derived: dict[str, History] | None = None) -> Suivi:
    """Every proposal raised or discussed by an usagers group up to `day`, and where it stands."""
    derived = derived if derived is not None else facts.of(records).histories
    by_section: dict[str, list[tuple[datetime.date, SuiviItem]]] = {title: [] for title, _ in SECTIONS}
    quiet_ids: dict[str, tuple[datetime.date, str]] = {}  # id: when and what last became of it
    for proposal_id, history in sorted(derived.items()):
        said = _said_by_usagers(records, history, day)
        if not said:
            continue
        status = history.status_on(day)
        item = SuiviItem(
            proposal_id,
            records.proposals[proposal_id].title,
            _said(said),
            where_it_stands(records, history, day),
            _done(records, history, day),
        )
        title = next(title for title, statuses in SECTIONS if status in statuses)
        by_section[title].append((said[0].date, item))
        setting = history.status_event(day)
        if setting is not None and quiet(history, day):
            quiet_ids[proposal_id] = (setting.date, setting.kind)
    sections = [
        section for title, _ in SECTIONS if (section := _section(title, by_section[title], quiet_ids)) is not None
    ]
    return Suivi(
        gasp_name(records),
        long_date(day),
        next_usagers_meeting(records, day),
        sections,
        sum(len(section.items) + sum(len(group.items) for group in section.quiet) for section in sections),
    )


def entry(records: Records, name: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of the suivi sheet."""
    return "Ce que les usagers ont proposé, où en est chaque proposition", today.isoformat()


# --- what `gasp render` makes of it (its line in documents/registry.py) -------------------------------


def outputs(run: Run) -> Iterator[Output]:
    """The sheet, at out/'s root."""
    deps, today = run.dependencies, run.request.today
    yield Output(
        "suivi",
        FORMATS,
        functools.partial(deps.once, ("suivi", today), functools.partial(build, run.records, today, run.derived)),
        "suivi",
        inputs=("suivi", deps.everything(today.isoformat())),
    )


def site_pages(run: Run) -> Iterator[Page]:
    """On the residents' site: the site's own sheet (from the public records), never the members'."""
    deps, today = run.dependencies, run.request.today
    yield Page(
        "suivi.html",
        SITE_HTML,
        functools.partial(
            deps.once, ("site", "suivi", today), functools.partial(build, run.records, today, run.derived)
        ),
        FORMATS["pdf"],
        inputs=deps.everything("suivi", today.isoformat()),
    )
