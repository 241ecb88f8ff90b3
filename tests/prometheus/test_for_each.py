"""``for_each`` gate templates on a real Prometheus holding six services' history (one bad).

Fused and unfused evaluations must give every expanded gate the same status, value, message
and evidence; fused, each distinct query of a template is sent once, whatever the number of
services. A value without series is that gate's ``no_data``; a query that expands to nothing
is one ``no_data`` gate for the template.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gacheck.core.errors import ConfigError
from gacheck.core.models import Status
from gacheck.promlab.scenarios import BAD_SERVICE, SERVICES
from gacheck.run.evaluation import Selection, evaluate
from tests.prometheus.helpers import context
from tests.prometheus.recording_proxy import RecordingProxy

VALUES = '["consent", "guardian", "identity", "ledger", "memory", "orchestrator", "ghost"]'
QUERY = "'label_values(up{job=~\"lukhas-.*\"}, service)'"


def templates(source: str, fuse: bool = True) -> str:
    each = f'for_each = {{ label = "service", {source}, fuse = {str(fuse).lower()} }}'
    return f"""
[[gates]]
id = "pdp_p95_latency"
kind = "histogram_quantile"
title = "PDP p95 latency of {{{{value}}}} < 10ms"
metric = "lukhas_guardian_decision_duration_seconds"
matchers = 'service="{{{{value}}}}"'
by = ["outcome"]
threshold = {{ max = "10ms" }}
{each}

[[gates]]
id = "guardian_denial_rate"
kind = "ratio"
title = "Guardian denial rate of {{{{value}}}} < 1%"
numerator = 'lukhas_guardian_decision_total{{service="{{{{value}}}}", outcome="deny"}}'
denominator = 'lukhas_guardian_decision_total{{service="{{{{value}}}}"}}'
threshold = {{ max = "1%" }}
{each}

[[gates]]
id = "soak_duration"
kind = "soak_duration"
title = "{{{{value}}}} soaked 48h"
selector = '{{job="lukhas-facade", service="{{{{value}}}}"}}'
{each}
"""


def run(tmp_path: Path, url: str, at, text: str, selection: Selection | None = None,
        prometheus_toml: str = ""):
    tmp_path.mkdir(parents=True, exist_ok=True)
    ctx = context(tmp_path, url, at, text, prometheus_toml)
    return evaluate(ctx, selection or Selection())


def comparable(result) -> dict:
    evidence = result.evidence.model_dump(mode="json")
    for query in evidence["queries"]:
        query.pop("promql")
        query.pop("selected")
    return {"status": result.status, "value": result.value, "message": result.message,
            "evidence": evidence}


def test_fused_and_unfused_give_the_same_gates_with_one_request_per_query(promlab, tmp_path):
    lab = promlab("services")
    with RecordingProxy(lab.url) as proxy:
        # one piece per range query (chunking is tested on its own): requests count queries
        whole = 'chunk = "3d"\n'
        fused = run(tmp_path / "fused", proxy.url, lab.end, templates(f"values = {VALUES}"),
                    prometheus_toml=whole)
        fused_requests = len(proxy.queries())
        proxy.clear()
        unfused = run(tmp_path / "unfused", proxy.url, lab.end,
                      templates(f"values = {VALUES}", fuse=False), prometheus_toml=whole)
        unfused_requests = len(proxy.queries())

    ids = [g.id for g in fused.gates]
    assert ids == [g.id for g in unfused.gates]
    assert ids[:7] == [f"pdp_p95_latency[{v}]" for v in (*SERVICES, "ghost")]
    for mine, theirs in zip(fused.gates, unfused.gates, strict=True):
        assert comparable(mine) == comparable(theirs), mine.id
    by_id = {g.id: g for g in fused.gates}
    for template in ("pdp_p95_latency", "guardian_denial_rate"):
        assert by_id[f"{template}[{BAD_SERVICE}]"].status is Status.FAIL
        assert {by_id[f"{template}[{s}]"].status for s in SERVICES
                if s != BAD_SERVICE} == {Status.PASS}
    for template in ("pdp_p95_latency", "guardian_denial_rate", "soak_duration"):
        assert by_id[f"{template}[ghost]"].status is Status.NO_DATA  # fail-closed per value
    assert {by_id[f"soak_duration[{s}]"].status for s in SERVICES} == {Status.PASS}

    # Each gate's evidence names the fused query and counts its own series only.
    record = by_id[f"pdp_p95_latency[{BAD_SERVICE}]"].evidence.queries[-1]
    assert record.selected == {"service": BAD_SERVICE}
    assert 'service=~"consent|guardian|identity|ledger|memory|orchestrator|ghost"' in \
        record.promql
    assert "by (le, outcome, service)" in record.promql
    assert record.series == 2  # allow and deny of ledger, not the 12 of all services

    # Per template: p95 asks for the bucket edges and the quantile; the ratio for its
    # numerator check and the ratio; the soak for the start times (now and over the window)
    # and up. Fused, each once; unfused, once per value. Plus what each evaluation asks once
    # whatever its gates (the probe, whether the backend drops NaN, monitoring blind time).
    per_value = 2 + 2 + 3
    per_evaluation = fused_requests - per_value
    assert 0 < per_evaluation <= 3
    assert unfused_requests == 7 * per_value + per_evaluation - 1  # ghost's soak stops early


def test_values_from_a_query_at_the_instant_and_selection_by_template(promlab, tmp_path):
    lab = promlab("services")
    audit = run(tmp_path, lab.url, lab.end, templates(f"query = {QUERY}"),
                Selection(only=("pdp_p95_latency",), partial=True))
    chosen = [g for g in audit.gates if g.status is not Status.SKIPPED]
    assert [g.id for g in chosen] == [f"pdp_p95_latency[{s}]" for s in SERVICES]
    assert [g.title for g in chosen][0] == "PDP p95 latency of consent < 10ms"
    assert {g.id for g in chosen if g.status is Status.FAIL} == {
        f"pdp_p95_latency[{BAD_SERVICE}]"}
    # the templates left out were not expanded (that would ask Prometheus): one gate each
    assert [g.id for g in audit.gates if g.status is Status.SKIPPED] == [
        "guardian_denial_rate", "soak_duration"]


def test_a_query_that_expands_to_nothing_is_a_no_data_gate(promlab, tmp_path):
    lab = promlab("services")
    query = "'label_values(up{job=\"nobody\"}, service)'"
    audit = run(tmp_path, lab.url, lab.end, templates(f"query = {query}"))
    assert [(g.id, g.status) for g in audit.gates] == [
        ("pdp_p95_latency", Status.NO_DATA), ("guardian_denial_rate", Status.NO_DATA),
        ("soak_duration", Status.NO_DATA)]
    assert "no series with a service label" in audit.gates[0].message
    assert audit.verdict.value == "incomplete"


def test_an_unreachable_prometheus_makes_the_template_an_error(tmp_path,
                                                               unreachable_prometheus_url):
    from datetime import UTC, datetime

    audit = run(tmp_path, unreachable_prometheus_url, datetime.now(UTC),
                templates(f"query = {QUERY}"))
    assert {g.status for g in audit.gates} == {Status.ERROR}
    assert "could not list the values of service" in audit.gates[0].message


@pytest.mark.parametrize(("for_each", "error"), [
    ('{ label = "service", values = ["a", "a"] }', "values listed twice: a"),
    ('{ label = "service" }', "give exactly one of values"),
    ('{ label = "service", values = ["a"], query = "up" }', "give exactly one of values"),
    ('{ label = "service", query = "label_values(up, job)" }', "asks for the values of 'job'"),
    ('{ label = "9x", values = ["a"] }', "for_each.label"),
    ('{ label = "service", values = ["a]"] }', "cannot name a gate"),
])
def test_templates_are_checked_when_the_config_loads(tmp_path, for_each, error):
    text = f"""
[[gates]]
id = "p95"
kind = "promql_sustained"
title = "t"
query = 'x{{service="{{{{value}}}}"}}'
threshold = {{ max = 1 }}
for_each = {for_each}
"""
    with pytest.raises(ConfigError, match=r"gates\[0\]") as caught:
        context(tmp_path, "http://127.0.0.1:9", __import__("datetime").datetime.now(), text)
    assert error in str(caught.value)


def test_a_template_must_use_the_placeholder(tmp_path):
    text = """
[[gates]]
id = "p95"
kind = "promql_sustained"
title = "t"
query = 'x{service="a"}'
threshold = { max = 1 }
for_each = { label = "service", values = ["a", "b"] }
"""
    with pytest.raises(ConfigError, match=r"gates\[0\]\.for_each: no parameter uses"):
        context(tmp_path, "http://127.0.0.1:9", __import__("datetime").datetime.now(), text)


def test_selection_names_a_template_or_one_of_its_gates():
    ids = ["a[x]", "a[y]", "b"]
    assert Selection(only=("a",)).choose(ids) == {"a[x]", "a[y]"}
    assert Selection(only=("a[y]", "b")).choose(ids) == {"a[y]", "b"}
    assert Selection(skip=("a",)).choose(ids) == {"b"}
    assert Selection(only=("a[x]",)).wants("a") and not Selection(only=("b",)).wants("a")


def test_check_queries_expands_query_templates_at_the_instant(promlab, tmp_path):
    from gacheck.run.check_queries import check_queries

    lab = promlab("services")
    ctx = context(tmp_path, lab.url, lab.end, templates(f"query = {QUERY}"))
    checks = [c for c in check_queries(ctx) if c.gate_id.startswith("pdp_p95_latency")]
    assert {c.gate_id for c in checks} == {f"pdp_p95_latency[{s}]" for s in SERVICES}
    assert {c.outcome for c in checks} == {"ok"}
    empty = context(tmp_path, lab.url, lab.end,
                    templates("query = 'label_values(up{job=\"nobody\"}, service)'"))
    assert {c.outcome for c in check_queries(empty)} == {"empty"}


def test_a_waiver_for_the_template_covers_each_of_its_gates(promlab, tmp_path):
    lab = promlab("services")
    waiver = """
[[waivers]]
gate = "pdp_p95_latency"
reason = "ledger's PDP is being replaced"
owner = "rel-eng@lukhas"
expires = 2999-01-01
"""
    audit = run(tmp_path, lab.url, lab.end, templates('values = ["guardian", "ledger"]') + waiver,
                Selection(only=("pdp_p95_latency",), partial=True))
    by_id = {g.id: g for g in audit.gates}
    assert by_id[f"pdp_p95_latency[{BAD_SERVICE}]"].status is Status.WAIVED
    assert by_id[f"pdp_p95_latency[{BAD_SERVICE}]"].measured_status is Status.FAIL
