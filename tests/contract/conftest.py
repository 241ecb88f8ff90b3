"""The contract tests run one gate the way ``gacheck evaluate`` does (``run_gate`` and ``repo``
from ``tests.support.gates``: real config, real files) against a real HTTP façade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.facade_server import FacadeServer


@pytest.fixture
def facade() -> Iterator[FacadeServer]:
    with FacadeServer() as server:
        yield server
