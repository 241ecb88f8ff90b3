"""From generated series to a Prometheus TSDB: OpenMetrics files, then ``promtool``.

``promtool tsdb create-blocks-from openmetrics`` re-reads its whole input once per 2-hour
block, so a week in one file would be parsed 84 times. The history is therefore written in
files of one block each (2 hours, aligned as promtool aligns blocks), each parsed once, and
the files are imported two at a time.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from gacheck.collectors.process import run
from gacheck.core.errors import GacheckError
from gacheck.core.models import CommandRecord
from gacheck.promlab.openmetrics import OpenMetricsWriter
from gacheck.promlab.series import Family

CHUNK_SECONDS = 2 * 3600  # promtool's block length: one file, one block, one parse
INSTALL_HINT = "install the Debian package: apt-get install prometheus (it has promtool too)"


class PromlabError(GacheckError):
    """The lab could not build or run its Prometheus (missing binary, failed start)."""


def require(binary: str) -> str:
    """The path of ``prometheus``/``promtool``, or one clear error saying how to get it."""
    path = shutil.which(binary)
    if path is None:
        raise PromlabError(f"{binary} is not installed or not on PATH; {INSTALL_HINT}")
    return path


def write_openmetrics(families: Sequence[Family], directory: Path,
                      chunk_seconds: int = CHUNK_SECONDS) -> list[Path]:
    """Write the families as OpenMetrics files of at most ``chunk_seconds`` each."""
    directory.mkdir(parents=True, exist_ok=True)
    stamps = [s.timestamps for f in families for s in f.series if len(s.timestamps)]
    if not stamps:
        raise PromlabError("the generated history has no samples")
    first = min(int(t[0]) for t in stamps)
    last = max(int(t[-1]) for t in stamps)
    paths = []
    for start in range(first - first % chunk_seconds, last + 1, chunk_seconds):
        path = directory / f"history-{start}.om"
        with path.open("w", encoding="utf-8", newline="\n") as out:
            writer = OpenMetricsWriter(out)
            for family in families:
                _write_family(writer, family, start, start + chunk_seconds)
            writer.close()
        if writer.samples_written:
            paths.append(path)
        else:
            path.unlink()
    return paths


def _write_family(writer: OpenMetricsWriter, family: Family, start: int, stop: int) -> None:
    opened = False
    for series in family.series:
        lo, hi = np.searchsorted(series.timestamps, [start, stop])
        if lo == hi:
            continue
        if not opened:
            writer.family(family.name, family.kind, family.help_text)
            opened = True
        writer.series(series.name, series.labels, series.timestamps[lo:hi].tolist(),
                      series.values[lo:hi].tolist())


def build_tsdb(inputs: Sequence[Path], data_dir: Path, timeout: float = 900.0,
               parallel: int = 2) -> list[CommandRecord]:
    """Import the OpenMetrics files into blocks under ``data_dir``; the commands run."""
    promtool = require("promtool")
    data_dir.mkdir(parents=True, exist_ok=True)

    def one(path: Path) -> CommandRecord:
        done = run([promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                    str(path), str(data_dir)], timeout=timeout)
        if done.exit_code != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PromlabError(f"promtool could not import {path.name}: {' '.join(tail)}")
        return done.record()

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return list(pool.map(one, inputs))
