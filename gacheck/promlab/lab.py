"""One call from a scenario to a running Prometheus holding its history.

``with running_scenario(scenario, end, workdir) as lab: lab.url`` writes the OpenMetrics
files, builds the TSDB with promtool, deletes the text (it is large and no longer needed),
loads the scenario's alerting rules and starts the server; leaving the block stops it.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gacheck.core.models import CommandRecord
from gacheck.promlab.compose import compose
from gacheck.promlab.rules import alerting_rules_yaml
from gacheck.promlab.scenarios import Scenario
from gacheck.promlab.server import BasicAuth, PrometheusServer
from gacheck.promlab.tsdb import build_tsdb, require, write_openmetrics


@dataclass(frozen=True)
class Lab:
    """A running lab Prometheus: where it is, what it holds, and the ground truth."""

    url: str
    scenario: Scenario
    end: datetime
    basic_auth: BasicAuth | None
    commands: tuple[CommandRecord, ...]
    samples: int

    def ago(self, delta: timedelta) -> datetime:
        """The instant ``delta`` before the end (to turn a scenario's facts into times)."""
        return self.end - delta


def build_scenario(scenario: Scenario, end: datetime, workdir: Path) -> tuple[Path, int,
                                                                               list[CommandRecord]]:
    """Generate and import the scenario's history; returns the TSDB folder, samples, commands."""
    require("promtool")
    require("prometheus")
    families = compose(scenario, end)
    text_dir = workdir / "openmetrics"
    files = write_openmetrics(families, text_dir)
    data_dir = workdir / "data"
    commands = build_tsdb(files, data_dir)
    shutil.rmtree(text_dir, ignore_errors=True)
    samples = sum(len(s.timestamps) for f in families for s in f.series)
    return data_dir, samples, commands


@contextlib.contextmanager
def running_scenario(scenario: Scenario, end: datetime, workdir: Path, *,
                     basic_auth: BasicAuth | None = None) -> Iterator[Lab]:
    if end.tzinfo is None:
        raise ValueError("the end instant must be timezone-aware (UTC)")
    end = end.astimezone(UTC).replace(microsecond=0)
    data_dir, samples, commands = build_scenario(scenario, end, workdir)
    rules = alerting_rules_yaml(broken=scenario.failing_rule) if scenario.rules else None
    with PrometheusServer(data_dir, workdir, rules=rules, basic_auth=basic_auth) as server:
        if rules is not None:
            server.wait_rules_evaluated()
        yield Lab(server.url, scenario, end, basic_auth, tuple(commands), samples)
