"""Scale (issue 12): whole evaluation vs raw queries, peak RSS, cache reuse between rounds.

On the promlab scenario ``bench_week`` (7 days at 15 s, 100 decision-counter series) served
by a real Prometheus, in one run, each figure paired with its baseline measured alongside:

1. whole evaluation, 48h, 4 Prometheus gates + ruff, as a ``gacheck evaluate --no-cache``
   process, against the same queries sent raw (httpx + json) plus ruff alone, both as fresh
   processes, interleaved, median of ``RUNS`` (budget 1.25x);
2. peak RSS of a process evaluating a ``promql_sustained`` gate over 100 series x 7d at a 1m
   step (budget 150 MiB) and over 1,000 series x 7d (10 label copies of the 100 counters;
   budget 300 MiB), beside a process that only fetches the 100 series with httpx and decodes
   them;
3. a ``--wait-until`` round: bytes received by an evaluation 5 minutes after a first one,
   with the cache on, over the first one's bytes (budget < 1%);
4. 100 gates of distinct queries (48h): the first evaluation with an empty cache, then a second
   one 5 minutes later, in process.

The machine is shared: the load average is printed with the figures.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gacheck.context import Context, Overrides  # noqa: E402
from gacheck.promlab.catalog import get  # noqa: E402
from gacheck.promlab.generate import generate  # noqa: E402
from gacheck.promlab.rules import alerting_rules_yaml  # noqa: E402
from gacheck.promlab.server import PrometheusServer  # noqa: E402
from gacheck.promlab.tsdb import build_tsdb, write_openmetrics  # noqa: E402
from gacheck.run.config_binding import load_config  # noqa: E402
from gacheck.run.evaluation import evaluate  # noqa: E402

RUNS = 5
BY_ROUTE = "sum by (outcome, scope, route) (rate(lukhas_guardian_decision_total[5m]))"
# 10 labelled copies of the 100 raw counters: 1,000 series (copies of a rate would cost
# Prometheus 10 times the rate; the client's memory is the same either way).
THOUSAND = " or ".join(
    f'label_replace(lukhas_guardian_decision_total, "copy", "{i}", "", "")' for i in range(10))
GATES_48H = """
[settings]
window = "48h"
step = "1m"
timeout = "300s"

[[gates]]
id = "soak"
kind = "soak_duration"
title = "soak"
selector = '{job="lukhas-facade"}'
threshold = { min = "48h" }

[[gates]]
id = "alerts"
kind = "alerts"
title = "alerts"

[[gates]]
id = "denial_rate"
kind = "ratio"
title = "denial rate"
numerator = 'lukhas_guardian_decision_total{outcome="deny"}'
denominator = "lukhas_guardian_decision_total"
threshold = { max = "1%" }

[[gates]]
id = "p95"
kind = "histogram_quantile"
title = "p95"
metric = "lukhas_guardian_decision_duration_seconds"
quantile = 0.95
threshold = { max = "10ms" }
"""
RUFF_GATE = """
[[gates]]
id = "ruff"
kind = "ruff_budget"
title = "ruff"
paths = ["src"]
threshold = { max = 1000 }
"""
RAW = """
import json, subprocess, sys, httpx
url, queries, ruff = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
with httpx.Client(timeout=300, trust_env=False) as client:
    for q in queries:
        if q["kind"] == "range":
            from datetime import datetime
            ts = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
            r = client.get(url + "/api/v1/query_range", params={"query": q["promql"],
                "start": ts(q["start"]), "end": ts(q["end"]), "step": q["step_s"]})
        else:
            from datetime import datetime
            t = datetime.fromisoformat(q["time"].replace("Z", "+00:00")).timestamp()
            r = client.get(url + "/api/v1/query", params={"query": q["promql"], "time": t})
        r.raise_for_status(); r.json()
subprocess.run(ruff, capture_output=True)
"""
PEAK = """
def peak_kib():
    # VmHWM: this process's own peak. ru_maxrss is not: Linux carries it over fork and exec,
    # so a child of this benchmark (which holds the generated history) reported 146 MiB for
    # an evaluation that peaked at 80.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""
RSS_GATE = PEAK + """
import sys
from pathlib import Path
from datetime import datetime
from gacheck.run.config_binding import load_config
from gacheck.context import Context, Overrides
from gacheck.run.engine import measure
config = load_config(sys.argv[1])
ctx = Context(at=datetime.fromisoformat(sys.argv[3]), config=config, repo=Path(sys.argv[1]).parent,
              audit_dir=Path(sys.argv[1]).parent, overrides=Overrides(prometheus_url=sys.argv[2]))
result = measure(config.gates[0], ctx)
assert result.evidence.details.get("series_count"), result.message
print(peak_kib(), result.evidence.details["series_count"])
"""
RSS_RAW = PEAK + """
import sys, httpx
from datetime import datetime
end = datetime.fromisoformat(sys.argv[3]).timestamp()
r = httpx.get(sys.argv[2] + "/api/v1/query_range", params={"query": sys.argv[1],
    "start": end - 7 * 86400, "end": end, "step": 60}, timeout=300, trust_env=False)
data = r.json()
print(peak_kib(), len(data["data"]["result"]))
"""


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def child_env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}


def whole_evaluation(work: Path, url: str, at: str) -> None:
    (work / "src").mkdir(exist_ok=True)
    for i in range(40):
        (work / "src" / f"m{i}.py").write_text("import os\n\n\ndef f(x):\n    return x\n")
    config = work / "whole.toml"
    config.write_text(GATES_48H + RUFF_GATE, encoding="utf-8")
    argv = [sys.executable, "-m", "gacheck", "evaluate", "--config", str(config), "--repo",
            str(work), "--prometheus-url", url, "--at", at, "--no-cache", "--output-dir",
            str(work / "whole-audits")]
    subprocess.run(argv, capture_output=True, env=child_env(), check=False)  # warm the OS cache
    audit = json.loads((work / "whole-audits" / "latest.json").read_text(encoding="utf-8"))
    queries = [q for g in audit["gates"] for q in g["evidence"]["queries"]]
    ruff = next(c["argv"] for g in audit["gates"] for c in g["evidence"]["commands"])
    raw_argv = [sys.executable, "-c", RAW, url, json.dumps(queries), json.dumps(ruff)]
    ours, raw = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, env=child_env(), check=False)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run(raw_argv, capture_output=True, cwd=work, env=child_env(), check=True)
        raw.append(time.perf_counter() - started)
    g, r = statistics.median(ours), statistics.median(raw)
    print(f"whole evaluation 48h, 4 Prometheus gates + ruff: gacheck {g:.2f}s, raw queries + "
          f"ruff {r:.2f}s (median of {RUNS}, fresh processes): {g / r:.2f}x "
          f"(budget 1.25x; load {load()})")


def peak_rss(work: Path, url: str, at: str) -> None:
    rows = []
    for label, query in (("100 series x 7d", BY_ROUTE), ("1,000 series x 7d", THOUSAND)):
        config = work / f"rss-{len(query)}.toml"
        config.write_text(f"""
[settings]
window = "7d"
step = "1m"
timeout = "600s"

[[gates]]
id = "many"
kind = "promql_sustained"
title = "many series"
unit = "number"
query = '{query}'
threshold = {{ max = 1e12 }}
""", encoding="utf-8")
        done = subprocess.run([sys.executable, "-c", RSS_GATE, str(config), url, at],
                              capture_output=True, text=True, env=child_env(), check=True)
        kib, series = done.stdout.split()
        rows.append((label, int(kib) / 1024, series))
    raw = subprocess.run([sys.executable, "-c", RSS_RAW, BY_ROUTE, url, at],
                         capture_output=True, text=True, env=child_env(), check=True)
    raw_kib, _ = raw.stdout.split()
    for label, mib, series in rows:
        print(f"peak RSS, {label} at a 1m step ({series} series, 10,081 points each): "
              f"{mib:.0f} MiB")
    print(f"  beside: httpx + json.loads of the 100 series x 7d, nothing else: "
          f"{int(raw_kib) / 1024:.0f} MiB (budgets 150 / 300 MiB; load {load()})")


class Counter:
    """Bytes of every Prometheus answer body the evaluation read (after decompression)."""

    def __init__(self) -> None:
        import threading

        from gacheck.collectors.prometheus import http as prometheus_http

        self.total = self.ranges = 0
        original = prometheus_http.read_capped
        lock = threading.Lock()
        counter = self

        def read_capped(response, *args, **kwargs):  # type: ignore[no-untyped-def]
            original(response, *args, **kwargs)
            size = len(response._content)
            with lock:  # the range workers read on their own threads
                counter.total += size
                if "/query_range" in response.url:
                    counter.ranges += size

        prometheus_http.read_capped = read_capped


def rounds(work: Path, url: str, end) -> None:  # type: ignore[no-untyped-def]
    config = work / "rounds.toml"
    config.write_text(GATES_48H + f"""
[[gates]]
id = "rate_100_series"
kind = "promql_sustained"
title = "100 series"
unit = "number"
query = '{BY_ROUTE}'
threshold = {{ max = 100000 }}
""", encoding="utf-8")
    counter = Counter()
    cache = work / "cache-rounds"

    def once(at) -> tuple[int, int, float, str]:  # type: ignore[no-untyped-def]
        ctx = Context(at=at, config=load_config(config), repo=work, audit_dir=work / "r",
                      overrides=Overrides(prometheus_url=url, cache_dir=cache))
        total, ranges = counter.total, counter.ranges
        started = time.perf_counter()
        audit = evaluate(ctx)
        return (counter.total - total, counter.ranges - ranges, time.perf_counter() - started,
                audit.verdict.value)

    first, first_ranges, t1, v1 = once(end - timedelta(minutes=5))
    second, second_ranges, t2, v2 = once(end)
    print(f"--wait-until round over 48h (the 4 gates + a 100-series promql_sustained): the "
          f"first evaluation received {first / 2**20:.2f} MiB in {t1:.2f}s, the next one 5 "
          f"minutes later {second / 2**10:.0f} KiB in {t2:.2f}s: {second / first:.2%} of the "
          f"bytes; range queries alone {second_ranges / 2**10:.0f} KiB of "
          f"{first_ranges / 2**20:.2f} MiB, {second_ranges / first_ranges:.2%} (budget < 1%; "
          f"verdicts {v1}, {v2})")


def hundred(work: Path, url: str, end) -> None:  # type: ignore[no-untyped-def]
    blocks = "".join(f"""
[[gates]]
id = "service_{i:03d}"
kind = "promql_sustained"
title = "service {i}"
unit = "number"
query = 'sum(rate(lukhas_guardian_decision_total[5m])) + {i}'
threshold = {{ max = 100000 }}
""" for i in range(100))
    config = work / "hundred.toml"
    config.write_text('[settings]\nwindow = "48h"\nstep = "1m"\ntimeout = "600s"\n' + blocks,
                      encoding="utf-8")
    cache = work / "cache-hundred"
    times = []
    for at in (end - timedelta(minutes=5), end):
        ctx = Context(at=at, config=load_config(config), repo=work, audit_dir=work / "h",
                      overrides=Overrides(prometheus_url=url, cache_dir=cache))
        started = time.perf_counter()
        audit = evaluate(ctx)
        times.append(time.perf_counter() - started)
        assert all(g.status.value == "pass" for g in audit.gates), audit.verdict
    print(f"100 gates (distinct queries, 48h): first evaluation {times[0]:.2f}s with an empty "
          f"cache, the next one 5 minutes later {times[1]:.2f}s ({times[1] / times[0]:.2f}x; "
          f"load {load()})")


def main() -> int:
    scenario = get("bench_week")
    from datetime import UTC, datetime

    end = datetime.now(UTC).replace(second=0, microsecond=0)
    with tempfile.TemporaryDirectory(prefix="gacheck-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        families = generate(scenario.plan, end)
        files = write_openmetrics(families, work / "openmetrics")
        del families
        build_tsdb(files, work / "data")
        shutil.rmtree(work / "openmetrics")
        print(f"history built in {time.perf_counter() - started:.0f}s; load {load()}")
        with PrometheusServer(work / "data", work, rules=alerting_rules_yaml()) as server:
            at = end.isoformat()
            if wanted("whole"):
                whole_evaluation(work, server.url, at)
            if wanted("rss"):
                peak_rss(work, server.url, at)
            if wanted("rounds"):
                rounds(work, server.url, end)
            if wanted("hundred"):
                hundred(work, server.url, end)
    return 0


def wanted(section: str) -> bool:
    """``python bench/scale.py [whole] [rss] [rounds] [hundred]``: those sections; all without."""
    return not sys.argv[1:] or section in sys.argv[1:]


if __name__ == "__main__":
    raise SystemExit(main())
