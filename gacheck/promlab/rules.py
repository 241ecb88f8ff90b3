"""Alerting rules shaped like LUKHAS' (names, severities, ``for:``), loaded so that
``/api/v1/rules`` shows which severities could have fired.

The lab writes the alert history itself (the ``ALERTS`` series of each scenario), so live
evaluation must add nothing to it: every expression ends in ``unless on() vector(1)``, which
keeps the rule loaded and valid but never returns a sample. The groups are evaluated every
``LAB_INTERVAL`` (LUKHAS: 30 s): a rule never evaluated cannot be trusted, and the alerts gate
says so, so a lab is ready only once each rule was evaluated; Prometheus evaluates a group
first at a random phase of its interval, so a lab waits half an interval on average (an
evaluation of these rules costs next to nothing).

``broken=True`` adds a critical rule whose evaluation fails every time on a real Prometheus
(a many-to-many match: two series on the "one" side of ``group_left``), as a rule with a bad
join does after a relabelling: ``/api/v1/rules`` shows ``health: "err"`` and its ``lastError``.
"""

from __future__ import annotations

#: (alert name, severity, for, expression before the silencer)
ALERTING_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("CriticalGuardianDenialRate", "critical", "5m",
     'sum(rate(lukhas_guardian_decision_total{outcome="deny"}[5m]))'
     " / sum(rate(lukhas_guardian_decision_total[5m])) > 0.05"),
    ("GuardianPDPLoadFailure", "critical", "1m", 'up{job="lukhas-guardian"} == 0'),
    ("HealthCheckFailing", "critical", "2m", 'up{job="lukhas-facade"} == 0'),
    ("HighGuardianDenialRate", "warning", "10m",
     'sum(rate(lukhas_guardian_decision_total{outcome="deny"}[5m]))'
     " / sum(rate(lukhas_guardian_decision_total[5m])) > 0.01"),
    ("GuardianPDPHighLatency", "warning", "5m",
     "histogram_quantile(0.95, sum by (le) "
     "(rate(lukhas_guardian_decision_duration_seconds_bucket[5m]))) > 0.010"),
    ("OpenAIFacadeHighP95Latency", "page", "10m",
     "histogram_quantile(0.95, sum by (le) "
     "(rate(lukhas_guardian_decision_duration_seconds_bucket[5m]))) > 0.250"),
)


LAB_INTERVAL = "1s"
BROKEN_RULE = ("GuardianPolicyBundleStale", "critical", "5m",
               'vector(1) * on() group_left() (vector(1) or label_replace(vector(1), '
               '"copy", "1", "", ""))')


def alerting_rules_yaml(severities: tuple[str, ...] | None = None, *,
                        broken: bool = False) -> str:
    """The rule file; ``severities`` keeps only rules of those severities (None: all)."""
    lines = ["groups:", "  - name: lukhas-guardian", f"    interval: {LAB_INTERVAL}", "    rules:"]
    for name, severity, hold, expr in ALERTING_RULES:
        if severities is not None and severity not in severities:
            continue
        lines += [
            f"      - alert: {name}",
            f"        expr: '({expr}) unless on() vector(1)'",
            f"        for: {hold}",
            "        labels:",
            f"          severity: {severity}",
            "        annotations:",
            f"          summary: {name} (gacheck promlab rule)",
        ]
    if lines[-1] == "    rules:":
        lines[-1] = "    rules: []"
    if broken:
        name, severity, hold, expr = BROKEN_RULE
        lines += ["  - name: lukhas-guardian-policy", f"    interval: {LAB_INTERVAL}", "    rules:",
                  f"      - alert: {name}", f"        expr: '{expr}'", f"        for: {hold}",
                  "        labels:", f"          severity: {severity}"]
    return "\n".join(lines) + "\n"
