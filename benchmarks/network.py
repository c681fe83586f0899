"""Scale of `gasp network report`: N sites, each a git repository of a few years.

Usage: python benchmarks/network.py [N]   (default 300; `make bench-network`)

One generated workspace (benchmarks/generate.py: 3 years, 20 proposals a year, about
300 files) is committed year by year into a template repository; each site is a copy
of it with one commit of its own (its name). Measured, each in a fresh process:
1. a cold run (empty cache: every site fetched and read);
2. a warm run, no site changed (goal: under 2 s for 300 sites);
3. a run after one site changed (only that site fetched and read again).
Peak memory is the largest sum of the proportional set sizes (PSS) of gasp, its workers
and its git processes, sampled every 20 ms (goal: under 300 MB).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import FIRST_YEAR, generate  # noqa: E402

YEARS = 3
GIT = ["git", "-c", "user.name=Banc", "-c", "user.email=banc@example.org", "-c", "commit.gpgsign=false"]


def git(folder: Path, *args: str) -> None:
    subprocess.run([*GIT, "-C", str(folder), *args], check=True, capture_output=True)


def template(root: Path) -> Path:
    """A repository whose history holds one commit per year of records."""
    full = root / "complet"
    generate(full, years=YEARS, proposals_per_year=20)
    repo = root / "modele"
    (repo / "records").mkdir(parents=True)
    git(root, "init", "--quiet", "--initial-branch=main", str(repo))
    for name in ("gasp.yaml", "services", "people", "themes", "groups"):
        source = full / "records" / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, repo / "records" / name)
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        shutil.copytree(full / "records" / "meetings" / str(year), repo / "records" / "meetings" / str(year))
        (repo / "records" / "proposals").mkdir(exist_ok=True)
        for proposal in (full / "records" / "proposals").glob(f"p{year}-*.yaml"):
            shutil.copy(proposal, repo / "records" / "proposals" / proposal.name)
        git(repo, "add", "-A")
        git(repo, "commit", "--quiet", "-m", f"année {year}")
    return repo


def rename_site(repo: Path, number: int, suffix: str = "") -> None:
    gasp = repo / "records" / "gasp.yaml"
    lines = gasp.read_text(encoding="utf-8").splitlines()
    lines[0] = f"name: Gasp numéro {number}{suffix}"
    gasp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(repo, "commit", "--quiet", "-am", f"site {number}{suffix}")


def sample_memory(root_pid: int, stop: threading.Event, peak: list[int]) -> None:
    """The largest sum of PSS over the process and its descendants (Linux /proc): shared pages
    (libraries, the git program run by many fetches at once) counted once, shared out."""
    while not stop.is_set():
        total, todo = 0, [root_pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/smaps_rollup") as rollup:
                    total += next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as children:
                        todo.extend(int(c) for c in children.read().split())
            except (OSError, ValueError):
                continue
        peak[0] = max(peak[0], total)
        stop.wait(0.02)


def measure(command: list[str], env: dict) -> tuple[float, int, str]:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=sample_memory, args=(process.pid, stop, peak))
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"échec ({process.returncode}) : {err}")
    return seconds, peak[0], err.strip().splitlines()[0] if err.strip() else ""


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    gasp = Path(sys.executable).with_name("gasp")
    with tempfile.TemporaryDirectory(prefix="gasp-reseau-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        model = template(root)
        lines = ["name: Réseau de mesure", "sites:"]
        for number in range(count):
            site = root / "sites" / f"site-{number}"
            shutil.copytree(model, site, symlinks=True)
            rename_site(site, number)
            lines.append(f"  - {{id: site-{number}, name: Site {number}, repo: sites/site-{number}}}")
        (root / "sites.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{count} sites de {YEARS} ans générés en {time.perf_counter() - started:.0f} s")
        command = [
            str(gasp),
            "network",
            "report",
            "--sites",
            str(root / "sites.yaml"),
            "--format",
            "json",
            "--year",
            str(FIRST_YEAR + YEARS - 1),
            "--cache",
            str(root / "cache"),
        ]
        env = {**os.environ, "GASP_TODAY": f"{FIRST_YEAR + YEARS}-06-01"}
        rows = [("à froid (cache vide)", *measure(command, env))]
        rows.append(("à chaud, aucun site changé", *measure(command, env)))
        rename_site(root / "sites" / "site-0", 0, " (modifié)")
        rows.append(("après la modification d’un site", *measure(command, env)))
        print(f"{os.cpu_count()} cœurs ; {count} sites")
        for name, seconds, peak, summary in rows:
            print(f"{name} : {seconds:.2f} s, mémoire de pointe {peak / 1e6:.0f} Mo — {summary}")
        warm = rows[1][1]
        peak = max(row[2] for row in rows)
        # The goal is 2 s for 300 sites: for N sites, in proportion.
        goal = 2.0 * max(count, 300) / 300
        ok = peak < 300e6 and warm < goal
        print(
            f"cible à chaud < {goal:.1f} s ({count} sites ; 2 s pour 300), mémoire < 300 Mo : "
            f"{'ok' if ok else 'AU-DESSUS DE LA CIBLE'}"
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
