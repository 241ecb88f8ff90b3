"""``ratio``: numerator rate over denominator rate, judged "sustained" like ``promql_sustained``.

Written for "Guardian denial rate < 1% sustained" without PromQL: the gate builds
``sum(rate(numerator[5m])) / sum(rate(denominator[5m]))``, keeping a 0 numerator when the
numerator has no series yet (a labelled counter appears only on its first increment) and NaN
(idle) when the denominator is 0. ``rule`` names a recording rule to read instead.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from gacheck.collectors.prometheus.client import client
from gacheck.collectors.prometheus.promql import check_labels, duration, summed
from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.models import Status
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.sli.sustained import evaluate_sustained, start_precheck
from gacheck.sli.sustained_inputs import Alongside, SustainedParams


class RatioParams(SustainedParams):
    numerator: str | None = Field(default=None, description="selector counted in the ratio")
    denominator: str | None = Field(default=None, description="selector of all events")
    rate_window: Duration = Field(default=300.0, gt=0, description="range of rate()")
    by: list[str] = Field(default_factory=list, description="one ratio per value of these labels")
    rule: str | None = Field(default=None, description="a recording rule to read instead")

    @field_validator("by")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        return check_labels(value)

    @model_validator(mode="after")
    def _one_source(self) -> RatioParams:
        if self.rule is not None:
            if self.numerator or self.denominator:
                raise ValueError("give either rule, or numerator and denominator, not both")
        elif not (self.numerator and self.denominator):
            raise ValueError("give numerator and denominator (selectors), or rule")
        return self


def ratio_query(params: RatioParams) -> str:
    if params.rule is not None:
        return params.rule
    window = duration(params.rate_window)
    numerator = summed(f"rate({params.numerator}[{window}])", params.by)
    denominator = summed(f"rate({params.denominator}[{window}])", params.by)
    # "or 0 * denominator": no numerator series means a ratio of 0, not a missing sample.
    return f"({numerator} or 0 * {denominator}) / {denominator}"


class RatioGate(GateKind):
    params: ClassVar[type[Params]] = RatioParams
    unit: ClassVar[Unit | None] = Unit.RATIO
    non_negative: ClassVar[bool] = True  # a negative value is impossible: error
    default_threshold: ClassVar[dict[str, Any]] = {}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: RatioParams = gate.params
        if params.rule is not None:
            return evaluate_sustained(gate, ctx, params.rule, details={"rule": params.rule})
        window = params.window or ctx.config.settings.window
        # A numerator that matches nothing reads as a 0 ratio; say so, since a typo looks alike.
        # Asked beside the range query (after the one probe), not before it.
        prom = client(ctx)
        matched: list[bool] = []

        def numerator_check() -> Alongside:
            check = prom.instant(
                f"count(last_over_time({params.numerator}[{duration(window)}]))", ctx.at)
            matched.append(bool(check.series))
            return Alongside(records=[check.record])

        presence = summed(f"rate({params.denominator}[{duration(params.rate_window)}])",
                          params.by)
        outcome = evaluate_sustained(gate, ctx, ratio_query(params),
                                     alongside=start_precheck(numerator_check), presence=presence)
        if matched[0] or outcome.status in (Status.NO_DATA, Status.ERROR, Status.FAIL):
            return outcome
        note = (f"the numerator {params.numerator} matched no series in the window: its rate is "
                "taken as 0; check the selector if events were expected")
        evidence = outcome.evidence.model_copy(update={"notes": [*outcome.evidence.notes, note]})
        return Measurement(outcome.value, f"{outcome.message}; numerator matched no series",
                           evidence, Status.WARN)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        params: RatioParams = gate.params
        if params.rule is not None:
            return [params.rule]
        # Each selector on its own too: "or 0 * denominator" would hide an empty numerator.
        return [ratio_query(params), params.numerator or "", params.denominator or ""]
