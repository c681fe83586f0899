"""Each proposal from the group that raised it to the référents' decision and beyond.

Pure computation on top of `lifecycle.histories`: the one derivation of a
proposal's events. Summaries (one row a proposal) and a proposal's trace (its
events, the time between them, where it stands now).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from . import facts
from .lifecycle import Event, History, replaced_by
from .loader import Records
from .models import Observation


def document_of(event: Event) -> str | None:
    """The compte rendu an event is written in, as a path under out/ (its html edition,
    the one every render writes and the site links to); None for a milestone, which
    no meeting records. Events come only from held meetings, and every held meeting
    has its compte rendu."""
    return f"comptes-rendus/{event.meeting}.html" if event.meeting else None


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
    first_decided_on: datetime.date | None = None

    @property
    def days_to_decision(self) -> int | None:
        """From the raising to the last decision (the one `outcome` and `decided_on` name)."""
        if self.raised_on is None or self.decided_on is None:
            return None
        return (self.decided_on - self.raised_on).days

    @property
    def days_to_first_decision(self) -> int | None:
        """From the raising to the first decision: a study or a deferral is an answer too."""
        if self.raised_on is None or self.first_decided_on is None:
            return None
        return (self.first_decided_on - self.raised_on).days

    def as_json(self) -> dict[str, Any]:
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
            "days_to_first_decision": self.days_to_first_decision,
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
    # The sociologist's field notes on its meetings or its theme: (id, observation), by date.
    observations: list[tuple[str, Observation]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "theme": self.theme,
            "status": self.status,
            "replaces": self.replaces,
            "replaced_by": self.replaced_by,
            "events": [
                {
                    "date": e.date.isoformat(),
                    "kind": e.kind,
                    "meeting": e.meeting,
                    "group": e.group,
                    "note": e.note,
                    "document": document_of(e),
                }
                for e in self.history.events
            ],
            "observations": [
                {"id": oid, "date": o.date.isoformat(), "meeting": o.meeting, "themes": list(o.themes), "text": o.text}
                for oid, o in self.observations
            ],
        }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def summaries(records: Records, derived: dict[str, History] | None = None) -> list[Summary]:
    """One row a proposal, by raising date (proposals not raised yet last, by id)."""
    derived = derived if derived is not None else facts.of(records).histories
    rows = []
    for pid, proposal in records.proposals.items():
        history = derived[pid]
        raised = history.raised
        decision = history.last_decision
        first = facts.first_answer(history)
        rows.append(
            Summary(
                pid,
                proposal.title,
                proposal.theme,
                raised.group if raised else None,
                raised.date if raised else None,
                history.status,
                decision.kind if decision else None,
                decision.date if decision else None,
                first.date if first else None,
            )
        )
    return sorted(rows, key=lambda r: (r.raised_on is None, r.raised_on or datetime.date.min, r.id))


def trace(records: Records, proposal_id: str, derived: dict[str, History] | None = None) -> Trace:
    derived = derived if derived is not None else facts.of(records).histories
    proposal = records.proposals[proposal_id]
    successors = replaced_by(records).get(proposal_id, [])
    history = derived[proposal_id]
    return Trace(
        proposal_id,
        proposal.title,
        proposal.theme,
        history.status,
        proposal.replaces,
        successors[0] if successors else None,
        history,
        observations_of(records, proposal_id, history),
    )


def observations_of(records: Records, proposal_id: str, history: History) -> list[tuple[str, Observation]]:
    """The observations of a meeting where the proposal came up, or on its theme: (id, observation), by date.
    Private field notes: shown by `gasp trace` and exported, never in a document."""
    meetings = {e.meeting for e in history.events if e.meeting}
    theme = records.proposals[proposal_id].theme
    return sorted(
        ((oid, o) for oid, o in records.observations.items() if o.meeting in meetings or theme in o.themes),
        key=lambda pair: (pair[1].date, pair[0]),
    )


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
    """Where the proposal stands now, in French, saying since when and of what:
    « mise à l’étude depuis le 21 juin 2002 (71 jours), en attente du résultat de l’étude »."""
    return standing_of(trace.history, today, trace.replaced_by)


def standing_of(history: History, today: datetime.date, replaced_by: str | None = None) -> str:
    """`standing` for a bare history: what the dossier and the proposal pages can say too."""
    from .vocabulary import days, long_date, since, status_word

    events = history.events
    last = history.status_event(today)
    if last is None:
        return "pas encore soulevée dans une réunion tenue"
    raised = events[0].date
    status = last.kind
    if status in ("raised", "discussed"):
        return (
            f"en attente d’une décision des référents depuis qu’elle a été soulevée le {long_date(raised)}"
            f" ({days((today - raised).days)})"
        )
    if status == "deferred":
        return f"{status_word(status)} {since(last.date, today)}, en attente d’une nouvelle décision des référents"
    if status == "study":
        return f"{status_word(status)} {since(last.date, today)}, en attente du résultat de l’étude"
    if status == "validated":
        return f"{status_word(status)} {since(last.date, today)}, mise en œuvre pas encore commencée"
    if status == "in-progress":
        return f"en cours de mise en œuvre {since(last.date, today)}"
    successor = f" ; remplacée par « {replaced_by} »" if replaced_by else ""
    return f"{status_word(status)} le {long_date(last.date)}, {days((last.date - raised).days)} après avoir été soulevée{successor}"


def _kind_words(records: Records, group_id: str) -> list[str]:
    from .vocabulary import GROUP_KINDS

    group = records.groups[group_id]
    return [group_id, group.name, group.kind, GROUP_KINDS.get(group.kind, group.kind)]


def match_status(wanted: str) -> list[str]:
    """The statuses a typed word names: a code (« study ») or the French shown (« mise à l'étude »,
    « étude », « etude », « en cours », « Validée »)."""
    from .vocabulary import PROPOSAL_STATUSES, fold, words_match

    if wanted in PROPOSAL_STATUSES:
        return [wanted]
    return [
        code for code, shown in PROPOSAL_STATUSES.items() if fold(wanted) == fold(code) or words_match(wanted, shown)
    ]


def match_group(records: Records, wanted: str) -> list[str]:
    """The groups a typed word names: an id, a name (« Groupe des usagers »), a kind (« référents »)."""
    from .vocabulary import fold, words_match

    if wanted in records.groups:
        return [wanted]
    exact = [gid for gid in sorted(records.groups) if any(fold(wanted) == fold(w) for w in _kind_words(records, gid))]
    return exact or [
        gid for gid in sorted(records.groups) if any(words_match(wanted, w) for w in _kind_words(records, gid))
    ]


def match_theme(records: Records, wanted: str) -> list[str]:
    """The themes a typed word names: an id or a title, whatever the case and accents."""
    from .vocabulary import fold, words_match

    if wanted in records.themes:
        return [wanted]
    exact = [tid for tid, theme in sorted(records.themes.items()) if fold(wanted) in (fold(tid), fold(theme.title))]
    return exact or [tid for tid, theme in sorted(records.themes.items()) if words_match(wanted, theme.title)]
