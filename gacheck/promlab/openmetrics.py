"""Timestamped OpenMetrics text: the input of ``promtool tsdb create-blocks-from openmetrics``.

Streamed: a family at a time, a series at a time, one line per sample, straight to the file.
A week of 15 s samples for a hundred series is millions of lines; none of it is ever held as
one string. OpenMetrics wants each family's lines together, so families are written whole and
the writer refuses a family name it has already closed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import TextIO

_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
KINDS = frozenset({"counter", "gauge", "histogram", "unknown"})


class OpenMetricsWriter:
    """Writes families of timestamped samples to ``out``; call ``close`` for ``# EOF``."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._families: set[str] = set()
        self._current: str | None = None
        self._closed = False
        self.samples_written = 0

    def family(self, name: str, kind: str, help_text: str = "") -> None:
        """Start a metric family (for a counter, ``name`` is without ``_total``)."""
        self._check_open()
        if not _NAME.match(name):
            raise ValueError(f"not a metric name: {name!r}")
        if kind not in KINDS:
            raise ValueError(f"unknown metric type {kind!r} (one of {sorted(KINDS)})")
        if name in self._families:
            raise ValueError(f"family {name} was already written; OpenMetrics forbids splitting it")
        self._families.add(name)
        self._current = name
        if help_text:
            self._out.write(f"# HELP {name} {_escape(help_text)}\n")
        self._out.write(f"# TYPE {name} {kind}\n")

    def series(
        self,
        name: str,
        labels: Mapping[str, str],
        timestamps: Iterable[float],
        values: Iterable[float],
    ) -> int:
        """Write one series' samples (timestamps in Unix seconds, ascending); returns the count."""
        self._check_open()
        if self._current is None or not name.startswith(self._current):
            raise ValueError(f"sample {name} does not belong to family {self._current}")
        prefix = name + format_labels(labels) + " "
        lines = [
            f"{prefix}{format_value(v)} {format_timestamp(t)}\n"
            for t, v in zip(timestamps, values, strict=True)
        ]
        self._out.writelines(lines)
        self.samples_written += len(lines)
        return len(lines)

    def close(self) -> None:
        if not self._closed:
            self._out.write("# EOF\n")
            self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the OpenMetrics text is already closed (# EOF written)")


def format_labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    parts = []
    for key, value in labels.items():
        if not _LABEL.match(key):
            raise ValueError(f"not a label name: {key!r}")
        parts.append(f'{key}="{_escape(str(value))}"')
    return "{" + ",".join(parts) + "}"


def format_value(value: float) -> str:
    """Integers without a fraction (counters read naturally), floats exactly, NaN and ±Inf."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_timestamp(seconds: float) -> str:
    if isinstance(seconds, int) or float(seconds).is_integer():
        return str(int(seconds))
    return f"{seconds:.3f}"


def format_le(edge: float) -> str:
    """A bucket edge as prometheus_client writes it: ``0.005``, ``1.0``, ``+Inf``."""
    return "+Inf" if math.isinf(edge) else repr(float(edge))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
