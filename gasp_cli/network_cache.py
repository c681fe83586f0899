"""The network cache: results keyed by commit, year, gasp and day; its lock; its scratch folder."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from . import __version__

# A new layout of the cached results must not be read as the old one.
CACHE_FORMAT = 1


def _scratch() -> str | None:
    """Where a site is exported: a folder in memory when there is one (six times quicker than
    a disk for hundreds of small files), else the system's temporary folder."""
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return None


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _write_json(path: Path, value: dict[str, Any]) -> None:
    from .output import write_beside

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = write_beside(path, json.dumps(value, ensure_ascii=False).encode("utf-8"), durable=False)
    os.replace(temporary, path)


def cache_key(commit: str, year: int, now: datetime.date) -> list[int | str]:
    """What a result depends on: the commit, the year, gasp, and the day (only until the year is over).

    « gasp » is its code and the installed packages (the render's environment fingerprint), not
    only its version number: after an upgrade, or any change of the code that computes a report,
    nothing computed by the old code is served again."""
    day = min(now, datetime.date(year, 12, 31))
    return [CACHE_FORMAT, commit, year, __version__, _gasp_fingerprint(), day.isoformat()]


@functools.cache
def _gasp_fingerprint() -> str:
    """Hashed once a run: gasp's files and the installed distributions do not change while it runs."""
    from .render.inputs import environment_fingerprint

    return environment_fingerprint()


def default_cache() -> Path:
    """The user's cache folder: $XDG_CACHE_HOME/gasp/network, else ~/.cache/gasp/network."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "gasp" / "network"


class CacheBusy(Exception):
    """Another run held the cache's lock past the time limit; the message is French."""


@contextmanager
def _locked(cache: Path, timeout: float, waiting: Callable[[], None] | None = None) -> Iterator[int]:
    """One `gasp network report` at a time on a cache: a second one says so and waits, at most `timeout`.

    Yields the lock's descriptor: the workers close their inherited copy, so that only
    this process holds the lock and its death releases it.
    """
    import fcntl

    handle = os.open(cache / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
    try:
        limit = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if waiting is not None:
                    waiting()
                    waiting = None
                if time.monotonic() >= limit:
                    raise CacheBusy(
                        f"le cache « {cache} » est toujours pris par un autre « gasp network report » "
                        f"après {timeout:g} s : réessayez plus tard, ou donnez un autre --cache"
                    ) from None
                time.sleep(0.1)
        yield handle
    finally:
        os.close(handle)


def _scratch_folder(cache: Path) -> Path:
    """This cache's own scratch folder: only the run holding the cache's lock uses it."""
    digest = hashlib.sha256(str(cache.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(_scratch() or tempfile.gettempdir()) / f"gasp-reseau-{os.getuid()}-{digest}"


def _sweep(cache: Path, scratch: Path) -> None:
    """What a killed run left: its site copies, and git's lock files in the cached repositories."""
    shutil.rmtree(scratch, ignore_errors=True)
    sites = cache / "sites"
    if sites.is_dir():
        for stale in sites.glob("*/repo.git/**/*.lock"):
            with suppress(OSError):
                if stale.is_file() and not stale.is_symlink():
                    stale.unlink()
