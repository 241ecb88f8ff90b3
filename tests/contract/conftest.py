"""Running one contract gate the way ``gacheck evaluate`` does: real config, real files, real HTTP."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from facade_server import FacadeServer

from gacheck.context import Context, Overrides
from gacheck.core.models import GateResult
from gacheck.run import engine
from gacheck.run.config_binding import load_config

SPECS = Path(__file__).parent / "specs"
AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty repository root; tests copy the specs they need into ``docs/openapi``."""
    root = tmp_path / "repo"
    (root / "docs" / "openapi").mkdir(parents=True)
    return root


def add_specs(repo: Path, *names: str, into: str = "docs/openapi") -> None:
    """Copy fixture specs (files or folders under ``specs/``) into the repository."""
    target = repo / into
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = SPECS / name
        if source.is_dir():
            shutil.copytree(source, target / source.name)
        else:
            shutil.copy(source, target / source.name)


@pytest.fixture
def run_gate(tmp_path: Path) -> Callable[..., GateResult]:
    """Load a config holding one gate block and evaluate it: measured, judged and redacted."""

    def run(block: str, repo: Path, facade_url: str | None = None) -> GateResult:
        config_path = tmp_path / "gates.toml"
        config_path.write_text("[[gates]]\n" + textwrap.dedent(block), encoding="utf-8")
        config = load_config(config_path)
        ctx = Context(
            at=AT, config=config, repo=repo, audit_dir=repo / "audits",
            overrides=Overrides(facade_url=facade_url),
        )
        gate = config.gates[0]
        return engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)

    return run


@pytest.fixture
def facade() -> Iterator[FacadeServer]:
    with FacadeServer() as server:
        yield server
