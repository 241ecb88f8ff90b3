"""The quantile gates of one histogram share its bucket-edge lookup: sent once an evaluation."""

from __future__ import annotations

from collections import Counter

from gacheck.core.models import Status
from gacheck.run.evaluation import evaluate
from tests.prometheus.helpers import context
from tests.prometheus.recording_proxy import RecordingProxy


def quantile_gate(gate: str, q: float) -> str:
    return f"""
[[gates]]
id = "{gate}"
kind = "histogram_quantile"
title = "{gate}"
metric = "lukhas_guardian_decision_duration_seconds"
quantile = {q}
by = ["outcome"]
threshold = {{ max = "1s" }}
"""


GATES = '[settings]\nwindow = "5h"\nstep = "60s"\n' + "".join(
    quantile_gate(f"p{round(q * 100)}", q) for q in (0.5, 0.75, 0.9, 0.95))


def _sent(proxy: RecordingProxy) -> Counter[str]:
    return Counter(r.params["query"][0] for r in proxy.requests if "query" in r.params)


def test_the_bucket_edges_are_looked_up_once_and_recorded_by_every_gate(promlab, tmp_path):
    lab = promlab("healthy")
    with RecordingProxy(lab.url) as proxy:
        audit = evaluate(context(tmp_path, proxy.url, lab.end, GATES))
        sent = _sent(proxy)
    assert [g.status for g in audit.gates] == [Status.PASS] * 4, [g.message for g in audit.gates]
    lookup = "group by (le) (lukhas_guardian_decision_duration_seconds_bucket)"
    assert sent[lookup] == 1, sent  # was once per gate: 4
    for gate in audit.gates:  # the evidence is each gate's own: the lookup is in every one
        assert lookup in [q.promql for q in gate.evidence.queries]
        assert gate.evidence.details["bucket_edges"]


def test_a_gate_judges_as_it_would_alone(promlab, tmp_path):
    """Control: sharing the lookup changes what is sent, never a gate's value or evidence."""
    lab = promlab("healthy")
    together = {g.id: g for g in evaluate(context(tmp_path, lab.url, lab.end, GATES)).gates}
    for q in (0.5, 0.95):
        gate = f"p{round(q * 100)}"
        (tmp_path / gate).mkdir()
        alone = evaluate(context(tmp_path / gate, lab.url, lab.end,
                                 '[settings]\nwindow = "5h"\nstep = "60s"\n'
                                 + quantile_gate(gate, q))).gates[0]
        assert (alone.status, alone.value) == (together[gate].status, together[gate].value)
        assert alone.evidence.details == together[gate].evidence.details
