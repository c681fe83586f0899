"""Writing outputs whole or not at all, and never under records/."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """An output that cannot be written; the message is French."""


def check_outside_records(path: Path, records: Path) -> None:
    target = path.resolve()
    if target == records.resolve() or records.resolve() in target.parents:
        raise OutputError(f"« {path} » est dans records/ : gasp n'écrit jamais parmi les enregistrements")


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write beside the target, then rename: a reader sees the old file or the new one, whole."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OutputError(f"impossible d'écrire « {path} » : {error.strerror or error}") from None
