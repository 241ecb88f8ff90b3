"""promlab: a real Prometheus with generated, LUKHAS-shaped history, for tests, demo and bench.

- ``model``: what a history is made of (traffic, latency profiles, restarts, gaps, alerts).
- ``scenarios``: named histories and what a correct gate concludes about each.
- ``generate``: a plan to series (seeded numpy arrays).
- ``openmetrics``: streamed OpenMetrics text; ``tsdb``: files and ``promtool`` import.
- ``server``: the ``prometheus`` binary on a free 127.0.0.1 port, always stopped.
- ``lab``: all of it in one context manager, ``running_scenario``.
"""
