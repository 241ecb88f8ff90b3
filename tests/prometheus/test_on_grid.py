"""The merge of a range query's pieces (``OnGrid``) gives what the window-long buffer per
series gave, for any pieces: runs, gaps, instants off the grid, outside the window, the same
instant twice (the later piece wins), NaN samples (present, kept) — and it holds no
window-long buffer for a sparse series."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gacheck.collectors.prometheus.chunks import Span
from gacheck.collectors.prometheus.fetch import Block
from gacheck.collectors.prometheus.on_grid import OnGrid

STEP = 2000
WINDOW = Span(10_000 * STEP, 10_000 * STEP + 99 * STEP)  # 100 instants
KEYS = [(("instance", "a"),), (("instance", "b"),), ()]


def buffered(window: Span, step: int, pieces: list[dict]) -> list[tuple]:
    """The reference: one window-long values buffer and presence mask per series."""
    count = window.points(step)
    buffers: dict = {}
    for piece in pieces:
        for key, (times, values) in piece.items():
            index = (times - window.first_ms) // step
            inside = (index >= 0) & (index < count)
            buffer, present = buffers.setdefault(key, (np.full(count, np.nan),
                                                       np.zeros(count, bool)))
            buffer[index[inside]] = values[inside]
            present[index[inside]] = True
    seconds = (window.first_ms + np.arange(count) * step) / 1000.0
    return [(dict(key), seconds[buffers[key][1]], buffers[key][0][buffers[key][1]])
            for key in sorted(buffers) if buffers[key][1].any()]


def merged(pieces: list[dict]) -> list[tuple]:
    grid = OnGrid(WINDOW, STEP)
    for piece in pieces:
        grid.add(Block(WINDOW, dict(piece)))
    return grid.series()


def same(got: list[tuple], want: list[tuple]) -> None:
    assert [labels for labels, _, _ in got] == [labels for labels, _, _ in want]
    for (_, times, values), (_, want_times, want_values) in zip(got, want, strict=True):
        np.testing.assert_array_equal(times, want_times)
        np.testing.assert_array_equal(values, want_values)  # NaN equals NaN here
        assert times.dtype == np.float64 and values.dtype == np.float64


def run(first: int, count: int, value: float = 1.0) -> tuple:
    times = WINDOW.first_ms + (first + np.arange(count, dtype=np.int64)) * STEP
    return times, np.full(count, value) + np.arange(count)


SAMPLE = st.tuples(st.integers(-20, 120), st.sampled_from([0, 0, 0, 1, 999, 1999]),
                   st.sampled_from([0.5, 2.0, float("nan"), float("inf")]))
RUN = st.tuples(st.integers(-20, 110), st.integers(0, 40), st.sampled_from([0.5, float("nan")]))
SERIES = st.one_of(
    RUN.map(lambda r: run(*r)),
    st.lists(SAMPLE, max_size=30).map(lambda samples: (
        np.array([WINDOW.first_ms + i * STEP + off for i, off, _ in samples], np.int64),
        np.array([v for _, _, v in samples], np.float64))))
PIECE = st.dictionaries(st.sampled_from(KEYS), SERIES, max_size=3)


@settings(deadline=None, max_examples=300)
@given(pieces=st.lists(PIECE, max_size=5))
def test_any_pieces_merge_as_the_window_long_buffer_did(pieces):
    same(merged(pieces), buffered(WINDOW, STEP, pieces))


def test_a_series_present_at_every_instant_has_the_grid_as_its_timestamps():
    ((_, times, values),) = merged([{KEYS[0]: run(0, 60)}, {KEYS[0]: run(60, 40, 7.0)}])
    assert len(times) == 100 and times[0] == WINDOW.first_ms / 1000
    assert np.all(np.diff(times) == STEP / 1000)
    assert values[0] == 1.0 and values[60] == 7.0


def test_pieces_arriving_out_of_order_merge_in_time_order():
    pieces = [{KEYS[0]: run(50, 10)}, {KEYS[0]: run(0, 10)}, {KEYS[0]: run(20, 5)}]
    same(merged(pieces), buffered(WINDOW, STEP, pieces))


def test_the_later_piece_wins_on_an_instant_both_have():
    pieces = [{KEYS[0]: run(0, 10, 1.0)}, {KEYS[0]: run(5, 10, 100.0)}]
    ((_, times, values),) = merged(pieces)
    assert len(times) == 15 and values[5] == 100.0
    same(merged(pieces), buffered(WINDOW, STEP, pieces))


def test_a_present_nan_stays_present():
    ((_, times, values),) = merged([{KEYS[0]: run(3, 4, float("nan"))}])
    assert len(times) == 4 and np.isnan(values).all()


def test_a_run_is_held_as_the_decoded_values_without_a_window_long_buffer():
    grid = OnGrid(Span(0, 10_799 * STEP), STEP)  # 10,800 instants
    times, values = run(0, 750)
    grid.add(Block(WINDOW, {KEYS[0]: (times - WINDOW.first_ms, values)}))
    ((first, index, held),) = grid.parts[KEYS[0]]
    assert (first, index) == (0, None) and held is values  # the piece's array, no copy
    scattered = np.arange(0, 1500, 2, dtype=np.int64) * STEP
    grid.add(Block(WINDOW, {KEYS[1]: (scattered, np.ones(750))}))
    ((_, index, held),) = grid.parts[KEYS[1]]
    assert index.dtype == np.int32 and index.nbytes + held.nbytes == 750 * 12
