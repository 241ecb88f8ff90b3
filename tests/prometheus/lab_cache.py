"""Lab histories built once: the TSDB blocks of each scenario, kept between runs and workers.

Building a scenario (generate the series, write OpenMetrics, import it with ``promtool``)
costs seconds of CPU per scenario, and the result depends only on the scenario, the instant
its history ends and the generator. ``build_cached`` is ``gacheck.promlab.lab.build_scenario``
with a cache: an entry is keyed by the scenario's name and a hash of its definition, the end
instant, the source of ``gacheck/promlab/`` (the generator), ``promtool --version`` and
``VERSION`` below; a changed generator is a new key, never a stale history.

Entries live in ``.pytest_cache/promlab/`` at the repository root (``GACHECK_TEST_LAB_CACHE``
names another folder). Each is built in a temporary folder and renamed into place, under a
lock file, so pytest-xdist workers that want the same scenario build it once and never read
half an entry. Each lab copies the blocks into its own data folder: Prometheus never runs on
the cache. Entries whose end is more than a day older than the newest are deleted.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import gacheck.promlab
from gacheck.core.models import CommandRecord
from gacheck.promlab import lab
from gacheck.promlab.scenarios import Scenario
from gacheck.promlab.tsdb import require
from tests.support.build_cache import locked

VERSION = 1
"""Bump when the layout of an entry changes."""
ROOT = Path(__file__).resolve().parents[2]
KEEP = timedelta(days=1)
_build_uncached = lab.build_scenario


def cache_dir() -> Path:
    given = os.environ.get("GACHECK_TEST_LAB_CACHE")
    return Path(given) if given else ROOT / ".pytest_cache" / "promlab"


@functools.cache
def generator_digest() -> str:
    """What the histories are made with: the promlab sources and promtool's version."""
    digest = hashlib.sha256(f"entry layout {VERSION}\n".encode())
    for path in sorted(Path(gacheck.promlab.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    version = subprocess.run([require("promtool"), "--version"], capture_output=True,
                             text=True, timeout=60)
    digest.update(version.stdout.encode())
    return digest.hexdigest()


def entry_name(scenario: Scenario, end: datetime) -> str:
    key = hashlib.sha256(f"{scenario!r}\n{end.isoformat()}\n{generator_digest()}".encode())
    return f"{scenario.name}-{end:%Y%m%dT%H%M%SZ}-{key.hexdigest()[:16]}"


def build_cached(scenario: Scenario, end: datetime,
                 workdir: Path) -> tuple[Path, int, list[CommandRecord]]:
    """``build_scenario``'s result, from the cache when the same history was built before."""
    require("promtool")
    require("prometheus")
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    entry = root / entry_name(scenario, end)
    if not entry.is_dir():
        with locked(root / f"{entry.name}.lock"):
            if not entry.is_dir():  # nobody built it while we waited for the lock
                _build(scenario, end, entry)
                _forget_old(root, end)
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    data_dir = workdir / "data"
    shutil.copytree(entry / "data", data_dir)
    return (data_dir, int(meta["samples"]),
            [CommandRecord.model_validate(c) for c in meta["commands"]])


def _build(scenario: Scenario, end: datetime, entry: Path) -> None:
    scratch = Path(tempfile.mkdtemp(prefix=f".tmp-{entry.name}-", dir=entry.parent))
    try:
        data_dir, samples, commands = _build_uncached(scenario, end, scratch)
        if data_dir != scratch / "data":
            raise RuntimeError(f"build_scenario wrote its TSDB to {data_dir}, not {scratch}/data")
        meta = {"scenario": scenario.name, "end": end.isoformat(), "samples": samples,
                "commands": [c.model_dump(mode="json") for c in commands]}
        (scratch / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        try:
            os.rename(scratch, entry)
        except OSError:
            if not entry.is_dir():  # not "another process was first": a real failure
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _forget_old(root: Path, newest: datetime) -> None:
    """Delete entries (and stray temporary folders) more than ``KEEP`` older than ``newest``."""
    cutoff = (newest - KEEP).timestamp()
    for path in root.iterdir():
        with contextlib.suppress(OSError):
            meta = path / "meta.json"
            if meta.is_file():
                old = datetime.fromisoformat(
                    json.loads(meta.read_text(encoding="utf-8"))["end"]).timestamp() < cutoff
            else:
                old = path.stat().st_mtime < cutoff
            if old:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
