"""An exporter that reports a NaN, infinite or out-of-calendar process start time makes the soak
gate a clear ``error``, never "internal error in gate kind" (and never a pass)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.prometheus.canned import Answer, CannedPrometheus, vector
from tests.prometheus.helpers import context, result

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
GATE = """
[[gates]]
id = "soak"
kind = "soak_duration"
title = "Soak"
"""
OK_PROBE = Answer(body=vector(({}, AT.timestamp(), "1")))
LABELS = {"__name__": "process_start_time_seconds", "job": "lukhas-facade", "instance": "a:9"}


@pytest.mark.parametrize("start", ["NaN", "+Inf", "-Inf", "1e20", "-5"])
def test_an_impossible_start_time_is_a_clear_error(tmp_path, start) -> None:
    starts = Answer(body=vector((LABELS, AT.timestamp(), start)))
    recent = Answer(body={"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": LABELS, "values": [[AT.timestamp() - 60, start], [AT.timestamp(), start]]}]}})
    with CannedPrometheus([OK_PROBE, starts, recent]) as server:
        gate = result(context(tmp_path, server.url, AT, GATE))
    assert gate.status.value == "error"
    assert "internal error" not in gate.message
    assert "process_start_time_seconds" in gate.message and "a:9" in gate.message
    assert gate.evidence.queries  # the queries to look at it again are kept


def test_a_plausible_start_time_is_still_measured(tmp_path) -> None:
    """Control: a start 50h ago is a 50h soak (the up query gets an empty answer: no coverage)."""
    start = str(AT.timestamp() - 50 * 3600)
    starts = Answer(body=vector((LABELS, AT.timestamp(), start)))
    recent = Answer(body={"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": LABELS, "values": [[AT.timestamp(), start]]}]}})
    up = Answer(body={"status": "success", "data": {"resultType": "matrix", "result": []}})
    with CannedPrometheus([OK_PROBE, starts, recent, up]) as server:
        gate = result(context(tmp_path, server.url, AT, GATE))
    assert gate.value == pytest.approx(50 * 3600)
    assert "internal error" not in gate.message
