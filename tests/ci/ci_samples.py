"""Audits built from the models, with every status a gate can have, for the output tests."""

from __future__ import annotations

from datetime import UTC, datetime

from gacheck.core.models import (
    Audit,
    CommandRecord,
    Evidence,
    Finding,
    GateResult,
    QueryRecord,
    Status,
    Threshold,
    Verdict,
)
from gacheck.core.units import Unit

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def gate(gate_id: str, status: Status, value: float | None, message: str, **extra) -> GateResult:  # type: ignore[no-untyped-def]
    fields = {
        "id": gate_id,
        "kind": "command",
        "title": gate_id.replace("_", " ").capitalize(),
        "blocking": True,
        "weight": 1.0,
        "status": status,
        "value": value,
        "threshold": Threshold(max=0, unit=Unit.COUNT),
        "unit": Unit.COUNT,
        "message": message,
        "duration_s": 0.25,
    }
    fields.update(extra)
    return GateResult(**fields)


def sample_audit(**extra) -> Audit:  # type: ignore[no-untyped-def]
    """One gate per status; the lint gate has located findings, one with hostile text."""
    findings = [
        Finding(message="Module level import not at top of file", code="E402",
                file="lukhas/core/app.py", line=12),
        Finding(message="100% wrong: a,b:c\nsecond line\r", code="F841",
                file="weird, name:1.py", line=3, severity="warning"),
    ]
    gates = [
        gate("smoke", Status.PASS, 0.0, "0 ≤ 0; exit code 0",
             evidence=Evidence(commands=[CommandRecord(argv=["sh", "-c", "exit 0"], exit_code=0)])),
        gate("lint", Status.FAIL, 130.0, "130 > max 120; 2 diagnostics listed",
             kind="ruff_budget", threshold=Threshold(max=120, unit=Unit.COUNT),
             evidence=Evidence(findings=findings, findings_total=2)),
        gate("latency", Status.WARN, 0.009, "9ms > warn 8ms", unit=Unit.SECONDS,
             kind="histogram_quantile",
             threshold=Threshold(max=0.01, warn=0.008, unit=Unit.SECONDS),
             evidence=Evidence(queries=[QueryRecord(promql='histogram_quantile(0.95, x{a="<b>"})',
                                                    kind="instant", time=AT)])),
        gate("prometheus_down", Status.ERROR, None, "cannot reach http://127.0.0.1:9090"),
        gate("quiet_night", Status.NO_DATA, None, "no samples in the window", blocking=False),
        gate("extra", Status.SKIPPED, None, "not selected (--only/--skip)"),
        gate("legacy", Status.WAIVED, 3.0, "3 > max 0", measured_status=Status.FAIL),
    ]
    fields = {
        "tool_version": "0.1.0",
        "evaluated_at": AT,
        "generated_at": AT,
        "config_path": "config/gates.toml",
        "config_sha256": "ab" * 32,
        "command": ["gacheck", "evaluate"],
        "verdict": Verdict.FAIL,
        "score": 30.0,
        "gates": gates,
        "notes": ["blocking gates failed: lint"],
    }
    fields.update(extra)
    return Audit(**fields)
