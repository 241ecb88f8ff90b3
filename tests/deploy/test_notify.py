"""``[[notify]]``: Slack blocks, a Teams Adaptive Card and a generic webhook reach a real HTTP
receiver; a slow or failing webhook changes neither the verdict nor the exit code, holds the run
no longer than its timeout, and is recorded in the audit; URLs are secrets."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gacheck.cli import main
from tests.deploy.support import Receiver, gates_toml

pytestmark = pytest.mark.prometheus
SECRET_PATH = "/services/T0001/B0002/hook-secret-9c2e"
LINK = "https://github.com/example/svc/blob/main"


def notify_toml(*tables: tuple[str, str, str], timeout: str = "5s") -> str:
    return "".join(
        f'\n[[notify]]\ntype = "{kind}"\nurl_env = "{env}"\non = "{on}"\n'
        f'link_base = "{LINK}"\ntimeout = "{timeout}"\n'
        for kind, env, on in tables)


def config(tmp_path: Path, prometheus_url: str, value: float, notify: str) -> Path:
    path = tmp_path / "gates.toml"
    text = gates_toml(prometheus_url, value=value, extra=notify).replace(
        'output_dir = "audits"', 'output_dir = "audits"\npath_template = "{stamp}/audit.{ext}"')
    path.write_text(text, encoding="utf-8")
    return path


def evaluate(path: Path, at: datetime) -> tuple[int, dict]:
    stamp = at.strftime("%Y-%m-%dT%H:%M:00Z")
    code = main(["evaluate", "--config", str(path), "--repo", str(path.parent), "--at", stamp,
                 "--quiet", "--no-charts"])
    audit = path.parent / "audits" / at.strftime("%Y%m%dT%H%M00Z") / "audit.json"
    return code, json.loads(audit.read_text(encoding="utf-8"))


def minutes_ago(minutes: int) -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=minutes)


def test_slack_teams_and_webhook_payloads_reach_the_receiver(
        tmp_path: Path, prometheus_url: str, receiver: Receiver,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for env, kind in (("SLACK_URL", "slack"), ("TEAMS_URL", "teams"), ("HOOK_URL", "webhook")):
        monkeypatch.setenv(env, f"{receiver.url}{SECRET_PATH}/{kind}")
    path = config(tmp_path, prometheus_url, 2, notify_toml(
        ("slack", "SLACK_URL", "fail"), ("teams", "TEAMS_URL", "always"),
        ("webhook", "HOOK_URL", "change")))
    code, audit = evaluate(path, minutes_ago(2))
    assert code == 1 and audit["verdict"] == "fail"
    bodies = {r.path.rsplit("/", 1)[1]: r.body for r in receiver.received}
    assert set(bodies) == {"slack", "teams", "webhook"}
    link = f"{LINK}/audits/{minutes_ago(2).strftime('%Y%m%dT%H%M00Z')}/audit.json"

    slack = bodies["slack"]
    assert slack["text"].startswith("gacheck: FAIL (score 0/100)")
    header, section, context = slack["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": slack["text"]}}
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith("*error_rate* fail: 2 vs ≤ 1")
    assert context["type"] == "context" and f"<{link}|the audit>" in context["elements"][0]["text"]

    teams = bodies["teams"]
    assert teams["type"] == "message"
    attachment = teams["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["body"][0]["type"] == "TextBlock" and "FAIL" in card["body"][0]["text"]
    fact = card["body"][1]["facts"][0]
    assert fact["title"] == "error_rate" and fact["value"].startswith("fail: 2 vs ≤ 1")
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the audit", "url": link}]

    hook = bodies["webhook"]
    assert (hook["verdict"], hook["score"], hook["link"]) == ("fail", 0.0, link)
    assert hook["problems"][0]["id"] == "error_rate" and hook["problems"][0]["value"] == "2"

    records = audit["notifications"]
    assert [(r["type"], r["outcome"], r["status_code"]) for r in records] == [
        ("slack", "sent", 200), ("teams", "sent", 200), ("webhook", "sent", 200)]
    written = (tmp_path / "audits").rglob("*")
    assert not any("hook-secret" in p.read_text(errors="replace") for p in written if p.is_file())
    assert "hook-secret" not in capsys.readouterr().err


def test_a_slow_or_failing_webhook_changes_nothing_but_the_record(
        tmp_path: Path, prometheus_url: str, receiver: Receiver,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOW_URL", f"{receiver.url}{SECRET_PATH}/slow")
    monkeypatch.delenv("UNSET_URL", raising=False)
    receiver.delay_s = 5.0
    path = config(tmp_path, prometheus_url, 0.5, notify_toml(
        ("webhook", "SLOW_URL", "always"), ("slack", "UNSET_URL", "always"), timeout="1s"))
    started = time.monotonic()
    code, audit = evaluate(path, minutes_ago(3))
    took = time.monotonic() - started
    assert code == 0 and audit["verdict"] == "pass"
    assert took < 4.5  # the 1s timeout, not the receiver's 5s
    slow, unset = audit["notifications"]
    assert slow["outcome"] == "failed" and "Timeout" in slow["reason"]
    assert "hook-secret" not in json.dumps(audit)
    assert unset == {"type": "slack", "url_env": "UNSET_URL", "on": "always",
                     "outcome": "failed", "status_code": None,
                     "reason": "$UNSET_URL is not set", "duration_s": 0.0}

    receiver.delay_s, receiver.status = 0.0, 500
    code, audit = evaluate(path, minutes_ago(2))
    assert code == 0
    assert audit["notifications"][0]["outcome"] == "failed"
    assert audit["notifications"][0]["reason"] == "HTTP 500"


def test_on_change_and_on_fail(tmp_path: Path, prometheus_url: str, receiver: Receiver,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_URL", f"{receiver.url}/hook")
    tables = notify_toml(("webhook", "HOOK_URL", "change"), ("webhook", "HOOK_URL", "fail"))
    path = config(tmp_path, prometheus_url, 0.5, tables)
    outcomes = []
    for minutes, value in ((4, 0.5), (3, 0.5), (2, 2)):
        config(tmp_path, prometheus_url, value, tables)
        outcomes.append([r["outcome"] for r in evaluate(path, minutes_ago(minutes))[1][
            "notifications"]])
    assert outcomes == [["sent", "skipped"], ["skipped", "skipped"], ["sent", "sent"]]
    assert [r.body["verdict"] for r in receiver.received] == ["pass", "fail", "fail"]


def test_a_bad_notify_table_names_its_key_path(tmp_path: Path, prometheus_url: str) -> None:
    from gacheck.core.errors import ConfigError
    from gacheck.run.config_binding import load_config

    path = config(tmp_path, prometheus_url, 0.5,
                  '\n[[notify]]\ntype = "email"\nurl_env = "X"\n')
    with pytest.raises(ConfigError, match=r"notify\[0\]\.type"):
        load_config(path)
