"""``gacheck site`` over two years of daily audits (issue 22): build time and size.

Generates 730 daily audits (``gacheck.promlab.audit_history``: six gates, partial audits every
10th day, findings on the code gates), then builds the site in a fresh process, twice (the
second over the first: pages rewritten, none left behind), and prints the time, the number of
files and their size. Budgets: 60 s and 100 MB on the 2-core machine; the load average is
printed with the figures (the machine is shared).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gacheck.promlab.audit_history import write_history  # noqa: E402

DAYS = int(os.environ.get("SITE_DAYS", "730"))
BUDGET_S = 60.0
BUDGET_MB = 100.0


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gacheck-site-bench-") as work:
        audits, out = Path(work) / "audits", Path(work) / "site"
        started = time.monotonic()
        write_history(audits, DAYS, datetime.now(UTC) - timedelta(minutes=5))
        print(f"generated {DAYS} days in {time.monotonic() - started:.1f}s")
        ok = True
        for attempt in (1, 2):
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "gacheck", "site", "--audits", str(audits),
                            "--out", str(out)], check=True, cwd=Path(__file__).parents[1],
                           stderr=subprocess.DEVNULL)
            took = time.monotonic() - started
            count, size = _size(out)
            largest = max((p.stat().st_size for p in out.rglob("*.html")), default=0)
            print(f"build {attempt}: {took:.1f}s, {count} files, {size / 1e6:.1f} MB "
                  f"(largest page {largest / 1e3:.0f} kB); load {os.getloadavg()[0]:.1f}")
            ok = ok and took <= BUDGET_S and size / 1e6 <= BUDGET_MB
    print("within budget" if ok else f"OVER BUDGET ({BUDGET_S:g}s, {BUDGET_MB:g} MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
