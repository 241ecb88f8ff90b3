"""The fault-injecting Prometheus and façade, and ways to run gates against them.

``run_gate(config)`` (``tests.support.gates``) evaluates one gate in-process the way
``gacheck evaluate`` does, each gate under its time limit, against the fault server;
``run_isolated(config, ..., args=...)`` runs ``gacheck evaluate`` (with ``args`` added) in a
child process with a memory limit and reports its peak resident memory, so that a runaway
read fails one test instead of exhausting the machine.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import resource
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.faults.fault_server import FaultServer, gzip_bomb
from tests.faults.fault_setup import AT, PROMETHEUS_GATE, ROOT
from tests.support.build_cache import cached, digest
from tests.support.clock import stamp
from tests.support.gates import GateDefaults


@pytest.fixture(scope="session")
def bomb() -> bytes:
    """The gzip bomb, compressed once (seconds of CPU) and kept between runs, keyed by the
    source of ``gzip_bomb``."""
    def write(folder: Path) -> None:
        gzip_bomb(folder / "bomb.json.gz")

    entry = cached("gzip-bomb", digest("gzip bomb 1", inspect.getsource(gzip_bomb)), write)
    return (entry / "bomb.json.gz").read_bytes()


@pytest.fixture
def server(bomb: bytes) -> Iterator[FaultServer]:
    with FaultServer(bomb) as running:
        yield running


@pytest.fixture
def gate_defaults(server: FaultServer) -> GateDefaults:
    """``run_gate()`` evaluates ``PROMETHEUS_GATE`` (or the config given) against the fault
    server, as Prometheus and as façade, under the gate's own time limit."""
    return GateDefaults(config=PROMETHEUS_GATE, prometheus_url=server.url,
                        facade_url=server.url, at=AT, time_limits=True)


@dataclass(frozen=True)
class Isolated:
    code: int
    gates: list[dict[str, Any]]
    stderr: str
    peak_rss_mb: float


def _memory_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


@pytest.fixture
def run_isolated(tmp_path: Path, server: FaultServer) -> Callable[..., Isolated]:
    def run(config: str = PROMETHEUS_GATE, memory: int = 3 * 1024**3,
            timeout: float = 300, args: tuple[str, ...] = ()) -> Isolated:
        path = tmp_path / "gates.toml"
        path.write_text(textwrap.dedent(config), encoding="utf-8")
        argv = [sys.executable, str(Path(__file__).parent / "peak_run.py"), "evaluate",
                "--config", str(path), "--repo", str(tmp_path), "--no-write", "--format",
                "json", "--at", stamp(AT), "--prometheus-url", server.url,
                "--facade-url", server.url, *args]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
            env.pop(name, None)
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout,
                              preexec_fn=_memory_limit(memory))
        peak = re.findall(r"peak_rss_mb=(\d+)", done.stderr)
        try:
            gates = json.loads(done.stdout)["gates"]
        except ValueError:
            gates = []
        return Isolated(done.returncode, gates, done.stderr, float(peak[-1]) if peak else -1)

    return run
