"""``SampleCounter``: a range answer's series with more samples than the query's instants is
refused while it is read; a real answer, however it is cut into network pieces and whatever
its labels say, never is. ``instants_asked``: the instants of a ``query_range`` request."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gacheck.collectors.prometheus.answer_limits import (
    MoreSamplesThanAsked,
    SampleCounter,
    instants_asked,
)

# label names and values that look like the keys counted, brackets, quotes and escapes
TRICKY = st.sampled_from(["values", '"values":[', "[[[", '":', "\\", '"', "metric", "x"])
LABEL = st.one_of(TRICKY, st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                                  max_size=8))
VALUES = ("1", "0.001", "NaN", "+Inf", "-Inf", "1e-05")


def answer(series: list[tuple[dict[str, str], int]], warnings: list[str] | None = None,
           key_order: str = "metric first") -> bytes:
    """As Prometheus writes it: compact, ``metric`` then ``values`` (or the other way)."""
    result = []
    for labels, count in series:
        values = [[1700000000 + i / 2, VALUES[i % len(VALUES)]] for i in range(count)]
        item = {"metric": labels, "values": values}
        if key_order != "metric first":
            item = {"values": values, "metric": labels}
        result.append(item)
    body = {"status": "success", "data": {"resultType": "matrix", "result": result}}
    if warnings:
        body["warnings"] = warnings
    return json.dumps(body, separators=(",", ":")).encode()


def fed(body: bytes, cuts: list[int], limit: int) -> SampleCounter:
    counter = SampleCounter(limit)
    edges = sorted({0, len(body), *(c % (len(body) + 1) for c in cuts)})
    for begin, end in zip(edges, edges[1:], strict=False):
        counter.feed(body[begin:end])
    return counter


SERIES = st.lists(st.tuples(st.dictionaries(LABEL, LABEL, max_size=3), st.integers(0, 12)),
                  max_size=6)


@settings(max_examples=400, deadline=None)
@given(SERIES, st.lists(st.integers(0, 10_000), max_size=40),
       st.lists(TRICKY, max_size=2), st.sampled_from(["metric first", "values first"]))
def test_a_real_answer_at_its_instants_is_never_refused_however_it_is_cut(
        series, cuts, warnings, order) -> None:
    most = max((count for _, count in series), default=0)
    fed(answer(series, warnings, order), cuts, limit=max(1, most))


@settings(max_examples=200, deadline=None)
@given(SERIES, st.lists(st.integers(0, 10_000), max_size=40),
       st.sampled_from(["metric first", "values first"]))
def test_one_sample_more_than_the_instants_is_refused_however_it_is_cut(
        series, cuts, order) -> None:
    most = max((count for _, count in series), default=0)
    if most < 2:
        return
    with pytest.raises(MoreSamplesThanAsked, match=f"more samples than the query's {most - 1} "):
        fed(answer(series, None, order), cuts, limit=most - 1)


@pytest.mark.parametrize("offset", range(len('"values":[') + 1))
def test_a_cut_anywhere_in_the_key_still_counts(offset: int) -> None:
    body = answer([({"a": "b"}, 4)])
    at = body.index(b'"values":[') + offset
    with pytest.raises(MoreSamplesThanAsked, match="than the query's 3 instants"):
        fed(body, [at], limit=3)
    fed(body, [at], limit=4)  # control: exactly the instants


def test_a_label_named_values_does_not_count_its_brackets() -> None:
    body = answer([({"values": "[[[[[[[[", "b": '":[[[['}, 1)])
    fed(body, [5, 40, 41, 42, 43], limit=1)


def test_blanks_after_the_key_are_not_counted_at_all() -> None:
    """Not as Prometheus writes it: left to the exact count when the answer is decoded."""
    body = json.dumps({"data": {"result": [{"metric": {}, "values": [[1, "1"]] * 5}]}}).encode()
    fed(body, [], limit=1)


@pytest.mark.parametrize(("url", "instants"), [
    ("http://p:9090/api/v1/query_range?query=up&start=1700000000.000&end=1700021600.000&step=2",
     10_801),
    ("http://p:9090/api/v1/query_range?query=up&start=1700000000.000&end=1700000000.000&step=2",
     1),
    ("http://p:9090/api/v1/query_range?query=up&start=10.5&end=11.499&step=0.5", 2),
    ("http://p:9090/api/v1/query_range?query=up&start=10&end=20&step=1m", None),
    ("http://p:9090/api/v1/query_range?query=up&start=20&end=10&step=1", None),
    ("http://p:9090/api/v1/query?query=up[5m]&time=10", None),
])
def test_the_instants_of_a_range_request(url: str, instants: int | None) -> None:
    assert instants_asked(url) == instants
