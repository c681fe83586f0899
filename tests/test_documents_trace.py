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


def test_trace_markdown_goes_through_its_template_and_escapes_record_text():
    from gasp_cli.documents import trace as formats
    from gasp_cli.render.documents import output
    from gasp_cli.trace import standing, trace

    records = _records()
    pid = sorted(records.proposals)[0]
    records.proposals[pid] = records.proposals[pid].model_copy(update={"title": "*gras* | <b>"})
    found = trace(records, pid)
    page = formats.TracePage(found, records, standing(found, DAY))
    text = output(formats.FORMATS, "md", page, None, datetime.datetime(2002, 6, 30, tzinfo=datetime.UTC))
    assert text.splitlines()[0] == "# \\*gras\\* | <b>" or text.splitlines()[0].startswith("# \\*gras\\*")
    assert formats.FORMATS["md"] == "trace.md.j2" and "mermaid" in formats.FORMATS
