"""SLO definitions from other tools turned into gacheck gates, with a report of what was left.

``keptn`` reads Keptn v1 quality-gate files (``slo.yaml`` and the SLI file of its Prometheus
service), ``openslo`` reads OpenSLO v1 documents. Both give an ``Imported``: gates (written as
``gates.toml`` text by ``render_config``), config settings, and one ``Skipped`` line per thing
that could not be mapped, with the reason. Nothing is mapped loosely in silence: every
approximation is a note in the report and a comment in the written config.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gacheck.core.errors import UsageError

MAX_FILE_BYTES = 1024 * 1024  # an SLO file is a few kilobytes; anything bigger is not one


@dataclass(frozen=True)
class ImportedGate:
    id: str
    kind: str
    title: str
    params: dict[str, Any]
    threshold: dict[str, Any]
    blocking: bool = True
    weight: float = 1.0
    unit: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    what: str
    why: str


@dataclass
class Imported:
    source: str
    gates: list[ImportedGate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    min_score: float | None = None

    def report_lines(self) -> list[str]:
        lines = [f"imported {len(self.gates)} gate{'' if len(self.gates) == 1 else 's'} "
                 f"from {self.source}"]
        lines += [f"  note: {n}" for n in self.notes]
        for gate in self.gates:
            lines += [f"  note: {gate.id}: {n}" for n in gate.notes]
        lines += [f"  not imported: {s.what}: {s.why}" for s in self.skipped]
        return lines


def read_yaml_documents(path: Path) -> list[Any]:
    """Every YAML document of a file, bounded in size; errors name the file."""
    import yaml

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path}: larger than {MAX_FILE_BYTES // 1024} KiB; not an SLO file")
    try:
        return [d for d in yaml.safe_load_all(data.decode("utf-8")) if d is not None]
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: YAML syntax error: {exc}") from None


def gate_id(name: str, taken: set[str]) -> str:
    """A gate id (``[a-z0-9_]+``) from any name, unique among ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "slo"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _toml_string(text: str) -> str:
    if "'" not in text and "\n" not in text and not re.search(r"[\x00-\x1f\x7f]", text):
        return f"'{text}'"  # a literal string: PromQL's quotes and backslashes stay as they are
    return json.dumps(text, ensure_ascii=False)  # JSON's escapes are valid TOML basic strings


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")


def _comment(text: str) -> str:
    return "# " + " ".join(text.split())


def render_config(imported: Imported, prometheus_url: str = "http://127.0.0.1:9090") -> str:
    """A complete ``gates.toml``: settings, Prometheus, the gates, and the report as comments."""
    lines = [_comment(f"gacheck gates imported from {imported.source} by gacheck import."),
             _comment("Review every threshold before relying on it; what could not be mapped "
                      "is listed here:")]
    lines += [_comment(line.strip()) for line in imported.report_lines()[1:]]
    lines += ["", "[settings]", 'window = "48h"                  # every gate looks back this far '
              "from --at"]
    if imported.min_score is not None:
        lines.append(f"min_score = {imported.min_score:g}")
    lines += ["", "[prometheus]", f"url = {_toml_string(prometheus_url)}"]
    for gate in imported.gates:
        lines += ["", "[[gates]]", f"id = {_toml_value(gate.id)}",
                  f"kind = {_toml_value(gate.kind)}", f"title = {_toml_value(gate.title)}"]
        if not gate.blocking:
            lines.append("blocking = false")
        if gate.weight != 1:
            lines.append(f"weight = {gate.weight:g}")
        if gate.unit:
            lines.append(f"unit = {_toml_value(gate.unit)}")
        lines += [f"{key} = {_toml_value(value)}" for key, value in gate.params.items()]
        if gate.threshold:  # compare gates take their tolerance as parameters
            lines.append(f"threshold = {_toml_value(gate.threshold)}")
    return "\n".join(lines) + "\n"
