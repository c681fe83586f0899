"""A proposal's derived history and its state machine.

A proposal's history is never typed twice: its raising, discussions and
withdrawal come from the `proposals` of held meetings, its decisions from their
`decisions`, its implementation from its own `milestones`. Its status is its last
event, except that a discussion changes it only from « raised » to « discussed »:
residents discuss projects under way, agents review a realised one, and neither
makes the project open again. This is the one derivation the checks, the trace, the
compte rendu, the dossier and the report all use.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .diagnostics import Diagnostic, Loc
from .loader import Records
from .vocabulary import PROPOSAL_STATUSES, long_date

OPEN = frozenset({"raised", "discussed", "deferred", "study"})
IMPLEMENTING = frozenset({"validated", "in-progress"})
FINAL = frozenset({"rejected", "withdrawn", "done", "abandoned"})
DECISIONS = ("validated", "rejected", "deferred", "study")

# The allowed moves of DESIGN.md: from a status (None: not raised yet) to the next events.
# A discussion is allowed at any time after the raising, whatever the status.
MOVES: dict[str | None, frozenset[str]] = {
    None: frozenset({"raised"}),
    **{status: frozenset({"discussed", *DECISIONS, "withdrawn"}) for status in OPEN},
    **{status: frozenset({"discussed", "in-progress", "done", "abandoned"}) for status in IMPLEMENTING},
    **{status: frozenset({"discussed"}) for status in FINAL},
}


def next_status(status: str | None, kind: str) -> str | None:
    """The status after an event: a discussion moves only a raised proposal, to « discussed »."""
    if kind == "discussed" and status not in (None, "raised"):
        return status
    return kind


RAISING_GROUP_KINDS = frozenset({"agents", "usagers", "intergroupes"})


@dataclass(slots=True)
class Event:
    """One step of a proposal: `kind` is an event, a decision outcome or a milestone status."""

    date: datetime.date
    kind: str
    meeting: str | None
    group: str | None
    note: str | None
    # Where it is written: (record kind, record id, path inside the record).
    origin: tuple[str, str, Loc]
    time: str = ""

    @property
    def is_decision(self) -> bool:
        return self.kind in DECISIONS


@dataclass
class History:
    proposal: str
    events: list[Event] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        """None for a proposal not raised in a held meeting yet; else its last event's kind,
        a discussion counting only after the raising."""
        event = self.status_event()
        return event.kind if event else None

    def status_event(self, day: datetime.date | None = None) -> Event | None:
        """The event that set the status (at the end of `day`, or now)."""
        status: str | None = None
        setting: Event | None = None
        for event in self.events:
            if day is not None and event.date > day:
                break
            if next_status(status, event.kind) == event.kind:
                setting = event
            status = next_status(status, event.kind)
        return setting

    def day_ends(self) -> list[tuple[datetime.date, str | None]]:
        """Each day with an event, in order, with the status at its end (`status_on` of that day):
        what the run's tables of statuses by day and by year read (facts.py, rapport_chiffres.py)."""
        return [(day, self.status_on(day)) for day in dict.fromkeys(event.date for event in self.events)]

    @property
    def raised(self) -> Event | None:
        return next((e for e in self.events if e.kind == "raised"), None)

    @property
    def last_decision(self) -> Event | None:
        return next((e for e in reversed(self.events) if e.is_decision), None)

    def status_on(self, day: datetime.date) -> str | None:
        """The status at the end of `day`."""
        event = self.status_event(day)
        return event.kind if event else None


def histories(records: Records) -> dict[str, History]:
    """Every proposal's history, events in date order (meetings before milestones on a day)."""
    found: dict[str, list[tuple[tuple[datetime.date, int, str, str, int], Event]]] = {
        pid: [] for pid in records.proposals
    }
    for meeting_id, meeting in records.meetings.items():
        if meeting.status != "held":
            continue
        group = records.groups.get(meeting.group)
        time = meeting.time or (group.cadence.time if group else "")
        entries = [
            (index, ("proposals", index, "event"), item.proposal, item.event, item.note)
            for index, item in enumerate(meeting.proposals)
        ] + [
            (len(meeting.proposals) + index, ("decisions", index, "outcome"), item.proposal, item.outcome, item.note)
            for index, item in enumerate(meeting.decisions)
        ]
        for order, loc, proposal_id, kind, note in entries:
            if proposal_id not in found:
                continue
            event = Event(meeting.date, kind, meeting_id, meeting.group, note, ("meetings", meeting_id, loc), time)
            found[proposal_id].append(((meeting.date, 0, time, meeting_id, order), event))
    for proposal_id, proposal in records.proposals.items():
        for index, milestone in enumerate(proposal.milestones):
            event = Event(
                milestone.date,
                milestone.status,
                None,
                None,
                milestone.note,
                ("proposals", proposal_id, ("milestones", index, "status")),
            )
            found[proposal_id].append(((milestone.date, 1, "", "", index), event))
    return {
        pid: History(pid, [event for _, event in sorted(items, key=lambda pair: pair[0])])
        for pid, items in found.items()
    }


def replaced_by(records: Records) -> dict[str, list[str]]:
    """Proposal id → the proposals that replace it."""
    result: dict[str, list[str]] = {}
    for proposal_id, proposal in sorted(records.proposals.items()):
        if proposal.replaces:
            result.setdefault(proposal.replaces, []).append(proposal_id)
    return result


def label(status: str | None) -> str:
    return PROPOSAL_STATUSES.get(status, "pas encore soulevée") if status else "pas encore soulevée"


def check_lifecycles(records: Records, derived: dict[str, History] | None = None) -> list[Diagnostic]:
    """Illegal moves, a raising outside agents/usagers/intergroupes, milestones out of order
    (`derived`: the histories of `records`, when the caller holds them)."""
    diagnostics: list[Diagnostic] = []
    derived = derived if derived is not None else histories(records)
    for proposal_id, history in derived.items():
        status: str | None = None
        for event in history.events:
            kind, record_id, loc = event.origin
            if event.kind == "raised" and event.group is not None:
                group = records.groups.get(event.group)
                if group is not None and group.kind not in RAISING_GROUP_KINDS:
                    diagnostics.append(
                        records.diagnostic(
                            kind,
                            record_id,
                            loc,
                            "lifecycle",
                            f"« {proposal_id} » : une proposition est soulevée dans un groupe des agents, "
                            "des usagers ou intergroupes, pas chez les référents",
                        )
                    )
            if event.kind not in MOVES[status]:
                diagnostics.append(
                    records.diagnostic(kind, record_id, loc, "lifecycle", _illegal_move(proposal_id, status, event))
                )
                continue  # judge the next event from the last legal status
            status = next_status(status, event.kind)
    for proposal_id, proposal in records.proposals.items():
        dates = [m.date for m in proposal.milestones]
        for index in range(1, len(dates)):
            if dates[index] < dates[index - 1]:
                diagnostics.append(
                    records.diagnostic(
                        "proposals",
                        proposal_id,
                        ("milestones", index, "date"),
                        "date-order",
                        f"étape du {long_date(dates[index])} placée après celle du {long_date(dates[index - 1])} :"
                        " rangez les étapes par date",
                    )
                )
        diagnostics.extend(_check_replaces(records, derived, proposal_id))
    return diagnostics


def _illegal_move(proposal_id: str, status: str | None, event: Event) -> str:
    when = long_date(event.date)
    what = PROPOSAL_STATUSES[event.kind]
    if status is None:
        return (
            f"« {proposal_id} » est {what} le {when} avant d’avoir été soulevée "
            "(il faut d’abord un événement « raised » dans une réunion tenue antérieure)"
        )
    if event.kind == "raised":
        return f"« {proposal_id} » est déjà soulevée : une proposition n’est soulevée qu’une fois"
    if status in FINAL:
        return (
            f"« {proposal_id} » est close (« {PROPOSAL_STATUSES[status]} ») : seule une discussion peut suivre "
            f"le {when} ; créez une nouvelle proposition avec « replaces »"
        )
    choices = ", ".join(PROPOSAL_STATUSES[k] for k in sorted(MOVES[status]))
    return (
        f"« {proposal_id} » ne peut pas passer de « {PROPOSAL_STATUSES[status]} » à « {what} » "
        f"le {when} (possible : {choices})"
    )


def _check_replaces(records: Records, derived: dict[str, History], proposal_id: str) -> list[Diagnostic]:
    proposal = records.proposals[proposal_id]
    target = proposal.replaces
    if target is None or target not in records.proposals:
        return []  # a dangling id is reported by the reference checks
    if target == proposal_id:
        return [
            records.diagnostic(
                "proposals",
                proposal_id,
                ("replaces",),
                "lifecycle",
                "une proposition ne peut pas se remplacer elle-même",
            )
        ]
    seen = {proposal_id}
    current: str | None = target
    while current is not None and current in records.proposals:
        if current in seen:
            return [
                records.diagnostic(
                    "proposals",
                    proposal_id,
                    ("replaces",),
                    "lifecycle",
                    f"remplacements en boucle à partir de « {target} »",
                )
            ]
        seen.add(current)
        current = records.proposals[current].replaces
    rivals = [
        pid for pid, other in sorted(records.proposals.items()) if other.replaces == target and pid != proposal_id
    ]
    if rivals:
        return [
            records.diagnostic(
                "proposals",
                proposal_id,
                ("replaces",),
                "lifecycle",
                f"« {target} » est déjà remplacée par « {rivals[0]} » : une proposition n’a qu’une remplaçante",
                severity="warning",
            )
        ]
    status = derived[target].status
    if status not in FINAL:
        return [
            records.diagnostic(
                "proposals",
                proposal_id,
                ("replaces",),
                "lifecycle",
                f"remplace « {target} », qui n’est pas close ({label(status)}) : une proposition ne remplace "
                "qu’une proposition refusée, retirée, réalisée ou abandonnée",
                severity="warning",
            )
        ]
    return []
