"""``gacheck demo`` end to end: the default config against a real, generated 50h soak."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from gacheck.promlab.demo import skip_reasons
from gacheck.run.config_binding import load_config

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = ROOT / "config" / "gates.toml"
PROMETHEUS_GATES = {"soak_duration", "critical_alerts", "guardian_denial_rate", "pdp_p95_latency"}
# added by the demo (gacheck/promlab/relative_gates.toml) over its generated baseline week
RELATIVE_GATES = {"pdp_p95_vs_last_week", "denial_rate_rc_vs_ga", "pdp_latency_budget"}

pytestmark = pytest.mark.prometheus


def _audit(out: Path) -> dict:
    """The demo's audit of today (it evaluates on the last 3 days, oldest first): partial
    (``ga-readiness.partial.json``) when it skipped gates."""
    dated = sorted(out.glob("*/ga-readiness*.json"))
    assert len(dated) == 3, dated
    return json.loads(dated[-1].read_text(encoding="utf-8"))


def test_demo_reports_the_blip_as_a_warning_and_skips_gates_without_inputs(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached_demo: str
) -> None:
    monkeypatch.chdir(tmp_path)  # no ruff paths, no OpenAPI specs, not the release checkout
    monkeypatch.delenv("GACHECK_PROMETHEUS_URL", raising=False)
    result = run_cli("demo", "--config", str(DEFAULT_CONFIG), "--output-dir", "out")

    assert result.code == 0, result.err
    audit = _audit(tmp_path / "out")
    status = {g["id"]: g["status"] for g in audit["gates"]}
    assert {k: status[k] for k in PROMETHEUS_GATES} == {
        "soak_duration": "pass", "critical_alerts": "pass",
        "guardian_denial_rate": "pass", "pdp_p95_latency": "warn"}
    assert audit["verdict"] == "warn"
    skipped = {g["id"]: g["message"] for g in audit["gates"] if g["status"] == "skipped"}
    assert set(skipped) == set(status) - PROMETHEUS_GATES - RELATIVE_GATES
    assert {k: status[k] for k in RELATIVE_GATES} == dict.fromkeys(RELATIVE_GATES, "pass")
    assert "demo: adding pdp_p95_vs_last_week" in result.err
    assert all(message.startswith("demo: ") for message in skipped.values())
    assert "needs --repo" in skipped["e402_batches"]
    # it skipped gates: a partial audit, judged on what ran, never written as latest.*
    assert audit["partial"] is True and audit["selection"]["partial_requested"] is True
    assert set(audit["selection"]["left_out"]) == set(skipped)
    markdown = sorted((tmp_path / "out").glob("*/ga-readiness.partial.md"))[-1]
    assert (tmp_path / "out/site/index.html").is_file()  # the dashboard of the 3 days
    assert markdown.read_text(encoding="utf-8").startswith("# GA readiness: WARN")
    assert not (tmp_path / "out" / "latest.md").exists()
    assert "verdict: WARN" in result.out
    assert "audit written: " in result.out
    # Prometheus was stopped: the URL the audit names answers no more
    url = re.search(r"http://127\.0\.0\.1:\d+", " ".join(audit["notes"])).group(0)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/-/ready", timeout=2)
    assert "prometheus stopped" in result.err


def test_demo_on_a_release_checkout_runs_the_gates_whose_inputs_exist(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached_demo: str
) -> None:
    repo = tmp_path / "rc"
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for path in load_config(DEFAULT_CONFIG).gate("ruff_hot_path").params.paths:
        module = repo / path if path.endswith(".py") else repo / path / "module.py"
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text("import os\n\nx = 1\n")
    (repo / "README").write_text("rc\n")
    subprocess.run([*git, "add", "README"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "initial"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "refactor(lint): E402 cleanup batch 1 (5 files)"],
                   check=True)
    monkeypatch.chdir(tmp_path)
    result = run_cli("demo", "--config", str(DEFAULT_CONFIG), "--repo", str(repo),
                     "--output-dir", "out")

    assert result.code in (0, 1), result.err
    status = {g["id"]: g["status"] for g in _audit(tmp_path / "out")["gates"]}
    assert status["ruff_hot_path"] not in ("skipped", "error")
    assert status["e402_batches"] not in ("skipped", "error")
    assert status["openapi_headers"] == "skipped"


def test_demo_without_prometheus_says_how_to_install_it(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_cli("demo", "--config", str(DEFAULT_CONFIG), "--output-dir",
                     str(tmp_path / "out"))
    assert result.code == 2
    assert "apt-get install prometheus" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_demo_with_a_broken_config_fails_before_starting_anything(
    run_cli, write_config, tmp_path: Path
) -> None:
    config = write_config("[[gates]]\nid = 'x'\ntitle = 'X'\nkind = 'no_such_kind'\n")
    result = run_cli("demo", "--config", str(config), "--output-dir", str(tmp_path / "out"))
    assert result.code == 2
    assert "no_such_kind" in result.err
    assert not (tmp_path / "out").exists()


def test_smoke_gate_runs_only_when_a_facade_answers_on_loopback(tmp_path: Path) -> None:
    config = load_config(DEFAULT_CONFIG)
    remote = skip_reasons(config, tmp_path, True, "http://192.0.2.10:8000")
    assert "loopback only" in remote["facade_smoke"]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        assert "facade_smoke" not in skip_reasons(config, tmp_path, True, url)
    assert "nothing answers" in skip_reasons(config, tmp_path, True, url)["facade_smoke"]


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_demo_serve_stops_prometheus_on_ctrl_c_or_kill(tmp_path: Path, how: str,
                                                      cached_demo: str) -> None:
    import os
    import signal
    import sys
    import threading

    # gacheck demo in a process of its own (``python -m gacheck demo``, but with the clock and
    # the build of ``cached_demo``)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.prometheus.demo_at", cached_demo, "demo", "--config",
         str(DEFAULT_CONFIG), "--output-dir", str(tmp_path / "out"), "--serve"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": path},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    watchdog = threading.Timer(180, process.kill)  # a hung demo must not hang the suite
    watchdog.start()
    try:
        url = None
        for line in process.stderr:
            found = re.search(r"keeps running at (http://127\.0\.0\.1:\d+)", line)
            if found:
                url = found.group(1)
                break
        assert url is not None, "the demo never said it was serving"
        assert httpx.get(f"{url}/-/ready", timeout=5).status_code == 200
        process.send_signal(getattr(signal, how))
        rest = process.stderr.read()
        assert process.wait(timeout=60) == 0
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
    assert "prometheus stopped" in rest
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/-/ready", timeout=2)
    assert list((tmp_path / "out").glob("*/ga-readiness.partial.json"))  # written before
