"""Speed and memory of gasp, as ratios against floors measured in the same run.

On a generated workspace (40 years, `benchmarks/generate.py`), in one run:

1. `gasp validate` / a bare libyaml parse of the same files (yaml.load with
   CSafeLoader, nothing else). Target: at most 1.3.
2. a no-op `gasp render` (after a first full render into a temporary out/) /
   `gasp validate`. Target: at most 1.3.
3. `gasp --help` / `python -c "import typer"`. Target: at most 1.3.
4. `gasp export` / `gasp validate`, when `gasp export --help` exits 0. Target: 1.5.
5. `gasp validate` of one meeting citing 20 000 unknown people / `gasp validate` of a clean
   workspace of as many files (20 000 people): problems cost what files cost, not more
   (issue 22: each problem re-parsed its file). Target: under 2.
6. the peak resident memory of a full render at 10, 20 and 40 years, in md,html and (unless
   --quick or --no-pdf) in md,html,pdf (at 40 years: the first render of 2.): that of the
   whole process tree, gasp and the Typst processes it starts, added up. Target: under 250 MB
   at 40 years, growing less than linearly with the years.
8. `gasp serve`: seconds from a saved record to the reloaded page in Chromium, on the embedded
   example (benchmarks/serve.py). Target: at most 1 s.

6. edit one meeting (an agents meeting, then a usagers meeting: a word added to its
   discussion), then `gasp render` / `gasp validate`, at 10 and 40 years, over an out/ that a
   full render made (on a copy of the workspace). Target: at most 2.
7. the time of a full render into an empty out/ at 10 and 40 years (median of three each, in
   turns): its ratio 40 / 10 years,
   printed beside the ratio of their numbers of record files (it should grow no faster).

The figures are printed, and written into docs/vitesse.md (between its « mesures » marks),
with the machine's processors and load.

Each command runs in a fresh process, several times; the runs are interleaved
(one of each command per round) so that a change of load on the machine falls on
every command alike; the median is kept. Nothing here is a test: the exit status
says whether every target is met.

Ratios are of elapsed time; the processor time of each is printed too (on a busy
machine it moves less). Usage: python benchmarks/run.py [--quick] [--runs N] [--no-pdf]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import YEARS, generate  # noqa: E402

FLOOR = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""

MB = 1024 * 1024


def gasp_command() -> list[str]:
    script = Path(sys.executable).with_name("gasp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gasp_cli"]


def compile_bytecode() -> None:
    """gasp's modules compiled once, as an installation does (pip writes __pycache__): without it,
    under PYTHONDONTWRITEBYTECODE, every run would compile the modules changed since the last one."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("gasp_cli")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


def workspace_for(years: int) -> Path:
    """The generated workspace of so many years, made once and kept (benchmarks/workspace*)."""
    root = HERE / ("workspace" if years == YEARS else f"workspace-{years}")
    stamp = root / ".generated"
    source = (HERE / "generate.py").read_bytes()
    if not stamp.exists() or stamp.read_bytes() != source:
        generate(root, years=years)
        stamp.write_bytes(source)
    return root


def _tree_rss(root: int) -> int:
    """The resident memory (bytes) of a process and all its descendants now, from /proc (Linux).

    A child that has the command line of its parent is a fork not yet turned into its own
    program: it shares its parent's pages, which are counted once.
    """
    total, pending = 0, [(root, b"")]
    while pending:
        pid, parent_command = pending.pop()
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read()
            if pid != root and command == parent_command:
                continue
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE
            for task in os.listdir(f"/proc/{pid}/task"):  # a child belongs to the thread that started it
                with open(f"/proc/{pid}/task/{task}/children", "rb") as children:
                    pending.extend((int(child), command) for child in children.read().split())
        except OSError:
            continue  # ended meanwhile
    return total


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def run(command: list[str], tree: bool = False) -> tuple[float, float, int, int]:
    """Elapsed seconds, processor seconds, peak resident memory (bytes) and exit status of one fresh process.

    With `tree`, the peak is that of the whole process tree (gasp and the processes it starts,
    added up), sampled every 20 ms from /proc; without /proc, that of the largest single
    process (ru_maxrss of wait4: the command's, or that of one of its children, whichever is larger).
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sampled = [0]
    if tree and os.path.isdir("/proc"):
        import threading

        def sample() -> None:
            while process.returncode is None:
                sampled[0] = max(sampled[0], _tree_rss(process.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    unit = 1 if sys.platform == "darwin" else 1024
    # wait4's ru_maxrss is the largest of the process and the children it waited for.
    peak = max(usage.ru_maxrss * unit, sampled[0])
    return seconds, usage.ru_utime + usage.ru_stime, peak, process.returncode


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """The median elapsed and processor time of each command, one run of each per round."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            seconds, cpu, _, status = run(command)
            if status != 0:
                raise SystemExit(f"{name} : code de sortie {status} ({' '.join(command)})")
            times[name].append((seconds, cpu))
    return {
        name: (statistics.median(t for t, _ in values), statistics.median(c for _, c in values))
        for name, values in times.items()
    }


def full_render(workspace: Path, formats: str, out: Path) -> tuple[float, int, int]:
    """Seconds, peak memory and number of files of a full render into a new out/."""
    seconds, _, peak, status = run(
        [*gasp_command(), "--records", str(workspace), "render", "--out", str(out), "--format", formats], tree=True
    )
    if status != 0:
        raise SystemExit(f"gasp render --format {formats} : code de sortie {status}")
    return seconds, peak, sum(1 for path in out.rglob("*") if path.is_file())


def edit_meeting(path: Path, round: int) -> None:
    """A word added to a meeting's discussion (its first line): what the secretary does after a meeting."""
    text = path.read_text(encoding="utf-8")
    marker = "discussion: >-\n  "
    assert marker in text, path
    path.write_text(text.replace(marker, f"{marker}Retouche {round}. ", 1), encoding="utf-8")


def last_meeting(records: Path, group: str) -> Path:
    """The latest meeting file of a group (the one a secretary edits)."""
    return sorted((records / "meetings").rglob(f"*-{group}.yaml"))[-1]


def edit_loop(years: int, formats: str, runs: int) -> dict[str, tuple[float, float, float, float, str]]:
    """For an agents and a usagers meeting: median elapsed and processor time of `gasp render` after an
    edit, and of `gasp validate`, run in turns, on a copy of the workspace of `years` years rendered
    once in full; and what the last render said."""
    gasp = gasp_command()
    results: dict[str, tuple[float, float, float, float, str]] = {}
    with tempfile.TemporaryDirectory(prefix="gasp-bench-edit-") as folder:
        copy = Path(folder) / "espace"
        shutil.copytree(workspace_for(years) / "records", copy / "records")
        out = copy / "out"
        render = [*gasp, "--records", str(copy), "render", "--out", str(out), "--format", formats]
        validate = [*gasp, "--records", str(copy), "validate"]
        first = subprocess.run(render, capture_output=True, text=True)
        if first.returncode != 0:
            raise SystemExit(f"gasp render : code de sortie {first.returncode}\n{first.stderr}")
        for group in ("agents", "usagers"):
            meeting = last_meeting(copy / "records", group)
            renders: list[tuple[float, float]] = []
            validates: list[tuple[float, float]] = []
            said = ""
            for round in range(runs):
                edit_meeting(meeting, round)
                seconds, cpu, _, status = run(validate)
                if status != 0:
                    raise SystemExit(f"gasp validate après modification : code {status}")
                validates.append((seconds, cpu))
                start = time.perf_counter()
                process = subprocess.Popen(render, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                _, code, usage = os.wait4(process.pid, 0)
                elapsed = time.perf_counter() - start
                assert process.stdout is not None
                said = process.stdout.read().strip()
                process.stdout.close()
                if os.waitstatus_to_exitcode(code) != 0:
                    raise SystemExit(f"gasp render après modification : code {code}")
                renders.append((elapsed, usage.ru_utime + usage.ru_stime))
            results[f"{group} ({meeting.stem})"] = (
                statistics.median(t for t, _ in renders),
                statistics.median(c for _, c in renders),
                statistics.median(t for t, _ in validates),
                statistics.median(c for _, c in validates),
                said,
            )
    return results


MARK_START = "<!-- mesures : début (écrit par make bench) -->"
MARK_END = "<!-- mesures : fin -->"


def record(lines: list[str]) -> None:
    """The figures into docs/vitesse.md, between its marks (the rest of the page is left as it is)."""
    page = HERE.parent / "docs" / "vitesse.md"
    text = page.read_text(encoding="utf-8") if page.exists() else f"# Vitesse\n\n{MARK_START}\n{MARK_END}\n"
    if MARK_START not in text:
        text += f"\n{MARK_START}\n{MARK_END}\n"
    before, _, rest = text.partition(MARK_START)
    _, _, after = rest.partition(MARK_END)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    header = (
        f"Mesuré le {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {os.cpu_count()} processeurs, "
        f"charge moyenne {load:.1f} au départ (`make bench`)."
    )
    body = "\n".join(["", header, "", "```", *lines, "```", ""])
    page.write_text(f"{before}{MARK_START}\n{body}{MARK_END}{after}", encoding="utf-8")


PROBLEMS = 20_000
_GASP_FILE = """name: Gasp de mesure
communes: [Escautpont]
created: 2000-01-01
as_of: 2001-02-01
places:
  salle: {name: Salle, address: 1 rue de la Mairie}
"""
_GROUP_FILE = """name: Agents
kind: agents
cadence: {frequency: monthly, weekday: tuesday, week: 2, time: "14:00", duration: 90, place: salle}
members: [{person: agent-00000, since: 2000-01-01}]
"""


def problems_workspace(root: Path, problems: int, people: int) -> Path:
    """`people` person files and one meeting citing `problems` people who do not exist."""
    records = root / "records"
    (records / "people").mkdir(parents=True)
    (records / "groups").mkdir()
    (records / "meetings" / "2001").mkdir(parents=True)
    (records / "gasp.yaml").write_text(_GASP_FILE, encoding="utf-8")
    (records / "groups" / "agents.yaml").write_text(_GROUP_FILE, encoding="utf-8")
    for i in range(max(people, 1)):
        (records / "people" / f"agent-{i:05d}.yaml").write_text(f"name: Agent {i}\nkind: agent\n", encoding="utf-8")
    attendees = "".join(f"  - inconnu-{i:05d}\n" for i in range(problems)) or "  - agent-00000\n"
    (records / "meetings" / "2001" / "2001-01-09-agents.yaml").write_text(
        f'group: agents\ndate: 2001-01-09\ntime: "14:00"\nplace: salle\nstatus: held\n'
        f"minutes_sent: 2001-01-10\nattendees:\n{attendees}",
        encoding="utf-8",
    )
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3 exécutions par mesure ; rendus en md,html seulement, à 10 et 40 ans"
    )
    parser.add_argument("--runs", type=int, help="exécutions par mesure (7 par défaut, 3 avec --quick)")
    parser.add_argument("--no-pdf", action="store_true", help="aucun rendu avec PDF (le plus long)")
    options = parser.parse_args()
    runs = options.runs or (3 if options.quick else 7)
    with_pdf = not (options.quick or options.no_pdf)
    formats = "md,html,pdf" if with_pdf else "md,html"
    gasp = gasp_command()
    compile_bytecode()

    workspace = workspace_for(YEARS)
    records = workspace / "records"
    files = sum(1 for _ in records.rglob("*.yaml"))
    meetings = sum(1 for _ in (records / "meetings").rglob("*.yaml"))
    check = subprocess.run([*gasp, "--records", str(workspace), "validate"], capture_output=True, text=True)
    if check.returncode != 0:
        print(check.stdout, check.stderr)
        return 1
    export_there = subprocess.run([*gasp, "export", "--help"], capture_output=True).returncode == 0
    print(
        f"Espace généré de {YEARS} ans : {files} fichiers, {meetings} réunions ; "
        f"médiane de {runs} exécutions, chacune dans un nouveau processus.",
        flush=True,
    )

    peaks: dict[str, int] = {}
    durations: dict[str, float] = {}
    growth_lines: list[str] = []
    scratch = Path(tempfile.mkdtemp(prefix="gasp-bench-"))
    try:
        out = scratch / "out"
        seconds, peak, rendered = full_render(workspace, formats, out)
        peaks[f"{YEARS} ans, --format {formats}"] = peak
        durations[f"{YEARS} ans, --format {formats}"] = seconds
        print(f"Premier rendu complet (--format {formats}) : {rendered} fichiers en {seconds:.1f} s.", flush=True)
        commands = {
            "floor": [sys.executable, "-c", FLOOR, str(records)],
            "validate": [*gasp, "--records", str(workspace), "validate"],
            "render": [*gasp, "--records", str(workspace), "render", "--out", str(out), "--format", formats],
            "typer": [sys.executable, "-c", "import typer"],
            "help": [*gasp, "--help"],
        }
        if export_there:
            commands["export"] = [*gasp, "--records", str(workspace), "export", "--out", str(scratch / "export")]
        problems = problems_workspace(scratch / "problemes", PROBLEMS, 0)
        clean = problems_workspace(scratch / "propre", 0, PROBLEMS)
        # Both exit 1 or 0: `validate` through a shell that forgives the 1 of the problems.
        commands["problems"] = [
            "sh",
            "-c",
            '"$@" >/dev/null 2>&1; true',
            "gasp",
            *gasp,
            "--records",
            str(problems),
            "validate",
        ]
        commands["clean"] = [*gasp, "--records", str(clean), "validate"]
        times = medians(commands, runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    rows = [
        ("gasp validate / lecture libyaml seule", "validate", "floor", 1.3),
        (f"gasp render sans changement ({formats}) / gasp validate", "render", "validate", 1.3),
        ("gasp --help / import typer", "help", "typer", 1.3),
    ]
    if export_there:
        rows.append(("gasp export / gasp validate", "export", "validate", 1.5))
    rows.append(
        (
            f"gasp validate, {PROBLEMS} problèmes dans un fichier / {PROBLEMS} fichiers sans problème",
            "problems",
            "clean",
            2.0,
        )
    )
    print("Rapports (temps écoulé ; temps processeur, moins sensible à la charge de la machine) :")
    printed = [
        f"Espace généré de {YEARS} ans : {files} fichiers, {meetings} réunions ; médiane de {runs} exécutions.",
        "Rapports (temps écoulé ; temps processeur, moins sensible à la charge de la machine) :",
    ]
    ok = True
    for name, measured, base, target in rows:
        (wall, cpu), (base_wall, base_cpu) = times[measured], times[base]
        ratio = wall / base_wall
        verdict = "ok" if ratio <= target else "AU-DESSUS DE LA CIBLE"
        ok &= ratio <= target
        line = (
            f"  {name} : {wall:.3f} s / {base_wall:.3f} s = {ratio:.2f} (cible ≤ {target}) {verdict} ; "
            f"processeur {cpu:.3f} s / {base_cpu:.3f} s = {cpu / base_cpu:.2f}"
        )
        print(line)
        printed.append(line)
    if not export_there:
        print("  gasp export / gasp validate : pas encore là (`gasp export --help` échoue)")

    print(
        "Mémoire résidente maximale d'un rendu complet dans un out/ neuf (gasp et ses processus Typst, "
        "additionnés), et sa durée :",
        flush=True,
    )
    growth_years = [10, 20, YEARS] if not options.quick else [10, YEARS]
    growths = ["md,html", "md,html,pdf"] if with_pdf else ["md,html"]
    sublinear = True
    for growth_formats in growths:
        by_years: dict[int, int] = {}
        for years in growth_years:
            key = f"{years} ans, --format {growth_formats}"
            if key not in peaks:
                with tempfile.TemporaryDirectory(prefix="gasp-bench-") as folder:
                    seconds, peaks[key], _count = full_render(
                        workspace_for(years), growth_formats, Path(folder) / "out"
                    )
                    durations[key] = seconds
            by_years[years] = peaks[key]
        factor = by_years[YEARS] / by_years[10]
        sublinear &= factor < YEARS / 10
        growth_lines.append(
            f"  de 10 à {YEARS} ans ({growth_formats}) : ×{factor:.2f} pour ×{YEARS // 10} années "
            f"({'sous-linéaire' if factor < YEARS / 10 else 'AU MOINS LINÉAIRE'})"
        )
    for key, peak in sorted(peaks.items(), key=lambda pair: (pair[0].split(",", 1)[1], int(pair[0].split()[0]))):
        print(f"  {key} : {peak / MB:.0f} Mo" + (f" ({durations[key]:.0f} s)" if key in durations else ""))
    for line in growth_lines:
        print(line)
    largest = max(peaks.values())
    under = largest < 250 * MB
    print(f"  maximum : {largest / MB:.0f} Mo (cible < 250 Mo) {'ok' if under else 'AU-DESSUS DE LA CIBLE'}")
    ok &= under and sublinear
    printed.extend(
        [
            "Mémoire résidente maximale d'un rendu complet (gasp et ses processus, additionnés) :",
            *(
                f"  {key} : {peak / MB:.0f} Mo" + (f" ({durations[key]:.0f} s)" if key in durations else "")
                for key, peak in sorted(peaks.items())
            ),
            *growth_lines,
            f"  maximum : {largest / MB:.0f} Mo (cible < 250 Mo) {'ok' if under else 'AU-DESSUS DE LA CIBLE'}",
        ]
    )

    # A full render grows no faster than the records: its time at 40 years over its time at 10.
    files_by_years = {
        years: sum(1 for _ in (workspace_for(years) / "records").rglob("*.yaml")) for years in (10, YEARS)
    }
    # The history alone (meetings and proposals): the other record files (people, services, themes,
    # groups) do not grow with the years, and the documents follow the history.
    history_by_years = {
        years: sum(
            1 for kind in ("meetings", "proposals") for _ in (workspace_for(years) / "records" / kind).rglob("*.yaml")
        )
        for years in (10, YEARS)
    }
    full_key = f"{{}} ans, --format {formats}"
    # One full render of each varied by a third from run to run: three of each, in turns, the median.
    full_times: dict[int, list[float]] = {10: [], YEARS: []}
    for _ in range(3):
        for years in (10, YEARS):
            with tempfile.TemporaryDirectory(prefix="gasp-bench-") as folder:
                seconds, _peak, _count = full_render(workspace_for(years), formats, Path(folder) / "out")
            full_times[years].append(seconds)
    for years, seconds_list in full_times.items():
        durations[full_key.format(years)] = statistics.median(seconds_list)
    time_ratio = durations[full_key.format(YEARS)] / durations[full_key.format(10)]
    files_ratio = files_by_years[YEARS] / files_by_years[10]
    line = (
        f"Rendu complet ({formats}, médiane de 3) : {durations[full_key.format(10)]:.1f} s à 10 ans, "
        f"{durations[full_key.format(YEARS)]:.1f} s à {YEARS} ans : ×{time_ratio:.2f} pour ×{files_ratio:.2f} "
        f"fichiers d'enregistrements ({files_by_years[10]} → {files_by_years[YEARS]}) "
        f"{'ok' if time_ratio <= files_ratio * 1.1 else 'PLUS VITE QUE LES ENREGISTREMENTS'} ; "
        f"réunions et propositions seules : ×{history_by_years[YEARS] / history_by_years[10]:.2f} "
        f"({history_by_years[10]} → {history_by_years[YEARS]})"
    )
    print(line, flush=True)
    printed.append(line)

    # The secretary's loop: edit one meeting, render.
    print("Une réunion modifiée, puis gasp render / gasp validate (médianes) :", flush=True)
    printed.append("Une réunion modifiée, puis gasp render / gasp validate (médianes) :")
    for years in (10, YEARS):
        for name, (wall, cpu, base_wall, base_cpu, said) in edit_loop(years, formats, max(3, runs // 2)).items():
            ratio = wall / base_wall
            ok &= ratio <= 2
            line = (
                f"  {years} ans, réunion des {name} : {wall:.2f} s / {base_wall:.2f} s = {ratio:.2f} (cible ≤ 2) "
                f"{'ok' if ratio <= 2 else 'AU-DESSUS DE LA CIBLE'} ; processeur {cpu:.2f} s / {base_cpu:.2f} s "
                f"= {cpu / base_cpu:.2f} ; « {said} »"
            )
            print(line, flush=True)
            printed.append(line)

    from serve import measure_line

    print("L'atelier dans le navigateur (Chromium, Playwright) :", flush=True)
    printed.append("L'atelier dans le navigateur (Chromium, Playwright) :")
    line, met = measure_line(runs)
    print(line, flush=True)
    printed.append(line)
    ok &= met
    record(printed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
