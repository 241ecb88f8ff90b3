"""Golden audits: the same inputs must give the same answers, before and after a refactor.

    python bench/same_answers.py record   # run everything, (re)write bench/same_answers/*.json
    python bench/same_answers.py check    # run everything, diff against the recorded files
    python bench/same_answers.py check demo services   # only these (names as in the files)

Without an action it checks (``make bench`` runs it so).

Run from the checkout under test with its gacheck importable, e.g.
``PYTHONPATH=. .venv/bin/python bench/same_answers.py check``. ``check`` prints a unified
diff per audit that differs and exits 1; 0 when every audit is byte-identical to its record.

What runs (each audit through the CLI, ``python -m gacheck ...`` in a subprocess):

- ``demo``: ``gacheck demo --config config/gates.toml --no-site`` from an empty directory,
  its clock pinned to ``AT`` (the demo has no ``--at``; its history ends at "now", and the
  traffic's daily shape depends on the hour, so an unpinned demo gives other values every
  run). The demo judges the last ``DEMO_DAYS`` days at the same time of day (``AT`` and the
  days before it) and writes a partial audit for each, in a folder per day; all of them are
  kept, in one file keyed by their paths under the output folder
  (``2025-03-10/ga-readiness.partial.json``...). The dashboard (``--no-site``) is not an
  audit and is not built.
- promlab scenarios, each served by a real Prometheus whose history ends at ``AT`` and judged
  by ``gacheck evaluate --at AT`` with a config written below (``SCENARIOS``); exactly one
  audit JSON is expected from each.

Each audit's JSON is normalised (``normalise``): timings (``duration_s``) and
``generated_at`` dropped; the temporary directory (``<TMP>``), the checkout's path
(``<REPO>``) and the lab Prometheus's random port (``<PORT>``) replaced by placeholders; and
the ``source`` of each range-query piece (``prometheus``/``cache``/``cache+prometheus``) replaced
by ``<prometheus|cache>``: gates run concurrently and share a fresh chunk cache, so whether a
piece was read from Prometheus or from the cache another gate had just filled is a race (seen
run to run in alerts_mixed). Everything else (statuses, values, messages, queries, notes,
evidence) is kept, with sorted keys and indent 1.

Every scenario's instant is fixed and in the past, so their alerts gates note that rule
health is "as of now, not as of --at"; that note is deterministic and kept. The demo's clock is
pinned, so its last day (judged at its "now") has no such note and its two earlier days do.

Time: about a minute for ``check`` (or ``record``) of all nine with the default ``--jobs 3``
(50-70 s measured on a shared 2-core machine at load 3-12); the demo (three evaluations),
services and compare_weeks take 25-40 s each, the others 7-25 s.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "bench" / "same_answers"
AT = "2025-03-10T12:00:00Z"  # every history ends here, every gate is judged here
PYTHON = sys.executable
if str(ROOT) not in sys.path:  # this checkout's gacheck, here and in every subprocess
    sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------------------------
# THE ONLY PLACES THAT NAME GACHECK'S MODULES (update them when modules move).
#
# 1. ``lab_api``: builds a promlab scenario's TSDB and runs Prometheus on it (no CLI does).
# 2. ``DEMO_CLOCK``: the code the demo subprocess runs: it pins ``<module>.now`` (the clock
#    ``gacheck demo`` takes its instant from) to AT, then runs ``python -m gacheck demo``.
# --------------------------------------------------------------------------------------------
def lab_api() -> tuple[Callable[..., Any], Callable[[str], Any]]:
    """``(running_scenario, get)`` from gacheck.promlab."""
    from gacheck.promlab.catalog import get
    from gacheck.promlab.lab import running_scenario

    return running_scenario, get


DEMO_CLOCK_MODULE = "gacheck.core.timeparse"  # defines now(); demo.py imports it when it runs
DEMO_CLOCK = f"""
import importlib, runpy, sys
from datetime import datetime
clock = importlib.import_module({DEMO_CLOCK_MODULE!r})
assert callable(getattr(clock, "now", None)), "no now() in {DEMO_CLOCK_MODULE}"
pinned = datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00"))
clock.now = lambda: pinned
sys.argv = ["gacheck", *sys.argv[2:]]
runpy.run_module("gacheck", run_name="__main__", alter_sys=True)
"""
# --------------------------------------------------------------------------------------------


# The default config's Prometheus gates (config/gates.toml), written out so that the recorded
# answers do not change when that file is edited.
SETTINGS = """
[settings]
window = "48h"
step = "1m"
timeout = "120s"
path_template = "{date}/audit.{ext}"
latest_template = "latest.{ext}"

[prometheus]
timeout = "60s"
"""

DEFAULT_GATES = """
[[gates]]
id = "soak_duration"
kind = "soak_duration"
title = "RC soak >= 48h without restart"
selector = '{job="lukhas-facade"}'
threshold = { min = "48h" }

[[gates]]
id = "critical_alerts"
kind = "alerts"
title = "No critical alerts fired during the soak"
severities = ["critical"]
window = "48h"
threshold = { max = 0 }

[[gates]]
id = "guardian_denial_rate"
kind = "ratio"
title = "Guardian denial rate < 1% sustained"
numerator = 'lukhas_guardian_decision_total{outcome="deny"}'
denominator = "lukhas_guardian_decision_total"
threshold = { max = "1%" }

[[gates]]
id = "pdp_p95_latency"
kind = "histogram_quantile"
title = "PDP p95 latency < 10ms sustained"
metric = "lukhas_guardian_decision_duration_seconds"
quantile = 0.95
by = ["outcome"]
threshold = { max = "10ms" }
"""

ALLOWED_SHARE = ("sum(rate(lukhas_guardian_decision_total{outcome=\"allow\"}[5m])) / "
                 "sum(rate(lukhas_guardian_decision_total[5m]))")

BREACH_EXTRA = f"""
[[gates]]
id = "allowed_share"
kind = "promql_sustained"
title = "share of decisions allowed >= 99% sustained"
unit = "ratio"
query = '{ALLOWED_SHARE}'
threshold = {{ min = "99%" }}

[[gates]]
id = "allowed_share_lenient"
kind = "promql_sustained"
title = "share allowed >= 99%, 5h of breach tolerated"
unit = "ratio"
query = '{ALLOWED_SHARE}'
max_breach = "5h"
max_breach_ratio = "20%"
threshold = {{ min = "99%", warn = "99.5%" }}

[[gates]]
id = "denial_rate_rule"
kind = "ratio"
title = "denial rate from its recording rule < 1%"
rule = "guardian:denial_rate:ratio"
threshold = {{ max = "1%" }}

[[gates]]
id = "pdp_p95_rule"
kind = "histogram_quantile"
title = "PDP p95 from its recording rule and buckets < 10ms"
metric = "lukhas_guardian_decision_duration_seconds"
rule = "guardian:pdp_latency:p95"
by = ["outcome"]
blocking = false
threshold = {{ max = "10ms", warn = "8ms" }}

[[waivers]]
gate = "guardian_denial_rate"
reason = "known breach, investigated"
owner = "rel-eng@example.invalid"
expires = 2025-03-31

[[waivers]]
gate = "critical_alerts"
reason = "an expired waiver is ignored"
owner = "rel-eng@example.invalid"
expires = 2025-03-01
"""

ALERTS_EXTRA = """
[[gates]]
id = "critical_alerts_allowed"
kind = "alerts"
title = "critical alerts, the known incident allowed"
severities = ["critical"]
allow = [{ alert = "CriticalGuardianDenialRate", reason = "incident INC-42, fixed" }]
threshold = { max = 0 }

[[gates]]
id = "alerts_56h"
kind = "alerts"
title = "critical and warning alerts over 56h"
severities = ["critical", "warning"]
window = "56h"
threshold = { max = 0 }
"""

SERVICES = '["consent", "guardian", "identity", "ledger", "memory", "orchestrator", "ghost"]'
SERVICES_QUERY = "'label_values(up{job=~\"lukhas-.*\"}, service)'"


def templates(suffix: str, source: str, fuse: bool) -> str:
    each = f'for_each = {{ label = "service", {source}, fuse = {str(fuse).lower()} }}'
    return f"""
[[gates]]
id = "pdp_p95_latency{suffix}"
kind = "histogram_quantile"
title = "PDP p95 latency of {{{{value}}}} < 10ms"
metric = "lukhas_guardian_decision_duration_seconds"
matchers = 'service="{{{{value}}}}"'
by = ["outcome"]
threshold = {{ max = "10ms" }}
{each}

[[gates]]
id = "guardian_denial_rate{suffix}"
kind = "ratio"
title = "Guardian denial rate of {{{{value}}}} < 1%"
numerator = 'lukhas_guardian_decision_total{{service="{{{{value}}}}", outcome="deny"}}'
denominator = 'lukhas_guardian_decision_total{{service="{{{{value}}}}"}}'
threshold = {{ max = "1%" }}
{each}

[[gates]]
id = "soak_duration{suffix}"
kind = "soak_duration"
title = "{{{{value}}}} soaked 48h"
selector = '{{job="lukhas-facade", service="{{{{value}}}}"}}'
threshold = {{ min = "48h" }}
{each}
"""


SERVICES_GATES = (templates("", f"values = {SERVICES}", True)
                  + templates("_unfused", f"query = {SERVICES_QUERY}", False) + """
[[gates]]
id = "nobody"
kind = "ratio"
title = "a template whose query finds no value: one no_data gate"
numerator = 'lukhas_guardian_decision_total{team="{{value}}", outcome="deny"}'
denominator = 'lukhas_guardian_decision_total{team="{{value}}"}'
threshold = { max = "1%" }
for_each = { label = "team", query = 'label_values(up, team)' }
""")

SLOW_SHARE = ('1 - sum(rate(lukhas_guardian_decision_duration_seconds_bucket{le="0.025"}[5m])) '
              "/ sum(rate(lukhas_guardian_decision_duration_seconds_count[5m]))")
BUDGET_GATES = f"""
[[gates]]
id = "latency_budget"
kind = "error_budget"
title = "latency SLO: 99% within 25 ms over 72h"
good = 'lukhas_guardian_decision_duration_seconds_bucket{{le="0.025"}}'
total = "lukhas_guardian_decision_duration_seconds_count"
objective = "99%"
period = "72h"

[[gates]]
id = "latency_budget_96h"
kind = "error_budget"
title = "latency SLO: 99.5% within 25 ms over 96h"
good = 'lukhas_guardian_decision_duration_seconds_bucket{{le="0.025"}}'
total = "lukhas_guardian_decision_duration_seconds_count"
objective = "99.5%"
period = "96h"

[[gates]]
id = "slow_share"
kind = "promql_sustained"
title = "share of decisions slower than 25 ms <= 1% sustained"
unit = "ratio"
query = '{SLOW_SHARE}'
window = "72h"
threshold = {{ max = "1%" }}
"""

P95 = ("histogram_quantile(0.95, sum by (le) "
       "(rate(lukhas_guardian_decision_duration_seconds_bucket{{{matchers}}}[5m])))")
P95_BY_OUTCOME = ("histogram_quantile(0.95, sum by (le, outcome) "
                  "(rate(lukhas_guardian_decision_duration_seconds_bucket[5m])))")
COMPARE_GATES = f"""
[[gates]]
id = "allow_p95_vs_last_week"
kind = "compare"
title = "allowed decisions' p95 no worse than last week by 10%"
query = '{P95.format(matchers='outcome="allow"')}'
baseline = "offset 7d"
max_increase = "10%"
value_unit = "seconds"

[[gates]]
id = "deny_p95_vs_last_week"
kind = "compare"
title = "denied decisions' p95 no worse than last week by 10%"
query = '{P95.format(matchers='outcome="deny"')}'
baseline = "offset 7d"
max_increase = "10%"
value_unit = "seconds"

[[gates]]
id = "p95_by_outcome_vs_last_week"
kind = "compare"
title = "p95 by outcome no worse than last week by 10%"
query = '{P95_BY_OUTCOME}'
baseline = "offset 7d"
window = "24h"
max_increase = "10%"
value_unit = "seconds"
"""


# config/research-audit.toml's Prometheus gates were guardian_coverage and this ratio (with a
# min) on the idempotency counters the research scenario serves. The file now measures
# idempotency from the client instead (idempotency_replays, kind idempotency, a live façade),
# so the ratio, as it was, is appended to that file here and still judged.
IDEMPOTENCY_RATIO = """
[[gates]]
id = "idempotency_cache_hit_ratio"
kind = "ratio"
title = "Idempotency cache hit ratio ≥ 20% sustained"
blocking = false
numerator = 'lukhas_idempotency_cache_hits_total{job="lukhas-facade"}'
denominator = 'lukhas_idempotency_requests_total{job="lukhas-facade"}'
threshold = { min = "20%" }
"""


@dataclass(frozen=True)
class Run:
    """One recorded audit: a promlab scenario judged with a config (``config`` is TOML text,
    or ``repo:<path>`` for a config file of the checkout; the TOML text ``extra`` is appended
    to it), optionally some gates only."""

    name: str
    scenario: str
    config: str
    only: tuple[str, ...] = ()
    extra: str = ""


SCENARIOS = (
    # gates: soak_duration, alerts, ratio (+rule), histogram_quantile (+rule), promql_sustained
    # (fail and warn), waivers (active and expired)
    Run("sustained_breach", "sustained_breach", SETTINGS + DEFAULT_GATES + BREACH_EXTRA),
    # soak warn (coverage), alerts and SLIs no_data
    Run("scrape_gap", "scrape_gap", SETTINGS + DEFAULT_GATES),
    # alerts: in-window critical, pending-only, before-window, warning; allow; wider window
    Run("alerts_mixed", "alerts_mixed", SETTINGS + DEFAULT_GATES + ALERTS_EXTRA),
    # Prometheus itself down 4.5h: alerts blind (no_data), self-monitoring
    Run("prometheus_down", "prometheus_down", SETTINGS + DEFAULT_GATES),
    # for_each templates, fused (values) and unfused (query), and a query with no value
    Run("services", "services", SETTINGS + SERVICES_GATES),
    # error_budget (fast burn), promql_sustained over 72h
    Run("budget_fast_burn", "budget_fast_burn", SETTINGS + BUDGET_GATES),
    # compare with offset 7d (fail, pass, by outcome)
    Run("compare_weeks", "compare_weeks", SETTINGS + COMPARE_GATES),
    # the research audit's Prometheus gate (guardian_breakdown) and the ratio with a min it
    # used to have (IDEMPOTENCY_RATIO); its façade gates measure a live server's timings and
    # are not deterministic, so they are left out (--only, --partial)
    Run("research_audit", "research", "repo:config/research-audit.toml",
        only=("guardian_coverage", "idempotency_cache_hit_ratio"), extra=IDEMPOTENCY_RATIO),
)
NAMES = ("demo", *(r.name for r in SCENARIOS))
SLOW = ("compare_weeks", "services", "demo", "research_audit")  # started first


# --------------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------------
def child_env(tmp: Path) -> dict[str, str]:
    """The environment of every gacheck subprocess: this checkout first on the path, no
    GACHECK_*/GITHUB_* settings from the caller, temporary files under ``tmp``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GACHECK_", "GITHUB_")) and k not in ("CI", "NO_COLOR")}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["TMPDIR"] = str(tmp)
    env["TZ"] = "UTC"
    env["PYTHONHASHSEED"] = "0"
    return env


def cli(argv: list[str], cwd: Path, tmp: Path, *, code: str | None = None,
        ok: tuple[int, ...] = (0, 1, 3)) -> subprocess.CompletedProcess[str]:
    """``python -m gacheck <argv>`` (or ``python -c code <argv>``), checked for its exit code."""
    head = [PYTHON, "-c", code] if code else [PYTHON, "-m", "gacheck"]
    done = subprocess.run([*head, *argv], cwd=cwd, env=child_env(tmp), capture_output=True,
                          text=True, timeout=600, check=False)
    if done.returncode not in ok:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"gacheck {' '.join(argv)}: exit code {done.returncode}")
    return done


def audits(directory: Path) -> dict[str, dict[str, Any]]:
    """Every dated audit JSON under ``directory`` (never latest.json), by its path there."""
    found = sorted(p for p in directory.rglob("*.json") if not p.name.startswith("latest."))
    return {p.relative_to(directory).as_posix(): json.loads(p.read_text(encoding="utf-8"))
            for p in found}


def only_audit(directory: Path) -> dict[str, Any]:
    """The one dated audit JSON under ``directory`` (never latest.json)."""
    found = audits(directory)
    if len(found) != 1:
        raise SystemExit(f"expected one audit JSON under {directory}, found {sorted(found)}")
    [audit] = found.values()
    return audit


DEMO_DAYS = 3  # gacheck demo's default --days, passed explicitly


def run_demo(tmp: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The demo's audits of its ``DEMO_DAYS`` days, by path under its output folder."""
    work = tmp / "demo"
    work.mkdir()
    done = cli([AT, "demo", "--config", str(ROOT / "config" / "gates.toml"),
                "--output-dir", str(work / "out"), "--days", str(DEMO_DAYS), "--no-site"],
               work, tmp, code=DEMO_CLOCK)
    found = re.search(r"prometheus ready at (http://\S+)", done.stderr)
    if not found:
        raise SystemExit("demo: no 'prometheus ready at' line on stderr:\n" + done.stderr)
    written = audits(work / "out")
    at = datetime.fromisoformat(AT.replace("Z", "+00:00"))
    days = [(at - timedelta(days=back)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for back in range(DEMO_DAYS - 1, -1, -1)]
    evaluated = sorted(str(a.get("evaluated_at")) for a in written.values())
    if evaluated != days:  # e.g. the clock moved and the old module re-exports it
        raise SystemExit(f"demo: audits evaluated at {evaluated}, not {days}: pinning "
                         f"{DEMO_CLOCK_MODULE}.now had no effect (point DEMO_CLOCK_MODULE at "
                         "the module gacheck demo takes now() from), or the demo wrote other "
                         f"audits than one a day: {sorted(written)}")
    return written, {found.group(1): "http://127.0.0.1:<PORT>"}


def run_scenario(run: Run, tmp: Path) -> tuple[dict[str, Any], dict[str, str]]:
    running_scenario, get = lab_api()
    work = tmp / run.name
    work.mkdir()
    text = run.config
    if text.startswith("repo:"):
        text = (ROOT / text.removeprefix("repo:")).read_text(encoding="utf-8")
    config = work / "gates.toml"
    config.write_text(text + run.extra, encoding="utf-8")
    end = datetime.fromisoformat(AT.replace("Z", "+00:00")).astimezone(UTC)
    with running_scenario(get(run.scenario), end, work / "lab") as lab:
        argv = ["evaluate", "--config", str(config), "--repo", str(work),
                "--prometheus-url", lab.url, "--at", AT, "--output-dir", str(work / "out"),
                "--cache-dir", str(work / "cache"), "--format", "json", "--no-charts"]
        if run.only:
            argv += ["--only", ",".join(run.only), "--partial"]
        cli(argv, work, tmp)
        return only_audit(work / "out"), {lab.url: "http://127.0.0.1:<PORT>"}


# --------------------------------------------------------------------------------------------
# normalising
# --------------------------------------------------------------------------------------------
TIMING_KEYS = frozenset({"duration_s", "generated_at", "elapsed_s", "elapsed_ms"})
CHUNK_KEYS = frozenset({"start", "end", "source"})  # a range query's piece (ChunkRecord)
CHUNK_SOURCE = "<prometheus|cache>"


def normalise(audit: Any, replace: dict[str, str]) -> str:
    """The audit as stable text: no timings, placeholders for what each run picks."""

    def text(value: str) -> str:
        for old, new in replace.items():
            value = value.replace(old, new)
        return value

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if node.keys() == CHUNK_KEYS:
                # gates run concurrently and share the (fresh) chunk cache: whether a piece
                # came from Prometheus or from a piece another gate just cached is a race
                node = {**node, "source": CHUNK_SOURCE}
            return {text(k): walk(v) for k, v in node.items() if k not in TIMING_KEYS}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, str):
            return text(node)
        return node

    return json.dumps(walk(audit), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def placeholders(tmp: Path, found: dict[str, str]) -> dict[str, str]:
    """Longest first: the run's URL, its temporary directory, this checkout."""
    pairs = {**found, str(tmp): "<TMP>", str(ROOT): "<REPO>"}
    return dict(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def produce_one(name: str) -> str:
    """One audit, normalised; tried twice when its lab fails (on a loaded machine a lab
    Prometheus can miss its start or first-rule-evaluation deadline)."""
    try:
        return attempt(name)
    except Exception as exc:  # noqa: BLE001 - anything: say it, then try once more
        sys.stderr.write(f"{name}: {type(exc).__name__}: {exc}; trying once more\n")
        return attempt(name)


def attempt(name: str) -> str:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="gacheck-same-answers-"))
    try:
        if name == "demo":
            written, found = run_demo(tmp)
            text = normalise(written, placeholders(tmp, found))
            verdict = ", ".join(f"{a['verdict']} at {a['evaluated_at']}"
                                for a in sorted(written.values(), key=lambda a: a["evaluated_at"]))
        else:
            [run] = [r for r in SCENARIOS if r.name == name]
            audit, found = run_scenario(run, tmp)
            text = normalise(audit, placeholders(tmp, found))
            verdict = audit["verdict"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.stderr.write(f"{name}: {verdict} ({time.monotonic() - started:.1f}s)\n")
    return text


def produce(names: list[str], jobs: int) -> dict[str, str]:
    """Every selected audit, normalised, by name (in ``names`` order). Several run at once:
    each lab Prometheus mostly waits for its first rule evaluation (up to 30 s)."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        slow_first = sorted(names, key=lambda n: SLOW.index(n) if n in SLOW else len(SLOW))
        futures = {name: pool.submit(produce_one, name) for name in slow_first}
        return {name: future.result() for name, future in futures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3, metavar="N",
                        help="audits run at once (default: 3)")
    parser.add_argument("names", nargs="*", metavar="[record|check] NAME",
                        help="record or check (default: check, what bench/run_all.py runs), "
                        f"then only these audits (default: all of {', '.join(NAMES)})")
    args = parser.parse_args()
    action = args.names.pop(0) if args.names[:1] in (["record"], ["check"]) else "check"
    unknown = sorted(set(args.names) - set(NAMES))
    if unknown:
        parser.error(f"unknown audit(s) {', '.join(unknown)}; known: {', '.join(NAMES)}")
    names = args.names or list(NAMES)
    started = time.monotonic()
    results = produce(names, args.jobs)
    if action == "record":
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, text in results.items():
            (GOLDEN / f"{name}.json").write_text(text, encoding="utf-8")
        sys.stderr.write(f"recorded {len(results)} audits in {GOLDEN} "
                         f"({time.monotonic() - started:.0f}s)\n")
        return 0
    differ = 0
    for name, text in results.items():
        path = GOLDEN / f"{name}.json"
        if not path.is_file():
            sys.stdout.write(f"no recorded {path.relative_to(ROOT)}: run record first\n")
        recorded = path.read_text(encoding="utf-8") if path.is_file() else ""
        if text != recorded:
            differ += 1
            sys.stdout.writelines(difflib.unified_diff(
                recorded.splitlines(keepends=True), text.splitlines(keepends=True),
                f"recorded/{name}.json", f"now/{name}.json"))
    sys.stderr.write(f"{len(results) - differ} of {len(results)} audits identical "
                     f"({time.monotonic() - started:.0f}s)\n")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
