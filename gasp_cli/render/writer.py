"""Publish a render into out/: whole or not at all.

The new out/ is assembled beside the old one (a copy of it, plus the new files),
then swapped in by renaming. An interrupted or failed render leaves the previous
out/ as it was. Between the two renames of the swap there is an instant without
out/: a render killed right then leaves the old folder as `.out.ancien-<pid>`,
which the next render puts back before anything else. A lock file beside out/
makes two renders at the same time take their turns.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path
from typing import Callable

from ..output import OutputError, check_outside_records


def check_target(out: Path, workspace_root: Path, records: Path) -> None:
    """Refuse a folder whose replacement would lose something that is not gasp's output."""
    check_outside_records(out, records)
    target = out.resolve()
    if target == workspace_root.resolve() or target in records.resolve().parents:
        raise OutputError(f"« {out} » contient les enregistrements : choisissez un dossier de sortie à part")
    if target.exists() and not target.is_dir():
        raise OutputError(f"« {out} » existe et n'est pas un dossier")
    if target.is_dir() and any(target.iterdir()) and not (target / "index.html").is_file():
        raise OutputError(
            f"« {out} » n'est pas vide et ne vient pas de gasp (pas d'index.html) : "
            "gasp le remplacerait entièrement ; choisissez un dossier vide ou neuf"
        )


def publish(out: Path, files: dict[str, bytes], index: Callable[[list[str]], bytes]) -> int:
    """Write `files` (path under out/ → bytes) and a fresh index.html, then swap the folder in.

    Returns how many files changed: none, and nothing at all is written.
    """
    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        lock = open(out.parent / f".{out.name}.verrou", "w")
    except OSError as error:
        raise OutputError(f"impossible d'écrire dans « {out.parent} » : {error.strerror or error}") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another render into the same out/ finishes first
        _recover(out)
        existing = _files_in(out)
        listed = sorted(p for p in set(existing) | set(files) if not _hidden(p) and p != "index.html")
        complete = {**files, "index.html": index(listed)}
        changed = {path: payload for path, payload in complete.items() if not _same(existing.get(path), payload)}
        if changed:
            _publish(out, changed)
        return len(changed)


def _hidden(relative: str) -> bool:
    return any(part.startswith(".") for part in relative.split("/"))


def _files_in(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def _same(path: Path | None, payload: bytes) -> bool:
    if path is None:
        return False
    try:
        return path.stat().st_size == len(payload) and path.read_bytes() == payload
    except OSError:
        return False


def _recover(out: Path) -> None:
    """Put back what a render killed in the middle of its swap left beside out/."""
    leftovers = sorted(out.parent.glob(f".{out.name}.ancien-*"), key=lambda p: p.stat().st_mtime)
    if leftovers and not out.exists():
        os.rename(leftovers.pop(), out)
    for folder in [*leftovers, *out.parent.glob(f".{out.name}.nouveau-*")]:
        shutil.rmtree(folder, ignore_errors=True)


def _publish(out: Path, files: dict[str, bytes]) -> None:
    parent = out.parent
    staging = parent / f".{out.name}.nouveau-{os.getpid()}"
    previous = parent / f".{out.name}.ancien-{os.getpid()}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        if out.is_dir():
            shutil.copytree(out, staging)
        else:
            staging.mkdir()
        for relative, payload in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload)
        if out.exists():
            os.rename(out, previous)
        os.rename(staging, out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        if previous.exists() and not out.exists():
            os.rename(previous, out)
        raise OutputError(f"impossible d'écrire dans « {out} » : {error.strerror or error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if previous.exists() and not out.exists():
            os.rename(previous, out)
        raise
    shutil.rmtree(previous, ignore_errors=True)
