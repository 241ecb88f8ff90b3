"""Fixtures every test may use: config files, the CLI in-process, and schema checking.

Every audit JSON that a test renders in-process is validated against the JSON Schema that
ships with the package (the autouse fixture below), so no test can write an invalid audit.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from gacheck import cli
from gacheck.reports import json_report


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their output format themselves, even when the suite runs in GitHub Actions."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "NO_COLOR",
                 "GACHECK_PROMETHEUS_URL", "GACHECK_FACADE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _own_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The CLI's chunk cache goes to a fresh directory per test, never the user's: promlab
    servers reuse loopback ports with other histories."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(autouse=True)
def _every_audit_matches_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    validator = jsonschema.Draft202012Validator(json_report.shipped_schema())
    original = json_report.render_json

    def checked(audit):  # type: ignore[no-untyped-def]
        text = original(audit)
        validator.validate(json.loads(text))
        return text

    monkeypatch.setattr(json_report, "render_json", checked)


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
