"""``json_value``: read one number from a JSON file by a dotted path and judge it.

``path = "summary.ruff.total"``; list items by index (``checks.0.rc``). A missing file or key
is an ``error`` (the gate could not measure), a ``null`` value is ``no_data``.
"""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar

from pydantic import Field

from gacheck.config import GateSpec
from gacheck.context import Context
from gacheck.errors import GateError, NoDataError
from gacheck.gates.interface import Measurement, Params
from gacheck.models import Evidence
from gacheck.units import Unit


class JsonValueParams(Params):
    file: str = Field(
        description="JSON file, relative to the repository root; {date} is the UTC day of --at"
    )
    path: str = Field(pattern=r"^[^.]+(\.[^.]+)*$", description='dotted key path, "a.b.0.c"')


def _is_index(part: str, length: int) -> bool:
    return part.lstrip("-").isdigit() and -length <= int(part) < length


def lookup(document: Any, path: str) -> Any:
    """The value at a dotted path; ``KeyError`` naming the first part that is not there."""
    node = document
    walked: list[str] = []
    for part in path.split("."):
        walked.append(part)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and _is_index(part, len(node)):
            node = node[int(part)]
        else:
            raise KeyError(".".join(walked))
    return node


class JsonValueGate:
    params: ClassVar[type[Params]] = JsonValueParams
    unit: ClassVar[Unit | None] = None
    default_threshold: ClassVar[dict[str, Any]] = {}
    reads_repository: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: JsonValueParams = gate.params
        name = params.file.replace("{date}", ctx.at.strftime("%Y-%m-%d"))
        file = ctx.resolve(name)
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise GateError(f"{name}: file not found") from None
        except json.JSONDecodeError as exc:
            raise GateError(f"{name}: not valid JSON: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise GateError(f"{name}: cannot read: {exc}") from None
        try:
            raw = lookup(document, params.path)
        except KeyError as exc:
            raise GateError(f"{name}: no value at {exc.args[0]}") from None
        evidence = Evidence(details={"file": name, "path": params.path, "raw": raw})
        if raw is None:
            raise NoDataError(f"{name}: {params.path} is null")
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise GateError(f"{name}: {params.path} is not a number: {json.dumps(raw)[:80]}")
        try:
            value = float(raw)
        except ValueError:
            raise GateError(f"{name}: {params.path} is not a number: {raw!r}") from None
        if math.isnan(value):
            raise NoDataError(f"{name}: {params.path} is NaN")
        return Measurement(value=value, message=f"{params.path} = {raw}", evidence=evidence)
