"""documents/index.py."""

from __future__ import annotations

import datetime

from conftest import EXAMPLE

DAY = datetime.date(2002, 6, 30)


def _records():
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), DAY)
    return records


def test_index_titles_come_from_the_documents():
    from gasp_cli.documents import index

    records = _records()
    meeting_id = sorted(records.meetings)[0]
    page = index.build(
        records, [f"comptes-rendus/{meeting_id}.html", "rapport/rapport-2001.pdf", "suivi.html", "index.html"], DAY
    )
    titles = [line.title for section in page.sections for group in section.groups for line in group.links]
    assert "Rapport 2001" in titles
    assert "Ce que les usagers ont proposé, où en est chaque proposition" in titles
    assert len(titles) == 3
