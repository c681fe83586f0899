"""The journal of a `gasp rename` in progress, and the undoing of one that was killed.

`gasp rename` writes, before it touches any record, `records/.gasp-renommage.json`:
every file it will change, with its bytes before and after. The journal is removed once
the last rename is done: that removal is the moment the rename happens. A run killed
before it (SIGKILL, a power cut) leaves the journal, and the next gasp command on the
workspace puts every file back as it was, removes the rename's temporary files, and
says so. Only paths inside `records/` ending in `.yaml` are ever written from a journal.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

JOURNAL = ".gasp-renommage.json"
# The temporary files of a rename: `.NAME.yaml.XXXX.tmp` beside each file it changes.
_TEMPORARY = re.compile(r"^\.(?P<name>.+\.yaml)\.[A-Za-z0-9_]+\.tmp$")


@dataclass
class Entry:
    path: str  # relative to records/
    new_path: str | None
    before: bytes
    after: bytes
    mode: int


def begin(records: Path, kind: str, old: str, new: str, entries: list[Entry]) -> None:
    """Write the journal whole and durably, before any record changes."""
    from .output import write_beside

    value = {
        "format": 1,
        "kind": kind,
        "old": old,
        "new": new,
        "changes": [
            {
                "path": e.path,
                "new_path": e.new_path,
                "before": e.before.decode("utf-8"),
                "after": e.after.decode("utf-8"),
                "mode": e.mode,
            }
            for e in entries
        ],
    }
    temporary = write_beside(records / JOURNAL, json.dumps(value, ensure_ascii=False).encode("utf-8"))
    os.replace(temporary, records / JOURNAL)
    _sync(records)


def end(records: Path) -> None:
    """The rename is done (or undone): forget it."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(records / JOURNAL)
    _sync(records)


def _sync(folder: Path) -> None:
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def remove_temporaries(folder: Path, names: set[str]) -> None:
    """The rename's `.NAME.yaml.XXXX.tmp` files beside the files named."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            match = _TEMPORARY.match(entry.name)
            if match and match["name"] in names and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def sweep_temporaries(records: Path) -> int:
    """Every `.NAME.yaml.XXXX.tmp` left in records/ (by a rename of a gasp without journal, killed):
    run by `gasp rename` before it starts, when no rename is under way. Returns how many went."""
    removed = 0
    for folder, _, names in os.walk(records):
        for name in names:
            if _TEMPORARY.match(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))
                    removed += 1
    return removed


def _inside(records: Path, relative: object) -> Path | None:
    if not isinstance(relative, str) or not relative.endswith(".yaml") or relative.startswith("/"):
        return None
    if any(part in ("", ".", "..") for part in relative.split("/")):
        return None
    return records / relative


def _read(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError:
        return None


def _put_back(path: Path, payload: bytes, mode: int) -> None:
    from .output import write_beside

    temporary = write_beside(path, payload)
    try:
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _undo(records: Path, change: dict[str, object], kept: list[Path]) -> bool:
    """One file of the journal put back as it was before the rename; whether it was touched.
    A file changed since (neither its old nor its new bytes) is kept as it is, and listed in `kept`."""
    path, new_path = _inside(records, change.get("path")), _inside(records, change.get("new_path"))
    before, after = change.get("before"), change.get("after")
    if path is None or not isinstance(before, str) or not isinstance(after, str):
        return False
    was, now = before.encode("utf-8"), after.encode("utf-8")
    mode = change.get("mode")
    mode = mode if isinstance(mode, int) else 0o644
    touched = False
    if new_path is not None:
        current = _read(new_path)
        if current == now:
            new_path.unlink()
            touched = True
        elif current is not None:
            kept.append(new_path)
        remove_temporaries(new_path.parent, {new_path.name})
    current = _read(path)
    if current is None or (current == now and now != was):
        _put_back(path, was, mode)
        touched = True
    elif current != was:
        kept.append(path)
    remove_temporaries(path.parent, {path.name})
    return touched


def recover(records: Path) -> str | None:
    """Undo a rename a killed run left half done; a French sentence saying what was done, or None."""
    from .vocabulary import plural

    journal = records / JOURNAL
    payload = _read(journal)
    with contextlib.suppress(OSError), os.scandir(records) as entries:  # a journal being written when killed
        for entry in entries:
            if entry.name.startswith(f".{JOURNAL}.") and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    if payload is None:
        return None
    try:
        value = json.loads(payload)
        changes = value["changes"]
        old, new = str(value["old"]), str(value["new"])
        if not isinstance(changes, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        end(records)
        return "un journal de renommage illisible a été retiré de records/ (aucun fichier n’a été touché)"
    restored = 0
    kept: list[Path] = []
    for change in changes:
        if isinstance(change, dict):
            restored += _undo(records, change, kept)
    end(records)
    said = (
        f"un renommage interrompu (« {old} » → « {new} ») a été annulé : "
        f"{plural(restored, 'fichier remis', 'fichiers remis')} comme avant"
    )
    if kept:
        shown = ", ".join(str(p.relative_to(records)) for p in kept)
        said += f" ; modifiés depuis, gardés tels quels : {shown}"
    return said
