"""``json_value``: read one number from a JSON file by a dotted path and judge it.

``path = "summary.ruff.total"``; list items by index (``checks.0.rc``). A missing file or key
is an ``error`` (the gate could not measure), a ``null`` value is ``no_data``.
"""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar

from pydantic import Field

from gacheck.collectors.json_path import lookup
from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.errors import GateError, NoDataError
from gacheck.core.models import Evidence
from gacheck.core.safe_files import MiB, read_text_confined, root_for
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params

MAX_BYTES = 64 * MiB


class JsonValueParams(Params):
    file: str = Field(
        description="JSON file, relative to the repository root; {date} is the UTC day of --at"
    )
    path: str = Field(pattern=r"^[^.]+(\.[^.]+)*$", description='dotted key path, "a.b.0.c"')


class JsonValueGate(GateKind):
    params: ClassVar[type[Params]] = JsonValueParams
    unit: ClassVar[Unit | None] = None
    default_threshold: ClassVar[dict[str, Any]] = {}
    reads_repository: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: JsonValueParams = gate.params
        name = params.file.replace("{date}", ctx.at.strftime("%Y-%m-%d"))
        file = ctx.resolve(name)
        try:
            document = json.loads(read_text_confined(file, root_for(file, ctx.repo), MAX_BYTES))
        except FileNotFoundError:
            raise GateError(f"{name}: file not found") from None
        except json.JSONDecodeError as exc:
            raise GateError(f"{name}: not valid JSON: {exc}") from None
        except RecursionError:
            raise GateError(f"{name}: nested too deeply to read") from None
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
