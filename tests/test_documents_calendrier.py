"""documents/calendrier.py."""

from __future__ import annotations

import datetime

from conftest import EXAMPLE

DAY = datetime.date(2002, 6, 30)


def _records():
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), DAY)
    return records


def test_calendrier_page_has_a_line_a_row():
    from gasp_cli.calendar import calendar_rows, holidays_for
    from gasp_cli.documents import calendrier

    records = _records()
    start, end = datetime.date(2002, 1, 1), datetime.date(2002, 12, 31)
    rows = calendar_rows(records, start, end, holidays_for(records, start, end))
    page = calendrier.calendar_page(records, rows, 2002)
    assert len(page.lines) == len(rows) > 0
    assert calendrier.entry(records, "calendrier-2002", DAY) == ("Calendrier 2002", "2002")
