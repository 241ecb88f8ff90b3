"""``config/gates.toml`` to validated, frozen models, with errors that name the key path.

The file is read with ``tomllib``. Common gate keys are validated here; every other key of a
gate belongs to its kind, whose own pydantic model (``extra="forbid"``) validates it, so a typo
in a kind's parameter is an error that names it, never a silently ignored key.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from gacheck.config_toml import key_path, printable, read_toml
from gacheck.errors import ConfigError
from gacheck.models import Threshold
from gacheck.templates import (
    ForEach,
    Member,
    check_template,
    expand,
    substitute,
    template_of,
)
from gacheck.units import Unit, parse_duration, parse_positive_duration, parse_quantity, parse_size

Duration = Annotated[float, BeforeValidator(parse_duration)]
"""Seconds, written as ``"10ms"``, ``"48h"`` or a number of seconds; 0 to 3650d."""
PositiveDuration = Annotated[float, BeforeValidator(parse_positive_duration)]
"""A ``Duration`` where zero means nothing: a window, a step, a time limit."""

MAX_WEIGHT = 1e6
ByteSize = Annotated[int, BeforeValidator(parse_size)]
"""Bytes, written as ``"256MiB"``, ``"4MB"`` or a number of bytes."""

DEFAULT_CONFIG_PATH = Path("config/gates.toml")


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Settings(Strict):
    """``[settings]``: defaults for every gate and where audits go."""

    window: PositiveDuration = Field(default=48 * 3600.0, description="default look-back window")
    step: PositiveDuration = Field(default=60.0, description="default evaluation step")
    timeout: PositiveDuration = Field(default=60.0, description="default time limit of a gate")
    max_concurrency: int = Field(
        default=32, ge=1, le=256, description="gates running at once, at most (each on a thread "
        "of a pool; a gate's time limit starts when it starts running)")
    output_dir: str = "docs/audits/ga"
    path_template: str = "{date}/ga-readiness.{ext}"
    latest_template: str | None = "latest.{ext}"
    min_score: float | None = Field(default=None, ge=0, le=100)
    score: Literal["weighted", "kayenta"] = Field(
        default="weighted", description="how the 0-100 score is computed (README: Score)")
    repo: str = "."
    history: int = Field(default=14, ge=1, description="earlier audits read for trends")


DEFAULT_RULE_SIGNAL = (
    "prometheus_rule_group_last_evaluation_timestamp_seconds"
    " > time() - 2 * prometheus_rule_group_interval_seconds - 60")
"""A rule group evaluated within two of its intervals and a minute (Prometheus' own metrics)."""


class PrometheusSettings(Strict):
    """``[prometheus]``: how to reach it. Secrets are named by env variable, never written."""

    url: str = "http://127.0.0.1:9090"
    timeout: PositiveDuration = 30.0
    retries: int = Field(default=2, ge=0, le=10)
    bearer_token_env: str | None = None
    basic_auth_user_env: str | None = None
    basic_auth_password_env: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    verify_tls: bool = True
    ca_bundle: str | None = None
    max_points: int = Field(default=11000, ge=2, le=11000)
    max_body: ByteSize = Field(
        default=256 * 1024**2, description="largest answer read, after decompression"
    )
    max_series: int = Field(
        default=10_000, ge=1, le=1_000_000, description="series in one answer, at most: more "
        "is an error (aggregate the query)")
    max_concurrency: int = Field(
        default=4, ge=1, le=64, description="range-query requests in flight at once, "
        "for the whole evaluation")
    chunk: Duration = Field(default=6 * 3600.0, gt=0, description="range queries are fetched "
                            "in pieces of this long (whole steps, at most max_points)")
    cache: bool = Field(default=True, description="keep closed chunks on disk (CLI only)")
    cache_dir: str | None = Field(default=None, description="default: the user's cache dir")
    cache_keep: Duration = Field(
        default=7 * 86400.0, gt=0, description="cache entries unused this long are deleted")
    cache_margin: Duration = Field(
        default=360.0, ge=0, description="only instants this long before --at are cached: the "
        "5m lookback delta plus scrape and rule intervals")
    partial_response: bool = Field(
        default=False, description="sent as partial_response= to Thanos; false: a missing store "
        "is an error, not a warning")
    tenant: str | None = Field(default=None, min_length=1,
                               description="sent as the X-Scope-OrgID header (Mimir, Cortex)")
    rules_url: str | None = Field(
        default=None, description="where /api/v1/rules is when the query API has none (vmalert)")
    # Monitoring blind time (gacheck.sli.blind): what shows Prometheus was scraping, and, where
    # Prometheus monitors itself, evaluating rules. "" leaves a signal out.
    scrape_signal: str = Field(default="up", description="selector scraped all along")
    rule_signal: str = Field(default=DEFAULT_RULE_SIGNAL,
                             description="PromQL with a sample while rules are evaluated")
    allowed_warnings: list[str] = Field(
        default_factory=list, description="regexes of harmless answer warnings")

    @field_validator("allowed_warnings")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {pattern!r}: {exc}") from None
        return value


class RawThreshold(Strict):
    max: str | int | float | None = None
    min: str | int | float | None = None
    warn: str | int | float | None = None


class RawGate(BaseModel):
    """The keys every gate has; the rest are the kind's parameters."""

    model_config = ConfigDict(frozen=True, extra="allow", allow_inf_nan=False)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: str
    title: str
    blocking: bool = True
    weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    timeout: PositiveDuration | None = None
    unit: Unit | None = None
    threshold: RawThreshold | None = None
    for_each: ForEach | None = None


class Waiver(Strict):
    """``[[waivers]]``: a gate that does not block until ``expires`` (inclusive, UTC date)."""

    gate: str
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    expires: date


class RawConfig(Strict):
    settings: Settings = Field(default_factory=Settings)
    prometheus: PrometheusSettings = Field(default_factory=PrometheusSettings)
    gates: list[RawGate] = Field(min_length=1)
    waivers: list[Waiver] = Field(default_factory=list)


class GateSpec(Strict):
    """One gate, validated: common keys, the parsed threshold, and the kind's own params."""

    id: str
    kind: str
    title: str
    blocking: bool
    weight: float
    timeout: float
    unit: Unit
    threshold: Threshold
    params: Any
    member: Member | None = None
    """Set on a gate expanded from a ``for_each`` template."""
    for_each: ForEach | None = None
    """Set on a template still to expand at the evaluation instant (``query`` values)."""
    template_params: dict[str, Any] | None = None
    expansion_problem: tuple[str, str] | None = None
    """(``no_data`` or ``error``, why) when a ``for_each`` query gave no gate to evaluate."""


class Config(Strict):
    path: str
    sha256: str
    settings: Settings
    prometheus: PrometheusSettings
    gates: list[GateSpec]
    waivers: list[Waiver]

    def gate(self, gate_id: str) -> GateSpec:
        return next(g for g in self.gates if g.id == gate_id)


def _shown_input(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _describe(error: dict[str, Any]) -> str:
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


def load_config(path: str | Path) -> Config:
    """Read and validate a config file; raise ``ConfigError`` with one line per problem."""
    try:
        return _load_config(path)
    except ConfigError as exc:  # whatever a message quotes from the file, each stays one line
        raise ConfigError("\n".join(printable(line) for line in str(exc).split("\n"))) from None


def _load_config(path: str | Path) -> Config:
    from gacheck.gates import KINDS

    shown = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{shown}: is a directory, expected a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from None
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
        kind = KINDS.get(gate.kind)
        if kind is None:
            known = ", ".join(sorted(KINDS))
            raise ConfigError(
                f'{where}.kind: unknown gate kind "{printable(gate.kind[:60])}" (known: {known})'
            )
        raw_params = dict(gate.model_extra or {})
        if gate.for_each is not None:
            check_template(where, gate.for_each, raw_params)

        def validated(params: dict[str, Any], value: str = "", index: int = index,
                      kind: Any = kind) -> Any:
            try:
                return kind.params.model_validate(params)
            except ValidationError as exc:
                at = ("gates", index) + ((f"for_each={value}",) if value else ())
                raise ConfigError(format_validation_error(shown, exc, at)) from None

        params = validated(substitute(raw_params, "x") if gate.for_each else raw_params)
        unit = kind.unit or gate.unit or Unit.NUMBER
        if kind.unit is not None and gate.unit is not None and gate.unit is not kind.unit:
            raise ConfigError(f"{where}.unit: kind {gate.kind} measures {kind.unit.value}")
        derive = getattr(kind, "threshold_for", None)
        derived = derive(params) if derive is not None else None
        if derived is not None and gate.threshold is not None:
            raise ConfigError(f"{where}.threshold: a {gate.kind} gate takes its limits from its "
                              f"own keys (docs/gates/{gate.kind}.md), not from threshold")
        if derived is not None:
            threshold = Threshold(**derived, unit=unit)
        else:
            threshold_raw = gate.threshold or RawThreshold(**kind.default_threshold)
            threshold = _parse_threshold(threshold_raw, unit, where)
        spec = (
            GateSpec(
                id=gate.id,
                kind=gate.kind,
                title=gate.title,
                blocking=gate.blocking,
                weight=gate.weight,
                timeout=gate.timeout or raw.settings.timeout,
                unit=unit,
                threshold=threshold,
                params=params,
                for_each=gate.for_each,
                template_params=raw_params if gate.for_each else None,
            )
        )
        if gate.for_each is not None and gate.for_each.values is not None:
            gates += expand(spec, gate.for_each.values, validated)
        else:
            gates.append(spec)
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
    )
