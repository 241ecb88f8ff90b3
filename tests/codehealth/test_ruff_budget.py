"""ruff_budget with the real ruff on real files: counts, evidence, and every way ruff can fail."""

from __future__ import annotations

import stat
from pathlib import Path

# Counted by hand, with select = ["E", "F"] from the repository's own pyproject.toml:
#   hot/api.py:    line 1 F401 (os unused), line 3 E402 + F401 (sys: late and unused),
#                  line 7 F841 (y unused), line 8 E711 (== None)           -> 5
#   hot/core/db.py line 1 F401 (json unused)                                 -> 1
#   cold/other.py  two F401, outside the configured paths                    -> not counted
VIOLATIONS = {
    "hot/api.py": """\
        import os
        x = 1
        import sys


        def f(a):
            y = 2
            return a == None
        """,
    "hot/core/db.py": "import json\n",
    "cold/other.py": "import re\nimport io\n",
    "hot/clean.py": "VALUE = 1\n",
}

GATE = """\
    id = "ruff_hot_path"
    kind = "ruff_budget"
    title = "Ruff hot path"
    paths = ["hot/api.py", "hot/core"]
    threshold = {{ max = {limit} }}
    {extra}
"""


def gate(limit: int = 120, extra: str = "") -> str:
    return GATE.format(limit=limit, extra=extra)


def test_counts_every_diagnostic_in_the_configured_paths(make_repo, gate_result) -> None:
    repo = make_repo(git_init=False)
    repo.write(VIOLATIONS)
    result = gate_result(gate(limit=6), repo.root)
    assert result["status"] == "pass"
    assert result["value"] == 6
    details = result["evidence"]["details"]
    assert details["by_rule"] == {"E402": 1, "E711": 1, "F401": 3, "F841": 1}
    assert list(details["by_rule"]) == sorted(details["by_rule"])
    assert details["by_path"] == {"hot/api.py": 5, "hot/core": 1}
    assert details["fixable"] == 3  # the unused imports; F841 and E711 are unsafe fixes
    assert details["unsafe_fixable"] == 2
    assert details["ruff_version"][0].isdigit()
    findings = result["evidence"]["findings"]
    assert result["evidence"]["findings_total"] == 6
    assert [(f["file"], f["line"], f["code"]) for f in findings] == [
        ("hot/api.py", 1, "F401"), ("hot/api.py", 3, "E402"), ("hot/api.py", 3, "F401"),
        ("hot/api.py", 7, "F841"), ("hot/api.py", 8, "E711"), ("hot/core/db.py", 1, "F401"),
    ]
    command = result["evidence"]["commands"][0]
    assert {"check", "--output-format=json", "--no-cache"} <= set(command["argv"])
    assert command["argv"][-2:] == ["hot/api.py", "hot/core"]
    assert command["cwd"] == "."  # the repository root, written relative so audits are portable


def test_over_budget_fails(make_repo, gate_result) -> None:
    repo = make_repo(git_init=False)
    repo.write(VIOLATIONS)
    result = gate_result(gate(limit=5), repo.root)
    assert (result["status"], result["value"]) == ("fail", 6)
    assert "6 > max 5" in result["message"]


def test_select_and_ignore_narrow_the_count(make_repo, gate_result) -> None:
    repo = make_repo(git_init=False)
    repo.write(VIOLATIONS)
    assert gate_result(gate(extra='select = ["F"]'), repo.root)["value"] == 4
    assert gate_result(gate(extra='ignore = ["F401"]'), repo.root)["value"] == 3


def test_clean_tree_is_zero_and_passes(make_repo, gate_result) -> None:
    repo = make_repo(git_init=False)
    repo.write({"hot/api.py": "VALUE = 1\n", "hot/core/db.py": "NAME = 'db'\n"})
    result = gate_result(gate(limit=0), repo.root)
    assert (result["status"], result["value"]) == ("pass", 0)
    assert result["evidence"]["findings"] == []


def test_missing_path_is_an_error_not_zero(make_repo, gate_result) -> None:
    repo = make_repo(git_init=False)
    repo.write({"hot/api.py": "VALUE = 1\n"})
    result = gate_result(gate(), repo.root)
    assert result["status"] == "error"
    assert result["value"] is None
    assert "path not found" in result["message"] and "hot/core" in result["message"]


def test_missing_repository_root_is_an_error(tmp_path: Path, gate_result) -> None:
    result = gate_result(gate(), tmp_path / "nowhere")
    assert result["status"] == "error"
    assert "does not exist" in result["message"]


def test_broken_ruff_config_is_an_error_with_ruffs_message(make_repo, gate_result) -> None:
    repo = make_repo(git_init=False)
    repo.write(VIOLATIONS)
    (repo.root / "pyproject.toml").write_text('[tool.ruff]\nline-length = "wide"\n')
    result = gate_result(gate(), repo.root)
    assert result["status"] == "error"
    assert result["value"] is None
    assert "ruff failed (exit 2)" in result["message"]
    assert "pyproject.toml" in result["message"]


def test_output_that_is_not_json_is_an_error(make_repo, gate_result, tmp_path: Path) -> None:
    repo = make_repo(git_init=False)
    repo.write(VIOLATIONS)
    fake = tmp_path / "fake-ruff"
    fake.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "ruff 9.9.9"; exit 0; fi\n'
                    'echo "hot/api.py:1:8: F401 unused"\necho "Found 1 error."\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    result = gate_result(gate(extra=f'executable = "{fake}"'), repo.root)
    assert result["status"] == "error"
    assert "not JSON" in result["message"]


def test_configured_executable_that_is_missing_is_an_error(make_repo, gate_result) -> None:
    repo = make_repo(git_init=False)
    repo.write(VIOLATIONS)
    result = gate_result(gate(extra='executable = "/nonexistent/ruff"'), repo.root)
    assert result["status"] == "error"
    assert "cannot run ruff" in result["message"]


def test_syntax_errors_count_as_diagnostics(make_repo, gate_result) -> None:
    repo = make_repo(git_init=False)
    repo.write({"hot/api.py": "def broken(:\n    pass\n", "hot/core/db.py": "X = 1\n"})
    result = gate_result(gate(), repo.root)
    assert result["status"] == "pass"
    assert result["value"] >= 1
    assert all(f["file"] == "hot/api.py" for f in result["evidence"]["findings"])


def test_unknown_parameter_is_a_config_error(make_repo, run_cli, write_config) -> None:
    repo = make_repo(git_init=False)
    config = write_config("[[gates]]\n" + gate(extra='pahts = ["x"]'))
    done = run_cli("evaluate", "--config", str(config), "--repo", str(repo.root), "--no-write")
    assert done.code == 2
    assert "gates[0].pahts: unknown key" in done.err


def test_markdown_shows_rules_paths_findings_and_command(make_repo, run_cli, write_config) -> None:
    repo = make_repo(git_init=False)
    repo.write(VIOLATIONS)
    config = write_config("[[gates]]\n" + gate())
    done = run_cli("evaluate", "--config", str(config), "--repo", str(repo.root), "--no-write",
                   "--format", "markdown")
    text = done.out
    assert "6 diagnostics, 3 fixable with `ruff check --fix`, 2 more with `--unsafe-fixes`" in text
    assert "| F401 | 3 |\n| E402 | 1 |" in text  # most frequent rule first
    assert "| hot/api.py | 5 |\n| hot/core | 1 |" in text
    assert "| hot/core/db.py:1 | F401 | \\`json\\` imported but unused |" in text
    assert "Trend: first run" in text
    assert "--output-format=json --no-cache" in text
