"""The sites file of a network: its sites, read and checked like records; which repositories
may be fetched (and how a URL is shown, its password redacted); a site's result."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .diagnostics import Diagnostic

if TYPE_CHECKING:  # for the annotations only: like pydantic, these are imported where they are used
    from .models import Record


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


class GitFailed(Exception):
    """A git command that failed or ran out of time; the message is French."""


# --- a site's result ------------------------------------------------------------


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
