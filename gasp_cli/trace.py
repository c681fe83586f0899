"""Each proposal from the group that raised it to the référents' decision and beyond.

Pure computation on top of `lifecycle.histories`: the one derivation of a
proposal's events. Summaries (one row a proposal) and a proposal's trace (its
events, the time between them, where it stands now).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .lifecycle import History, histories, replaced_by
from .loader import Records


@dataclass(slots=True)
class Summary:
    id: str
    title: str
    theme: str
    raised_by: str | None
    raised_on: datetime.date | None
    status: str | None
    outcome: str | None
    decided_on: datetime.date | None

    @property
    def days_to_decision(self) -> int | None:
        if self.raised_on is None or self.decided_on is None:
            return None
        return (self.decided_on - self.raised_on).days

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "theme": self.theme,
            "raised_by": self.raised_by,
            "raised_on": _iso(self.raised_on),
            "status": self.status,
            "outcome": self.outcome,
            "decided_on": _iso(self.decided_on),
            "days_to_decision": self.days_to_decision,
        }


@dataclass(slots=True)
class Trace:
    id: str
    title: str
    theme: str
    status: str | None
    replaces: str | None
    replaced_by: str | None
    history: History

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "theme": self.theme,
            "status": self.status,
            "replaces": self.replaces,
            "replaced_by": self.replaced_by,
            "events": [
                {"date": e.date.isoformat(), "kind": e.kind, "meeting": e.meeting, "group": e.group, "note": e.note}
                for e in self.history.events
            ],
        }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def summaries(records: Records, derived: dict[str, History] | None = None) -> list[Summary]:
    """One row a proposal, by raising date (proposals not raised yet last, by id)."""
    derived = derived if derived is not None else histories(records)
    rows = []
    for pid, proposal in records.proposals.items():
        history = derived[pid]
        raised = history.raised
        decision = history.last_decision
        rows.append(Summary(
            pid, proposal.title, proposal.theme,
            raised.group if raised else None, raised.date if raised else None,
            history.status, decision.kind if decision else None, decision.date if decision else None,
        ))
    return sorted(rows, key=lambda r: (r.raised_on is None, r.raised_on or datetime.date.min, r.id))


def trace(records: Records, proposal_id: str, derived: dict[str, History] | None = None) -> Trace:
    derived = derived if derived is not None else histories(records)
    proposal = records.proposals[proposal_id]
    successors = replaced_by(records).get(proposal_id, [])
    history = derived[proposal_id]
    return Trace(proposal_id, proposal.title, proposal.theme, history.status, proposal.replaces,
                 successors[0] if successors else None, history)


def nearest_ids(wanted: str, ids: list[str], most: int = 3) -> list[str]:
    """Ids close to a mistyped or shortened one: close spelling, or a word that starts alike."""
    import difflib

    found = difflib.get_close_matches(wanted, ids, n=most, cutoff=0.5)
    stem = wanted[:4]
    for pid in sorted(ids):
        words = pid.split("-")
        if len(found) < most and pid not in found and (wanted in pid or any(w.startswith(stem) for w in words)):
            found.append(pid)
    return found


class UnknownProposal(Exception):
    """No proposal, or several, answer to what was asked; the message is French."""


def find_proposal(records: Records, wanted: str) -> str:
    """The id itself, or the one id it is a prefix of."""
    if wanted in records.proposals:
        return wanted
    matches = sorted(pid for pid in records.proposals if pid.startswith(wanted))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownProposal(f"« {wanted} » désigne plusieurs propositions : {', '.join(matches)}")
    others = nearest_ids(wanted, list(records.proposals))
    hint = f" ; vouliez-vous dire {', '.join(f'« {p} »' for p in others)} ?" if others else ""
    raise UnknownProposal(f"proposition « {wanted} » inconnue{hint}")


def standing(trace: Trace, today: datetime.date) -> str:
    """Where the proposal stands now, in French: « en attente des référents depuis 143 jours »."""
    events = trace.history.events
    if not events:
        return "pas encore soulevée dans une réunion tenue"
    last = events[-1]
    raised = events[0].date
    since = (today - last.date).days
    from .labels import long_date

    def days(count: int) -> str:
        return "1 jour" if count == 1 else f"{count} jours"

    status = last.kind
    if status in ("raised", "discussed"):
        return f"en attente d'une décision des référents depuis {days((today - raised).days)}"
    if status == "deferred":
        return f"ajournée le {long_date(last.date)} : en attente d'une nouvelle décision depuis {days(since)}"
    if status == "study":
        return f"mise à l'étude le {long_date(last.date)}, depuis {days(since)}"
    if status == "validated":
        return f"validée le {long_date(last.date)}, mise en œuvre pas encore commencée ({days(since)})"
    if status == "in-progress":
        return f"en cours de mise en œuvre depuis le {long_date(last.date)} ({days(since)})"
    successor = f" ; remplacée par « {trace.replaced_by} »" if trace.replaced_by else ""
    words = {"done": "réalisée", "rejected": "refusée", "withdrawn": "retirée", "abandoned": "abandonnée"}[status]
    return f"{words} le {long_date(last.date)}, {days((last.date - raised).days)} après avoir été soulevée{successor}"
