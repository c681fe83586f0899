"""Speed of gasp, as ratios against a floor measured in the same run.

1. `gasp validate` on a large generated workspace (40 years, about 3,300 files)
   divided by a bare libyaml parse of the same files (yaml.load with CSafeLoader),
   each in a fresh Python process. Target: at most 1.5.
2. `gasp --help` divided by `python -c "import typer"`. Target: at most 1.3.

Each command is run several times; the median is kept. Usage: python benchmarks/run.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

RUNS = 7

FLOOR = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""


def gasp_command() -> list[str]:
    script = Path(sys.executable).with_name("gasp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gasp_cli"]


def median_seconds(command: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    workspace = HERE / "workspace"
    if not (workspace / "records" / "gasp.yaml").exists():
        generate(workspace)
    files = sum(1 for _ in (workspace / "records").rglob("*.yaml"))
    check = subprocess.run([*gasp_command(), "--records", str(workspace), "validate"], capture_output=True, text=True)
    if check.returncode != 0:
        print(check.stdout, check.stderr)
        return 1

    rows = []
    floor = median_seconds([sys.executable, "-c", FLOOR, str(workspace / "records")])
    validate = median_seconds([*gasp_command(), "--records", str(workspace), "validate"])
    rows.append(("gasp validate / analyse libyaml seule", validate, floor, 1.5))
    typer_import = median_seconds([sys.executable, "-c", "import typer"])
    help_time = median_seconds([*gasp_command(), "--help"])
    rows.append(("gasp --help / import typer", help_time, typer_import, 1.3))

    print(f"{files} fichiers, médiane de {RUNS} exécutions")
    ok = True
    for name, measured, base, target in rows:
        ratio = measured / base
        verdict = "ok" if ratio <= target else "AU-DESSUS DE LA CIBLE"
        ok &= ratio <= target
        print(f"{name}: {measured:.3f} s / {base:.3f} s = {ratio:.2f} (cible ≤ {target}) {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
