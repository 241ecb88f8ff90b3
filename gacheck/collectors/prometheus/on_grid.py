"""A range query's series on the window's step grid, gathered piece by piece.

Each piece's samples are kept as they arrive, per series, as what they hold, not as the
window: a run of consecutive instants is its first instant and its values (the decoded array
itself, no copy), anything else its instants (int32 where the window allows) and values.
A window-long buffer per series, allocated on the first piece, cost 9 bytes per instant of
the window for every series however few samples it had: 10,000 series of 750 samples over
6 hours at 2 s were 970 MB of buffers for 60 MB of values. Each series' output is built in
``series()``, one series at a time, with the buffer's semantics: a sample maps to the grid
instant at or before it, a later piece's sample wins on the same instant, a NaN that is
present stays present; the output's timestamps are the grid's.
"""

from __future__ import annotations

from typing import Any

from gacheck.collectors.prometheus.chunks import Span
from gacheck.collectors.prometheus.fetch import Block, Key

_Part = tuple[int, Any, Any]
"""(first grid index, grid indexes or ``None`` for a run of consecutive ones, values)."""


class OnGrid:
    """The window's series as they arrive (``add``), merged at the end (``series``)."""

    def __init__(self, window: Span, step_ms: int) -> None:
        self.window, self.step_ms = window, step_ms
        self.count = window.points(step_ms)
        self.parts: dict[Key, list[_Part]] = {}

    def add(self, block: Block) -> Block:
        """Take the block's samples on the window's grid; the block is emptied (its arrays
        are held here, or dropped), so the pieces are never held twice."""
        for key, (times, values) in block.series.items():
            part = self._part(times, values)
            if part is not None:
                self.parts.setdefault(key, []).append(part)
        block.series.clear()
        return block

    def _part(self, times: Any, values: Any) -> _Part | None:
        import numpy as np

        index = (times - self.window.first_ms) // self.step_ms
        inside = (index >= 0) & (index < self.count)
        if not inside.all():
            index, values = index[inside], values[inside]
        if not len(index):
            return None
        first = int(index[0])
        if int(index[-1]) - first == len(index) - 1 and bool(np.all(np.diff(index) == 1)):
            return first, None, values  # as Prometheus answers a series present throughout
        small = np.int32 if self.count <= np.iinfo(np.int32).max else np.int64
        return first, index.astype(small), values

    def series(self) -> list[tuple[dict[str, str], Any, Any]]:
        """Label set, timestamps (float seconds, the grid's) and values per series, in label
        order; the parts of each series are dropped as it is built."""
        import numpy as np

        grid = self.window.first_ms + np.arange(self.count, dtype=np.int64) * self.step_ms
        seconds = grid / 1000.0  # shared (or sliced, a view) by the series' timestamps
        del grid
        out = []
        for key in sorted(self.parts):
            times, values = self._merged(self.parts.pop(key), seconds)
            out.append((dict(key), times, values))
        return out

    def _merged(self, parts: list[_Part], seconds: Any) -> tuple[Any, Any]:
        import numpy as np

        if all(index is None for _, index, _ in parts):
            runs = sorted(parts, key=lambda part: part[0])
            ends = [first + len(values) for first, _, values in runs]
            if all(runs[i + 1][0] >= ends[i] for i in range(len(runs) - 1)):  # no overlap
                values = runs[0][2] if len(runs) == 1 else np.concatenate(
                    [v for _, _, v in runs])
                if ends[-1] - runs[0][0] == len(values):  # one run: a view of the grid
                    return seconds[runs[0][0]:ends[-1]], values
                return np.concatenate([seconds[f:e] for (f, _, _), e in
                                       zip(runs, ends, strict=True)]), values
        # Overlapping or scattered samples: the window-long buffer, for this series only,
        # filled in arrival order so that the later piece wins as before.
        buffer, present = np.full(self.count, np.nan), np.zeros(self.count, bool)
        for first, index, values in parts:
            at = slice(first, first + len(values)) if index is None else index
            buffer[at] = values
            present[at] = True
        if present.all():
            return seconds, buffer
        where = np.flatnonzero(present)
        return seconds[where], buffer[where]
