"""Verdict metrics read back from a real Prometheus: through the real Debian Pushgateway, and
through a textfile served as node_exporter's textfile collector would serve it. The shipped
alerting rules pass ``promtool check rules`` and fire on a failed verdict."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gacheck.promlab.server import PrometheusServer
from tests.support.clock import day, on, stamp
from tests.support.ports import free_port, refused_port

pytestmark = pytest.mark.prometheus
METRICS = Path(__file__).parents[2] / "gacheck" / "metrics"
CONFIG = """
[settings]
output_dir = "out"

[[gates]]
id = "build"
kind = "command"
title = "Build"
command = ["sh", "-c", "exit 0"]

[[gates]]
id = "smoke"
kind = "command"
title = "Smoke"
command = ["sh", "-c", "exit 3"]
"""
EVALUATED = on(day(3), "12:00")  # days ago (more than the stale rule's 26 hours): it fires
AT = stamp(EVALUATED)
AT_S = EVALUATED.timestamp()  # AT in Unix seconds


class ScrapingPrometheus(PrometheusServer):
    """The lab server with one scrape job (1s interval) and, optionally, gacheck's rules."""

    def __init__(self, data_dir: Path, workdir: Path, target: str, rules: str | None = None):
        super().__init__(data_dir, workdir, rules=rules)
        self.target = target

    def _flags(self) -> list[str]:
        flags = super()._flags()
        config = self.workdir / "prometheus.yml"
        text = config.read_text().replace("  evaluation_interval: 30s",
                                          "  evaluation_interval: 1s\n  scrape_interval: 1s")
        text += ("scrape_configs:\n  - job_name: gacheck\n    honor_labels: true\n"
                 f"    static_configs:\n      - targets: ['{self.target}']\n")
        config.write_text(text)
        return flags


@contextlib.contextmanager
def pushgateway(workdir: Path) -> Iterator[str]:
    binary = shutil.which("prometheus-pushgateway") or shutil.which("pushgateway")
    if binary is None:
        pytest.fail("prometheus-pushgateway is not installed (scripts/setup.sh installs it)")
    port = free_port()
    log = (workdir / "pushgateway.log").open("wb")
    process = subprocess.Popen([binary, f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    url = f"127.0.0.1:{port}"
    try:
        _wait(lambda: httpx.get(f"http://{url}/-/ready", timeout=1).status_code == 200)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@contextlib.contextmanager
def textfile_exporter(path: Path) -> Iterator[str]:
    """Serves ``path`` at /metrics, as node_exporter's textfile collector would pass it on."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True,
                              kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _wait(ready, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if ready():
                return
        time.sleep(0.2)
    raise AssertionError("not ready in time")


def _query(prom: str, promql: str) -> dict[str, float]:
    """``{label text: value}`` of an instant query, once the first scrape has landed."""
    found: dict[str, float] = {}

    def answered() -> bool:
        data = httpx.get(f"{prom}/api/v1/query", params={"query": promql}, timeout=5).json()
        found.clear()
        for series in data["data"]["result"]:
            labels = ",".join(f"{k}={v}" for k, v in sorted(series["metric"].items())
                              if k not in ("__name__", "instance", "job"))
            found[labels] = float(series["value"][1])
        return bool(found)

    _wait(answered)
    return found


def _evaluate(run_cli, write_config, *extra: str):  # type: ignore[no-untyped-def]
    config = write_config(CONFIG)
    return run_cli("evaluate", "--config", str(config), "--no-write", "--at", AT,
                   "--format", "text", *extra)


def _assert_the_verdict_is_read_back(prom: str) -> None:
    assert _query(prom, "gacheck_verdict == 1") == {"config=gates,verdict=fail": 1.0}
    assert _query(prom, "gacheck_score") == {"config=gates": 50.0}
    assert _query(prom, "gacheck_gate_status == 1") == {
        "config=gates,gate=build,status=pass": 1.0, "config=gates,gate=smoke,status=fail": 1.0}
    assert _query(prom, "gacheck_gate_value") == {
        "config=gates,gate=build,unit=count": 0.0, "config=gates,gate=smoke,unit=count": 3.0}
    assert _query(prom, "gacheck_last_evaluation_timestamp_seconds") == {"config=gates": AT_S}


def test_a_pushed_verdict_is_read_back_from_prometheus(run_cli, write_config,
                                                       tmp_path: Path) -> None:
    with pushgateway(tmp_path) as gateway:
        done = _evaluate(run_cli, write_config, "--pushgateway", f"http://{gateway}")
        assert done.code == 1, done.err  # the verdict's exit code, not the push's
        rules = (METRICS / "alerts.yml").read_text().replace("for: 10m", "for: 0s")
        with ScrapingPrometheus(tmp_path / "data", tmp_path / "prom", gateway, rules) as prom:
            _assert_the_verdict_is_read_back(prom.url)
            firing = _query(prom.url, 'ALERTS{alertstate="firing"}')
            assert "alertname=GAReadinessFailed,alertstate=firing,config=gates,severity=warning" \
                in firing
            # evaluated "at" a past instant: the stale alert fires too
            assert any(k.startswith("alertname=GAReadinessStale") for k in firing)


def test_a_textfile_verdict_is_read_back_from_prometheus(run_cli, write_config,
                                                         tmp_path: Path) -> None:
    target = tmp_path / "textfile" / "gacheck.prom"
    done = _evaluate(run_cli, write_config, "--metrics-file", str(target))
    assert done.code == 1, done.err
    text = target.read_text()
    assert "# TYPE gacheck_verdict gauge" in text
    assert not list(target.parent.glob("*.tmp*"))  # written whole, then renamed
    lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=60)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    with textfile_exporter(target) as exporter, \
            ScrapingPrometheus(tmp_path / "data", tmp_path / "prom", exporter) as prom:
        _assert_the_verdict_is_read_back(prom.url)


def test_a_pushgateway_that_is_down_is_an_output_error_after_the_verdict(
        run_cli, write_config) -> None:
    with refused_port() as port:
        done = _evaluate(run_cli, write_config, "--pushgateway",
                         f"http://user:s3cret@127.0.0.1:{port}")
    assert done.code == 2
    assert "FAIL" in done.out  # the verdict was printed first
    assert "cannot push to the Pushgateway" in done.err and "s3cret" not in done.err


def test_a_metrics_file_must_be_a_prom_file(run_cli, write_config, tmp_path: Path) -> None:
    done = _evaluate(run_cli, write_config, "--metrics-file", str(tmp_path / "gacheck.txt"))
    assert done.code == 2 and "*.prom" in done.err


def test_the_shipped_rules_pass_promtool() -> None:
    done = subprocess.run(["promtool", "check", "rules", str(METRICS / "alerts.yml")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 rules found" in done.stdout


def test_the_dashboard_queries_only_metrics_gacheck_writes() -> None:
    import json
    import re

    dashboard = json.loads((METRICS / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = set(re.findall(r"\bgacheck_[a-z_]+", " ".join(exprs)))
    assert used == {"gacheck_verdict", "gacheck_score", "gacheck_gate_status",
                    "gacheck_gate_value", "gacheck_last_evaluation_timestamp_seconds"}
