"""Change one meeting's record as a careful hand would: the monthly entries of `gasp serve`.

A meeting file is read by ruamel.yaml's round-trip parser, which keeps its comments and
layout; one change is made to the tree (the attendance, a line of the tour de table, a
proposal raised or discussed, a decision, the day the compte rendu went out) and the file is
written back with the indentation it had. Before anything is written, the whole workspace is
checked with the new text in a scratch copy, as `gasp validate` would: a change that brings an
error is refused with that error. The file is replaced whole (written beside, then renamed),
and only if it is still the one the form was made from.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic
from .workspace import Workspace


class EditError(Exception):
    """A change that cannot be made; the message is French. Nothing was written."""


@dataclass(frozen=True)
class Edit:
    path: Path
    old_text: str
    new_text: str
    errors: tuple[Diagnostic, ...] = ()


def digest(text: str) -> str:
    """What a form remembers of the file it was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Indentations and widths people (and gasp new) write YAML with: the first that writes the file
# back unchanged is kept for the changed file.
_LAYOUTS = [(4096, 4, 2), (4096, 2, 0), (80, 2, 0), (80, 4, 2), (100, 2, 0), (100, 4, 2)]


def _handler(width: int, sequence: int, offset: int) -> Any:
    from ruamel.yaml import YAML

    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = width
    handler.indent(mapping=2, sequence=sequence, offset=offset)
    return handler


def _dump(handler: Any, tree: Any) -> str:
    stream = io.StringIO()
    handler.dump(tree, stream)
    return stream.getvalue()


def changed_text(text: str, change: Callable[[Any], None]) -> str:
    """The file's text after `change` of its round-trip tree, in the file's own layout."""
    layout = next(
        (layout for layout in _LAYOUTS if _dump(_handler(*layout), _handler(*layout).load(text)) == text), None
    )
    handler = _handler(*(layout or _LAYOUTS[0]))
    tree = handler.load(text)
    if not isinstance(tree, dict):
        raise EditError("ce fichier n'est pas une réunion lisible : corrigez-le d'abord")
    change(tree)
    return _dump(handler, tree)


# --- the changes ---------------------------------------------------------------------------------


def attendance(status: str, attendees: list[str], excused: list[str]) -> Callable[[Any], None]:
    def change(tree: Any) -> None:
        tree["status"] = status
        tree["attendees"] = _flow_if_empty(attendees)
        tree["excused"] = _flow_if_empty(excused)

    return change


def problem_raised(theme: str | None, note: str) -> Callable[[Any], None]:
    def change(tree: Any) -> None:
        item: dict[str, str] = {"theme": theme} if theme else {}
        item["note"] = note
        _append(tree, "problems_raised", item)

    return change


def proposal_event(proposal: str, event: str, note: str | None) -> Callable[[Any], None]:
    def change(tree: Any) -> None:
        _append(tree, "proposals", {"proposal": proposal, "event": event, **({"note": note} if note else {})})

    return change


def decision(proposal: str, outcome: str, note: str | None) -> Callable[[Any], None]:
    def change(tree: Any) -> None:
        _append(tree, "decisions", {"proposal": proposal, "outcome": outcome, **({"note": note} if note else {})})

    return change


def minutes_sent(day: datetime.date) -> Callable[[Any], None]:
    def change(tree: Any) -> None:
        tree["minutes_sent"] = day

    return change


def _flow_if_empty(values: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    sequence = CommentedSeq(values)
    if not values:
        sequence.fa.set_flow_style()  # `excused: []`, as gasp new writes it
    return sequence


def _append(tree: Any, key: str, item: dict[str, str]) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = CommentedMap()
    for name, value in item.items():
        entry[name] = _text(value)
    current = tree.get(key)
    if isinstance(current, list):
        current.append(entry)
    else:
        tree[key] = CommentedSeq([entry])


def _text(value: str) -> Any:
    """A long note keeps its line breaks (a `|` block); a one-line value is written plain when YAML
    reads it back as the same text, else quoted."""
    import yaml
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if "\n" in value:
        return LiteralScalarString(value.rstrip("\n") + "\n")
    try:
        plain = yaml.safe_load(value) == value and ": " not in value and " #" not in value
    except yaml.YAMLError:
        plain = False
    return value if plain else DoubleQuotedScalarString(value)


# --- checking and writing -------------------------------------------------------------------------


def prepare(
    workspace: Workspace, path: Path, expected: str, change: Callable[[Any], None], today: datetime.date
) -> Edit:
    """The change made to the text, and the errors `gasp validate` would find with it (new ones only)."""
    try:
        old_text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise EditError(f"« {workspace.rel(path)} » illisible : {error.strerror or error}") from None
    if digest(old_text) != expected:
        raise EditError(
            f"« {workspace.rel(path)} » a changé depuis l'ouverture du formulaire : rechargez la page, "
            "rien n'a été écrit"
        )
    new_text = changed_text(old_text, change)
    return Edit(path, old_text, new_text, tuple(_new_errors(workspace, path, old_text, new_text, today)))


def _new_errors(
    workspace: Workspace, path: Path, old_text: str, new_text: str, today: datetime.date
) -> list[Diagnostic]:
    """The errors of the workspace with the new text (in a scratch copy) that it has not now."""
    from .checks import check_workspace

    _, now = check_workspace(workspace, today)
    before = {(d.code, d.message) for d in now if d.severity == "error"}
    with tempfile.TemporaryDirectory(prefix="gasp-saisie-") as scratch:
        copy = Workspace(Path(scratch))
        shutil.copytree(workspace.records, copy.records, symlinks=False)
        (copy.records / path.relative_to(workspace.records)).write_text(new_text, encoding="utf-8")
        _, after = check_workspace(copy, today)
    return [d for d in after if d.severity == "error" and (d.code, d.message) not in before]


def write(edit: Edit) -> None:
    """The new text in place of the old, whole: written beside, then renamed over it."""
    if edit.errors:
        raise EditError("la saisie introduit des erreurs : rien n'a été écrit")
    current = edit.path.read_text(encoding="utf-8")
    if current != edit.old_text:
        raise EditError("le fichier a changé pendant la saisie : rechargez la page, rien n'a été écrit")
    handle, name = tempfile.mkstemp(prefix=f".{edit.path.name}.", suffix=".tmp", dir=edit.path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(edit.new_text)
        os.chmod(name, edit.path.stat().st_mode & 0o7777)
        os.replace(name, edit.path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
