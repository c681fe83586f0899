"""The embedded example stays faithful to the article it comes from, and says where it departs from it."""

from __future__ import annotations

import datetime

from conftest import EXAMPLE, REPO
from gasp_cli.loader import load_workspace
from gasp_cli.workspace import Workspace


def _records():
    return load_workspace(Workspace(REPO)).records


def test_the_agents_meet_every_month_as_the_article_says():
    agents = _records().groups["agents"]
    assert agents.cadence.frequency == "monthly" and not agents.cadence.skip_months


def test_every_institution_of_the_agents_stays_represented():
    """Turnover is on purpose, but an institution the article lists never leaves without a replacement."""
    records = _records()
    members = records.groups["agents"].members
    end = records.gasp.as_of

    def services_on(day: datetime.date) -> set[str]:
        return {
            records.people[m.person].service
            for m in members
            if m.since <= day and (m.until is None or m.until >= day) and records.people[m.person].kind == "agent"
        }

    present_from_start = services_on(datetime.date(2000, 9, 1))
    assert {"ecole-maternelle", "bibliotheque", "la-poste"} <= present_from_start
    assert present_from_start <= services_on(end)
    # Whoever leaves is replaced from the same institution within three months (the summer, for a school).
    for member in members:
        if member.until is None:
            continue
        service = records.people[member.person].service
        assert any(
            records.people[m.person].service == service
            and member.until < m.since <= member.until + datetime.timedelta(days=92)
            for m in members
        ), member
    # The replacements attend: the école maternelle is at the agents' meetings of 2001–2002 after the summer.
    later = [
        m
        for m in records.meetings.values()
        if m.group == "agents" and m.status == "held" and m.date >= datetime.date(2001, 9, 1)
    ]
    for meeting in later:
        services = {records.people[p].service for p in meeting.attendees}
        assert "ecole-maternelle" in services, meeting.date


def test_the_example_says_where_it_departs_from_the_article():
    text = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "Escaupont" in text and "Escautpont" in text and "59207" in text
    assert "fonction" in text and "inventé" in text
    assert "../shared" not in text
