"""One route's curve: read the declared limit, plan the steps within the caps, run them."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gacheck.collectors.service.load import Answer, Route, run_load
from gacheck.core.deadline import monotonic
from gacheck.core.errors import GateError
from gacheck.gates.rate_limit.headers import Reading, readings
from gacheck.gates.rate_limit.steps import Checks, Plan, run_step

MAX_COOLDOWN_S = 10.0
MIN_STEP_S = 1.0


@dataclass
class Budget:
    """What is left of the gate's hard caps: requests, and a monotonic deadline."""

    requests: int
    deadline: float
    used: int = 0
    notes: list[str] = field(default_factory=list)

    def left_s(self) -> float:
        return self.deadline - monotonic()


def declared(route: Route, base_url: str, headers: dict[str, str], params: Any,
             budget: Budget) -> tuple[float, list[Reading], Answer]:
    """Requests per second the route declares (or the config says), from one request."""
    answers: list[Answer] = []
    run_load(base_url, [route], 1, 1, params.request_timeout, params.request_timeout, headers,
             observe=answers.append, keep_body=1024)
    budget.used += 1
    if not answers or answers[0].status is None:
        why = answers[0].error if answers else "no answer"
        raise GateError(f"{route.method} {route.path}: the first request failed ({why})")
    found = readings(answers[0].headers, params.window)
    if params.limit is not None:
        return params.limit / params.window, found, answers[0]
    if not found:
        raise GateError(f"{route.method} {route.path} answered {answers[0].status} without "
                        "rate-limit headers (X-RateLimit-*, x-ratelimit-*-requests, "
                        "RateLimit-Policy) and the config sets no limit")
    if found[0].limit <= 0:
        raise GateError(f"{route.method} {route.path}: {found[0].family} declares a limit "
                        f"of {found[0].limit:g}")
    return found[0].per_second, found, answers[0]


def plan(limit_rps: float, params: Any, budget: Budget, cooldown: float) -> list[Plan]:
    """The steps, their time shortened (never below 1 s) to fit the caps left."""
    shares = sorted(params.steps)
    step_time = params.step_time
    needed = sum(math.ceil(limit_rps * s * step_time) for s in shares)
    left = budget.requests - budget.used
    if needed > left:
        step_time = step_time * left / needed
    seconds = budget.left_s() - len(shares) * cooldown
    if step_time * len(shares) > seconds:
        step_time = seconds / len(shares)
    if step_time < MIN_STEP_S:
        raise GateError(f"a curve at {limit_rps:g} req/s over {len(shares)} steps does not fit "
                        f"the caps left ({left} requests, {budget.left_s():.0f}s): raise "
                        "max_requests / time_limit or use fewer steps")
    if step_time < params.step_time:
        budget.notes.append(f"steps shortened to {step_time:.1f}s to stay within "
                            f"max_requests / time_limit")
    return [Plan(s, limit_rps * s, step_time) for s in shares]


def curve(base_url: str, params_route: Any, headers: dict[str, str], params: Any,
          budget: Budget) -> dict[str, Any]:
    route = Route(params_route.name or f"{params_route.method} {params_route.path}",
                  params_route.method, params_route.path, params_route.body)
    limit_rps, found, first = declared(route, base_url, headers, params, budget)
    cooldown = params.cooldown if params.cooldown is not None else min(
        MAX_COOLDOWN_S, max([params.window] + [r.reset_s or 0 for r in found]) + 0.2)
    started = datetime.now(UTC)
    time.sleep(cooldown)
    steps = []
    for step in plan(limit_rps, params, budget, cooldown):
        checks = Checks(params.window, params.error_code, params.max_retry_after)
        steps.append(run_step(base_url, route, headers, step, params.concurrency,
                              params.request_timeout, checks))
        budget.used += steps[-1]["sent"]
        time.sleep(cooldown)  # the bucket refills; the next gate meets a full one too
    return {"name": route.name, "method": route.method, "path": route.path, "body": route.body,
            "declared_rps": round(limit_rps, 3),
            "declared_by": "config limit" if params.limit is not None else found[0].family,
            "headers": [{"family": r.family, "limit": r.limit, "window_s": r.window_s,
                         "remaining": r.remaining, "reset_s": r.reset_s} for r in found],
            "first_status": first.status, "cooldown_s": round(cooldown, 2),
            "started": started.isoformat(), "finished": datetime.now(UTC).isoformat(),
            "steps": steps}
