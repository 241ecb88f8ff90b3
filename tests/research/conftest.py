"""The research kinds against gacheck's stand-in façade: real sockets, the real openai SDK."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gacheck.context import Context, Overrides
from gacheck.core.models import GateResult
from gacheck.run import engine
from gacheck.run.config_binding import load_config
from gacheck.standin.facade import SPEC_PATH, Behaviour, StandinFacade

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TOKEN = "standin-key-5b1e0c9d"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A release checkout holding the façade's spec in docs/openapi/."""
    root = tmp_path / "repo"
    (root / "docs" / "openapi").mkdir(parents=True)
    shutil.copy(SPEC_PATH, root / "docs" / "openapi" / "facade.json")
    return root


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinFacade]:
    """A correct stand-in that demands ``TOKEN``, which env FACADE_TOKEN holds."""
    monkeypatch.setenv("FACADE_TOKEN", TOKEN)
    with StandinFacade(Behaviour(token=TOKEN)) as facade:
        yield facade


@pytest.fixture
def run_gate(tmp_path: Path) -> Callable[..., GateResult]:
    """Load a config holding one gate block (plus optional top sections) and evaluate it."""

    def run(block: str, repo: Path, facade_url: str | None = None, *, head: str = "",
            prometheus_url: str | None = None, at: datetime = AT) -> GateResult:
        path = tmp_path / "gates.toml"
        path.write_text(textwrap.dedent(head) + "[[gates]]\n" + textwrap.dedent(block),
                        encoding="utf-8")
        config = load_config(path)
        ctx = Context(at=at, config=config, repo=repo, audit_dir=repo / "audits",
                      overrides=Overrides(facade_url=facade_url, prometheus_url=prometheus_url))
        gate = config.gates[0]
        return engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)

    return run
