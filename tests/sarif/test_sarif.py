"""``gacheck evaluate --sarif``: SARIF 2.1.0 that validates against the OASIS schema (vendored
from the npm package @microsoft/jest-sarif 1.0.0-beta.0, MIT), one result per located finding,
rule per gate kind, level from the gate's status, the audit linked."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from gacheck import cli
from gacheck.core.models import Audit, Evidence, Finding, GateResult, Status, Threshold, Verdict
from gacheck.core.units import Unit
from gacheck.reports.sarif import render_sarif

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0-rtm.5.json"


def _valid(log: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)


def test_evaluate_writes_sarif_for_every_located_finding(
        make_project: Callable[..., Path], tmp_path: Path) -> None:
    repo = make_project()
    sarif = tmp_path / "out" / "gacheck.sarif"
    code = cli.main(["evaluate", "--config", str(repo / "config/gates.toml"), "--repo",
                     str(repo), "--sarif", str(sarif), "--quiet"])
    assert code == 1  # the header guard and pip-audit fail
    log = json.loads(sarif.read_text(encoding="utf-8"))
    _valid(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        "gacheck/openapi_headers", "gacheck/pip_audit", "gacheck/ruff_budget"]
    found = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
              r["level"]) for r in run["results"]}
    assert found == {
        ("gacheck/openapi_headers", "docs/openapi/api.yaml", 7, "error"),
        ("gacheck/pip_audit", "requirements.txt", 3, "error"),
        ("gacheck/ruff_budget", "src/app.py", 1, "note"),  # within budget: a pass
    }
    audit = run["properties"]["audit"]
    assert (repo / audit).is_file() and audit.endswith(".json")
    assert all(r["properties"]["audit"] == audit for r in run["results"])
    missing = next(r for r in run["results"] if r["ruleId"] == "gacheck/openapi_headers")
    assert "X-Trace-Id" in missing["message"]["text"]


def _gate(kind: str, status: Status, *findings: Finding) -> GateResult:
    return GateResult(id=f"{kind}-gate", kind=kind, title=f"{kind} <b>\"title\"</b>",
                      blocking=True, weight=1.0, status=status,
                      measured_status=Status.FAIL if status is Status.WAIVED else None,
                      value=1.0, threshold=Threshold(max=0), unit=Unit.COUNT, message="waived: "
                      "known", evidence=Evidence(findings=list(findings)))


def test_levels_paths_and_waivers() -> None:
    at = datetime(2026, 11, 25, tzinfo=UTC)
    audit = Audit(
        tool_version="t", evaluated_at=at, generated_at=at, config_path="gates.toml",
        config_sha256="0" * 64, command=["gacheck", "evaluate"], verdict=Verdict.WARN, score=50,
        gates=[
            _gate("git_batches", Status.WARN, Finding(message="F401 rose", file="src/ü x.py")),
            _gate("ruff_budget", Status.WAIVED, Finding(message="m", file="/repo/a.py", line=3),
                  Finding(message="outside", file="/elsewhere/b.py", line=1),
                  Finding(message="up", file="../c.py", line=1),
                  Finding(message="no file")),
            _gate("pip_audit", Status.ERROR, Finding(message="x", file="r.txt", line=0)),
        ])
    log = json.loads(render_sarif(audit, "audits/a.json", "/repo"))
    _valid(log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("gacheck/git_batches", "warning"), ("gacheck/ruff_budget", "error"),
        ("gacheck/pip_audit", "warning")]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["src/%C3%BC%20x.py", "a.py", "r.txt"]
    assert "region" not in results[0]["locations"][0]["physicalLocation"]  # a file, no line
    assert results[1]["suppressions"][0]["kind"] == "external"
    assert "region" not in results[2]["locations"][0]["physicalLocation"]
