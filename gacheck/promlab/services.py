"""Many services in one history: the façade's series once per service, with a ``service`` label.

Each service is the plan with its own traffic, instance and seed, so services differ the way
real ones do; ``up`` and ``process_start_time_seconds`` carry the label too, so
``label_values(up{job=~"lukhas-.*"}, service)`` lists them. Alert history and other jobs are
written once, without the label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from gacheck.promlab.model import Plan
from gacheck.promlab.series import Family, Series


def generate_services(plan: Plan, end: datetime,
                      generate: Callable[[Plan, datetime], list[Family]]) -> list[Family]:
    merged: dict[str, Family] = {}
    for number, (service, traffic) in enumerate(plan.services):
        one = replace(plan, services=(), traffic=traffic, seed=plan.seed * 1000 + number,
                      instance=f"{service}-0:8000", alerts=() if number else plan.alerts,
                      other_jobs=() if number else plan.other_jobs)
        for family in generate(one, end):
            tagged = tuple(
                Series(s.name, {**s.labels, "service": service}, s.timestamps, s.values)
                if s.labels.get("job") == plan.job else s
                for s in family.series)
            known = merged.get(family.name)
            merged[family.name] = replace(family, series=(
                known.series if known else ()) + tagged)
    return list(merged.values())
