"""``promql_sustained``: any PromQL SLI, sampled over the window, judged "sustained".

The gate fails when the SLI stays beyond its threshold longer than ``max_breach`` or for more
than ``max_breach_ratio`` of the valued samples; a shorter excursion warns. The rules are
``gacheck.sli.breach``'s; the documentation is ``docs/gates/promql_sustained.md``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.sli.sustained import evaluate_sustained
from gacheck.sli.sustained_inputs import SustainedParams


class PromqlSustainedParams(SustainedParams):
    query: str = Field(min_length=1, description="the SLI expression, one value per series")


class PromqlSustainedGate(GateKind):
    params: ClassVar[type[Params]] = PromqlSustainedParams
    unit: ClassVar[Unit | None] = None
    default_threshold: ClassVar[dict[str, Any]] = {}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        return evaluate_sustained(gate, ctx, gate.params.query)

    def queries_to_check(self, gate: GateSpec) -> list[str]:
        return [gate.params.query]
