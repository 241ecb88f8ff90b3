"""Reading a server-sent-events response the way an OpenAI-compatible client does.

We only need what a smoke test judges: when the first ``data:`` line arrived, how many came,
and whether the stream ended with ``data: [DONE]``. Reading stops at ``[DONE]``, at the byte
cap, or at the deadline, so a server that never closes the stream cannot hold the gate.
"""

from __future__ import annotations

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
    """Consume ``response`` (an open httpx streaming response) until ``[DONE]`` or a limit."""
    reading = StreamReading()
    received = 0
    for line in response.iter_lines():
        received += len(line) + 1
        if len(reading.head) < 8:
            reading.head.append(line[:200])
        if line.startswith("data:"):
            payload = line[5:].strip()
            if reading.first_event_s is None:
                reading.first_event_s = time.perf_counter() - started
            if payload == "[DONE]":
                reading.done = True
                break
            reading.events += 1
        if received > MAX_STREAM_BYTES:
            reading.overran = f"stream larger than {MAX_STREAM_BYTES // 2**20} MB without [DONE]"
            break
        if time.perf_counter() > deadline:
            reading.overran = "stream still open at the latency limit"
            break
    return reading
