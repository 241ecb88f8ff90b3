"""Fixed overhead: how soon the first gate starts after process start, and audit writing.

Budgets (issue 12): the first gate starts ≤ 0.15 s after the process starts; the audits
(JSON + Markdown) are written in ≤ 50 ms. The machine is shared, so each figure is paired, in
the same run, with the cost of starting ``python`` itself, and the load average is printed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 9
BUDGET_FIRST_GATE_S = 0.15
BUDGET_AUDIT_S = 0.05
CONFIG = """
[settings]
output_dir = "audits"

[[gates]]
id = "ruff_small"
kind = "ruff_budget"
title = "ruff"
paths = ["src"]
threshold = { max = 5 }
"""
CHILD = """
import os, sys, time
from gacheck import cli
cli.prepare_process()  # as main() does first, before the engine's import builds any model
import gacheck.run.engine as engine
original = engine.measure
def first(gate, ctx):
    sys.stderr.write(f"FIRST {time.time() - float(os.environ['BENCH_T0']):.4f}\\n")
    sys.stderr.flush()
    os._exit(0)
engine.measure = first
cli.main(sys.argv[1:])
"""
PYTHON_ONLY = "import os, sys, time; sys.stderr.write(f\"FIRST {time.time() - " \
    "float(os.environ['BENCH_T0']):.4f}\\n\")"


def first_gate_after(argv: list[str], cwd: Path) -> float:
    env = {**os.environ, "BENCH_T0": f"{time.time():.6f}"}
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    lines = [line for line in done.stderr.splitlines() if line.startswith("FIRST ")]
    if not lines:
        raise SystemExit(f"no gate started: {done.stderr[-500:]}")
    return float(lines[-1].split()[1])


def audit_write_time(work: Path) -> tuple[float, int]:
    from gacheck.commands.common import build_context
    from gacheck.core.timeparse import now
    from gacheck.output.writer import write_audit
    from gacheck.run.evaluation import evaluate

    class Args:
        config = str(work / "gates.toml")
        repo = str(work)
        prometheus_url = facade_url = None
        no_cache = True
        cache_dir = None

    ctx = build_context(Args(), now(), work / "audits")  # type: ignore[arg-type]
    audit = evaluate(ctx)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        write_audit(audit, ctx, charts=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(audit.gates)


def main() -> int:
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="gacheck-bench-") as tmp:
        work = Path(tmp)
        (work / "src").mkdir()
        (work / "src" / "a.py").write_text("import os\n", encoding="utf-8")
        (work / "gates.toml").write_text(CONFIG, encoding="utf-8")
        child = [sys.executable, "-c", CHILD, "evaluate", "--config", "gates.toml",
                 "--no-write", "--no-cache"]
        gate, bare = [], []
        for _ in range(RUNS):  # interleaved: both see the same load
            gate.append(first_gate_after(child, work))
            bare.append(first_gate_after([sys.executable, "-c", PYTHON_ONLY], work))
        g, b = statistics.median(gate), statistics.median(bare)
        verdict = "within" if g <= BUDGET_FIRST_GATE_S else "OVER"
        print(f"first gate starts {g * 1000:.0f} ms after process start (median of {RUNS}; "
              f"python alone {b * 1000:.0f} ms, so gacheck adds {(g - b) * 1000:.0f} ms): "
              f"{verdict} the {BUDGET_FIRST_GATE_S * 1000:.0f} ms budget")
        written, gates = audit_write_time(work)
        verdict = "within" if written <= BUDGET_AUDIT_S else "OVER"
        print(f"audits ({gates} gate) written in {written * 1000:.1f} ms (median of {RUNS}): "
              f"{verdict} the {BUDGET_AUDIT_S * 1000:.0f} ms budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
