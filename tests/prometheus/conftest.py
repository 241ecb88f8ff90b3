"""Real Prometheus servers with generated history, one per scenario, shared by the session.

    def test_x(promlab):
        lab = promlab("short_blip")          # a running server (started on first use)
        lab.url, lab.end, lab.scenario.expected, lab.scenario.facts

``promlab(name, auth=True)`` is a separate server that demands basic auth
(``LAB_AUTH``'s user and password). Every lab of a session ends at the same instant, the
session's start floored to the minute: evaluate gates with ``at=lab.end``. Tests that use
``promlab`` get the ``prometheus`` marker (``-m "not prometheus"`` leaves them out).
Scenarios are described in ``gacheck/promlab/scenarios.py``.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from gacheck.promlab.lab import Lab, running_scenario
from gacheck.promlab.scenarios import get
from tests.prometheus.helpers import LAB_AUTH


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "promlab" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.prometheus)


@pytest.fixture(scope="session")
def promlab_end() -> datetime:
    """The instant every lab history of this session ends at."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


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
                labs[key] = stack.enter_context(running_scenario(
                    scenario, promlab_end, workdir, basic_auth=LAB_AUTH if auth else None))
            return labs[key]

        yield start


@pytest.fixture(scope="session")
def unreachable_prometheus_url() -> str:
    """A loopback URL where nothing listens (a port that was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
