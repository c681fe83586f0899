"""git: a site fetched into the cache, bounded in time."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from .network_cache import _read_json, _write_json
from .network_sites import GitFailed, Refused, Site, git_location, redact
from .output import system_reason

# The time limit of each git command of a site, in seconds (`--timeout`).
DEFAULT_TIMEOUT = 120.0

# The transports git may use (`GIT_ALLOW_PROTOCOL`; a local path is `file`).
ALLOWED_PROTOCOLS = "https:ssh:git:file"

# --- git --------------------------------------------------------------------------------

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
