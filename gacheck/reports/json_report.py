"""The audit as JSON: deterministic text, and the JSON Schema that describes it."""

from __future__ import annotations

import json
import math
from typing import Any

from gacheck.core.models import Audit


def render_json(audit: Audit) -> str:
    """Key order as in the models, two-space indent, UTF-8 kept, one trailing newline."""
    document = _finite(audit.model_dump(mode="json"))
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _finite(data: Any) -> Any:
    """NaN and infinities as null: bare ``NaN`` is not JSON, and no reader would accept it."""
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_finite(item) for item in data]
    return data


def audit_schema() -> dict[str, Any]:
    schema = Audit.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://gacheck.dev/schema/audit.schema.json"
    return schema


def render_schema() -> str:
    return json.dumps(audit_schema(), indent=2) + "\n"


def shipped_schema() -> dict[str, Any]:
    """The schema file that ships with the package (kept equal to ``audit_schema`` by a test)."""
    from importlib.resources import files

    return json.loads(files("gacheck.schema").joinpath("audit.schema.json").read_text("utf-8"))
