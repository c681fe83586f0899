"""A network of Gasps: one report over many sites, each its own git repository.

The sites file names the sites; each is fetched with the real `git` into the cache
(one bare repository per site, only the tip of its ref, `--depth=1`), its `records/`
exported at the fetched commit into a private temporary folder, checked exactly as
`gasp validate` checks (`checks.check_workspace`), and reported exactly as
`gasp report --format json` reports (`site_report`, the one adapter). The network's
totals sum the sites' counts; its medians are taken over every decision of every
site, never averaged.

Sites are untrusted. Only the transports `https`, `ssh`, `git`, `file` and local paths
are fetched: `<transport>::` remote helpers (`ext::` runs a command) are refused before
git is called, and git is told the same (`GIT_ALLOW_PROTOCOL`, `protocol.ext.allow`).
No prompt (`GIT_TERMINAL_PROMPT=0`, no terminal), no hook, a time limit per site. A URL
holding a password is refused and only ever shown redacted; credentials are git's own
business (ssh keys, credential helpers). The export keeps every path inside its folder
(`tarfile`'s `data` filter): a symbolic link that leads out of the site is not written
and is counted as an error of the site, like `gasp validate` counts one.

The cache: per site, the advertised tip and the commit it fetched, and the result
computed from that commit, keyed by (commit, year, gasp's code and packages, day). A rerun asks
each remote for its tip (`git ls-remote`, one connection); an unchanged tip is neither
fetched nor read again.

A run never wedges the next one (issue 22). The cache's lock is taken before the
workers fork and each worker closes its copy first thing, so only the run itself holds
it; workers die with their parent (`PR_SET_PDEATHSIG` on Linux, a watching thread
elsewhere); a run that finds the lock held says so and waits at most `--timeout`. Sites
are exported into a scratch folder of the cache's own (`gasp-reseau-<uid>-<cache hash>`
in /dev/shm), removed at the end of the run, on Ctrl-C and SIGTERM too, and swept by
the next run when a SIGKILL left it. Reading a site, not only git, is bounded by
`--timeout`.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import gc
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import __version__
from .diagnostics import Diagnostic
from .killpoints import reached
from .output import system_reason
from .vocabulary import plural, round_half_up

if TYPE_CHECKING:  # for the annotations only: like pydantic, these are imported where they are used
    from .documents.rapport import Report
    from .loader import Records
    from .models import Record

# The time limit of each git command of a site, in seconds (`--timeout`).
DEFAULT_TIMEOUT = 120.0
# The transports git may use (`GIT_ALLOW_PROTOCOL`; a local path is `file`).
ALLOWED_PROTOCOLS = "https:ssh:git:file"
# A new layout of the cached results must not be read as the old one.
CACHE_FORMAT = 1
# What a site may export: past these, the site is refused (a records/ folder is a few MiB).
MAX_EXPORT_BYTES = 64 * 1024 * 1024
MAX_EXPORT_FILES = 200_000

_TRANSPORT_HELPER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+.-]*::")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP_LIKE = re.compile(r"^(?:[^/@:]+@)?[^/:]+:")
_SCP_PASSWORD = re.compile(r"^([^/@]*?):([^/@]*)@")
_SCHEMES = {"https": "https", "ssh": "ssh", "git+ssh": "ssh", "ssh+git": "ssh", "git": "git", "file": "file"}
# A ref as git accepts it, and never an option: letters, digits, `._/-`, no `..`, no leading `-`.
_REF = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)(?!.*\.lock$)(?!.*/$)[A-Za-z0-9._/-]{1,200}$")


# --- the sites file --------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    repo: str
    ref: str | None


@dataclass
class SitesFile:
    name: str
    sites: list[Site]
    folder: Path  # relative local paths are read from here


def _models() -> type[Record]:
    """The sites file's pydantic models, built on the records' own types (same checks, same French)."""
    from pydantic import Field

    from .models import Line, Record, Slug

    class SiteEntry(Record):
        id: Slug = Field(description="Identifiant du site (comme un identifiant d’enregistrement).")
        name: Line = Field(description="Nom du site, tel qu’il figure dans le rapport du réseau.")
        repo: Line = Field(description="Dépôt git du site : URL https, ssh, git, file ou chemin local.")
        ref: Line | None = Field(None, description="Branche ou étiquette à lire (par défaut : la HEAD du dépôt).")

    class Network(Record):
        name: Line = Field(description="Nom du réseau.")
        sites: list[SiteEntry] = Field(min_length=1, description="Les sites du réseau.")

    return Network


def read_sites(path: Path, shown: str) -> tuple[SitesFile | None, list[Diagnostic]]:
    """The sites file, read like a record (libyaml, positions, French); or its diagnostics."""
    from .loader import _validate
    from .yamlsource import read_record_file

    source = read_record_file(path, shown)
    diagnostics = list(source.diagnostics)
    if source.text is None or diagnostics:
        return None, diagnostics
    network = _validate(_models(), source, diagnostics)
    # Read from the raw values too, so that one run shows every problem of the file.
    entries = source.data.get("sites") if isinstance(source.data, dict) else None
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        site_id, ref = entry.get("id"), entry.get("ref")
        if isinstance(site_id, str) and site_id in seen:
            line, column = source.position(("sites", index, "id"))
            diagnostics.append(
                Diagnostic(
                    shown,
                    line,
                    column,
                    "error",
                    "duplicate-id",
                    f"site « {site_id} » déjà déclaré (élément {seen[site_id] + 1} de sites)",
                )
            )
        elif isinstance(site_id, str):
            seen[site_id] = index
        if isinstance(ref, str) and not _REF.fullmatch(ref):
            line, column = source.position(("sites", index, "ref"))
            diagnostics.append(
                Diagnostic(
                    shown,
                    line,
                    column,
                    "error",
                    "bad-ref",
                    f"référence « {ref} » invalide : un nom de branche ou d’étiquette "
                    "(lettres, chiffres, « . », « _ », « / », « - »)",
                )
            )
    if network is None or diagnostics:
        return None, sorted(_redacted(diagnostics, entries), key=Diagnostic.sort_key)
    sites = [Site(e.id, e.name, e.repo, e.ref) for e in network.sites]
    return SitesFile(network.name, sites, path.resolve().parent), diagnostics


def _redacted(diagnostics: list[Diagnostic], entries: object) -> list[Diagnostic]:
    """The sites file's diagnostics with every repository shown redacted: a message quoting a
    `repo` (one with a control character, say) never shows its password."""
    from .diagnostics import one_line

    secrets = []
    for entry in entries if isinstance(entries, list) else []:
        repo = entry.get("repo") if isinstance(entry, dict) else None
        if isinstance(repo, str) and redact(repo) != repo:
            secrets.append((one_line(repo), one_line(redact(repo))))
            secrets.append((repo, redact(repo)))
    if not secrets:
        return diagnostics
    cleaned = []
    for diagnostic in diagnostics:
        message = diagnostic.message
        for raw, shown in secrets:
            message = message.replace(raw, shown)
        cleaned.append(dataclasses.replace(diagnostic, message=message))
    return cleaned


# --- which repositories may be fetched -------------------------------------------------


def redact(repo: str) -> str:
    """A repository as it may be shown: no password, and no user name in an https URL (often a token)."""
    scheme = _SCHEME.match(repo)
    if scheme:
        head, rest = repo[: scheme.end()], repo[scheme.end() :]
        authority, slash, path = rest.partition("/")
        if "@" in authority:
            user, _, host = authority.rpartition("@")
            if ":" in user:
                user = user.split(":", 1)[0] + ":***"
            if scheme.group(1).lower() in ("https", "http"):
                user = "***"
            authority = f"{user}@{host}"
        return head + authority + slash + path
    password = _SCP_PASSWORD.match(repo)
    if password:
        return f"{password.group(1)}:***@{repo[password.end() :]}"
    return repo


class Refused(Exception):
    """A repository gasp will not hand to git; the message is French and shows it redacted."""


def git_location(repo: str, folder: Path) -> str:
    """What git is given for a site's `repo`: the URL as written, or a local path made absolute.

    Refuses `<transport>::` remote helpers, transports other than https, ssh, git and
    file, a URL holding a password, and anything git could read as an option.
    """
    shown = redact(repo)
    if repo.startswith("-"):
        raise Refused(f"dépôt « {shown} » refusé : il commence par « - » (git le lirait comme une option)")
    if _TRANSPORT_HELPER.match(repo):
        helper = repo.split("::", 1)[0]
        raise Refused(
            f"dépôt « {shown} » refusé : les assistants de transport « {helper}:: » peuvent lancer des "
            "commandes ; seuls https, ssh, git, file et les chemins locaux sont admis"
        )
    scheme = _SCHEME.match(repo)
    if scheme:
        name = scheme.group(1).lower()
        if name not in _SCHEMES:
            advice = " (non chiffré : écrivez https://)" if name == "http" else ""
            raise Refused(
                f"dépôt « {shown} » refusé : transport « {name} » non admis{advice} ; "
                "seuls https, ssh, git, file et les chemins locaux sont admis"
            )
        try:
            parts = urlsplit(repo)
            password = parts.password
        except ValueError:
            raise Refused(f"dépôt « {shown} » refusé : URL mal formée") from None
        if password is not None:
            raise Refused(
                f"dépôt « {shown} » refusé : l’URL contient un mot de passe ; retirez-le et laissez git "
                "s’authentifier (clé ssh, gestionnaire d’identifiants)"
            )
        return repo
    if _SCP_PASSWORD.match(repo) and _SCP_LIKE.match(repo.split("@", 1)[1] if "@" in repo else repo):
        raise Refused(
            f"dépôt « {shown} » refusé : l’adresse contient un mot de passe ; retirez-le et laissez git "
            "s’authentifier (clé ssh, gestionnaire d’identifiants)"
        )
    if _SCP_LIKE.match(repo) and not Path(repo).exists():
        return repo  # user@host:path, which git reads as ssh
    local = (folder / Path(repo).expanduser()).resolve()
    if not local.exists():
        raise GitFailed(f"dépôt « {shown} » introuvable : pas de dossier {local}")
    return str(local)


# --- git --------------------------------------------------------------------------------


class GitFailed(Exception):
    """A git command that failed or ran out of time; the message is French."""


# Variables that would point git at another repository than the one we name.
_GIT_LOCATIONS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
)


def git_environment() -> dict[str, str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in _GIT_LOCATIONS and not k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    }
    environment.update(
        GIT_ALLOW_PROTOCOL=ALLOWED_PROTOCOLS,
        GIT_TERMINAL_PROMPT="0",
        GIT_PROTOCOL_FROM_USER="0",
        LC_ALL="C",
        LANGUAGE="C",
        GCM_INTERACTIVE="never",
    )
    return environment


# No command from a remote runs here: no `ext::`, no hook, no background gc.
GIT = (
    "git",
    "-c",
    "protocol.ext.allow=never",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "gc.auto=0",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "transfer.fsckObjects=true",
)


def run_git(
    arguments: list[str], timeout: float, *, stdout: int | None = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """Run git in its own session (no terminal to prompt on); kill it and its children on time out."""
    process = subprocess.Popen(
        [*GIT, *arguments],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=git_environment(),
        start_new_session=True,
    )
    _LIVE.add(process)
    if _STOPPING.is_set():
        _kill(process)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise GitFailed(f"délai dépassé ({timeout:g} s) : le dépôt ne répond pas") from None
    except BaseException:
        _kill(process)
        raise
    finally:
        _LIVE.discard(process)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


# The git commands running in this process: an interrupted run kills them (they run in
# their own session, so a Ctrl-C on the terminal does not reach them).
_LIVE: set[subprocess.Popen[bytes]] = set()
_STOPPING = threading.Event()


def _kill(process: subprocess.Popen[bytes]) -> None:
    with suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _git_reason(result: subprocess.CompletedProcess[bytes]) -> str:
    """git's last line of complaint, without a secret and on one line."""
    from .diagnostics import one_line

    lines = [line.strip() for line in result.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    last = next((line for line in reversed(lines) if line.startswith(("fatal:", "error:"))), lines[-1] if lines else "")
    last = re.sub(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+", lambda m: redact(m.group(0)), last)
    return one_line(last[:300]) or f"git a échoué (code {result.returncode})"


@dataclass
class Fetched:
    site: Site
    commit: str | None = None
    reason: str | None = None
    fetched: bool = False  # False: the tip had not moved, nothing was downloaded


def _site_folder(cache: Path, site: Site) -> Path:
    return cache / "sites" / site.id


def _tips(location: str, ref: str | None, timeout: float) -> list[tuple[str, str]]:
    patterns = (
        ["HEAD"] if ref is None else ([ref] if ref.startswith("refs/") else [f"refs/heads/{ref}", f"refs/tags/{ref}"])
    )
    result = run_git(["ls-remote", "--", location, *patterns], timeout)
    if result.returncode != 0:
        raise GitFailed(f"dépôt injoignable : {_git_reason(result)}")
    tips = []
    for line in result.stdout.decode("ascii", "replace").splitlines():
        sha, _, name = line.partition("\t")
        if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha) and name in patterns:
            tips.append((name, sha))
    return sorted(tips, key=lambda pair: patterns.index(pair[0]))


def fetch_site(site: Site, cache: Path, folder: Path, timeout: float = DEFAULT_TIMEOUT) -> Fetched:
    """Ask the site's remote for its tip; fetch it only if it moved. Never raises for a bad site."""
    try:
        location = git_location(site.repo, folder)
        tips = _tips(location, site.ref, timeout)
        if not tips:
            if site.ref:
                return Fetched(
                    site, reason=f"référence « {site.ref} » introuvable dans le dépôt « {redact(site.repo)} »"
                )
            return Fetched(site, reason=f"le dépôt « {redact(site.repo)} » n’a pas de HEAD (dépôt vide ?)")
        name, advertised = tips[0]
        place = _site_folder(cache, site)
        repository = place / "repo.git"
        state_file = place / "state.json"
        state = _read_json(state_file)
        if (
            state
            and state.get("advertised") == advertised
            and state.get("name") == name
            and isinstance(state.get("commit"), str)
            and repository.is_dir()
        ):
            return Fetched(site, commit=state["commit"])
        place.mkdir(parents=True, exist_ok=True)
        if not (repository / "HEAD").is_file():
            shutil.rmtree(repository, ignore_errors=True)
            created = run_git(["init", "--quiet", "--bare", "--", str(repository)], timeout)
            if created.returncode != 0:
                raise GitFailed(f"cache inutilisable : {_git_reason(created)}")
        fetched = run_git(
            [
                "--git-dir",
                str(repository),
                "fetch",
                "--quiet",
                "--no-tags",
                "--depth=1",
                "--no-write-fetch-head",
                "--",
                location,
                f"+{name}:refs/gasp/tip",
            ],
            timeout,
        )
        if fetched.returncode != 0:
            raise GitFailed(f"récupération impossible : {_git_reason(fetched)}")
        resolved = run_git(
            ["--git-dir", str(repository), "rev-parse", "--verify", "--quiet", "refs/gasp/tip^{commit}"], timeout
        )
        commit = resolved.stdout.decode("ascii", "replace").strip()
        if resolved.returncode != 0 or not commit:
            return Fetched(site, reason=f"« {site.ref or 'HEAD'} » ne désigne pas un commit")
        _write_json(state_file, {"advertised": advertised, "name": name, "commit": commit})
        return Fetched(site, commit=commit, fetched=True)
    except (Refused, GitFailed) as error:
        return Fetched(site, reason=str(error))
    except OSError as error:
        return Fetched(site, reason=f"git n’a pas pu être lancé : {system_reason(error)}")


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


def _scratch() -> str | None:
    """Where a site is exported: a folder in memory when there is one (six times quicker than
    a disk for hundreds of small files), else the system's temporary folder."""
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    return None


def _failed(reason: str) -> dict[str, Any]:
    return {"status": "error", "reason": reason, "report_json": None}


# --- the run -------------------------------------------------------------------------------


@dataclass
class SiteResult:
    site: Site
    commit: str | None
    status: str
    reason: str | None
    # The site's `gasp report --format json`, kept as text: a network holds thousands of them.
    report_json: str | None
    read: bool  # the records were read in this run (not taken from the cache)
    days_to_decision: list[int] = field(default_factory=list)
    days_to_minutes: list[int] = field(default_factory=list)
    attendance: dict[str, list[int]] = field(default_factory=dict)

    @property
    def report(self) -> dict[str, Any] | None:
        return json.loads(self.report_json) if self.report_json is not None else None


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


# --- the totals ----------------------------------------------------------------------------


def _median(values: list[int]) -> int | float | None:
    from .documents.rapport import _whole_or_none

    return _whole_or_none(statistics.median(values)) if values else None


def network_totals(year: int, results: list[SiteResult]) -> dict[str, Any]:
    """The keys of a report, over the `ok` sites: counts summed, medians over all their values.

    A group id, a theme id or a person id means something only in its site: groups are
    summed by kind (agents, usagers…), and ids are written `<site>/<id>`.
    """
    from .documents.rapport import _whole
    from .vocabulary import KIND_ORDER

    groups: dict[str, dict[str, Any]] = {}
    attendance: dict[str, list[int]] = {}
    raised = awaiting = implemented = open_actions = 0
    decided: dict[str, int] = {}
    decisions: list[int] = []
    minutes: list[int] = []
    funding: dict[str, float] = {}
    institutions: list[str] = []
    arrivals: list[dict[str, Any]] = []
    departures: list[dict[str, Any]] = []
    guests: list[str] = []
    themes: dict[str, set[str]] = {}
    shared: dict[str, list[str]] = {}
    within: int | None = None
    next_year: list[dict[str, Any]] = []
    # Shares and medians do not add up: each site's indicator rows, named by their site.
    indicators: list[dict[str, Any]] = []
    for result in results:
        if result.status != "ok" or result.report_json is None:
            continue
        report = json.loads(result.report_json)
        site = result.site.id
        kinds: dict[str, str] = {}
        for gid, group in report["groups"].items():
            kinds[gid] = group["kind"]
            total = groups.setdefault(group["kind"], {"kind": group["kind"], "due": 0, "held": 0, "cancelled": 0})
            for key in ("due", "held", "cancelled"):
                total[key] += group[key]
            attendance.setdefault(group["kind"], []).extend(result.attendance.get(gid, []))
        proposals = report["proposals"]
        raised += proposals["raised"]
        awaiting += proposals["awaiting_decision"]
        implemented += proposals["implemented"]
        for outcome, count in proposals["decided"].items():
            decided[outcome] = decided.get(outcome, 0) + count
        decisions.extend(result.days_to_decision)
        minutes.extend(result.days_to_minutes)
        open_actions += report["open_actions"]
        for source, euros in report["funding"].items():
            funding[source] = funding.get(source, 0.0) + euros
        institutions.extend(f"{site}/{i}" for i in report["institutions"])
        arrivals.extend({"site": site, **m} for m in report["arrivals"])
        departures.extend({"site": site, **m} for m in report["departures"])
        guests.extend(f"{site}/{i}" for i in report["guest_institutions"])
        for gid, ids in report["themes"].items():
            themes.setdefault(kinds.get(gid, gid), set()).update(f"{site}/{t}" for t in ids)
        for theme, gids in report["shared_themes"].items():
            shared[f"{site}/{theme}"] = [f"{site}/{g}" for g in gids]
        if report["decided_within_commitment"] is not None:
            within = (within or 0) + report["decided_within_commitment"]
        next_year.extend({"site": site, **row} for row in report["next_year"])
        indicators.extend({"site": site, **row} for row in report.get("indicators", []))
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    by_kind = {}
    for kind in sorted(groups, key=lambda k: order.get(k, len(order))):
        seen = attendance.get(kind, [])
        by_kind[kind] = {
            **groups[kind],
            "attendance_mean": round_half_up(statistics.fmean(seen), 1) if seen else None,
            "attendance_min": min(seen) if seen else None,
            "attendance_max": max(seen) if seen else None,
        }
    return {
        "year": year,
        "groups": by_kind,
        "proposals": {"raised": raised, "decided": decided, "awaiting_decision": awaiting, "implemented": implemented},
        "median_days_to_decision": _median(decisions),
        "open_actions": open_actions,
        "funding": {source: _whole(euros) for source, euros in sorted(funding.items())},
        "institutions": sorted(institutions),
        # `person` is null for someone who did not consent to be named (gasp report's JSON).
        "arrivals": sorted(arrivals, key=lambda m: (m["date"], m["site"], m["person"] or "")),
        "departures": sorted(departures, key=lambda m: (m["date"], m["site"], m["person"] or "")),
        "guest_institutions": sorted(guests),
        "themes": {kind: sorted(themes[kind]) for kind in sorted(themes, key=lambda k: order.get(k, len(order)))},
        "shared_themes": dict(sorted(shared.items())),
        "decided_within_commitment": within,
        "median_days_to_minutes": _median(minutes),
        "next_year": sorted(next_year, key=lambda r: (r["date"], r.get("time") or "", r["site"])),
        "indicators": indicators,
    }


def json_chunks(year: int, results: list[SiteResult], totals: dict[str, Any]) -> Iterator[str]:
    """The network's JSON, `{year, sites, totals}`, a site at a time.

    Each site's report is written as the cache keeps it, on one line: re-indenting
    thousands of reports took longer than the whole warm run (Python's JSON encoder
    has no C path with `indent`).
    """

    def indented(value: Any, depth: int) -> str:
        return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)

    yield "{\n" + f'  "year": {year},\n  "sites": {{'
    for index, result in enumerate(results):
        entry = indented(
            {"name": result.site.name, "commit": result.commit, "status": result.status, "reason": result.reason}, 2
        )
        report = result.report_json if result.report_json is not None else "null"
        comma = "," if index < len(results) - 1 else ""
        # `entry` ends with "\n    }": the report goes in before that brace.
        yield f'\n    {json.dumps(result.site.id, ensure_ascii=False)}: {entry[:-6]},\n      "report": {report}\n    }}{comma}'
    yield ("\n  }," if results else "},") + f'\n  "totals": {indented(totals, 1)}\n}}\n'
