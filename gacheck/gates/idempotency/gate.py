"""``idempotency``: replays with an ``Idempotency-Key``, measured from the client.

Four checks through the official SDK, each with fresh keys: (1) a POST, then the same again:
the replay must have the same status and body (ids included) and, where ``work_counter`` is
readable on ``metrics_url``, the work is done once; (2) ``concurrent`` identical POSTs released
at once with one key: one effect (one distinct body among the 2xx, the counter moves once);
(3) the first key with a different body: ``reject`` (422, the IETF draft), ``replay`` (LUKHAS:
its store keys by route, principal and key) or a new execution; ``reused_key`` says which is
required; (4) a replay mix, ``mix_keys`` keys each sent ``mix_repeats`` times interleaved: the
hit ratio as the client sees it (a hit is an answer identical to the key's first), beside the
server's counters when ``hits_counter`` and ``requests_counter`` are set.

The value is the client-seen hit ratio of the mix; any failed check fails the gate.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from gacheck.collectors.service.facade import Facade, FacadeParams, exclusive
from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.deadline import monotonic
from gacheck.core.models import Evidence, Finding, Status
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params


class IdempotencyParams(FacadeParams):
    path: str = Field(default="/v1/chat/completions", pattern=r"^/v1/")
    body: dict[str, Any] = Field(default_factory=lambda: {
        "messages": [{"role": "user", "content": "Say ready."}]},
        description="the model is added when the body names none")
    other_body: dict[str, Any] | None = Field(default=None, description="default: the body "
                                              "with user = gacheck-other-body")
    concurrent: int = Field(default=5, ge=2, le=32)
    reused_key: Literal["reject", "replay", "either"] = "reject"
    mix_keys: int = Field(default=5, ge=1, le=100)
    mix_repeats: int = Field(default=4, ge=2, le=20)
    metrics_url: str | None = Field(default=None, description="{base_url}/metrics, say")
    work_counter: str | None = Field(default=None, description='e.g. work_total{route="..."}')
    hits_counter: str | None = None
    requests_counter: str | None = None


class IdempotencyGate(GateKind):
    params: ClassVar[type[Params]] = IdempotencyParams
    unit: ClassVar[Unit | None] = Unit.RATIO
    default_threshold: ClassVar[dict[str, Any]] = {"min": "75%"}
    non_negative: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        from gacheck.gates.idempotency.checks import (
            Run,
            check_concurrent,
            check_mix,
            check_replay,
            check_reused_key,
        )

        params: IdempotencyParams = gate.params
        facade = Facade(params, ctx)
        findings: list[Finding] = []
        try:
            with exclusive(ctx) as waited:
                started = monotonic()
                run = Run(params, facade)
                replay = check_replay(run, findings)
                first = run.post("replay").json()
                details: dict[str, Any] = {
                    "replay": replay, "concurrent": check_concurrent(run, findings),
                    "reused_key": check_reused_key(run, findings, first),
                    "mix": check_mix(run, findings)}
                ran = monotonic() - started
        finally:
            facade.close()
        details.update(timing={"waited_s": round(waited, 2), "checks_s": round(ran, 2)},
                       base_url=facade.base_url, client=facade.client_line(),
                       path=params.path, body=run.body, other_body=run.other,
                       key_prefix=run.prefix)
        mix = details["mix"]
        notes = [*facade.notes, *run.notes]
        if not params.work_counter:
            notes.append("no work_counter: 'done once' is judged from the bodies alone")
        if not (params.hits_counter and params.requests_counter):
            notes.append("the façade exports no idempotency counters: the hit ratio is the "
                         "client's view only")
        message = (f"replay {'identical' if replay['identical'] else 'DIFFERS'}; "
                   f"{details['concurrent']['distinct_2xx_bodies']} effect(s) from "
                   f"{params.concurrent} concurrent duplicates; reused key: "
                   f"{details['reused_key']['behaviour']}; mix hit ratio "
                   f"{mix['client_hit_ratio']:.0%} (expected {mix['expected_hit_ratio']:.0%})")
        evidence = Evidence(findings=findings, details=details, notes=notes)
        status = Status.FAIL if findings else None
        if findings:
            message += f"; {findings[0].message}"
        return Measurement(mix["client_hit_ratio"], message, evidence, status)
