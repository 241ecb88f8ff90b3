"""Exit codes and options, through ``main([...])`` and through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from tests.support.clock import day, on, stamp
from tests.support.ports import refused_port

CONFIG = """
[settings]
output_dir = "out"

[[gates]]
id = "first"
kind = "command"
title = "First"
command = ["sh", "-c", "exit {first}"]
threshold = {{ max = 1, warn = 0 }}

[[gates]]
id = "second"
kind = "command"
title = "Second"
blocking = {blocking}
command = ["sh", "-c", "exit {second}"]
"""


def config_with(write_config, first: int = 0, second: int = 0, blocking: bool = True) -> Path:
    return write_config(
        CONFIG.format(first=first, second=second, blocking=str(blocking).lower())
    )


@pytest.mark.parametrize(
    ("first", "second", "blocking", "strict", "code", "verdict"),
    [
        (0, 0, True, False, 0, "pass"),
        (1, 0, True, False, 0, "warn"),  # exit 1 is within max 1 but above warn 0
        (1, 0, True, True, 1, "warn"),  # --strict: warn is not good enough
        (0, 3, True, False, 1, "fail"),
        (0, 3, False, False, 0, "warn"),  # a non-blocking failure only warns
        (2, 0, True, False, 1, "fail"),
    ],
)
def test_exit_codes_follow_the_verdict(
    write_config, run_cli, first, second, blocking, strict, code, verdict
) -> None:
    path = config_with(write_config, first, second, blocking)
    args = ["evaluate", "--config", str(path), "--no-write", "--format", "json"]
    result = run_cli(*args, *(["--strict"] if strict else []))
    assert json.loads(result.out)["verdict"] == verdict
    assert result.code == code


def test_incomplete_exits_3(write_config, run_cli) -> None:
    path = write_config("""
        [[gates]]
        id = "gone"
        kind = "command"
        title = "Gone"
        command = ["/nonexistent/tool"]
    """)
    result = run_cli("evaluate", "--config", str(path), "--no-write")
    assert result.code == 3
    assert "ERROR" in result.out and "verdict: INCOMPLETE" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate", "--at", "yesterday"], "--at: expected RFC 3339"),
        (["evaluate", "--at", "2026-11-25T12:00:00"], "has no time zone"),
        (["evaluate", "--only", "nope"], "no gate has id nope (gates: first, second)"),
        (["evaluate", "--format", "yaml"], "invalid choice: 'yaml'"),
        (["evaluate", "--output-dir", "x", "--no-write"], "not allowed with argument"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2_with_one_message(write_config, run_cli, args, message) -> None:
    path = config_with(write_config)
    result = run_cli(*args, "--config", str(path)) if args[0] == "evaluate" else run_cli(*args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_no_command_prints_help_and_exits_2(run_cli) -> None:
    result = run_cli()
    assert result.code == 2 and "usage: gacheck" in result.err


def test_only_and_skip_report_the_others_as_skipped_and_are_no_pass(write_config, run_cli) -> None:
    path = config_with(write_config, first=0, second=3)
    only = run_cli("evaluate", "--config", str(path), "--no-write", "--format", "json", "--only", "first")
    audit = json.loads(only.out)
    assert [g["status"] for g in audit["gates"]] == ["pass", "skipped"]
    # the blocking gate left out is not a pass: incomplete, exit 3, and named
    assert (audit["verdict"], only.code) == ("incomplete", 3)
    assert audit["partial"] is True
    assert audit["selection"]["left_out_blocking"] == ["second"]
    assert any("second" in note and "--partial" in note for note in audit["notes"])
    skip = run_cli("evaluate", "--config", str(path), "--no-write", "--format", "json", "--skip", "first")
    assert [g["status"] for g in json.loads(skip.out)["gates"]] == ["skipped", "fail"]
    assert skip.code == 1  # a fail stays a fail


def test_partial_judges_the_selection(write_config, run_cli) -> None:
    path = config_with(write_config, first=0, second=3)
    only = run_cli("evaluate", "--config", str(path), "--no-write", "--format", "json",
                   "--only", "first", "--partial")
    audit = json.loads(only.out)
    assert (audit["verdict"], only.code) == ("pass", 0)
    assert audit["partial"] is True
    assert audit["selection"] == {"only": ["first"], "skip": [], "left_out": ["second"],
                                  "left_out_blocking": ["second"], "partial_requested": True}


def test_leaving_out_only_non_blocking_gates_keeps_the_verdict(write_config, run_cli) -> None:
    path = config_with(write_config, first=0, second=3, blocking=False)
    skip = run_cli("evaluate", "--config", str(path), "--no-write", "--format", "json",
                   "--skip", "second")
    audit = json.loads(skip.out)
    assert (audit["verdict"], skip.code, audit["partial"]) == ("pass", 0, True)


def test_a_full_run_is_not_partial(write_config, run_cli) -> None:
    path = config_with(write_config)
    full = run_cli("evaluate", "--config", str(path), "--no-write", "--format", "json")
    audit = json.loads(full.out)
    assert audit["partial"] is False and audit["selection"] is None


def test_at_accepts_unix_seconds_and_offsets(write_config, run_cli) -> None:
    path = config_with(write_config)
    at = on(day(1), "08:00")
    unix = run_cli("evaluate", "--config", str(path), "--no-write", "--format", "json", "--at", str(int(at.timestamp())))
    assert json.loads(unix.out)["evaluated_at"] == stamp(at)
    an_hour_east = at.astimezone(timezone(timedelta(hours=1)))  # 09:00+01:00
    offset = run_cli(
        "evaluate", "--config", str(path), "--no-write", "--format", "json",
        "--at", an_hour_east.isoformat(),
    )
    assert json.loads(offset.out)["evaluated_at"] == stamp(at)


def test_text_output_has_a_line_per_gate_and_no_colour_off_a_terminal(write_config, run_cli) -> None:
    path = config_with(write_config, first=1)
    result = run_cli("evaluate", "--config", str(path), "--no-write")
    lines = result.out.splitlines()
    assert lines[0].startswith("WARN") and "first" in lines[0] and "1 > warn 0" in lines[0]
    assert lines[1].startswith("PASS") and "second" in lines[1]
    assert "verdict: WARN  score 75/100" in result.out
    assert "\033[" not in result.out


def test_quiet_prints_only_the_verdict(write_config, run_cli) -> None:
    result = run_cli("evaluate", "--config", str(config_with(write_config)), "--no-write", "--quiet")
    assert result.out == "verdict: PASS  score 100/100\n"  # spelled as the text report spells it


def _console_script() -> str:
    script = Path(sys.executable).with_name("gacheck")
    if not script.exists():
        pytest.skip("gacheck console script is not installed beside this python")
    return str(script)


def test_the_installed_console_script_exits_with_the_verdict(write_config, tmp_path) -> None:
    script = _console_script()
    failing = config_with(write_config, second=3)
    done = subprocess.run(
        [script, "evaluate", "--config", str(failing), "--repo", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "verdict: FAIL" in done.stdout
    assert (tmp_path / "out" / "latest.json").exists()
    broken = write_config("[[gates]\n", "broken.toml")
    done = subprocess.run([script, "validate", "--config", str(broken)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith(f"gacheck: error: {broken}: TOML syntax error")
    assert done.stderr.count("\n") == 1
    done = subprocess.run([script, "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "evaluate" in done.stdout


def test_ctrl_c_stops_cleanly_kills_running_commands_and_writes_nothing(write_config, tmp_path) -> None:
    import os
    import signal
    import time

    script = _console_script()
    pid_file = tmp_path / "child.pid"
    config = write_config(f"""
        [settings]
        output_dir = "out"
        [[gates]]
        id = "long"
        kind = "command"
        title = "Long"
        command = ["sh", "-c", "echo $$ > {pid_file}; exec sleep 60"]
    """)
    proc = subprocess.Popen(
        [script, "evaluate", "--config", str(config), "--repo", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT dumps every thread's stack
        # Ctrl-C reaches gacheck as in a terminal, also when the suite runs as a background job
        # (nohup ... &), whose SIGINT is ignored, and so in every process it starts
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 20
    while not (pid_file.exists() and pid_file.read_text().strip()):
        assert time.monotonic() < deadline, "the command gate never started"
        time.sleep(0.05)
    child = int(pid_file.read_text())
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # say where it hangs
        proc.send_signal(signal.SIGABRT)
        stacks = proc.communicate(timeout=20)[1]
        pytest.fail(f"gacheck was still running 20s after Ctrl-C; its threads:\n{stacks[-6000:]}")
    assert proc.returncode == 130
    assert err == "gacheck: interrupted; nothing was written\n"
    assert not (tmp_path / "out").exists()
    time.sleep(0.2)
    try:
        os.kill(child, 0)
        alive = not Path(f"/proc/{child}/stat").read_text().split()[2] == "Z"
    except ProcessLookupError:
        alive = False
    assert not alive, "the gate's command outlived gacheck"


def test_library_retry_chatter_stays_out_of_stderr_unless_debug(write_config, run_cli) -> None:
    path = write_config("""
        [[gates]]
        id = "soak"
        kind = "soak_duration"
        title = "Soak"
    """)
    with refused_port() as port:  # a port nobody listens on
        result = run_cli("evaluate", "--config", str(path), "--no-write",
                         "--prometheus-url", f"http://127.0.0.1:{port}")
    assert result.code == 3
    assert f"cannot reach Prometheus at http://127.0.0.1:{port}" in result.out
    assert result.err == ""


def test_a_future_at_is_refused_with_exit_2_and_one_line(write_config, run_cli) -> None:
    # Nothing is measured in the future: evaluating it would read "no alert" as a pass.
    path = config_with(write_config)
    future = run_cli("evaluate", "--config", str(path), "--no-write", "--at", "2099-01-01T00:00:00Z")
    assert future.code == 2 and future.out == ""
    assert future.err.startswith("gacheck: error: --at: 2099-01-01T00:00:00Z is in the future")
    assert len(future.err.strip().splitlines()) == 1
    check = run_cli("validate", "--config", str(path), "--check-queries", "--at", "4102444800")
    assert check.code == 2 and "is in the future" in check.err


def test_an_at_a_minute_ahead_is_clock_skew_and_accepted(write_config, run_cli) -> None:
    from datetime import UTC, datetime, timedelta

    path = config_with(write_config)
    ahead = (datetime.now(UTC) + timedelta(minutes=1)).replace(microsecond=0)
    result = run_cli("evaluate", "--config", str(path), "--no-write", "--format", "json",
                     "--at", ahead.isoformat())
    assert result.code == 0, result.err
    assert json.loads(result.out)["evaluated_at"] == ahead.isoformat().replace("+00:00", "Z")
