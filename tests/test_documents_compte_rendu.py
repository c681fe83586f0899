"""documents/compte_rendu.py."""

from __future__ import annotations

import datetime

from conftest import EXAMPLE

DAY = datetime.date(2002, 6, 30)


def _records():
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), DAY)
    return records


def test_compte_rendu_builds_every_held_meeting_and_names_its_entry():
    from gasp_cli.documents import compte_rendu

    records = _records()
    held = sorted(mid for mid, m in records.meetings.items() if m.status == "held")
    doc = compte_rendu.build(records, held[0])
    assert doc.meeting_id == held[0] and doc.gasp_name == records.gasp.name
    title, date = compte_rendu.entry(records, held[0], DAY)
    assert date == records.meetings[held[0]].date.isoformat() and title
    assert compte_rendu.entry(records, "inconnue", DAY) is None
    assert set(compte_rendu.FORMATS) == {"md", "html", "pdf"}
