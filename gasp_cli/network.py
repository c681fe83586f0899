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

# The network's code, by concern; these names are its public face (`from gasp_cli import network`).
from .network_cache import CACHE_FORMAT, CacheBusy, cache_key, default_cache
from .network_git import DEFAULT_TIMEOUT, Fetched, fetch_site, git_environment, run_git
from .network_read import MAX_EXPORT_BYTES, MAX_EXPORT_FILES, export_records, read_site, site_report
from .network_run import Interrupted, run_network
from .network_sites import GitFailed, Refused, Site, SiteResult, SitesFile, git_location, read_sites, redact
from .network_totals import json_chunks, network_totals

__all__ = [
    "CACHE_FORMAT",
    "DEFAULT_TIMEOUT",
    "MAX_EXPORT_BYTES",
    "MAX_EXPORT_FILES",
    "CacheBusy",
    "Fetched",
    "GitFailed",
    "Interrupted",
    "Refused",
    "Site",
    "SiteResult",
    "SitesFile",
    "cache_key",
    "default_cache",
    "export_records",
    "fetch_site",
    "git_environment",
    "git_location",
    "json_chunks",
    "network_totals",
    "read_site",
    "read_sites",
    "redact",
    "run_git",
    "run_network",
    "site_report",
]
