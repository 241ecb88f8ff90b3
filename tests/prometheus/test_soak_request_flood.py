"""A start time of 0 does not flood Prometheus (issue 23, item 3).

A real Prometheus holds 50h of a target whose exporter reports ``process_start_time_seconds``
= 0. The soak gate used to read that as a 56-year soak and page its coverage query back to
1970: thousands of range queries until its time limit. It is a broken exporter: ``error``,
saying so, after the three requests that read the start. Controls: a healthy 50h soak sends the
same requests as before; a request budget stops any gate that would send more than
``[prometheus].max_requests_per_gate``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from gacheck.core.models import Status
from gacheck.promlab.series import Family, Series
from gacheck.promlab.server import PrometheusServer
from gacheck.promlab.tsdb import build_tsdb, require, write_openmetrics
from tests.prometheus.helpers import context, result
from tests.prometheus.recording_proxy import RecordingProxy

HOURS = 50
GATE = """
[settings]
window = "48h"
step = "60s"

[[gates]]
id = "soak"
kind = "soak_duration"
title = "Soak"
selector = '{job="broken"}'
timeout = "30s"
"""


@pytest.fixture(scope="module")
def zero_start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, datetime]]:
    """A real Prometheus with 50h of ``up`` = 1 and ``process_start_time_seconds`` = 0."""
    require("promtool")
    require("prometheus")
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    last = int(end.timestamp())
    stamps = np.arange(last - HOURS * 3600, last + 1, 60, dtype=np.int64)
    labels = {"job": "broken", "instance": "b:9100"}
    ancient = {"job": "ancient", "instance": "a:9100"}  # "started" 400 days ago
    year_ago = np.full_like(stamps, last - 400 * 86400)
    families = [
        Family("up", "gauge", "scraped", (Series("up", labels, stamps, np.ones_like(stamps)),
                                          Series("up", ancient, stamps, np.ones_like(stamps)))),
        Family("process_start_time_seconds", "gauge", "start", (
            Series("process_start_time_seconds", labels, stamps, np.zeros_like(stamps)),
            Series("process_start_time_seconds", ancient, stamps, year_ago))),
    ]
    work = tmp_path_factory.mktemp("zero-start")
    build_tsdb(write_openmetrics(families, work / "om"), work / "data")
    with PrometheusServer(work / "data", work) as server:
        yield server.url, end


def _requests(proxy: RecordingProxy) -> Counter[str]:
    return Counter(r.path for r in proxy.requests)


def test_a_start_time_of_zero_is_a_broken_exporter_not_a_56_year_soak(
    zero_start: tuple[str, datetime], tmp_path: Path
) -> None:
    url, end = zero_start
    with RecordingProxy(url) as proxy:
        gate = result(context(tmp_path, proxy.url, end, GATE))
        sent = _requests(proxy)

    print(f"requests for a start time of 0: {dict(sent)}")
    assert gate.status is Status.ERROR, gate.message
    assert "start time 0 (1970-01-01)" in gate.message
    assert "broken exporter" in gate.message
    assert sum(sent.values()) <= 3, sent  # the probe, the start now, the starts in the window
    assert sent["/api/v1/query_range"] == 0


def test_a_start_before_a_history_that_holds_the_window_is_a_note_not_a_400_day_query(
    zero_start: tuple[str, datetime], tmp_path: Path
) -> None:
    """400 days of soak on a TSDB of 50h: the start is checked against Prometheus' lowest
    timestamp (its ``/metrics``) instead of driving a 400-day coverage query. The 50h hold
    the 48h look-back window, so the window is evidenced and the older start is a note."""
    url, end = zero_start
    with RecordingProxy(url) as proxy:
        gate = result(context(tmp_path, proxy.url, end, GATE.replace("broken", "ancient")))
        sent = _requests(proxy)

    assert gate.status is Status.PASS, gate.message
    assert any("before the oldest sample Prometheus holds" in n for n in gate.evidence.notes)
    assert sent["/api/v1/query"] == 3 and sent["/metrics"] == 1, sent
    # the 48h window and its 12h margin in 6h pieces (11 with the partial one), not 400 days
    assert sent["/api/v1/query_range"] <= 11, sent


def test_a_start_before_a_history_shorter_than_the_window_is_an_error(
    zero_start: tuple[str, datetime], tmp_path: Path
) -> None:
    """Prometheus holds 50h; a 72h look-back window cannot be confirmed by it."""
    url, end = zero_start
    gate_text = GATE.replace("broken", "ancient").replace('title = "Soak"',
                                                           'title = "Soak"\nwindow = "72h"')
    with RecordingProxy(url) as proxy:
        gate = result(context(tmp_path, proxy.url, end, gate_text))
        sent = _requests(proxy)

    assert gate.status is Status.ERROR, gate.message
    assert "before the oldest sample Prometheus holds" in gate.message
    assert "less than the 72h look-back window" in gate.message
    assert sent == Counter({"/api/v1/query": 3, "/metrics": 1}), sent


def test_a_healthy_50h_soak_sends_the_same_requests_as_before(promlab, tmp_path: Path) -> None:
    lab = promlab("healthy")  # the façade runs for 50h
    gates = GATE.replace('{job="broken"}', '{job="lukhas-facade"}')
    with RecordingProxy(lab.url) as proxy:
        gate = result(context(tmp_path, proxy.url, lab.end, gates))
        sent = _requests(proxy)

    assert gate.status is Status.PASS, gate.message
    assert gate.value == pytest.approx(timedelta(hours=50).total_seconds(), abs=120)
    assert sent == Counter({"/api/v1/query": 3, "/api/v1/query_range": 9}), sent
