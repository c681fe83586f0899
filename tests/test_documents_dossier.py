"""documents/dossier.py."""

from __future__ import annotations

import datetime

from conftest import EXAMPLE

DAY = datetime.date(2002, 6, 30)


def _records():
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), DAY)
    return records


def test_dossier_lists_only_proposals_awaiting_a_decision():
    from gasp_cli.documents import dossier
    from gasp_cli.facts import to_decide as awaiting_decision
    from gasp_cli.lifecycle import histories

    records = _records()
    derived = histories(records)
    row, day = dossier.meetings(records, DAY)[-1]
    doc = dossier.build(records, derived, day, row)
    assert {p.id for p in doc.awaiting} == {pid for pid, h in derived.items() if awaiting_decision(h, day)}
    assert dossier.entry(records, f"dossier-{row.date.isoformat()}", DAY)[1] == row.date.isoformat()
