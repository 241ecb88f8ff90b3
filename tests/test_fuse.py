"""How one gate's query becomes its template's fused query (string rewriting, no server)."""

from __future__ import annotations

from gacheck.collectors.prometheus.fused import fuse
from gacheck.config.for_each import Member, substitute

MEMBER = Member(template="t", label="service", value="ledger", values=("guardian", "ledger"))


def test_aggregations_keep_the_label_and_the_matcher_selects_every_value():
    query = ('(sum(rate(x{service="ledger", outcome="deny"}[5m])) or 0 * '
             'sum(rate(x{service="ledger"}[5m]))) / sum(rate(x{service="ledger"}[5m]))')
    fused = fuse(query, MEMBER)
    assert fused is not None and fused.drop_label
    assert fused.promql == (
        '(sum by (service) (rate(x{service=~"guardian|ledger", outcome="deny"}[5m])) or 0 * '
        'sum by (service) (rate(x{service=~"guardian|ledger"}[5m]))) / '
        'sum by (service) (rate(x{service=~"guardian|ledger"}[5m]))')
    other = Member(template="t", label="service", value="guardian", values=MEMBER.values)
    assert fuse(query.replace("ledger", "guardian"), other) == fused  # one text: one request


def test_existing_groupings_and_plain_selectors():
    fused = fuse('histogram_quantile(0.95, sum by (le, outcome) (rate(h{service="ledger"}[5m])))',
                 MEMBER)
    assert fused is not None and "sum by (le, outcome, service) (" in fused.promql
    raw = fuse('process_start_time_seconds{job="f", service="ledger"}[48h]', MEMBER)
    assert raw is not None and not raw.drop_label  # the series keep the label unfused too


def test_queries_that_cannot_be_fused_safely_run_unfused():
    assert fuse('sum(x{service="ledger"}) / on() group_left sum(y)', MEMBER) is None
    assert fuse("vector(1)", MEMBER) is None
    assert fuse('sum(x{service="other"})', MEMBER) is None  # not this gate's matcher
    assert fuse('sum(x{service="ledger"}) by (outcome)', MEMBER) is None


def test_values_are_escaped_for_promql_strings_and_regular_expressions():
    odd = Member(template="t", label="service", value='a.b"c', values=("a.b\"c", "d"))
    query = substitute('sum(x{service="{{value}}"})', 'a.b"c')
    assert query == 'sum(x{service="a.b\\"c"})'
    fused = fuse(query, odd)
    assert fused is not None
    assert 'service=~"a\\\\.b\\"c|d"' in fused.promql


def test_large_templates_are_fused_in_batches():
    from gacheck.collectors.prometheus.fused import FUSED_BATCH, batch_of

    values = tuple(f"s{n:03d}" for n in range(2 * FUSED_BATCH + 3))
    member = Member(template="t", label="service", value=values[FUSED_BATCH + 1], values=values)
    assert batch_of(member) == values[FUSED_BATCH:2 * FUSED_BATCH]
    last = Member(template="t", label="service", value=values[-1], values=values)
    assert batch_of(last) == values[2 * FUSED_BATCH:]
    fused = fuse(f'sum(x{{service="{values[-1]}"}})', last)
    assert fused is not None and fused.promql.count("|") == 2  # its batch of three
