"""``stream_timing``: what a user waits for in a streamed chat completion (the SDK's view).

``streams`` streamed ``chat.completions.create`` calls, one after another. Per stream: time to
first token (the first chunk carrying text), gaps between token chunks (p50, p95, max: the
jitter), total time, chunk count. The value is the worst time to first token (seconds);
``max_gap_p95``, ``max_gap`` and ``max_total``, when set, fail the gate where a stream exceeds
them. Streams that failed, or too few token chunks to have gaps while a gap limit is set,
leave the gate ``error``: its evidence would not cover what it claims.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from pydantic import Field

from gacheck.collectors.service.facade import Facade, FacadeParams, exclusive
from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.models import Evidence, Finding, Status
from gacheck.core.units import Unit, format_value
from gacheck.gates.interface import GateKind, Measurement, Params

PROMPT = "Count from one to ten in words."


class StreamTimingParams(FacadeParams):
    streams: int = Field(default=3, ge=1, le=50)
    prompt: str = PROMPT
    max_tokens: int = Field(default=64, ge=1, le=4096)
    max_gap_p95: Duration | None = Field(default=None, description="per stream")
    max_gap: Duration | None = Field(default=None, description="largest single gap")
    max_total: Duration | None = None
    min_token_chunks: int = Field(default=2, ge=1, description="fewer: gaps not measurable")


class StreamTimingGate(GateKind):
    params: ClassVar[type[Params]] = StreamTimingParams
    unit: ClassVar[Unit | None] = Unit.SECONDS
    default_threshold: ClassVar[dict[str, Any]] = {"max": "2s"}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: StreamTimingParams = gate.params
        facade = Facade(params, ctx)
        try:
            with exclusive(ctx):
                model = facade.model()
                outcomes = self._streams(facade, model, params)
        finally:
            facade.close()
        return _measurement(params, outcomes, facade)

    @staticmethod
    def _streams(facade: Facade, model: str, params: StreamTimingParams) -> list[Any]:
        from gacheck.collectors.service.openai_calls import CallOutcome, stream

        outcomes: list[CallOutcome] = []
        messages = [{"role": "user", "content": params.prompt}]
        for number in range(params.streams):
            outcomes.append(stream(CallOutcome(
                f"stream {number + 1}", "POST", "/v1/chat/completions",
                f'client.chat.completions.create(model="{model}", messages={messages}, '
                f"max_tokens={params.max_tokens}, stream=True)"),
                lambda: facade.client.chat.completions.with_raw_response.create(
                    model=model, messages=messages, max_tokens=params.max_tokens, stream=True),
                time.perf_counter() + params.call_timeout))
        return outcomes


def _limits(params: StreamTimingParams) -> list[tuple[str, str, float]]:
    pairs = (("gap_p95_ms", "max_gap_p95", params.max_gap_p95),
             ("gap_max_ms", "max_gap", params.max_gap), ("total_ms", "max_total", params.max_total))
    return [(key, name, limit) for key, name, limit in pairs if limit is not None]


def _measurement(params: StreamTimingParams, outcomes: list[Any], facade: Facade) -> Measurement:
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []
    broken: list[str] = []
    for outcome in outcomes:
        summary = outcome.timing.summary() if outcome.timing else {}
        row = {"name": outcome.name, "status": outcome.status, "error": outcome.error,
               **summary}
        rows.append(row)
        if outcome.error or not outcome.parsed:
            broken.append(f"{outcome.name}: {outcome.error or 'stream did not complete'}")
            continue
        if _limits(params) and summary["token_chunks"] < params.min_token_chunks:
            broken.append(f"{outcome.name}: {summary['token_chunks']} token chunk(s), fewer "
                          f"than min_token_chunks {params.min_token_chunks}: no gaps to judge")
            continue
        for key, name, limit in _limits(params):
            seen = summary[key]
            if seen is not None and seen / 1000 > limit:
                findings.append(Finding(
                    message=f"{outcome.name}: {key.removesuffix('_ms')} "
                            f"{format_value(seen / 1000, Unit.SECONDS)} > {name} "
                            f"{format_value(limit, Unit.SECONDS)}", code="stream-timing"))
    ttfts = [r["ttft_ms"] / 1000 for r in rows if r.get("ttft_ms") is not None]
    evidence = Evidence(findings=findings, notes=facade.notes, details={
        "base_url": facade.base_url, "client": facade.client_line(),
        "sdk_call": outcomes[0].sdk_call if outcomes else None, "streams": rows,
        "limits": {name: limit for _, name, limit in _limits(params)}})
    if broken:
        return Measurement(max(ttfts) if ttfts else None,
                           f"{len(broken)} of {len(rows)} stream(s) unusable: {broken[0]}",
                           evidence, Status.ERROR)
    worst = max(ttfts)
    gaps = [r["gap_p95_ms"] for r in rows if r.get("gap_p95_ms") is not None]
    message = (f"worst time to first token over {len(rows)} stream(s); gap p95 up to "
               f"{max(gaps):g}ms" if gaps else f"worst time to first token over {len(rows)} "
               "stream(s); no gaps (one token chunk)")
    if findings:
        return Measurement(worst, f"{message}; {findings[0].message}", evidence, Status.FAIL)
    return Measurement(worst, message, evidence)
