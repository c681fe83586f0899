"""`gasp trace proposal` in each format: French terminal table, Markdown, JSON and Mermaid."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import escape
from ..lifecycle import label
from ..loader import Records
from ..models import Observation
from ..names import group_name, theme_title
from ..trace import Summary, Trace, document_of
from ..vocabulary import PROPOSAL_STATUSES, long_date
from .base import Template, Writer

if TYPE_CHECKING:
    from rich.console import Console

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


def _days_cell(row: Summary) -> str:
    """« 190 / 372 »: to the first decision, then to the last; one number when they are the same."""
    first, last = row.days_to_first_decision, row.days_to_decision
    if last is None:
        return ""
    return str(last) if first is None or first == last else f"{first} / {last}"


def _list_cells(records: Records, row: Summary) -> list[str]:
    return [
        row.id,
        row.title,
        theme_title(records, row.theme),
        _group_name(records, row.raised_by) if row.raised_by else "",
        row.raised_on.strftime("%d/%m/%Y") if row.raised_on else "",
        label(row.status),
        EVENT_WORDS[row.outcome] if row.outcome else "",
        row.decided_on.strftime("%d/%m/%Y") if row.decided_on else "",
        _days_cell(row),
    ]


LIST_HEADINGS = ["Id", "Proposition", "Thème", "Soulevée par", "Le", "Statut", "Décision", "Décidée le", "Jours"]
DAYS_LEGEND = "Jours : de la proposition à la première décision / à la dernière (un seul nombre quand c’est la même)."

# Below these widths the terminal list drops columns, then turns into one block a proposal:
# an id is what one types next, so it is never cut.
FULL_TABLE_WIDTH = 150
# A longer word than this (a URL…) may be cut rather than turn the table into blocks.
MAX_WORD_WIDTH = 24
COMPACT_TABLE_SPARE = 40


@dataclass
class TraceList:
    """`gasp trace proposal` without an ID: one summary a proposal. JSON: the summaries;
    md: trace-list.md.j2, a row of cells a proposal."""

    title: str
    rows: list[Summary]
    records: Records
    headings: tuple[str, ...] = tuple(LIST_HEADINGS)
    legend: str = DAYS_LEGEND

    def as_json(self) -> list[dict[str, Any]]:
        return [row.as_json() for row in self.rows]

    @property
    def cells(self) -> list[list[str]]:
        return [_list_cells(self.records, row) for row in self.rows]


LIST_FORMATS: dict[str, Template | Writer] = {"md": "trace-list.md.j2"}


def list_table(records: Records, rows: list[Summary], title: str) -> None:
    from rich.table import Table

    from ..terminal import console as terminal_console
    from ..terminal import safe_text as Text

    console = terminal_console()
    if not rows:
        console.print(Text(f"{title} : aucune proposition."))
        return
    id_width = max(len(row.id) for row in rows)
    if console.width < id_width + COMPACT_TABLE_SPARE:
        _list_blocks(console, records, rows, title)
        return
    compact = console.width < FULL_TABLE_WIDTH
    shown = ["Id", "Proposition", "Statut", "Jours"] if compact else LIST_HEADINGS
    lines = [dict(zip(LIST_HEADINGS, _list_cells(records, row), strict=True)) for row in rows]
    if compact and _proposition_room(lines, id_width, console.width) < _longest_word(lines, "Proposition"):
        # The title column would cut a word (« agglomérati » / « on »): one block a proposal instead.
        _list_blocks(console, records, rows, title)
        return
    table = Table(title=Text(title), title_justify="left", caption=Text(DAYS_LEGEND), caption_justify="left")
    for heading in shown:
        if heading == "Id":
            table.add_column(heading, no_wrap=True, min_width=id_width)
        elif heading == "Proposition":
            table.add_column(heading, overflow="fold", ratio=3)
        else:
            table.add_column(
                heading,
                no_wrap=heading in ("Le", "Décidée le", "Jours"),
                justify="right" if heading == "Jours" else "left",
                ratio=None if heading in ("Le", "Décidée le", "Jours") else 1,
            )
    for line in lines:
        table.add_row(*(Text(line[heading]) for heading in shown))
    console.print(table)
    if compact:
        console.print(
            Text(f"Thème, groupe et dates : élargissez le terminal à {FULL_TABLE_WIDTH} colonnes, ou --format md."),
            style="dim",
        )


def _longest_word(lines: list[dict[str, str]], heading: str) -> int:
    """The longest word of a column (words joined by a non-breaking space count as one, as rich sees them)."""
    return min(MAX_WORD_WIDTH, max((len(word) for line in lines for word in line[heading].split(" ")), default=1))


def _proposition_room(lines: list[dict[str, str]], id_width: int, width: int) -> int:
    """The width left to the title in the compact table: the id, the status and the days do not wrap."""
    status = max(len("Statut"), *(len(line["Statut"]) for line in lines))
    days = max(len("Jours"), *(len(line["Jours"]) for line in lines))
    borders = 5 + 2 * 4  # five rules, and one space each side of four columns
    return width - borders - id_width - status - days


def _list_blocks(console: Console, records: Records, rows: list[Summary], title: str) -> None:
    """One block a proposal, for a narrow terminal: the id on its own line, never cut."""
    from ..terminal import safe_text as Text

    console.print(Text(title, style="bold"))
    for row in rows:
        cells = dict(zip(LIST_HEADINGS, _list_cells(records, row), strict=True))
        console.print()
        console.print(Text(row.id, style="bold"), no_wrap=True, overflow="ignore", crop=False)
        console.print(Text(row.title))
        raised = f"soulevée par {cells['Soulevée par']} le {cells['Le']}" if row.raised_on else "pas encore soulevée"
        console.print(Text(f"{raised} · {cells['Statut']}"))
        if row.decided_on:
            console.print(Text(f"{cells['Décision']} le {cells['Décidée le']} · jours : {cells['Jours']}"))
    console.print()
    console.print(Text(DAYS_LEGEND, style="dim"))


# --- one proposal ----------------------------------------------------------------------


def _event_rows(records: Records, trace: Trace) -> list[list[str]]:
    rows = []
    previous = None
    for event in trace.history.events:
        rows.append(
            [
                event.date.strftime("%d/%m/%Y"),
                _gap(previous, event.date),
                _group_name(records, event.group),
                event.meeting or "",
                EVENT_WORDS[event.kind],
                (event.note or "").strip(),
            ]
        )
        previous = event.date
    return rows


EVENT_HEADINGS = ["Date", "Écart", "Groupe", "Réunion", "Événement", "Note"]


def _links(trace: Trace) -> list[str]:
    links = []
    if trace.replaces:
        links.append(f"Remplace : {trace.replaces}")
    if trace.replaced_by:
        links.append(f"Remplacée par : {trace.replaced_by}")
    return links


@dataclass
class EventRow:
    """A row of a proposal's events: the meeting's cell links its compte rendu when there is one."""

    before: list[str]  # date, gap, group
    meeting: str
    document: str  # the compte rendu's path, or ""
    after: list[str]  # event, note


@dataclass
class TracePage:
    """`gasp trace proposal ID`: one proposal's story. JSON: the trace; md: trace.md.j2; mermaid."""

    trace: Trace
    records: Records
    standing: str

    def as_json(self) -> dict[str, Any]:
        return self.trace.as_json()

    @property
    def title(self) -> str:
        return self.trace.title

    @property
    def id(self) -> str:
        return self.trace.id

    @property
    def theme(self) -> str:
        return theme_title(self.records, self.trace.theme)

    @property
    def status(self) -> str:
        return label(self.trace.status)

    @property
    def links(self) -> list[str]:
        return _links(self.trace)

    @property
    def headings(self) -> list[str]:
        return EVENT_HEADINGS

    @property
    def observations(self) -> list[str]:
        """The sociologist's private notes on this proposal: in the trace and the export only."""
        return [_observed(oid, observation) for oid, observation in self.trace.observations]

    @property
    def events(self) -> list[EventRow]:
        return [
            EventRow(row[:3], row[3], document_of(event) or "", row[4:])
            for event, row in zip(self.trace.history.events, _event_rows(self.records, self.trace), strict=True)
        ]


FORMATS: dict[str, Template | Writer] = {
    "md": "trace.md.j2",
    "mermaid": lambda page, timestamp: trace_mermaid(page.records, page.trace),
}


def _observed(oid: str, observation: Observation) -> str:
    where = f", réunion {observation.meeting}" if observation.meeting else ""
    return f"{long_date(observation.date)} ({oid}{where}) : {observation.text}"


def trace_table(records: Records, trace: Trace, standing: str) -> None:
    from rich.table import Table

    from ..terminal import console as terminal_console
    from ..terminal import safe_text as Text

    console = terminal_console()
    console.print(Text(trace.title, style="bold"))
    console.print(Text(trace.id), no_wrap=True, overflow="ignore", crop=False)
    console.print(Text(f"{theme_title(records, trace.theme)} · {label(trace.status)}"))
    for link in _links(trace):
        console.print(Text(link))
    events = _event_rows(records, trace)
    meeting_width = max(len(row[3]) for row in events) if events else 0
    if events and console.width >= meeting_width + EVENT_TABLE_SPARE:
        narrow = console.width < 120
        table = Table(expand=narrow)
        headings = [h for h in EVENT_HEADINGS if not (narrow and h == "Écart")]  # the gap goes under the date
        for heading in headings:
            if heading == "Réunion":  # an id, typed next: never cut
                table.add_column(heading, no_wrap=True, min_width=meeting_width)
            elif heading in ("Date", "Écart"):
                table.add_column(heading, no_wrap=True)
            else:
                table.add_column(
                    heading,
                    overflow="fold",
                    ratio=3 if heading == "Note" else 2,
                    min_width=None if heading == "Note" else 10,
                )
        for row in events:
            cells = dict(zip(EVENT_HEADINGS, row, strict=True))
            if narrow and cells["Écart"]:
                cells["Date"] += "\n" + cells["Écart"]
            table.add_row(*(Text(cells[heading]) for heading in headings))
        console.print(table)
        documents = [document for e in trace.history.events if (document := document_of(e))]
        if documents:
            console.print(Text("Comptes rendus, dans out/ : comptes-rendus/<réunion>.html"), style="dim")
    elif events:
        # A narrow terminal: one block an event, ids and paths on their own lines, never cut.
        for event, row in zip(trace.history.events, events, strict=True):
            date, gap, group, meeting, what, note = row
            console.print()
            console.print(Text(" · ".join(part for part in (date + (f" ({gap})" if gap else ""), group, what) if part)))
            document = document_of(event)
            for line in (meeting, document):
                if line:
                    console.print(Text(line), no_wrap=True, overflow="ignore", crop=False)
            if note:
                console.print(Text(note))
        console.print()
    console.print(Text(f"Où elle en est : {standing}."))
    if trace.observations:
        console.print()
        console.print(Text("Observations de terrain :", style="bold"))
        for oid, observation in trace.observations:
            console.print(Text(f"  • {_observed(oid, observation)}"))


EVENT_TABLE_SPARE = 56


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
        text = "<br/>".join(
            [
                mermaid_text(_group_name(records, event.group)),
                mermaid_text(long_date(event.date)),
                mermaid_text(EVENT_WORDS[event.kind]),
            ]
        )
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
        if previous_id is not None and previous_date is not None:  # both set together
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
