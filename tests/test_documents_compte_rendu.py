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


def test_a_cancellation_notice_is_not_signed_as_a_compte_rendu(tmp_path):
    from conftest import REPO, gasp
    from gasp_cli.documents import compte_rendu

    records = _records()
    assert compte_rendu.build(records, "2002-02-12-agents").signature.startswith("Avis d’annulation établi par ")
    assert compte_rendu.build(records, "2002-01-08-agents").signature.startswith("Compte rendu établi par ")
    result = gasp(
        "render",
        "2002-02-12-agents",
        "--only",
        "comptes-rendus",
        "--format",
        "md,html",
        "--out",
        str(tmp_path),
        workspace=REPO,
    )
    assert result.exit_code == 0, result.output
    for suffix in ("md", "html"):
        text = (tmp_path / "comptes-rendus" / f"2002-02-12-agents.{suffix}").read_text(encoding="utf-8")
        assert "Avis d’annulation établi par" in text and "Compte rendu établi par" not in text
