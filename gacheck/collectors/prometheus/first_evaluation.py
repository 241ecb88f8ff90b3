"""A Prometheus that just started has evaluated no rule yet: wait for the first evaluation.

Pipelines often start Prometheus (or vmalert) on backfilled data right before evaluating. Until
a group's evaluation interval has passed since the server started, "never evaluated" says only
that it is too early, so the rules are listed again until they have been evaluated, for at most
two intervals after the start and never past the caller's budget. A rule still unevaluated after
that is left as it is: the gate judges it (``error``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gacheck.collectors.prometheus.rules import AlertingRule, parse_rules
from gacheck.collectors.prometheus.rules_api import RulesAnswer, list_rules
from gacheck.core.deadline import monotonic
from gacheck.core.errors import CollectorError

RUNTIME_PATH = "/api/v1/status/runtimeinfo"
POLL_S = 1.0


def _unevaluated(answer: RulesAnswer, wanted: Callable[[AlertingRule], bool]) -> set[str]:
    """The groups with a wanted rule not evaluated yet (a rule that errs was evaluated)."""
    return {r.group for r in parse_rules(answer.data)
            if wanted(r) and r.health != "err" and not r.evaluated}


def _intervals(answer: RulesAnswer) -> dict[str, float]:
    groups = answer.data.get("groups", []) if isinstance(answer.data, dict) else []
    found = {}
    for group in groups or []:
        try:
            found[str(group.get("name"))] = float(group.get("interval") or 0)
        except (TypeError, ValueError):
            continue
    return found


def _started(prom: Any, answer: RulesAnswer) -> datetime | None:
    """When the server that lists the rules started (``runtimeinfo``), if it says."""
    base = None if answer.source == prom.url else prom.settings.rules_url
    try:
        data = prom.get(RUNTIME_PATH, base=base)
        return datetime.fromisoformat(str(data["startTime"]).replace("Z", "+00:00"))
    except (CollectorError, KeyError, TypeError, ValueError):
        return None


def await_first_evaluation(prom: Any, answer: RulesAnswer,
                           wanted: Callable[[AlertingRule], bool],
                           budget_s: float) -> tuple[RulesAnswer, str | None]:
    """``answer``, or a later one once the wanted rules were evaluated; and a note saying how
    long it waited, when it did."""
    groups = _unevaluated(answer, wanted)
    if not groups:
        return answer, None
    interval = max((_intervals(answer).get(g, 0.0) for g in groups), default=0.0)
    started = _started(prom, answer)
    if interval <= 0 or started is None:
        return answer, None
    age = (datetime.now(UTC) - started).total_seconds()
    if age >= interval:
        return answer, None  # an interval has passed: "never evaluated" is a finding
    waited_from = monotonic()
    stop = waited_from + max(0.0, min(2 * interval - age, budget_s))
    while groups and monotonic() < stop:
        time.sleep(min(POLL_S, max(0.0, stop - monotonic())))
        try:
            answer = list_rules(prom)
        except CollectorError:
            continue
        groups = _unevaluated(answer, wanted)
    waited = monotonic() - waited_from
    since = started.strftime("%Y-%m-%dT%H:%M:%SZ")
    outcome = ("until their first evaluation" if not groups
               else f"but {', '.join(sorted(groups))} still had none")
    return answer, (f"Prometheus started at {since}, less than one rule evaluation interval "
                    f"({interval:g}s) before; waited {waited:.1f}s {outcome}")
