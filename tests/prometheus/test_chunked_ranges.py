"""Range queries in pieces, and the chunk cache, against a real Prometheus (promlab).

The user relies on two things: a chunked answer is the one-shot answer (same instants, same
values, none twice, none lost), and an evaluation that reads closed chunks from the cache
gives the same audit as one that asks Prometheus for everything.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from gacheck.collectors.prometheus.cache import ChunkCache
from gacheck.collectors.prometheus.client import PrometheusClient
from gacheck.collectors.prometheus.http import ConnectionSettings
from gacheck.collectors.prometheus.window import range_window
from tests.prometheus.helpers import default_prometheus_gates

QUERIES = (
    "sum by (outcome) (rate(lukhas_guardian_decision_total[5m]))",
    "histogram_quantile(0.95, sum by (le) (rate(lukhas_guardian_decision_duration_seconds_bucket"
    "[5m])))",
    'up{job="lukhas-facade"}',
)


def settings(url: str, chunk: float, max_points: int = 11000, concurrency: int = 3):
    return ConnectionSettings(url=url, timeout=30, retries=1, verify=True, max_points=max_points,
                              max_concurrency=concurrency, chunk=chunk)


def one_shot(url: str, promql: str, window) -> dict[tuple, list[tuple[float, str]]]:
    """The query as one request, decoded by the standard library: the reference."""
    response = httpx.get(f"{url}/api/v1/query_range", params={
        "query": promql, "start": window.start.timestamp(), "end": window.end.timestamp(),
        "step": window.step_s}, trust_env=False, timeout=60)
    response.raise_for_status()
    return {tuple(sorted(s["metric"].items())): [(t, v) for t, v in s["values"]]
            for s in response.json()["data"]["result"]}


def as_points(result) -> dict[tuple, list[tuple[float, float]]]:
    return {tuple(sorted(s.labels.items())): list(zip(s.timestamps, s.values, strict=True))
            for s in result.series}


def same(reference, chunked) -> None:
    assert reference.keys() == chunked.keys()
    for key, points in reference.items():
        got = chunked[key]
        assert [t for t, _ in got] == [t for t, _ in points], key
        for (_, want), (_, value) in zip(points, got, strict=True):
            want_f = float(want)
            assert value == want_f or (math.isnan(value) and math.isnan(want_f)), key


@pytest.mark.parametrize("chunk_s", [37 * 60.0, 6 * 3600.0])
def test_chunked_answers_equal_the_one_shot_query(promlab, chunk_s):
    lab = promlab("sustained_breach")
    window = range_window(lab.end, 20 * 3600, 60, 11000)
    prom = PrometheusClient(settings(lab.url, chunk_s))
    for promql in QUERIES:
        result = prom.range(promql, window.start, window.end, window.step_s)
        same(one_shot(lab.url, promql, window), as_points(result))
        pieces = result.record.chunks
        assert pieces[0].end - pieces[0].start == timedelta(seconds=chunk_s // 60 * 60 - 60)
        assert pieces[0].start == window.start and pieces[-1].end == window.end
        for before, after in zip(pieces, pieces[1:], strict=False):
            assert (after.start - before.end) == timedelta(seconds=60)  # none twice, none lost


def test_no_request_asks_for_more_than_max_points(promlab):
    lab = promlab("sustained_breach")
    window = range_window(lab.end, 48 * 3600, 60, 11000)
    for promql in QUERIES:  # a 12h chunk is 720 instants: cut to the limit, never beyond
        prom = PrometheusClient(settings(lab.url, 12 * 3600, max_points=500))
        result = prom.range(promql, window.start, window.end, window.step_s)
        sizes = [int((c.end - c.start).total_seconds() // 60) + 1 for c in result.record.chunks]
        assert sizes[0] == 500 and max(sizes) == 500 and sum(sizes) == window.points
        same(one_shot(lab.url, promql, window), as_points(result))


def test_cached_chunks_give_the_same_series_and_say_so(promlab, tmp_path):
    lab = promlab("sustained_breach")
    cache = ChunkCache(tmp_path / "cache")
    window = range_window(lab.end, 48 * 3600, 60, 11000)
    first = PrometheusClient(settings(lab.url, 6 * 3600), cache).range(
        QUERIES[1], window.start, window.end, window.step_s)
    again = PrometheusClient(settings(lab.url, 6 * 3600), cache).range(
        QUERIES[1], window.start, window.end, window.step_s)
    same(one_shot(lab.url, QUERIES[1], window), as_points(again))
    assert {c.source for c in first.record.chunks} == {"prometheus"}
    sources = [c.source for c in again.record.chunks]
    assert sources[:-1] == ["cache"] * (len(sources) - 1)  # the last chunk is still open
    assert sources[-1] in ("prometheus", "cache+prometheus")


def test_a_later_evaluation_asks_only_for_the_new_minutes(promlab, tmp_path):
    lab = promlab("sustained_breach")
    cache = ChunkCache(tmp_path / "cache")
    earlier = range_window(lab.end - timedelta(minutes=5), 48 * 3600, 60, 11000)
    later = range_window(lab.end, 48 * 3600, 60, 11000)
    PrometheusClient(settings(lab.url, 6 * 3600), cache).range(
        QUERIES[0], earlier.start, earlier.end, 60)
    result = PrometheusClient(settings(lab.url, 6 * 3600), cache).range(
        QUERIES[0], later.start, later.end, 60)
    same(one_shot(lab.url, QUERIES[0], later), as_points(result))
    fetched = [c for c in result.record.chunks if c.source != "cache"]
    assert [c.source for c in fetched] in (["cache+prometheus"], ["prometheus"])
    assert result.record.chunks[-1] == fetched[0]  # only the open chunk touched Prometheus


def test_corrupt_or_foreign_cache_entries_are_ignored_and_refetched(promlab, tmp_path):
    lab = promlab("sustained_breach")
    cache = ChunkCache(tmp_path / "cache")
    window = range_window(lab.end, 24 * 3600, 60, 11000)
    prom = PrometheusClient(settings(lab.url, 6 * 3600), cache)
    prom.range(QUERIES[0], window.start, window.end, 60)
    entries = sorted((tmp_path / "cache").rglob("*.chunk"))
    assert len(entries) >= 4
    entries[2].write_bytes(entries[3].read_bytes())  # another chunk's (valid) entry
    entries[0].write_bytes(entries[0].read_bytes()[:-9])  # truncated
    data = bytearray(entries[1].read_bytes())
    data[len(data) // 2] ^= 0xFF  # a flipped byte (header or instants: either is caught)
    entries[1].write_bytes(bytes(data))
    entries[3].write_bytes(b"GACHECK-CHUNK-1\n" + b"\xff" * 8)  # a header length far too big
    result = PrometheusClient(settings(lab.url, 6 * 3600), cache).range(
        QUERIES[0], window.start, window.end, 60)
    same(one_shot(lab.url, QUERIES[0], window), as_points(result))
    refetched = [c for c in result.record.chunks if c.source != "cache"]
    assert len(refetched) >= 3  # the foreign, truncated and oversized entries, at least
    rewritten = PrometheusClient(settings(lab.url, 6 * 3600), cache).range(
        QUERIES[0], window.start, window.end, 60)
    assert [c.source for c in rewritten.record.chunks[:-1]] == ["cache"] * (
        len(rewritten.record.chunks) - 1)


def comparable(audit: dict) -> list[dict]:
    """Gates without what may differ between runs: timing and where chunks came from."""
    gates = []
    for gate in audit["gates"]:
        gate = {k: v for k, v in gate.items() if k != "duration_s"}
        evidence = dict(gate["evidence"])
        evidence["queries"] = [{k: v for k, v in q.items() if k != "chunks"}
                               for q in evidence["queries"]]
        gate["evidence"] = evidence
        gates.append(gate)
    return gates


def test_cached_and_uncached_evaluations_write_identical_audits(promlab, tmp_path, run_cli):
    lab = promlab("sustained_breach")
    config = tmp_path / "gates.toml"
    config.write_text(default_prometheus_gates(), encoding="utf-8")

    def evaluate(name: str, *cache: str) -> dict:
        out = tmp_path / name
        done = run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path),
                       "--prometheus-url", lab.url, "--at", lab.end.isoformat(),
                       "--output-dir", str(out), *cache)
        assert done.code == 1, done.err
        return json.loads((out / "latest.json").read_text(encoding="utf-8"))

    uncached = evaluate("uncached", "--no-cache")
    cold = evaluate("cold", "--cache-dir", str(tmp_path / "cache"))
    warm = evaluate("warm", "--cache-dir", str(tmp_path / "cache"))
    assert comparable(uncached) == comparable(cold) == comparable(warm)
    sources = {c["source"] for g in warm["gates"] for q in g["evidence"]["queries"]
               for c in q["chunks"]}
    assert "cache" in sources
    assert not any(q["chunks"] and {c["source"] for c in q["chunks"]} != {"prometheus"}
                   for g in cold["gates"] for q in g["evidence"]["queries"])
    default = evaluate("default")  # the user's cache dir: XDG_CACHE_HOME (a tmp dir here)
    assert comparable(default) == comparable(uncached)
    assert list(Path(__import__("os").environ["XDG_CACHE_HOME"]).rglob("*.chunk"))


def test_each_answer_is_freed_when_used_not_when_the_garbage_collector_runs(promlab):
    """A week of 1,000 series kept 196 MiB of answers alive through a reference cycle per
    response; with the collector off, every response must already be gone."""
    import gc
    import weakref

    lab = promlab("sustained_breach")
    window = range_window(lab.end, 20 * 3600, 60, 11000)
    prom = PrometheusClient(settings(lab.url, 3600))  # 21 pieces, 3 at a time
    seen: list[weakref.ref] = []
    prom.session.hooks["response"].append(lambda response, **_: seen.append(weakref.ref(response)))
    gc.collect()
    gc.disable()
    try:
        prom.instant("up", lab.end)
        prom.range(QUERIES[0], window.start, window.end, window.step_s)
        alive = [ref for ref in seen if ref() is not None]
    finally:
        gc.enable()
    assert len(seen) >= 22
    # at most the last answer of each thread (the caller's, and a worker's not yet ended)
    assert len(alive) <= 4, f"{len(alive)} of {len(seen)} answers still held"


def test_an_evaluation_returns_with_its_cache_entries_on_disk(promlab, tmp_path, run_cli,
                                                              monkeypatch):
    """Entries are written on the cache's own thread; a slow disk must not leave any of them
    unwritten when the evaluation returns: the next one finds every closed chunk."""
    import time

    lab = promlab("sustained_breach")
    original = ChunkCache.write
    writes: list[str] = []

    def slow_disk(self, key, block):  # type: ignore[no-untyped-def]
        time.sleep(0.05)
        original(self, key, block)
        writes.append(key)

    monkeypatch.setattr(ChunkCache, "write", slow_disk)
    stored: list[str] = []
    store = ChunkCache.store
    monkeypatch.setattr(ChunkCache, "store",
                        lambda self, key, block: (stored.append(key), store(self, key, block)))
    config = tmp_path / "gates.toml"
    config.write_text(default_prometheus_gates(), encoding="utf-8")

    def evaluate(name: str) -> dict:
        out = tmp_path / name
        run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path), "--prometheus-url",
                lab.url, "--at", lab.end.isoformat(), "--output-dir", str(out), "--cache-dir",
                str(tmp_path / "cache"))
        return json.loads((out / "latest.json").read_text(encoding="utf-8"))

    first = evaluate("first")
    entries = sorted((tmp_path / "cache").rglob("*.chunk"))
    assert len(stored) >= 5 and sorted(writes) == sorted(stored)  # all written on return
    assert len(entries) == len(set(stored))
    second = evaluate("second")
    assert comparable(first) == comparable(second)
    pieces = [[c["source"] for c in q["chunks"]] for g in second["gates"]
              for q in g["evidence"]["queries"] if len(q["chunks"]) > 1]
    assert pieces and all(set(p[:-1]) == {"cache"} for p in pieces), pieces


def test_a_first_evaluation_asks_only_for_its_window_and_a_longer_one_completes_the_entry(
        promlab, tmp_path):
    lab = promlab("sustained_breach")
    cache = ChunkCache(tmp_path / "cache")
    short = range_window(lab.end, 20 * 3600, 60, 11000)
    long = range_window(lab.end, 40 * 3600, 60, 11000)
    from tests.prometheus.recording_proxy import RecordingProxy

    with RecordingProxy(lab.url) as proxy:
        PrometheusClient(settings(proxy.url, 6 * 3600), cache).range(
            QUERIES[0], short.start, short.end, 60)
    starts = [float(r.params["start"][0]) for r in proxy.requests if "start" in r.params]
    assert min(starts) == short.start.timestamp()  # not the chunk's start: no more asked
    # a longer window over the same query needs the stored first chunk's earlier instants
    longer = PrometheusClient(settings(lab.url, 6 * 3600), cache).range(
        QUERIES[0], long.start, long.end, 60)
    same(one_shot(lab.url, QUERIES[0], long), as_points(longer))
    again = PrometheusClient(settings(lab.url, 6 * 3600), cache).range(
        QUERIES[0], short.start, short.end, 60)
    same(one_shot(lab.url, QUERIES[0], short), as_points(again))
    assert [c.source for c in again.record.chunks[:-1]] == ["cache"] * (
        len(again.record.chunks) - 1)


@pytest.mark.parametrize("hours", [24, 48])
def test_filling_an_empty_cache_sends_the_requests_of_an_uncached_query(promlab, tmp_path, hours):
    """The evaluation that fills the cache is no dearer for Prometheus than ``--no-cache``:
    the same requests (pieces cut from the window's start), split into chunks on arrival."""
    from tests.prometheus.recording_proxy import RecordingProxy

    lab = promlab("sustained_breach")
    window = range_window(lab.end, hours * 3600, 60, 11000)

    def spans(proxy: RecordingProxy, cache: ChunkCache | None) -> list[tuple[str, str]]:
        proxy.requests.clear()
        result = PrometheusClient(settings(proxy.url, 6 * 3600), cache).range(
            QUERIES[0], window.start, window.end, 60)
        same(one_shot(lab.url, QUERIES[0], window), as_points(result))
        return sorted((r.params["start"][0], r.params["end"][0]) for r in proxy.requests
                      if "start" in r.params)

    with RecordingProxy(lab.url) as proxy:  # one URL: the cache's entries are per backend
        uncached = spans(proxy, None)
        assert len(uncached) == hours // 6 + 1  # 6h pieces of 360 instants, and the last one
        assert spans(proxy, ChunkCache(tmp_path / "cache")) == uncached
        again = spans(proxy, ChunkCache(tmp_path / "cache"))
    assert len(again) == 1 and float(again[0][1]) == window.end.timestamp()  # the open chunk
