"""A valid answer of about 200 MB, under ``[prometheus].max_body``, is judged within 500 MB
whatever its shape (issue 23, item 2): 700 series of 10,800 samples, 10,000 series of 750.
One series of 10 million samples cannot be a range query's answer (one sample per instant
asked at most: 10,800 here): it is refused, as an error that says so, within the same 500 MB.
A raw read (the alerts gate's ``ALERTS[6h]``) of 8 million samples, the most of that size
under the cap, is judged within the same 500 MB, with the chunk cache and without.
Each runs ``gacheck evaluate`` in a child process that reports its own peak (VmHWM), with the
fault server's answer on the gate's query."""

from __future__ import annotations

import re

import pytest

from tests.faults.fault_server import Fault, FaultServer
from tests.faults.fault_setup import PROMETHEUS_GATE

SIX_HOURS_AT_2S = (PROMETHEUS_GATE.replace('window = "1h"', 'window = "6h"')
                   .replace('step = "60s"', 'step = "2s"')
                   .replace('timeout = "20s"', 'timeout = "240s"')
                   .replace('timeout = "3s"', 'timeout = "120s"'))
JUDGED = {
    "700 series x 10,800": Fault("huge", huge_series=700, huge_query="errors_total"),
    "10,000 series x 750": Fault("huge", huge_series=10_000, huge_samples=750,
                                 huge_query="errors_total"),
}
IMPOSSIBLE = Fault("huge", huge_series=1, huge_samples=10_000_000, huge_past_end=True,
                   huge_query="errors_total")
"""One series of 10 M samples, one per step from the start asked, far past its end."""


@pytest.mark.slow
@pytest.mark.parametrize("shape", sorted(JUDGED))
def test_a_200_mb_answer_of_any_shape_is_judged_within_500_mb(
    run_isolated, server: FaultServer, shape: str
) -> None:
    server.fault = JUDGED[shape]
    done = run_isolated(config=SIX_HOURS_AT_2S)

    (gate,) = done.gates
    print(f"{shape}: peak {done.peak_rss_mb:.0f} MB, {gate['status']}: {gate['message'][:100]}")
    assert "Traceback" not in done.stderr
    # judged (sparse series read no_data: too few samples in the window), not refused
    assert gate["status"] in ("pass", "fail", "warn", "no_data"), gate["message"]
    assert 0 < done.peak_rss_mb < 500, done.peak_rss_mb

ALERTS_6H = """
[settings]
window = "6h"
timeout = "240s"

[prometheus]
timeout = "120s"
retries = 0

[[gates]]
id = "alerts"
kind = "alerts"
title = "No critical alert"
check_rules = false
"""
"""The alerts gate over 6 hours: its raw read of ``ALERTS[6h]`` gets the answer."""


@pytest.mark.slow
@pytest.mark.parametrize("cache", ["--no-cache", "--cache-dir"])
def test_a_raw_read_of_8m_samples_is_judged_within_500_mb(
    run_isolated, server: FaultServer, tmp_path, cache: str
) -> None:
    """One series of 8 M samples over the 6 hours (2 ms apart; about 216 MB): one request
    without a cache, two pieces with one (the second a millisecond long: one sample)."""
    server.fault = Fault("huge", huge_series=1, huge_samples=8_000_000, huge_query="ALERTS{")
    args = (cache,) if cache == "--no-cache" else (cache, str(tmp_path / "cache"))
    done = run_isolated(config=ALERTS_6H, args=args)

    (gate,) = done.gates
    print(f"raw read, {cache}: peak {done.peak_rss_mb:.0f} MB, {gate['status']}: "
          f"{gate['message'][:100]}")
    assert "Traceback" not in done.stderr
    assert gate["status"] == "fail", gate["message"]  # the one alert series fired
    assert "1 alert fired in the 6h window" in gate["message"], gate["message"]
    read = gate["evidence"]["queries"][0]
    # read whole (with the cache, the second piece, a millisecond long, adds its one sample)
    assert read["promql"].endswith("[6h]") and read["samples"] in (8_000_000, 8_000_001)
    assert 0 < done.peak_rss_mb < 500, done.peak_rss_mb


@pytest.mark.slow
def test_a_series_of_more_samples_than_instants_asked_is_an_error_within_500_mb(
    run_isolated, server: FaultServer
) -> None:
    server.fault = IMPOSSIBLE
    done = run_isolated(config=SIX_HOURS_AT_2S)

    (gate,) = done.gates
    print(f"1 series x 10M samples: peak {done.peak_rss_mb:.0f} MB, {gate['status']}: "
          f"{gate['message'][:160]}")
    assert "Traceback" not in done.stderr
    # fail-closed: evidence no Prometheus can give is an error, never a judgement
    assert gate["status"] == "error", gate["message"]
    # refused while it is read (or, had it been read whole, when decoded, with its count);
    # either piece of the window (10,800 instants and 1) may be the first refused
    assert re.search(r"did not answer like Prometheus \(a series has more samples "
                     r"(\(10,000,000\) )?than the query's (10,800 instants|1 instant)\)",
                     gate["message"]), gate["message"]
    assert 0 < done.peak_rss_mb < 500, done.peak_rss_mb


@pytest.mark.parametrize(("samples", "status"), [
    (None, "pass"),  # one sample at each of the 61 instants of 1h at 60s: the grid's count
    (58, "pass"),  # fewer samples than instants (95% coverage)
    (62, "error"),  # one more than the instants asked, past the end: no Prometheus sends it
])
def test_a_series_up_to_the_instants_asked_is_judged_one_more_is_an_error(
    run_gate, server: FaultServer, samples: int | None, status: str
) -> None:
    """Control for the bound: ``PROMETHEUS_GATE``'s window is one piece of 61 instants."""
    server.fault = Fault("huge", huge_series=2, huge_samples=samples, huge_past_end=True,
                         huge_query="errors_total")
    result = run_gate()

    assert result.status.value == status, result.message
    if status == "error":
        assert "a series has more samples than the query's 61 instants" in result.message
