"""The alerts gate on a Prometheus that just started: it waits for the first rule evaluation
(at most two intervals, within its time limit), and a rule still unevaluated stays ``error``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from gacheck.cli import main
from gacheck.promlab.server import PrometheusServer

pytestmark = pytest.mark.prometheus


def rules(interval: str) -> str:
    return f"""groups:
- name: deploy-fresh
  interval: {interval}
  rules:
  - alert: ErrorBudgetBurn
    expr: vector(0) > 1
    labels: {{severity: critical}}
"""


def run_alerts_gate(tmp_path: Path, url: str, timeout: str) -> tuple[dict, float]:
    config = tmp_path / "gates.toml"
    config.write_text(f"""
[settings]
window = "10m"
output_dir = "audits"
[prometheus]
url = "{url}"
cache = false
[[gates]]
id = "critical_alerts"
kind = "alerts"
title = "No critical alerts"
timeout = "{timeout}"
scrape_signal = ""
rule_signal = ""
""", encoding="utf-8")
    started = time.monotonic()
    main(["evaluate", "--config", str(config), "--repo", str(tmp_path), "--quiet",
          "--no-charts"])
    took = time.monotonic() - started
    audit = json.loads(next((tmp_path / "audits").rglob("*.json")).read_text(encoding="utf-8"))
    return audit["gates"][0], took


def unevaluated(url: str) -> bool:
    groups = httpx.get(f"{url}/api/v1/rules", timeout=5).json()["data"]["groups"]
    return all(r["health"] == "unknown" for g in groups for r in g["rules"])


def test_the_gate_waits_for_the_first_evaluation(tmp_path: Path) -> None:
    # Prometheus evaluates a 5s group at a fixed phase of the clock: the first evaluation can
    # fall between its start and the gate's look (a second or so); then a new one is started.
    # (A longer interval only makes the gate wait longer: up to one interval, here.)
    for attempt in range(5):
        work = tmp_path / f"attempt{attempt}"
        with PrometheusServer(work / "data", work / "prom", rules=rules("5s")) as server:
            if not unevaluated(server.url):
                continue
            gate, took = run_alerts_gate(work, server.url, "40s")
        notes = [n for n in gate["evidence"]["notes"] if "waited" in n]
        if notes:
            break
    assert gate["status"] == "pass", gate["message"]
    assert took < 30
    (note,) = notes
    assert "until their first evaluation" in note and "(5s)" in note


def test_a_rule_still_unevaluated_within_the_time_limit_stays_error(tmp_path: Path) -> None:
    # An hourly group's first evaluation is (almost surely) not in the next few seconds: the
    # gate waits within its 8s limit, then judges the rule as never evaluated.
    with PrometheusServer(tmp_path / "data", tmp_path / "prom", rules=rules("1h")) as server:
        gate, took = run_alerts_gate(tmp_path, server.url, "8s")
    assert gate["status"] == "error"
    assert "never evaluated" in gate["message"]
    assert 3 < took < 12
    assert any("still had none" in n for n in gate["evidence"]["notes"])
