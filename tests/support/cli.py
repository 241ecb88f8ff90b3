"""The CLI in-process (``run_cli``) and config files in the test's folder (``write_config``)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from gacheck import cli


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Call ``gacheck.cli.main`` in-process and capture what it printed."""

    def run(*argv: str) -> CliRun:
        capsys.readouterr()
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return CliRun(int(code), captured.out, captured.err)

    return run


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a TOML config (dedented) into the test's folder; ``output_dir`` defaults to out/."""

    def write(text: str, name: str = "gates.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
