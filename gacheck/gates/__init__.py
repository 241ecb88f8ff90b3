"""Gate kinds. Adding one: a module with a class following ``GateKind``, and one line below.

Modules here must import heavy libraries (pandas, prometheus-api-client) inside functions:
the config loader imports this registry, and ``gacheck validate`` must start fast.
"""

from __future__ import annotations

from gacheck.gates.alerts import AlertsGate
from gacheck.gates.command import CommandGate
from gacheck.gates.compare import CompareGate
from gacheck.gates.error_budget import ErrorBudgetGate
from gacheck.gates.git_batches import GitBatchesGate
from gacheck.gates.guardian_breakdown import GuardianBreakdownGate
from gacheck.gates.guardrail_probes import GuardrailProbesGate
from gacheck.gates.histogram_quantile import HistogramQuantileGate
from gacheck.gates.http_smoke import HttpSmokeGate
from gacheck.gates.interface import GateKind
from gacheck.gates.json_value import JsonValueGate
from gacheck.gates.load import LoadGate
from gacheck.gates.openai_compat import OpenaiCompatGate
from gacheck.gates.openapi_headers import OpenapiHeadersGate
from gacheck.gates.pip_audit import PipAuditGate
from gacheck.gates.promql_sustained import PromqlSustainedGate
from gacheck.gates.ratio import RatioGate
from gacheck.gates.ruff_budget import RuffBudgetGate
from gacheck.gates.soak_duration import SoakDurationGate
from gacheck.gates.stream_timing import StreamTimingGate

KINDS: dict[str, GateKind] = {
    "command": CommandGate(),
    "git_batches": GitBatchesGate(),
    "http_smoke": HttpSmokeGate(),
    "json_value": JsonValueGate(),
    "pip_audit": PipAuditGate(),
    "soak_duration": SoakDurationGate(),
    "alerts": AlertsGate(),
    "promql_sustained": PromqlSustainedGate(),
    "ratio": RatioGate(),
    "histogram_quantile": HistogramQuantileGate(),
    "openapi_headers": OpenapiHeadersGate(),
    "ruff_budget": RuffBudgetGate(),
    "compare": CompareGate(),
    "error_budget": ErrorBudgetGate(),
    "openai_compat": OpenaiCompatGate(),
    "stream_timing": StreamTimingGate(),
    "load": LoadGate(),
    "guardrail_probes": GuardrailProbesGate(),
    "guardian_breakdown": GuardianBreakdownGate(),
}
