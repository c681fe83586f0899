"""documents/guide.py."""

from __future__ import annotations

import datetime

from conftest import EXAMPLE

DAY = datetime.date(2002, 6, 30)


def _records():
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), DAY)
    return records


def test_guide_usagers_edition_has_no_agents_block():
    from gasp_cli.documents import guide

    usagers, agents = guide.build(_records(), DAY)
    assert usagers.edition == "Édition pour les usagers" and agents.edition == "Édition pour les agents"
    assert all(not hasattr(s, "direct_phone") for c in usagers.categories for s in c.services)
    assert guide.entry(_records(), "guide-agents", DAY) == ("Édition pour les agents", DAY.isoformat())
