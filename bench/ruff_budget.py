"""The ruff_budget gate vs ruff run alone, on the same generated tree of ~2,000 Python files.

Budget: the gate (ruff + parsing its JSON + reading history + building evidence) takes at most
1.2x the time of the very same ruff command run alone. Runs alternate; the median of the
ratios of each gate run to the ruff run just before it counts.

Every file is a module of ordinary size (~150 lines: a header, then clean functions). Two
trees: "typical" (one file in ten has four diagnostics, ~800 in all: a few times the hot paths'
budget of 120), where the budget applies, and "dense" (six diagnostics in every file, ~12,000),
printed for information: ruff's JSON is ~800 bytes per diagnostic, and parsing it in Python
costs about as much as ruff's own run, so the gate's overhead grows with the count.
Exits 1 over budget. The machine should be otherwise idle: the ratio of two medians is noisy.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from gacheck.collectors import ruff
from gacheck.context import Context
from gacheck.run.config_binding import load_config
from gacheck.run.engine import measure

FILES = 2000
RUNS = 15
BUDGET = 1.2
PATHS = ["lukhas/adapters/openai", "lukhas/core/reliability", "lukhas/observability",
         "MATRIZ/core", "MATRIZ/interfaces/api_server.py"]

DENSE = '''"""Generated module {n}."""
import os
import sys
VALUE = {n}
import json


def handler_{n}(request, unused=None):
    result = request.get("x") == None
    temp = os.path.join("a", "b")
    return result
'''
# per file: F401 sys, E402 + F401 json, E711, F841 temp, I001 -> 6 diagnostics
CLEAN = '''"""Generated module {n}."""

import os

VALUE = {n}


def handler_{n}(request, unused=None):
    result = request.get("x") is None
    return result or os.sep
'''
SOME = CLEAN.replace("import os\n", "import os\nimport sys\nimport json\n").replace(
    "is None", "== None"
)  # 3 diagnostics: two F401 and E711


BODY = '''

def step_{i}(values: list[int], factor: int = {i}) -> list[int]:
    """Scale the positive values by a factor, keep the others."""
    scaled = []
    for value in values:
        if value > 0:
            scaled.append(value * factor)
        else:
            scaled.append(value)
    return scaled
'''
FUNCTIONS = 14  # ~150 lines per module


def module(template: str, n: int) -> str:
    return template.format(n=n) + "".join(BODY.format(i=i) for i in range(FUNCTIONS))


def make_tree(root: Path, dense: bool) -> None:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.ruff]\nline-length = 100\n[tool.ruff.lint]\nselect = ["E", "F", "W", "I"]\n'
    )
    folders = [root / p for p in PATHS[:4]]
    for index in range(FILES - 1):
        folder = folders[index % len(folders)] / f"pkg{index % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        template = DENSE if dense else (SOME if index % 10 == 0 else CLEAN)
        (folder / f"mod{index}.py").write_text(module(template, index))
    (root / PATHS[4]).parent.mkdir(parents=True, exist_ok=True)
    (root / PATHS[4]).write_text(module(DENSE if dense else CLEAN, FILES))


def compare(name: str, dense: bool) -> tuple[float, bool]:
    """(gate time / ruff time, gate measured without error) on a new tree."""
    with tempfile.TemporaryDirectory(prefix="gacheck-bench-ruff-") as holder:
        root = Path(holder) / "repo"
        make_tree(root, dense)
        config_path = Path(holder) / "gates.toml"
        config_path.write_text(
            '[[gates]]\nid = "ruff_hot_path"\nkind = "ruff_budget"\ntitle = "bench"\n'
            f"paths = {PATHS!r}\nthreshold = {{ max = 120 }}\n".replace("'", '"')
        )
        config = load_config(config_path)
        gate = config.gates[0]
        ctx = Context(at=datetime.now(UTC).replace(microsecond=0), config=config, repo=root,
                      audit_dir=root / "docs/audits/ga")
        argv = [*ruff.ruff_argv(), "check", "--output-format=json", "--no-cache", "--exit-zero",
                "--", *PATHS]
        alone, gated = [], []
        measured = measure(gate, ctx)  # warm-up (ruff --version is cached after it)
        for _ in range(RUNS):
            start = time.perf_counter()
            subprocess.run(argv, cwd=root, capture_output=True, check=True)
            alone.append(time.perf_counter() - start)
            start = time.perf_counter()
            measured = measure(gate, ctx)
            gated.append(time.perf_counter() - start)
    ruff_s, gate_s = statistics.median(alone), statistics.median(gated)
    # each gate run is paired with the ruff run just before it: load that comes and goes on a
    # shared machine hits both halves of a pair, so the median of the pair ratios is steadier
    ratio = statistics.median(g / a for g, a in zip(gated, alone, strict=True))
    print(f"{name}: {FILES} files of ~150 lines, {measured.value:g} diagnostics")
    print(f"  ruff alone:        median {ruff_s * 1000:8.1f} ms, min {min(alone) * 1000:8.1f} ms"
          f" over {RUNS} runs")
    print(f"  ruff_budget gate:  median {gate_s * 1000:8.1f} ms, min {min(gated) * 1000:8.1f} ms"
          f" over {RUNS} runs")
    print(f"  ratio gate/ruff:   {ratio:.2f}x (median of {RUNS} paired runs)", flush=True)
    return ratio, measured.value is not None


def main() -> int:
    ratio, measured = compare("typical", dense=False)
    verdict = "ok" if ratio <= BUDGET and measured else "OVER BUDGET"
    print(f"  budget {BUDGET}x: {verdict}")
    compare("dense (for information, no budget)", dense=True)
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
