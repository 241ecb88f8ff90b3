"""--report-only and --wait-until, with command gates whose outcome changes between attempts."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.ci.ci_project import write_project_config, write_snapshot
from tests.support.clock import day, on, stamp

# Passes from the third time it runs: the counter file is how a test makes time pass.
THIRD_TIME_LUCKY = """
[[gates]]
id = "soak"
kind = "command"
title = "Soak finished"
command = ["sh", "-c", "n=$(cat {counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {counter}; [ $n -ge 3 ]"]
"""


def _audit(root: Path) -> dict:
    return json.loads((root / "docs/audits/ga/latest.json").read_text())


def test_report_only_exits_0_but_reports_the_real_verdict(project, evaluate_in) -> None:
    write_snapshot(project, lint=150, p95=0.02)
    result = evaluate_in(project, "--report-only")
    assert result.code == 0
    assert "verdict: FAIL" in result.out and "report only" in result.out
    audit = _audit(project)
    assert audit["verdict"] == "fail" and audit["report_only"] is True
    markdown = (project / "docs/audits/ga/latest.md").read_text()
    assert "**report only**" in markdown


def test_wait_until_re_evaluates_until_the_verdict_passes(project, evaluate_in) -> None:
    counter = project / "counter"
    write_project_config(project, extra=THIRD_TIME_LUCKY.format(counter=counter))
    started = time.monotonic()
    result = evaluate_in(project, "--wait-until", "30s", "--interval", "200ms")
    assert result.code == 0
    assert time.monotonic() - started < 20
    audit = _audit(project)
    assert [a["verdict"] for a in audit["attempts"]] == ["fail", "fail", "pass"]
    assert audit["attempts"][0]["failing_gates"] == ["soak"]
    assert audit["attempts"][2]["failing_gates"] == []
    times = [a["time"] for a in audit["attempts"]]
    assert times == sorted(times) and times[-1] == audit["evaluated_at"]
    assert "ready after 3 attempts" in audit["notes"]
    markdown = (project / "docs/audits/ga/latest.md").read_text()
    assert "## Attempts" in markdown
    assert "| 1 |" in markdown and "| soak |" in markdown and "| 3 |" in markdown


def test_wait_until_gives_up_when_time_runs_out_with_the_last_verdict(project, evaluate_in) -> None:
    write_project_config(project, smoke=1)
    result = evaluate_in(project, "--wait-until", "1s", "--interval", "300ms")
    assert result.code == 1
    audit = _audit(project)
    assert 2 <= len(audit["attempts"]) <= 5
    assert all(a["verdict"] == "fail" and a["failing_gates"] == ["smoke"]
               for a in audit["attempts"])
    assert any(note.startswith("still not ready after waiting 1s") for note in audit["notes"])


def test_wait_until_options_are_checked(project, evaluate_in) -> None:
    interval_alone = evaluate_in(project, "--interval", "1m")
    assert interval_alone.code == 2 and "--interval needs --wait-until" in interval_alone.err
    with_at = evaluate_in(project, "--wait-until", "1m", "--at", stamp(on(day(1), "00:00")))
    assert with_at.code == 2 and "drop --at" in with_at.err
    bad = evaluate_in(project, "--wait-until", "soon")
    assert bad.code == 2 and 'expected a duration like "10ms"' in bad.err


def test_sigterm_ends_the_wait_with_the_last_complete_audit_written(project) -> None:
    counter = project / "counter"
    write_project_config(project, smoke=1, extra=f"""
        [[gates]]
        id = "count"
        kind = "command"
        title = "Count attempts"
        command = ["sh", "-c", "n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}"]
    """)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gacheck", "evaluate", "--config",
         str(project / "config/gates.toml"), "--repo", str(project),
         "--wait-until", "10m", "--interval", "300ms", "--no-charts"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    # attempts run one after another: a second one started means the first is complete
    while not (counter.exists() and counter.read_text().strip() not in ("", "1")):
        assert time.monotonic() < deadline and proc.poll() is None, "no second attempt"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err  # the last complete verdict: fail
    assert "wait interrupted" in err
    audit = _audit(project)
    assert len(audit["attempts"]) >= 1
    assert audit["attempts"][-1]["failing_gates"] == ["smoke"]
    assert any(note.startswith("wait interrupted after") for note in audit["notes"])
    leftovers = [p.name for p in (project / "docs/audits/ga").rglob(".*")]
    assert leftovers == []  # no half-written temporary file
