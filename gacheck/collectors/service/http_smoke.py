"""Smoke checks over HTTP with httpx: one request per check, judged on what a client relies on.

Only connection errors (refused, unreachable, connect timeout) are retried: the request never
reached the server, so trying again cannot repeat a side effect. A slow answer, a wrong status
or a TLS failure is the finding itself and is never retried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gacheck.collectors.json_path import lookup
from gacheck.collectors.service.sse import read_events

MAX_BODY_BYTES = 4 * 1024 * 1024
EXCERPT_CHARS = 300


@dataclass(frozen=True)
class JsonAssertion:
    """``path`` (dotted, list items by index) equals a value, exists, or is a non-empty list."""

    path: str
    op: str
    value: Any = None

    def failure(self, document: Any) -> str | None:
        try:
            found = lookup(document, self.path)
        except KeyError:
            return None if self.op == "absent" else f"JSON has no {self.path}"
        if self.op == "absent":
            return f"JSON has {self.path}, expected it absent"
        if self.op == "equals" and found != self.value:
            return f"JSON {self.path} = {json.dumps(found)[:80]}, expected {json.dumps(self.value)}"
        if self.op == "non_empty_list" and not (isinstance(found, list) and found):
            return f"JSON {self.path} is not a non-empty list: {json.dumps(found)[:80]}"
        return None


@dataclass(frozen=True)
class Check:
    name: str
    method: str
    path: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    expect_status: Sequence[int] = (200,)
    require_headers: Sequence[str] = ()
    expect_json: Sequence[JsonAssertion] = ()
    max_latency: float = 5.0
    stream: bool = False
    first_event_within: float | None = None


@dataclass
class CheckResult:
    check: Check
    url: str
    status: int | None = None
    reached: bool = False
    failures: list[str] = field(default_factory=list)
    headers_found: dict[str, bool] = field(default_factory=dict)
    latency_s: float | None = None
    first_event_s: float | None = None
    events: int | None = None
    attempts: int = 0
    excerpt: str | None = None
    document: Any = field(default=None, repr=False)
    """The parsed JSON body, for checks that feed later ones (not evidence)."""

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def request_line(self) -> str:
        return f"{self.check.method} {self.url}"

    def details(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "name": self.check.name,
            "request": self.request_line,
            "body": self.check.body,
            "expected_status": list(self.check.expect_status),
            "status": self.status,
            "ok": self.ok,
            "failures": self.failures,
            "required_headers": self.headers_found,
            "latency_ms": None if self.latency_s is None else round(self.latency_s * 1000, 1),
            "max_latency_ms": round(self.check.max_latency * 1000, 1),
            "attempts": self.attempts,
        }
        if self.check.stream:
            shown["first_event_ms"] = (
                None if self.first_event_s is None else round(self.first_event_s * 1000, 1)
            )
            shown["events"] = self.events
        if not self.ok:
            shown["body_excerpt"] = self.excerpt
        return shown


def _connection_failure(exc: Exception) -> tuple[bool, str]:
    """(worth retrying, reason) for an error raised before any response arrived."""
    import httpx

    text = str(exc) or type(exc).__name__
    if "SSL" in text or "CERTIFICATE" in text.upper():
        return False, f"TLS error: {text}"
    if isinstance(exc, httpx.ConnectTimeout):
        return True, f"connect timeout: {text}"
    if isinstance(exc, httpx.ConnectError):
        return True, f"cannot connect: {text}"
    return False, f"{type(exc).__name__}: {text}"


class SmokeRunner:
    """One httpx client for all checks of a gate, so keep-alive behaves like a real client."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        connect_timeout: float,
        retries: int,
        retry_delay: float,
        verify: bool | str = True,
    ) -> None:
        import httpx

        self._httpx = httpx
        self.base_url = base_url.rstrip("/")
        # trust_env=False: no proxy from the environment may sit between us and the service.
        self._client = httpx.Client(headers=dict(headers), verify=verify, trust_env=False)
        self._connect_timeout = connect_timeout
        self._retries = retries
        self._retry_delay = retry_delay
        self.reached_once = False
        self.gave_up = False

    def close(self) -> None:
        self._client.close()

    def run(self, check: Check) -> CheckResult:
        result = CheckResult(check=check, url=self.base_url + check.path)
        # Once the server proved unreachable, later checks try once instead of retrying again.
        attempts = 1 if (self.gave_up and not self.reached_once) else self._retries + 1
        for attempt in range(attempts):
            result.attempts = attempt + 1
            try:
                self._send(check, result)
                break
            except self._httpx.TransportError as exc:
                if isinstance(exc, self._httpx.TimeoutException) and not isinstance(
                    exc, self._httpx.ConnectTimeout
                ):
                    result.reached = True
                    result.failures.append(f"no complete answer within {check.max_latency:g}s")
                    break
                retry, reason = _connection_failure(exc)
                if not retry or attempt + 1 == attempts:
                    result.failures.append(reason)
                    self.gave_up = self.gave_up or (retry and not result.reached)
                    break
                time.sleep(self._retry_delay * 2**attempt)
        self.reached_once = self.reached_once or result.reached
        return result

    def _send(self, check: Check, result: CheckResult) -> None:
        timeout = self._httpx.Timeout(check.max_latency, connect=self._connect_timeout)
        started = time.perf_counter()
        with self._client.stream(
            check.method, result.url, json=check.body, headers=dict(check.headers), timeout=timeout
        ) as response:
            result.reached = True
            result.status = response.status_code
            result.headers_found = {
                name: name in response.headers for name in check.require_headers
            }
            if check.stream and response.status_code in check.expect_status:
                self._judge_stream(check, response, result, started)
            else:
                self._judge_body(check, response, result, started + check.max_latency)
            result.latency_s = time.perf_counter() - started
        self._judge_common(check, response, result)

    def _judge_stream(
        self, check: Check, response: Any, result: CheckResult, started: float
    ) -> None:
        kind = response.headers.get("content-type", "")
        if not kind.startswith("text/event-stream"):
            result.failures.append(f"content-type {kind or '(none)'}, expected text/event-stream")
            self._judge_body(check, response, result, started + check.max_latency)
            return
        reading = read_events(response, started, started + check.max_latency)
        result.first_event_s, result.events = reading.first_event_s, reading.events
        result.excerpt = "\n".join(reading.head)[:EXCERPT_CHARS]
        if reading.first_event_s is None:
            result.failures.append("no data: event in the stream")
        elif check.first_event_within and reading.first_event_s > check.first_event_within:
            result.failures.append(
                f"first event after {reading.first_event_s:.3f}s, "
                f"limit {check.first_event_within:g}s"
            )
        if reading.overran:
            result.failures.append(reading.overran)
        elif not reading.done:
            result.failures.append("stream ended without data: [DONE]")

    def _judge_body(
        self, check: Check, response: Any, result: CheckResult, deadline: float
    ) -> None:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # decompressed: the cap counts what we would hold
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                result.failures.append(
                    f"body too large: more than {MAX_BODY_BYTES // 2**20} MiB after decompression"
                )
                result.excerpt = b"".join(chunks)[:EXCERPT_CHARS].decode("utf-8", "replace")
                return  # half a body is judged on nothing else
            chunks.append(chunk)
            if time.perf_counter() > deadline:
                result.failures.append(f"no complete answer within {check.max_latency:g}s")
                return
        text = b"".join(chunks).decode("utf-8", errors="replace")
        result.excerpt = text[:EXCERPT_CHARS]
        nested = False
        try:
            result.document = json.loads(text) if text.strip() else None
        except ValueError:
            result.document = None
        except RecursionError:  # nested deeper than Python goes
            result.document, nested = None, True
        if check.expect_json and response.status_code in check.expect_status:
            if result.document is None:
                result.failures.append(
                    "body is JSON nested too deeply to read" if nested else "body is not JSON"
                )
                return
            result.failures.extend(
                reason for a in check.expect_json if (reason := a.failure(result.document))
            )

    def _judge_common(self, check: Check, response: Any, result: CheckResult) -> None:
        if response.status_code not in check.expect_status:
            expected = " or ".join(str(code) for code in check.expect_status)
            result.failures.insert(0, f"status {response.status_code}, expected {expected}")
        missing = [name for name, found in result.headers_found.items() if not found]
        if missing:
            result.failures.append(f"missing header(s) {', '.join(missing)}")
        if result.latency_s is not None and result.latency_s > check.max_latency:
            result.failures.append(f"took {result.latency_s:.3f}s, limit {check.max_latency:g}s")
