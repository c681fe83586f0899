"""documents/rapport.py."""

from __future__ import annotations

import datetime

from conftest import EXAMPLE

DAY = datetime.date(2002, 6, 30)


def _records():
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), DAY)
    return records


def test_rapport_build_is_what_gasp_report_json_prints():
    import json

    from conftest import gasp
    from gasp_cli.documents import rapport
    from gasp_cli.documents.base import json_text

    records = _records()
    printed = gasp(
        "report", "--year", "2001", "--format", "json", workspace=EXAMPLE.parent, env={"GASP_TODAY": DAY.isoformat()}
    )
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == json.loads(json_text(rapport.build(records, 2001, DAY)))
    assert rapport.years(records, DAY)[-1] == 2002
    assert rapport.view(records, rapport.build(records, 2001, DAY)).title == "Rapport annuel 2001"
