"""The sample workflows in docs/examples are valid YAML, have what a workflow needs, and every
gacheck command line they make (through the repository's action.yml) is accepted by gacheck's
own argument parser."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from gacheck.cli import build_parser

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
DOC = Path(__file__).parents[2] / "docs" / "ci.md"


def _load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    # YAML 1.1 (PyYAML) reads the key `on` as True; GitHub reads it as "on".
    if True in document:
        document["on"] = document.pop(True)
    return document


def _steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job["steps"]]


def _gacheck_commands(document: dict[str, Any]) -> list[list[str]]:
    """The command line each use of the action runs (as its shell step builds it)."""
    commands = []
    for step in _steps(document):
        if step.get("uses") != "./.gacheck":
            continue
        given = step.get("with", {})
        argv = ["gacheck", "evaluate", "--config", given.get("config", "config/gates.toml"),
                "--repo", given.get("repo", "."), "--format", given.get("format", "github")]
        for name in ("at", "junit"):
            if given.get(name):
                argv += [f"--{name}", str(given[name])]
        for name in ("commit", "report-only"):
            if str(given.get(name, "false")) == "true":
                argv.append(f"--{name}")
        argv += shlex.split(str(given.get("args", "")))
        commands.append(argv)
    return commands


@pytest.mark.parametrize("name", ["release-gate.yml", "daily-audit.yml"])
def test_the_workflow_has_the_keys_github_needs(name: str) -> None:
    document = _load(name)
    assert isinstance(document["name"], str) and document["on"]
    assert document["jobs"]
    for job in document["jobs"].values():
        assert job["runs-on"] and job["steps"]
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step  # exactly one of them
            if "uses" in step:
                assert re.match(r"^([\w.-]+/[\w.-]+@\S+|\./\S+)$", step["uses"]), step["uses"]


@pytest.mark.parametrize("name", ["release-gate.yml", "daily-audit.yml"])
def test_every_gacheck_command_in_it_parses(name: str) -> None:
    commands = _gacheck_commands(_load(name))
    assert commands
    parser = build_parser()
    for argv in commands:
        args = parser.parse_args(argv[1:])  # raises on an unknown option
        assert args.command == "evaluate"


def test_the_release_gate_is_strict_on_release_branches_and_tags() -> None:
    document = _load("release-gate.yml")
    push = document["on"]["push"]
    assert any(b.startswith("release/") for b in push["branches"]) and push["tags"]
    (command,) = _gacheck_commands(document)
    assert "--strict" in command and "--junit" in command
    assert "--report-only" not in command  # a required check must be able to fail
    assert document["permissions"] == {"contents": "read"}
    checkout = next(s for s in _steps(document) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    gacheck = next(s for s in _steps(document) if s.get("uses", "").startswith("actions/checkout")
                   and s["with"].get("path") == ".gacheck")
    assert gacheck["with"]["persist-credentials"] is False


def test_the_daily_job_is_scheduled_and_commits_the_audit() -> None:
    document = _load("daily-audit.yml")
    (schedule,) = document["on"]["schedule"]
    assert len(schedule["cron"].split()) == 5
    assert document["permissions"]["contents"] == "write"
    (command,) = _gacheck_commands(document)
    assert "--commit" in command and "--report-only" in command
    runs = [str(s.get("run", "")) for s in _steps(document)]
    assert any("git push" in run for run in runs)
    assert any("git config user.email" in run for run in runs)


def test_the_ci_doc_explains_every_exit_code() -> None:
    from gacheck.core.exitcodes import ExitCode

    text = DOC.read_text(encoding="utf-8")
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \|", text, re.MULTILINE), code
    assert "examples/release-gate.yml" in text and "examples/daily-audit.yml" in text
