"""``alerts``: alerts that were *firing* during the window, from Prometheus' ``ALERTS`` series.

Pending alerts never count, nor alerts that fired only before the window. The raw samples of
``ALERTS{alertstate="firing", severity=~"..."}[window]`` at ``--at`` give, per alert, the first
and last evaluation it fired in the window and for how long. ``allow`` names alerts that do not
count (each with its reason). When Prometheus has no alerting rule of those severities loaded,
nothing could have fired, and the gate warns instead of passing quietly.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from gacheck.collectors.prometheus import PrometheusClient, client
from gacheck.collectors.rules_api import RulesAnswer, alerting_rules
from gacheck.config import Duration, GateSpec
from gacheck.context import Context
from gacheck.errors import CollectorError
from gacheck.gates.interface import Measurement, Params
from gacheck.models import Evidence, Finding, Status
from gacheck.sli.alert_history import firing_spans
from gacheck.sli.promql import duration
from gacheck.sli.sustained import stamp
from gacheck.units import Unit, format_duration


class AllowedAlert(Params):
    alert: str = Field(min_length=1, description="alertname that does not count")
    reason: str = Field(min_length=1, description="why it may fire during a soak")


class AlertsParams(Params):
    severities: list[str] = Field(default_factory=lambda: ["critical"], min_length=1)
    window: Duration | None = Field(default=None, description="default: settings.window")
    matchers: str = Field(default="", description='extra ALERTS matchers, e.g. env="prod"')
    allow: list[AllowedAlert] = Field(default_factory=list)
    check_rules: bool = Field(default=True, description="warn when no such rule is loaded")

    @field_validator("severities")
    @classmethod
    def _plain(cls, value: list[str]) -> list[str]:
        for severity in value:
            if not severity.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"severity {severity!r}: letters, digits, - and _ only")
        return value


def alerts_selector(params: AlertsParams) -> str:
    extra = params.matchers.strip().strip("{}").strip()
    matchers = f'alertstate="firing", severity=~"{"|".join(params.severities)}"'
    return "ALERTS{" + matchers + (f", {extra}" if extra else "") + "}"


def loaded_rules(prom: PrometheusClient, severities: list[str]) -> tuple[list[str], RulesAnswer]:
    """Names of the alerting rules of these severities, and where they were listed."""
    answer = alerting_rules(prom)
    return sorted({
        rule.get("name", "?")
        for group in (answer.data or {}).get("groups", []) for rule in group.get("rules", [])
        if rule.get("type", "alerting") == "alerting"
        and rule.get("labels", {}).get("severity") in severities
    }), answer


class AlertsGate:
    params: ClassVar[type[Params]] = AlertsParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, Any]] = {"max": 0}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: AlertsParams = gate.params
        prom = client(ctx)
        window = params.window or ctx.config.settings.window
        result = prom.instant(f"{alerts_selector(params)}[{duration(window)}]", ctx.at)
        allowed = {a.alert: a.reason for a in params.allow}
        spans = firing_spans(result.series)
        rows, findings = [], []
        for span in spans:
            reason = allowed.get(span.name)
            rows.append({"alertname": span.name, "labels": span.labels, "first": stamp(span.first),
                         "last": stamp(span.last), "minutes_firing": round(span.minutes, 2),
                         "allowed": reason is not None, "reason": reason})
            if reason is None:
                findings.append(Finding(
                    message=f"{span.name} {span.label_text()} fired {span.minutes:.1f} min "
                            f"between {stamp(span.first)} and {stamp(span.last)}",
                    code=span.name))
        counted = len(findings)
        notes = [f"Prometheus warning: {w}" for w in result.warnings]
        floor, message = None, f"{counted} alert(s) fired in the {format_duration(window)} window"
        if counted:
            names = sorted({f.code or "" for f in findings})
            message += ": " + ", ".join(names)
        elif spans:
            message += f" ({len(spans)} allowed alert(s) fired)"
        details: dict[str, Any] = {"window_s": window, "window": format_duration(window),
                                   "severities": params.severities,
                                   "alerts": rows, "allowed": allowed}
        if params.check_rules:
            try:
                rules, answer = loaded_rules(prom, params.severities)
                details["rules_source"] = answer.source
                if answer.note:
                    notes.append(answer.note)
                source = "" if answer.source == prom.url else f" (rules from {answer.source})"
                message += source
            except CollectorError as exc:
                rules = None
                floor = Status.WARN
                message += f"; could not list the alerting rules: {exc}"
            details["rules_loaded"] = rules
            if rules == []:
                floor = Status.WARN
                where = "Prometheus" if answer.source == prom.url else answer.source
                hint = ("" if prom.settings.rules_url else " (VictoriaMetrics: set [prometheus] "
                        "rules_url to vmalert)")
                message += (f"; no alerting rule with severity {'/'.join(params.severities)} is "
                            f"loaded in {where}{hint}: nothing could have fired")
        evidence = Evidence(queries=[result.record], findings=findings, notes=notes,
                            details=details)
        return Measurement(float(counted), message, evidence, floor)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        return []  # "no alert fired" is an empty result by design; nothing to check
