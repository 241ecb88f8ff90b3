"""``openai_compat``: the façade as the official ``openai`` SDK sees it, against its own spec.

Calls: ``models.list``, ``embeddings.create``, ``chat.completions.create`` plain and streamed,
``responses.create`` (where served), a bad request, an invalid and a missing key. A call fails
when the SDK cannot parse the answer, a required header is missing, an error is not in
OpenAI's shape, or the body drifts from the schema the spec declares for it (each drift a
finding with its JSON pointer). The value is the number of failed calls (``max`` 0). No spec,
no façade reachable: ``error`` -- the gate cannot say what it claims.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from gacheck.collectors.service.facade import Facade, FacadeParams, exclusive
from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.models import Evidence, Finding, Status
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params

DEFAULT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                   "X-Trace-Id"]
PROMPT = "Reply with one word: ready."


class OpenaiCompatParams(FacadeParams):
    specs: list[str] = Field(
        default_factory=lambda: ["docs/openapi/**/*.json", "docs/openapi/**/*.yaml",
                                 "docs/openapi/**/*.yml"],
        min_length=1,
        description='files under the repo; URLs ("{base_url}/openapi.json") only when no '
                    "file matches")
    require_headers: list[str] = Field(default_factory=lambda: list(DEFAULT_HEADERS))
    responses_api: Literal["auto", "required", "off"] = Field(
        default="auto", description="auto: a 404 means not served, which is no failure")
    auth_checks: bool = Field(default=True,
                              description="an invalid and a missing key must get 401/403")
    max_tokens: int = Field(default=16, ge=1, le=4096)


class OpenaiCompatGate(GateKind):
    params: ClassVar[type[Params]] = OpenaiCompatParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, Any]] = {"max": 0}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        from gacheck.gates.openai_compat.run import Run, load_contract

        params: OpenaiCompatParams = gate.params
        facade = Facade(params, ctx)
        try:
            contract, spec_files, spec_error = load_contract(params.specs, facade.base_url,
                                                             ctx, gate.timeout)
            run = Run(facade, contract, params)
            with exclusive(ctx):
                run.all()
        finally:
            facade.close()
        return _measurement(run, spec_files, spec_error, facade)


def _measurement(run: Any, spec_files: list[str], spec_error: str | None,
                 facade: Facade) -> Measurement:
    checks = run.checks
    failed = [c for c in checks if c["failures"]]
    findings = [Finding(message=f"{c['name']}: {reason}", code="openai-compat")
                for c in failed for reason in c["failures"]
                if " drift(s) from the spec" not in reason]  # each drift is a finding below
    findings += [Finding(message=f"{c['name']}: {d['pointer'] or '(body)'}: {d['message']}",
                         code="contract-drift", file=d["spec"])
                 for c in checks for d in c.get("drift", [])]
    evidence = Evidence(
        findings=findings,
        details={"base_url": facade.base_url, "specs": spec_files, "model": run.model,
                 "client": facade.client_line(), "checks": checks,
                 "passed": len(checks) - len(failed), "failed": len(failed)},
        notes=[*facade.notes, *run.notes],
    )
    if not any(c["reached"] for c in checks):
        return Measurement(None, f"could not reach {facade.base_url}: {run.first_reason()}",
                           evidence, Status.ERROR)
    if spec_error:
        return Measurement(float(len(failed)), f"{spec_error}: live answers could not be "
                           "checked against the contract", evidence, Status.ERROR)
    if not failed:
        return Measurement(0.0, f"all {len(checks)} SDK calls passed; bodies match the spec",
                           evidence)
    names = ", ".join(f"{c['name']} ({c['failures'][0]})" for c in failed[:4])
    return Measurement(float(len(failed)),
                       f"{len(failed)} of {len(checks)} SDK calls failed: {names}", evidence)

