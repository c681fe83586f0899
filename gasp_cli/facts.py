"""The facts every output shows, derived once: whether a proposal is answered, to decide or late,
how late a compte rendu is, the themes a meeting brought up, and the day a year's indicators are
counted to (the indicators themselves are computed by `indicators.py` and kept in the run's facts).

One home for each fact, read by `gasp validate`, the dossier of the référents, the report,
the suivi, the proposal pages, the residents' site, the export, the trace and the network,
so that two documents read side by side never disagree (DESIGN.md, « Answered, late »):

- *answered*: a proposal is answered by its first decision, whatever its outcome (validated,
  rejected, deferred, study). A deferral or a study is an answer;
- *to decide*: its status is raised, discussed, deferred or study. A deferred or studied
  proposal is answered and still to decide: the dossier lists it among the points to decide;
- *late*: not answered (and not withdrawn) more than `decision_within_days` after it was
  raised. Raised on day 0, a proposal is on time up to day N included. An answer given after
  the deadline ends the lateness: it is history, counted by the report (not within the
  commitment), never a warning repeated forever;
- *counted to*: each year's indicators are counted to the earlier of 31 December of that year
  and the day the records are judged on (today, `as_of`, or GASP_TODAY).

`of(records, derived)` gives the run's facts: the documents of one render share the one
derivation of the histories (`lifecycle.histories`), and each fact is computed at most once
a day asked. No import from documents/ or render/: facts come before any view.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from .lifecycle import OPEN, Event, History, histories

if TYPE_CHECKING:
    from .loader import Records
    from .models import Meeting

# Not answered yet: a decision of any outcome, or a withdrawal, ends the wait for an answer.
UNANSWERED = frozenset({"raised", "discussed"})
# To decide: not answered yet, or answered with a deferral or a study.
TO_DECIDE = OPEN


# --- the commitments of gasp.yaml -----------------------------------------------------------


def decision_within_days(records: Records) -> int | None:
    """The référents' commitment, in days, or None when gasp.yaml promises none."""
    commitments = records.gasp.commitments if records.gasp is not None else None
    return commitments.decision_within_days if commitments is not None else None


def minutes_within_days(records: Records) -> int | None:
    """The secretary's commitment for the comptes rendus, in days, or None."""
    commitments = records.gasp.commitments if records.gasp is not None else None
    return commitments.minutes_within_days if commitments is not None else None


# --- a proposal: answered, to decide, late --------------------------------------------------


_Spans = list[tuple[str, list[tuple[datetime.date, datetime.date]]]]


def _to_decide_spans(histories: dict[str, History]) -> _Spans:
    """Each raised proposal (oldest raised first, then by id) with the days it awaits a decision:
    spans [from, to) of the days at whose end its status (`History.status_on`) is one to decide."""
    table = []
    for pid, history in histories.items():
        raised = history.raised
        if raised is None:
            continue
        spans: list[tuple[datetime.date, datetime.date]] = []
        since: datetime.date | None = None
        for day, status in history.day_ends():
            if status in TO_DECIDE and since is None:
                since = day
            elif status not in TO_DECIDE and since is not None:
                spans.append((since, day))
                since = None
        if since is not None:
            spans.append((since, datetime.date.max))
        table.append(((raised.date, pid), spans))
    return [(pid, spans) for (_, pid), spans in sorted(table)]


def first_answer(history: History, day: datetime.date | None = None) -> Event | None:
    """The proposal's first decision of any outcome (on or before `day`): its answer."""
    return next((e for e in history.events if e.is_decision and (day is None or e.date <= day)), None)


def to_decide(history: History, day: datetime.date) -> bool:
    """Whether a proposal awaits a decision on `day`: raised, discussed, deferred or under study."""
    return history.status_on(day) in TO_DECIDE


def days_to_answer(history: History) -> int | None:
    """Days from the raising to the first answer (None: not raised or not answered)."""
    raised, answer = history.raised, first_answer(history)
    return (answer.date - raised.date).days if raised is not None and answer is not None else None


def answered_within(history: History, within_days: int | None) -> bool | None:
    """Whether the first answer came within the commitment (None: no commitment, or no answer)."""
    days = days_to_answer(history)
    return None if within_days is None or days is None else days <= within_days


def decision_late_by(history: History, day: datetime.date, within_days: int | None) -> int | None:
    """Days past the commitment of a proposal not answered on `day`; None when it is answered,
    withdrawn, on time, not raised yet, or no commitment is made. Raised on day 0, a proposal
    is on time up to day N included."""
    raised = history.raised
    if within_days is None or raised is None or history.status_on(day) not in UNANSWERED:
        return None
    late = (day - raised.date).days - within_days
    return late if late > 0 else None


def minutes_late_by(meeting: Meeting, day: datetime.date, within_days: int | None) -> int | None:
    """Days past the commitment of a held meeting whose compte rendu is not sent on `day`.
    Minutes that went out late, but went out, are history: the report's median shows them."""
    if within_days is None or meeting.status != "held" or meeting.minutes_sent is not None:
        return None
    late = (day - meeting.date).days - within_days
    return late if late > 0 else None


@dataclass(frozen=True, slots=True)
class Answer:
    """What the commitment says of one proposal on a day."""

    proposal: str
    raised_on: datetime.date | None
    answer: Event | None  # the first decision, on or before the day
    to_decide: bool
    late_by: int | None  # days past the commitment, unanswered; None when not late
    within_commitment: bool | None  # the answer came within the commitment (None: none, or no answer)

    @property
    def answered(self) -> bool:
        return self.answer is not None

    @property
    def answered_on(self) -> datetime.date | None:
        return self.answer.date if self.answer is not None else None

    @property
    def late(self) -> bool:
        return self.late_by is not None


# --- what a meeting is about ----------------------------------------------------------------


def meeting_themes(records: Records, meeting: Meeting) -> set[str]:
    """The themes a meeting brought up: its tour de table, its subject, the proposals it raised.
    The compte rendu (what the others said on them) and the report (themes by group) both ask
    this one question."""
    themes = {p.theme for p in meeting.problems_raised if p.theme}
    if meeting.topic:
        themes.add(meeting.topic)
    for event in meeting.proposals:
        proposal = records.proposals.get(event.proposal)
        if event.event == "raised" and proposal is not None:
            themes.add(proposal.theme)
    return {theme for theme in themes if theme in records.themes}


# --- the indicators' day --------------------------------------------------------------------


def counted_to(year: int, today: datetime.date) -> datetime.date:
    """The day a year's indicators are counted to: 31 December of that year, or today if earlier."""
    return min(datetime.date(year, 12, 31), today)


# --- the run's facts ------------------------------------------------------------------------


@dataclass
class Facts:
    """The facts of one set of records, computed once for every output of a run."""

    records: Records
    histories: dict[str, History]
    # What is computed from these facts and kept for the run, by the module that computes it
    # (`indicators.of_run`): facts come first and import none of them.
    derived_once: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def decision_within_days(self) -> int | None:
        return decision_within_days(self.records)

    @property
    def minutes_within_days(self) -> int | None:
        return minutes_within_days(self.records)

    def answer(self, proposal_id: str, day: datetime.date) -> Answer:
        """Answered, to decide, late: one proposal as it stood at the end of `day`. Read off the
        run's one derivation, not kept: the dossiers ask it of every proposal on many days."""
        history = self.histories[proposal_id]
        within = self.decision_within_days
        answer = first_answer(history, day)
        raised = history.raised
        return Answer(
            proposal_id,
            raised.date if raised is not None and raised.date <= day else None,
            answer,
            to_decide(history, day),
            decision_late_by(history, day, within),
            answered_within(history, within) if answer is not None else None,
        )

    def to_decide_on(self, day: datetime.date) -> list[str]:
        """The proposals awaiting a decision at the end of `day` (`to_decide`), the oldest raised first
        (then by id). Read off a table made once per run, of the days each proposal awaits a decision:
        the dossiers ask it on many days, and each asking went through every proposal's history."""
        table = cast("_Spans | None", self.derived_once.get("to_decide"))
        if table is None:
            table = _to_decide_spans(self.histories)
            self.derived_once["to_decide"] = table
        return [pid for pid, spans in table if any(start <= day < end for start, end in spans)]

    def late(self, day: datetime.date) -> dict[str, int]:
        """Proposal id → days past the commitment, for every proposal late on `day`."""
        return {pid: late for pid in sorted(self.histories) if (late := self.answer(pid, day).late_by) is not None}

    def answered_within_commitment(self, start: datetime.date, end: datetime.date) -> int | None:
        """Proposals whose first answer, given between `start` and `end`, came within the commitment
        (None without a commitment): the report's `decided_within_commitment`."""
        if self.decision_within_days is None:
            return None
        return sum(
            1
            for history in self.histories.values()
            if (answer := first_answer(history)) is not None
            and start <= answer.date <= end
            and answered_within(history, self.decision_within_days)
        )


_LAST: list[Facts] = []  # the run's facts: the last records and derivation asked about


def of(records: Records, derived: dict[str, History] | None = None) -> Facts:
    """The facts of `records` (and of its derived histories, when the caller holds them): the
    same object for every output of a run, so that each fact is computed once."""
    if _LAST and _LAST[0].records is records and (derived is None or _LAST[0].histories is derived):
        return _LAST[0]
    facts = Facts(records, derived if derived is not None else histories(records))
    _LAST[:] = [facts]
    return facts
