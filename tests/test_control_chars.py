"""Control characters in record text never reach an output raw (issue 11).

A bare CR once slipped past Markdown's line-start escaping (`Texte.\\r# TITRE` became a
heading), and ESC, OSC 8 links, NUL and U+202E were copied into .md, .html, .ics and
Mermaid. Long text keeps its lines (CR and CRLF become LF); every other control
character is shown, as in the terminal (`\\x1b`). validate refuses them in one-line
fields; the escaping here holds by itself, whatever a record holds.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from conftest import gasp
from gasp_cli import escape

OSC8 = "\x1b]8;;https://piege.example\x1b\\cliquez\x1b]8;;\x1b\\"
HOSTILE = f"Texte.\r# TITRE\r\n- point\rsuite {OSC8} \x1b[31mrouge\x00 nul \u202eenrevers \x7f\x85 \u2066iso\u2069"
RAW = ("\x1b", "\x00", "\u202e", "\u2066", "\x7f", "\x85", "\r")


def _no_raw_controls(text: str) -> None:
    for char in RAW:
        assert char not in text, (repr(char), text[:300])


def _headings(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


@pytest.mark.parametrize(
    "text",
    [
        "Texte.\r# TITRE",
        "Texte.\r\n# TITRE",
        "Texte.\n# TITRE",
        "a\u2028# TITRE",
        "Texte.\r=====",
        "Texte.\r---",
        "x\r1. un",
        "x\r> cité",
        "x\r```",
    ],
)
def test_no_line_of_record_text_starts_markdown(text: str):
    escaped = escape.markdown(text)
    rendered = MarkdownIt("commonmark").render(escaped)
    for tag in ("<h1", "<h2", "<ol", "<ul", "<blockquote", "<pre", "<hr"):
        assert tag not in rendered, (text, escaped, rendered)


# Pieces of Markdown syntax, line breaks of every kind, control characters, indentation.
MARKDOWN_PIECES = st.lists(
    st.sampled_from(
        [
            *"#*_-+=>|`~[]()!<&\\:.1) \t\r\nabc\x1b\u2028",
            "    ",
            "```",
            "1.",
            "http://x",
            "<b>",
            "&amp;",
            "***",
            "\r\n",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=MARKDOWN_PIECES)
def test_escaped_text_is_only_paragraphs_of_text(text: str):
    """Whatever the record holds, a CommonMark reader sees text in paragraphs, no markup."""
    rendered = MarkdownIt("commonmark").render(escape.markdown(text))
    assert set(re.findall(r"<(\w+)", rendered)) <= {"p", "br"}, (text, escape.markdown(text), rendered)


def test_line_breaks_are_kept_as_lf():
    assert escape.markdown("un\r\ndeux\rtrois\nquatre") == "un\ndeux\ntrois\nquatre"
    assert escape.markdown("    code ?\n\tnon") == "code ?\nnon"
    assert escape.html("un\r\ndeux\rtrois") == "un\ndeux\ntrois"


def test_a_number_is_escaped_after_it():
    """CommonMark escapes punctuation only: « \\1. » would show its backslash."""
    assert escape.markdown("1. un") == "1\\. un"
    assert MarkdownIt("commonmark").render(escape.markdown("1. un")) == "<p>1. un</p>\n"


@pytest.mark.parametrize("name", ["markdown", "markdown_cell", "html", "ics", "mermaid", "typst", "terminal"])
def test_every_escape_shows_control_characters(name: str):
    format_escape = getattr(escape, name)
    escaped = format_escape(HOSTILE)
    for char in ("\x1b", "\x00", "\u202e", "\u2066", "\x7f", "\x85"):
        assert char not in escaped
    assert "x1b" in escaped and "u202e" in escaped
    if name != "terminal":
        assert "\r" not in escaped


def _records(example: Path):
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(example), datetime.date(2002, 6, 30))
    return records


def test_ics_text_shows_control_characters_even_from_one_line_fields(example: Path):
    """validate refuses these in names; the ICS must not depend on it."""
    from icalendar import Calendar

    from gasp_cli.calendar import calendar_rows, holidays_for
    from gasp_cli.documents.calendrier import as_ics

    records = _records(example)
    records.groups["agents"] = records.groups["agents"].model_copy(update={"name": HOSTILE})
    start, end = datetime.date(2001, 1, 1), datetime.date(2001, 12, 31)
    rows = calendar_rows(records, start, end, holidays_for(records, start, end), ["agents"])
    ics = as_ics(rows, records, f"Calendrier {HOSTILE}", datetime.datetime(2002, 6, 30, tzinfo=datetime.UTC))
    text = ics.decode("utf-8")
    for char in ("\x1b", "\x00", "\u202e", "\u2066", "\x7f", "\x85"):
        assert char not in text, repr(char)
    # Lines end in CRLF; no CR anywhere else (a bare CR once injected a property).
    assert "\r" not in text.replace("\r\n", "")
    calendar = Calendar.from_ical(ics)
    assert all("x1b" in str(event["summary"]) for event in calendar.walk("VEVENT"))


def test_mermaid_labels_show_control_characters(example: Path):
    from gasp_cli.documents.trace import trace_mermaid
    from gasp_cli.lifecycle import histories
    from gasp_cli.trace import trace

    records = _records(example)
    records.groups["agents"] = records.groups["agents"].model_copy(update={"name": HOSTILE})
    derived = histories(records)
    proposal = next(pid for pid, history in sorted(derived.items()) if any(e.group == "agents" for e in history.events))
    records.proposals[proposal] = records.proposals[proposal].model_copy(update={"title": HOSTILE})
    text = trace_mermaid(records, trace(records, proposal, derived))
    _no_raw_controls(text)
    assert "x1b" in text


def _hostile_meeting(example: Path) -> None:
    meeting = example / "records/meetings/2000/2000-09-12-agents.yaml"
    text = meeting.read_text(encoding="utf-8")
    start = text.index("discussion:")
    end = text.index("actions:")
    quoted = (
        HOSTILE.replace("\\", "\\\\")
        .replace("\r", "\\r")
        .replace("\n", "\\n")
        .replace("\x1b", "\\e")
        .replace("\x00", "\\0")
        .replace("\u202e", "\\u202E")
        .replace("\u2066", "\\u2066")
        .replace("\u2069", "\\u2069")
        .replace("\x7f", "\\x7F")
        .replace("\x85", "\\N")
    )
    meeting.write_text(text[:start] + f'discussion: "{quoted}"\n' + text[end:], encoding="utf-8")


def test_rendered_documents_hold_no_raw_control_character(example: Path):
    _hostile_meeting(example)
    out = example / "rendu"
    result = gasp(
        "render",
        "2000-09-12-agents",
        "--format",
        "md,html",
        "--out",
        str(out),
        workspace=example,
        env={"SOURCE_DATE_EPOCH": "1025395200"},
    )
    assert result.exit_code == 0, result.output
    documents = sorted(out.rglob("2000-09-12-agents.*"))
    assert {p.suffix for p in documents} == {".md", ".html"}
    for path in documents:
        text = path.read_text(encoding="utf-8")
        _no_raw_controls(text)
        assert "x1b" in text, path
        if path.suffix == ".md":
            assert not any("TITRE" in heading for heading in _headings(text)), path
        else:
            # « - point » at a line's start is a list item in every format (DESIGN.md, Input rules).
            assert "<h1>TITRE" not in text and "<ul><li>point</li></ul>" in text


def test_the_report_in_html_and_md_holds_no_raw_control_character(example: Path):
    """`report --format html` on stdout: titles and names as hostile as a record could hold."""
    from gasp_cli.documents import rapport
    from gasp_cli.render.documents import Renderer

    records = _records(example)
    for pid in list(records.proposals):
        records.proposals[pid] = records.proposals[pid].model_copy(update={"title": HOSTILE, "summary": HOSTILE})
    for gid in list(records.groups):
        records.groups[gid] = records.groups[gid].model_copy(update={"name": HOSTILE})
    view = rapport.view(records, rapport.build(records, 2001, datetime.date(2002, 6, 30)))
    renderer = Renderer(None, datetime.datetime(2002, 6, 30, tzinfo=datetime.UTC))
    for format in ("html", "md"):
        text = renderer.text(f"rapport.{format}.j2", format, view)
        _no_raw_controls(text)
        assert "x1b" in text
        if format == "md":
            assert not any("TITRE" in heading for heading in _headings(text))


def test_a_line_break_in_a_value_does_not_split_a_validate_diagnostic(example: Path):
    """A value quoted in a message once started a line of its own, shaped like another diagnostic."""
    (example / "records/people/zz.yaml").write_text(
        'name: X\nkind: "agentt\\nfaux.yaml:1:1: erreur: injecté\\r\\tfin"\n', encoding="utf-8"
    )
    result = gasp("validate", workspace=example, env={"GASP_TODAY": "2002-06-30"})
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert not any(line.startswith(("faux.yaml", "\t")) for line in lines), lines
    (line,) = [line for line in lines if line.startswith("records/people/zz.yaml")]
    assert "agentt\\nfaux.yaml:1:1" in line and "\\r\\tfin" in line
    _no_raw_controls(result.stderr)
