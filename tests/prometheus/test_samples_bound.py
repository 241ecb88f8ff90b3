"""A range query's series has at most one sample per instant asked: more is an answer no
Prometheus gives, refused before its arrays are allocated (``ImpossibleAnswer``); exactly as
many, or fewer, decode as before; raw samples (no step) have no such bound. Both ways of
decoding a series are covered: whole (up to ``PIECE`` bytes) and cut into pieces."""

from __future__ import annotations

import numpy as np
import pytest

from gacheck.collectors.prometheus.chunks import Span
from gacheck.collectors.prometheus.fetch import ImpossibleAnswer, NotPrometheus, decode_matrix
from gacheck.collectors.prometheus.points import PIECE

STEP = 1000
START = 1_700_000_000_000


def body(counts: list[int]) -> bytes:
    """A matrix of one series per count, one sample per step from ``START``."""
    series = []
    for index, count in enumerate(counts):
        samples = ",".join(f'[{(START + i * STEP) / 1000:.3f},"0.00{i % 97}"]'
                           for i in range(count))
        series.append(f'{{"metric":{{"i":"{index}"}},"values":[{samples}]}}')
    return ('{"status":"success","data":{"resultType":"matrix","result":['
            + ",".join(series) + "]}}").encode()


def span(instants: int) -> Span:
    return Span(START, START + (instants - 1) * STEP)


# 100 samples are decoded whole; 60,000 (about 1.4 MB) in pieces
@pytest.mark.parametrize("instants", [100, 60_000])
def test_as_many_samples_as_instants_or_fewer_decode(instants: int) -> None:
    raw = body([instants, instants // 2, 1])
    assert instants < 1000 or len(raw) > PIECE
    block = decode_matrix(raw, span(instants), step_ms=STEP)

    sizes = sorted(len(times) for times, _ in block.series.values())
    assert sizes == [1, instants // 2, instants]
    times, values = block.series[(("i", "0"),)]
    assert times[0] == START and times[-1] == START + (instants - 1) * STEP
    assert values.dtype == np.float64 and values[1] == pytest.approx(0.001)


@pytest.mark.parametrize("instants", [100, 60_000])
def test_one_sample_more_than_the_instants_asked_is_refused(instants: int) -> None:
    raw = body([3, instants + 1])
    with pytest.raises(ImpossibleAnswer) as refused:
        decode_matrix(raw, span(instants), step_ms=STEP)

    assert str(refused.value) == (f"a series has more samples ({instants + 1:,}) than the "
                                  f"query's {instants:,} instants")
    assert isinstance(refused.value, NotPrometheus)  # worded like every answer refused


@pytest.mark.parametrize("instants", [100, 60_000])
def test_raw_samples_have_no_bound_of_instants(instants: int) -> None:
    """Raw samples (``selector[48h]``): no step, any number of samples in the span."""
    block = decode_matrix(body([instants + 1]), span(2))
    ((times, _),) = block.series.values()
    assert len(times) == instants + 1


def test_a_bracket_inside_a_value_is_refused_as_malformed() -> None:
    """The bound counts ``[``: one inside a value string counts too, but such a value is no
    number, so the answer is refused either way (as malformed when the count still fits)."""
    samples = ",".join(f'[{START / 1000 + i},"{"[" if i == 5 else "1"}"]' for i in range(59_000))
    raw = ('{"status":"success","data":{"resultType":"matrix","result":['
           f'{{"metric":{{}},"values":[{samples}]}}]}}}}').encode()
    assert len(raw) > PIECE
    with pytest.raises(NotPrometheus, match="malformed samples"):
        decode_matrix(raw, span(60_000), step_ms=STEP)


def test_a_raw_read_holds_at_most_one_sample_per_millisecond_of_its_range() -> None:
    """``x[N ms]`` (``fetch_samples``): N milliseconds, and the left end, which Prometheus 2
    includes, one more; beyond that the answer is refused before it is decoded."""
    from gacheck.collectors.prometheus.client import PrometheusClient
    from gacheck.collectors.prometheus.http import ConnectionSettings
    from gacheck.collectors.prometheus.samples import decode
    from gacheck.core.errors import CollectorError

    client = PrometheusClient(ConnectionSettings(url="http://127.0.0.1:9", timeout=1, retries=0,
                                                 verify=True, max_points=11000))
    window = Span(START, START + 99)  # 100 ms
    every_ms = [f'[{(START - 1 + i) / 1000:.3f},"1"]' for i in range(101)]
    raw = ('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},'
           '"values":[' + ",".join(every_ms) + "]}]}}").encode()
    ((times, _),) = decode(client, raw, window, "x").series.values()
    assert len(times) == 101 and times[0] == START - 1

    one_more = raw.replace(b'"values":[', b'"values":[[%.3f,"1"],' % ((START - 2) / 1000))
    with pytest.raises(CollectorError, match=r"a series has more samples \(102\) than the "
                                             r"query's 101 instants"):
        decode(client, one_more, window, "x")
