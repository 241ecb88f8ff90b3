"""Cold start of the CLI: `gacheck --help` (budget 0.25 s) and `gacheck validate`.

Each run is a new process, as a user's would be. Also checks that `--help` imports none of the
heavy libraries (pandas, matplotlib, prometheus_api_client), which would blow the budget.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_HELP_S = 0.25
RUNS = 15


def time_runs(argv: list[str]) -> list[float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def heavy_imports(argv: list[str]) -> list[str]:
    probe = (
        "import sys, runpy; sys.argv = ['gacheck'] + sys.argv[1:];\n"
        "try:\n    runpy.run_module('gacheck', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "import json; print(json.dumps([m for m in ('pandas', 'matplotlib', "
        "'prometheus_api_client') if m in sys.modules]), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe, *argv], cwd=ROOT, capture_output=True,
                          text=True)
    return json.loads(done.stderr.strip().splitlines()[-1])


def main() -> int:
    script = str(Path(sys.executable).with_name("gacheck"))
    worst = 0.0
    for label, argv in (
        ("gacheck --help", [script, "--help"]),
        ("gacheck validate", [script, "validate", "--config", "config/gates.toml"]),
    ):
        times = time_runs(argv)
        median = statistics.median(times)
        print(f"{label:<20} median {median * 1000:6.1f} ms  min {min(times) * 1000:6.1f} ms  "
              f"max {max(times) * 1000:6.1f} ms  ({RUNS} cold processes)")
        if label.endswith("--help"):
            worst = median
    loaded = heavy_imports(["--help"])
    print(f"heavy modules imported by --help: {loaded or 'none'}")
    verdict = "within" if worst < BUDGET_HELP_S and not loaded else "OVER"
    print(f"--help budget {BUDGET_HELP_S * 1000:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
