"""A small OpenAI-compatible façade on 127.0.0.1, shaped like LUKHAS', with switchable faults.

It is a real HTTP server (the standard library's, one thread per connection, keep-alive), so
the ``openai`` SDK, the load generator and the guardrail probes talk to it over real sockets.
``Behaviour`` is read on every request, so a test can change it while the server runs. It
serves its own OpenAPI spec at ``/openapi.json`` (the file beside this module).
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from gacheck.standin.limits import IdempotencyStore, Limiter, Stored, digest, principal_of

MODEL = "lukhas-mini"
SPEC_PATH = Path(__file__).with_name("openapi.json")
DENY_CODE = "guardian_denied"


@dataclass
class Behaviour:
    """What the server does. Defaults: a correct, quick façade with a keyword Guardian."""

    latency_s: float = 0.0
    """Fixed time before every non-streamed answer (the load tests' known latency)."""
    first_token_s: float = 0.0
    chunk_gaps_s: tuple[float, ...] = ()
    """Pause before each chunk after the first; the last value repeats."""
    words: tuple[str, ...] = ("Ready", " when", " you", " are", ".")
    token: str | None = None
    """When set, requests without ``Authorization: Bearer <token>`` get 401."""
    drift: bool = False
    """Chat completions carry ``created`` as text, where the spec declares an integer."""
    foreign_errors: bool = False
    """Errors look like a framework's default (``{"detail": ...}``), not OpenAI's shape."""
    serve_responses: bool = True
    omit_headers: tuple[str, ...] = ()
    deny_words: tuple[str, ...] = ("kill", "weapon", "credit card")
    """The stand-in Guardian: a prompt holding one of these is denied (403, guardian_denied)."""
    requests: int = 0
    limiter: Limiter = field(default_factory=Limiter)
    """The token buckets (default 1000/s on every route: no load test meets them)."""
    idempotency: IdempotencyStore = field(default_factory=IdempotencyStore)
    header_values: dict[str, str] = field(default_factory=dict)
    """Header values sent in place of the limiter's (a header that does not parse)."""
    work: Counter[str] = field(default_factory=Counter)
    """Answers produced per route (replays excluded): the "effect" idempotency must not repeat;
    served at ``/metrics`` as ``standin_work_total``."""


IDEMPOTENT_ROUTES = ("/v1/embeddings", "/v1/responses", "/v1/chat/completions")
_ids = itertools.count(1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # answer in one round trip, not after a delayed ACK
    behaviour: Behaviour
    lock: threading.Lock
    _limit_headers: dict[str, str] = {}
    _answer: Stored | None = None

    def log_message(self, *args: Any) -> None:
        pass

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 1 << 20)) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _headers(self, status: int, kind: str, length: int | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        extra = {**self._limit_headers, **self.behaviour.header_values,
                 "X-Trace-Id": f"trace-{time.monotonic_ns():x}"}
        for name, value in extra.items():
            if name not in self.behaviour.omit_headers:
                self.send_header(name, value)
        self.end_headers()

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, data: bytes, kind: str) -> None:
        self._answer = Stored(status, data, kind, "")
        self._headers(status, kind, len(data))
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str, code: str | None) -> None:
        if self.behaviour.foreign_errors:
            self._json(status, {"detail": message})
        else:
            self._json(status, {"error": {"message": message, "type": kind, "param": None,
                                          "code": code}})

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self._handle("GET", None)

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST", self._read_body())

    def _handle(self, method: str, body: Any) -> None:
        b = self.behaviour
        with self.lock:
            b.requests += 1
        route = self.path.split("?")[0]
        self._limit_headers = {}
        if route == "/metrics":
            self._metrics()
            return
        principal = principal_of(self.headers.get("Authorization"), self.client_address[0])
        if not self._admitted(route, principal):
            return
        if route == "/openapi.json":
            self._json(200, json.loads(SPEC_PATH.read_text(encoding="utf-8")))
            return
        if route == "/health":
            self._json(200, {"status": "ok"})
            return
        if b.token and self.headers.get("Authorization") != f"Bearer {b.token}":
            self._error(401, "invalid or missing API key", "invalid_request_error",
                        "invalid_api_key")
            return
        if method == "POST" and not isinstance(body, dict):
            self._error(400, "the body must be a JSON object", "invalid_request_error", None)
            return
        handler = _ROUTES.get((method, route))
        if handler is None or (route == "/v1/responses" and not b.serve_responses):
            self._error(404, f"no route {method} {route}", "invalid_request_error",
                        "not_found")
            return
        key = self.headers.get("Idempotency-Key")
        if key and b.idempotency.enabled and route in IDEMPOTENT_ROUTES and \
                not (isinstance(body, dict) and body.get("stream")):
            self._idempotent((route, principal, key), handler, body)
            return
        handler(self, body)

    def _admitted(self, route: str, principal: str) -> bool:
        limiter = self.behaviour.limiter
        decision = limiter.take(route, principal)
        self._limit_headers = decision.headers
        if decision.allowed:
            return True
        if limiter.error_under_burst:
            self._error(500, "internal error", "server_error", None)
            return False
        self._limit_headers = {**decision.headers, "Retry-After": str(decision.retry_after)}
        self._error(429, f"Rate limit reached for {route}: try again in "
                    f"{decision.retry_after}s", "rate_limit_error", "rate_limit_exceeded")
        return False

    def _idempotent(self, key: tuple[str, str, str], handler: Any, body: Any) -> None:
        store = self.behaviour.idempotency
        sent = digest(json.dumps(body, sort_keys=True).encode())
        stored = store.claim(key)
        if stored is not None:
            if store.conflict == "reject" and stored.digest != sent:
                self._error(422, "Idempotency-Key reused with a different request body",
                            "invalid_request_error", "idempotency_key_reused")
            else:
                self._send(stored.status, stored.body, stored.content_type)
            return
        self._answer = None
        try:
            handler(self, body)
        finally:
            answer = self._answer
            store.finish(key, None if answer is None else Stored(
                answer.status, answer.body, answer.content_type, sent))

    def _metrics(self) -> None:
        b = self.behaviour
        lines = ["# TYPE standin_work_total counter"]
        lines += [f'standin_work_total{{route="{r}"}} {n}' for r, n in sorted(b.work.items())]
        lines.append("# TYPE lukhas_ratelimit_exceeded_total counter")
        lines += [f'lukhas_ratelimit_exceeded_total{{route="{r}",principal="{p}"}} {n}'
                  for (r, p), n in sorted(b.limiter.exceeded.items())]
        self._send(200, ("\n".join(lines) + "\n").encode(), "text/plain; version=0.0.4")

    def _worked(self, route: str) -> int:
        with self.lock:
            self.behaviour.work[route] += 1
        return next(_ids)

    def _sleep(self) -> None:
        if self.behaviour.latency_s:
            time.sleep(self.behaviour.latency_s)

    def models(self, body: Any) -> None:
        self._sleep()
        self._json(200, {"object": "list", "data": [
            {"id": MODEL, "object": "model", "created": 1760000000, "owned_by": "lukhas"}]})

    def embeddings(self, body: dict[str, Any]) -> None:
        if not isinstance(body.get("input"), str | list) or not body.get("model"):
            self._error(400, "'input' and 'model' are required", "invalid_request_error", None)
            return
        self._sleep()
        self._worked("/v1/embeddings")
        self._json(200, {"object": "list", "model": body["model"],
                         "data": [{"object": "embedding", "index": 0,
                                   "embedding": [0.125, -0.5, 0.25, 0.0625]}],
                         "usage": {"prompt_tokens": 3, "total_tokens": 3}})

    def _denied(self, text: str) -> bool:
        lowered = text.lower()
        if any(word in lowered for word in self.behaviour.deny_words):
            self._error(403, "the request was denied by policy", "policy_violation", DENY_CODE)
            return True
        return False

    def chat(self, body: dict[str, Any]) -> None:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not body.get("model"):
            self._error(400, "'messages' (a non-empty list) and 'model' are required",
                        "invalid_request_error", None)
            return
        if self._denied(json.dumps(messages)):
            return
        if body.get("stream"):
            self._stream(body["model"])
            return
        self._sleep()
        created: Any = "2026-11-26T00:00:00Z" if self.behaviour.drift else 1764115200
        number = self._worked("/v1/chat/completions")
        self._json(200, {
            "id": f"chatcmpl-standin-{number}", "object": "chat.completion", "created": created,
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": "".join(self.behaviour.words)}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}})

    def _chunks(self, model: str) -> Iterator[dict[str, Any]]:
        base = {"id": "chatcmpl-standin", "object": "chat.completion.chunk",
                "created": 1764115200, "model": model}
        yield {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                    "finish_reason": None}]}
        for word in self.behaviour.words:
            yield {**base, "choices": [{"index": 0, "delta": {"content": word},
                                        "finish_reason": None}]}
        yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}

    def _stream(self, model: str) -> None:
        b = self.behaviour
        self._headers(200, "text/event-stream", None)
        time.sleep(b.first_token_s)
        for number, chunk in enumerate(self._chunks(model)):
            if number > 1 and b.chunk_gaps_s:  # role chunk and first token go out together
                time.sleep(b.chunk_gaps_s[min(number - 2, len(b.chunk_gaps_s) - 1)])
            self._write_chunk(f"data: {json.dumps(chunk)}\n\n".encode())
        self._write_chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def responses_api(self, body: dict[str, Any]) -> None:
        if not body.get("model") or body.get("input") is None:
            self._error(400, "'model' and 'input' are required", "invalid_request_error", None)
            return
        if self._denied(json.dumps(body.get("input"))):
            return
        self._sleep()
        text = "".join(self.behaviour.words)
        number = self._worked("/v1/responses")
        self._json(200, {
            "id": f"resp_standin_{number}", "object": "response", "created_at": 1764115200,
            "status": "completed", "model": body["model"],
            "output": [{"type": "message", "id": "msg_standin", "role": "assistant",
                        "status": "completed",
                        "content": [{"type": "output_text", "text": text, "annotations": []}]}],
            "usage": {"input_tokens": 5, "output_tokens": 5, "total_tokens": 10}})


_ROUTES = {
    ("GET", "/v1/models"): _Handler.models,
    ("POST", "/v1/embeddings"): _Handler.embeddings,
    ("POST", "/v1/chat/completions"): _Handler.chat,
    ("POST", "/v1/responses"): _Handler.responses_api,
}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a load test opens many connections at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up early are part of the tests


@dataclass
class StandinFacade:
    """``with StandinFacade() as facade: facade.url`` -- serving on a free loopback port."""

    behaviour: Behaviour = field(default_factory=Behaviour)

    def __post_init__(self) -> None:
        handler = type("Handler", (_Handler,), {"behaviour": self.behaviour,
                                                "lock": threading.Lock()})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # polled every 50 ms, so that leaving the block takes no half second (the default)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})

    def __enter__(self) -> StandinFacade:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class StandinProcess:
    """The stand-in in a child process (its own interpreter, so a load generator in this one
    does not share a GIL with it); stopped, and waited for, on leaving the block."""

    def __init__(self, *options: str, env: dict[str, str] | None = None) -> None:
        self._argv = [sys.executable, "-m", "gacheck.standin", *options]
        self._env = env
        self.url = ""

    def __enter__(self) -> StandinProcess:
        import os
        import subprocess

        self._process = subprocess.Popen(self._argv, stdout=subprocess.PIPE, text=True,
                                         env={**os.environ, **(self._env or {})})
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.__exit__()
            raise RuntimeError("the stand-in façade did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        import subprocess

        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
