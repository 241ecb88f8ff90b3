"""A Prometheus that misbehaves gets a gate ``error`` naming what went wrong: never a pass, a
traceback, a hang past ``[prometheus].timeout``, or memory exhausted by its answer."""

from __future__ import annotations

import pytest

from gacheck.core.models import Status
from tests.faults.fault_server import Fault, FaultServer
from tests.faults.fault_setup import PROMETHEUS_GATE

EXPECTED = {
    "status_503": "answered HTTP 503 Service Unavailable",
    "status_500_json": "Prometheus error (internal, HTTP 500): boom",
    "truncated_body": "broke off its answer before the end (truncated body)",
    "truncated_json": "did not answer like Prometheus (unexpected response body)",
    "hang": "did not answer within 1s ([prometheus].timeout)",
    "trickle": "did not answer within 1s ([prometheus].timeout)",
    "error_on_200": "Prometheus answered status 'error' (execution) on HTTP 200: query processing",
    "not_json": "did not answer like Prometheus (unexpected response body)",
    "wrong_shape": "did not answer like Prometheus (a result of the wrong shape)",
    "deep_json": "did not answer like Prometheus (a body nested too deeply to read)",
}


def test_a_healthy_answer_passes(run_gate, server: FaultServer) -> None:
    """Control: the fake answers like Prometheus, and a healthy SLI passes."""
    result = run_gate()
    assert result.status is Status.PASS, result.message


STALLING = ("hang", "trickle")
QUICK_TIMEOUT = PROMETHEUS_GATE.replace('timeout = "3s"', 'timeout = "1s"')
"""For the faults that stall: what is tested is that the query's time limit stops them, and
each waits the limit plus the 2 s of reading the client adds."""


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_each_fault_is_an_error_that_says_what_happened(
    run_gate, server: FaultServer, fault: str
) -> None:
    server.fault = Fault(fault, hang_s=15)
    result = run_gate(QUICK_TIMEOUT if fault in STALLING else None)

    assert result.status is Status.ERROR
    assert EXPECTED[fault] in result.message
    assert "internal error" not in result.message
    assert "(query: sum(rate(errors_total[5m])))" in result.message


@pytest.mark.parametrize("fault", ["hang", "status_503", "truncated_body"])
def test_faults_in_the_probe_name_prometheus_once(run_gate, server: FaultServer, fault: str) -> None:
    server.fault = Fault(fault, probe_too=True, hang_s=15)
    result = run_gate(QUICK_TIMEOUT if fault in STALLING else None)

    assert result.status is Status.ERROR
    assert "Prometheus" in result.message and "internal error" not in result.message


def test_a_gzip_bomb_is_refused_at_the_cap_without_exhausting_memory(
    run_isolated, server: FaultServer
) -> None:
    """1 MB on the wire, 1 GiB decompressed: the child may not use more than 2 GiB of address
    space, so reading the whole bomb (the old behaviour: 10.5 GB) fails this test."""
    server.fault = Fault("gzip_bomb")
    # time enough to reach the cap however busy the machine: with the default 3s per query,
    # a loaded machine said "did not answer within 3s" before it had decompressed 256 MiB
    roomy = (PROMETHEUS_GATE.replace('timeout = "3s"', 'timeout = "60s"')
             .replace('timeout = "20s"', 'timeout = "120s"'))
    done = run_isolated(config=roomy, memory=2 * 1024**3)

    (gate,) = done.gates
    assert gate["status"] == "error", done.stderr
    assert "body too large: more than 256 MiB after decompression ([prometheus].max_body)" \
        in gate["message"]
    assert "Traceback" not in done.stderr
    # three bombed queries read side by side share one budget (it was 3 x 256 MiB)
    assert 0 < done.peak_rss_mb < 500, done.peak_rss_mb


def test_the_body_cap_is_configurable(run_gate, server: FaultServer) -> None:
    server.fault = Fault("ok")
    config = PROMETHEUS_GATE.replace("retries = 0", 'retries = 0\nmax_body = "1KiB"')
    server.fault = Fault("huge", huge_bytes=64 * 1024)
    result = run_gate(config)

    assert result.status is Status.ERROR
    assert "body too large: more than 1 KiB after decompression" in result.message


SIX_HOURS_AT_2S = (PROMETHEUS_GATE.replace('window = "1h"', 'window = "6h"')
                   .replace('step = "60s"', 'step = "2s"')
                   .replace('timeout = "20s"', 'timeout = "240s"')
                   .replace('timeout = "3s"', 'timeout = "120s"'))


@pytest.mark.slow
def test_a_valid_200_mb_answer_is_judged_within_500_mb(run_isolated, server: FaultServer) -> None:
    """700 series x 10,800 samples: one 6h piece of 211 MB, under the 256 MiB cap, so it is
    read and judged. It used to take 2.1 GB (a Python object per sample); the piece is now
    decoded a series at a time and trimmed with views. RLIMIT_AS 3 GiB guards the machine;
    the figure that matters is the peak RSS."""
    server.fault = Fault("huge", huge_series=700, huge_query="errors_total")
    done = run_isolated(config=SIX_HOURS_AT_2S)

    (gate,) = done.gates
    assert "Traceback" not in done.stderr
    assert gate["status"] == "pass", gate["message"]
    assert "700" not in gate["message"] or "series" not in gate["message"]
    assert 0 < done.peak_rss_mb < 500, done.peak_rss_mb


@pytest.mark.slow
def test_a_flood_of_series_is_refused_before_it_is_decoded(
    run_isolated, server: FaultServer
) -> None:
    """200 MB of one-sample series (about three million) on every range query: counted in the
    raw bytes and refused at ``[prometheus].max_series``, instead of gigabytes of decoded
    series and minutes judging each."""
    server.fault = Fault("huge", huge_bytes=200 * 1024**2)
    done = run_isolated(config=SIX_HOURS_AT_2S)

    (gate,) = done.gates
    assert "Traceback" not in done.stderr
    assert gate["status"] == "error"
    assert "the answer has more than 10,000 series ([prometheus].max_series)" in gate["message"]
    assert 0 < done.peak_rss_mb < 500, done.peak_rss_mb


def test_max_series_is_configurable_and_a_control_passes(run_gate, server: FaultServer) -> None:
    """Control: 3 series pass under the default; with ``max_series = 2`` the same is refused."""
    server.fault = Fault("huge", huge_series=3)
    assert run_gate().status is Status.PASS

    result = run_gate(PROMETHEUS_GATE.replace("retries = 0", "retries = 0\nmax_series = 2"))
    assert result.status is Status.ERROR
    assert "the answer has more than 2 series ([prometheus].max_series): aggregate the query" \
        in result.message
