"""The Markdown of the Prometheus gates: what a reader needs, readable, nothing broken."""

from __future__ import annotations

from gacheck.reports.markdown import render_markdown
from gacheck.run.evaluation import evaluate
from tests.prometheus.helpers import default_context


def section(markdown: str, gate_id: str) -> str:
    start = markdown.index(f'<a id="{gate_id}"></a>')
    end = markdown.find('<a id="', start + 1)
    return markdown[start:end if end != -1 else None]


def test_sustained_breach_report_shows_series_breaches_alerts_and_queries(promlab, tmp_path):
    lab = promlab("sustained_breach")
    markdown = render_markdown(evaluate(default_context(tmp_path, lab.url, lab.end)))

    p95 = section(markdown, "pdp_p95_latency")
    assert "| Series | Sustained level | Min | Median | p95 | Max | Longest breach |" in p95
    assert '| {outcome="deny"} **(worst)** |' in p95
    assert "step 1m, 2881 instants per series, coverage 100.0%" in p95
    assert "a breach longer than 15m, or more than 1% of the valued samples" in p95
    assert 'bucket edge le="0.01"' in p95
    assert "promql range " in p95 and "histogram_quantile(0.95, sum by (le, outcome)" in p95

    denial = section(markdown, "guardian_denial_rate")
    assert "| (all) | 3" in denial and "4h" in denial

    alerts = section(markdown, "critical_alerts")
    assert "| Alert | Labels | First firing | Last firing | Minutes firing | Counts |" in alerts
    assert "| CriticalGuardianDenialRate |" in alerts and "| yes |" in alerts
    assert 'ALERTS{alertstate="firing", severity=~"critical"}[2d]' in alerts

    soak = section(markdown, "soak_duration")
    assert "Running since `" in soak and "Scrape coverage over the soak" in soak
    # every table row has the header's number of cells: nothing from outside broke a table
    for line in markdown.splitlines():
        if line.startswith("| Series |"):
            width = line.count(" | ")
        elif line.startswith(("| {", "| (all")):
            assert line.replace("\\|", "").count(" | ") == width, line


def test_restart_report_lists_the_start_inside_the_window(promlab, tmp_path):
    lab = promlab("restart")
    markdown = render_markdown(evaluate(default_context(tmp_path, lab.url, lab.end)))
    soak = section(markdown, "soak_duration")
    restart = lab.ago(lab.scenario.facts["restart"]).isoformat().replace("+00:00", "Z")
    assert "- Starts inside the last 48h:" in soak
    assert f"  - `{restart}` on lukhas-facade-0:8000" in soak


def test_thin_and_indeterminate_evidence_are_readable_in_the_report(promlab, tmp_path):
    lab = promlab("coarse_buckets")
    p95 = section(render_markdown(evaluate(default_context(tmp_path, lab.url, lab.end))),
                  "pdp_p95_latency")
    assert "Bucket resolution: threshold 10ms is inside bucket 0–100ms" in p95
    assert "indeterminate)" in p95 and "| Active |" in p95
    assert 'rate(lukhas_guardian_decision_duration_seconds_bucket{le="0.1"}[5m])' in p95

    lab = promlab("series_gap")
    p95 = section(render_markdown(evaluate(default_context(tmp_path, lab.url, lab.end))),
                  "pdp_p95_latency")
    assert 'Too little evidence in: {outcome="deny"}' in p95
    assert "| 75% |" in p95  # the deny series covers 75% of its lifespan
