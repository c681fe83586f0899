"""The derived history of the example's proposals, as the article leaves them."""

from __future__ import annotations

from conftest import REPO
from gasp_cli.checks import check_workspace
from gasp_cli.lifecycle import MOVES, histories
from gasp_cli.workspace import Workspace


def _example():
    records, diagnostics = check_workspace(Workspace(REPO), __import__("datetime").date(2026, 1, 1))
    assert diagnostics == []
    return records


def test_the_article_s_proposals_stand_where_the_article_leaves_them():
    status = {pid: h.status for pid, h in histories(_example()).items()}
    assert status == {
        "guide-des-services-publics": "done",
        "formulaire-plainte-simplifie": "done",
        "horaires-police": "done",
        "reamenagement-des-locaux": "done",
        "formation-agents-de-mediation": "in-progress",
        "regie-de-quartier": "study",
        "mediateur-administratif": "study",
    }


def test_a_history_is_in_date_order_and_starts_with_its_raising():
    history = histories(_example())["mediateur-administratif"]
    assert [(e.date.isoformat(), e.kind, e.group) for e in history.events] == [
        ("2001-09-13", "raised", "usagers"),
        ("2001-10-09", "discussed", "agents"),
        ("2001-12-21", "deferred", "referents"),
        ("2002-04-09", "discussed", "agents"),
        ("2002-06-21", "study", "referents"),
    ]
    assert history.last_decision.kind == "study"


def test_final_statuses_allow_nothing_but_a_discussion():
    """DESIGN.md: a discussion is allowed at any time after the raising (and changes nothing)."""
    for status in ("rejected", "withdrawn", "done", "abandoned"):
        assert MOVES[status] == frozenset({"discussed"})
