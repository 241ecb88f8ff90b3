"""``SeriesCounter`` and ``decode_matrix``' series limit: a flood of series is refused while
it is read, and a real answer, however it is cut into network pieces, never is."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gacheck.collectors.prometheus.answer_limits import SeriesCounter, TooManySeries
from gacheck.collectors.prometheus.chunks import Span
from gacheck.collectors.prometheus.fetch import decode_matrix

LABEL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def answer(labels: list[dict[str, str]]) -> bytes:
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": m, "values": [[1.0, "1"], [2.0, "2"]]} for m in labels]}}).encode()


def fed(body: bytes, cuts: list[int], limit: int) -> SeriesCounter:
    counter = SeriesCounter(limit)
    edges = sorted({0, len(body), *(c % (len(body) + 1) for c in cuts)})
    for begin, end in zip(edges, edges[1:], strict=False):
        counter.feed(body[begin:end])
    return counter


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(LABEL, LABEL, max_size=3), max_size=8),
       st.lists(st.integers(0, 10_000), max_size=30))
def test_the_bound_is_never_below_the_series_however_the_body_is_cut(labels, cuts) -> None:
    body = answer(labels)
    counter = fed(body, cuts, limit=10**6)
    whole = min(body.count(b'"metric"'), body.count(b'"value'))

    assert min(counter.counts) == whole  # a key split between pieces is counted once
    assert whole >= len(labels)


def test_a_flood_stops_at_the_limit_and_an_answer_at_the_limit_does_not() -> None:
    """Control: exactly ``limit`` series pass; one more is refused."""
    at_limit = answer([{"i": str(n)} for n in range(50)])
    assert fed(at_limit, list(range(0, len(at_limit), 7)), limit=50).counts == [50, 50]

    with pytest.raises(TooManySeries, match=r"more than 50 series \(\[prometheus\].max_series\)"):
        fed(answer([{"i": str(n)} for n in range(51)]), [3, 100, 1000], limit=50)


def test_labels_named_like_the_keys_do_not_refuse_a_real_answer() -> None:
    """Control: every series carrying a label named "metric" doubles one count, not both."""
    body = answer([{"metric": "x", "n": str(n)} for n in range(50)])
    counter = fed(body, [17, 400], limit=50)  # 50 series at a limit of 50: not refused
    assert counter.counts == [100, 50]  # '"metric"' twice a series (key and label), '"value' once
    assert min(counter.counts) == 50  # the bound is the series, exactly


def test_decode_matrix_counts_exactly() -> None:
    body = answer([{"i": str(n)} for n in range(4)])
    assert len(decode_matrix(body, Span(1000, 2000), max_series=4).series) == 4
    with pytest.raises(TooManySeries, match="the answer has 4 series, more than .* \\(3\\)"):
        decode_matrix(body, Span(1000, 2000), max_series=3)
