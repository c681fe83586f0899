"""Diagnostics: the problems found in the records, as values.

Every check returns `Diagnostic` values; only the command line turns them into
text, JSON and an exit code (the beancount habit: errors are values).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .vocabulary import plural

Severity = Literal["error", "warning"]
# A place inside a record: its keys and list indexes, from the top.
Loc = tuple[str | int, ...]

SEVERITY_LABELS = {"error": "erreur", "warning": "avertissement"}
# Problems of one code in one file shown in text; the others are counted on one line
# (« … et 19 980 autres problèmes de ce type »). JSON lists them all.
SHOWN_PER_FILE = 20


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, at `file:line:column` (1-based), relative to the workspace."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    # Orders diagnostics at the same place by what they are about (a period's start day),
    # not by their French text: « avril » would come before « janvier ». Not shown.
    rank: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        # A record value quoted in a message may hold a line break or ESC: shown as
        # `\n`, `\x1b`, so that one problem is always one line, in text as in JSON.
        if not self.message.isprintable():
            object.__setattr__(self, "message", one_line(self.message))
        if not self.file.isprintable():
            object.__setattr__(self, "file", one_line(self.file))

    def as_text(self) -> str:
        from .escape import terminal_line

        label = SEVERITY_LABELS[self.severity]
        return terminal_line(f"{self.file}:{self.line}:{self.column}: {label}: {self.message}")

    def sort_key(self) -> tuple[str, int, int, str, int, str]:
        return (self.file, self.line, self.column, self.code, self.rank, self.message)

    def as_dict(self) -> dict[str, str | int]:
        """The JSON object: `file`, `line`, `column`, `severity`, `code`, `message`."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


_VISIBLE = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """Line breaks and control characters made visible: `a\nb` → `a\\nb`."""
    from .escape import terminal

    text = "".join(_VISIBLE.get(char, char) for char in text)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return terminal(text)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word`, if one is close enough to be a typo."""
    candidates = [c for c in candidates if c is not None]
    if not isinstance(word, str) or not candidates:
        return None
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        matches = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)]
    return matches[0] if matches else None


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """` ; vouliez-vous dire « x » ?` when a candidate is close, else ``."""
    found = closest(word, candidates)
    return f" ; vouliez-vous dire « {found} » ?" if found else ""


def summary_line(diagnostics: list[Diagnostic], file_count: int) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    return f"{plural(errors, 'erreur')}, {plural(warnings, 'avertissement')} dans {plural(file_count, 'fichier')}"


def as_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], ensure_ascii=False, indent=2)


def capped(diagnostics: Iterable[Diagnostic], shown: int = SHOWN_PER_FILE) -> list[Diagnostic]:
    """At most `shown` problems of a code per file, then one line counting the others, at the first hidden."""
    counts: dict[tuple[str, str, str], int] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.file, diagnostic.code, diagnostic.severity)
        counts[key] = counts.get(key, 0) + 1
    kept, seen = [], dict.fromkeys(counts, 0)
    for diagnostic in diagnostics:
        key = (diagnostic.file, diagnostic.code, diagnostic.severity)
        seen[key] += 1
        if seen[key] <= shown:
            kept.append(diagnostic)
        elif seen[key] == shown + 1:
            others = counts[key] - shown
            number = f"{others:,}".replace(",", "\u202f")
            kept.append(
                Diagnostic(
                    diagnostic.file,
                    diagnostic.line,
                    diagnostic.column,
                    diagnostic.severity,
                    diagnostic.code,
                    f"… et {number} {'autre problème' if others == 1 else 'autres problèmes'} de ce type "
                    f"({diagnostic.code}) dans ce fichier : « gasp validate --format json » les liste tous",
                )
            )
    return kept


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by place, with exact duplicates removed."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def with_severity(diagnostics: list[Diagnostic], strict: bool) -> list[Diagnostic]:
    """`--strict`: warnings count as errors."""
    if not strict:
        return diagnostics
    return [
        Diagnostic(d.file, d.line, d.column, "error", d.code, d.message, d.rank) if d.severity == "warning" else d
        for d in diagnostics
    ]
