"""The research kinds against gacheck's stand-in façade: real sockets, the real openai SDK.

``run_gate`` and ``repo`` come from ``tests.support.gates``; here every ``repo`` holds the
façade's spec in ``docs/openapi/``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from gacheck.standin.facade import SPEC_PATH, Behaviour, StandinFacade
from tests.research.standin_setup import TOKEN


@pytest.fixture
def repo_files() -> Mapping[str, Path]:
    """A release checkout holding the façade's spec in docs/openapi/."""
    return {"docs/openapi/facade.json": SPEC_PATH}


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinFacade]:
    """A correct stand-in that demands ``TOKEN``, which env FACADE_TOKEN holds."""
    monkeypatch.setenv("FACADE_TOKEN", TOKEN)
    with StandinFacade(Behaviour(token=TOKEN)) as facade:
        yield facade
