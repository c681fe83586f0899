"""Find the workspace: `--records DIR`, else `$GASP_RECORDS`, else the current folder and its parents.

A workspace is a folder holding `records/gasp.yaml`; `DIR` may name the workspace
or its `records/` folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class WorkspaceNotFound(Exception):
    """No workspace where we looked; the message is French and says where."""


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def records(self) -> Path:
        return self.root / "records"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def rel(self, path: Path) -> str:
        """A path as shown to the user: `records/people/x.yaml`."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def _as_workspace(folder: Path) -> Workspace | None:
    if _is_file(folder / "records" / "gasp.yaml"):
        return Workspace(folder)
    if folder.name == "records" and _is_file(folder / "gasp.yaml"):
        return Workspace(folder.parent)
    return None


def _is_file(path: Path) -> bool:
    """A regular file; a name the system refuses (a component over 255 bytes) is none."""
    try:
        return path.is_file()
    except OSError:
        return False


def find_workspace(option: str | None, environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Workspace:
    variables = os.environ if environ is None else environ
    for given, origin in ((option, "--records"), (variables.get("GASP_RECORDS"), "GASP_RECORDS")):
        if given:
            try:
                folder = Path(given).expanduser().resolve()
            except (RuntimeError, OSError, ValueError):
                # `~inconnu/…` (no such user), a NUL byte, a symlink loop.
                raise WorkspaceNotFound(
                    f"{origin} : « {given} » n’est pas un chemin utilisable (utilisateur inconnu, "
                    "caractère nul ou liens symboliques en boucle)."
                ) from None
            found = _as_workspace(folder)
            if found is None:
                raise WorkspaceNotFound(
                    f"{origin} : « {given} » n'est pas un espace de travail gasp "
                    "(il faut un dossier qui contient records/gasp.yaml, ou ce dossier records/)."
                )
            return found
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        found = _as_workspace(folder)
        if found is not None:
            return found
    raise WorkspaceNotFound(
        f"aucun espace de travail gasp trouvé dans « {start} » ni dans ses dossiers parents "
        "(il faut un fichier records/gasp.yaml). Indiquez-le avec --records DOSSIER "
        "ou la variable GASP_RECORDS, ou créez-en un."
    )
