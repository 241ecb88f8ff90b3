"""Prometheus gates against a week of history: their cost over the raw queries, and memory.

Builds the promlab scenario ``bench_week`` (7 days at a 15 s scrape: 100 decision-counter
series, outcome x scope x route, plus histograms by outcome), starts the real Prometheus on it,
then, in one run and best of ``RUNS`` each, interleaved:

- times each Prometheus gate (soak, alerts, ratio, histogram p95, a 100-series
  ``promql_sustained``) over a 7-day window at a 1m step (10,081 points a series);
- times the same queries (exactly those each gate recorded in its evidence) sent raw with
  httpx and decoded from JSON: the floor any client pays;
- prints gate / raw per gate and overall against the budget of 1.2x;
- measures the peak Python memory (tracemalloc) of a ``promql_sustained`` gate reading
  100 series x 48h x 1m (288,100 points).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import httpx

from gacheck.context import Context, Overrides
from gacheck.promlab.catalog import get
from gacheck.promlab.generate import generate
from gacheck.promlab.rules import alerting_rules_yaml
from gacheck.promlab.server import PrometheusServer
from gacheck.promlab.tsdb import build_tsdb, write_openmetrics
from gacheck.run.config_binding import load_config
from gacheck.run.engine import measure

RUNS = 5
BUDGET = 1.2
BY_ROUTE = "sum by (outcome, scope, route) (rate(lukhas_guardian_decision_total[5m]))"
CONFIG = f"""
[settings]
window = "7d"
step = "1m"
timeout = "300s"

[[gates]]
id = "soak"
kind = "soak_duration"
title = "soak"
selector = '{{job="lukhas-facade"}}'
threshold = {{ min = "48h" }}

[[gates]]
id = "alerts"
kind = "alerts"
title = "alerts"
window = "7d"

[[gates]]
id = "denial_rate"
kind = "ratio"
title = "denial rate"
numerator = 'lukhas_guardian_decision_total{{outcome="deny"}}'
denominator = "lukhas_guardian_decision_total"
threshold = {{ max = "1%" }}

[[gates]]
id = "p95_by_outcome"
kind = "histogram_quantile"
title = "p95"
metric = "lukhas_guardian_decision_duration_seconds"
quantile = 0.95
by = ["outcome"]
threshold = {{ max = "10ms" }}

[[gates]]
id = "rate_100_series"
kind = "promql_sustained"
title = "100 series"
unit = "number"
query = '{BY_ROUTE}'
threshold = {{ max = 100000 }}

[[gates]]
id = "rate_100_series_48h"
kind = "promql_sustained"
title = "100 series, 48h"
unit = "number"
window = "48h"
query = '{BY_ROUTE}'
threshold = {{ max = 100000 }}
"""
TIMED = ("soak", "alerts", "denial_rate", "p95_by_outcome", "rate_100_series")


def raw_queries(url: str, records: list, client: httpx.Client) -> int:
    """Send the gate's recorded queries as they are; returns the bytes received."""
    received = 0
    for q in records:
        if q.kind == "range":
            response = client.get(f"{url}/api/v1/query_range", params={
                "query": q.promql, "start": q.start.timestamp(), "end": q.end.timestamp(),
                "step": q.step_s})
        else:
            response = client.get(f"{url}/api/v1/query", params={
                "query": q.promql, "time": q.time.timestamp()})
        response.raise_for_status()
        response.json()
        received += len(response.content)
    return received


def main() -> int:
    scenario = get("bench_week")
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    with tempfile.TemporaryDirectory(prefix="gacheck-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        families = generate(scenario.plan, end)
        generated = time.perf_counter()
        files = write_openmetrics(families, work / "openmetrics")
        size = sum(f.stat().st_size for f in files)
        written = time.perf_counter()
        build_tsdb(files, work / "data")
        built = time.perf_counter()
        shutil.rmtree(work / "openmetrics")  # 0.7 GiB of text, no longer needed
        samples = sum(len(s.timestamps) for f in families for s in f.series)
        series = sum(len(f.series) for f in families)
        del families
        print(f"history: {series} series, {samples:,} samples over 7d at 15s; generated "
              f"{generated - started:.1f}s, OpenMetrics {size / 2**20:.0f} MiB in "
              f"{written - generated:.1f}s, promtool {built - written:.1f}s")
        config_path = work / "bench.toml"
        config_path.write_text(CONFIG, encoding="utf-8")
        config = load_config(config_path)
        with PrometheusServer(work / "data", work, rules=alerting_rules_yaml()) as server:
            print(f"prometheus ready in {time.perf_counter() - built:.1f}s at {server.url}")
            ctx = Context(at=end, config=config, repo=work, audit_dir=work / "audits",
                          overrides=Overrides(prometheus_url=server.url))
            ok = compare(ctx, server.url)
            peak(ctx)
    return 0 if ok else 1


def compare(ctx: Context, url: str) -> bool:
    gate_times: dict[str, list[float]] = {g: [] for g in TIMED}
    raw_times: dict[str, list[float]] = {g: [] for g in TIMED}
    info: dict[str, str] = {}
    with httpx.Client(timeout=120, trust_env=False) as client:
        for _ in range(RUNS):
            for gate_id in TIMED:
                gate = ctx.config.gate(gate_id)
                t0 = time.perf_counter()
                result = measure(gate, ctx)
                t1 = time.perf_counter()
                received = raw_queries(url, result.evidence.queries, client)
                t2 = time.perf_counter()
                gate_times[gate_id].append(t1 - t0)
                raw_times[gate_id].append(t2 - t1)
                status = result.status.value if result.status else "judged"
                info[gate_id] = (f"{len(result.evidence.queries)} queries, "
                                 f"{received / 2**20:.1f} MiB JSON, {status}")
    print(f"\n{'gate':<18} {'gate s':>8} {'raw s':>8} {'ratio':>6}  (best of {RUNS})")
    total_gate = total_raw = 0.0
    for gate_id in TIMED:
        g, r = min(gate_times[gate_id]), min(raw_times[gate_id])
        total_gate += g
        total_raw += r
        print(f"{gate_id:<18} {g:8.3f} {r:8.3f} {g / r:6.2f}  {info[gate_id]}")
    ratio = total_gate / total_raw
    median = statistics.median(min(gate_times[g]) / min(raw_times[g]) for g in TIMED)
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"{'all':<18} {total_gate:8.3f} {total_raw:8.3f} {ratio:6.2f}  "
          f"{verdict} the {BUDGET}x budget (median per gate {median:.2f}x)")
    return ratio <= BUDGET


def peak(ctx: Context) -> None:
    gate = ctx.config.gate("rate_100_series_48h")
    measure(gate, ctx)  # warm: imports and the shared client are not the gate's memory
    tracemalloc.start()
    result = measure(gate, ctx)
    _current, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    details = result.evidence.details
    print(f"\npeak Python memory, 100 series x 48h x 1m ({details.get('series_count')} series, "
          f"{details['window']['points']} points each): {top / 2**20:.1f} MiB (tracemalloc)")


if __name__ == "__main__":
    sys.exit(main())
