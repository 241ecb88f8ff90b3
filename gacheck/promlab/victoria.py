"""The same lab history served by VictoriaMetrics, with vmalert listing the lab's rules.

``with running_victoria(scenario, end, workdir) as lab: lab.url, lab.rules_url`` starts the
real ``victoria-metrics`` binary (Debian package ``victoria-metrics``) on a free 127.0.0.1
port, imports the scenario's generated series through ``/api/v1/import`` (one JSON line per
series, timestamps in milliseconds), and, when the scenario loads alerting rules, starts
``vmalert`` with them against it. VictoriaMetrics has no rules of its own: ``/api/v1/rules``
answers with no group, and vmalert serves the real list (``[prometheus] rules_url``).

Flags that matter for a backfilled history: ``-search.latencyOffset=0s`` (by default the
last 30 s are hidden from queries), ``-search.disableCache`` (cached range results would not
see data imported after them) and a long ``-retentionPeriod``.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gacheck.core.deadline import monotonic
from gacheck.promlab.generate import generate
from gacheck.promlab.rules import alerting_rules_yaml
from gacheck.promlab.scenarios import Scenario
from gacheck.promlab.series import Family
from gacheck.promlab.server import (
    RUNNING,
    can_tie_to_parent,
    die_with_parent,
    free_port,
    stop_process,
)
from gacheck.promlab.tsdb import PromlabError

INSTALL_HINT = "install the Debian package: apt-get install victoria-metrics (it has vmalert)"


def require(binary: str) -> str:
    import shutil

    path = shutil.which(binary)
    if path is None:
        raise PromlabError(f"{binary} is not installed or not on PATH; {INSTALL_HINT}")
    return path


class _Server:
    """One loopback server process, stopped on every way out (see ``promlab.server``)."""

    def __init__(self, binary: str, flags: list[str], workdir: Path, ready_path: str,
                 start_timeout: float = 60.0) -> None:
        self.binary, self.flags, self.workdir = binary, flags, workdir
        self.ready_path, self.start_timeout = ready_path, start_timeout
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{Path(self.binary).name}.log"

    def __enter__(self) -> _Server:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):  # a free port can be taken between probing and binding
            self.port = free_port()
            with self.log_path.open("ab") as log:
                self._process = subprocess.Popen(
                    [require(self.binary), *self.flags, f"-httpListenAddr=127.0.0.1:{self.port}"],
                    cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    start_new_session=True,
                    preexec_fn=die_with_parent if can_tie_to_parent() else None)
            RUNNING.add(self._process)
            if self._wait_ready():
                return self
            self.stop()
        raise PromlabError(f"{self.binary} did not start: {self._log_tail()}")

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        stop_process(process)

    def _wait_ready(self) -> bool:
        import httpx

        assert self._process is not None
        deadline = monotonic() + self.start_timeout
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while monotonic() < deadline:
                if self._process.poll() is not None:
                    return False  # a taken port, or a bad flag: the log says which
                with contextlib.suppress(httpx.TransportError):
                    if client.get(self.url + self.ready_path).status_code == 200:
                        return True
                time.sleep(0.1)
        return False

    def _log_tail(self, lines: int = 3) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:]) or "(empty log)"


def import_families(url: str, families: Sequence[Family], batch_series: int = 50) -> int:
    """POST the series to ``/api/v1/import`` and make them searchable; the samples imported."""
    import httpx

    samples = 0
    lines: list[str] = []
    with httpx.Client(timeout=300.0, trust_env=False) as client:

        def send() -> None:
            if lines:
                answer = client.post(f"{url}/api/v1/import", content="".join(lines).encode())
                if answer.status_code not in (200, 204):
                    raise PromlabError(f"VictoriaMetrics refused the import: HTTP "
                                       f"{answer.status_code} {answer.text[:200]}")
                lines.clear()

        for family in families:
            for series in family.series:
                if not len(series.timestamps):
                    continue
                lines.append(json.dumps({
                    "metric": {"__name__": series.name, **series.labels},
                    "values": series.values.tolist(),
                    "timestamps": (series.timestamps.astype("int64") * 1000).tolist(),
                }, separators=(",", ":")) + "\n")
                samples += len(series.timestamps)
                if len(lines) >= batch_series:
                    send()
        send()
        client.get(f"{url}/internal/force_flush")
    return samples


@dataclass(frozen=True)
class VictoriaLab:
    url: str
    rules_url: str | None
    scenario: Scenario
    end: datetime
    samples: int


@contextlib.contextmanager
def running_victoria(scenario: Scenario, end: datetime, workdir: Path) -> Iterator[VictoriaLab]:
    if end.tzinfo is None:
        raise ValueError("the end instant must be timezone-aware (UTC)")
    end = end.astimezone(UTC).replace(microsecond=0)
    flags = [f"-storageDataPath={workdir / 'vmdata'}", "-retentionPeriod=100y",
             "-search.latencyOffset=0s", "-search.disableCache", "-loggerLevel=ERROR"]
    with contextlib.ExitStack() as stack:
        vm = stack.enter_context(_Server("victoria-metrics", flags, workdir, "/health"))
        samples = import_families(vm.url, generate(scenario.plan, end))
        rules_url = None
        if scenario.rules:
            rules = workdir / "rules.yml"
            rules.write_text(alerting_rules_yaml(), encoding="utf-8")
            nowhere = f"http://127.0.0.1:{free_port()}"  # the rules never fire: nothing is sent
            vmalert = stack.enter_context(_Server(
                "vmalert", [f"-rule={rules}", f"-datasource.url={vm.url}",
                            f"-notifier.url={nowhere}", "-evaluationInterval=30s",
                            "-loggerLevel=ERROR"], workdir / "vmalert", "/health"))
            rules_url = vmalert.url
            _wait_evaluated(rules_url)
        yield VictoriaLab(vm.url, rules_url, scenario, end, samples)


def _wait_evaluated(rules_url: str, timeout: float = 90.0) -> None:
    """Until vmalert has evaluated every rule once: before, ``lastEvaluation`` is Go's zero time
    and the alerts gate rightly says such a rule cannot fire yet."""
    import httpx

    deadline = monotonic() + timeout
    with httpx.Client(timeout=5.0, trust_env=False) as client:
        while monotonic() < deadline:
            groups = client.get(f"{rules_url}/api/v1/rules").json()["data"]["groups"]
            rules = [r for g in groups for r in g.get("rules", [])]
            if rules and all(not str(r.get("lastEvaluation", "")).startswith("0001-")
                             for r in rules):
                return
            time.sleep(0.5)
    raise PromlabError(f"vmalert did not evaluate its rules within {timeout:g}s")
