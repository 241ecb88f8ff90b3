"""``ruff_budget`` honesty: pinning ruff's configuration, and comparing what it overlooked
(noqa comments, per-file-ignores, excluded files) with the previous audit."""

from __future__ import annotations

import json
from typing import Any


def config_args(params: Any) -> list[str]:
    """The ruff arguments that pin its configuration: ``--isolated``, ``--config``, noqa."""
    args = ["--isolated"] if params.isolated else []
    for key, value in sorted(params.options.items()):
        args += ["--config", f"{key} = {toml_value(value)}"]
    if params.ignore_noqa:
        args.append("--ignore-noqa")
    return args


def toml_value(value: Any) -> str:
    """A TOML inline value (what ``ruff --config`` reads) for a value read from TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise ValueError(f"cannot pass {value!r} to ruff --config")


def previous_suppressions(audits: list[Any], gate_id: str) -> dict[str, Any] | None:
    """The suppressions and value of the latest earlier audit that measured them."""
    for audit in reversed(audits):
        gate = audit.gate(gate_id)
        if not gate or gate.get("status") not in ("pass", "warn", "fail", "waived"):
            continue
        details = (gate.get("evidence") or {}).get("details") or {}
        found = details.get("suppressions")
        if isinstance(found, dict) and isinstance(found.get("total"), int) and isinstance(
            gate.get("value"), int | float
        ):
            return {**found, "value": float(gate["value"]),
                    "at": audit.evaluated_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return None


def suppression_notes(now: dict[str, Any], value: int, earlier: dict[str, Any] | None,
                      notes: list[str]) -> bool:
    """Notes comparing with the previous audit; True when suppressions grew while the count
    fell (the drop may be hidden diagnostics, not fixed ones)."""
    if earlier is None:
        notes.append("no earlier audit recorded ruff suppressions: nothing to compare yet")
        return False
    if earlier.get("config_sha256") != now["config_sha256"]:
        notes.append(f"the effective ruff configuration changed since {earlier['at']} "
                     f"(sha256 {str(earlier.get('config_sha256'))[:12]} -> "
                     f"{now['config_sha256'][:12]})")
    grew = now["total"] > earlier["total"]
    if not (grew and value < earlier["value"]):
        return False
    parts = [f"{name.replace('_', ' ')} {earlier.get(name, 0)} -> {now[name]}"
             for name in ("noqa_comments", "per_file_ignores", "excluded_files")
             if now[name] != earlier.get(name, 0)]
    notes.append(f"suppressions grew from {earlier['total']} to {now['total']} "
                 f"({', '.join(parts)}) while the count fell from {earlier['value']:g} to "
                 f"{value}: the drop may be hidden diagnostics, not fixed ones")
    return True
