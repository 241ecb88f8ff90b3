"""What hostile inputs cost: peak memory of one evaluation against a gzip bomb and a valid
200 MB Prometheus answer (each in its own process), the time to judge a spec with 20,000
violating operations, and how soon a trickled SSE stream and a 200 MB pip-audit report stop.

Uses the fault-injecting server of the test suite on 127.0.0.1. ``--quick`` skips the 200 MB
answers (about 15 s and 450 MB of memory); ``--huge-only`` measures only that answer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAULTS = ROOT / "tests" / "faults"
sys.path[:0] = [str(ROOT)]

from tests.faults.fault_server import Fault, FaultServer, gzip_bomb  # noqa: E402

PROMETHEUS = """
[settings]
window = "1h"
step = "60s"
timeout = "{gate_timeout}"

[prometheus]
timeout = "{timeout}"
retries = 0

[[gates]]
id = "error_rate"
kind = "promql_sustained"
title = "Error rate"
unit = "ratio"
query = 'sum(rate(errors_total[5m]))'
threshold = {{ max = "1%" }}
"""


def evaluate(folder: Path, config: str, *extra: str) -> tuple[dict, float, float]:
    """(first gate, peak RSS in MB, seconds) of ``gacheck evaluate`` in a child process."""
    path = folder / "gates.toml"
    path.write_text(textwrap.dedent(config))
    argv = [sys.executable, str(FAULTS / "peak_run.py"), "evaluate", "--config", str(path),
            "--repo", str(folder), "--no-write", "--format", "json",
            "--at", "2026-11-20T12:00:00Z", *extra]
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    took = time.monotonic() - started
    peak = float(re.findall(r"peak_rss_mb=(\d+)", done.stderr)[-1])
    return json.loads(done.stdout)["gates"][0], peak, took


def prometheus(server: FaultServer, folder: Path, fault: Fault, timeout: str = "30s",
               name: str = "", six_hours_at_2s: bool = False) -> None:
    server.fault = fault
    config = PROMETHEUS.format(timeout=timeout, gate_timeout="300s")
    if six_hours_at_2s:  # 10,800 samples per series in one 6h piece
        config = config.replace('window = "1h"', 'window = "6h"').replace('"60s"', '"2s"')
    gate, peak, took = evaluate(folder, config, "--prometheus-url", server.url,
                                "--cache-dir", str(folder / "cache"))
    print(f"prometheus {name or fault.name:14s} peak {peak:6.0f} MB  {took:5.1f}s  "
          f"{gate['status']}: {gate['message'][:110]}")


def huge(server: FaultServer, base: Path) -> None:
    """A valid 211 MB answer (700 series x 10,800 samples) and a flood of 200 MB of
    one-sample series on every range query."""
    for name, fault in (("huge 211 MB", Fault("huge", huge_series=700, huge_query="errors")),
                        ("flood 200 MB", Fault("huge"))):
        folder = base / name.replace(" ", "-")
        folder.mkdir()
        prometheus(server, folder, fault, timeout="240s", name=name, six_hours_at_2s=True)


def big_spec(folder: Path, operations: int = 20_000) -> None:
    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        f"/op{i}": {"get": {"responses": {"200": {"description": "none"}}}}
        for i in range(operations)}}
    (folder / "docs/openapi").mkdir(parents=True)
    (folder / "docs/openapi/big.json").write_text(json.dumps(spec, indent=1))
    config = '[[gates]]\nid = "h"\nkind = "openapi_headers"\ntitle = "h"\nlisted = 5\n'
    gate, peak, took = evaluate(folder, config)
    print(f"openapi {operations:,} violating operations: {took:5.1f}s (whole process), "
          f"peak {peak:.0f} MB, {gate['status']} {gate['value']:.0f}")


def sse_trickle(server: FaultServer, folder: Path) -> None:
    server.fault = Fault("sse_trickle", hang_s=120)
    config = textwrap.dedent("""
        [[gates]]
        id = "smoke"
        kind = "http_smoke"
        title = "s"
        timeout = "120s"
        retries = 0
        [[gates.checks]]
        name = "chat"
        path = "/v1/chat/completions"
        stream = true
        max_latency = "30s"
    """)
    gate, _, took = evaluate(folder, config, "--facade-url", server.url)
    print(f"sse trickle without newline (check limit 30s, gate 120s): stopped after "
          f"{took:.1f}s, {gate['status']}")


def pip_report(folder: Path) -> None:
    reports = folder / "reports"
    reports.mkdir()
    with open(reports / "pip-audit.json", "wb") as handle:
        handle.truncate(200 * 1024**2)  # sparse: 200 MB by its size, nothing on disk
    config = textwrap.dedent("""
        [[gates]]
        id = "deps"
        kind = "pip_audit"
        title = "d"
        report = "reports/pip-audit.json"
    """)
    gate, _, took = evaluate(folder, config)
    print(f"pip-audit report of 200 MB: {took:.1f}s, {gate['status']}: {gate['message'][:90]}")


def main() -> int:
    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory(prefix="gacheck-bench-") as holder:
        base = Path(holder)
        if "--huge-only" in sys.argv:
            with FaultServer() as server:
                huge(server, base)
            return 0
        bomb = gzip_bomb(base / "bomb.gz")
        with FaultServer(bomb) as server:
            for index, fault in enumerate([Fault("ok"), Fault("gzip_bomb")]):
                folder = base / f"p{index}"
                folder.mkdir()
                prometheus(server, folder, fault)
            if not quick:
                huge(server, base)
            (base / "sse").mkdir()
            sse_trickle(server, base / "sse")
        big_spec(base / "spec")
        (base / "pip").mkdir()
        pip_report(base / "pip")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
