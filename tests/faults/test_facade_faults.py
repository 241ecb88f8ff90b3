"""A façade that misbehaves fails its smoke check with the reason, within the check's own
limits: bodies are capped after decompression, a trickle stops at the latency limit."""

from __future__ import annotations

import pytest

from gacheck.core.models import Status
from tests.faults.fault_server import Fault, FaultServer

SMOKE = """
[[gates]]
id = "facade_smoke"
kind = "http_smoke"
title = "Façade smoke"
timeout = "60s"
retries = 0

[[gates.checks]]
name = "models"
path = "/v1/models"
max_latency = "{latency}"
stream = {stream}
expect_json = [{{ path = "data", non_empty_list = true }}]
"""


def smoke(latency: str = "3s", stream: bool = False) -> str:
    return SMOKE.format(latency=latency, stream=str(stream).lower())


def failures(result) -> list[str]:  # type: ignore[no-untyped-def]
    (check,) = result.evidence.details["checks"]
    return check["failures"]


def test_a_healthy_facade_passes(run_gate, server: FaultServer) -> None:
    result = run_gate(smoke())
    assert result.status is Status.PASS, result.message


EXPECTED = {
    "gzip_bomb": "body too large: more than 4 MiB after decompression",
    "huge": "body too large: more than 4 MiB after decompression",
    "deep_json": "body is JSON nested too deeply to read",
    "status_503": "status 503, expected 200",
    "truncated_json": "body is not JSON",
    "not_json": "body is not JSON",
    "hang": "no complete answer within 1s",
    "trickle": "no complete answer within 1s",
}


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_each_fault_fails_the_check_with_its_reason(
    run_gate, server: FaultServer, fault: str
) -> None:
    server.fault = Fault(fault, hang_s=30, huge_bytes=16 * 1024**2)
    # the latency limit is the reason only for the faults that stall (1 s: each waits for it);
    # for the others it is generous, so that on a busy machine reading 16 MiB never races it
    # to be the reason
    result = run_gate(smoke(latency="1s" if fault in ("hang", "trickle") else "30s"))

    assert result.status is Status.FAIL, result.message
    assert any(EXPECTED[fault] in reason for reason in failures(result)), failures(result)
    assert "internal error" not in result.message


def test_sse_bytes_trickled_without_a_newline_stop_at_the_check_limit(
    run_gate, server: FaultServer
) -> None:
    """The gate may run 20 s, the check allows 1 s, the server trickles for 45 s. Reading line
    by line waited for a newline that never came, so only the gate's own timeout stopped it."""
    server.fault = Fault("sse_trickle", hang_s=45)
    result = run_gate(smoke(latency="1s", stream=True).replace('timeout = "60s"',
                                                               'timeout = "20s"'))

    assert result.status is Status.FAIL, result.message
    assert "stream still open at the latency limit" in failures(result)
