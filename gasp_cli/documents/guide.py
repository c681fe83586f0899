"""The guide of public services, in two editions: the usagers' and the agents'.

The usagers edition is built from `PublicService`, which has no field for the agents
block: the agents' data cannot reach it. The agents' templates extend the usagers'.
Under each service, both editions say what changed there thanks to the Gasp: the done
proposals whose `services` name it, each since the day of its `done` milestone.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..lifecycle import History, histories
from ..loader import Records
from ..names import gasp_name, person_detail, published_name
from ..vocabulary import long_date, sort_key
from .base import Output, Page, Run, Template

FORMATS_USAGERS: dict[str, Template] = {
    "md": "guide-usagers.md.j2",
    "html": "guide-usagers.html.j2",
    "pdf": "guide-usagers.typ.j2",
}
FORMATS_AGENTS: dict[str, Template] = {
    "md": "guide-agents.md.j2",
    "html": "guide-agents.html.j2",
    "pdf": "guide-agents.typ.j2",
}
SITE_HTML: Template = "site-guide-usagers.html.j2"  # the usagers edition on the residents' site


@dataclass
class Change:
    """A done proposal that changed a service: « <title> (depuis le 3 mars 2002) »."""

    proposal: str
    title: str
    since: str


@dataclass
class PublicService:
    """What the usagers edition may show: name, institution, category and the public block."""

    id: str
    name: str
    institution: str
    category: str
    description: str
    tasks: list[str]
    procedures: list[str]
    address: str
    hours: str
    phone: str
    email: str
    website: str
    accessibility: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class AgentsService(PublicService):
    contact: str = ""
    contact_detail: str = ""
    direct_phone: str = ""
    agents_email: str = ""
    referral: str = ""
    notes: str = ""


@dataclass
class Category:
    name: str
    services: list[PublicService]


@dataclass
class IndexEntry:
    need: str
    service: str
    contact: str
    phone: str


@dataclass
class Guide:
    title: str
    edition: str
    gasp_name: str
    date: str
    categories: list[Category]
    index: list[IndexEntry] = field(default_factory=list)


def changes_by_service(records: Records, derived: dict[str, History], day: datetime.date) -> dict[str, list[Change]]:
    """For each service, the proposals done on `day` that name it in `services`, oldest first."""
    found: dict[str, list[tuple[datetime.date, Change]]] = {}
    for pid, proposal in sorted(records.proposals.items()):
        history = derived.get(pid)
        done = history.status_event(day) if history is not None else None
        if done is None or done.kind != "done":
            continue
        change = Change(pid, proposal.title, long_date(done.date))
        for sid in dict.fromkeys(proposal.services):
            found.setdefault(sid, []).append((done.date, change))
    return {
        sid: [change for _, change in sorted(items, key=lambda item: (item[0], sort_key(item[1].title)))]
        for sid, items in found.items()
    }


def _public_fields(records: Records, service_id: str, changes: dict[str, list[Change]]) -> dict[str, Any]:
    service = records.services[service_id]
    public = service.public
    return {
        "id": service_id,
        "name": service.name,
        "institution": service.institution,
        "category": service.category,
        "description": public.description or "",
        "tasks": list(public.tasks),
        "procedures": list(public.procedures),
        "address": public.address or "",
        "hours": public.hours or "",
        "phone": public.phone or "",
        "email": public.email or "",
        "website": public.website or "",
        "accessibility": public.accessibility or "",
        "changes": changes.get(service_id, []),
    }


def _by_category(services: Sequence[PublicService]) -> list[Category]:
    categories: dict[str, list[PublicService]] = {}
    for service in sorted(services, key=lambda s: sort_key(s.name)):
        categories.setdefault(service.category, []).append(service)
    return [Category(name, categories[name]) for name in sorted(categories, key=sort_key)]


def guide_usagers(records: Records, today: datetime.date, derived: dict[str, History] | None = None) -> Guide:
    changes = changes_by_service(records, derived if derived is not None else histories(records), today)
    services = [PublicService(**_public_fields(records, sid, changes)) for sid in records.services]
    return Guide(
        "Guide des services publics",
        "Édition pour les usagers",
        gasp_name(records),
        long_date(today),
        _by_category(services),
    )


def guide_agents(records: Records, today: datetime.date, derived: dict[str, History] | None = None) -> Guide:
    changes = changes_by_service(records, derived if derived is not None else histories(records), today)
    services = []
    for sid, service in records.services.items():
        agents = service.agents
        contact = contact_detail = ""
        if agents is not None and agents.contact and agents.contact in records.people:
            contact = published_name(records, agents.contact) or ""
            contact_detail = person_detail(records, agents.contact) if contact else ""
        services.append(
            AgentsService(
                **_public_fields(records, sid, changes),
                contact=contact,
                contact_detail=contact_detail,
                direct_phone=(agents.direct_phone or "") if agents else "",
                agents_email=(agents.email or "") if agents else "",
                referral=(agents.referral or "") if agents else "",
                notes=(agents.notes or "") if agents else "",
            )
        )
    index = [
        IndexEntry(need, service.name, service.contact, service.direct_phone or service.phone)
        for service in services
        for need in [*service.tasks, *service.procedures]
    ]
    index.sort(key=lambda entry: (sort_key(entry.need), sort_key(entry.service)))
    return Guide(
        "Guide des services publics",
        "Édition pour les agents",
        gasp_name(records),
        long_date(today),
        _by_category(services),
        index,
    )


def build(records: Records, day: datetime.date, derived: dict[str, History] | None = None) -> tuple[Guide, Guide]:
    """Both editions, dated `day`: (usagers, agents). `derived`: the histories, when the caller has them."""
    derived = derived if derived is not None else histories(records)
    return guide_usagers(records, day, derived), guide_agents(records, day, derived)


def entry(records: Records, name: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of an edition of the guide."""
    editions = {"guide-usagers": "Édition pour les usagers", "guide-agents": "Édition pour les agents"}
    return (editions[name], today.isoformat()) if name in editions else None


# --- what `gasp render` makes of it (its line in documents/registry.py) -------------------------------


def outputs(run: Run) -> Iterator[Output]:
    """Both editions, built together once (and only when one of their files' input keys changed)."""
    deps, edition = run.dependencies, run.request.edition_date
    guides = functools.partial(
        deps.once, ("guide", edition), functools.partial(build, run.records, edition, run.derived)
    )
    day = edition.isoformat()
    yield Output(
        "guide/guide-usagers",
        FORMATS_USAGERS,
        lambda: guides()[0],
        "guide-usagers",
        inputs=("usagers", deps.everything(day)),
    )
    yield Output(
        "guide/guide-agents",
        FORMATS_AGENTS,
        lambda: guides()[1],
        "guide-agents",
        inputs=("agents", deps.everything(day)),
    )


def site_pages(run: Run) -> Iterator[Page]:
    """On the residents' site: the usagers edition only, never the agents'."""
    deps, edition = run.dependencies, run.request.edition_date
    yield Page(
        "guide/guide-usagers.html",
        SITE_HTML,
        lambda: deps.once(("site", "guide", edition), functools.partial(build, run.records, edition, run.derived))[0],
        FORMATS_USAGERS["pdf"],
        inputs=deps.everything("guide", edition.isoformat()),
    )
