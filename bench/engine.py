"""The engine at scale: 1,000 explicit gates on a bounded pool, against the raw queries.

Builds the 26h history of ``bench/for_each_scale.py`` (100 services, one bad) in the real
Prometheus, and a config of 1,000 explicit gates: its 10 templates written out once per
service (no ``for_each``, so nothing is fused: every gate sends its own queries). Then, in
fresh processes, interleaved, ``RUNS`` rounds of:

- ``gacheck evaluate --no-cache`` (cold: nothing cached, a fresh process);
- ``gacheck evaluate`` with an empty cache directory (the evaluation that fills the cache);
- raw: the distinct query requests gacheck sends (recorded once through a proxy), sent with
  httpx 8 at a time and decoded from JSON: what any client pays at least.

Each evaluation process reports its wall time (around ``cli.main``), its peak memory (VmHWM
from ``/proc/self/status``: ru_maxrss is carried over fork and exec), its peak thread count
(``threading.active_count()`` and the kernel's ``Threads:``, sampled every 5 ms), and the CPU
time it and Prometheus used (less noisy than wall time on a shared machine).

``BENCH_BASELINE=DIR`` (a tree with another ``gacheck`` package, e.g. ``git archive`` of an
earlier commit) runs the same processes on that code too, alternating with this tree's, so
before and after are measured side by side under the same load; ``BENCH_NEW=DIR`` measures
another tree than this one as "new" (a snapshot, so that editing this tree meanwhile is safe).

Targets: cold ≤ raw; cache-filling ≤ ``--no-cache``; peak memory ≤ 200 MiB; threads in the
tens. The machine is shared: the load average is printed with the figures.
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
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import for_each_scale as fes  # noqa: E402

from gacheck.promlab.generate import generate  # noqa: E402
from gacheck.promlab.server import PrometheusServer  # noqa: E402
from gacheck.promlab.tsdb import build_tsdb, write_openmetrics  # noqa: E402
from tests.prometheus.recording_proxy import RecordingProxy  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "2"))
CHILD = r"""
import json, logging, os, resource, sys, threading, time
from gacheck import cli

notes = []
class Keep(logging.Handler):
    def emit(self, record):
        notes.append(record.getMessage())
writer_log = logging.getLogger("gacheck.collectors.prometheus.cache")
writer_log.addHandler(Keep(logging.DEBUG))
writer_log.setLevel(logging.DEBUG)

peak = {"python": threading.active_count(), "os": 0}
stop = threading.Event()

def os_threads():
    for line in open("/proc/self/status"):
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0

def sample():
    while not stop.wait(0.005):
        peak["python"] = max(peak["python"], threading.active_count())
        peak["os"] = max(peak["os"], os_threads())

threading.Thread(target=sample, daemon=True, name="bench-sampler").start()
started = time.perf_counter()
code = cli.main(sys.argv[1:])
seconds = time.perf_counter() - started
stop.set()
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "hwm_kib": hwm, "threads": peak["python"],
                  "os_threads": peak["os"], "code": code,
                  "cpu": usage.ru_utime + usage.ru_stime,
                  "writer": [n for n in notes if n.startswith("cache writer")]}))
"""


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def explicit_config() -> str:
    """The for_each config's 10 templates written out once per service: 1,000 gates."""
    text = fes.config(fuse=False)
    head, *blocks = text.split("\n[[gates]]\n")
    out = [head]
    for service in fes.SERVICES:
        for block in blocks:
            lines = [line for line in block.splitlines() if not line.startswith("for_each")]
            gate = "\n".join(lines).replace("{{value}}", service)
            gate = gate.replace('id = "', f'id = "{service}_', 1)
            out.append(gate)
    return "\n[[gates]]\n".join(out)


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a process used so far: Prometheus' share of a run."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(root: Path, argv: list[str], cwd: Path, server: int | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root)}
    before = cpu_seconds(server)
    done = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True,
                          text=True, env=env, cwd=cwd, check=False)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if not last.startswith("{"):
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(last) | {"server_cpu": cpu_seconds(server) - before}  # type: ignore[no-any-return]


def raw(url: str, requests: list) -> float:
    started = time.perf_counter()
    with httpx.Client(timeout=600, trust_env=False,
                      limits=httpx.Limits(max_connections=8)) as client:
        def one(request) -> int:  # type: ignore[no-untyped-def]
            answer = client.get(url + request.path, params=request.params)
            answer.raise_for_status()
            return len(answer.json()["data"]["result"])

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, requests))
    return time.perf_counter() - started


def main() -> int:
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    baseline = os.environ.get("BENCH_BASELINE")
    new = Path(os.environ.get("BENCH_NEW", ROOT)).resolve()
    trees = {"new": new} | ({"baseline": Path(baseline).resolve()} if baseline else {})
    with tempfile.TemporaryDirectory(prefix="gacheck-bench-engine-") as tmp:
        work = Path(tmp)
        config = work / "gates.toml"
        config.write_text(explicit_config(), encoding="utf-8")
        started = time.perf_counter()
        families = generate(fes.plan(), end)
        build_tsdb(write_openmetrics(families, work / "om"), work / "data")
        del families
        shutil.rmtree(work / "om")
        print(f"history built in {time.perf_counter() - started:.0f}s; load {load()}",
              flush=True)
        with PrometheusServer(work / "data", work / "prom") as prom:
            pid = prom._process.pid if prom._process is not None else None
            def argv(url: str, *extra: str) -> list[str]:
                return ["evaluate", "--config", str(config), "--repo", str(work), "--at",
                        end.isoformat(), "--prometheus-url", url, "--no-write", "--quiet",
                        *extra]

            with RecordingProxy(prom.url) as proxy:
                child(new, argv(proxy.url, "--no-cache"), work)
                recorded = [r for r in proxy.requests if r.path.startswith("/api/v1/query")]
            distinct = {(r.path, tuple(sorted((k, v[0]) for k, v in r.params.items())))
                        for r in recorded}
            requests = [type(recorded[0])("GET", path, dict(params), {})
                        for path, params in sorted(distinct)]
            print(f"gates: {10 * len(fes.SERVICES):,} explicit; {len(recorded)} query requests, "
                  f"{len(requests)} "
                  f"distinct; load {load()}", flush=True)
            rows: dict[tuple[str, str], list[dict]] = {}
            raws: list[float] = []
            raw_cpu: list[float] = []
            for run in range(RUNS):
                order = list(trees.items())
                if run % 2:
                    order.reverse()
                for name, root in order:
                    cold = child(root, argv(prom.url, "--no-cache"), work, pid)
                    rows.setdefault((name, "no-cache"), []).append(cold)
                    # a directory never used, and none deleted until the end: ext4 makes a
                    # new inode slowly while thousands were deleted in the last minute
                    # (``recently_deleted``), which tripled the cost of each entry written
                    cache = work / f"cache-{name}-{run}"
                    filling = child(root, argv(prom.url, "--cache-dir", str(cache)), work, pid)
                    rows.setdefault((name, "cache-filling"), []).append(filling)
                before = cpu_seconds(pid)
                raws.append(raw(prom.url, requests))
                raw_cpu.append(cpu_seconds(pid) - before)
                print(f"  run {run + 1}: " + ", ".join(
                    f"{n} {m} {v[-1]['seconds']:.1f}s" for (n, m), v in rows.items())
                    + f", raw {raws[-1]:.1f}s; load {load()}", flush=True)
                for name in trees:
                    for note in rows[(name, "cache-filling")][-1].get("writer", []):
                        print(f"    {name}: {note}", flush=True)
    best_raw = min(raws)
    print(f"raw (distinct requests, httpx, 8 threads): best {best_raw:.2f}s "
          f"({', '.join(f'{r:.1f}' for r in raws)}); Prometheus CPU median "
          f"{statistics.median(raw_cpu):.1f}s")
    for (name, mode), runs in rows.items():
        seconds = [r["seconds"] for r in runs]
        print(f"{name:8} {mode:13} best {min(seconds):6.2f}s median "
              f"{statistics.median(seconds):6.2f}s ({min(seconds) / best_raw:.2f}x raw); "
              f"peak memory {max(r['hwm_kib'] for r in runs) / 1024:.0f} MiB; peak threads "
              f"{max(r['threads'] for r in runs)} (kernel {max(r['os_threads'] for r in runs)}); "
              f"exit {sorted({r['code'] for r in runs})}; CPU median: gacheck "
              f"{statistics.median(r['cpu'] for r in runs):.1f}s, Prometheus "
              f"{statistics.median(r['server_cpu'] for r in runs):.1f}s")
    for name in trees:
        cold = min(r["seconds"] for r in rows[(name, "no-cache")])
        fill = min(r["seconds"] for r in rows[(name, "cache-filling")])
        print(f"{name}: cache-filling / --no-cache {fill / cold:.2f}x (target ≤ 1.0); cold / "
              f"raw {cold / best_raw:.2f}x (target ≤ 1.0)")
    print(f"load average at the end: {load()} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
