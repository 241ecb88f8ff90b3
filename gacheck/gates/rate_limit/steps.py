"""One step of a rate-limit curve: a fixed arrival rate for a bounded time, answer by answer.

The load is the ``load`` kind's generator in open-loop mode (``arrival_rate``), so the offered
rate does not bend to the limiter's answers. Each answer's headers are checked as it comes:
remaining never above the limit, every 429 with a plausible ``Retry-After`` and reset, and
OpenAI's error shape with the expected code.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from gacheck.collectors.service.load import Answer, Route, run_load
from gacheck.collectors.service.stream_timing import percentile
from gacheck.core.errors import GateError
from gacheck.gates.rate_limit.headers import lower, readings, retry_after

MAX_PROBLEMS = 5


@dataclass(frozen=True)
class Plan:
    share: float
    rate: float
    duration_s: float

    @property
    def requests(self) -> int:
        return max(1, math.ceil(self.rate * self.duration_s))


@dataclass
class Checks:
    window_s: float
    error_code: str
    max_retry_after: float
    problems: list[str] = field(default_factory=list)
    remaining_seen: list[tuple[float, float]] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS and text not in self.problems:
            self.problems.append(text)

    def answer(self, answer: Answer) -> None:
        if answer.status is None:
            return
        found = readings(answer.headers, self.window_s)
        for reading in found:
            if reading.remaining is not None and reading.remaining > reading.limit:
                self.problem(f"{reading.family}: remaining {reading.remaining:g} above the "
                             f"limit {reading.limit:g}")
        if found and found[0].remaining is not None:
            self.remaining_seen.append((answer.sent_at, found[0].remaining))
        if answer.status == 429:
            self._refusal(answer, found)

    def _refusal(self, answer: Answer, found: list[Any]) -> None:
        h = lower(answer.headers)
        wait = retry_after(h.get("retry-after"))
        if wait is None:
            self.problem("a 429 without Retry-After")
        elif not 0 < wait <= self.max_retry_after:
            self.problem(f"a 429 with Retry-After {h['retry-after']!r}: not within "
                         f"(0, {self.max_retry_after:g}] s")
        if not any(r.reset_s is not None for r in found):
            self.problem("a 429 without a reset field")
        if any(r.remaining for r in found):
            self.problem("a 429 while the headers say requests remain")
        try:
            error = json.loads(answer.body).get("error")
        except (ValueError, AttributeError):
            error = None
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            self.problem("a 429 whose body is not OpenAI's error shape {error: {message, "
                         "type, code}}")
        elif error.get("code") != self.error_code:
            self.problem(f"a 429 with error.code {error.get('code')!r}, not "
                         f"{self.error_code!r}")


def run_step(base_url: str, route: Route, headers: dict[str, str], plan: Plan,
             concurrency: int, request_timeout: float, checks: Checks) -> dict[str, Any]:
    answers: list[Answer] = []
    result = run_load(base_url, [route], plan.requests, concurrency,
                      plan.duration_s + 1 / plan.rate, request_timeout, headers,
                      arrival_rate=plan.rate, observe=answers.append, keep_body=4096)
    for answer in answers:
        try:
            checks.answer(answer)
        except GateError as exc:
            raise GateError(f"step {plan.share:.0%}: {exc}") from None
    return summarise(plan, sorted(answers, key=lambda a: a.sent_at), checks, result.elapsed_s)


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def summarise(plan: Plan, answers: list[Answer], checks: Checks,
              elapsed: float) -> dict[str, Any]:
    sent = len(answers)
    span = (answers[-1].sent_at - answers[0].sent_at + 1 / plan.rate) if answers else elapsed
    ok = [a for a in answers if a.status is not None and 200 <= a.status < 300]
    refused = [a for a in answers if a.status == 429]
    server = [a for a in answers if a.status is not None and a.status >= 500]
    latencies = [a.latency for a in answers if a.status is not None]
    step: dict[str, Any] = {
        "share": plan.share, "target_rps": _r(plan.rate), "sent": sent, "ok": len(ok),
        "refused": len(refused), "server_errors": len(server),
        "offered_rps": _r(sent / span) if span else None,
        "accepted_rps": _r(len(ok) / span) if span else None,
        "refused_share": _r(len(refused) / sent, 4) if sent else None,
        "other_error_share": _r((sent - len(ok) - len(refused)) / sent, 4) if sent else None,
        "p50_ms": _r(_ms(percentile(latencies, 0.5))),
        "p95_ms": _r(_ms(percentile(latencies, 0.95))),
        "sustained_rps": None, "first_refusal_s": None,
        "headers_consistent": not checks.problems, "header_problems": list(checks.problems)}
    if refused and answers:
        start = refused[0].sent_at
        step["first_refusal_s"] = _r(start - answers[0].sent_at)
        end = answers[-1].sent_at + 1 / plan.rate
        if end - start >= 0.5:
            passed = sum(1 for a in answers if a.sent_at >= start and a.status is not None
                         and a.status != 429 and a.status < 500)
            step["sustained_rps"] = _r(passed / (end - start))
    _falling(step, checks, refused[0].sent_at if refused else None, plan)
    return step


def _falling(step: dict[str, Any], checks: Checks, first_refusal: float | None,
             plan: Plan) -> None:
    """Above the limit, remaining must fall before the first refusal."""
    seen = sorted(checks.remaining_seen)
    before = [v for t, v in seen if first_refusal is None or t < first_refusal]
    if plan.share > 1 and first_refusal is not None and len(before) >= 2 and \
            before[-1] >= before[0] and before[0] > 0:
        text = (f"remaining did not fall while the load exceeded the limit "
                f"({before[0]:g} at the start, {before[-1]:g} before the first 429)")
        step["header_problems"].append(text)
        step["headers_consistent"] = False


def _ms(value: float | None) -> float | None:
    return None if value is None else value * 1000
