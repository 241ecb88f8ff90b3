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


def interval_of(timestamps: Sequence[float], fallback: float) -> float:
    gaps = [b - a for a, b in zip(timestamps, timestamps[1:], strict=False) if b > a]
    return statistics.median(gaps) if gaps else fallback


def firing_spans(series: list[Series]) -> list[FiringSpan]:
    """One span per alert series with samples, ordered by first firing then name."""
    all_gaps = [interval_of(s.timestamps, 0.0) for s in series if len(s.timestamps) > 1]
    fallback = statistics.median(all_gaps) if all_gaps else DEFAULT_INTERVAL_S
    spans = []
    for s in series:
        times = sorted(s.timestamps)
        if not times:
            continue
        interval = interval_of(times, fallback)
        episodes, total, begin = 1, 0.0, times[0]
        for before, after in zip(times, times[1:], strict=False):
            if after - before > 2 * interval:
                total += before - begin + interval
                begin, episodes = after, episodes + 1
        total += times[-1] - begin + interval
        labels = {k: v for k, v in s.labels.items() if k not in _HIDDEN}
        spans.append(FiringSpan(labels.get("alertname", "?"), labels, times[0], times[-1],
                                total / 60.0, episodes))
    return sorted(spans, key=lambda sp: (sp.first, sp.name, sorted(sp.labels.items())))
