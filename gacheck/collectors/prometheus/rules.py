"""The alerting rules Prometheus has loaded *now*, with their health (``/api/v1/rules``).

A rule whose evaluation fails (``health: "err"``) can never fire; one that was never
evaluated (``health: "unknown"``, no ``lastEvaluation``) has not fired yet. Either way "no alert
fired" says nothing about that rule. The endpoint knows only the present: for an ``--at`` in
the past, rule health is as of now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gacheck.collectors.prometheus.client import PrometheusClient

NEVER = "0001-01-01T00:00:00Z"  # Go's zero time: how Prometheus spells "never evaluated"


@dataclass(frozen=True)
class AlertingRule:
    name: str
    group: str
    severity: str | None
    health: str
    last_error: str
    last_evaluation: str | None

    @property
    def evaluated(self) -> bool:
        """``health`` "unknown" or a zero ``lastEvaluation``: not evaluated since loaded.
        (An answer without ``lastEvaluation`` at all is judged by ``health`` alone.)"""
        return self.health != "unknown" and not str(self.last_evaluation or "").startswith("0001-")

    @property
    def broken(self) -> bool:
        """Cannot be trusted to fire: its evaluation errors, or it was never evaluated."""
        return self.health == "err" or not self.evaluated

    def problem(self) -> str:
        if self.health == "err":
            return f"{self.name} (group {self.group}): evaluation fails: {self.last_error[:300]}"
        return f"{self.name} (group {self.group}): never evaluated (health {self.health})"

    def details(self) -> dict[str, Any]:
        return {"alert": self.name, "group": self.group, "severity": self.severity,
                "health": self.health, "last_error": self.last_error[:300] or None,
                "last_evaluation": self.last_evaluation if self.evaluated else None}


def alerting_rules(prom: PrometheusClient) -> list[AlertingRule]:
    return parse_rules(prom.get("/api/v1/rules", {"type": "alert"}))


def parse_rules(data: Any) -> list[AlertingRule]:
    """The alerting rules of a ``/api/v1/rules`` answer (Prometheus' or vmalert's)."""
    data = data if isinstance(data, dict) else {}
    rules = []
    for group in data.get("groups", []) or []:
        for rule in group.get("rules", []) or []:
            if rule.get("type", "alerting") != "alerting":
                continue
            rules.append(AlertingRule(
                name=str(rule.get("name", "?")), group=str(group.get("name", "?")),
                severity=(rule.get("labels") or {}).get("severity"),
                health=str(rule.get("health", "unknown")),
                last_error=str(rule.get("lastError") or ""),
                last_evaluation=rule.get("lastEvaluation")))
    return sorted(rules, key=lambda r: (r.name, r.group))
