"""A misbehaving Prometheus and façade on 127.0.0.1: 5xx, truncated JSON, hangs, trickles,
gzip bombs, huge bodies, an error status on HTTP 200, or any body a test hands it.

It is a real HTTP server (the standard library's, one thread per connection), so gacheck's
own clients (requests for Prometheus, httpx for the façade) meet the faults over real sockets.
``server.fault`` is switched by the tests while it runs. Prometheus' probe query
(``vector(1)``) is answered correctly unless ``fault.probe_too`` is set, so that the fault
reaches the gate's own query.
"""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULTS = (
    "ok", "status_503", "status_500_json", "truncated_body", "truncated_json", "hang",
    "trickle", "gzip_bomb", "huge", "error_on_200", "not_json", "wrong_shape",
    "sse_trickle", "deep_json",
)


@dataclass
class Fault:
    name: str = "ok"
    value: str = "0.001"
    """The sample value of healthy answers."""
    body: bytes | None = None
    """``raw``: this exact body with ``status`` and ``content_type``."""
    status: int = 200
    content_type: str = "application/json"
    huge_bytes: int = 200 * 1024 * 1024
    huge_series: int | None = None
    """``huge`` with this many series, each one sample per step asked: the body's size then
    follows from the range asked (a few series over many points). ``None``: series are
    added until the body has ``huge_bytes``, whatever was asked (a flood of series)."""
    huge_samples: int | None = None
    """``huge`` with this many samples in each series (one per step from the start asked),
    compactly written (``[t,"v"]``); at most the range's instants, as Prometheus answers,
    unless ``huge_past_end``."""
    huge_past_end: bool = False
    """``huge_samples`` all sent, past the range's end too: an answer no Prometheus gives."""
    huge_query: str | None = None
    """``huge`` only for range queries containing this text (the gate's own), the healthy
    answer for the rest (as Prometheus gives one series for gacheck's ``count(...)``
    coverage query); ``None``: every request."""
    probe_too: bool = False
    hang_s: float = 60.0
    requests: list[str] = field(default_factory=list)
    delay_s: float = 0.0
    """Seconds to wait before answering anything but the probe (a slow 503)."""
    stamps: list[float] = field(default_factory=list)
    """``time.monotonic()`` of each request (the probe's too), in arrival order."""


def gzip_bomb(path: Path, expanded: int = 1024**3) -> bytes:
    """A gzip body of about 1 MB that expands to ``expanded`` bytes of JSON-ish whitespace,
    written once per session."""
    if not path.exists():
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
        block = b" " * (1024 * 1024)
        parts = [compressor.compress(b'{"status":"success","data":{"resultType":"matrix",')]
        parts += [compressor.compress(block) for _ in range(expanded // len(block))]
        parts.append(compressor.flush())
        path.write_bytes(b"".join(parts))
    return path.read_bytes()


def matrix(params: dict[str, str], value: str, labels: dict[str, str] | None = None) -> dict:
    """A healthy range answer: one series with a sample at every step from start to end."""
    start, end = float(params.get("start", 0)), float(params.get("end", 0))
    step = float(params.get("step", 60) or 60)
    count = int((end - start) // step) + 1 if end >= start else 0
    values = [[start + i * step, value] for i in range(min(count, 20_000))]
    return {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": labels or {"job": "facade"}, "values": values}]}}


def vector(params: dict[str, str], value: str) -> dict:
    at = float(params.get("time", time.time()))
    return {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {}, "value": [at, value]}]}}


def _samples(first_ms: int, step_ms: int, count: int, compact: bool) -> list[bytes]:
    """Seven sample runs (series take turns); values differ from sample to sample and series
    to series, as real rates do."""
    if compact:  # one run, made with bytes joins: 10 million samples in seconds
        if first_ms % 1000 == 0 and step_ms % 1000 == 0:  # whole seconds, written as such
            first, whole = first_ms // 1000, step_ms // 1000
            run = b",".join(b'[%d,"0.000%02d"]' % (first + i * whole, (i * 7919) % 97)
                            for i in range(count))
        else:
            run = b",".join(b'[%d.%03d,"0.000%02d"]' % (*divmod(first_ms + i * step_ms, 1000),
                                                          (i * 7919) % 97)
                            for i in range(count))
        return [run] * 7
    return [",".join(f'[{(first_ms + i * step_ms) / 1000:.3f},"0.00{(i * 7919 + shift) % 9973}"]'
                     for i in range(count)).encode() for shift in range(7)]


RANGE_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def _asked(params: dict[str, str]) -> tuple[int, int, int]:
    """What a request asked, in milliseconds: (first instant, step, instants). A range query:
    its step grid (at most 11,000 instants). A raw read (``x[6h]`` or ``x[Nms]`` at ``time``,
    as gacheck reads raw samples): every millisecond of the range, a sample at most on each."""
    raw = re.search(r"\[(\d+)(ms|s|m|h|d)\]$", params.get("query", ""))
    if raw is not None and "time" in params and "start" not in params:
        length = int(raw.group(1)) * RANGE_UNITS_MS[raw.group(2)]
        return round(float(params["time"]) * 1000) - length + 1, 1, length
    start, step = float(params.get("start", 0)), float(params.get("step", 60) or 60)
    end = float(params.get("end", start))
    instants = max(1, min(int((end - start) // step) + 1, 11_000))
    return round(start * 1000), round(step * 1000), instants


def huge_matrix(params: dict[str, str], size: int, series: int | None = None,
                samples_per_series: int | None = None,
                past_end: bool = False) -> Iterator[bytes]:
    """A valid range answer: ``series`` series, or as many as make about ``size`` bytes, each
    with one sample per step asked (at most 11,000), or ``samples_per_series`` (no more than
    the range's instants unless ``past_end``). A raw read gets ``samples_per_series`` spread
    evenly over its range (the last one at its end)."""
    first, step, instants = _asked(params)
    count = instants if samples_per_series is None else (
        samples_per_series if past_end else min(samples_per_series, instants))
    if step == 1 and count and not past_end:  # raw: evenly spread, the last one at the end
        step = max(1, instants // count)
        first += instants - 1 - (count - 1) * step
    samples = _samples(first, step, count, samples_per_series is not None)
    yield b'{"status":"success","data":{"resultType":"matrix","result":['
    sent, index = 0, 0
    while index < series if series is not None else sent < size:
        item = (b'{"metric":{"instance":"i%d"},"values":[' % index + samples[index % 7]
                + b"]}")
        chunk = (b"," if index else b"") + item
        yield chunk
        sent += len(chunk)
        index += 1
    yield b"]}}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    fault: Fault
    bomb: bytes
    stopping: threading.Event

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self._answer(form)

    def _params(self, form: str) -> dict[str, str]:
        query = urlsplit(self.path).query + "&" + form
        return {k: v[-1] for k, v in parse_qs(query).items()}

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, text in (headers or {}).items():
            self.send_header(name, text)
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, form: str = "") -> None:
        fault = self.fault
        path = urlsplit(self.path).path
        params = self._params(form)
        fault.requests.append(path)
        fault.stamps.append(time.monotonic())
        prometheus = path.startswith("/api/v1/")
        healthy: dict[str, Any]
        if path.endswith("/query_range"):
            healthy = matrix(params, fault.value)
        elif path.endswith("/query"):
            healthy = vector(params, fault.value)
        elif prometheus:
            healthy = {"status": "success", "data": {"groups": []}}
        else:
            healthy = {"object": "list", "data": [{"id": "lukhas-mini"}]}
        if prometheus and params.get("query") == "vector(1)" and not fault.probe_too:
            self._send(200, json.dumps(vector(params, "1")).encode())
            return
        if fault.delay_s:
            self.stopping.wait(fault.delay_s)
        self._fault(fault, healthy, params)

    def _fault(self, fault: Fault, healthy: dict[str, Any], params: dict[str, str]) -> None:
        name = fault.name
        text = json.dumps(healthy).encode()
        if name == "ok":
            self._send(200, text)
        elif name == "raw":
            self._send(fault.status, fault.body or b"", fault.content_type)
        elif name == "status_503":
            self._send(503, b"<html>upstream unavailable</html>", "text/html")
        elif name == "status_500_json":
            self._send(500, json.dumps({"status": "error", "errorType": "internal",
                                        "error": "boom"}).encode())
        elif name == "truncated_body":  # promises more than it sends, then closes
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text[: len(text) // 2])
            self.close_connection = True
        elif name == "truncated_json":  # a complete HTTP answer holding half a document
            self._send(200, text[: len(text) // 2])
        elif name == "hang":
            self.stopping.wait(fault.hang_s)
            self.close_connection = True
        elif name in ("trickle", "sse_trickle"):
            kind = "text/event-stream" if name == "sse_trickle" else "application/json"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.end_headers()
            deadline = time.monotonic() + fault.hang_s
            piece = b"data: x" if name == "sse_trickle" else text[:1]
            while time.monotonic() < deadline and not self.stopping.is_set():
                try:
                    self.wfile.write(piece[:1])
                    self.wfile.flush()
                except OSError:
                    break
                piece = piece[1:] or b"x"
                time.sleep(0.2)
            self.close_connection = True
        elif name == "gzip_bomb":
            self._send(200, self.bomb, headers={"Content-Encoding": "gzip"})
        elif name == "huge" and fault.huge_query is not None and (
                fault.huge_query not in params.get("query", "")):
            self._send(200, text)
        elif name == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for chunk in huge_matrix(params, fault.huge_bytes, fault.huge_series,
                                         fault.huge_samples, fault.huge_past_end):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client stopped reading: that is what a cap does
            self.close_connection = True
        elif name == "error_on_200":
            self._send(200, json.dumps({"status": "error", "errorType": "execution",
                                        "error": "query processing would load too many samples",
                                        "data": healthy.get("data")}).encode())
        elif name == "not_json":
            self._send(200, b"<html><body>login</body></html>", "text/html")
        elif name == "wrong_shape":
            self._send(200, json.dumps({"status": "success",
                                        "data": {"resultType": "matrix",
                                                 "result": "none"}}).encode())
        elif name == "deep_json":
            self._send(200, b"[" * (4 * 1024 * 1024))
        else:
            raise AssertionError(f"unknown fault {name}")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up on a bomb or a trickle is the expected outcome


class FaultServer:
    """``with FaultServer(bomb) as server: server.url; server.fault = Fault("hang")``."""

    def __init__(self, bomb: bytes = b"") -> None:
        self.fault = Fault()
        self._stopping = threading.Event()
        outer = self

        class Handler(_Handler):
            @property  # type: ignore[override]
            def fault(self) -> Fault:
                return outer.fault

        Handler.bomb = bomb
        Handler.stopping = self._stopping
        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultServer:
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         kwargs={"poll_interval": 0.05}).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
