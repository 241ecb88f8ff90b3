"""What the fault tests share besides fixtures: the instant, the Prometheus gate, the root."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PROMETHEUS_GATE = """
[settings]
window = "1h"
step = "60s"
timeout = "20s"

[prometheus]
timeout = "3s"
retries = 0

[[gates]]
id = "error_rate"
kind = "promql_sustained"
title = "Error rate"
unit = "ratio"
query = 'sum(rate(errors_total[5m]))'
threshold = { max = "1%" }
"""
