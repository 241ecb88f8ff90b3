"""``stream_timing``: time to first token and the gaps between tokens, per stream."""

from __future__ import annotations

from gacheck.core.models import Status

GATE = """
id = "streams"
kind = "stream_timing"
title = "Streaming"
token_env = "FACADE_TOKEN"
streams = 2
"""


def test_each_stream_has_its_timing_as_evidence(run_gate, repo, standin) -> None:
    standin.behaviour.first_token_s = 0.05
    result = run_gate(GATE + 'max_gap_p95 = "2s"\n', repo, standin.url)
    assert result.status is Status.PASS, result.message
    streams = result.evidence.details["streams"]
    assert [s["name"] for s in streams] == ["stream 1", "stream 2"]
    for one in streams:
        assert one["chunks"] == 7 and one["token_chunks"] == 5 and one["completed"]
        assert one["ttft_ms"] >= 50  # the server held the first token back 50 ms
        assert one["gap_p50_ms"] <= one["gap_p95_ms"] <= one["gap_max_ms"] <= one["total_ms"]
    assert result.value == max(s["ttft_ms"] for s in streams) / 1000


def test_a_long_pause_between_tokens_fails_the_gap_limit(run_gate, repo, standin) -> None:
    standin.behaviour.chunk_gaps_s = (0.0, 0.0, 0.4)
    result = run_gate(GATE + 'max_gap = "200ms"\n', repo, standin.url)
    assert result.status is Status.FAIL
    assert [f.message.split(":")[0] for f in result.evidence.findings] == ["stream 1",
                                                                           "stream 2"]
    assert "gap_max" in result.evidence.findings[0].message


def test_gaps_cannot_be_judged_on_one_token(run_gate, repo, standin) -> None:
    standin.behaviour.words = ("ready",)
    result = run_gate(GATE + 'max_gap = "1s"\n', repo, standin.url)
    assert result.status is Status.ERROR
    assert "no gaps to judge" in result.message
    # control: without a gap limit one token is a complete answer
    result = run_gate(GATE, repo, standin.url)
    assert result.status is Status.PASS, result.message


def test_a_refused_stream_is_an_error(run_gate, repo, standin) -> None:
    standin.behaviour.deny_words = ("count",)  # the default prompt is denied
    result = run_gate(GATE, repo, standin.url)
    assert result.status is Status.ERROR
    assert "PermissionDeniedError (HTTP 403)" in result.message
