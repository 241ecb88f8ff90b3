"""The files of one evaluation are one unit: on disk full, under 20 concurrent runs and after a
kill, either the whole set of a run is there or none of it, and no temporary file stays behind.

Real processes, a real (tiny) tmpfs when the tests run as root, real SIGKILL.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.clock import day, on, stamp

ROOT = Path(__file__).resolve().parents[1]
# three days that are over (a future --at is refused), as folder names and --at values
DAY1, DAY2, DAY3 = (str(day(n)) for n in (3, 2, 1))
AT1, AT2, AT3 = (stamp(on(day(n), "12:00")) for n in (3, 2, 1))
CONFIG = """
[settings]
output_dir = "{output}"

[[gates]]
id = "budget"
kind = "json_value"
title = "Budget"
file = "snapshot.json"
path = "total"
unit = "count"
threshold = {{ max = 120 }}

[[gates]]
id = "tests"
kind = "command"
title = "Tests"
command = ["sh", "-c", "echo fine"]
"""


def project(root: Path, output: Path, total: int = 90) -> Path:
    """A repository whose budget gate passes (90) or fails (200); audits go to ``output``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "snapshot.json").write_text(json.dumps({"total": total}))
    config = root / "gates.toml"
    config.write_text(CONFIG.format(output=output))
    return config


def evaluate_args(config: Path, at: str) -> list[str]:
    return ["evaluate", "--config", str(config), "--repo", str(config.parent), "--at", at,
            "--no-charts", "--quiet"]


TEMP_MARK = ".gacheck-tmp"
JOURNAL = ".gacheck-renames.json"


def strays(directory: Path) -> list[Path]:
    """Hidden files: temporaries (of any writer, old or new) and the rename journal."""
    return [p for p in directory.rglob(".*") if p.is_file()]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def assert_whole_set(directory: Path, day: str) -> dict:
    """The dated JSON and Markdown tell the same verdict, and ``latest`` is a copy of them."""
    dated = directory / day / "ga-readiness.json"
    audit = json.loads(dated.read_text())
    markdown = (directory / day / "ga-readiness.md").read_text()
    assert markdown.startswith(f"# GA readiness: {audit['verdict'].upper()} (score {audit['score']:g})")
    assert (directory / "latest.json").read_bytes() == dated.read_bytes()
    assert (directory / "latest.md").read_text() == markdown
    assert strays(directory) == []
    return audit


def test_a_write_that_fails_midway_leaves_the_previous_set_untouched_and_no_stray(
    tmp_path, run_cli, monkeypatch
) -> None:
    from gacheck.output import audit_set

    out = tmp_path / "audits"
    config = project(tmp_path / "repo", out)
    assert run_cli(*evaluate_args(config, AT1)).code == 0
    before = snapshot(out)

    calls = []
    original = audit_set.write_temp

    def disk_full_on_the_third_file(path: Path, data: bytes) -> Path:
        calls.append(path.name)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(path, data)

    monkeypatch.setattr(audit_set, "write_temp", disk_full_on_the_third_file)
    failed = run_cli(*evaluate_args(config, AT2))
    assert failed.code == 2
    assert failed.err.startswith("gacheck: error: cannot write ") and "No space left" in failed.err
    assert calls[:3] == ["ga-readiness.json", "ga-readiness.md", "latest.json"]
    assert snapshot(out) == before  # not a dated JSON without its MD, not a new latest.json
    assert not (out / DAY2).exists()


@pytest.fixture
def tiny_tmpfs(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 256 KiB tmpfs (needs root and mount; skipped otherwise)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_real_disk_full_writes_the_whole_set_or_nothing(tmp_path, tiny_tmpfs, run_cli) -> None:
    out = tiny_tmpfs / "audits"
    config = project(tmp_path / "repo", out)
    assert run_cli(*evaluate_args(config, AT1)).code == 0
    before = snapshot(out)
    set_size = sum(len(data) for data in before.values())
    # fill the disk so that about half of the next set still fits
    stat = os.statvfs(tiny_tmpfs)
    free = stat.f_bavail * stat.f_frsize
    (tiny_tmpfs / "filler").write_bytes(b"\0" * max(0, free - set_size // 2))
    failed = run_cli(*evaluate_args(config, AT2))
    assert failed.code == 2 and "No space left on device" in failed.err
    assert snapshot(out) == before
    assert not (out / DAY2).exists()
    (tiny_tmpfs / "filler").unlink()
    assert run_cli(*evaluate_args(config, AT2)).code == 0
    assert_whole_set(out, DAY2)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gacheck", *args], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


@pytest.mark.slow
def test_twenty_concurrent_runs_into_one_directory_leave_one_whole_set(tmp_path) -> None:
    out = tmp_path / "audits"
    passing = project(tmp_path / "passing", out, total=90)
    failing = project(tmp_path / "failing", out, total=200)
    runs = [_cli(*evaluate_args(passing if i % 2 else failing, AT2))
            for i in range(20)]
    codes = [run.wait(timeout=300) for run in runs]
    errors = [run.stderr.read() for run in runs]
    for run in runs:
        run.stdout.close()  # type: ignore[union-attr]
        run.stderr.close()  # type: ignore[union-attr]
    assert sorted(set(codes)) == [0, 1], errors
    audit = assert_whole_set(out, DAY2)
    assert audit["verdict"] in ("pass", "fail")
    assert sorted(p.name for p in (out / DAY2).iterdir()) == [
        "ga-readiness.json", "ga-readiness.md"]


KILLER = """
import os, signal, sys
from gacheck.output import audit_set

phase, count = os.environ["KILL_AT"].split(":")
seen = []

def kill_after(name):
    seen.append(name)
    if len(seen) == int(count):
        os.kill(os.getpid(), signal.SIGKILL)

if phase == "write":
    original_write = audit_set.write_temp

    def write_temp(path, data):
        written = original_write(path, data)
        kill_after(path.name)
        return written

    audit_set.write_temp = write_temp
else:
    original_commit = audit_set.AuditSet.commit
    original_replace = os.replace

    def commit(self):
        def replace(source, target):
            original_replace(source, target)
            if not str(target).endswith(audit_set.JOURNAL):
                kill_after(str(target))
        os.replace = replace
        return original_commit(self)

    audit_set.AuditSet.commit = commit

from gacheck.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _killed_run(tmp_path: Path, config: Path, at: str, kill_at: str) -> None:
    script = tmp_path / "killer.py"
    script.write_text(textwrap.dedent(KILLER))
    done = subprocess.run(
        [sys.executable, str(script), *evaluate_args(config, at)], cwd=ROOT, capture_output=True,
        text=True, env={**os.environ, "PYTHONPATH": str(ROOT), "KILL_AT": kill_at}, timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_a_kill_while_writing_leaves_no_file_of_that_run_and_the_next_run_cleans_up(
    tmp_path, run_cli
) -> None:
    out = tmp_path / "audits"
    config = project(tmp_path / "repo", out)
    assert run_cli(*evaluate_args(config, AT1)).code == 0
    before = snapshot(out)
    _killed_run(tmp_path, config, AT2, "write:3")
    left = strays(out)
    assert len(left) == 3 and all(p.name.startswith(".") for p in left)  # hidden temporaries
    visible = {k: v for k, v in snapshot(out).items() if TEMP_MARK not in k}
    assert visible == before  # none of the killed run's files is in place
    assert run_cli(*evaluate_args(config, AT3)).code == 0
    assert_whole_set(out, DAY3)  # and the strays are gone
    assert not (out / DAY2 / "ga-readiness.json").exists()


def test_a_kill_between_the_renames_is_finished_by_the_next_run(tmp_path, run_cli) -> None:
    out = tmp_path / "audits"
    config = project(tmp_path / "repo", out)
    assert run_cli(*evaluate_args(config, AT1)).code == 0
    _killed_run(tmp_path, config, AT2, "rename:1")
    assert (out / JOURNAL).is_file()
    assert (out / DAY2 / "ga-readiness.json").is_file()
    assert not (out / DAY2 / "ga-readiness.md").exists()  # half a set, for now
    # the next evaluation (another day) first completes the killed run's set
    project(tmp_path / "repo", out, total=200)
    assert run_cli(*evaluate_args(config, AT3)).code == 1
    killed = json.loads((out / DAY2 / "ga-readiness.json").read_text())
    markdown = (out / DAY2 / "ga-readiness.md").read_text()
    assert markdown.startswith(f"# GA readiness: {killed['verdict'].upper()}")
    assert assert_whole_set(out, DAY3)["verdict"] == "fail"


def test_a_planted_rename_journal_moves_nothing_outside_its_own_audit_files(tmp_path, run_cli) -> None:
    """The audit directory comes with the release under test: a journal in it is untrusted."""
    out = tmp_path / "audits"
    config = project(tmp_path / "repo", out)
    out.mkdir()
    victim = tmp_path / "repo" / "snapshot.json"
    original = victim.read_bytes()
    (out / ".evil.0badc0de.gacheck-tmp.json").write_text('{"total": 1}')
    (tmp_path / ".outside.0badc0de.gacheck-tmp.json").write_text('{"total": 2}')
    (out / JOURNAL).write_text(json.dumps([
        [".evil.0badc0de.gacheck-tmp.json", "../repo/snapshot.json"],
        ["../.outside.0badc0de.gacheck-tmp.json", "../repo/snapshot.json"],
        [".evil.0badc0de.gacheck-tmp.json", "latest.json"],  # not named after its target
        "not a pair",
    ]))
    assert run_cli(*evaluate_args(config, AT2)).code == 0
    assert victim.read_bytes() == original
    assert (tmp_path / ".outside.0badc0de.gacheck-tmp.json").exists()  # outside: not touched
    assert_whole_set(out, DAY2)  # the journal and the planted temporary are gone
