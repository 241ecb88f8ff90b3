"""Raw samples over a window (``selector[48h]``) in cached pieces, against a real Prometheus.

What the user relies on: the soak gate's restarts and the alerts gate's firing spans read the
same samples whether they came as one instant query, as pieces, or from the cache; and the
next ``--wait-until`` round asks Prometheus only for what is new.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from gacheck.collectors.prometheus.cache import ChunkCache
from gacheck.collectors.prometheus.client import PrometheusClient
from gacheck.collectors.prometheus.http import ConnectionSettings

CASES = (
    ("restart", 'process_start_time_seconds{job="lukhas-facade"}'),
    ("alerts_mixed", 'ALERTS{alertstate="firing"}'),
)
LOOKBACK = 48 * 3600.0


def client(url: str, cache: ChunkCache | None, chunk_s: float) -> PrometheusClient:
    settings = ConnectionSettings(url=url, timeout=30, retries=1, verify=True, max_points=11000,
                                  max_concurrency=3, chunk=chunk_s)
    return PrometheusClient(settings, cache, cache_margin_s=360.0)


def one_instant_query(url: str, selector: str, at) -> dict[tuple, list[tuple[float, float]]]:
    """The reference: one instant query, decoded by the standard library."""
    response = httpx.get(f"{url}/api/v1/query", params={
        "query": f"{selector}[48h]", "time": at.timestamp()}, trust_env=False, timeout=60)
    response.raise_for_status()
    return {tuple(sorted(s["metric"].items())): [(float(t), float(v)) for t, v in s["values"]]
            for s in response.json()["data"]["result"]}


def as_points(result) -> dict[tuple, list[tuple[float, float]]]:
    return {tuple(sorted(s.labels.items())): [(float(t), float(v)) for t, v in
                                              zip(s.timestamps, s.values, strict=True)]
            for s in result.series}


@pytest.mark.parametrize(("scenario", "selector"), CASES)
@pytest.mark.parametrize("chunk_s", [37 * 60.0, 6 * 3600.0])
def test_pieces_cold_and_warm_equal_one_instant_query(promlab, tmp_path, scenario, selector,
                                                      chunk_s):
    lab = promlab(scenario)
    at = lab.end - timedelta(minutes=3)
    reference = one_instant_query(lab.url, selector, at)
    assert reference and sum(len(p) for p in reference.values()) > 10  # not a vacuous compare
    cache = ChunkCache(tmp_path / "cache")

    cold = client(lab.url, cache, chunk_s).samples(selector, at, LOOKBACK)
    warm = client(lab.url, cache, chunk_s).samples(selector, at, LOOKBACK)
    uncached = client(lab.url, None, chunk_s).samples(selector, at, LOOKBACK)

    assert as_points(cold) == as_points(warm) == as_points(uncached) == reference
    assert cold.record.promql == uncached.record.promql == f"{selector}[2d]"
    assert {c.source for c in cold.record.chunks} == {"prometheus"}
    assert "cache" in {c.source for c in warm.record.chunks}
    pieces = cold.record.chunks
    assert pieces[0].start == at - timedelta(hours=48) and pieces[-1].end == at
    for before, after in zip(pieces, pieces[1:], strict=False):  # none twice, none lost
        assert after.start - before.end == timedelta(milliseconds=1)


def test_the_next_round_asks_only_for_the_new_minutes(promlab, tmp_path):
    lab = promlab("restart")
    selector = CASES[0][1]
    cache = ChunkCache(tmp_path / "cache")
    first = client(lab.url, cache, 6 * 3600.0)
    first.samples(selector, lab.end - timedelta(minutes=5), LOOKBACK)
    later = client(lab.url, cache, 6 * 3600.0)
    asked: list[str] = []
    original = later.fetch_samples_body

    def counting(sel, span):
        asked.append(f"{(span.last_ms - span.first_ms) / 60000:.1f}")
        return original(sel, span)

    later.fetch_samples_body = counting  # type: ignore[method-assign]
    result = later.samples(selector, lab.end, LOOKBACK)

    # the stored prefix reaches 6 minutes (the margin) before the first round's instant
    assert len(asked) == 1 and float(asked[0]) <= 11.0, asked
    assert as_points(result) == one_instant_query(lab.url, selector, lab.end)


def test_filling_an_empty_cache_asks_one_request_like_an_uncached_read(promlab, tmp_path):
    """The first round with a cache is no dearer for Prometheus than ``--no-cache``: one
    read of the whole window, split into the chunks stored."""
    lab = promlab("restart")
    selector = CASES[0][1]
    filling = client(lab.url, ChunkCache(tmp_path / "cache"), 6 * 3600.0)
    asked: list[tuple[int, int]] = []
    original = filling.fetch_samples_body

    def counting(sel, span):
        asked.append((span.first_ms, span.last_ms))
        return original(sel, span)

    filling.fetch_samples_body = counting  # type: ignore[method-assign]
    result = filling.samples(selector, lab.end, LOOKBACK)

    assert len(asked) == 1 and asked[0][1] - asked[0][0] == LOOKBACK * 1000, asked
    assert len(result.record.chunks) >= 8  # stored as 6h chunks all the same
    assert as_points(result) == one_instant_query(lab.url, selector, lab.end)
    assert len(list((tmp_path / "cache").rglob("*.chunk"))) >= 8


def test_entries_unused_for_cache_keep_are_deleted_and_used_ones_kept(promlab, tmp_path):
    import os
    import time

    lab = promlab("restart")
    cache = ChunkCache(tmp_path / "cache")
    prom = client(lab.url, cache, 6 * 3600.0)
    prom.samples(CASES[0][1], lab.end, LOOKBACK)
    entries = sorted((tmp_path / "cache").rglob("*.chunk"))
    assert len(entries) >= 8
    old, kept = entries[0], entries[1:]
    month_ago = time.time() - 30 * 86400
    os.utime(old, (month_ago, month_ago))
    killed = old.parent / ".tmp-killed"
    killed.write_bytes(b"half")
    os.utime(killed, (month_ago, month_ago))

    assert cache.evict(keep_s=7 * 86400) == 2
    assert not old.exists() and not killed.exists()
    assert all(path.exists() for path in kept)  # control: used this week
