"""Gate kinds. Adding one: a module with a class following ``GateKind``, and one line below.

Modules here must import heavy libraries (pandas, prometheus-api-client) inside functions:
the config loader imports this registry, and ``gacheck validate`` must start fast. A kind's
module is imported when a config first names it (``module:Class`` below; an instance works
too), so an evaluation pays only for the kinds it uses before its first gate starts.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, MutableMapping

from gacheck.gates.interface import GateKind


class _Kinds(MutableMapping[str, GateKind]):
    """Kind name to kind, each imported and built on first use (thread-safe)."""

    def __init__(self, specs: dict[str, str | GateKind]) -> None:
        self._specs = specs
        self._built: dict[str, GateKind] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> GateKind:
        built = self._built.get(name)
        if built is not None:
            return built
        spec = self._specs[name]
        with self._lock:
            if name not in self._built:
                if isinstance(spec, str):
                    module, _, cls = spec.partition(":")
                    self._built[name] = getattr(importlib.import_module(module), cls)()
                else:
                    self._built[name] = spec
            return self._built[name]

    def __setitem__(self, name: str, kind: GateKind) -> None:
        with self._lock:
            self._specs[name] = kind
            self._built[name] = kind

    def __delitem__(self, name: str) -> None:
        with self._lock:
            del self._specs[name]
            self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


KINDS: MutableMapping[str, GateKind] = _Kinds({
    "command": "gacheck.gates.command:CommandGate",
    "git_batches": "gacheck.gates.git_batches:GitBatchesGate",
    "http_smoke": "gacheck.gates.http_smoke:HttpSmokeGate",
    "json_value": "gacheck.gates.json_value:JsonValueGate",
    "pip_audit": "gacheck.gates.pip_audit:PipAuditGate",
    "soak_duration": "gacheck.gates.soak_duration.gate:SoakDurationGate",
    "alerts": "gacheck.gates.alerts:AlertsGate",
    "promql_sustained": "gacheck.gates.promql_sustained:PromqlSustainedGate",
    "ratio": "gacheck.gates.ratio:RatioGate",
    "histogram_quantile": "gacheck.gates.histogram_quantile:HistogramQuantileGate",
    "openapi_headers": "gacheck.gates.openapi_headers:OpenapiHeadersGate",
    "ruff_budget": "gacheck.gates.ruff_budget.gate:RuffBudgetGate",
    "compare": "gacheck.gates.compare.gate:CompareGate",
    "error_budget": "gacheck.gates.error_budget.gate:ErrorBudgetGate",
    "openai_compat": "gacheck.gates.openai_compat.gate:OpenaiCompatGate",
    "stream_timing": "gacheck.gates.stream_timing:StreamTimingGate",
    "load": "gacheck.gates.load.gate:LoadGate",
    "guardrail_probes": "gacheck.gates.guardrail_probes:GuardrailProbesGate",
    "guardian_breakdown": "gacheck.gates.guardian_breakdown:GuardianBreakdownGate",
    "rate_limit": "gacheck.gates.rate_limit.gate:RateLimitGate",
    "idempotency": "gacheck.gates.idempotency.gate:IdempotencyGate",
    "examples": "gacheck.gates.examples.gate:ExamplesGate",
})
