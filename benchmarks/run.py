"""Speed and memory of gasp, as ratios against floors measured in the same run.

On a generated workspace (40 years, `benchmarks/generate.py`), in one run:

1. `gasp validate` / a bare libyaml parse of the same files (yaml.load with
   CSafeLoader, nothing else). Target: at most 1.3.
2. a no-op `gasp render` (after a first full render into a temporary out/) /
   `gasp validate`. Target: at most 1.3.
3. `gasp --help` / `python -c "import typer"`. Target: at most 1.3.
4. `gasp export` / `gasp validate`, when `gasp export --help` exits 0. Target: 1.5.
5. the peak resident memory of a full render at 10, 20 and 40 years (md,html),
   and once with PDFs at 40 years. Target: under 250 MB at 40 years, growing less
   than linearly with the years.

Each command runs in a fresh process, several times; the runs are interleaved
(one of each command per round) so that a change of load on the machine falls on
every command alike; the median is kept. Nothing here is a test: the exit status
says whether every target is met.

Usage: python benchmarks/run.py [--quick] [--runs N] [--no-pdf]
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


def workspace_for(years: int) -> Path:
    """The generated workspace of so many years, made once and kept (benchmarks/workspace*)."""
    root = HERE / ("workspace" if years == YEARS else f"workspace-{years}")
    stamp = root / ".generated"
    source = (HERE / "generate.py").read_bytes()
    if not stamp.exists() or stamp.read_bytes() != source:
        generate(root, years=years)
        stamp.write_bytes(source)
    return root


def run(command: list[str]) -> tuple[float, int, int]:
    """Seconds, peak resident memory in bytes, and exit status of one fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    peak = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return seconds, peak, process.returncode


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """The median time of each command, one run of each per round."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            seconds, _, status = run(command)
            if status != 0:
                raise SystemExit(f"{name} : code de sortie {status} ({' '.join(command)})")
            times[name].append(seconds)
    return {name: statistics.median(values) for name, values in times.items()}


def full_render_peak(workspace: Path, formats: str) -> tuple[float, int, int]:
    """Seconds, peak memory and number of files of a full render into a new out/."""
    with tempfile.TemporaryDirectory(prefix="gasp-bench-") as out:
        seconds, peak, status = run([*gasp_command(), "--records", str(workspace), "render",
                                     "--out", out, "--format", formats])
        if status != 0:
            raise SystemExit(f"gasp render --format {formats} : code de sortie {status}")
        files = sum(1 for path in Path(out).rglob("*") if path.is_file())
    return seconds, peak, files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 exécutions par mesure, mémoire à 10 et 40 ans seulement, sans PDF")
    parser.add_argument("--runs", type=int, help="exécutions par mesure (7 par défaut, 3 avec --quick)")
    parser.add_argument("--no-pdf", action="store_true", help="ne pas mesurer le rendu complet avec PDF")
    options = parser.parse_args()
    runs = options.runs or (3 if options.quick else 7)
    gasp = gasp_command()

    workspace = workspace_for(YEARS)
    records = workspace / "records"
    files = sum(1 for _ in records.rglob("*.yaml"))
    meetings = sum(1 for _ in (records / "meetings").rglob("*.yaml"))
    check = subprocess.run([*gasp, "--records", str(workspace), "validate"], capture_output=True, text=True)
    if check.returncode != 0:
        print(check.stdout, check.stderr)
        return 1
    export_there = subprocess.run([*gasp, "export", "--help"], capture_output=True).returncode == 0

    out = Path(tempfile.mkdtemp(prefix="gasp-bench-out-"))
    try:
        started = time.perf_counter()
        first = subprocess.run([*gasp, "--records", str(workspace), "render", "--out", str(out)],
                               capture_output=True, text=True)
        first_seconds = time.perf_counter() - started
        if first.returncode != 0:
            print(first.stdout, first.stderr)
            return 1
        rendered = sum(1 for path in out.rglob("*") if path.is_file())
        commands = {
            "floor": [sys.executable, "-c", FLOOR, str(records)],
            "validate": [*gasp, "--records", str(workspace), "validate"],
            "render": [*gasp, "--records", str(workspace), "render", "--out", str(out)],
            "typer": [sys.executable, "-c", "import typer"],
            "help": [*gasp, "--help"],
        }
        if export_there:
            export_out = out.parent / (out.name + ".export")
            commands["export"] = [*gasp, "--records", str(workspace), "export", "--out", str(export_out)]
        times = medians(commands, runs)
    finally:
        shutil.rmtree(out, ignore_errors=True)
        if export_there:
            shutil.rmtree(out.parent / (out.name + ".export"), ignore_errors=True)

    print(f"Espace généré de {YEARS} ans : {files} fichiers, {meetings} réunions ; "
          f"médiane de {runs} exécutions, chacune dans un nouveau processus.")
    print(f"Premier rendu complet (md,html,pdf) : {rendered} fichiers en {first_seconds:.1f} s.")
    rows = [
        ("gasp validate / lecture libyaml seule", times["validate"], times["floor"], 1.3),
        ("gasp render sans changement / gasp validate", times["render"], times["validate"], 1.3),
        ("gasp --help / import typer", times["help"], times["typer"], 1.3),
    ]
    if export_there:
        rows.append(("gasp export / gasp validate", times["export"], times["validate"], 1.5))
    ok = True
    for name, measured, base, target in rows:
        ratio = measured / base
        verdict = "ok" if ratio <= target else "AU-DESSUS DE LA CIBLE"
        ok &= ratio <= target
        print(f"  {name} : {measured:.3f} s / {base:.3f} s = {ratio:.2f} (cible ≤ {target}) {verdict}")
    if not export_there:
        print("  gasp export / gasp validate : pas encore là (`gasp export --help` échoue)")

    print("Mémoire résidente maximale d'un rendu complet dans un out/ neuf :")
    years_list = [10, YEARS] if options.quick else [10, 20, YEARS]
    peaks = {}
    for years in years_list:
        seconds, peak, count = full_render_peak(workspace_for(years), "md,html")
        peaks[years] = peak
        print(f"  {years} ans, --format md,html : {peak / MB:.0f} Mo ({count} fichiers, {seconds:.1f} s)")
    if not (options.quick or options.no_pdf):
        seconds, peak, count = full_render_peak(workspace, "md,html,pdf")
        peaks["pdf"] = peak
        print(f"  {YEARS} ans, --format md,html,pdf : {peak / MB:.0f} Mo ({count} fichiers, {seconds:.1f} s)")
    largest = max(peaks.values())
    growth = (peaks[YEARS] / peaks[10]) / (YEARS / 10)
    sublinear = peaks[YEARS] / peaks[10] < YEARS / 10
    print(f"  de 10 à {YEARS} ans : ×{peaks[YEARS] / peaks[10]:.2f} pour ×{YEARS // 10} années "
          f"({'sous-linéaire' if sublinear else 'AU MOINS LINÉAIRE'}, {growth:.2f} de la croissance linéaire)")
    under = largest < 250 * MB
    print(f"  maximum : {largest / MB:.0f} Mo (cible < 250 Mo) {'ok' if under else 'AU-DESSUS DE LA CIBLE'}")
    ok &= under and sublinear
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
