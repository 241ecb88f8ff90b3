"""Files in the repository and the audit directory are untrusted: links out of their root,
FIFOs and devices give a clear error (or are skipped) at once, never a hang or a MemoryError.

Each run is a real ``gacheck`` process with a time and memory limit, so a regression fails
the test instead of blocking the suite or exhausting the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.clock import day, on, stamp

ROOT = Path(__file__).resolve().parents[1]
# days that are over (a future --at is refused): two earlier audits and the evaluation's day
D20, D24, D25 = (str(day(n)) for n in (5, 2, 1))
AT = stamp(on(day(1), "12:00"))
LIMIT_S = 60
MEMORY = 1024 * 1024 * 1024  # far above what these runs need; /dev/zero read whole needs more

CONFIG = """
[settings]
output_dir = "audits"

[[gates]]
id = "tests"
kind = "command"
title = "Tests"
command = ["sh", "-c", "echo all good"]
"""


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def gacheck(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    env.pop("GITHUB_ACTIONS", None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "gacheck", *argv], cwd=cwd, env=env, capture_output=True,
            text=True, timeout=LIMIT_S, preexec_fn=_limited,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"gacheck {' '.join(argv)} still running after {LIMIT_S}s")


def plant(path: Path, what: str, outside: Path) -> None:
    """Put a FIFO, a link to a device, or a link to a file outside the root at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if what == "fifo":
        os.mkfifo(path)
    elif what == "outside":
        outside.parent.mkdir(parents=True, exist_ok=True)
        outside.write_text(json.dumps({"schema_version": 1, "secret": "outside"}))
        path.symlink_to(outside)
    else:
        path.symlink_to(what)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "gates.toml").write_text(textwrap.dedent(CONFIG))
    return root


def evaluate(repo: Path, at: str = AT) -> subprocess.CompletedProcess[str]:
    return gacheck("evaluate", "--config", "gates.toml", "--repo", ".", "--at", at, cwd=repo)


KINDS = ["fifo", "/dev/zero", "outside"]


@pytest.mark.parametrize("what", KINDS)
def test_an_earlier_audit_that_is_not_a_regular_file_inside_the_audits_is_skipped(
    repo: Path, tmp_path: Path, what: str
) -> None:
    plant(repo / f"audits/{D24}/ga-readiness.json", what, tmp_path / "elsewhere/a.json")
    done = evaluate(repo)

    assert done.returncode == 0, done.stderr
    assert (repo / f"audits/{D25}/ga-readiness.json").is_file()
    history = gacheck("history", "--config", "gates.toml", "--repo", ".", cwd=repo)
    assert history.returncode == 0, history.stderr
    assert "Traceback" not in history.stderr + done.stderr


@pytest.mark.parametrize("what", KINDS)
def test_a_latest_json_that_is_not_a_regular_file_is_replaced_not_read(
    repo: Path, tmp_path: Path, what: str
) -> None:
    plant(repo / "audits/latest.json", what, tmp_path / "elsewhere/latest.json")
    done = evaluate(repo)

    assert done.returncode == 0, done.stderr
    latest = repo / "audits/latest.json"
    assert not latest.is_symlink() and latest.is_file()
    assert json.loads(latest.read_text())["verdict"] == "pass"
    if what == "outside":
        assert "outside" in (tmp_path / "elsewhere/latest.json").read_text()  # left untouched


@pytest.mark.parametrize("what", KINDS)
def test_diff_of_an_audit_that_is_not_a_regular_file_is_a_clear_error(
    repo: Path, tmp_path: Path, what: str
) -> None:
    assert evaluate(repo).returncode == 0
    plant(repo / f"audits/{D20}/ga-readiness.json", what, tmp_path / "elsewhere/old.json")
    done = gacheck("diff", D20, D25, "--config", "gates.toml", "--repo", ".",
                   cwd=repo)

    assert done.returncode == 2
    assert "not a readable audit" in done.stderr
    assert "Traceback" not in done.stderr
    expected = {"fifo": "is a FIFO, not a regular file",
                "/dev/zero": "resolves to /dev/zero", "outside": "outside"}[what]
    assert expected in done.stderr


def test_a_dated_folder_that_is_a_link_is_not_written_through(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / "audits").mkdir()
    (repo / f"audits/{D25}").symlink_to(elsewhere, target_is_directory=True)
    done = evaluate(repo)

    assert done.returncode == 2
    assert f"audits/{D25} is a symbolic link" in done.stderr
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("what", KINDS)
def test_a_pip_audit_report_that_is_not_a_regular_file_is_an_error(
    repo: Path, tmp_path: Path, what: str
) -> None:
    plant(repo / "reports/pip-audit.json", what, tmp_path / "elsewhere/report.json")
    (repo / "gates.toml").write_text(textwrap.dedent("""
        [[gates]]
        id = "deps"
        kind = "pip_audit"
        title = "Dependencies"
        report = "reports/pip-audit.json"
    """))
    done = gacheck("evaluate", "--config", "gates.toml", "--repo", ".", "--no-write",
                   "--format", "json", cwd=repo)

    assert done.returncode == 3, done.stderr
    (gate,) = json.loads(done.stdout)["gates"]
    assert gate["status"] == "error"
    assert "internal error" not in gate["message"]
    expected = {"fifo": "is a FIFO, not a regular file",
                "/dev/zero": "resolves to /dev/zero", "outside": "outside"}[what]
    assert expected in gate["message"]


def test_a_json_value_file_linked_out_of_the_repository_is_not_read(
    repo: Path, tmp_path: Path
) -> None:
    plant(repo / "snapshot.json", "outside", tmp_path / "elsewhere/secret.json")
    (repo / "gates.toml").write_text(textwrap.dedent("""
        [[gates]]
        id = "budget"
        kind = "json_value"
        title = "Budget"
        file = "snapshot.json"
        path = "schema_version"
        threshold = { max = 5 }
    """))
    done = gacheck("evaluate", "--config", "gates.toml", "--repo", ".", "--no-write",
                   "--format", "json", cwd=repo)

    (gate,) = json.loads(done.stdout)["gates"]
    assert gate["status"] == "error"
    assert "outside" in gate["message"] and gate["value"] is None


def test_a_pip_audit_report_beyond_the_size_cap_is_refused_before_parsing(repo: Path) -> None:
    """A 200 MB report ran 101 s against a 60 s gate limit; reports above 16 MiB (a real one
    of 5,000 dependencies is a few MB) are refused unread."""
    dependency = {"name": "pkg", "version": "1.0", "vulns": []}
    count = 17 * 1024**2 // len(json.dumps(dependency)) + 1
    (repo / "reports").mkdir()
    (repo / "reports/pip-audit.json").write_text(
        json.dumps({"dependencies": [dependency] * count, "fixes": []}))
    (repo / "gates.toml").write_text(textwrap.dedent("""
        [[gates]]
        id = "deps"
        kind = "pip_audit"
        title = "Dependencies"
        report = "reports/pip-audit.json"
    """))
    done = gacheck("evaluate", "--config", "gates.toml", "--repo", ".", "--no-write",
                   "--format", "json", cwd=repo)

    (gate,) = json.loads(done.stdout)["gates"]
    assert gate["status"] == "error"
    assert gate["message"].startswith("reports/pip-audit.json: 17.")
    assert "MiB, larger than the limit of 16 MiB: not read" in gate["message"]
