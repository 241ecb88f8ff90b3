"""Cutting one answer into the chunks it spans (``fill.split``) gives each chunk exactly what
trimming the answer to that chunk gives: the cache stores what an uncached query would read."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gacheck.collectors.prometheus.chunks import Span
from gacheck.collectors.prometheus.fetch import Block, trim
from gacheck.collectors.prometheus.fill import split

STEP = 60_000


@st.composite
def answers(draw: st.DrawFn) -> tuple[Block, list[Span]]:
    cuts = sorted(draw(st.sets(st.integers(1, 40), min_size=1, max_size=4)))
    edges = [0, *cuts, 41]
    spans = [Span(a * STEP, (b - 1) * STEP) for a, b in zip(edges, edges[1:], strict=False)]
    series = {}
    for number in range(draw(st.integers(0, 4))):
        instants = draw(st.lists(st.integers(-3, 44), max_size=50))
        if draw(st.booleans()):  # as Prometheus sends them: in order, each once
            instants = sorted(set(instants))
        times = np.array(instants, dtype=np.int64) * STEP
        series[(("n", str(number)),)] = (times, np.arange(len(times), dtype=np.float64))
    return Block(Span(spans[0].first_ms, spans[-1].last_ms), series), spans


@settings(max_examples=150, deadline=None)
@given(answers())
def test_split_equals_trimming_to_each_span(answer: tuple[Block, list[Span]]) -> None:
    block, spans = answer
    for span, got in zip(spans, split(block, spans), strict=True):
        expected = trim(block, span).series
        assert got.keys() == expected.keys()
        for key, (times, values) in expected.items():
            assert np.array_equal(got[key][0], times) and np.array_equal(got[key][1], values)
