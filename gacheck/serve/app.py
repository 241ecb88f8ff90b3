"""The Starlette application: ``/v1/verdict`` (Argo), ``/v1/flagger/<hook>``, ``/healthz``,
``/metrics``. Every refusal is a 4xx with a reason, logged without secrets."""

from __future__ import annotations

import asyncio
import json
import logging
import math
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gacheck.core.deadline import monotonic
from gacheck.core.secrets import current
from gacheck.core.timeparse import now
from gacheck.serve import answers
from gacheck.serve.configs import Configs, check_selection
from gacheck.serve.guard import (
    Question,
    RateLimit,
    Refused,
    check_token,
    header_token,
    instant,
    question,
)
from gacheck.serve.jobs import Busy, Evaluate, Evaluations, Key, Outcome
from gacheck.serve.metrics import ServeMetrics
from gacheck.serve.options import ServeOptions
from gacheck.serve.paths import PathRefused, served_config

log = logging.getLogger("gacheck.serve")


class Service:
    """The server's state: options, the evaluations, the limits, the counters."""

    def __init__(self, options: ServeOptions, evaluate: Evaluate) -> None:
        self.options = options
        self.metrics = ServeMetrics()
        self.evaluations = Evaluations(
            evaluate, self.metrics, workers=options.max_evaluations,
            max_queued=options.max_queued, keep_s=options.cache_ttl_s)
        self.limit = RateLimit(options.rate_per_s, options.burst)
        self.configs = Configs()

    def admit(self, request: Request) -> None:
        self.limit.take(request.client.host if request.client else "-")

    def key(self, asked: Question) -> tuple[Key, bool]:
        """The evaluation a question names (in a thread: it reads the config)."""
        name = asked.config or self.options.default_config
        try:
            path = served_config(self.options.config_dir, name)
        except PathRefused as exc:
            raise Refused(404 if exc.missing else 400, "config", str(exc)) from None
        facts = self.configs.facts(path)
        only = asked.only or self.options.default_only
        check_selection(facts, only)
        at, clock = instant(asked.at, facts.step_s, now())
        return Key(path, only, at), clock

    async def outcome(self, key: Key, clock: bool, started: float) -> tuple[Outcome | None, bool]:
        """The outcome if it is ready before the caller's time is up (else the newest kept
        one for the clock's instant, or ``None``), and whether it was shared."""
        future, shared = self.evaluations.submit(key, clock)
        remaining = self.options.answer_timeout_s - (monotonic() - started)
        try:
            done = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)),
                                          max(remaining, 0.01))
        except TimeoutError:
            return (self.evaluations.latest(key) if clock else None), True
        return done, shared


def _json(status: int, body: dict[str, Any]) -> Response:
    text = json.dumps(_finite(body), ensure_ascii=False)
    return Response(current().redact(text), status_code=status, media_type="application/json")


def _finite(data: Any) -> Any:
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_finite(v) for v in data]
    return data


def _refused(service: Service, request: Request, exc: Refused) -> Response:
    service.metrics.rejected.labels(exc.reason).inc()
    log.warning("%s %s refused (%d): %s", request.method, request.url.path, exc.status,
                current().redact(str(exc)))
    return _json(exc.status, {"error": exc.reason, "message": str(exc)})


def _failure(exc: BaseException) -> str:
    return current().redact(f"the evaluation failed: {exc}")


async def verdict(request: Request) -> Response:
    service: Service = request.app.state.service
    started = monotonic()
    try:
        service.admit(request)
        check_token(service.options.token, header_token(request.headers))
        pairs = list(request.query_params.multi_items())
        if len({k for k, _ in pairs}) != len(pairs):
            raise Refused(400, "input", "each query parameter at most once")
        key, clock = await run_in_threadpool(service.key, question(dict(pairs)))
        outcome, shared = await service.outcome(key, clock, started)
    except Refused as exc:
        return _refused(service, request, exc)
    except Busy as exc:
        body = answers.pending_document(str(exc))
    except Exception as exc:
        body = answers.incomplete_document(_failure(exc))
    else:
        body = (answers.verdict_document(outcome, shared) if outcome is not None
                else answers.pending_document("evaluation running; ask again"))
    service.metrics.answers.labels("verdict", body["verdict"]).inc()
    return _json(200, body)


async def flagger(request: Request) -> Response:
    from gacheck.serve.flagger_body import read_payload

    service: Service = request.app.state.service
    started = monotonic()
    hook = request.path_params["hook"]
    try:
        service.admit(request)
        if hook not in answers.HOOKS:
            raise Refused(404, "hook", f"unknown hook {hook!r}; hooks: {', '.join(answers.HOOKS)}")
        metadata = await read_payload(request, service.options.max_body)
        check_token(service.options.token, metadata.pop("token", None)
                    or header_token(request.headers))
        key, clock = await run_in_threadpool(service.key, question(metadata))
        outcome, _shared = await service.outcome(key, clock, started)
    except Refused as exc:
        return _refused(service, request, exc)
    except Busy as exc:
        return _json(answers.RUNNING, {"hook": hook, "verdict": "pending", "message": str(exc)})
    except Exception as exc:
        service.metrics.answers.labels("flagger", "incomplete").inc()
        return _json(answers.NOT_READY, {"hook": hook, "verdict": "incomplete",
                                         "message": _failure(exc)})
    if outcome is None:
        service.metrics.answers.labels("flagger", "pending").inc()
        return _json(answers.RUNNING, {"hook": hook, "verdict": "pending",
                                       "message": "evaluation running; ask again"})
    status, body = answers.flagger_answer(hook, outcome)
    service.metrics.answers.labels("flagger", body["verdict"]).inc()
    return _json(status, body)


async def healthz(request: Request) -> Response:
    return _json(200, {"status": "ok"})


async def metrics(request: Request) -> Response:
    service: Service = request.app.state.service
    return Response(service.metrics.text(), media_type="text/plain; version=0.0.4")


def build_app(options: ServeOptions, evaluate: Evaluate) -> Starlette:
    app = Starlette(routes=[
        Route("/v1/verdict", verdict, methods=["GET"]),
        Route("/v1/flagger/{hook}", flagger, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ])
    app.state.service = Service(options, evaluate)
    return app
