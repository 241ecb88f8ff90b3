"""A valid answer of about 200 MB, under ``[prometheus].max_body``, is judged within 500 MB
whatever its shape (issue 23, item 2): one series of 10 million samples, 700 series of 10,800,
10,000 series of 750. Each runs ``gacheck evaluate`` in a child process that reports its own
peak (VmHWM), with the fault server's answer on the gate's range query."""

from __future__ import annotations

import pytest

from tests.faults.fault_server import Fault, FaultServer
from tests.faults.fault_setup import PROMETHEUS_GATE

SIX_HOURS_AT_2S = (PROMETHEUS_GATE.replace('window = "1h"', 'window = "6h"')
                   .replace('step = "60s"', 'step = "2s"')
                   .replace('timeout = "20s"', 'timeout = "240s"')
                   .replace('timeout = "3s"', 'timeout = "120s"'))
NOT_YET = pytest.mark.xfail(strict=False, reason=(
    "issue 23 item 2, left open: the body is still held whole while it is decoded (one series "
    "of 10M: 2,238 -> 569 MB), and 10,000 sparse series peak at 1.2-1.3 GB in the merge and "
    "the judging; a streaming decode of the body is what is left"))
SHAPES = {
    "1 series x 10M samples": Fault("huge", huge_series=1, huge_samples=10_000_000,
                                    huge_query="errors_total"),
    "700 series x 10,800": Fault("huge", huge_series=700, huge_query="errors_total"),
    "10,000 series x 750": Fault("huge", huge_series=10_000, huge_samples=750,
                                 huge_query="errors_total"),
}


@pytest.mark.slow
@pytest.mark.parametrize("shape", [
    pytest.param(name, marks=NOT_YET) if not name.startswith("700") else name
    for name in sorted(SHAPES)])
def test_a_200_mb_answer_of_any_shape_is_judged_within_500_mb(
    run_isolated, server: FaultServer, shape: str
) -> None:
    server.fault = SHAPES[shape]
    done = run_isolated(config=SIX_HOURS_AT_2S)

    (gate,) = done.gates
    print(f"{shape}: peak {done.peak_rss_mb:.0f} MB, {gate['status']}: {gate['message'][:100]}")
    assert "Traceback" not in done.stderr
    # judged (sparse series read no_data: too few samples in the window), not refused
    assert gate["status"] in ("pass", "fail", "warn", "no_data"), gate["message"]
    assert 0 < done.peak_rss_mb < 500, done.peak_rss_mb
