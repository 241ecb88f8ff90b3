"""Fused queries: the gates of one ``for_each`` template share one query, split on the client.

A gate expanded for ``service="guardian"`` asks for, say,
``sum by (outcome) (rate(x{service="guardian"}[5m]))``. Its fused form selects every value of
the template (``service=~"guardian|ledger|..."``) and keeps the label in every aggregation
(``sum by (outcome, service) (...)``); it is the same text for every gate of the template, so
the evaluation sends it once (``Context.shared``) and each gate keeps the series of its own
value. When the label was only added for the split, it is removed again, so a gate's series,
values and verdict are those its own query would have given. Its ``QueryRecord`` names the
fused query, its own series and samples, and ``selected`` says which series were its own.

Queries that cannot be fused safely run unfused: no ``label="value"`` matcher, vector matching
with ``on``/``ignoring`` (it could match across values), ``scalar``/``vector``/``absent``,
or an aggregation written with a trailing ``by``/``without``.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gacheck.config.for_each import Member, promql_string

_AGGREGATION = re.compile(
    r"\b(?P<op>sum|min|max|avg|group|stddev|stdvar|count|topk|bottomk|quantile)\s*"
    r"(?:by\s*\((?P<by>[^()]*)\)\s*)?\(")
FUSED_CONCURRENCY = 4
FUSED_BATCH = 25
"""Values per fused query: on a loaded 2-core machine Prometheus answered 100 services in one
query far slower than in four (bench/for_each_scale.py)."""
"""Fused queries in flight at once: each covers a whole template, and many at once made a
loaded Prometheus 4x slower than the same work asked per gate (bench/for_each_scale.py)."""
_UNSAFE = re.compile(r"\b(?:on|ignoring|scalar|vector|absent|absent_over_time)\s*\(|"
                     r"\)\s*(?:by|without)\s*\(")


@dataclass(frozen=True)
class Fused:
    promql: str
    drop_label: bool
    """The label was added to aggregations only to split the result: remove it after."""


def batch_of(member: Member) -> tuple[str, ...]:
    """The values fused with this one: the template's, FUSED_BATCH at a time."""
    first = member.values.index(member.value) // FUSED_BATCH * FUSED_BATCH
    return member.values[first:first + FUSED_BATCH]


def fuse(promql: str, member: Member) -> Fused | None:
    """The template-wide form of one gate's query, or ``None`` when it must run unfused."""
    label = member.label
    matcher = re.compile(rf'\b{re.escape(label)}\s*=\s*"{re.escape(promql_string(member.value))}"')
    if not matcher.search(promql) or _UNSAFE.search(promql):
        return None
    alternation = "|".join(re.escape(v) for v in batch_of(member))
    text = matcher.sub(lambda _: f'{label}=~"{promql_string(alternation)}"', promql)
    added = kept = False

    def widen(found: re.Match[str]) -> str:
        nonlocal added, kept
        labels = [x.strip() for x in (found.group("by") or "").split(",") if x.strip()]
        if label in labels:
            kept = True
        else:
            labels.append(label)
            added = True
        return f"{found.group('op')} by ({', '.join(labels)}) ("

    text = _AGGREGATION.sub(widen, text)
    if added and kept:
        return None  # the gate's own query keeps the label in places and not in others
    return Fused(text, drop_label=added)


def split(result: Any, fused: Fused, member: Member) -> Any:
    """The part of a fused ``QueryResult`` that is this gate's."""
    from gacheck.collectors.prometheus.results import Series

    own = [s for s in result.series if s.labels.get(member.label) == member.value]
    if fused.drop_label:
        own = [Series({k: v for k, v in s.labels.items() if k != member.label},
                      s.timestamps, s.values) for s in own]
        own.sort(key=lambda s: sorted(s.labels.items()))
    record = result.record.model_copy(update={
        "series": len(own), "samples": sum(len(s.values) for s in own),
        "selected": {member.label: member.value}})
    return dataclasses.replace(result, series=own, record=record)


class FusedClient:
    """A ``PrometheusClient`` for one expanded gate: its queries fused where they can be."""

    def __init__(self, prometheus: Any, ctx: Any, member: Member) -> None:
        self._prometheus = prometheus
        self._ctx = ctx
        self._member = member

    def __getattr__(self, name: str) -> Any:
        return getattr(self._prometheus, name)

    def instant(self, promql: str, at: datetime, *, limited: bool = True) -> Any:
        fused = fuse(promql, self._member)
        if fused is None:
            return self._prometheus.instant(promql, at, limited=limited)
        key = f"fused:instant:{at.timestamp()}:{limited}:{fused.promql}"
        return split(self._once(key, lambda: self._prometheus.instant(
            fused.promql, at, limited=limited)), fused, self._member)

    def range(self, promql: str, start: datetime, end: datetime, step_s: float) -> Any:
        fused = fuse(promql, self._member)
        if fused is None:
            return self._prometheus.range(promql, start, end, step_s)
        key = f"fused:range:{start.timestamp()}:{end.timestamp()}:{step_s}:{fused.promql}"
        return split(self._once(key, lambda: self._prometheus.range(
            fused.promql, start, end, step_s)), fused, self._member)

    def samples(self, selector: str, at: datetime, lookback_s: float) -> Any:
        fused = fuse(selector, self._member)
        if fused is None:
            return self._prometheus.samples(selector, at, lookback_s)
        key = f"fused:samples:{at.timestamp()}:{lookback_s}:{fused.promql}"
        return split(self._once(key, lambda: self._prometheus.samples(
            fused.promql, at, lookback_s)), fused, self._member)

    def _once(self, key: str, fetch: Any) -> Any:
        """One request per fused query and evaluation; its failure is every gate's failure."""

        slots = self._ctx.shared("prometheus:fused_slots", lambda: threading.BoundedSemaphore(
            getattr(self._prometheus.settings, "max_concurrency", FUSED_CONCURRENCY)))

        def outcome() -> tuple[bool, Any]:
            try:
                with slots:
                    return True, fetch()
            except Exception as exc:  # re-raised in each gate that shares the query
                return False, exc

        ok, value = self._ctx.shared(key, outcome)
        if not ok:
            raise value
        return value
