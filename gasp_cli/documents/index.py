"""index.html: every document gasp owns in out/, by section, newest first where it helps.

The sections are those of documents/registry.py (each kind's `sections`); each document says its
own title and date (`entry` in its module); the index only sorts them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..loader import Records
from ..names import gasp_name
from ..vocabulary import long_date, sort_key
from . import registry
from .base import Template

FORMATS: dict[str, Template] = {"html": "index.html.j2"}


@dataclass
class IndexGroup:
    """The documents of one year within a section (title "" when a section is not split by year)."""

    title: str
    links: list[IndexEntryLine]


@dataclass
class IndexSection:
    title: str
    groups: list[IndexGroup]


@dataclass
class IndexPage:
    gasp_name: str
    date: str
    sections: list[IndexSection]


_FORMAT_ORDER = ["html", "pdf", "md", "ics"]


def _describe_output(records: Records, stem: str, today: datetime.date, module: str) -> tuple[str, str]:
    """(title, date) of an output: the document that wrote it says it."""
    found = registry.document(module).entry(records, stem.rpartition("/")[2], today)
    return found if found is not None else (stem.rpartition("/")[2], "")


@dataclass
class IndexEntryLine:
    title: str
    date: str
    href: str
    formats: list[tuple[str, str]]


def _under(stem: str, prefix: str) -> bool:
    """Whether a file's stem belongs to a section of the index (a folder, or one file's stem)."""
    return stem.startswith(prefix) if prefix.endswith("/") else stem == prefix


def listed(paths: list[str]) -> list[str]:
    """The paths the index shows: those of its sections (not, say, the search index's own files,
    whose names change with every re-indexing), in order; the index reads nothing else of `paths`."""
    prefixes = [section.prefix for section, _ in registry.sections()]
    folders = tuple(prefix for prefix in prefixes if prefix.endswith("/"))
    files = {prefix for prefix in prefixes if not prefix.endswith("/")}
    shown = []
    for path in paths:
        stem, dot, _ = path.rpartition(".")
        if dot and "/" not in path[len(stem) :] and (stem.startswith(folders) or stem in files):
            shown.append(path)
    return sorted(shown)


def index_page(records: Records, paths: list[str], today: datetime.date) -> IndexPage:
    stems: dict[str, list[str]] = {}
    for path in listed(paths):
        stem, extension = path.rsplit(".", 1)
        stems.setdefault(stem, []).append(extension)
    sections = []
    for section, module in registry.sections():
        prefix = section.prefix
        entries = []
        for stem, extensions in stems.items():
            if not _under(stem, prefix):
                continue
            formats = sorted(extensions, key=lambda e: _FORMAT_ORDER.index(e) if e in _FORMAT_ORDER else 99)
            label, date = _describe_output(records, stem, today, module)
            shown = long_date(datetime.date.fromisoformat(date)) if len(date) == 10 else date
            entries.append(
                (
                    date,
                    sort_key(label),
                    IndexEntryLine(label, shown, f"{stem}.{formats[0]}", [(f.upper(), f"{stem}.{f}") for f in formats]),
                )
            )
        if not entries:
            continue
        entries.sort(key=lambda entry: entry[:2], reverse=section.newest_first)
        groups: dict[str, list[IndexEntryLine]] = {}
        for date, _, line in entries:
            groups.setdefault(date[:4] if section.by_year else "", []).append(line)
        sections.append(IndexSection(section.title, [IndexGroup(year, links) for year, links in groups.items()]))
    return IndexPage(gasp_name(records), long_date(today), sections)


def build(records: Records, paths: list[str], today: datetime.date) -> IndexPage:
    return index_page(records, paths, today)
