"""``for_each`` templates whose values come from a query, expanded at the evaluation instant.

The template itself (``ForEach``, substitution, ids) is config (``gacheck.config.for_each``);
expanding it asks Prometheus which values the label has at ``--at`` and binds each value's
parameters to the kind, so it runs here, above the collectors and the gate kinds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from gacheck.collectors.prometheus.client import client
from gacheck.config.for_each import MAX_VALUES, ForEach, expand, value_problem
from gacheck.core.errors import CollectorError
from gacheck.gates import KINDS


def expand_at(ctx: Any, wanted: Callable[[str], bool] = lambda _: True) -> Any:
    """``ctx`` with every wanted ``query`` template expanded at ``ctx.at``; others unchanged."""
    gates = ctx.config.gates
    if not any(g.for_each is not None and wanted(g.id) for g in gates):
        return ctx
    expanded: list[Any] = []
    for gate in gates:
        if gate.for_each is None or not wanted(gate.id):
            expanded.append(gate)
        else:
            expanded += _expand_query(ctx, gate)
    return dataclasses.replace(ctx, config=ctx.config.model_copy(update={"gates": expanded}))


def _expand_query(ctx: Any, spec: Any) -> list[Any]:
    for_each: ForEach = spec.for_each
    query = for_each.values_query()
    at = ctx.at.isoformat().replace("+00:00", "Z")

    def failed(status: str, reason: str) -> list[Any]:
        return [spec.model_copy(update={"expansion_problem": (status, ctx.secrets.redact(
            f"for_each: {reason} (values query: {query} at {at})"))})]

    try:
        found = client(ctx).instant(query, ctx.at)
    except CollectorError as exc:
        return failed("error", f"could not list the values of {for_each.label}: {exc}")
    values = sorted({s.labels[for_each.label] for s in found.series
                     if s.labels.get(for_each.label)})
    if not values:
        return failed("no_data", f"no series with a {for_each.label} label: no gate to "
                      "evaluate, so nothing was measured")
    if len(values) > MAX_VALUES:
        return failed("error", f"{len(values)} values of {for_each.label}, more than "
                      f"{MAX_VALUES}")
    for value in values:
        if value_problem(value):
            return failed("error", value_problem(value) or "")

    def build(params: dict[str, Any], value: str) -> Any:
        return KINDS[spec.kind].params.model_validate(params)

    try:
        return expand(spec, values, build)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        return failed("error", f"a value made the parameters invalid: {first['msg']}")
