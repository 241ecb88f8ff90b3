"""What the fault tests share besides fixtures: the instant, the Prometheus gate, the root."""

from __future__ import annotations

from pathlib import Path

from tests.support.clock import day, on

ROOT = Path(__file__).resolve().parents[2]
# Yesterday, 12:00 UTC: in the past (the CLI refuses a future --at) and on the 6-hour grid of the
# chunk cache, so that a 6h window ends with a piece of one instant (the flood test's premise:
# "one-sample series on every range query" is that piece).
AT = on(day(1), "12:00")
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
