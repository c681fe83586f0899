"""`gasp rename KIND OLD NEW`: a record's new id, and every reference to it, in every file or in none.

Each record file is read by ruamel.yaml's round-trip parser, which tells where every
value stands. The references to OLD are changed in that tree, and in the text only
the id tokens are replaced, at the line and column ruamel gives, so that nothing else
in the file moves: comments and the spaces before them, quotes, line endings (CRLF
kept, line by line) and a BOM. The result is parsed again and must equal the expected
tree, and the whole workspace is checked in a scratch copy before anything is written.

Writing is all or nothing, at every point (issue 22): a journal of every file's bytes
before and after is written first (`rename_journal`); every new content is staged
beside its target; then, with Ctrl-C and SIGTERM held back, files are created (never
over an existing one), replaced, and the old names removed. A failure, a Ctrl-C or a
SIGTERM undoes the steps already done; a SIGKILL leaves the journal, and the next gasp
command on the workspace undoes them. Removing the journal is the moment the rename
happens.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic
from .killpoints import reached
from .loader import Records
from .models import SLUG_PATTERN
from .output import note_written, system_reason
from .references import by_target
from .workspace import Workspace

KINDS = {
    "person": "people",
    "group": "groups",
    "service": "services",
    "theme": "themes",
    "proposal": "proposals",
    "place": "places",
}
KIND_WORDS = {
    "person": "la personne",
    "group": "le groupe",
    "service": "le service",
    "theme": "le thème",
    "proposal": "la proposition",
    "place": "le lieu",
}

# Where each kind of id is written: kind → record folder → paths of values ("*": every item of
# a list), read off the models' id types; gasp.yaml is the folder "gasp".
REFERENCES = by_target()

FOLDERS = ("groups", "people", "services", "themes", "proposals", "meetings", "observations")
_SLUG = re.compile(SLUG_PATTERN)


class RenameError(Exception):
    """A rename that cannot be done; the message is French. Nothing was written."""


class RenameInterrupted(Exception):
    """Ctrl-C or SIGTERM during the rename: every step was undone. `code` is the exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class TextForm:
    """How a file's text is written: a BOM or not, and which lines end with CRLF."""

    bom: bool = False
    crlf: list[bool] | None = None  # None: every line ends with LF

    @classmethod
    def read(cls, raw: bytes) -> tuple[str, TextForm]:
        """The text as gasp works on it (no BOM, LF line ends), and how to write it back."""
        text = raw.decode("utf-8")
        bom = text.startswith("\ufeff")
        if bom:
            text = text[1:]
        if "\r\n" not in text:
            return text, cls(bom)
        lines = text.split("\n")
        crlf = [line.endswith("\r") for line in lines[:-1]]
        return "\n".join(line[:-1] if i < len(crlf) and crlf[i] else line for i, line in enumerate(lines)), cls(
            bom, crlf
        )

    def write(self, text: str) -> bytes:
        if self.crlf is not None:
            lines = text.split("\n")
            if len(lines) - 1 == len(self.crlf):
                text = "\n".join(
                    line + "\r" if i < len(self.crlf) and self.crlf[i] else line for i, line in enumerate(lines)
                )
            elif all(self.crlf):
                text = text.replace("\n", "\r\n")
        return (("\ufeff" + text) if self.bom else text).encode("utf-8")


@dataclass
class FileChange:
    """One file's new content, and its new path when the file itself is renamed."""

    path: Path
    old_text: str
    text: str
    new_path: Path | None = None
    references: int = 0
    mode: int = 0o644
    form: TextForm = field(default_factory=TextForm)
    old_raw: bytes = b""

    @property
    def raw(self) -> bytes:
        return self.form.write(self.text)


@dataclass
class RenamePlan:
    kind: str
    old: str
    new: str
    changes: list[FileChange] = field(default_factory=list)

    @property
    def references(self) -> int:
        return sum(change.references for change in self.changes)


# --- finding and changing the references -------------------------------------------------------


def _record_files(records_dir: Path, folder: str) -> Iterator[tuple[str, Path]]:
    """(id, path) of every record file of a folder, sub-folders included, in a stable order."""
    root = records_dir / folder
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*.yaml")):
        if path.is_file() and not path.name.startswith("."):
            yield path.stem, path


@dataclass
class _Spot:
    """A value to change: its container and key in the tree, and where it stands in the text."""

    container: Any
    key: Any
    line: int
    column: int
    is_key: bool = False


def _spots(node: Any, path: tuple[str, ...], old: str) -> Iterator[_Spot]:
    """Every value equal to `old` at `path` in a round-trip tree."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    head, rest = path[0], path[1:]
    items: list[tuple[int | str, Any]]
    if head == "*":
        items = list(enumerate(node)) if isinstance(node, list) else []
    else:
        items = [(head, node[head])] if isinstance(node, dict) and head in node else []
    for key, value in items:
        if rest:
            yield from _spots(value, rest, old)
        elif isinstance(value, str) and value == old:
            # Containers of a round-trip tree are ruamel's, which know their lines and columns.
            if isinstance(node, CommentedSeq):
                line, column = node.lc.item(key)
            elif isinstance(node, CommentedMap):
                line, column = node.lc.value(key)
            else:
                continue
            yield _Spot(node, key, line, column)


def _plain(node: Any) -> Any:
    """A round-trip tree as plain Python values, to compare two readings of a file."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, datetime.datetime):
        return node.isoformat()
    if isinstance(node, datetime.date):
        return node.isoformat()
    return node


def _yaml(width: int = 4096, sequence: int = 4, offset: int = 2) -> Any:
    from ruamel.yaml import YAML

    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.width = width
    handler.indent(mapping=2, sequence=sequence, offset=offset)
    return handler


def _scalar(value: str, like: Any) -> Any:
    """`value` as YAML must hold it: quoted like the value it replaces, or when plain would not read as text."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(like, (SingleQuotedScalarString, DoubleQuotedScalarString)):
        return type(like)(value)
    if yaml.safe_load(value) != value:  # « on », « null », « 2001 »: YAML would not read a slug back
        return SingleQuotedScalarString(value)
    return value


def _token(value: Any) -> str:
    """How a scalar is written in the text: plain, 'single' or "double" quoted (slugs need no escape)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(value, SingleQuotedScalarString):
        return f"'{value}'"
    if isinstance(value, DoubleQuotedScalarString):
        return f'"{value}"'
    return str(value)


def rewrite(
    text: str, paths: list[tuple[str, ...]], old: str, new: str, *, rename_key: tuple[str, ...] | None = None
) -> tuple[str, int]:
    """The file's text with `old` replaced by `new` at `paths` (and the map key at `rename_key`)."""
    handler = _yaml()
    tree = handler.load(text)
    if tree is None:
        return text, 0
    spots = [spot for path in paths for spot in _spots(tree, path, old)]
    if rename_key is not None:
        from ruamel.yaml.comments import CommentedMap

        parent = tree
        for part in rename_key:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if isinstance(parent, CommentedMap) and old in parent:
            line, column = parent.lc.key(old)
            spots.append(_Spot(parent, old, line, column, is_key=True))
    if not spots:
        return text, 0
    lines = text.splitlines(keepends=True)
    # Replace in the text from the end, so that earlier positions stay right.
    for spot in sorted(spots, key=lambda s: (s.line, s.column), reverse=True):
        current = spot.key if spot.is_key else spot.container[spot.key]
        replacement = _scalar(new, current)
        before, after = _token(current), _token(replacement)
        line = lines[spot.line]
        if line[spot.column : spot.column + len(before)] != before:
            raise RenameError(
                f"« {old} » introuvable ligne {spot.line + 1}, colonne {spot.column + 1} "
                "(fichier modifié pendant le renommage ?)"
            )
        lines[spot.line] = line[: spot.column] + after + line[spot.column + len(before) :]
        if spot.is_key:
            _rename_key(spot.container, old, replacement)
        else:
            spot.container[spot.key] = replacement
    # Only the id tokens change: ruamel's own writer would move the comments after them.
    result = spliced = "".join(lines)
    if _plain(_yaml().load(result)) != _plain(tree) or yaml.safe_load(result) != yaml.safe_load(spliced):
        raise RenameError("le fichier réécrit ne se relit pas comme prévu : rien n'a été écrit")
    return result, len(spots)


def _rename_key(mapping: Any, old: str, new: str) -> None:
    """Rename a key of a round-trip map in place, keeping its position and its comments."""
    keys = list(mapping.keys())
    position = keys.index(old)
    value = mapping[old]
    comment = mapping.ca.items.pop(old, None)
    del mapping[old]
    mapping.insert(position, new, value)
    if comment is not None:
        mapping.ca.items[new] = comment


# --- the plan ----------------------------------------------------------------------------------


def _known(records: Records, kind: str) -> set[str]:
    if kind == "place":
        return set(records.gasp.places) if records.gasp is not None else set()
    return set(records.known_ids.get(KINDS[kind], set()))


def plan_rename(workspace: Workspace, records: Records, kind: str, old: str, new: str) -> RenamePlan:
    """Every file change the rename needs, computed in memory; raises RenameError to refuse."""
    from .diagnostics import suggestion

    if kind not in KINDS:
        raise RenameError(f"sorte « {kind} » inconnue{suggestion(kind, KINDS)} ; sortes possibles : {', '.join(KINDS)}")
    known = _known(records, kind)
    if old not in known:
        raise RenameError(f"{KIND_WORDS[kind]} « {old} » n'existe pas{suggestion(old, known)}")
    if not _SLUG.match(new):
        from .vocabulary import slugify

        hint = slugify(new)[:80].rstrip("-")
        raise RenameError(
            f"« {new} » n'est pas un identifiant : minuscules sans accents, chiffres et tirets"
            + (f" ; vouliez-vous dire « {hint} » ?" if hint and _SLUG.match(hint) else "")
        )
    if new == old:
        raise RenameError(f"« {new} » est déjà le nom de {KIND_WORDS[kind]}")
    if new in known:
        raise RenameError(f"« {new} » existe déjà : gasp n'écrase jamais un enregistrement")

    folder = KINDS[kind]
    plan = RenamePlan(kind, old, new)
    changes: dict[Path, FileChange] = {}

    def change_for(path: Path) -> FileChange:
        if path not in changes:
            raw = path.read_bytes()
            text, form = TextForm.read(raw)
            changes[path] = FileChange(path, text, text, form=form, old_raw=raw)
        return changes[path]

    def apply(
        path: Path, paths: list[tuple[str, ...]], before: str, after: str, rename_key: tuple[str, ...] | None = None
    ) -> None:
        change = change_for(path)
        change.text, count = rewrite(change.text, paths, before, after, rename_key=rename_key)
        change.references += count

    records_dir = workspace.records
    gasp_file = records_dir / "gasp.yaml"
    renamed_meetings: dict[str, str] = {}
    if folder == "places":
        apply(gasp_file, [], old, new, rename_key=("places",))
    else:
        for record_id, path in _record_files(records_dir, folder):
            if record_id == old:
                change_for(path).new_path = path.with_name(f"{new}.yaml")
    if folder == "groups":
        for record_id, path in _record_files(records_dir, "meetings"):
            match = re.fullmatch(rf"(\d{{4}}-\d{{2}}-\d{{2}})-{re.escape(old)}", record_id)
            if match:  # a meeting's file name is <date>-<group>.yaml
                change_for(path).new_path = path.with_name(f"{match[1]}-{new}.yaml")
                renamed_meetings[record_id] = f"{match[1]}-{new}"
    for target, paths in REFERENCES[folder].items():
        files = [("gasp", gasp_file)] if target == "gasp" else list(_record_files(records_dir, target))
        for _, path in files:
            apply(path, paths, old, new)
    for old_meeting, new_meeting in renamed_meetings.items():
        for _, path in _record_files(records_dir, "observations"):
            apply(path, REFERENCES["meetings"]["observations"], old_meeting, new_meeting)

    for change in changes.values():
        if change.new_path is not None and change.new_path.exists():
            raise RenameError(
                f"« {workspace.rel(change.new_path)} » existe déjà : gasp n'écrase jamais un enregistrement"
            )
    plan.changes = [c for c in changes.values() if c.text != c.old_text or c.new_path is not None]
    return plan


def check_plan(workspace: Workspace, plan: RenamePlan, today: datetime.date) -> list[Diagnostic]:
    """The errors `gasp validate` would find after the rename, from a scratch copy of records/."""
    from .checks import check_workspace

    with tempfile.TemporaryDirectory(prefix="gasp-rename-") as scratch:
        copy = Workspace(Path(scratch))
        shutil.copytree(workspace.records, copy.records, symlinks=False)
        for change in plan.changes:
            relative = change.path.relative_to(workspace.records)
            target = copy.records / (change.new_path or change.path).relative_to(workspace.records)
            (copy.records / relative).unlink()
            target.write_text(change.text, encoding="utf-8")
        _, diagnostics = check_workspace(copy, today)
    return [d for d in diagnostics if d.severity == "error"]


# --- writing, all or nothing -------------------------------------------------------------------


def _stage(target: Path, payload: bytes, mode: int) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    with os.fdopen(handle, "wb") as stream:
        stream.write(payload)
    os.chmod(name, mode)
    return Path(name)


# Held back while the files change, then taken (sigtimedwait) rather than delivered.
_HELD = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
_EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}


class _Stopped(BaseException):
    """A held signal arrived: undo."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _pending() -> int | None:
    """A held signal waiting, taken off the queue (it is answered by undoing, not by dying)."""
    if not hasattr(signal, "sigtimedwait"):
        return None
    waiting = signal.sigpending() & _HELD
    if not waiting:
        return None
    taken = signal.sigtimedwait(waiting, 0)
    return taken.si_signo if taken is not None else None


@contextlib.contextmanager
def _hold_signals() -> Iterator[bool]:
    """Block Ctrl-C, SIGTERM and SIGHUP; yields whether they are held (main thread only)."""
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    except (AttributeError, ValueError, OSError):
        yield False
        return
    try:
        yield True
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _terminations_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP outside the held part raise, like Ctrl-C, so that the rename is undone."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise _Stopped(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def apply_plan(plan: RenamePlan, records: Path | None = None) -> None:
    """Write every change of the plan, or none.

    On a failure, undo what was done and raise RenameError; on Ctrl-C, SIGTERM or
    SIGHUP, undo and raise RenameInterrupted. `records`: where the journal goes (the
    records/ folder; default: the common folder of the files).
    """
    from . import rename_journal

    if records is None:
        records = Path(os.path.commonpath([str(c.path.parent) for c in plan.changes] or ["."]))
    for change in plan.changes:
        change.mode = change.path.stat().st_mode & 0o7777  # the file keeps its permissions
    entries = [
        rename_journal.Entry(
            str(c.path.relative_to(records)),
            str(c.new_path.relative_to(records)) if c.new_path is not None else None,
            c.old_raw,
            c.raw,
            c.mode,
        )
        for c in plan.changes
    ]
    rename_journal.sweep_temporaries(records)  # what a killed rename of an older gasp left
    staged: list[tuple[FileChange, Path]] = []
    undo: list[Callable[[], None]] = []
    begun = False
    with _terminations_raise():
        try:
            try:
                rename_journal.begin(records, plan.kind, plan.old, plan.new, entries)
                begun = True
                reached("rename-step")
                for change in plan.changes:
                    staged.append((change, _stage(change.new_path or change.path, change.raw, change.mode)))
                    reached("rename-step")
                with _hold_signals():
                    _swap(staged, undo)
                    signum = _pending()
                    if signum is not None:
                        raise _Stopped(signum)
                    for _, temporary in staged:  # before the journal goes, which would sweep them
                        temporary.unlink(missing_ok=True)
                    rename_journal.end(records)  # the rename has happened
                    for change in plan.changes:
                        note_written(change.new_path or change.path)
                    begun = False
                    reached("rename-step")
                    _pending()  # a Ctrl-C now comes after the rename: it is done, say so
            except (OSError, KeyboardInterrupt, _Stopped) as error:
                with _hold_signals():
                    for step in reversed(undo):
                        with contextlib.suppress(OSError):
                            step()
                    if begun:
                        rename_journal.end(records)
                if isinstance(error, OSError):
                    raise RenameError(f"écriture impossible ({system_reason(error)}) : rien n'a été changé") from None
                signum = error.signum if isinstance(error, _Stopped) else signal.SIGINT
                raise RenameInterrupted(_EXIT_CODES.get(signal.Signals(signum), 130)) from None
        finally:
            for _, temporary in staged:
                with contextlib.suppress(OSError):
                    temporary.unlink()


def _swap(staged: list[tuple[FileChange, Path]], undo: list[Callable[[], None]]) -> None:
    """The renames, signals held: a held Ctrl-C or SIGTERM is answered after each step by undoing."""

    def step_done() -> None:
        reached("rename-step")
        signum = _pending()
        if signum is not None:
            raise _Stopped(signum)

    # New names first (a hard link fails if the name is taken: never overwrites)…
    for change, temporary in staged:
        if change.new_path is not None:
            os.link(temporary, change.new_path)
            undo.append(change.new_path.unlink)
            step_done()
    # …then contents changed in place…
    for change, temporary in staged:
        if change.new_path is None:
            os.replace(temporary, change.path)
            undo.append(functools.partial(_restore, change))
            step_done()
    # …then the old names go.
    for change, _ in staged:
        if change.new_path is not None:
            change.path.unlink()
            undo.append(functools.partial(_restore, change))
            step_done()


def _restore(change: FileChange) -> None:
    temporary = _stage(change.path, change.old_raw, change.mode)
    try:
        os.replace(temporary, change.path)
    finally:
        if temporary.exists():
            temporary.unlink()
