"""The façade driven by the official ``openai`` SDK: each call as a real client makes it.

A call passes the SDK step when the SDK parses the answer without raising. What the SDK
hides is read off the raw HTTP answer (``with_raw_response``): status, headers, the body as
sent, which the gate checks against the spec. The SDK retries nothing (``max_retries=0``) and
reads no proxy from the environment; every call has the caller's time limit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gacheck.collectors.service.stream_timing import StreamTiming

MAX_STREAM_CHUNKS = 10_000
MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass
class CallOutcome:
    name: str
    method: str
    path: str
    sdk_call: str
    status: int | None = None
    reached: bool = False
    parsed: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    error: str | None = None
    latency_s: float | None = None
    timing: StreamTiming | None = None
    parsed_value: Any = field(default=None, repr=False)


def build_client(base_url: str, api_key: str, timeout: float, headers: dict[str, Any]) -> Any:
    import openai

    # A declared body beyond the cap is refused before it is read (the SDK reads whole bodies).
    http_client = openai.DefaultHttpxClient(trust_env=False,
                                            event_hooks={"response": [_refuse_huge]})
    return openai.OpenAI(base_url=base_url.rstrip("/") + "/v1", api_key=api_key,
                         timeout=timeout, max_retries=0, default_headers=headers,
                         http_client=http_client)


class BodyTooLarge(Exception):
    pass


def _refuse_huge(response: Any) -> None:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        response.close()
        raise BodyTooLarge(f"body of {int(length):,} bytes, more than the "
                           f"{MAX_BODY_BYTES // 2**20} MB read from a façade")


def _body(raw_bytes: bytes) -> Any:
    try:
        return json.loads(raw_bytes) if raw_bytes.strip() else None
    except ValueError:
        return raw_bytes[:300].decode("utf-8", errors="replace")


def call(outcome: CallOutcome, request: Callable[[], Any]) -> CallOutcome:
    """Run ``request`` (a ``with_raw_response`` call); fill ``outcome`` from what came back."""
    import openai

    started = time.perf_counter()
    try:
        raw = request()
        outcome.reached = True
        outcome.status = raw.status_code
        outcome.headers = dict(raw.headers)
        outcome.body = _body(raw.content)
        outcome.parsed_value = raw.parse()
        outcome.parsed = True
    except openai.APIStatusError as exc:
        outcome.reached = True
        outcome.status = exc.status_code
        outcome.headers = dict(exc.response.headers)
        outcome.body = _body(exc.response.content)
        outcome.error = f"{type(exc).__name__} (HTTP {exc.status_code})"
    except openai.APIConnectionError as exc:
        outcome.error = f"{type(exc).__name__}: {exc.__cause__ or exc}"
    except Exception as exc:  # the SDK could not parse what the server sent
        outcome.reached = outcome.status is not None or isinstance(exc, BodyTooLarge)
        outcome.error = f"the SDK could not parse the answer: {type(exc).__name__}: {exc}"
    outcome.latency_s = time.perf_counter() - started
    return outcome


def stream(outcome: CallOutcome, request: Callable[[], Any], deadline: float) -> CallOutcome:
    """A ``stream=True`` call read chunk by chunk, each chunk time-stamped on arrival."""
    import openai

    started = time.perf_counter()
    first_chunk: float | None = None
    token_times: list[float] = []
    chunks = 0
    done = False
    try:
        raw = request()
        outcome.reached = True
        outcome.status = raw.status_code
        outcome.headers = dict(raw.headers)
        events = raw.parse()
        try:
            for chunk in events:
                now = time.perf_counter() - started
                chunks += 1
                first_chunk = now if first_chunk is None else first_chunk
                if any(getattr(c.delta, "content", None) for c in chunk.choices or ()):
                    token_times.append(now)
                if chunks >= MAX_STREAM_CHUNKS or time.perf_counter() > deadline:
                    outcome.error = "stream still open at its limit (time or chunk count)"
                    break
            else:
                done = True
        finally:
            events.close()
        outcome.parsed = done
    except openai.APIStatusError as exc:
        outcome.reached = True
        outcome.status = exc.status_code
        outcome.body = _body(exc.response.content)
        outcome.error = f"{type(exc).__name__} (HTTP {exc.status_code})"
    except openai.APIConnectionError as exc:
        outcome.error = f"{type(exc).__name__}: {exc.__cause__ or exc}"
    except Exception as exc:
        outcome.error = f"the SDK could not parse the stream: {type(exc).__name__}: {exc}"
    outcome.latency_s = time.perf_counter() - started
    outcome.timing = StreamTiming(first_chunk, tuple(token_times), outcome.latency_s, chunks,
                                  done)
    return outcome


def openai_error_shape(body: Any) -> str | None:
    """Why ``body`` is not ``{"error": {"message", "type", "code"}}``; None when it is."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        shown = json.dumps(body)[:120] if not isinstance(body, str) else body[:120]
        return f'not OpenAI\'s error shape {{"error": {{...}}}}: {shown}'
    error = body["error"]
    missing = [k for k in ("message", "type", "code") if k not in error]
    if missing:
        return f"error object lacks {', '.join(missing)}"
    if not isinstance(error["message"], str) or not isinstance(error["type"], str):
        return "error.message and error.type must be strings"
    if error["code"] is not None and not isinstance(error["code"], str | int):
        return "error.code must be a string or null"
    return None
