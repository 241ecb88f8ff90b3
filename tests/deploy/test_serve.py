"""``gacheck serve`` as Argo Rollouts' Web provider and Flagger call it: a real uvicorn server
on 127.0.0.1 in front of a real Prometheus."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.deploy.support import TOKEN, gacheck_env

pytestmark = pytest.mark.prometheus

# What Argo Rollouts' Web provider sends: a GET with the configured headers and its own
# User-Agent; Flagger POSTs its payload as JSON with no custom headers.
ARGO_HEADERS = {"User-Agent": "argo-rollouts/v1.7.2", "Content-Type": "application/json"}


def flagger_body(**metadata: str) -> dict[str, object]:
    return {"name": "podinfo", "namespace": "test", "phase": "Progressing",
            "checksum": "6f8b5b8c4d", "metadata": metadata}


def metric(served_url: str, name: str) -> float:
    text = httpx.get(f"{served_url}/metrics", timeout=5).text
    found = re.findall(rf"^{re.escape(name)}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M)
    return sum(float(v) for v in found)


def test_argo_web_provider_reads_the_verdict_and_the_gates(serve, serve_repo: Path) -> None:
    with serve() as served:
        passing = httpx.get(f"{served.url}/v1/verdict", headers=ARGO_HEADERS, timeout=10)
        failing = httpx.get(f"{served.url}/v1/verdict", params={"config": "failing.toml"},
                            headers=ARGO_HEADERS, timeout=10)
    assert passing.status_code == 200 and failing.status_code == 200
    ok, bad = passing.json(), failing.json()
    assert ok["verdict"] == "pass" and ok["score"] == 100
    assert bad["verdict"] == "fail"
    gate = bad["gates"][0]
    assert (gate["id"], gate["status"], gate["value"], gate["threshold"]) == (
        "error_rate", "fail", 2.0, "≤ 1")
    assert "sustained breach" in gate["reason"]
    audit = json.loads((serve_repo / bad["audit"]).read_text(encoding="utf-8"))
    assert audit["verdict"] == "fail" and audit["command"][:2] == ["gacheck", "evaluate"]


def test_flagger_hooks_answer_with_the_status_flagger_reads(serve) -> None:
    with serve() as served:
        def call(hook: str, **metadata: str) -> httpx.Response:
            return httpx.post(f"{served.url}/v1/flagger/{hook}", json=flagger_body(**metadata),
                              timeout=10)

        assert call("pre-rollout").status_code == 200
        assert call("confirm-promotion").status_code == 200
        refused = call("rollout", config="failing.toml")
        confirm = call("confirm-promotion", config="failing.toml")
        rollback_on_fail = call("rollback", config="failing.toml")
        rollback_on_pass = call("rollback")
        replay = call("rollout", config="failing.toml", only="error_rate",
                      at=time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(time.time() - 600)))
    assert refused.status_code == 412 and confirm.status_code == 412
    body = refused.json()
    assert body["verdict"] == "fail"
    assert body["problems"][0].startswith("error_rate fail: 2 vs ≤ 1")
    assert "error_rate fail: 2 vs ≤ 1" in body["message"]
    assert rollback_on_fail.status_code == 200 and rollback_on_pass.status_code == 412
    assert replay.status_code == 412 and replay.json()["verdict"] == "fail"


def test_a_slow_evaluation_answers_pending_then_the_result(serve) -> None:
    with serve() as served:  # the default answer timeout: 8s, below the controllers' 10s
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=1) as pool:
            flagger = pool.submit(httpx.post, f"{served.url}/v1/flagger/confirm-rollout",
                                  json=flagger_body(config="slow.toml"), timeout=10)
            first = httpx.get(f"{served.url}/v1/verdict", params={"config": "slow.toml"},
                              timeout=10)
            waited = time.monotonic() - started
            hook = flagger.result()
        time.sleep(3)  # the sleep 10 gate ends
        after = httpx.get(f"{served.url}/v1/verdict", params={"config": "slow.toml"}, timeout=10)
        evaluations = metric(served.url, "gacheck_serve_evaluations_total")
    assert first.status_code == 200 and first.json()["verdict"] == "pending"
    assert 7.5 < waited < 9.0
    assert hook.status_code == 503 and "evaluation running" in hook.json()["message"]
    assert after.json()["verdict"] == "pass"
    assert {g["id"] for g in after.json()["gates"]} == {"error_rate", "slow_check"}
    assert evaluations == 1


def well_inside_a_minute() -> None:
    """Callers without ``at`` share the evaluation of the current minute: concurrent callers
    all ask within a second or two of this call, so not in its last five seconds."""
    second = time.time() % 60
    if second > 55:
        time.sleep(61 - second)


def test_fifty_concurrent_callers_share_one_evaluation(serve) -> None:
    # One client with 50 connections: each caller's time is the server's, not the building of
    # 50 TLS contexts in this process (what httpx.get does on each call).
    with serve() as served, httpx.Client(
            timeout=10, headers=ARGO_HEADERS, limits=httpx.Limits(max_connections=50)) as client:
        well_inside_a_minute()

        def ask(_: int) -> tuple[float, httpx.Response]:
            started = time.monotonic()
            answer = client.get(f"{served.url}/v1/verdict")
            return time.monotonic() - started, answer

        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(ask, range(50)))
        evaluations = metric(served.url, "gacheck_serve_evaluations_total")
        hits = metric(served.url, "gacheck_serve_cache_hits_total")
    times = sorted(t for t, _ in results)
    assert [a.status_code for _, a in results] == [200] * 50
    assert {a.json()["verdict"] for _, a in results} == {"pass"}
    assert evaluations == 1 and hits == 49
    assert times[-1] < 8.0
    print(f"\n50 concurrent callers: p50 {times[24] * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms")


def test_answers_from_the_cache_are_fast(serve) -> None:
    with serve("--rate-limit", "100000", "--burst", "100000") as served:
        at = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(time.time() - 120))
        with httpx.Client(base_url=served.url, timeout=10, params={"at": at}) as client:
            assert client.get("/v1/verdict").json()["verdict"] == "pass"
            times = []
            for _ in range(1000):
                started = time.perf_counter()
                answer = client.get("/v1/verdict")
                times.append(time.perf_counter() - started)
                assert answer.status_code == 200
        evaluations = metric(served.url, "gacheck_serve_evaluations_total")
    times.sort()
    p50, p99 = times[499] * 1000, times[989] * 1000
    print(f"\nfrom the cache, 1000 requests: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    assert evaluations == 1
    assert p99 < 500


def test_bad_input_gets_a_clear_4xx_logged_without_secrets(serve, serve_repo: Path) -> None:
    (serve_repo / "configs" / "escape.toml").symlink_to(serve_repo / "outside.toml")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with serve(env={"GACHECK_SERVE_TOKEN": TOKEN}) as served:
        def get(headers: dict[str, str] | None = None, **params: str) -> httpx.Response:
            return httpx.get(f"{served.url}/v1/verdict", params=params,
                             headers=headers if headers is not None else auth, timeout=10)

        def post(hook: str, content: bytes) -> httpx.Response:
            return httpx.post(f"{served.url}/v1/flagger/{hook}", content=content,
                              headers={"content-type": "application/json"}, timeout=30)

        token_body = json.dumps(flagger_body(token=TOKEN)).encode()
        cases = {
            "no token": get(headers={}),
            "bad token": get(headers={"Authorization": "Bearer wrong-token-1234"}),
            "bad flagger token": post("rollout", json.dumps(flagger_body(token="nope")).encode()),
            "unknown hook": post("promote-now", token_body),
            "dot-dot": get(config="../outside.toml"),
            "absolute": get(config=str(serve_repo / "outside.toml")),
            "symlink": get(config="escape.toml"),
            "missing": get(config="nothere.toml"),
            "10 MB": post("rollout", b"{" + b" " * (10 * 1024 * 1024) + b"}"),
            "malformed": post("rollout", b'{"name": "podinfo", "metadata": {'),
            "unknown gate": get(only="no_such_gate"),
            "future at": get(at="2099-01-01T00:00:00Z"),
            "unknown param": get(verbose="1"),
        }
        good = post("pre-rollout", token_body)
        log = served.log_text()
    statuses = {name: answer.status_code for name, answer in cases.items()}
    assert statuses == {
        "no token": 401, "bad token": 401, "bad flagger token": 401, "unknown hook": 404,
        "dot-dot": 400, "absolute": 400, "symlink": 400, "missing": 404, "10 MB": 413,
        "malformed": 400, "unknown gate": 400, "future at": 400, "unknown param": 400,
    }
    assert "no gate has id no_such_gate" in cases["unknown gate"].json()["message"]
    assert "in the future" in cases["future at"].json()["message"]
    assert "symbolic link" in cases["symlink"].json()["message"]
    assert good.status_code == 200
    assert log.count("refused") >= len(cases) and TOKEN not in log


def test_other_addresses_need_a_token() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gacheck", "serve", "--host", "0.0.0.0", "--config",
         "config/gates.toml"], capture_output=True, text=True, timeout=60, env=gacheck_env())
    assert done.returncode == 2
    assert "set a token in $GACHECK_SERVE_TOKEN" in done.stderr


def test_healthz_metrics_and_the_rate_limit(serve) -> None:
    at = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(time.time() - 120))
    with serve("--rate-limit", "0.1", "--burst", "3") as served:
        answers = [httpx.get(f"{served.url}/v1/verdict", params={"at": at}, timeout=10)
                   for _ in range(4)]
        health = httpx.get(f"{served.url}/healthz", timeout=5)
        text = httpx.get(f"{served.url}/metrics", timeout=5).text
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert health.json() == {"status": "ok"}
    for name in ("gacheck_serve_evaluations_total{outcome=\"pass\"} 1.0",
                 "gacheck_serve_cache_hits_total 2.0",
                 "gacheck_serve_evaluation_duration_seconds_count 1.0",
                 "gacheck_serve_answers_total{endpoint=\"verdict\",verdict=\"pass\"} 3.0",
                 "gacheck_serve_rejected_requests_total{reason=\"rate\"} 1.0"):
        assert name in text


def test_secrets_never_reach_an_answer_or_the_log(serve, serve_repo: Path,
                                                  prometheus_url: str) -> None:
    from tests.deploy.support import gates_toml

    secret = "s3cr3t-pw-71c4"
    with_auth = prometheus_url.replace("http://", f"http://gacheck:{secret}@")
    (serve_repo / "configs" / "secret.toml").write_text(gates_toml(with_auth), encoding="utf-8")
    down = prometheus_url.rsplit(":", 1)[0] + ":9"  # nothing listens on the discard port
    (serve_repo / "configs" / "down.toml").write_text(
        gates_toml(down.replace("http://", f"http://gacheck:{secret}@")), encoding="utf-8")
    with serve() as served:
        answers = [
            httpx.get(f"{served.url}/v1/verdict", params={"config": "secret.toml"}, timeout=10),
            httpx.get(f"{served.url}/v1/verdict", params={"config": "down.toml"}, timeout=30),
            httpx.post(f"{served.url}/v1/flagger/rollout",
                       json=flagger_body(config="down.toml"), timeout=30),
        ]
        log = served.log_text()
    assert answers[0].json()["verdict"] == "pass"
    assert answers[1].json()["verdict"] in ("incomplete", "pending")
    assert answers[2].status_code in (412, 503)
    for answer in answers:
        assert secret not in answer.text
    assert secret not in log
    audits = [p.read_text(encoding="utf-8") for p in (serve_repo / "audits").rglob("*.json")]
    assert audits and not any(secret in text for text in audits)


def test_one_evaluation_sends_one_notification(serve, serve_repo: Path, prometheus_url: str,
                                              receiver) -> None:
    from tests.deploy.support import gates_toml

    notify = '\n[[notify]]\ntype = "webhook"\nurl_env = "HOOK_URL"\non = "always"\n'
    (serve_repo / "configs" / "notify.toml").write_text(
        gates_toml(prometheus_url, value=2, extra=notify), encoding="utf-8")
    with serve(env={"HOOK_URL": f"{receiver.url}/hook"}) as served, httpx.Client(
            timeout=10, limits=httpx.Limits(max_connections=10)) as client:
        well_inside_a_minute()
        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(lambda _: client.get(
                f"{served.url}/v1/verdict", params={"config": "notify.toml"}), range(10)))
    assert {a.json()["verdict"] for a in answers} == {"fail"}
    (message,) = [r.body for r in receiver.received]
    assert message["verdict"] == "fail" and message["problems"][0]["id"] == "error_rate"
