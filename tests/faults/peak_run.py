"""``python peak_run.py ARGS...``: run ``gacheck ARGS`` in this process, then print its peak
resident memory as ``peak_rss_mb=N`` on stderr (the last line), so a test or a benchmark can
read what one evaluation cost."""

from __future__ import annotations

import sys

from gacheck import cli


def peak_kib() -> int:
    """This process's own peak (VmHWM). Not ``ru_maxrss``: Linux carries that over fork and
    exec, so a child of a large test process would report its parent's size."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    try:
        code = cli.main(sys.argv[1:])
    finally:
        print(f"peak_rss_mb={peak_kib() / 1024:.0f}", file=sys.stderr, flush=True)
    raise SystemExit(code)
