"""``firing_spans`` on arrays gives exactly what it gave sample by sample (the reference below
is the implementation it replaced), for lists and arrays, in order or not."""

from __future__ import annotations

import statistics

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gacheck.collectors.prometheus.results import Series
from gacheck.sli.alert_history import _HIDDEN, DEFAULT_INTERVAL_S, firing_spans


def reference(series: list[Series]) -> list[tuple]:
    def interval_of(timestamps, fallback):
        gaps = [b - a for a, b in zip(timestamps, timestamps[1:], strict=False) if b > a]
        return statistics.median(gaps) if gaps else fallback

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
        spans.append((labels.get("alertname", "?"), labels, float(times[0]), float(times[-1]),
                      total / 60.0, episodes))
    return sorted(spans, key=lambda sp: (sp[2], sp[0], sorted(sp[1].items())))


TIMES = st.lists(st.one_of(st.integers(0, 20_000).map(lambda i: 1.7e9 + i * 15.0),
                           st.floats(1.7e9, 1.7e9 + 3e5)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Down", "Slow", "Busy"]), TIMES), max_size=4),
       st.booleans())
def test_spans_on_arrays_equal_the_spans_sample_by_sample(alerts, as_arrays) -> None:
    series = [Series({"alertname": name, "alertstate": "firing", "i": str(i)},
                     np.array(times) if as_arrays else times, [1.0] * len(times))
              for i, (name, times) in enumerate(alerts)]
    got = [(s.name, s.labels, s.first, s.last, s.minutes, s.episodes)
           for s in firing_spans(series)]
    assert got == reference(series)  # exactly: the same sums in the same order
    assert all(type(value) is float for span in got for value in span[2:5])
