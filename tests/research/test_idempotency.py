"""``idempotency`` through the real openai SDK against the stand-in's idempotency store."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gacheck.context import Context, Overrides
from gacheck.core.models import GateResult, Status
from gacheck.run import engine
from gacheck.run.config_binding import load_config
from gacheck.standin.facade import Behaviour, StandinFacade
from gacheck.standin.limits import IdempotencyStore

TOKEN = "idem-key-77d2"
GATE = """
id = "replays"
kind = "idempotency"
title = "Idempotency"
token_env = "IDEM_TOKEN"
metrics_url = "{base_url}/metrics"
work_counter = 'standin_work_total{route="/v1/chat/completions"}'
mix_keys = 3
mix_repeats = 3
concurrent = 4
threshold = { min = "66%" }
"""


@pytest.fixture
def facade(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., StandinFacade]]:
    monkeypatch.setenv("IDEM_TOKEN", TOKEN)
    started: list[StandinFacade] = []

    def start(**store: object) -> StandinFacade:
        behaviour = Behaviour(token=TOKEN, latency_s=0.05,
                              idempotency=IdempotencyStore(**store))  # type: ignore[arg-type]
        started.append(StandinFacade(behaviour).__enter__())
        return started[-1]

    yield start
    for server in started:
        server.__exit__()


@pytest.fixture
def evaluate(tmp_path: Path) -> Callable[[str, str], GateResult]:
    def run(block: str, url: str) -> GateResult:
        path = tmp_path / "gates.toml"
        path.write_text("[[gates]]\n" + textwrap.dedent(block), encoding="utf-8")
        config = load_config(path)
        ctx = Context(at=datetime.now(UTC), config=config, repo=tmp_path,
                      audit_dir=tmp_path / "audits", overrides=Overrides(facade_url=url))
        gate = config.gates[0]
        return engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)

    return run


@pytest.mark.parametrize(("store", "required", "status"), [
    ("replay", "replay", Status.PASS), ("replay", "reject", Status.FAIL),
    ("reject", "reject", Status.PASS), ("reject", "replay", Status.FAIL),
    ("reject", "either", Status.PASS)])
def test_a_reused_key_is_judged_by_what_the_config_requires(facade, evaluate, store, required,
                                                            status) -> None:
    server = facade(conflict=store)
    result = evaluate(GATE + f'reused_key = "{required}"\n', server.url)
    assert result.status is status, result.message
    reused = result.evidence.details["reused_key"]
    assert reused["behaviour"] == store and reused["status"] == (422 if store == "reject"
                                                                 else 200)
    codes = {f.code for f in result.evidence.findings}
    assert codes == (set() if status is Status.PASS else {"idem-reused-key"})


def test_replays_are_identical_and_work_is_done_once(facade, evaluate) -> None:
    server = facade()
    result = evaluate(GATE + 'reused_key = "replay"\n', server.url)
    assert result.status is Status.PASS, result.message
    d = result.evidence.details
    assert d["replay"]["identical"] and d["replay"]["first_id"] == d["replay"]["replay_id"]
    assert d["replay"]["first_id"].startswith("chatcmpl-standin-")
    assert d["replay"]["work_counter_moved"] == 1
    assert d["concurrent"]["distinct_2xx_bodies"] == 1
    assert d["concurrent"]["work_counter_moved"] == 1
    assert (d["mix"]["hits"], d["mix"]["misses"]) == (6, 0)
    assert result.value == pytest.approx(6 / 9)
    # the whole run did the chat completion once per key: replay, concurrent, 3 mix keys
    assert server.behaviour.work["/v1/chat/completions"] == 5
    text = _markdown(result)
    assert "| Replay | POST `/v1/chat/completions` twice, one key |" in text
    assert "| Replay mix | 3 keys × 3 |" in text and "✅ one effect" in text


def test_a_facade_without_a_store_fails_every_check(facade, evaluate) -> None:
    server = facade(enabled=False)
    result = evaluate(GATE + 'reused_key = "replay"\n', server.url)
    assert result.status is Status.FAIL
    codes = {f.code for f in result.evidence.findings}
    assert {"idem-replay-differs", "idem-double-work", "idem-concurrent-effects",
            "idem-mix-misses", "idem-reused-key"} <= codes
    assert result.value == 0
    assert result.evidence.details["reused_key"]["behaviour"] == "new execution"


def test_without_counters_the_bodies_decide_and_a_note_says_so(facade, evaluate) -> None:
    server = facade()
    block = "\n".join(line for line in GATE.splitlines()
                      if not line.startswith(("metrics_url", "work_counter")))
    result = evaluate(block + '\nreused_key = "replay"\n', server.url)
    assert result.status is Status.PASS, result.message
    assert result.evidence.details["replay"]["work_counter_moved"] is None
    assert any("judged from the bodies alone" in n for n in result.evidence.notes)
    assert any("exports no idempotency counters" in n for n in result.evidence.notes)


def _markdown(result: GateResult) -> str:
    """The gate's section as the audit's Markdown template renders it."""
    from gacheck.reports.markdown import _environment

    return str(_environment().get_template(f"gates/{result.kind}.md.j2").render(
        g=result, extra={}))
