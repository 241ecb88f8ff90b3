"""``alerts``: alerts that were *firing* during the window, from Prometheus' ``ALERTS`` series.

Pending alerts never count, nor alerts that fired only before the window. The raw samples of
``ALERTS{alertstate="firing", severity=~"..."}[window]`` at ``--at`` give, per alert, the first
and last evaluation it fired in the window and for how long. ``allow`` names alerts that do not
count (each with its reason).

"No alert fired" is only evidence where Prometheus was watching and the rules could fire:
- a blind stretch (nothing scraped, or rule evaluation stalled; ``gacheck.sli.blind``) longer
  than ``max_blind`` makes the gate ``no_data``, naming the stretches;
- a loaded rule of the counted severities whose evaluation fails, or that was never evaluated,
  makes it ``error``, naming the rule and Prometheus' ``lastError``;
- no loaded rule of those severities at all: nothing could have fired, so "no alert" is
  ``no_data``; rules that cannot be listed are an ``error`` (``check_rules = false`` opts out).
  A Prometheus that started less than a rule interval ago is given time for its first
  evaluation (at most two intervals, within the gate's time limit) before that is judged.
An alert that did fire is a failure whatever else is known.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from gacheck.collectors.prometheus.client import client
from gacheck.collectors.prometheus.first_evaluation import await_first_evaluation
from gacheck.collectors.prometheus.rules import AlertingRule, parse_rules
from gacheck.collectors.prometheus.rules_api import list_rules
from gacheck.collectors.prometheus.window import range_window
from gacheck.config.model import Duration, GateSpec, PositiveDuration
from gacheck.context import Context
from gacheck.core import timeparse
from gacheck.core.errors import CollectorError
from gacheck.core.models import Evidence, Finding, Status
from gacheck.core.units import Unit, format_duration, plural
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.sli.alert_history import firing_spans
from gacheck.sli.coverage import Signals, monitoring_coverage
from gacheck.sli.sustained_text import stamp

PAST_AT_S = 60.0  # an --at this much before now is "in the past" for rule health
JUDGE_RESERVE = 0.2
"""Share of the gate's time limit kept for judging after waiting for a first rule evaluation."""


class AllowedAlert(Params):
    alert: str = Field(min_length=1, description="alertname that does not count")
    reason: str = Field(min_length=1, description="why it may fire during a soak")


class AlertsParams(Params):
    severities: list[str] = Field(default_factory=lambda: ["critical"], min_length=1)
    window: PositiveDuration | None = Field(default=None, description="default: settings.window")
    matchers: str = Field(default="", description='extra ALERTS matchers, e.g. env="prod"')
    allow: list[AllowedAlert] = Field(default_factory=list)
    check_rules: bool = Field(default=True, description="check the loaded rules and their health")
    max_blind: Duration = Field(default=600.0, ge=0, description="longest tolerated blind stretch")
    step: Duration | None = Field(default=None, gt=0, description="of the coverage query; "
                                  "default: settings.step")
    scrape_signal: str | None = Field(default=None, description="default: [prometheus]")
    rule_signal: str | None = Field(default=None, description="default: [prometheus]")

    @field_validator("severities")
    @classmethod
    def _plain(cls, value: list[str]) -> list[str]:
        for severity in value:
            if not severity.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"severity {severity!r}: letters, digits, - and _ only")
        return value


def _budget(ctx: Context) -> float:
    """How long the gate may wait for a first rule evaluation: its remaining time limit, less
    a reserve for judging."""
    if ctx.deadline is None:
        return 0.0
    remaining = ctx.deadline.remaining()
    return max(0.0, remaining - max(JUDGE_RESERVE * remaining, 2.0))


def alerts_selector(params: AlertsParams) -> str:
    extra = params.matchers.strip().strip("{}").strip()
    matchers = f'alertstate="firing", severity=~"{"|".join(params.severities)}"'
    return "ALERTS{" + matchers + (f", {extra}" if extra else "") + "}"


class AlertsGate(GateKind):
    params: ClassVar[type[Params]] = AlertsParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, Any]] = {"max": 0}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: AlertsParams = gate.params
        prom = client(ctx)
        window = params.window or ctx.config.settings.window
        result = prom.samples(alerts_selector(params), ctx.at, window)
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
        queries = [result.record]
        message = f"{plural(counted, 'alert')} fired in the {format_duration(window)} window"
        if counted:
            message += ": " + ", ".join(sorted({f.code or "" for f in findings}))
        elif spans:
            message += f" ({plural(len(spans), 'allowed alert')} fired)"
        details: dict[str, Any] = {"window_s": window, "window": format_duration(window),
                                   "severities": params.severities,
                                   "alerts": rows, "allowed": allowed}
        verdicts: list[tuple[Status, str]] = []  # (status, why), the worst decides

        coverage = monitoring_coverage(
            ctx, range_window(ctx.at, window, params.step or ctx.config.settings.step,
                              prom.settings.max_points),
            Signals.of(ctx, params.scrape_signal, params.rule_signal))
        if coverage is not None:
            queries.append(coverage.result.record)
            details["blind"] = {**coverage.report.details(), "max_blind_s": params.max_blind,
                                "max_blind": format_duration(params.max_blind)}
            too_long = coverage.report.longer_than(params.max_blind)
            if too_long:
                shown = "; ".join(s.describe() for s in too_long[:3])
                more = f" and {len(too_long) - 3} more" if len(too_long) > 3 else ""
                verdicts.append((Status.NO_DATA, (
                    f"monitoring was blind longer than max_blind "
                    f"{format_duration(params.max_blind)}: {shown}{more}; an alert in those "
                    "stretches could not be seen")))
        if params.check_rules:
            verdicts += self._rule_verdicts(prom, params, ctx, details, notes)
        return self._conclude(counted, message, verdicts,
                              Evidence(queries=queries, findings=findings, notes=notes,
                                       details=details))

    @staticmethod
    def _rule_verdicts(prom: Any, params: AlertsParams, ctx: Context, details: dict[str, Any],
                       notes: list[str]) -> list[tuple[Status, str]]:
        try:
            answer = list_rules(prom)  # the query API's, else [prometheus] rules_url's
            answer, waited = await_first_evaluation(
                prom, answer, lambda r: r.severity in params.severities, _budget(ctx))
            if waited:
                notes.append(waited)
            rules: list[AlertingRule] = [
                r for r in parse_rules(answer.data) if r.severity in params.severities]
        except CollectorError as exc:
            details["rules_loaded"] = None
            return [(Status.ERROR, f"could not list the alerting rules: {exc}")]
        details["rules_source"] = answer.source
        if answer.note:
            notes.append(answer.note)
        details["rules_loaded"] = sorted({r.name for r in rules})
        details["rule_health"] = [r.details() for r in rules if r.broken]
        # No clock reading goes into the details: the same inputs give the same audit bytes.
        if (timeparse.now() - ctx.at).total_seconds() > PAST_AT_S:
            notes.append("rule health is as of now (/api/v1/rules knows only the present), "
                         f"not as of --at {stamp(ctx.at.timestamp())}")
        if not rules:
            where = "Prometheus" if answer.source == prom.url else answer.source
            hint = ("" if prom.settings.rules_url else " (VictoriaMetrics: set [prometheus] "
                    "rules_url to vmalert)")
            return [(Status.NO_DATA, f"no alerting rule with severity {'/'.join(params.severities)}"
                     f" is loaded in {where}{hint}: nothing could have fired")]
        broken = [r for r in rules if r.broken]
        if broken:
            shown = "; ".join(r.problem() for r in broken[:3])
            more = f" and {len(broken) - 3} more" if len(broken) > 3 else ""
            return [(Status.ERROR, f"{len(broken)} {'/'.join(params.severities)} rule(s) "
                     f"cannot fire: {shown}{more}")]
        return []

    @staticmethod
    def _conclude(counted: int, message: str, verdicts: list[tuple[Status, str]],
                  evidence: Evidence) -> Measurement:
        reasons = "; ".join(why for _status, why in verdicts)
        text = f"{message}; {reasons}" if reasons else message
        if counted:  # an alert that fired is a failure, whatever else is known
            return Measurement(float(counted), text, evidence, None)
        statuses = {status for status, _why in verdicts}
        for final in (Status.ERROR, Status.NO_DATA):
            if final in statuses:
                ordered = sorted(verdicts, key=lambda v: v[0] != final)
                return Measurement(None, "; ".join(why for _s, why in ordered) +
                                   f" ({message})", evidence, final)
        floor = Status.WARN if statuses else None
        return Measurement(0.0, text, evidence, floor)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        return []  # "no alert fired" is an empty result by design; nothing to check
