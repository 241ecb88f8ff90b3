"""The arithmetic of pieces and chunks, and what a cache entry's name may reveal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gacheck.collectors.prometheus.cache import CacheScope, ChunkCache, identity_of
from gacheck.collectors.prometheus.chunks import Span, chunk_points, chunks, pieces

STEPS = st.sampled_from([1000, 15000, 55000, 60000, 300000])
# up to 5000 instants an example: on a loaded machine running tests side by side, a per-example
# deadline would time the machine, not the code
UNTIMED = settings(deadline=None)


def instants(spans, step_ms):
    return [t for s in spans for t in range(s.first_ms, s.last_ms + 1, step_ms)]


@UNTIMED
@given(step=STEPS, first=st.integers(0, 10**6), count=st.integers(1, 5000),
       per=st.integers(1, 11000))
def test_pieces_cover_the_window_once_and_respect_the_limit(step, first, count, per):
    window = Span(first * step, (first + count - 1) * step)
    cut = pieces(window, step, per)
    assert instants(cut, step) == instants([window], step)
    assert all(p.points(step) <= per for p in cut)


@UNTIMED
@given(step=STEPS, first=st.integers(0, 10**6), count=st.integers(1, 5000),
       per=st.integers(1, 11000))
def test_absolute_chunks_cover_the_window_once_and_stay_put(step, first, count, per):
    window = Span(first * step, (first + count - 1) * step)
    found = chunks(window, step, per)
    assert instants([c.needed for c in found], step) == instants([window], step)
    for chunk in found:
        assert chunk.start_ms % (per * step) == 0  # fixed in absolute time
        assert Span(chunk.start_ms, chunk.last_ms).points(step) == per
    later = Span(window.first_ms + 5 * step, window.last_ms + 5 * step)
    same = {c.index: c.start_ms for c in chunks(later, step, per)}
    assert all(same.get(c.index, c.start_ms) == c.start_ms for c in found)


def test_a_chunk_is_whole_steps_and_never_more_than_max_points():
    assert chunk_points(6 * 3600, 60000, 11000) == 360
    assert chunk_points(6 * 3600, 1000, 11000) == 11000  # 21,600 one-second steps: capped
    assert chunk_points(30, 60000, 11000) == 1  # a chunk shorter than the step: one instant


def test_entry_names_differ_by_tenant_and_reveal_no_secret(tmp_path):
    cache = ChunkCache(tmp_path)
    chunk = chunks(Span(0, 3600_000), 60000, 360)[0]
    tenant_a = CacheScope("http://prom:9090", identity_of({"X-Scope-OrgID": "a"}, None))
    tenant_b = CacheScope("http://prom:9090", identity_of({"X-Scope-OrgID": "b"}, None))
    secret = CacheScope("http://prom:9090",
                        identity_of({"Authorization": "Bearer s3cr3t-token"}, ("u", "pw")))
    keys = {cache.key(scope, "up", 60000, chunk) for scope in (tenant_a, tenant_b, secret)}
    assert len(keys) == 3
    for key in keys:
        relative = cache.path(key).relative_to(tmp_path).parts
        assert relative[0] == "prometheus" and relative[1] == key[:2]
        assert relative[2] == f"{key}.chunk" and all(c in "0123456789abcdef" for c in key)
