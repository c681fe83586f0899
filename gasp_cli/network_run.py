"""The run: sites fetched in threads, read in worker processes, cleaned up on every exit."""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from .killpoints import reached
from .network_cache import _locked, _read_json, _scratch_folder, _sweep, _write_json, cache_key
from .network_git import _LIVE, _STOPPING, DEFAULT_TIMEOUT, Fetched, _kill, _site_folder, fetch_site
from .network_read import _failed, read_site
from .network_sites import SiteResult, SitesFile


class Interrupted(BaseException):
    """The run was asked to stop (SIGTERM); it has cleaned up behind it."""


@contextmanager
def _terminated_cleanly() -> Iterator[None]:
    """SIGTERM (a cron job's `timeout`) unwinds the run like Ctrl-C does, so its clean-up runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _from_result(fetched: Fetched, result: dict[str, Any], read: bool) -> SiteResult:
    return SiteResult(
        fetched.site,
        fetched.commit,
        result["status"],
        result["reason"],
        result.get("report_json"),
        read,
        days_to_decision=list(result.get("days_to_decision", [])),
        days_to_minutes=list(result.get("days_to_minutes", [])),
        attendance=dict(result.get("attendance", {})),
    )


def run_network(
    network: SitesFile,
    cache: Path,
    year: int,
    now: datetime.date,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    reader: Callable[..., dict[str, Any]] | None = None,
    waiting: Callable[[], None] | None = None,
) -> list[SiteResult]:
    """Every site's result, in the sites file's order. One site failing never stops the others.

    Fetches run in threads (git waits on the network, not on Python); the sites whose
    commit has no cached result are read in worker processes, one site at a time each,
    so memory holds at most one site's records per core. `reader` replaces `read_site`
    (tests count the reads with it; it then runs in this process). `waiting` is called
    once when another run holds the cache. Raises CacheBusy, and Interrupted on SIGTERM.
    """

    cache.mkdir(parents=True, exist_ok=True)
    workers = workers or _workers()
    with _terminated_cleanly(), _locked(cache, timeout, waiting) as lock:
        scratch = _scratch_folder(cache)
        _sweep(cache, scratch)
        scratch.mkdir(mode=0o700)
        _STOPPING.clear()
        try:
            return _run_locked(network, cache, year, now, timeout, workers, reader, lock, scratch)
        finally:
            for process in list(_LIVE):
                _kill(process)
            shutil.rmtree(scratch, ignore_errors=True)


def _run_locked(
    network: SitesFile,
    cache: Path,
    year: int,
    now: datetime.date,
    timeout: float,
    workers: int,
    reader: Callable[..., dict[str, Any]] | None,
    lock: int,
    scratch: Path,
) -> list[SiteResult]:
    from concurrent.futures import ThreadPoolExecutor

    reached("cache-locked")
    results: dict[str, SiteResult] = {}
    to_read: list[tuple[Fetched, str]] = []  # the sites to read, each with its fetched commit
    fetchers = ThreadPoolExecutor(max_workers=min(16, max(4, workers * 4)))
    try:
        for fetched in fetchers.map(lambda s: fetch_site(s, cache, network.folder, timeout), network.sites):
            site, commit = fetched.site, fetched.commit
            if commit is None:
                results[site.id] = SiteResult(site, None, "error", fetched.reason, None, False)
                continue
            cached = _read_json(_site_folder(cache, site) / "result.json")
            if (
                cached is not None
                and cached.get("key") == cache_key(commit, year, now)
                and cached.get("status") in ("ok", "error")
            ):
                results[site.id] = _from_result(fetched, cached, read=False)
            else:
                to_read.append((fetched, commit))
    except BaseException:
        _STOPPING.set()  # no fetch starts a new git command; the running ones are killed
        for process in list(_LIVE):
            _kill(process)
        fetchers.shutdown(wait=False, cancel_futures=True)
        raise
    fetchers.shutdown(wait=True)
    reached("sites-fetched")

    def keep(index: int, result: dict[str, Any]) -> None:
        fetched, commit = to_read[index]
        key = cache_key(commit, year, now)
        _write_json(_site_folder(cache, fetched.site) / "result.json", {"key": key, **result})
        results[fetched.site.id] = _from_result(fetched, result, read=True)

    _read_all(to_read, cache, year, now, timeout, workers, reader, lock, scratch, keep)
    return [results[site.id] for site in network.sites]


def _read_all(
    to_read: list[tuple[Fetched, str]],
    cache: Path,
    year: int,
    now: datetime.date,
    timeout: float,
    workers: int,
    reader: Callable[..., dict[str, Any]] | None,
    lock: int,
    scratch: Path,
    keep: Callable[[int, dict[str, Any]], None],
) -> None:
    """Read every site to read; `keep(index, result)` for each, in order."""
    jobs = [
        (str(_site_folder(cache, f.site) / "repo.git"), commit, year, now, timeout, str(scratch))
        for f, commit in to_read
    ]
    if reader is not None or workers == 1 or len(jobs) <= 1:
        for index, job in enumerate(jobs):
            keep(index, (reader or read_site)(*job))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from . import checks, render  # noqa: F401 - imported once here, inherited by the forked workers
    from .render import documents  # noqa: F401

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=context,
        initializer=_worker_started,
        initargs=(lock, os.getpid()),
    )
    try:
        # One job per site: each worker holds one site at a time. A worker that dies (killed,
        # out of memory) fails its sites, not the run.
        futures = [pool.submit(read_site, *job) for job in jobs]
        for index, future in enumerate(futures):
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - BrokenProcessPool and the like
                result = _failed(f"la lecture du site s’est arrêtée ({type(error).__name__})")
            keep(index, result)
    except BaseException:
        # Ctrl-C, SIGTERM: the workers go now, not after their current site.
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with suppress(OSError, AttributeError):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _worker_started(lock: int, parent: int) -> None:
    """A worker's first act: let go of the cache's lock, and live no longer than its parent."""
    with suppress(OSError):
        os.close(lock)  # the open lock is the parent's; a worker left behind must not keep it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    with suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG (Linux): killed when the parent dies
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:  # where prctl does not exist (macOS): notice within a second
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
