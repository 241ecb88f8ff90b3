"""The calls ``openai_compat`` makes, and how each answer is judged (see that module)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from gacheck.collectors.openapi import load as openapi_load
from gacheck.collectors.openapi.refs import RefError
from gacheck.collectors.openapi.validate import ResponseContract, ResponseRule
from gacheck.collectors.service.facade import INVALID_TOKEN, Facade
from gacheck.collectors.service.openai_calls import CallOutcome, call, openai_error_shape, stream
from gacheck.context import Context

PROMPT = "Reply with one word: ready."
_MESSAGES = [{"role": "user", "content": PROMPT}]


def load_contract(patterns: list[str], base_url: str, ctx: Context,
                  timeout: float) -> tuple[ResponseContract | None, list[str], str | None]:
    """The spec(s) to check against: files under the repo first, URLs only when none match."""
    from gacheck.gates.openapi_headers import find_specs

    files = [p for p in patterns if not p.startswith(("http://", "https://", "{base_url}"))]
    urls = [p.replace("{base_url}", base_url) for p in patterns if p not in files]
    locations, _ = find_specs(files, ctx) if files else ([], [])
    if not locations:
        locations = urls
    if not locations:
        return None, [], f"no OpenAPI spec matches {', '.join(patterns)}"
    cache: dict[str, openapi_load.Document] = {}

    def load(location: str) -> openapi_load.Document:
        if location not in cache:
            cache[location] = openapi_load.load(location, max(1.0, min(timeout / 4, 30.0)))
        return cache[location]

    shown = [_relative(loc, ctx) for loc in locations]
    try:
        documents = [load(loc) for loc in locations]
    except openapi_load.SpecLoadError as exc:
        return None, shown, str(exc)
    return ResponseContract(documents, load, lambda loc: _relative(loc, ctx)), shown, None


def _relative(location: str, ctx: Context) -> str:
    if openapi_load.is_url(location):
        return location
    try:
        return Path(location).relative_to(ctx.repo).as_posix()
    except ValueError:
        return location


class Run:
    def __init__(self, facade: Facade, contract: ResponseContract | None, params: Any) -> None:
        self.facade = facade
        self.contract = contract
        self.params = params
        self.checks: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.model: str | None = params.model

    def first_reason(self) -> str:
        return next((c["failures"][0] for c in self.checks if c["failures"]), "no answer")

    def all(self) -> None:
        client, p = self.facade.client, self.params
        models = call(CallOutcome("models.list", "GET", "/v1/models", "client.models.list()"),
                      lambda: client.models.with_raw_response.list())
        self.judge(models)
        if not models.reached:
            return  # nothing answers: the other calls would only repeat it
        if self.model is None:
            data = getattr(models.parsed_value, "data", None) or []
            self.model = str(data[0].id) if data else "default"
            self.notes.append(f"model {self.model!r} taken from models.list")
        m, limit = self.model, p.max_tokens
        self.judge(call(CallOutcome(
            "embeddings.create", "POST", "/v1/embeddings",
            f'client.embeddings.create(model="{m}", input="gacheck contract check")'),
            lambda: client.embeddings.with_raw_response.create(
                model=m, input="gacheck contract check")))
        self.judge(call(CallOutcome(
            "chat.completions.create", "POST", "/v1/chat/completions",
            f'client.chat.completions.create(model="{m}", messages={_MESSAGES}, '
            f"max_tokens={limit})"),
            lambda: client.chat.completions.with_raw_response.create(
                model=m, messages=_MESSAGES, max_tokens=limit)))
        streamed = stream(CallOutcome(
            "chat.completions.create(stream=True)", "POST", "/v1/chat/completions",
            f'client.chat.completions.create(model="{m}", messages={_MESSAGES}, '
            f"max_tokens={limit}, stream=True)"),
            lambda: client.chat.completions.with_raw_response.create(
                model=m, messages=_MESSAGES, max_tokens=limit, stream=True),
            time.perf_counter() + p.call_timeout)
        self.judge(streamed, stream=True)
        if p.responses_api != "off":
            self.responses(m)
        self.judge(call(CallOutcome(
            "bad request (empty messages)", "POST", "/v1/chat/completions",
            f'client.chat.completions.create(model="{m}", messages=[])'),
            lambda: client.chat.completions.with_raw_response.create(model=m, messages=[])),
            expect_error=(400, 422))
        if p.auth_checks:
            import openai

            other = self.facade.with_key(INVALID_TOKEN)
            self.judge(call(CallOutcome(
                "models.list (invalid key)", "GET", "/v1/models",
                f'client.with_options(api_key="{INVALID_TOKEN}").models.list()'),
                lambda: other.models.with_raw_response.list()), expect_error=(401, 403))
            omitted = {"Authorization": openai.Omit()}
            self.judge(call(CallOutcome(
                "models.list (missing key)", "GET", "/v1/models",
                'client.models.list(extra_headers={"Authorization": openai.Omit()})'),
                lambda: client.models.with_raw_response.list(extra_headers=omitted)),
                expect_error=(401, 403))

    def responses(self, model: str) -> None:
        client = self.facade.client
        outcome = call(CallOutcome(
            "responses.create", "POST", "/v1/responses",
            f'client.responses.create(model="{model}", input="{PROMPT}")'),
            lambda: client.responses.with_raw_response.create(model=model, input=PROMPT))
        declared = self.contract is not None and self.contract.declares("POST", "/v1/responses")
        if outcome.status == 404 and self.params.responses_api == "auto" and not declared:
            self.notes.append("responses.create: 404, the façade neither serves nor declares "
                              "the Responses API (responses_api = \"auto\": not a failure)")
            return
        self.judge(outcome)

    def judge(self, outcome: CallOutcome, *, stream: bool = False,
              expect_error: tuple[int, ...] = ()) -> None:
        failures: list[str] = []
        if not outcome.reached:
            failures.append(outcome.error or "no answer")
        elif expect_error:
            if outcome.status is not None and 200 <= outcome.status < 300:
                failures.append(f"accepted with HTTP {outcome.status}, expected "
                                f"{' or '.join(map(str, expect_error))}")
            elif outcome.status not in expect_error:
                failures.append(f"HTTP {outcome.status}, expected "
                                f"{' or '.join(map(str, expect_error))}")
            if not (outcome.status and 200 <= outcome.status < 300):
                if reason := openai_error_shape(outcome.body):
                    failures.append(reason)
        elif not outcome.parsed:
            failures.append(outcome.error or "the SDK did not parse the answer")
        headers = {k.lower() for k in outcome.headers}
        required = self.params.require_headers if outcome.parsed and not expect_error else []
        drift, declared = self._contract(outcome, stream)
        found = {name: name.lower() in headers for name in dict.fromkeys([*required, *declared])}
        if outcome.reached and (missing := [n for n, ok in found.items() if not ok]):
            failures.append(f"missing header(s) {', '.join(missing)}")
        if drift:
            failures.append(f"{len(drift)} drift(s) from the spec, first at "
                            f"{drift[0]['pointer'] or '(body)'}: {drift[0]['message']}")
        check: dict[str, Any] = {
            "name": outcome.name, "operation": f"{outcome.method} {outcome.path}",
            "sdk_call": outcome.sdk_call, "status": outcome.status, "reached": outcome.reached,
            "sdk_parsed": outcome.parsed,
            "latency_ms": None if outcome.latency_s is None else round(outcome.latency_s * 1e3, 1),
            "headers": found, "trace_id": _trace(outcome.headers),
            "failures": failures, "drift": drift,
        }
        if outcome.timing is not None:
            check["timing"] = outcome.timing.summary()
        self.checks.append(check)

    def _contract(self, outcome: CallOutcome, stream: bool) -> tuple[list[dict[str, str]],
                                                                     list[str]]:
        if self.contract is None or not outcome.reached or outcome.status is None:
            return [], []
        kind = "text/event-stream" if stream and outcome.parsed else "application/json"
        try:
            rule = self.contract.rule(outcome.method, outcome.path, outcome.status, kind)
        except RefError as exc:
            return [{"pointer": "", "message": f"spec unreadable here: {exc}", "spec": ""}], []
        if not isinstance(rule, ResponseRule):
            return [{"pointer": "", "message": rule, "spec": ""}], []
        if stream and outcome.parsed:
            return [], list(rule.headers)
        drift = [{"pointer": d.pointer, "message": d.message, "spec": d.spec}
                 for d in ResponseContract.validate(rule, outcome.body)]
        return drift, list(rule.headers)


def _trace(headers: dict[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() in ("x-trace-id", "x-request-id", "traceparent"):
            return value[:100]
    return None
