"""One gate evaluated in-process the way ``gacheck evaluate`` does, and the release checkout it
reads: the ``repo`` and ``run_gate`` fixtures of the contract, research and fault tests.

    result = run_gate(block, repo, facade_url)        # block: the TOML after ``[[gates]]``

A folder changes what its tests share by overriding a small fixture in its ``conftest.py``:
``repo_files`` (files copied into every ``repo``) and ``gate_defaults`` (the config, URLs and
instant used when a test gives none, and whether each gate runs under its own time limit).
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from gacheck.context import Context, Overrides
from gacheck.core.models import Audit, GateResult, Verdict
from gacheck.run import engine
from gacheck.run.config_binding import load_config
from tests.support.clock import recent

AT = recent(hours=1)
"""The instant in-process gates are evaluated at unless a test says otherwise (in the past,
as an ``--at`` must be)."""

_WHOLE_CONFIG = re.compile(r"^\[\[gates\]\]\s*$", re.MULTILINE)


@dataclass(frozen=True)
class GateDefaults:
    """What ``run_gate`` uses when a test does not say."""

    config: str | None = None
    """A whole config (with its own ``[[gates]]``), for ``run_gate()`` without a block."""
    prometheus_url: str | None = None
    facade_url: str | None = None
    at: datetime = AT
    time_limits: bool = False
    """Run through ``engine.run_gates``, each gate under its ``timeout`` (the fault tests,
    whose servers hang); otherwise measure and judge directly, without a time limit."""


@pytest.fixture
def gate_defaults() -> GateDefaults:
    return GateDefaults()


@pytest.fixture
def repo_files() -> Mapping[str, Path]:
    """``{path in the repository: file to copy there}`` for every ``repo`` of the folder."""
    return {}


@pytest.fixture
def repo(tmp_path: Path, repo_files: Mapping[str, Path]) -> Path:
    """A release checkout with ``docs/openapi/`` (tests copy the specs they need into it)."""
    root = tmp_path / "repo"
    (root / "docs" / "openapi").mkdir(parents=True)
    for name, source in repo_files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, root / name)
    return root


@pytest.fixture
def run_gate(tmp_path: Path, gate_defaults: GateDefaults) -> Callable[..., GateResult]:
    """Load a config holding one gate and evaluate it: measured, judged and redacted.

    ``block`` is the gate's TOML after ``[[gates]]`` (``head`` goes before it: ``[settings]``,
    ``[prometheus]``...), or a whole config when it has its own ``[[gates]]`` line."""

    def run(block: str | None = None, repo: Path | None = None, facade_url: str | None = None,
            *, head: str = "", prometheus_url: str | None = None,
            at: datetime | None = None) -> GateResult:
        if block is None:
            if gate_defaults.config is None:
                raise TypeError("run_gate() needs a gate block here")
            block = gate_defaults.config
        text = textwrap.dedent(block)
        if not _WHOLE_CONFIG.search(text):
            text = textwrap.dedent(head) + "[[gates]]\n" + text
        path = tmp_path / "gates.toml"
        path.write_text(text, encoding="utf-8")
        config = load_config(path)
        root = repo if repo is not None else tmp_path
        ctx = Context(
            at=at or gate_defaults.at, config=config, repo=root, audit_dir=root / "audits",
            overrides=Overrides(prometheus_url=prometheus_url or gate_defaults.prometheus_url,
                                facade_url=facade_url or gate_defaults.facade_url),
        )
        if gate_defaults.time_limits:
            (result,) = engine.run_gates(ctx)
            return result
        gate = config.gates[0]
        return engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)

    return run


def audit_of(*results: GateResult) -> Audit:
    """An audit around in-process results, for the report renderers."""
    return Audit(tool_version="test", evaluated_at=AT, generated_at=AT, config_path="gates.toml",
                 config_sha256="0" * 64, command=["gacheck", "evaluate"], verdict=Verdict.FAIL,
                 score=0.0, gates=list(results))
