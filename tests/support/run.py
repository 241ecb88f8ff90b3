"""What the pytest-xdist workers of one run share: the instant the lab histories end, which
tests run on the same worker (``--dist loadgroup`` with ``xdist_group`` marks), and in which
order the work is handed out.

The lab end is picked once by the controller and handed to each worker (``workerinput``), so
that workers started on either side of an hour still build, and cache, the same histories.

Groups: pytest-xdist 3.8 tells the controller a test's group by appending ``@group`` to its id,
which pytest 9.2's structured node ids no longer allow (pytest-dev/pytest-xdist#1386): the
marks are then silently ignored. So each worker also writes ``{test id: group}`` into a folder
the controller made, before it reports its collection, and the controller's scheduler (xdist's
``LoadGroupScheduling``, asked for the group of an id without a suffix) reads it from there.

Order: the scheduler hands out the longest work first. The controller keeps each test's
duration in pytest's cache (``gacheck/durations``); a group's expected time is the sum of its
tests' last durations, so that a one-minute test does not start last and keep one worker busy
alone at the end. Without that cache (a fresh clone, as in CI, or ``-p no:cacheprovider``)
the durations recorded in ``tests/support/durations.json`` stand in (``python -m
tests.support.run`` rewrites it from this machine's cache); a test in neither counts
``UNKNOWN_DURATION_S``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock import lab_end

_LAB_END = pytest.StashKey[datetime]()
_GROUPS = pytest.StashKey[str]()
_LAB_END_KEY = "gacheck_lab_end"
_GROUPS_KEY = "gacheck_xdist_groups"
DURATIONS_KEY = "gacheck/durations"
UNKNOWN_DURATION_S = 0.5
"""What a test not seen before is expected to take."""
RECORDED = Path(__file__).with_name("durations.json")
SLOWEST_RECORDED = 400
"""How many of the slowest tests ``durations.json`` keeps (the rest count as unknown)."""


def recorded_durations() -> dict[str, float]:
    """The committed durations (seconds by test id), or none when the file is unreadable."""
    try:
        known = json.loads(RECORDED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in known.items()} if isinstance(known, dict) else {}


def pytest_configure(config: pytest.Config) -> None:
    worker = getattr(config, "workerinput", None)
    if worker is not None:
        config.stash[_LAB_END] = datetime.fromisoformat(worker[_LAB_END_KEY])
        if worker.get(_GROUPS_KEY):
            config.stash[_GROUPS] = worker[_GROUPS_KEY]
        return
    config.stash[_LAB_END] = lab_end()
    if config.getoption("dist", "no") == "loadgroup":
        config.stash[_GROUPS] = tempfile.mkdtemp(prefix="gacheck-xdist-groups-")
    if getattr(config, "cache", None) is not None:
        config.pluginmanager.register(_Durations(config), "gacheck-durations")


def pytest_unconfigure(config: pytest.Config) -> None:
    if getattr(config, "workerinput", None) is None and _GROUPS in config.stash:
        shutil.rmtree(config.stash[_GROUPS], ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:  # xdist's hook, on the controller
    node.workerinput[_LAB_END_KEY] = node.config.stash[_LAB_END].isoformat()
    node.workerinput[_GROUPS_KEY] = node.config.stash.get(_GROUPS, "")


def run_lab_end(config: pytest.Config) -> datetime:
    """The end instant of every lab history in this run."""
    return config.stash[_LAB_END]


class _Durations:
    """On the controller (or a run without workers): each test's setup + call + teardown time,
    merged into pytest's cache when the session ends."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.seen: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seen[report.nodeid] = self.seen.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self) -> None:
        if self.seen:
            known = self.config.cache.get(DURATIONS_KEY, {})  # type: ignore[union-attr]
            known.update({k: round(v, 3) for k, v in self.seen.items()})
            self.config.cache.set(DURATIONS_KEY, known)  # type: ignore[union-attr]


@pytest.hookimpl(tryfirst=True)  # before xdist sends the collection to the controller
def pytest_collection_finish(session: pytest.Session) -> None:
    folder = session.config.stash.get(_GROUPS, "")
    if not folder or getattr(session.config, "workerinput", None) is None:
        return
    groups = {}
    for item in session.items:
        mark = item.get_closest_marker("xdist_group")
        if mark is not None:
            groups[item.nodeid] = str(mark.args[0] if mark.args else mark.kwargs.get("name"))
    worker = session.config.workerinput["workerid"]  # type: ignore[attr-defined]
    scratch = Path(folder) / f".{worker}.json"
    scratch.write_text(json.dumps(groups), encoding="utf-8")
    os.replace(scratch, Path(folder) / f"{worker}.json")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist", "no") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    folder = Path(config.stash[_GROUPS])
    cache = getattr(config, "cache", None)
    durations: dict[str, float] = recorded_durations() | (
        cache.get(DURATIONS_KEY, {}) if cache is not None else {})

    class MarkedGroupScheduling(LoadGroupScheduling):
        """``LoadGroupScheduling`` that also finds a test's group in the workers' files and
        hands out the groups (and single tests) that took longest last time first."""

        groups: dict[str, str] | None = None
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            if scope != nodeid:  # xdist's own "@group" suffix, where it still works
                return scope
            if self.groups is None:  # read once all workers have collected
                self.groups = {}
                for path in sorted(folder.glob("gw*.json")):
                    with contextlib.suppress(OSError, ValueError):
                        self.groups.update(json.loads(path.read_text(encoding="utf-8")))
            group = self.groups.get(nodeid)
            return f"group:{group}" if group else nodeid

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ordered and durations:  # the first assignment: the queue is complete
                self.ordered = True
                units = list(self.workqueue.items())
                units.sort(key=lambda unit: -sum(durations.get(nodeid, UNKNOWN_DURATION_S)
                                                  for nodeid in unit[1]))
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

    return MarkedGroupScheduling(config, log)


def _record() -> None:
    """Rewrite ``durations.json`` from this checkout's pytest cache: the slowest tests of the
    last runs, the image build counted as on a machine that never built it."""
    cached = Path(__file__).parents[2] / ".pytest_cache" / "v" / DURATIONS_KEY
    known: dict[str, float] = json.loads(cached.read_text(encoding="utf-8"))
    slowest = sorted(known.items(), key=lambda item: -item[1])[:SLOWEST_RECORDED]
    kept = {test: round(seconds, 1) for test, seconds in sorted(slowest)}
    build = "tests/deploy/test_image.py::test_the_image_evaluates_against_prometheus_on_the_host"
    kept[build] = max(kept.get(build, 0.0), COLD_IMAGE_BUILD_S)
    RECORDED.write_text(json.dumps(kept, indent=0, sort_keys=True) + "\n", encoding="utf-8")


COLD_IMAGE_BUILD_S = 360.0
"""The image's first build on a fresh machine (Debian base with mmdebstrap, then buildah)."""

if __name__ == "__main__":
    _record()
