"""A proposal's page, `propositions/<id>.*`: its whole story in plain words.

From the group and meeting that raised it, through every discussion and decision,
to its milestones; each step that happened in a meeting names that meeting, so the
templates can link its compte rendu. What it replaces and what replaces it close
the page. The story is the one derivation of `lifecycle.histories`, cut at the day.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass

from .. import facts
from ..lifecycle import Event, History, replaced_by
from ..loader import Records
from ..names import gasp_name, group_name, theme_title
from ..vocabulary import PROPOSAL_STATUSES, capitalised, long_date, status_word
from .base import Output, Page, Run, Template

FORMATS: dict[str, Template] = {"md": "proposition.md.j2", "html": "proposition.html.j2", "pdf": "proposition.typ.j2"}
SITE_HTML: Template = "site-proposition.html.j2"  # its page on the residents' site


@dataclass
class Step:
    """One step of the story: « 14 juin 2001 — Groupe des usagers : la proposition est faite. »"""

    date: str
    iso_date: str
    who: str
    what: str
    note: str
    meeting: str  # the meeting's id, for the link to its compte rendu; "" for a milestone


@dataclass
class Related:
    """A proposal this one replaces or is replaced by."""

    id: str
    title: str
    status: str


@dataclass
class PropositionPage:
    gasp_name: str
    id: str
    title: str
    theme: str
    summary: str
    status: str
    where: str
    cost: str
    funding: str
    steps: list[Step]
    replaces: Related | None
    replaced_by: list[Related]
    date: str
    public: bool = False  # the residents' site's edition: its footer names it in words, not by its id


# What happened, in the words of a résident; the first milestone « in-progress » starts the work.
_WHAT = {
    "raised": "la proposition est faite.",
    "discussed": "le groupe en discute.",
    "withdrawn": f"la proposition est {status_word('withdrawn')}.",
    "validated": f"la proposition est {status_word('validated')}.",
    "rejected": f"la proposition est {status_word('rejected')}.",
    "deferred": f"la proposition est {status_word('deferred')} : la décision est reportée à une prochaine réunion.",
    "study": f"la proposition est {status_word('study')} avant de décider.",
    "in-progress": "la mise en œuvre commence.",
    "done": f"c’est fait : la proposition est {status_word('done')}.",
    "abandoned": "la mise en œuvre est abandonnée.",
}


def past_events(history: History, day: datetime.date) -> list[Event]:
    return [event for event in history.events if event.date <= day]


def steps(records: Records, history: History, day: datetime.date) -> list[Step]:
    """The story up to `day`, in date order."""
    result = []
    started = False
    for event in past_events(history, day):
        what = _WHAT[event.kind]
        group = records.groups.get(event.group) if event.group else None
        if event.kind == "discussed" and group is not None and group.kind == "intergroupes":
            what = "tous les groupes en discutent."
        if event.kind == "in-progress":
            what = "la mise en œuvre avance." if started else what
            started = True
        who = group_name(records, event.group) if event.group else "Mise en œuvre"
        result.append(
            Step(long_date(event.date), event.date.isoformat(), who, what, event.note or "", event.meeting or "")
        )
    return result


def where_it_stands(records: Records, history: History, day: datetime.date) -> str:
    """Where the proposal stands on `day`, in one sentence a resident reads."""
    past = past_events(history, day)
    last = history.status_event(day)  # a discussion after the decision does not change the status
    if last is None:
        return "Elle n’a pas encore été présentée en réunion."
    status, when = last.kind, long_date(last.date)
    raised = history.raised
    if status in ("raised", "discussed"):
        origin = f"Proposée le {long_date(raised.date)} ({group_name(records, raised.group)})" if raised else "Proposée"
        discussed = " et discutée depuis" if status == "discussed" else ""
        return f"{origin}{discussed} : elle attend la décision des référents."
    if status == "deferred":
        return f"{capitalised(status_word(status))} le {when} : la décision est reportée, elle reviendra devant les référents."
    if status == "study":
        return f"{capitalised(status_word(status))} le {when} : les référents font étudier ce qu’elle demande avant de décider."
    if status == "validated":
        return f"{capitalised(status_word(status))} le {when} ; la mise en œuvre n’a pas encore commencé."
    if status == "in-progress":
        first = next(e for e in past if e.kind == "in-progress")
        return f"Validée, en cours de réalisation depuis le {long_date(first.date)}."
    after = ", après avoir été validée" if status == "abandoned" else ""
    return f"{capitalised(status_word(status))} le {when}{after}."


def _related(records: Records, derived: dict[str, History], proposal_id: str, day: datetime.date) -> Related:
    status = derived[proposal_id].status_on(day)
    label = PROPOSAL_STATUSES[status] if status else "pas encore présentée"
    return Related(proposal_id, records.proposals[proposal_id].title, label)


def build(
    records: Records,
    day: datetime.date,
    proposal_id: str,
    derived: dict[str, History] | None = None,
    replacing_all: dict[str, list[str]] | None = None,
) -> PropositionPage:
    """The page of one proposal, as it stands on `day`. `replacing_all`: lifecycle.replaced_by,
    when the caller has it (a render computes it once, not once per page)."""
    from ..vocabulary import euros

    derived = derived if derived is not None else facts.of(records).histories
    proposal = records.proposals[proposal_id]
    history = derived[proposal_id]
    status = history.status_on(day)
    replacing = (replacing_all if replacing_all is not None else replaced_by(records)).get(proposal_id, [])
    return PropositionPage(
        gasp_name=gasp_name(records),
        id=proposal_id,
        title=proposal.title,
        theme=theme_title(records, proposal.theme),
        summary=proposal.summary or "",
        status=PROPOSAL_STATUSES[status] if status else "pas encore présentée",
        where=where_it_stands(records, history, day),
        cost=euros(proposal.cost) if proposal.cost is not None else "",
        funding=", ".join(f"{f.source} : {f.share:g}\u00a0%" for f in proposal.funding),
        steps=steps(records, history, day),
        replaces=(
            _related(records, derived, proposal.replaces, day)
            if proposal.replaces and proposal.replaces in records.proposals
            else None
        ),
        replaced_by=[_related(records, derived, pid, day) for pid in replacing],
        date=long_date(day),
    )


def entry(records: Records, proposal_id: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of a proposal's page: its title, the day it was raised."""
    if proposal_id not in records.proposals:
        return None
    raised = _raised_on(records).get(proposal_id)
    return records.proposals[proposal_id].title, raised.isoformat() if raised else ""


_RAISED: list[tuple[Records, dict[str, datetime.date]]] = []  # the last records asked about, for the index


def _raised_on(records: Records) -> dict[str, datetime.date]:
    """The day each proposal was first raised in a held meeting (one pass over the meetings)."""
    if _RAISED and _RAISED[0][0] is records:
        return _RAISED[0][1]
    found: dict[str, datetime.date] = {}
    for meeting in records.meetings.values():
        if meeting.status == "held":
            for event in meeting.proposals:
                if event.event == "raised" and (event.proposal not in found or meeting.date < found[event.proposal]):
                    found[event.proposal] = meeting.date
    _RAISED[:] = [(records, found)]
    return found


# --- what `gasp render` makes of it (its line in documents/registry.py) -------------------------------


def outputs(run: Run) -> Iterator[Output]:
    """Every proposal's page, as it stands on the day."""
    records, today, deps = run.records, run.request.today, run.dependencies
    replacing = deps.replaced_by()
    for proposal_id in sorted(records.proposals):
        yield Output(
            f"propositions/{proposal_id}",
            FORMATS,
            functools.partial(build, records, today, proposal_id, run.derived, replacing),
            proposal_id,
            inputs=(proposal_id, deps.proposition(proposal_id, today)),
        )


def public_proposals(derived: dict[str, History], day: datetime.date) -> list[str]:
    """Proposals already raised on `day`: one not yet presented in a meeting is not published."""
    return sorted(pid for pid, history in derived.items() if history.status_on(day) is not None)


def published_proposals(derived: dict[str, History], day: datetime.date) -> frozenset[str]:
    """The same, as a set, computed once per render for every page that asks."""
    return frozenset(public_proposals(derived, day))


def public_proposition(
    records: Records,
    day: datetime.date,
    proposal_id: str,
    derived: dict[str, History],
    published: frozenset[str] | None = None,
    replacing: dict[str, list[str]] | None = None,
) -> PropositionPage:
    """A proposal's page as residents see it: no note of a non-public group but its decisions,
    links only to public comptes rendus and to proposals that have a page. `published` and
    `replacing`: the proposals that have a page and lifecycle.replaced_by, when the caller has them
    (the site computes them once, not once per page)."""
    page = build(records, day, proposal_id, derived, replacing)
    page.public = True
    events = past_events(derived[proposal_id], day)
    for step, event in zip(page.steps, events, strict=True):
        group = records.groups.get(event.group) if event.group else None
        if group is not None and not group.minutes_are_public:
            step.meeting = ""
            if not event.is_decision:
                step.note = ""
    if published is None:
        published = published_proposals(derived, day)
    if page.replaces is not None and page.replaces.id not in published:
        page.replaces = None
    page.replaced_by = [other for other in page.replaced_by if other.id in published]
    return page


def site_pages(run: Run) -> Iterator[Page]:
    """On the residents' site: a page for each proposal already raised (`published`)."""
    records, today, deps = run.records, run.request.today, run.dependencies
    published = run.published if run.published is not None else published_proposals(run.derived, today)
    replacing = deps.replaced_by()
    for pid in sorted(published):
        yield Page(
            f"propositions/{pid}.html",
            SITE_HTML,
            functools.partial(public_proposition, records, today, pid, run.derived, published, replacing),
            FORMATS["pdf"],
            inputs=deps.proposition(pid, today, published),
            section=_raised_year(run.derived[pid]),
        )


def _raised_year(history: History) -> str:
    """A proposal's section of the site's search: the year it was raised (a published proposal has been)."""
    event = history.raised or (history.events[0] if history.events else None)
    return str(event.date.year) if event is not None else ""
