"""The sociologist's indicators, computed once: for `gasp export` (indicators.csv) and the report.

Pure functions of (records, day): only what happened by `day` counts (an event, a
meeting, a membership dated later is not there yet), and each year is counted to the
earlier of its 31 December and `day` (`facts.counted_to`): the report of a year and the
export agree on every value, whenever either is made. Each indicator is one row of a
long table: (year, indicator, group, subject, origin_group, value, unit, n, counted_to).
Their definitions, in French, live in `DEFINITIONS`, which the data package and the
researchers' page repeat.

Proposals are followed by cohort: the year of a proposal indicator is the year the
proposal was raised, and what became of it is judged on `day`. A theme's uptake is
dated by the uptake; attendance and the agents' turnover by the meetings and
memberships of the year.
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
from dataclasses import dataclass
from typing import cast

from . import facts
from .facts import counted_to
from .lifecycle import History
from .loader import Records
from .models import Meeting
from .vocabulary import round_half_up

KIND_ORDER = ("agents", "usagers", "referents", "intergroupes")
PERSON_KIND_ORDER = ("agent", "resident", "head", "elected", "facilitator")

# The stages of a proposal, in the order of the method: (subject, from, to).
STAGES = (
    ("raised-discussed", "raised", "discussed"),
    ("discussed-decided", "discussed", "decided"),
    ("decided-done", "decided", "done"),
    ("raised-decided", "raised", "decided"),
    ("raised-done", "raised", "done"),
)


@dataclass(frozen=True, slots=True)
class Definition:
    title: str
    unit: str
    description: str


DEFINITIONS: dict[str, Definition] = {
    "decided_share": Definition(
        "Part des propositions décidées",
        "%",
        "Parmi les propositions soulevées dans l’année (year) par le groupe (group ; vide : tous les groupes), "
        "la part qui a reçu au moins une décision (validée, refusée, ajournée ou mise à l’étude) au jour "
        "compté (counted_to), en pour cent arrondi au dixième. n : le nombre de propositions soulevées.",
    ),
    "done_share": Definition(
        "Part des propositions réalisées",
        "%",
        "Parmi les propositions soulevées dans l’année (year) par le groupe (group ; vide : tous les groupes), "
        "la part qui a une étape « réalisée » (done) au jour compté (counted_to), en pour cent arrondi au dixième. "
        "n : le nombre de propositions soulevées.",
    ),
    "median_days": Definition(
        "Délai médian d’une étape",
        "jours",
        "Pour les propositions soulevées dans l’année (year) par le groupe (group ; vide : tous les groupes), "
        "la médiane du nombre de jours d’une étape (subject) : raised-discussed (de la proposition à sa "
        "première discussion), discussed-decided (de la première discussion à la première décision, si elle "
        "a été discutée avant d’être décidée), decided-done (de la première décision à la réalisation), "
        "raised-decided (de la proposition à sa première décision), raised-done (de la proposition à sa "
        "réalisation). n : le nombre de propositions qui ont franchi l’étape au jour compté (counted_to).",
    ),
    "theme_taken_up": Definition(
        "Thème repris par un autre groupe",
        "jours",
        "Un thème (subject) abordé d’abord par un groupe (origin_group), puis pour la première fois par un "
        "autre (group), dans l’année (year) de cette reprise. value : les jours entre la première réunion "
        "tenue du premier groupe qui l’aborde et la première réunion tenue de l’autre groupe qui l’aborde. "
        "Un groupe aborde un thème quand il le cite au tour de table, le retient comme sujet ou soulève une "
        "proposition de ce thème. n : vide.",
    ),
    "attendance": Definition(
        "Présents par sorte de personne",
        "personnes par réunion",
        "Pour un groupe (group) et une sorte de personne (subject : agent, resident, head, elected, "
        "facilitator), le nombre moyen de présents de cette sorte par réunion tenue dans l’année, arrondi au "
        "centième. n : le nombre de réunions tenues.",
    ),
    "agents_members": Definition(
        "Agents membres au 1er janvier",
        "personnes",
        "Pour un groupe des agents (group), le nombre d’agents (personnes de sorte agent) membres au 1er "
        "janvier de l’année. n : vide.",
    ),
    "agents_arrivals": Definition(
        "Arrivées d’agents",
        "personnes",
        "Pour un groupe des agents (group), le nombre d’agents entrés dans le groupe dans l’année (since). n : vide.",
    ),
    "agents_departures": Definition(
        "Départs d’agents",
        "personnes",
        "Pour un groupe des agents (group), le nombre d’agents sortis du groupe dans l’année (until). n : vide.",
    ),
    "agents_turnover": Definition(
        "Taux de rotation des agents",
        "%",
        "Pour un groupe des agents (group) : (arrivées + départs) / 2 / membres au 1er janvier × 100, arrondi au "
        "dixième ; absent quand le groupe n’avait aucun agent au 1er janvier. n : les agents membres au 1er "
        "janvier.",
    ),
}


@dataclass(frozen=True, slots=True)
class Indicator:
    year: int
    indicator: str
    group: str | None
    subject: str | None
    origin_group: str | None
    value: float
    unit: str
    n: int | None
    # The day the year is counted to (`facts.counted_to`): 31 December of `year`, or the day if earlier.
    counted_to: datetime.date | None = None

    def as_json(self) -> dict[str, object]:
        """The keys of indicators.csv (without `year`, which the report gives once)."""
        return {
            "indicator": self.indicator,
            "group": self.group,
            "subject": self.subject,
            "origin_group": self.origin_group,
            "value": self.value,
            "unit": self.unit,
            "n": self.n,
            "counted_to": self.counted_to.isoformat() if self.counted_to else None,
        }


def _row(
    year: int,
    indicator: str,
    group: str | None,
    value: float,
    n: int | None = None,
    subject: str | None = None,
    origin: str | None = None,
) -> Indicator:
    return Indicator(year, indicator, group, subject, origin, value, DEFINITIONS[indicator].unit, n)


def _share(count: int, total: int) -> float:
    return round_half_up(100 * count / total, 1)


def _group_order(records: Records) -> list[str]:
    return [
        gid for gid, _ in sorted(records.groups.items(), key=lambda pair: (KIND_ORDER.index(pair[1].kind), pair[0]))
    ]


@dataclass(frozen=True, slots=True)
class Milestones:
    """The dates of a proposal's steps, as of a day (None: not reached)."""

    group: str | None
    raised: datetime.date
    discussed: datetime.date | None
    decided: datetime.date | None
    done: datetime.date | None


def milestones(history: History, day: datetime.date) -> Milestones | None:
    """The first raising, discussion, decision and `done` of a proposal up to `day`; None if not raised."""
    events = [e for e in history.events if e.date <= day]
    raised = next((e for e in events if e.kind == "raised"), None)
    if raised is None:
        return None
    discussed = next((e.date for e in events if e.kind == "discussed"), None)
    answer = facts.first_answer(history, day)  # the first decision of any outcome
    decided = answer.date if answer is not None else None
    done = next((e.date for e in events if e.kind == "done"), None)
    return Milestones(raised.group, raised.date, discussed, decided, done)


def _stage_days(step: Milestones, start: str, end: str) -> int | None:
    # Only a proposal discussed before its first decision went through that stage.
    if (
        start == "discussed"
        and end == "decided"
        and (step.discussed is None or step.decided is None or step.discussed > step.decided)
    ):
        return None
    first: datetime.date | None = getattr(step, start)
    last: datetime.date | None = getattr(step, end)
    if first is None or last is None or last < first:
        return None
    return (last - first).days


def _cohort_steps(derived: dict[str, History], day: datetime.date, year: int | None) -> list[Milestones]:
    """Each raised proposal (of the `year` cohort, or all) as it stood on the day its cohort is
    counted to (31 December, or `day` if earlier), in the order of their ids."""
    if year is not None:  # the report asks for one year: only that cohort is looked at
        derived = {pid: h for pid, h in derived.items() if (r := h.raised) is not None and r.date.year == year}
    return [
        step
        for pid in sorted(derived)
        if (raised := derived[pid].raised) is not None
        and (step := milestones(derived[pid], counted_to(raised.date.year, day))) is not None
    ]


def _cohort_rows(year: int, group: str | None, cohort: list[Milestones]) -> list[Indicator]:
    """One cohort's shares decided and done, and its median days per stage (a stage none went through: no row)."""
    n = len(cohort)
    rows = [
        _row(year, "decided_share", group, _share(sum(s.decided is not None for s in cohort), n), n),
        _row(year, "done_share", group, _share(sum(s.done is not None for s in cohort), n), n),
    ]
    for subject, start, end in STAGES:
        spans = [d for s in cohort if (d := _stage_days(s, start, end)) is not None]
        if spans:
            rows.append(_row(year, "median_days", group, statistics.median(spans), len(spans), subject))
    return rows


def proposal_indicators(
    records: Records, day: datetime.date, derived: dict[str, History] | None = None, year: int | None = None
) -> list[Indicator]:
    """Per raising year and group (and for all groups): shares decided and done, median days per stage."""
    derived = derived if derived is not None else facts.of(records).histories
    steps = _cohort_steps(derived, day, year)
    groups = [None, *(g for g in _group_order(records) if any(s.group == g for s in steps))]
    by_year: dict[int, list[Milestones]] = {}
    for step in steps:
        by_year.setdefault(step.raised.year, []).append(step)
    rows: list[Indicator] = []
    for each in sorted(by_year):
        for group in groups:
            cohort = [s for s in by_year[each] if group is None or s.group == group]
            if cohort:
                rows.extend(_cohort_rows(each, group, cohort))
    return rows


def theme_mentions(records: Records, day: datetime.date) -> dict[str, dict[str, datetime.date]]:
    """Theme → group → the first held meeting (up to `day`) where the group spoke of the theme:
    its tour de table, its chosen subject, a proposal it raised."""
    first: dict[str, dict[str, datetime.date]] = {}
    for meeting in records.meetings.values():
        if meeting.status != "held" or meeting.date > day:
            continue
        themes = {p.theme for p in meeting.problems_raised if p.theme}
        if meeting.topic:
            themes.add(meeting.topic)
        themes.update(
            records.proposals[e.proposal].theme
            for e in meeting.proposals
            if e.event == "raised" and e.proposal in records.proposals
        )
        for theme in themes:
            if theme not in records.themes:
                continue
            known = first.setdefault(theme, {})
            if meeting.group not in known or meeting.date < known[meeting.group]:
                known[meeting.group] = meeting.date
    return first


def theme_uptakes(records: Records, day: datetime.date) -> list[Indicator]:
    """One row per theme and group that took it up after another group first spoke of it."""
    order = {gid: index for index, gid in enumerate(_group_order(records))}
    rows = []
    for theme, by_group in sorted(theme_mentions(records, day).items()):
        origin, start = min(by_group.items(), key=lambda pair: (pair[1], order.get(pair[0], len(order)), pair[0]))
        for group, date in sorted(by_group.items(), key=lambda pair: (pair[1], order.get(pair[0], len(order)))):
            if date > start:
                rows.append(_row(date.year, "theme_taken_up", group, (date - start).days, subject=theme, origin=origin))
    return sorted(rows, key=lambda r: (r.year, r.subject or "", order.get(r.group or "", len(order))))


def attendance(records: Records, day: datetime.date, year: int | None = None) -> list[Indicator]:
    """Per year and group: the mean number of attendees of each person kind per held meeting."""
    held: dict[tuple[int, str], list[Meeting]] = {}
    for _, meeting in sorted(records.meetings.items()):
        if (
            meeting.status == "held"
            and meeting.date <= day
            and meeting.group in records.groups
            and (year is None or meeting.date.year == year)
        ):
            held.setdefault((meeting.date.year, meeting.group), []).append(meeting)
    order = _group_order(records)
    rows = []
    for year, group in sorted(held, key=lambda key: (key[0], order.index(key[1]))):
        meetings = held[(year, group)]
        for kind in PERSON_KIND_ORDER:
            present = sum(
                1 for m in meetings for pid in m.attendees if pid in records.people and records.people[pid].kind == kind
            )
            rows.append(_row(year, "attendance", group, round_half_up(present / len(meetings), 2), len(meetings), kind))
    return rows


def agents_turnover(records: Records, day: datetime.date, year: int | None = None) -> list[Indicator]:
    """Per year and agents group: agents at 1 January, arrivals, departures, turnover rate."""
    rows = []
    for group_id in _group_order(records):
        group = records.groups[group_id]
        if group.kind != "agents":
            continue
        agents = [
            m
            for m in group.members
            if m.person in records.people and records.people[m.person].kind == "agent" and m.since <= day
        ]
        if not agents:
            continue
        for each in range(min(m.since.year for m in agents), day.year + 1):
            if year is not None and each != year:
                continue
            january = datetime.date(each, 1, 1)
            members = sum(m.since < january and (m.until is None or m.until >= january) for m in agents)
            arrivals = sum(m.since.year == each for m in agents)
            departures = sum(m.until is not None and m.until.year == each and m.until <= day for m in agents)
            rows.append(_row(each, "agents_members", group_id, members))
            rows.append(_row(each, "agents_arrivals", group_id, arrivals))
            rows.append(_row(each, "agents_departures", group_id, departures))
            if members:
                rows.append(
                    _row(each, "agents_turnover", group_id, _share(arrivals + departures, 2 * members), members)
                )
    return rows


INDICATOR_ORDER = list(DEFINITIONS)


def indicators(
    records: Records, day: datetime.date, derived: dict[str, History] | None = None, year: int | None = None
) -> list[Indicator]:
    """Every indicator (of one `year`, or of all), by year, then in the order of `DEFINITIONS`, then as
    each family orders them."""
    uptakes = [r for r in theme_uptakes(records, day) if year is None or r.year == year]
    rows = [
        *proposal_indicators(records, day, derived, year),
        *uptakes,
        *attendance(records, day, year),
        *agents_turnover(records, day, year),
    ]
    rank = {name: index for index, name in enumerate(INDICATOR_ORDER)}
    return [
        dataclasses.replace(r, counted_to=counted_to(r.year, day))
        for r in sorted(rows, key=lambda r: (r.year, rank[r.indicator]))  # stable: each family's order kept
    ]


# Rows already computed for the run, by (day, year or None for every year).
_Computed = dict[tuple[datetime.date, int | None], list[Indicator]]


def of_run(run: facts.Facts, today: datetime.date, year: int | None = None) -> list[Indicator]:
    """The rows of indicators.csv (of one `year`, or all) for the run's facts, each year counted to
    `counted_to`, computed at most once a day asked: every document of a run reads the same rows."""
    computed = cast(_Computed, run.derived_once.setdefault("indicators", {}))
    every = computed.get((today, None))
    if every is None:
        # Every year at once, then one year's rows taken from them: a year's rows are the same whether
        # computed alone or with the others (tests/test_verite.py), and a render's forty reports each
        # computing its year went forty times through every proposal.
        every = indicators(run.records, today, run.histories)
        computed[(today, None)] = every
    return every if year is None else [r for r in every if r.year == year]
