"""Writing outputs whole or not at all, never under records/, with the user's umask."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class OutputError(Exception):
    """An output that cannot be written; the message is French."""


def check_outside_records(path: Path, records: Path) -> None:
    target = path.resolve()
    if target == records.resolve() or records.resolve() in target.parents:
        raise OutputError(f"« {path} » est dans records/ : gasp n'écrit jamais parmi les enregistrements")


def write_beside(path: Path, payload: bytes, tag: str = "tmp", durable: bool = True) -> Path:
    """Write `payload` to a new hidden file next to `path` and return its name.

    The file is created with mode 0o666, which the kernel narrows by the umask (and a
    default ACL) exactly as for any file the user makes: 0644 under umask 022. `mkstemp`
    would give 0600 whatever the umask, and the renamed file would keep it. `durable`:
    fsync before returning (a render of a hundred files skips it, see render/writer.py).
    """
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{tag}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            continue
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                if durable:
                    stream.flush()
                    os.fsync(stream.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return temporary
    raise FileExistsError(f"no free temporary name beside {path}")


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write beside the target, then rename: a reader sees the old file or the new one, whole.

    The new file follows the umask, also when it replaces an existing one. A symlink
    named as the target stays a symlink: the file it points to is the one replaced.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_symlink():
        path = path.resolve()
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = write_beside(folder / path.name, payload)
        try:
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OutputError(f"impossible d'écrire « {path} » : {error.strerror or error}") from None


def write_new(path: Path, data: bytes | str) -> None:
    """Create `path` whole, or raise FileExistsError: never overwrites, even in a race.

    Written beside, then hard-linked to its name (link fails if the name exists), with the
    user's umask. Other OSErrors go to the caller.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temporary = write_beside(path, payload)
    try:
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
