"""``http_smoke``: a few real requests against the running service, each judged like a client would.

The value is the number of failed checks (``max`` 0 by default). When no check reached the
server at all, the gate is ``error``: "the façade is down" is not a smoke-test verdict on the
release, it means we could not tell. The defaults fit an OpenAI-compatible façade.
"""

from __future__ import annotations

import json
import shlex
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from gacheck.collectors.service.http_smoke import Check, CheckResult, JsonAssertion, SmokeRunner
from gacheck.config.model import Duration, GateSpec, PositiveDuration
from gacheck.context import Context
from gacheck.core.errors import GateError
from gacheck.core.models import Evidence, Finding, Status
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params

MODEL_PLACEHOLDER = "{model}"
_ASSERTIONS = ("equals", "exists", "non_empty_list")


class JsonAssertionParams(Params):
    path: str = Field(pattern=r"^[^.]+(\.[^.]+)*$", description='dotted path, "data.0.id"')
    equals: Any = None
    exists: bool | None = None
    non_empty_list: Literal[True] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> JsonAssertionParams:
        given = [name for name in _ASSERTIONS if name in self.model_fields_set]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(_ASSERTIONS)} (got {len(given)})")
        return self

    def build(self) -> JsonAssertion:
        if "equals" in self.model_fields_set:
            return JsonAssertion(self.path, "equals", self.equals)
        if self.exists is not None:
            return JsonAssertion(self.path, "exists" if self.exists else "absent")
        return JsonAssertion(self.path, "non_empty_list")


class CheckParams(Params):
    name: str | None = None
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = "GET"
    path: str = Field(pattern=r"^/", description="appended to the base URL")
    body: Any = Field(default=None, description='JSON body; "{model}" is replaced by the model')
    headers: dict[str, str] = Field(default_factory=dict)
    expect_status: list[int] = Field(default_factory=lambda: [200], min_length=1)
    require_headers: list[str] = Field(default_factory=list)
    expect_json: list[JsonAssertionParams] = Field(default_factory=list)
    max_latency: PositiveDuration = 5.0
    stream: bool = Field(default=False, description="expect text/event-stream ending in [DONE]")
    first_event_within: PositiveDuration | None = None

    @field_validator("expect_status", mode="before")
    @classmethod
    def _one_status(cls, value: Any) -> Any:
        return [value] if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


def _chat(stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": MODEL_PLACEHOLDER,
        "messages": [{"role": "user", "content": "Reply with one word: ready."}],
        "max_tokens": 8,
    }
    if stream:
        body["stream"] = True
        return {
            "name": "chat completion (stream)",
            "method": "POST",
            "path": "/v1/chat/completions",
            "body": body,
            "stream": True,
            "max_latency": "30s",
            "first_event_within": "5s",
        }
    return {
        "name": "chat completion",
        "method": "POST",
        "path": "/v1/chat/completions",
        "body": body,
        "max_latency": "30s",
        "expect_json": [{"path": "choices", "non_empty_list": True}],
    }


DEFAULT_CHECKS: list[dict[str, Any]] = [
    {"name": "health", "path": "/health", "max_latency": "2s"},
    {
        "name": "models",
        "path": "/v1/models",
        "max_latency": "2s",
        "expect_json": [{"path": "data", "non_empty_list": True}],
    },
    {
        "name": "embeddings",
        "method": "POST",
        "path": "/v1/embeddings",
        "max_latency": "10s",
        "body": {"model": MODEL_PLACEHOLDER, "input": "gacheck smoke test"},
        "expect_json": [{"path": "data.0.embedding", "non_empty_list": True}],
    },
    _chat(stream=False),
    _chat(stream=True),
]


class HttpSmokeParams(Params):
    base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/]+")
    checks: list[CheckParams] = Field(
        default_factory=lambda: [CheckParams.model_validate(c) for c in DEFAULT_CHECKS],
        min_length=1,
    )
    model: str | None = Field(
        default=None, description='replaces "{model}"; default: the first id of GET /v1/models'
    )
    token_env: str | None = Field(default=None, description="env variable holding the API token")
    auth_header: str = "Authorization"
    auth_scheme: str = Field(default="Bearer", description='"" sends the bare token')
    headers: dict[str, str] = Field(default_factory=dict, description="sent with every check")
    require_headers: list[str] = Field(default_factory=list, description="on every response")
    connect_timeout: PositiveDuration = 3.0
    retries: int = Field(default=2, ge=0, le=10, description="for connection errors only")
    retry_delay: Duration = 0.25
    verify_tls: bool = True
    ca_bundle: str | None = None


def _substitute(value: Any, model: str) -> Any:
    if value == MODEL_PLACEHOLDER:
        return model
    if isinstance(value, dict):
        return {k: _substitute(v, model) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, model) for v in value]
    return value


def _discovered_model(result: CheckResult) -> str | None:
    """The first model a ``/v1/models`` answer lists, so the defaults work on any façade."""
    document = result.document
    if result.check.path.rstrip("/") == "/v1/models" and isinstance(document, dict):
        data = document.get("data")
        if isinstance(data, list) and data and isinstance(data[0], dict):
            found = data[0].get("id")
            return found if isinstance(found, str) else None
    return None


class HttpSmokeGate(GateKind):
    params: ClassVar[type[Params]] = HttpSmokeParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, Any]] = {"max": 0}

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: HttpSmokeParams = gate.params
        base_url = (ctx.overrides.facade_url or params.base_url).rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise GateError(f"base URL must start with http:// or https://, got {base_url!r}")
        notes: list[str] = []
        headers = dict(params.headers)
        token = ctx.secrets.from_env(params.token_env)
        if token:
            headers[params.auth_header] = f"{params.auth_scheme} {token}".strip()
        elif params.token_env:
            notes.append(f"env {params.token_env} is not set: requests were sent without a token")
        verify: bool | str = (
            str(ctx.resolve(params.ca_bundle)) if params.ca_bundle else params.verify_tls
        )
        if base_url.startswith("http://"):
            verify = (
                False  # no TLS is spoken (redirects are not followed): skip loading the CA store
            )
        runner = SmokeRunner(
            base_url, headers, params.connect_timeout, params.retries, params.retry_delay, verify
        )
        model = params.model
        results: list[CheckResult] = []
        try:
            for spec in params.checks:
                check = self._check(spec, params, model or "default")
                results.append(runner.run(check))
                model = model or _discovered_model(results[-1])
        finally:
            runner.close()
        if model and not params.model:
            notes.append(f"model {model!r} taken from GET /v1/models")
        auth = None
        if params.token_env:
            auth = {
                "header": params.auth_header,
                "scheme": params.auth_scheme,
                "env": params.token_env,
            }
        return _measurement(base_url, results, notes, auth)

    @staticmethod
    def _check(spec: CheckParams, params: HttpSmokeParams, model: str) -> Check:
        return Check(
            name=spec.name or f"{spec.method} {spec.path}",
            method=spec.method,
            path=spec.path,
            body=_substitute(spec.body, model),
            headers=spec.headers,
            expect_status=tuple(spec.expect_status),
            require_headers=tuple(dict.fromkeys([*params.require_headers, *spec.require_headers])),
            expect_json=tuple(a.build() for a in spec.expect_json),
            max_latency=spec.max_latency,
            stream=spec.stream,
            first_event_within=spec.first_event_within,
        )


def _curl(result: CheckResult, auth: dict[str, str] | None) -> str:
    """The same request as a shell command; the token stays an env variable reference."""
    argv = ["curl", "-sS", "-X", result.check.method, result.url]
    if result.check.body is not None:
        argv += ["-H", "Content-Type: application/json", "-d", json.dumps(result.check.body)]
    command = shlex.join(argv)
    if auth:
        scheme = f"{auth['scheme']} " if auth["scheme"] else ""
        command += f' -H "{auth["header"]}: {scheme}${{{auth["env"]}}}"'
    return command


def _measurement(
    base_url: str, results: list[CheckResult], notes: list[str], auth: dict[str, str] | None
) -> Measurement:
    failed = [r for r in results if not r.ok]
    evidence = Evidence(
        findings=[
            Finding(message=f"{r.request_line}: {'; '.join(r.failures)}", code="smoke-check")
            for r in failed
        ],
        details={
            "base_url": base_url,
            "checks": [r.details() | {"reproduce": _curl(r, auth)} for r in results],
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "auth": auth,
        },
        notes=notes,
    )
    if not any(r.reached for r in results):
        reason = results[0].failures[0] if results and results[0].failures else "no answer"
        message = f"could not reach {base_url} ({len(results)} checks): {reason}"
        return Measurement(float(len(failed)), message, evidence, Status.ERROR)
    if not failed:
        return Measurement(0.0, f"all {len(results)} checks passed", evidence)
    names = ", ".join(f"{r.check.name} ({r.failures[0]})" for r in failed)
    return Measurement(
        float(len(failed)), f"{len(failed)} of {len(results)} checks failed: {names}", evidence
    )
