"""Alert history from the raw samples of ``ALERTS``: when each alert fired, and for how long.

Prometheus writes an ``ALERTS`` sample at every rule evaluation while an alert is active. The
evaluation interval is read off the samples (their median spacing); a pause of more than two
intervals separates two firing episodes. Each episode lasts from its first sample to its last
plus one interval.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gacheck.collectors.prometheus.results import Series

DEFAULT_INTERVAL_S = 60.0
_HIDDEN = {"__name__", "alertstate"}


@dataclass(frozen=True)
class FiringSpan:
    name: str
    labels: dict[str, str]
    first: float
    last: float
    minutes: float
    episodes: int

    def label_text(self) -> str:
        shown = ", ".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()) if k != "alertname")
        return "{" + shown + "}"


def interval_of(timestamps: Sequence[float] | Any, fallback: float) -> float:
    """The median of the increasing gaps, in the order given; ``fallback`` without one."""
    import numpy as np

    gaps = np.diff(np.asarray(timestamps, dtype=np.float64))
    return _median_positive(gaps, fallback)


def _median_positive(gaps: Any, fallback: float) -> float:
    """The median of the positive ``gaps`` (sorted in place: no copy of millions of them),
    as ``statistics.median`` takes it: the middle one, or the mean of the middle two."""
    import numpy as np

    gaps.sort()
    positive = gaps[int(np.searchsorted(gaps, 0.0, side="right")):]
    count = len(positive)
    if not count:
        return fallback
    if count % 2:
        return float(positive[count // 2])
    return (float(positive[count // 2 - 1]) + float(positive[count // 2])) / 2


def firing_spans(series: list[Series]) -> list[FiringSpan]:
    """One span per alert series with samples, ordered by first firing then name.

    On arrays, not a Python float per sample: a raw read of millions of samples (a rule
    evaluated every few milliseconds, or a hostile server) was a sorted list of numpy scalars,
    half a gigabyte for 8 million. One array of gaps per series at a time; the sums are made
    in the same order as sample by sample."""
    import numpy as np

    all_gaps = [interval_of(s.timestamps, 0.0) for s in series if len(s.timestamps) > 1]
    fallback = statistics.median(all_gaps) if all_gaps else DEFAULT_INTERVAL_S
    spans = []
    for s in series:
        times = np.asarray(s.timestamps, dtype=np.float64)
        if not len(times):
            continue
        gaps = np.diff(times)
        if (gaps < 0).any():
            times = np.sort(times)
            np.subtract(times[1:], times[:-1], out=gaps)
        interval = _median_positive(gaps, fallback)  # sorts the gaps: taken again below
        breaks = np.flatnonzero(np.subtract(times[1:], times[:-1], out=gaps) > 2 * interval)
        del gaps
        episodes, total, begin = 1 + len(breaks), 0.0, float(times[0])
        for at in breaks.tolist():  # one per pause: few, however many samples
            total += float(times[at]) - begin + interval
            begin = float(times[at + 1])
        total += float(times[-1]) - begin + interval
        labels = {k: v for k, v in s.labels.items() if k not in _HIDDEN}
        spans.append(FiringSpan(labels.get("alertname", "?"), labels, float(times[0]),
                                float(times[-1]), total / 60.0, episodes))
    return sorted(spans, key=lambda sp: (sp.first, sp.name, sorted(sp.labels.items())))
