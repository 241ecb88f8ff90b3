"""Reading ``config/gates.toml``: TOML to validated, frozen models, errors naming the key path.

Each gate's own keys are validated by its kind's params model; the kinds are handed in
(``parse_config(path, kinds)``), so this layer never imports the gate kinds.
``gacheck.run.config_binding.load_config`` binds the registry of gate kinds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from gacheck.config.for_each import check_template, expand, substitute, template_of
from gacheck.config.model import Config, GateSpec, RawConfig, RawGate, RawThreshold
from gacheck.config.params import KindSchema
from gacheck.config.toml_file import key_path, printable, read_toml
from gacheck.core.errors import ConfigError
from gacheck.core.models import Threshold
from gacheck.core.units import Unit, parse_quantity


def _shown_input(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _describe(error: ErrorDetails) -> str:
    message = " ".join(str(error["msg"]).removeprefix("Value error, ").split())
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "required key is missing"
    if error["type"] not in ("value_error", "assertion_error"):
        message += f", got {_shown_input(error.get('input'))}"
    return message


def format_validation_error(path: str, exc: ValidationError, prefix: tuple[Any, ...] = ()) -> str:
    lines = [
        f"{path}: {key_path(prefix + tuple(err['loc']))}: {_describe(err)}"
        for err in exc.errors(include_url=False)
    ]
    return "\n".join(lines)


def _parse_threshold(raw: RawThreshold, unit: Unit, where: str) -> Threshold:
    levels: dict[str, float | None] = {}
    for name in ("max", "min", "warn"):
        text = getattr(raw, name)
        try:
            levels[name] = None if text is None else parse_quantity(text, unit)
        except ValueError as exc:
            raise ConfigError(f"{where}.threshold.{name}: {exc}") from None
    high, low, warn = levels["max"], levels["min"], levels["warn"]
    if (high is None) == (low is None):
        raise ConfigError(f"{where}.threshold: give exactly one of max or min")
    if warn is not None and high is not None and warn > high:
        raise ConfigError(f"{where}.threshold.warn: must not be above max for a max threshold")
    if warn is not None and low is not None and warn < low:
        raise ConfigError(f"{where}.threshold.warn: must not be below min for a min threshold")
    return Threshold(max=high, min=low, warn=warn, unit=unit)


def parse_config(path: str | Path, kinds: Mapping[str, KindSchema]) -> Config:
    """Read and validate a config file; raise ``ConfigError`` with one line per problem."""
    try:
        return _parse_config(path, kinds)
    except ConfigError as exc:  # whatever a message quotes from the file, each stays one line
        raise ConfigError("\n".join(printable(line) for line in str(exc).split("\n"))) from None


def _read(path: str | Path) -> bytes:
    shown = str(path)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{shown}: is a directory, expected a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from None


def _parse_config(path: str | Path, kinds: Mapping[str, KindSchema]) -> Config:
    shown = str(path)
    data = _read(path)
    document = read_toml(data, shown)
    try:
        raw = RawConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(shown, exc)) from None

    gates: list[GateSpec] = []
    seen: dict[str, int] = {}
    for index, gate in enumerate(raw.gates):
        where = f"{shown}: gates[{index}]"
        if gate.id in seen:
            raise ConfigError(
                f"{where}.id: duplicate id {gate.id!r} (first used by gates[{seen[gate.id]}])"
            )
        seen[gate.id] = index
        gates += _bind_gate(gate, index, shown, raw, kinds)
    for index, waiver in enumerate(raw.waivers):
        if template_of(waiver.gate) not in seen:  # a template's id waives all its gates
            raise ConfigError(f"{shown}: waivers[{index}].gate: no gate has id {waiver.gate!r}")
    return Config(
        path=shown,
        sha256=hashlib.sha256(data).hexdigest(),
        settings=raw.settings,
        prometheus=raw.prometheus,
        gates=gates,
        waivers=raw.waivers,
        notify=raw.notify,
    )


def _bind_gate(gate: RawGate, index: int, shown: str, raw: RawConfig,
               kinds: Mapping[str, KindSchema]) -> list[GateSpec]:
    """One ``[[gates]]`` table bound to its kind: the gate, or a ``for_each`` list's gates."""
    where = f"{shown}: gates[{index}]"
    kind = kinds.get(gate.kind)
    if kind is None:
        known = ", ".join(sorted(kinds))
        raise ConfigError(
            f'{where}.kind: unknown gate kind "{printable(gate.kind[:60])}" (known: {known})'
        )
    raw_params = dict(gate.model_extra or {})
    if gate.for_each is not None:
        check_template(where, gate.for_each, raw_params)

    def validated(params: dict[str, Any], value: str = "") -> Any:
        try:
            return kind.params.model_validate(params)
        except ValidationError as exc:
            at = ("gates", index) + ((f"for_each={value}",) if value else ())
            raise ConfigError(format_validation_error(shown, exc, at)) from None

    params = validated(substitute(raw_params, "x") if gate.for_each else raw_params)
    unit = kind.unit or gate.unit or Unit.NUMBER
    if kind.unit is not None and gate.unit is not None and gate.unit is not kind.unit:
        raise ConfigError(f"{where}.unit: kind {gate.kind} measures {kind.unit.value}")
    spec = GateSpec(
        id=gate.id,
        kind=gate.kind,
        title=gate.title,
        blocking=gate.blocking,
        weight=gate.weight,
        timeout=gate.timeout or raw.settings.timeout,
        unit=unit,
        threshold=_threshold(gate, kind, params, unit, where),
        params=params,
        for_each=gate.for_each,
        template_params=raw_params if gate.for_each else None,
    )
    if gate.for_each is not None and gate.for_each.values is not None:
        return expand(spec, gate.for_each.values, validated)
    return [spec]


def _threshold(gate: RawGate, kind: KindSchema, params: Any, unit: Unit, where: str) -> Threshold:
    """The gate's ``threshold``, the kind's default, or the limits the kind derives from its
    own keys (``compare``, ``error_budget``), which then may not be given as well."""
    derived = kind.threshold_for(params)
    if derived is not None and gate.threshold is not None:
        raise ConfigError(f"{where}.threshold: a {gate.kind} gate takes its limits from its "
                          f"own keys (docs/gates/{gate.kind}.md), not from threshold")
    if derived is not None:
        return Threshold(**derived, unit=unit)
    threshold_raw = gate.threshold or RawThreshold(**kind.default_threshold)
    return _parse_threshold(threshold_raw, unit, where)
