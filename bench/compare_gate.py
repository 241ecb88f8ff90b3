"""A ``compare`` gate over two 48h windows at a 15 s step, against its two raw range queries.

Builds 100h of LUKHAS-shaped history at a 15 s scrape (p95 noisy, 30% slower over the last
48h), starts the real Prometheus on it, then, best of ``RUNS`` each, interleaved:

- times the gate (``baseline = "offset 48h"``, window 48h, step 15s: the step grows to 16 s to
  stay under 11,000 points, so 10,801 samples a side; both range queries, the medians, the
  Mann-Whitney U test, the sparkline);
- times the same two range queries (exactly those the gate recorded) sent raw with httpx, one
  after the other, and decoded from JSON: the floor any client pays (the gate sends its two
  at once, which an idle multi-core Prometheus answers in about the time of one);
- prints gate / raw against the budget of 1.2x, and the first (cold) run, which includes
  importing scipy.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from gacheck.context import Context, Overrides
from gacheck.promlab.lab import running_scenario
from gacheck.promlab.model import Plan, Traffic, Window
from gacheck.promlab.relative import FAST_P95, noisy
from gacheck.promlab.scenarios import Scenario
from gacheck.run.config_binding import load_config
from gacheck.run.engine import measure

RUNS = 10
BUDGET = 1.2
HOURS = 100
CONFIG = """
[[gates]]
id = "p95_vs_two_days_ago"
kind = "compare"
title = "p95 against 48h earlier"
query = '''histogram_quantile(0.95, sum by (le) (rate(
  lukhas_guardian_decision_duration_seconds_bucket{outcome="allow"}[5m])))'''
baseline = "offset 48h"
window = "48h"
step = "15s"
max_increase = "10%"
value_unit = "seconds"
timeout = "300s"
"""


def scenario() -> Scenario:
    latency = (*noisy(Window(timedelta(hours=HOURS), timedelta(hours=48)), FAST_P95, 0.04, 1,
                      "allow"),
               *noisy(Window(timedelta(hours=48)), FAST_P95 * 1.3, 0.04, 2, "allow"))
    plan = Plan(duration=timedelta(hours=HOURS), seed=51, process_age=timedelta(hours=120),
                other_jobs=(), traffic=Traffic(latency_changes=latency))
    return Scenario("bench_compare", "100h at 15 s, p95 30% slower over the last 48h", plan,
                    {}, rules=False)


def raw(url: str, records: list, client: httpx.Client) -> int:
    received = 0
    for q in records:
        response = client.get(f"{url}/api/v1/query_range", params={
            "query": q.promql, "start": q.start.timestamp(), "end": q.end.timestamp(),
            "step": q.step_s})
        response.raise_for_status()
        response.json()
        received += len(response.content)
    return received


def main() -> int:
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    with tempfile.TemporaryDirectory(prefix="gacheck-bench-compare-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        with running_scenario(scenario(), end, work) as lab:
            print(f"history: {lab.samples:,} samples over {HOURS}h at 15s, imported and served "
                  f"in {time.perf_counter() - started:.1f}s")
            path = work / "bench.toml"
            path.write_text(CONFIG, encoding="utf-8")
            ctx = Context(at=end, config=load_config(path), repo=work, audit_dir=work / "a",
                          overrides=Overrides(prometheus_url=lab.url))
            gate = ctx.config.gates[0]
            gate_times, raw_times = [], []
            with httpx.Client(timeout=120, trust_env=False) as client:
                for _ in range(RUNS + 1):
                    t0 = time.perf_counter()
                    result = measure(gate, ctx)
                    t1 = time.perf_counter()
                    received = raw(lab.url, result.evidence.queries, client)
                    t2 = time.perf_counter()
                    gate_times.append(t1 - t0)
                    raw_times.append(t2 - t1)
            details = result.evidence.details
            cold = gate_times.pop(0), raw_times.pop(0)
            g, r = min(gate_times), min(raw_times)
            print(f"gate: {result.status.value if result.status else '?'}, change "
                  f"{result.value:+.1%}, {details['candidate']['samples']:,} + "
                  f"{details['baseline']['samples']:,} samples, step "
                  f"{details['window']['step_s']:g}s, {received / 2**20:.1f} MiB JSON")
            print(f"cold first run: gate {cold[0]:.3f}s (scipy import included), raw "
                  f"{cold[1]:.3f}s")
            ratio = g / r
            verdict = "within" if ratio <= BUDGET else "OVER"
            paired = statistics.median(a / b for a, b in zip(gate_times, raw_times, strict=True))
            print(f"best of {RUNS}: gate {g:.3f}s, two raw range queries {r:.3f}s: "
                  f"{ratio:.2f}x, {verdict} the {BUDGET}x budget (median of the paired runs "
                  f"{paired:.2f}x; on a busy machine the two differ)")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
