"""Shell completion of ids from the workspace: file names only, no YAML read, so it stays instant."""

from __future__ import annotations

import os
from pathlib import Path

import typer


def _ids(folder: str, incomplete: str) -> list[str]:
    from ..workspace import WorkspaceNotFound, find_workspace

    try:
        workspace = find_workspace(None)
    except WorkspaceNotFound:
        return []
    root = workspace.records / folder
    found: set[str] = set()
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


# `gasp rename KIND OLD NEW`: KIND's folder, or gasp.yaml's `places` for a place.
RENAME_FOLDERS = {
    "person": "people",
    "group": "groups",
    "service": "services",
    "theme": "themes",
    "proposal": "proposals",
}


def complete_rename_old(ctx: typer.Context, incomplete: str) -> list[str]:
    kind = ctx.params.get("kind")
    kind = getattr(kind, "value", kind)
    if kind in RENAME_FOLDERS:
        return _ids(RENAME_FOLDERS[kind], incomplete)
    if kind == "place":
        return sorted(p for p in _places() if p.startswith(incomplete))
    return []


def _places() -> list[str]:
    """The place ids of gasp.yaml: the one file completion reads, and only its top-level `places` keys."""
    import yaml

    from ..workspace import WorkspaceNotFound, find_workspace

    try:
        text = (find_workspace(None).records / "gasp.yaml").read_text(encoding="utf-8")
        places = (yaml.load(text, Loader=yaml.CSafeLoader) or {}).get("places") or {}
    except (WorkspaceNotFound, OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
        return []
    return [str(key) for key in places] if isinstance(places, dict) else []
