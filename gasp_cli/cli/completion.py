"""Shell completion of ids from the workspace: file names only, no YAML read, so it stays instant."""

from __future__ import annotations

import os
from pathlib import Path


def _ids(folder: str, incomplete: str) -> list[str]:
    from ..workspace import WorkspaceNotFound, find_workspace

    try:
        workspace = find_workspace(None)
    except WorkspaceNotFound:
        return []
    root = workspace.records / folder
    found = set()
    for _, _, names in os.walk(root):
        found.update(Path(name).stem for name in names if name.endswith(".yaml") and not name.startswith("."))
    return sorted(i for i in found if i.startswith(incomplete))


def complete_groups(incomplete: str) -> list[str]:
    return _ids("groups", incomplete)


def complete_meetings(incomplete: str) -> list[str]:
    return _ids("meetings", incomplete)


def complete_proposals(incomplete: str) -> list[str]:
    return _ids("proposals", incomplete)


def complete_themes(incomplete: str) -> list[str]:
    return _ids("themes", incomplete)
