"""Results and audits: what a gate found, and the document gacheck writes.

These models are the audit's JSON schema (``gacheck schema``); change them with care and bump
``SCHEMA_VERSION`` when a field changes meaning.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gacheck.core.units import Unit, format_value

SCHEMA_VERSION = 1


class Frozen(BaseModel):
    # built on first use, not at import: the audit models are first needed by the gates,
    # after the first one started (the config needs only Threshold)
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Status(StrEnum):
    """A gate's outcome."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not measure; the message says why
    NO_DATA = "no_data"  # measured, and nothing was there
    SKIPPED = "skipped"  # left out by --only / --skip
    WAIVED = "waived"  # an active waiver covers it


class Verdict(StrEnum):
    """The release decision. ``incomplete`` means gacheck could not tell: never a pass."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


class Threshold(Frozen):
    """Levels a gate's value is judged against, in the gate's unit.

    ``max``: the highest passing value (inclusive). ``min``: the lowest passing value (inclusive).
    ``warn``: a level on the passing side beyond which the gate warns.
    """

    max: float | None = None
    min: float | None = None
    warn: float | None = None
    unit: Unit = Unit.NUMBER

    def describe(self) -> str:
        """``≤ 10ms (warn 8ms)``, in the gate's unit."""
        parts = []
        if self.max is not None:
            parts.append(f"≤ {format_value(self.max, self.unit)}")
        if self.min is not None:
            parts.append(f"≥ {format_value(self.min, self.unit)}")
        if self.warn is not None:
            parts.append(f"(warn {format_value(self.warn, self.unit)})")
        return " ".join(parts)


class ChunkRecord(Frozen):
    """One piece of a range query: its instants, and whether they came from the cache."""

    start: datetime
    end: datetime
    source: str = Field(description="prometheus, cache, or cache+prometheus (the new minutes)")


class QueryRecord(Frozen):
    """One PromQL query, with everything needed to run it again."""

    promql: str
    kind: str = Field(description="instant or range")
    time: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None
    step_s: float | None = None
    series: int | None = None
    samples: int | None = None
    warnings: list[str] = Field(default_factory=list)
    chunks: list[ChunkRecord] = Field(
        default_factory=list, description="pieces of a range query, in time order")
    selected: dict[str, str] | None = Field(
        default=None, description="a fused query shared by a for_each template: this gate's "
        "series are those with these labels, and series/samples count them only")


class CommandRecord(Frozen):
    """One command that was run, with where and how it ended."""

    argv: list[str]
    cwd: str | None = None
    exit_code: int | None = None
    output_tail: list[str] = Field(default_factory=list)


class Finding(Frozen):
    """One thing found wrong, with its location when it has one (for annotations)."""

    message: str
    code: str | None = None
    file: str | None = None
    line: int | None = None
    severity: str = "error"


class Evidence(Frozen):
    """What a gate looked at: enough for a person to check it, and to re-run it."""

    queries: list[QueryRecord] = Field(default_factory=list)
    commands: list[CommandRecord] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    findings_total: int | None = Field(
        default=None, description="all findings, when more were found than are listed"
    )
    details: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class GateResult(Frozen):
    """One gate's outcome, as written to the audit."""

    id: str
    kind: str
    title: str
    blocking: bool
    weight: float
    status: Status
    measured_status: Status | None = Field(
        default=None, description="the status before a waiver applied"
    )
    value: float | None = None
    threshold: Threshold
    unit: Unit
    message: str
    evidence: Evidence = Field(default_factory=Evidence)
    duration_s: float = 0.0


class WaiverRecord(Frozen):
    """A waiver from the config and whether it applied at the evaluation instant."""

    gate: str
    reason: str
    owner: str
    expires: date
    active: bool


class SelectionRecord(Frozen):
    """Which gates ``--only``/``--skip`` chose, and which they left out."""

    only: list[str] = Field(default_factory=list)
    skip: list[str] = Field(default_factory=list)
    left_out: list[str] = Field(default_factory=list, description="gates not evaluated")
    left_out_blocking: list[str] = Field(default_factory=list)
    partial_requested: bool = Field(
        default=False, description="--partial: the verdict covers the selection only"
    )


class RepositoryRecord(Frozen):
    """The commit the gates that read the repository measured (not the tree as of ``--at``)."""

    commit: str | None = Field(
        default=None,
        description="HEAD, or the last commit before it that changed anything outside the "
        "audit directory (audit commits change nothing the gates read); null outside git",
    )
    dirty: bool | None = Field(
        default=None, description="tracked files differ from the commit (git status)"
    )
    gates: list[str] = Field(default_factory=list, description="gates that read the repository")
    note: str | None = None


class NotificationRecord(Frozen):
    """One ``[[notify]]`` target after the evaluation: sent, skipped or failed, and why."""

    type: str
    url_env: str
    on: str
    outcome: str = Field(description="sent, skipped (its `on` did not apply) or failed")
    status_code: int | None = None
    reason: str | None = None
    duration_s: float = 0.0


class Audit(Frozen):
    """The audit document: one evaluation, reproducible from what it records."""

    schema_version: int = SCHEMA_VERSION
    tool_version: str
    evaluated_at: datetime
    generated_at: datetime
    config_path: str
    config_sha256: str
    command: list[str]
    verdict: Verdict
    score: float
    min_score: float | None = None
    report_only: bool = False
    partial: bool = Field(
        default=False, description="gates were left out (--only/--skip): not a full audit"
    )
    selection: SelectionRecord | None = None
    repository: RepositoryRecord | None = None
    gates: list[GateResult]
    waivers: list[WaiverRecord] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    attempts: list[dict[str, Any]] = Field(default_factory=list)
    notifications: list[NotificationRecord] = Field(
        default_factory=list, description="messages sent after the evaluation ([[notify]]); "
        "they never change the verdict")
