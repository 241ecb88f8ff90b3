"""``config/gates.toml`` to validated, frozen models, with errors that name the key path.

The file is read with ``tomllib``. Common gate keys are validated here; every other key of a
gate belongs to its kind, whose own pydantic model (``extra="forbid"``) validates it, so a typo
in a kind's parameter is an error that names it, never a silently ignored key.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from gacheck.config.for_each import (
    ForEach,
    Member,
)
from gacheck.core.models import Threshold
from gacheck.core.units import (
    Unit,
    parse_duration,
    parse_positive_duration,
    parse_size,
)

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
    max_requests_per_gate: int = Field(
        default=2_000, ge=1, description="requests one gate may send (retries not counted): "
        "more is an error of that gate")
    max_requests: int = Field(
        default=20_000, ge=1, description="requests the whole evaluation may send (retries not "
        "counted): more is an error of the gate that asks")
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


class Notify(Strict):
    """``[[notify]]``: a message after each evaluation (docs/pipelines.md: Notifications)."""

    type: Literal["slack", "teams", "webhook"]
    url_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                         description="env variable holding the webhook URL (a secret)")
    on: Literal["change", "fail", "always"] = Field(
        default="fail", description="change: the verdict differs from the previous full audit; "
        "fail: the verdict is fail or incomplete; always")
    link_base: str | None = Field(
        default=None, description="URL the audit's path (relative to the repository) is "
        "appended to, e.g. https://github.com/org/repo/blob/main")
    timeout: PositiveDuration = Field(default=5.0, le=30.0,
                                      description="longest one message may take")


class RawConfig(Strict):
    settings: Settings = Field(default_factory=Settings)
    prometheus: PrometheusSettings = Field(default_factory=PrometheusSettings)
    gates: list[RawGate] = Field(min_length=1)
    waivers: list[Waiver] = Field(default_factory=list)
    notify: list[Notify] = Field(default_factory=list)


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
    notify: list[Notify] = Field(default_factory=list)

    def gate(self, gate_id: str) -> GateSpec:
        return next(g for g in self.gates if g.id == gate_id)
