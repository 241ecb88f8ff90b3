"""ruff output with malformed ``location`` or ``fix`` fields is a clear ``error`` of the gate,
never "internal error in gate kind"."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

GATE = """\
    id = "ruff_hot_path"
    kind = "ruff_budget"
    title = "Ruff hot path"
    paths = ["hot"]
    threshold = {{ max = 120 }}
    executable = "{fake}"
"""


def fake_ruff(tmp_path: Path, diagnostics: list) -> Path:
    """An executable that answers ``--version`` like ruff and prints ``diagnostics`` as JSON."""
    out = tmp_path / "diagnostics.json"
    out.write_text(json.dumps(diagnostics))
    fake = tmp_path / "fake-ruff"
    fake.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "ruff 9.9.9"; exit 0; fi\n'
                    f'cat "{out}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake


def _diagnostic(**changes: object) -> dict:
    good = {"code": "F401", "filename": "hot/api.py", "message": "unused",
            "location": {"row": 1, "column": 8}, "fix": {"applicability": "safe"}}
    return {**good, **changes}


@pytest.mark.parametrize(("changes", "reason"), [
    ({"location": "1:8"}, "diagnostic 1: location is str, not an object"),
    ({"location": [1, 8]}, "diagnostic 1: location is list, not an object"),
    ({"location": {"row": "one"}}, "diagnostic 1: location.row is not a number"),
    ({"location": {"row": True}}, "diagnostic 1: location.row is not a number"),
    ({"fix": "safe"}, "diagnostic 1: fix is str, not an object"),
    ({"fix": 3}, "diagnostic 1: fix is int, not an object"),
])
def test_malformed_location_or_fix_is_a_clear_error(
    make_repo, gate_result, tmp_path, changes, reason
) -> None:
    repo = make_repo(git_init=False)
    repo.write({"hot/api.py": "import os\n"})
    fake = fake_ruff(tmp_path, [_diagnostic(), _diagnostic(**changes)])
    result = gate_result(GATE.format(fake=fake), repo.root)
    assert result["status"] == "error"
    assert result["message"] == f"ruff output: {reason}"


def test_absent_or_null_location_and_fix_still_count(make_repo, gate_result, tmp_path) -> None:
    """Control: ruff leaves ``fix`` null when it has none; such diagnostics count as before."""
    repo = make_repo(git_init=False)
    repo.write({"hot/api.py": "import os\n"})
    fake = fake_ruff(tmp_path, [_diagnostic(fix=None), _diagnostic(location=None, code=None)])
    result = gate_result(GATE.format(fake=fake), repo.root)
    assert result["status"] == "pass" and result["value"] == 2
