"""CI outputs and history: how long the extra work of a daily or release run takes.

Measures (best of a few runs, wall clock on this machine):
- JUnit XML and GitHub annotations for an audit of 9 gates with 5,000 located findings;
- trend series over a year of daily audits (what every evaluate reads for its sparklines);
- ``gacheck history`` tables (pandas) over the same year;
- one PNG chart (matplotlib), when the ``plot`` extra is installed.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gacheck.config.model import Settings
from gacheck.core.models import Audit, Evidence, Finding, GateResult, Status, Threshold, Verdict
from gacheck.core.units import Unit
from gacheck.history.series import gate_series
from gacheck.history.store import load_history
from gacheck.history.table import build_report
from gacheck.reports.github import annotation_lines
from gacheck.reports.junit import render_junit

GATES = 9
DAYS = 365


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def make_audit(at: datetime, findings_per_gate: int, day: int = 0) -> Audit:
    gates = []
    for index in range(GATES):
        findings = [
            Finding(message=f"diagnostic {n}", code="E402", file=f"pkg/m{n % 97}.py", line=n + 1)
            for n in range(findings_per_gate)
        ]
        value = 100.0 + (day * 7 + index * 13) % 40
        gates.append(GateResult(
            id=f"gate_{index}", kind="command", title=f"Gate {index}", blocking=True, weight=1.0,
            status=Status.FAIL if value > 130 else Status.PASS, value=value,
            threshold=Threshold(max=130, unit=Unit.COUNT), unit=Unit.COUNT, message="m",
            evidence=Evidence(findings=findings),
        ))
    return Audit(
        tool_version="bench", evaluated_at=at, generated_at=at, config_path="c",
        config_sha256="0" * 64, command=[], verdict=Verdict.FAIL, score=50.0, gates=gates,
    )


def main() -> None:
    start = datetime(2025, 11, 25, 6, 0, tzinfo=UTC)
    big = make_audit(start, findings_per_gate=5000 // GATES)
    print(f"junit xml, {GATES} gates, ~5000 findings: "
          f"{best_of(3, lambda: render_junit(big)) * 1000:.1f} ms")
    print(f"github annotations, same audit: "
          f"{best_of(3, lambda: annotation_lines(big)) * 1000:.1f} ms")

    settings = Settings()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        for day in range(DAYS):
            at = start + timedelta(days=day)
            path = directory / at.strftime("%Y-%m-%d") / "ga-readiness.json"
            path.parent.mkdir()
            path.write_text(json.dumps(make_audit(at, 3, day).model_dump(mode="json")))
        today = make_audit(start + timedelta(days=DAYS), 0)

        def trends() -> object:
            history = load_history(directory, settings)
            return gate_series(today, history, 14)

        print(f"trend series over {DAYS} daily audits: {best_of(3, trends) * 1000:.0f} ms")
        history = load_history(directory, settings)
        print(f"history table over {DAYS} days x {GATES} gates (pandas): "
              f"{best_of(3, lambda: build_report(history)) * 1000:.0f} ms")
        try:
            from gacheck.reports.charts import render_chart

            series = gate_series(today, history, 14)[0]
            render_chart(series)  # the first one pays for importing matplotlib
            seconds = best_of(3, lambda: render_chart(series))
            print(f"one PNG chart (14 points): {seconds * 1000:.0f} ms")
        except ImportError:
            print("one PNG chart: matplotlib is not installed (the plot extra)")


if __name__ == "__main__":
    main()
