"""``python peak_run.py ARGS...``: run ``gacheck ARGS`` in this process, then print its peak
resident memory as ``peak_rss_mb=N`` on stderr (the last line), so a test or a benchmark can
read what one evaluation cost."""

from __future__ import annotations

import resource
import sys

from gacheck import cli

if __name__ == "__main__":
    try:
        code = cli.main(sys.argv[1:])
    finally:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak_rss_mb={peak_kb / 1024:.0f}", file=sys.stderr, flush=True)
    raise SystemExit(code)
