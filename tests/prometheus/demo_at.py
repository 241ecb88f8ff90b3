"""``python -m tests.prometheus.demo_at END ARGS...``: ``gacheck ARGS`` in this process, its
clock reading END (ISO 8601) and its lab history built through the lab cache
(``tests/prometheus/lab_cache.py``), for the tests that run ``gacheck demo`` in a process of
its own (to send it signals). ``gacheck demo`` builds a history ending "now": with the clock at
the run's lab end, every demo of a run shares one build."""

from __future__ import annotations

import sys
from datetime import datetime

from gacheck import cli
from gacheck.core import timeparse
from gacheck.promlab import lab
from tests.prometheus.lab_cache import build_cached


def main(argv: list[str]) -> int:
    end = datetime.fromisoformat(argv[0])
    lab.build_scenario = build_cached
    timeparse.now = lambda: end
    return cli.main(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
