"""Reading a server-sent-events response the way an OpenAI-compatible client does.

We only need what a smoke test judges: when the first ``data:`` line arrived, how many came,
and whether the stream ended with ``data: [DONE]``. Reading stops at ``[DONE]``, at the byte
cap, or at the deadline, so a server that never closes the stream cannot hold the gate.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

MAX_STREAM_BYTES = 4 * 1024 * 1024


@dataclass
class StreamReading:
    first_event_s: float | None = None
    events: int = 0
    done: bool = False
    overran: str | None = None
    """Why reading stopped early (deadline or size), if it did."""
    head: list[str] = field(default_factory=list)
    """The first lines, for the excerpt shown when the check fails."""


def read_events(response: Any, started: float, deadline: float) -> StreamReading:
    """Consume ``response`` (an open httpx streaming response) until ``[DONE]`` or a limit.

    Bytes are read as they arrive and split into lines here: a server that trickles bytes
    without ever sending a newline still meets the deadline and the byte cap.
    """
    reading = StreamReading()
    received = 0
    pending = b""
    for chunk in response.iter_bytes():
        received += len(chunk)
        pending += chunk
        *lines, pending = _LINE_END.split(pending)
        if pending.endswith(b"\r"):  # maybe the first half of \r\n: wait for the rest
            lines, pending = [*lines, pending[:-1]], b"\r"
        for raw in lines:
            if _event(reading, raw.decode("utf-8", errors="replace"), started):
                return reading
        if received > MAX_STREAM_BYTES:
            reading.overran = f"stream larger than {MAX_STREAM_BYTES // 2**20} MB without [DONE]"
            return reading
        if time.perf_counter() > deadline:
            reading.overran = "stream still open at the latency limit"
            return reading
    if pending.strip(b"\r"):
        _event(reading, pending.decode("utf-8", errors="replace"), started)
    return reading


_LINE_END = re.compile(rb"\r\n|\n|\r(?!$)")


def _event(reading: StreamReading, line: str, started: float) -> bool:
    """Count one line; True when it is ``data: [DONE]``."""
    if len(reading.head) < 8:
        reading.head.append(line[:200])
    if not line.startswith("data:"):
        return False
    if reading.first_event_s is None:
        reading.first_event_s = time.perf_counter() - started
    if line[5:].strip() == "[DONE]":
        reading.done = True
        return True
    reading.events += 1
    return False
