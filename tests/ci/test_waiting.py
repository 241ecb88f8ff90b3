"""The wait loop's schedule, with a clock the test moves: attempts ``interval`` apart, none
after the deadline, stop at the first acceptable verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gacheck.core.models import Verdict
from gacheck.run import waiting
from tests.ci.ci_samples import sample_audit


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def wall(self) -> datetime:
        return datetime(2026, 11, 25, tzinfo=UTC) + timedelta(seconds=self.now - 1000.0)


@pytest.fixture
def fake_time(monkeypatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(waiting, "monotonic", fake.monotonic)
    return fake


def _runner(fake: FakeTime, verdicts: list[Verdict], takes_s: float = 10.0):  # type: ignore[no-untyped-def]
    remaining = list(verdicts)

    def run_once(ctx):  # type: ignore[no-untyped-def]
        at = ctx.at
        fake.now += takes_s  # an evaluation takes time too
        return sample_audit(verdict=remaining.pop(0), evaluated_at=at)

    return run_once


def test_attempts_start_an_interval_apart_until_accepted(fake_time, project) -> None:
    from gacheck.commands.common import build_context

    class Args:
        config, repo, prometheus_url, facade_url = str(project / "config/gates.toml"), None, None, None

    ctx = build_context(Args, fake_time.wall())
    outcome = waiting.wait_for_ready(
        ctx, _runner(fake_time, [Verdict.FAIL, Verdict.INCOMPLETE, Verdict.PASS, Verdict.FAIL]),
        accepted=lambda a: a.verdict is Verdict.PASS, wait_s=3600, interval_s=300,
        clock=fake_time.wall, sleep=fake_time.sleep,
    )
    assert outcome.audit is not None and not outcome.timed_out and not outcome.interrupted
    assert fake_time.slept == [290.0, 290.0]  # 300 s from start to start, minus the 10 s run
    assert [a["verdict"] for a in outcome.audit.attempts] == ["fail", "incomplete", "pass"]
    assert [a["time"] for a in outcome.audit.attempts] == [
        "2026-11-25T00:00:00Z", "2026-11-25T00:05:00Z", "2026-11-25T00:10:00Z",
    ]


def test_no_attempt_starts_after_the_deadline(fake_time, project) -> None:
    from gacheck.commands.common import build_context

    class Args:
        config, repo, prometheus_url, facade_url = str(project / "config/gates.toml"), None, None, None

    ctx = build_context(Args, fake_time.wall())
    outcome = waiting.wait_for_ready(
        ctx, _runner(fake_time, [Verdict.FAIL] * 10),
        accepted=lambda a: False, wait_s=1000, interval_s=300,
        clock=fake_time.wall, sleep=fake_time.sleep,
    )
    assert outcome.timed_out and outcome.audit is not None
    # starts at 0, 300, 600, 900; the next (1200) would be after the 1000 s deadline
    assert len(outcome.audit.attempts) == 4
    assert outcome.audit.notes[-1] == "still not ready after waiting 1000s (4 attempts)"
