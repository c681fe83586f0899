"""Publish a render into out/: whole or not at all.

The new out/ is assembled beside the old one (a copy of it, plus the new files),
then swapped in by renaming. An interrupted or failed render leaves the previous
out/ as it was; at worst a hidden `.out.*` folder is left beside it.
"""

from __future__ import annotations

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


def publish(out: Path, files: dict[str, bytes], index: Callable[[list[str]], bytes]) -> None:
    """Write `files` (path under out/ → bytes) and a fresh index.html, then swap the folder in."""
    out = out.resolve()
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
        present = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        (staging / "index.html").write_bytes(index(present))
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
