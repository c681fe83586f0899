"""documents/trace.py."""

from __future__ import annotations

import datetime

from conftest import EXAMPLE

DAY = datetime.date(2002, 6, 30)


def _records():
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), DAY)
    return records


def test_trace_markdown_escapes_record_text():
    from gasp_cli.documents import trace as formats
    from gasp_cli.trace import standing, trace

    records = _records()
    pid = sorted(records.proposals)[0]
    records.proposals[pid] = records.proposals[pid].model_copy(update={"title": "*gras* <b>"})
    found = trace(records, pid)
    text = formats.trace_markdown(records, found, standing(found, DAY))
    assert text.startswith("# \\*gras\\*") or "\\*gras\\*" in text.splitlines()[0]
