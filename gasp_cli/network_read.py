"""Reading a site at its commit: its records exported, checked and reported, bounded in time."""

from __future__ import annotations

import datetime
import gc
import json
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic
from .killpoints import reached
from .network_cache import _scratch
from .network_git import GIT, _git_reason, _kill, git_environment
from .network_sites import GitFailed
from .vocabulary import plural

if TYPE_CHECKING:  # for the annotations only: like pydantic, these are imported where they are used
    from .documents.rapport_chiffres import Report
    from .loader import Records

# What a site may export: past these, the site is refused (a records/ folder is a few MiB).
MAX_EXPORT_BYTES = 64 * 1024 * 1024
MAX_EXPORT_FILES = 200_000

# --- reading a site at its commit ----------------------------------------------------------


def site_report(records: Records, year: int, today: datetime.date) -> Report:
    """A site's report: the one entry point of `gasp report` (repoint here if it moves)."""
    from .documents import rapport

    report: Report = rapport.build(records, year, today)
    return report


def export_records(repository: Path, commit: str, into: Path, timeout: float) -> list[Diagnostic]:
    """Write the commit's `records/` into `into`; what could not be written safely is a diagnostic."""
    import tarfile

    if not hasattr(tarfile, "data_filter"):
        raise GitFailed(
            "ce Python n’a pas le filtre « data » de tarfile (Python 3.11.4 ou plus récent) : "
            "gasp ne lit pas un site sans lui"
        )
    process = subprocess.Popen(
        [*GIT, "--git-dir", str(repository), "archive", "--format=tar", commit, "--", "records"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=git_environment(),
        start_new_session=True,
    )
    diagnostics: list[Diagnostic] = []
    total = files = 0
    try:
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            for member in archive:
                files += 1
                total += max(member.size, 0)
                if total > MAX_EXPORT_BYTES or files > MAX_EXPORT_FILES:
                    diagnostics.append(
                        Diagnostic(
                            "records",
                            1,
                            1,
                            "error",
                            "site-too-large",
                            "le dossier records/ du site est démesuré : il n’est pas lu",
                        )
                    )
                    break
                shown = member.name
                try:
                    archive.extract(member, into, set_attrs=False, filter="data")
                except tarfile.LinkOutsideDestinationError:
                    diagnostics.append(
                        Diagnostic(
                            shown,
                            1,
                            1,
                            "error",
                            "outside-link",
                            "lien symbolique qui mène hors du site : il n’est pas suivi",
                        )
                    )
                except tarfile.AbsoluteLinkError:
                    diagnostics.append(
                        Diagnostic(
                            shown,
                            1,
                            1,
                            "error",
                            "outside-link",
                            "lien symbolique vers un chemin absolu, hors du site : il n’est pas suivi",
                        )
                    )
                except tarfile.FilterError as error:
                    diagnostics.append(
                        Diagnostic(
                            shown,
                            1,
                            1,
                            "error",
                            "unsafe-path",
                            f"chemin refusé à l’export du site ({type(error).__name__})",
                        )
                    )
    except tarfile.TarError:
        pass  # git's own complaint, below, says why
    finally:
        try:
            if process.stdout is not None:  # always a pipe here (stdout=PIPE)
                process.stdout.close()
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise GitFailed(f"délai dépassé ({timeout:g} s) à l’export du site") from None
    if process.returncode not in (0, None) and not any(d.code == "site-too-large" for d in diagnostics):
        reason = _git_reason(subprocess.CompletedProcess([], process.returncode, b"", err))
        if "did not match" in reason:
            raise GitFailed("pas de dossier records/ dans le dépôt à ce commit")
        raise GitFailed(f"export impossible : {reason}")
    return diagnostics


class _TooLong(Exception):
    """A site's reading ran past `--timeout`."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise _TooLong in this thread past `seconds` (main thread only: elsewhere, git's own limits)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise _TooLong

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_site(
    repository: str, commit: str, year: int, now: datetime.date, timeout: float, scratch: str | None = None
) -> dict[str, Any]:
    """A site's result at `commit`: its report and what the totals need, or why it failed.

    Runs in a worker process; gives back only plain values (the records die here). The
    whole reading (export, checks, report) is bounded by `timeout`.
    """
    try:
        with _deadline(timeout):
            return _read_site(repository, commit, year, now, timeout, scratch)
    except _TooLong:
        return _failed(f"délai dépassé ({timeout:g} s) à la lecture du site")


def _read_site(
    repository: str, commit: str, year: int, now: datetime.date, timeout: float, scratch: str | None
) -> dict[str, Any]:
    from .checks import check_workspace, today_for
    from .workspace import Workspace

    try:
        with tempfile.TemporaryDirectory(prefix="gasp-site-", dir=scratch or _scratch()) as folder:
            root = Path(folder)
            diagnostics = export_records(Path(repository), commit, root, timeout)
            reached("site-exported")
            if not (root / "records" / "gasp.yaml").is_file():
                return _failed("pas de fichier records/gasp.yaml à ce commit : ce n’est pas un espace de travail gasp")
            records, checked = check_workspace(Workspace(root), now)
            errors = [*diagnostics, *(d for d in checked if d.severity == "error")]
            if errors:
                first = errors[0]
                return _failed(
                    f"{plural(len(errors), 'erreur')} dans les enregistrements (gasp validate) ; "
                    f"la première : {first.file}:{first.line}:{first.column}: {first.message}"
                )
            report = site_report(records, year, today_for(records, now))
            return {
                "status": "ok",
                "reason": None,
                "report_json": json.dumps(report.as_json(), ensure_ascii=False, separators=(",", ":")),
                "days_to_decision": list(report.days_to_decision),
                "days_to_minutes": list(report.days_to_minutes),
                "attendance": {g.id: list(g.attendance) for g in report.groups},
            }
    except GitFailed as error:
        return _failed(str(error))
    except _TooLong:
        raise
    except Exception as error:  # noqa: BLE001 - one site never stops the others
        return _failed(f"erreur interne en lisant le site ({type(error).__name__} : {error})")
    finally:
        # check_workspace freezes what it built out of the collector (and the `gasp` script runs
        # without it): give it back, and collect now and then, a worker reads many sites.
        gc.unfreeze()
        _READS[0] += 1
        if _READS[0] % 8 == 0:
            gc.collect()


_READS = [0]


def _failed(reason: str) -> dict[str, Any]:
    return {"status": "error", "reason": reason, "report_json": None}
