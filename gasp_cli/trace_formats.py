"""`gasp trace proposal` in each format: French terminal table, Markdown, JSON and Mermaid."""

from __future__ import annotations

import datetime
import json

from . import escape
from .labels import PROPOSAL_STATUSES, long_date
from .lifecycle import label
from .loader import Records
from .names import group_name, theme_title
from .trace import Summary, Trace

# A milestone « in-progress » reads better as the start of the work.
EVENT_WORDS = {**PROPOSAL_STATUSES, "in-progress": "mise en œuvre commencée"}


def _group_name(records: Records, group_id: str | None) -> str:
    """A milestone has no group: it is the implementation's."""
    return group_name(records, group_id) if group_id else "mise en œuvre"


def _gap(previous: datetime.date | None, current: datetime.date) -> str:
    if previous is None:
        return ""
    days = (current - previous).days
    return f"+{days} j"


# --- the list --------------------------------------------------------------------------

def list_json(rows: list[Summary]) -> str:
    return json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2) + "\n"


def _list_cells(records: Records, row: Summary) -> list[str]:
    return [
        row.id, row.title, theme_title(records, row.theme),
        _group_name(records, row.raised_by) if row.raised_by else "",
        row.raised_on.strftime("%d/%m/%Y") if row.raised_on else "",
        label(row.status),
        EVENT_WORDS[row.outcome] if row.outcome else "",
        row.decided_on.strftime("%d/%m/%Y") if row.decided_on else "",
        str(row.days_to_decision) if row.days_to_decision is not None else "",
    ]


LIST_HEADINGS = ["Id", "Proposition", "Thème", "Soulevée par", "Le", "Statut", "Décision", "Décidée le", "Jours"]


def list_markdown(records: Records, rows: list[Summary], title: str) -> str:
    lines = [f"# {escape.markdown(title)}", ""]
    if not rows:
        return "\n".join(lines + ["Aucune proposition.", ""])
    lines.append("| " + " | ".join(LIST_HEADINGS) + " |")
    lines.append("|" + "---|" * len(LIST_HEADINGS))
    for row in rows:
        lines.append("| " + " | ".join(escape.markdown_cell(c) for c in _list_cells(records, row)) + " |")
    return "\n".join(lines) + "\n"


def list_table(records: Records, rows: list[Summary], title: str) -> None:
    from rich.table import Table

    from .terminal import console as terminal_console
    from .terminal import safe_text as Text

    console = terminal_console()
    if not rows:
        console.print(Text(f"{title} : aucune proposition."))
        return
    table = Table(title=Text(title), title_justify="left")
    for heading in LIST_HEADINGS:
        table.add_column(heading, no_wrap=heading in ("Le", "Décidée le", "Jours"),
                         justify="right" if heading == "Jours" else "left")
    for row in rows:
        table.add_row(*(Text(cell) for cell in _list_cells(records, row)))
    console.print(table)


# --- one proposal ----------------------------------------------------------------------

def _event_rows(records: Records, trace: Trace) -> list[list[str]]:
    rows = []
    previous = None
    for event in trace.history.events:
        rows.append([
            event.date.strftime("%d/%m/%Y"), _gap(previous, event.date), _group_name(records, event.group),
            event.meeting or "", EVENT_WORDS[event.kind], event.note or "",
        ])
        previous = event.date
    return rows


EVENT_HEADINGS = ["Date", "Écart", "Groupe", "Réunion", "Événement", "Note"]


def trace_json(trace: Trace) -> str:
    return json.dumps(trace.as_json(), ensure_ascii=False, indent=2) + "\n"


def _links(trace: Trace) -> list[str]:
    links = []
    if trace.replaces:
        links.append(f"Remplace : {trace.replaces}")
    if trace.replaced_by:
        links.append(f"Remplacée par : {trace.replaced_by}")
    return links


def trace_markdown(records: Records, trace: Trace, standing: str) -> str:
    lines = [
        f"# {escape.markdown(trace.title)}", "",
        f"- Identifiant : `{trace.id}`",
        f"- Thème : {escape.markdown(theme_title(records, trace.theme))}",
        f"- Statut : {escape.markdown(label(trace.status))}",
        *(f"- {escape.markdown(link)}" for link in _links(trace)),
        "",
    ]
    events = _event_rows(records, trace)
    if events:
        lines.append("| " + " | ".join(EVENT_HEADINGS) + " |")
        lines.append("|" + "---|" * len(EVENT_HEADINGS))
        lines += ["| " + " | ".join(escape.markdown_cell(c) for c in row) + " |" for row in events]
        lines.append("")
    lines.append(f"**Où elle en est :** {escape.markdown(standing)}.")
    return "\n".join(lines) + "\n"


def trace_table(records: Records, trace: Trace, standing: str) -> None:
    from rich.table import Table

    from .terminal import console as terminal_console
    from .terminal import safe_text as Text

    console = terminal_console()
    console.print(Text(trace.title, style="bold"))
    console.print(Text(f"{trace.id} · {theme_title(records, trace.theme)} · {label(trace.status)}"))
    for link in _links(trace):
        console.print(Text(link))
    events = _event_rows(records, trace)
    if events:
        table = Table()
        for heading in EVENT_HEADINGS:
            table.add_column(heading, no_wrap=heading in ("Date", "Écart"))
        for row in events:
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
    console.print(Text(f"Où elle en est : {standing}."))


# --- Mermaid -------------------------------------------------------------------------------
# The flowchart uses a small part of Mermaid's grammar, checked by the tests:
#   flowchart LR
#   <id>["label"]        a meeting event (rectangle)
#   <id>{{"label"}}      a decision (hexagon)
#   <id>(["label"])      a milestone (stadium)
#   <id> -->|"label"| <id>   the time between two steps
#   <id> -.-> <id>       what the proposal replaces, or is replaced by
#   classDef <name> <css>;  class <id> <name>
# Labels are always quoted; inside them `#`, `"`, `<`, `>`, `&` and `|` are written as
# Mermaid entity codes (#35; #quot; #lt; #gt; #amp; #124;), and `<br/>` breaks lines.

_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "|": "#124;"}


def mermaid_text(text: str) -> str:
    return "".join(_MERMAID_ENTITIES.get(char, char) for char in escape.mermaid(text))


def trace_mermaid(records: Records, trace: Trace) -> str:
    lines = ["flowchart LR"]
    previous_id = None
    previous_date = None
    for index, event in enumerate(trace.history.events):
        node = f"e{index}"
        text = "<br/>".join([
            mermaid_text(_group_name(records, event.group)),
            mermaid_text(long_date(event.date)),
            mermaid_text(EVENT_WORDS[event.kind]),
        ])
        if event.meeting is None:
            lines.append(f'  {node}(["{text}"])')
            kind = "milestone"
        elif event.is_decision:
            lines.append(f'  {node}{{{{"{text}"}}}}')
            kind = "decision"
        else:
            lines.append(f'  {node}["{text}"]')
            kind = "meeting"
        lines.append(f"  class {node} {kind}")
        if previous_id is not None:
            days = (event.date - previous_date).days
            lines.append(f'  {previous_id} -->|"{days} j"| {node}')
        previous_id, previous_date = node, event.date
    if not trace.history.events:
        lines.append(f'  e0["{mermaid_text(trace.title)}<br/>pas encore soulevée"]')
    first = "e0"
    if trace.replaces:
        lines.append(f'  replaces["{mermaid_text("Remplace « " + trace.replaces + " »")}"]')
        lines.append(f"  replaces -.-> {first}")
    if trace.replaced_by:
        last = previous_id or first
        lines.append(f'  replaced_by["{mermaid_text("Remplacée par « " + trace.replaced_by + " »")}"]')
        lines.append(f"  {last} -.-> replaced_by")
    lines += [
        "  classDef meeting fill:#eef3fb,stroke:#33658a",
        "  classDef decision fill:#fdf1d6,stroke:#b07d1a",
        "  classDef milestone fill:#e6f4ea,stroke:#2e7d32",
    ]
    return "\n".join(lines) + "\n"
