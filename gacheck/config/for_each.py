"""Gate templates: one ``[[gates]]`` block with ``for_each`` becomes one gate per label value.

``for_each = { label = "service", values = ["guardian", "ledger"] }`` expands when the config
is loaded; ``for_each = { label = "service", query = 'label_values(up{job=~"lukhas-.*"},
service)' }`` expands at the evaluation instant (``gacheck.run.for_each.expand_at``), from
the values the label has in the query's result then. Each gate gets the id ``<id>[<value>]``,
and ``{{value}}`` in its title and in every string of its parameters is replaced by the value
(escaped for a PromQL string literal: the placeholder belongs inside quotes,
``service="{{value}}"``).

Fail-closed: an expansion that yields no value, or whose query fails, becomes one gate with the
template's id whose status is ``no_data``/``error`` with the reason, never no gate at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gacheck.core.errors import ConfigError

PLACEHOLDER = "{{value}}"
MAX_VALUES = 1000
_VALUE_TEXT = re.compile(r"^[^\x00-\x1f\x7f\[\]]{1,128}$")
_LABEL_VALUES = re.compile(
    r"^\s*label_values\s*\((?P<selector>.*),\s*(?P<label>[A-Za-z_]\w*)\s*\)\s*$", re.DOTALL)


class ForEach(BaseModel):
    """``for_each``: the label the gates are made for, and its values (listed, or a query)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    values: list[str] | None = Field(default=None, min_length=1, max_length=MAX_VALUES)
    query: str | None = Field(default=None, min_length=1,
                              description="PromQL, or label_values(selector, label)")
    fuse: bool = Field(default=True, description="one query per template, split per value")

    @field_validator("values")
    @classmethod
    def _distinct(cls, values: list[str] | None) -> list[str] | None:
        for value in values or []:
            problem = value_problem(value)
            if problem:
                raise ValueError(problem)
        if values is not None and len(set(values)) != len(values):
            twice = sorted({v for v in values if values.count(v) > 1})
            raise ValueError(f"values listed twice: {', '.join(twice)} (ids must stay unique)")
        return values

    @model_validator(mode="after")
    def _one_source(self) -> ForEach:
        if (self.values is None) == (self.query is None):
            raise ValueError("give exactly one of values (a list) or query (PromQL, or "
                             "label_values(selector, label))")
        found = _LABEL_VALUES.match(self.query or "")
        if found and found.group("label") != self.label:
            raise ValueError(f"query asks for the values of {found.group('label')!r}, but "
                             f"label is {self.label!r}")
        return self

    def values_query(self) -> str:
        """The instant query whose series' ``label`` values are the values."""
        assert self.query is not None
        found = _LABEL_VALUES.match(self.query)
        inner = found.group("selector").strip() if found else self.query
        return f"group by ({self.label}) ({inner})"


class Member(BaseModel):
    """What an expanded gate knows of its template: fused queries are built from it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    template: str
    label: str
    value: str
    values: tuple[str, ...]
    fuse: bool = True


def value_problem(value: str) -> str | None:
    if not _VALUE_TEXT.match(value):
        return (f"value {value[:40]!r} cannot name a gate: 1 to 128 characters, no control "
                "characters or brackets")
    return None


def promql_string(value: str) -> str:
    """``value`` as it may stand between double quotes in PromQL."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def substitute(data: Any, value: str) -> Any:
    """``data`` (a kind's raw parameters) with the placeholder replaced in every string."""
    if isinstance(data, str):
        return data.replace(PLACEHOLDER, promql_string(value))
    if isinstance(data, list):
        return [substitute(item, value) for item in data]
    if isinstance(data, dict):
        return {key: substitute(item, value) for key, item in data.items()}
    return data


def uses_placeholder(data: Any) -> bool:
    if isinstance(data, str):
        return PLACEHOLDER in data
    if isinstance(data, list):
        return any(uses_placeholder(item) for item in data)
    if isinstance(data, dict):
        return any(uses_placeholder(item) for item in data.values())
    return False


def member_id(template: str, value: str) -> str:
    return f"{template}[{value}]"


def template_of(gate_id: str) -> str:
    """``pdp_p95_latency`` for ``pdp_p95_latency[guardian]``; a plain id is its own."""
    return gate_id.split("[", 1)[0]


def check_template(where: str, for_each: ForEach, raw_params: dict[str, Any]) -> None:
    """The static checks ``validate`` can make: the placeholder is used, and where."""
    if not uses_placeholder(raw_params):
        raise ConfigError(f"{where}.for_each: no parameter uses {PLACEHOLDER}: every expanded "
                          f'gate would measure the same thing (write e.g. {for_each.label}='
                          f'"{PLACEHOLDER}" into its matchers or selectors)')


def expand(spec: Any, values: Sequence[str], build: Callable[[dict[str, Any], str], Any]) -> list[
        Any]:
    """One gate per value: ``build(params, value)`` validates the kind's substituted params."""
    assert spec.for_each is not None
    ordered = list(dict.fromkeys(values))
    gates = []
    for value in ordered:
        member = Member(template=spec.id, label=spec.for_each.label, value=value,
                        values=tuple(ordered), fuse=spec.for_each.fuse)
        gates.append(spec.model_copy(update={
            "id": member_id(spec.id, value), "title": spec.title.replace(PLACEHOLDER, value),
            "params": build(substitute(spec.template_params, value), value),
            "member": member, "for_each": None, "template_params": None,
            "expansion_problem": None}))
    return gates
