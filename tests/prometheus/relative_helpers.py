"""Evaluating one gate written as TOML against a lab, for the compare and error_budget tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from gacheck.context import Context, Overrides
from gacheck.core.models import Audit, GateResult
from gacheck.promlab.lab import Lab
from gacheck.run.config_binding import load_config
from gacheck.run.evaluation import evaluate

P95 = ('histogram_quantile(0.95, sum by (le) '
       '(rate(lukhas_guardian_decision_duration_seconds_bucket{{{matchers}}}[5m])))')
DENIAL = ('sum(rate(lukhas_guardian_decision_total{outcome="deny", $matchers}[5m])) / '
          'sum(rate(lukhas_guardian_decision_total{$matchers}[5m]))')


def evaluate_toml(lab: Lab, tmp_path: Path, body: str, at: datetime | None = None,
                  audit_dir: Path | None = None) -> Audit:
    path = tmp_path / "gates.toml"
    path.write_text(body, encoding="utf-8")
    ctx = Context(at=at or lab.end, config=load_config(path), repo=tmp_path,
                  audit_dir=audit_dir or tmp_path / "audits",
                  overrides=Overrides(prometheus_url=lab.url))
    return evaluate(ctx)


def only_gate(lab: Lab, tmp_path: Path, body: str, **kwargs: object) -> GateResult:
    [gate] = evaluate_toml(lab, tmp_path, body, **kwargs).gates  # type: ignore[arg-type]
    return gate


def compare_toml(query: str, extra: str, gate_id: str = "cmp") -> str:
    return (f"[[gates]]\nid = '{gate_id}'\nkind = 'compare'\ntitle = 'compare'\n"
            f"query = '{query}'\nmax_increase = '10%'\nvalue_unit = 'seconds'\n{extra}\n")
