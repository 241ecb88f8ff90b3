"""Real Prometheus servers with generated history, one per scenario per (xdist) worker session.

    def test_x(promlab):
        lab = promlab("short_blip")          # a running server (started on first use)
        lab.url, lab.end, lab.scenario.expected, lab.scenario.facts

``promlab(name, auth=True)`` is a separate server that demands basic auth
(``LAB_AUTH``'s user and password). Every lab of a run ends at the same instant, the run's
start floored to the hour (``tests.support.clock.lab_end``, the same on every xdist worker; at
most an hour before now, which the load test's 3h server-side window relies on): evaluate
gates with ``at=lab.end``. Tests that use ``promlab`` get the ``prometheus`` marker
(``-m "not prometheus"`` leaves them out). Scenarios are described in
``gacheck/promlab/scenarios.py``.

Building a history is the slow part, so it is built once (``lab_cache``: TSDB blocks kept per
scenario, end instant and generator version, between runs too), and the tests that read a
scenario run on the same xdist worker (``--dist loadgroup``): each test gets the
``xdist_group`` of the first scenario it names (a parameter that is a scenario name, or the
first scenario name written in its source), so that worker starts that server once.
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from gacheck.core import timeparse
from gacheck.promlab import lab as promlab_module
from gacheck.promlab.catalog import get
from gacheck.promlab.lab import Lab, running_scenario
from gacheck.promlab.relative import RELATIVE_SCENARIOS
from gacheck.promlab.scenarios import SCENARIOS
from tests.prometheus.helpers import LAB_AUTH
from tests.prometheus.lab_cache import build_cached
from tests.support.ports import refused_port
from tests.support.run import run_lab_end

_NAMES = re.compile(r"""["'](\w+)["']""")
_KNOWN = set(SCENARIOS) | set(RELATIVE_SCENARIOS)


def _scenario_group(item: pytest.Item) -> str | None:
    """The xdist group of a test that starts labs: its first scenario (see above)."""
    module = item.path.name
    callspec = getattr(item, "callspec", None)
    params = [v for v in callspec.params.values() if isinstance(v, str) and v in _KNOWN] \
        if callspec is not None else []
    if params:
        return f"lab-{params[0]}"
    try:
        source = inspect.getsource(item.function)  # type: ignore[attr-defined]
    except (AttributeError, OSError, TypeError):
        return None
    named = [n for n in _NAMES.findall(source) if n in _KNOWN]
    return f"lab-{named[0]}" if named else f"lab-module-{module}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "promlab" in fixtures or "victorialab" in fixtures:
            item.add_marker(pytest.mark.prometheus)
            group = _scenario_group(item)
            if group is not None:
                item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def promlab_end(request: pytest.FixtureRequest) -> datetime:
    """The instant every lab history of this run ends at."""
    return run_lab_end(request.config)


@pytest.fixture(scope="session")
def promlab(
    tmp_path_factory: pytest.TempPathFactory, promlab_end: datetime
) -> Iterator[Callable[..., Lab]]:
    labs: dict[tuple[str, bool], Lab] = {}
    with contextlib.ExitStack() as stack:

        def start(name: str, auth: bool = False) -> Lab:
            key = (name, auth)
            if key not in labs:
                scenario = get(name)
                workdir = tmp_path_factory.mktemp(f"promlab-{name}{'-auth' if auth else ''}")
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(promlab_module, "build_scenario", build_cached)
                    labs[key] = stack.enter_context(running_scenario(
                        scenario, promlab_end, workdir, basic_auth=LAB_AUTH if auth else None))
            return labs[key]

        yield start


@pytest.fixture
def cached_demo(promlab_end: datetime, monkeypatch: pytest.MonkeyPatch) -> str:
    """``gacheck demo`` builds a history ending "now": with its clock at the run's lab end and
    its build through the lab cache, every demo of a run shares one build (and the research
    demo the ``research`` lab's). The lab end, ISO."""
    monkeypatch.setattr(promlab_module, "build_scenario", build_cached)
    monkeypatch.setattr(timeparse, "now", lambda: promlab_end)
    return promlab_end.isoformat()


@pytest.fixture(scope="session")
def unreachable_prometheus_url() -> Iterator[str]:
    """A loopback URL that refuses connections (its port is held, never listening)."""
    with refused_port() as port:
        yield f"http://127.0.0.1:{port}"
