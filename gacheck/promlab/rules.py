"""Alerting rules shaped like LUKHAS' (names, severities, ``for:``), loaded so that
``/api/v1/rules`` shows which severities could have fired.

The lab writes the alert history itself (the ``ALERTS`` series of each scenario), so live
evaluation must add nothing to it: every expression ends in ``unless on() vector(1)``, which
keeps the rule loaded and valid but never returns a sample.
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


def alerting_rules_yaml(severities: tuple[str, ...] | None = None) -> str:
    """The rule file; ``severities`` keeps only rules of those severities (None: all)."""
    lines = ["groups:", "  - name: lukhas-guardian", "    interval: 30s", "    rules:"]
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
    return "\n".join(lines) + "\n"
