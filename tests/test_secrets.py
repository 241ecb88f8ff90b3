"""Secrets never reach any output: audit JSON and Markdown, ``latest``, stdout and stderr,
JUnit, the step summary, annotations, ``--debug`` logs and ``validate --check-queries``.

The servers here are real HTTP servers on 127.0.0.1 that echo back what they were sent (as a
careless proxy or a verbose error page would), so the secrets arrive in the answers too.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from gacheck.core import secrets as registry
from tests.support.clock import recent, stamp
from tests.support.facade_server import FacadeServer

AT = stamp(recent(hours=1))  # in the past: a future --at is refused
PASSWORD = "pw-Secr3t+x~9"
USER = "alice"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


class EchoServer:
    """Answers every request with an error whose text repeats the request's headers and URL.

    ``prometheus``: the shape of a Prometheus API error (HTTP 400 with ``error``);
    otherwise a façade's 401 with the headers in an OpenAI-style error body."""

    def __init__(self, prometheus: bool = True) -> None:
        outer = self
        self.seen: list[dict[str, str]] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                headers = dict(self.headers.items())
                outer.seen.append(headers)
                echoed = f"rejected {self.path} with headers {json.dumps(headers)}"
                if prometheus:
                    body = {"status": "error", "errorType": "bad_data", "error": echoed}
                    code = 400
                else:
                    body = {"error": {"message": echoed}}
                    code = 401
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def echo_prometheus() -> Iterator[EchoServer]:
    with EchoServer(prometheus=True) as server:
        yield server


def everything(tmp_path: Path, result: Any) -> str:
    """Every byte gacheck wrote or printed in this test."""
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".toml"]
    return "".join(p.read_text(errors="replace") for p in files) + result.out + result.err


def assert_no_secret(text: str, *secrets: str) -> None:
    """Neither the secret nor, for long ones, a head of it that a truncation left behind."""
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked"
        if len(secret) >= 12:
            assert secret[:8] not in text, f"the start of {secret!r} leaked"


# --- the registry itself -------------------------------------------------------------------


def test_url_userinfo_is_stripped_wherever_a_url_appears() -> None:
    strip_userinfo = registry.strip_userinfo
    line = "gacheck evaluate --prometheus-url https://user:pw@prom.example:9090/x?y=1 --quiet"
    assert strip_userinfo(line) == (
        "gacheck evaluate --prometheus-url https://***@prom.example:9090/x?y=1 --quiet"
    )
    assert strip_userinfo("GET http://tok3n@127.0.0.1:8000/health") == (
        "GET http://***@127.0.0.1:8000/health"
    )
    # an "@" in the path or query is not userinfo
    assert strip_userinfo("https://host/a@b?c=d@e") == "https://host/a@b?c=d@e"
    # an unencoded "@" in the password: everything up to the host goes
    assert strip_userinfo("https://u:p@ss@host/") == "https://***@host/"


def test_a_secret_is_redacted_in_every_escaped_form_the_writers_give_it() -> None:
    secrets = registry.Secrets()
    secrets.add('a"b<c>&d.e-f%g')
    for form in ('a"b<c>&d.e-f%g', 'a\\"b<c>&d.e-f%g', "a\"b&lt;c&gt;&amp;d.e-f%g",
                 "a%22b%3Cc%3E%26d.e-f%25g", 'a"b&lt;c&gt;&amp;d\\.e\\-f%g', 'a"b<c>&d.e-f%25g'):
        assert secrets.redact(f"[{form}]") == "[***]", form


def test_basic_auth_urls_and_header_values_register_what_the_wire_carries() -> None:
    secrets = registry.Secrets()
    secrets.add_url(f"https://{USER}:{quote(PASSWORD, safe='')}@host")
    secrets.add_header("X-Api-Key", "k3y-value")
    secrets.add_header("Authorization", "Bearer tok-123456")
    secrets.add_header("Accept", "application/json")  # content negotiation is no secret
    text = f"{PASSWORD} {BASIC} k3y-value tok-123456 application/json {USER}"
    assert secrets.redact(text) == f"*** *** *** *** application/json {USER}"


# --- Prometheus: a password in --prometheus-url, a basic-auth header echoed back ------------


CONFIG = """
[settings]
output_dir = "audits"

[prometheus]
retries = 0
timeout = "5s"
{prometheus}

[[gates]]
id = "p95"
kind = "promql_sustained"
title = "p95"
query = "my:p95"
window = "1h"
threshold = {{ max = 1 }}

[[gates]]
id = "budget"
kind = "json_value"
title = "Budget"
file = "snapshot.json"
path = "total"
unit = "count"
threshold = {{ max = 120 }}
"""


def _project(tmp_path: Path, prometheus: str = "") -> Path:
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    config = tmp_path / "gates.toml"
    config.write_text(CONFIG.format(prometheus=prometheus))
    return config


def test_a_password_in_prometheus_url_reaches_no_output(
    tmp_path, run_cli, echo_prometheus, monkeypatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    config = _project(tmp_path)
    url = f"http://{USER}:{PASSWORD}@127.0.0.1:{echo_prometheus.port}"
    outputs = []
    for fmt in ("json", "github", "markdown", "text"):
        outputs.append(run_cli(
            "--debug", "evaluate", "--config", str(config), "--repo", str(tmp_path),
            "--at", AT, "--prometheus-url", url, "--format", fmt,
            "--junit", str(tmp_path / "junit.xml"),
        ))
    assert echo_prometheus.seen, "the requests reached the server"
    assert echo_prometheus.seen[0]["Authorization"] == f"Basic {BASIC}"
    for result in outputs:
        assert_no_secret(everything(tmp_path, result), PASSWORD, BASIC, f"{USER}:")
    audit = json.loads((tmp_path / "audits" / "latest.json").read_text())
    assert f"http://***@127.0.0.1:{echo_prometheus.port}" in audit["command"]
    shown = json.loads(outputs[0].out)["command"]
    assert shown[shown.index("--prometheus-url") + 1] == f"http://***@127.0.0.1:{echo_prometheus.port}"
    p95 = next(g for g in audit["gates"] if g["id"] == "p95")
    assert p95["status"] == "error" and "Basic ***" in p95["message"]
    assert summary.read_text().count("# GA readiness") == 1  # --format github appended it


def test_an_echoed_basic_auth_header_from_env_credentials_is_redacted_everywhere(
    tmp_path, run_cli, echo_prometheus, monkeypatch
) -> None:
    monkeypatch.setenv("PROM_USER", USER)
    monkeypatch.setenv("PROM_PASSWORD", PASSWORD)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    config = _project(tmp_path, 'basic_auth_user_env = "PROM_USER"\n'
                                'basic_auth_password_env = "PROM_PASSWORD"\n'
                                'headers = { "X-Scope-OrgID" = "tenant-s3cret" }')
    url = f"http://127.0.0.1:{echo_prometheus.port}"
    result = run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path),
                     "--at", AT, "--prometheus-url", url,
                     "--format", "github", "--junit", str(tmp_path / "junit.xml"))
    assert echo_prometheus.seen[0]["X-Scope-OrgID"] == "tenant-s3cret"
    text = everything(tmp_path, result)
    assert_no_secret(text, PASSWORD, BASIC, "tenant-s3cret")
    assert "Basic ***" in text
    assert "::error title=gacheck%3A p95::error: Prometheus error (bad_data, HTTP 400)" in text

    checked = run_cli("validate", "--config", str(config), "--check-queries",
                      "--at", AT, "--prometheus-url", url)
    assert checked.code == 2 and "Basic ***" in checked.out
    assert_no_secret(checked.out + checked.err, PASSWORD, BASIC, "tenant-s3cret")


def test_debug_logs_and_internal_error_tracebacks_are_redacted(
    tmp_path, run_cli, monkeypatch
) -> None:
    from gacheck.commands import validate

    def explode(args):  # type: ignore[no-untyped-def]
        from gacheck.core.secrets import current

        current().add("traceback-s3cret")
        raise RuntimeError("boom with traceback-s3cret and https://u:pw9@host")

    monkeypatch.setattr(validate, "run", explode)
    result = run_cli("--debug", "validate")
    assert result.code == 2
    assert "Traceback" in result.err and "RuntimeError: boom with *** and https://***@host" in (
        result.err
    )
    assert_no_secret(result.err, "traceback-s3cret", "pw9")


# --- the façade: credentials in its URL, everywhere a request is recorded ------------------


SMOKE = """
[settings]
output_dir = "audits"

[[gates]]
id = "smoke"
kind = "http_smoke"
title = "Smoke"
retries = 0
headers = {{ "X-Api-Key" = "hdr-s3cret-42" }}
{extra}
"""


def test_credentials_in_the_facade_url_reach_no_output(tmp_path, run_cli, monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    config = tmp_path / "gates.toml"
    config.write_text(SMOKE.format(extra=""))
    with FacadeServer() as facade:
        facade.behaviour.token = "something-else"  # 401 "bad token <the header it got>"
        url = facade.url.replace("http://", f"http://{USER}:{PASSWORD}@")
        result = run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path),
                         "--at", AT, "--facade-url", url,
                         "--format", "github", "--junit", str(tmp_path / "junit.xml"))
        sent = facade.behaviour.seen[0]["authorization"]
    assert sent == f"Basic {BASIC}"  # httpx sends the URL's credentials
    text = everything(tmp_path, result)
    assert_no_secret(text, PASSWORD, BASIC, "hdr-s3cret-42", f"{USER}:")
    audit = json.loads((tmp_path / "audits" / "latest.json").read_text())
    details = audit["gates"][0]["evidence"]["details"]
    port = url.rsplit(":", 1)[1]
    assert details["base_url"] == f"http://***@127.0.0.1:{port}"
    check = details["checks"][0]
    assert check["request"] == f"GET http://***@127.0.0.1:{port}/health"
    assert f"http://***@127.0.0.1:{port}/health" in check["reproduce"]
    assert "bad token Basic ***" in check["body_excerpt"]
    junit = (tmp_path / "junit.xml").read_text()
    assert "***@127.0.0.1" in junit and "***@127.0.0.1" in summary.read_text()


def test_a_basic_auth_header_from_facade_url_credentials_is_redacted_when_echoed(
    tmp_path, run_cli
) -> None:
    config = tmp_path / "gates.toml"
    config.write_text(SMOKE.format(extra=""))
    with EchoServer(prometheus=False) as echo:
        url = f"http://{USER}:{PASSWORD}@127.0.0.1:{echo.port}"
        result = run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path),
                         "--at", AT, "--facade-url", url, "--format", "json",
                         "--junit", str(tmp_path / "junit.xml"))
        assert echo.seen[0]["Authorization"] == f"Basic {BASIC}"
    assert_no_secret(everything(tmp_path, result), PASSWORD, BASIC, "hdr-s3cret-42")
    assert "Basic ***" in result.out


def test_a_secret_that_is_also_a_word_of_the_audit_never_breaks_it(
    tmp_path, run_cli, monkeypatch
) -> None:
    """Found by the fuzz: a token whose end is "status" used to blank the field name out, and
    the audit could not be built. Field names and statuses are gacheck's words, kept."""
    from gacheck import gates
    from tests.property.fuzz import EchoKind

    monkeypatch.setitem(gates.KINDS, "echo", EchoKind())
    monkeypatch.setenv("FUZZ_TOKEN", "xxstatus")
    config = tmp_path / "gates.toml"
    config.write_text('[settings]\noutput_dir = "audits"\n[[gates]]\nid = "echo"\nkind = "echo"\n'
                      'title = "Echo"\n')
    result = run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path),
                     "--at", AT, "--format", "json")
    assert result.code == 1, result.err
    audit = json.loads(result.out)
    assert audit["gates"][0]["status"] == "fail"
    assert "xxstatus" not in result.out + (tmp_path / "audits/latest.json").read_text()


def test_a_gates_context_does_not_read_the_config_again(tmp_path: Path, monkeypatch) -> None:
    """1,000 gates: each gate's context is a copy of the evaluation's; reading the whole
    config for each was a million walks. The secrets in it are still registered once."""
    from datetime import UTC, datetime

    from gacheck.context import Context
    from gacheck.run.config_binding import load_config

    blocks = "".join(f'[[gates]]\nid = "g{i}"\nkind = "ruff_budget"\ntitle = "t"\n'
                     'threshold = { max = 1 }\n' for i in range(200))
    config = tmp_path / "gates.toml"
    config.write_text('[prometheus]\nurl = "http://user:s3cret-pass@prom:9090"\n' + blocks,
                      encoding="utf-8")
    walks = 0
    original = registry.Secrets.add_from_config

    def counting(self, data):
        nonlocal walks
        walks += 1
        return original(self, data)

    monkeypatch.setattr(registry.Secrets, "add_from_config", counting)
    ctx = Context(at=datetime(2026, 11, 20, tzinfo=UTC), config=load_config(config),
                  repo=tmp_path, audit_dir=tmp_path / "a")
    first = walks
    for gate in ctx.config.gates:
        ctx.for_gate(gate)
    assert walks == first  # no walk per gate
    assert ctx.secrets.redact("pw=s3cret-pass") == "pw=***"
