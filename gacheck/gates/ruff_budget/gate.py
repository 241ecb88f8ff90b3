"""``ruff_budget``: ruff diagnostics on the hot paths within a budget, and trending down.

The value is the number of diagnostics in ruff's JSON output. ``max`` (default 120, the first
user's CI budget) fails above it; a value within budget whose least-squares slope over the
earlier audits and this one is positive warns (``on_rise = "fail"`` makes it fail), because
"trending down" is part of the checklist item (``value_trend``).

Honesty: a count can fall because diagnostics were hidden rather than fixed. The gate records
the effective ruff configuration (hash), the ``noqa`` comments, the ``per-file-ignores``
entries and the files left out by ``exclude`` on the budgeted paths (``ruff_config``); when
those grew since the previous audit while the count fell, it warns and says so. ``isolated =
true`` runs ruff with ``--isolated`` and the configuration pinned in the gate instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import Field, field_validator

from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core import deadline
from gacheck.core.deadline import Deadline, monotonic
from gacheck.core.models import Evidence, Finding, Status
from gacheck.core.units import Unit
from gacheck.core.verdict import worse
from gacheck.gates.interface import GateKind, Measurement, Params
from gacheck.gates.ruff_budget.honesty import (
    config_args,
    previous_suppressions,
    suppression_notes,
)
from gacheck.history.value_trend import trend_of

T = TypeVar("T")
HOT_PATHS = [
    "lukhas/adapters/openai",
    "lukhas/core/reliability",
    "lukhas/observability",
    "MATRIZ/core",
    "MATRIZ/interfaces/api_server.py",
]


class RuffBudgetParams(Params):
    paths: list[str] = Field(default_factory=lambda: list(HOT_PATHS), min_length=1,
                             description="files or folders, relative to the repository root")
    select: list[str] = Field(default_factory=list, description="rules; default: ruff's config")
    ignore: list[str] = Field(default_factory=list)
    executable: str | None = Field(default=None, description="ruff to run instead of ours")
    history: int | None = Field(default=None, ge=1, description="default: settings.history")
    on_rise: Literal["warn", "fail"] = "warn"
    findings: int = Field(default=50, ge=0, le=1000, description="findings listed in evidence")
    isolated: bool = Field(default=False, description="ignore the repository's ruff config "
                           "(ruff --isolated): select, ignore and options decide")
    options: dict[str, Any] = Field(default_factory=dict, description='ruff settings, each '
                                    'passed as --config "KEY = VALUE"')
    ignore_noqa: bool = Field(default=False, description="count diagnostics behind noqa too")

    @field_validator("options")
    @classmethod
    def _option_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        bad = [key for key in value if not _OPTION_KEY.match(key)]
        if bad:
            raise ValueError(f"not a ruff setting name: {', '.join(bad)}")
        return value


_OPTION_KEY = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$")


# ``trend`` is a value_trend.Trend, ``hidden`` a ruff_config.Suppressions and ``run`` a
# ruff.RuffRun: the collectors are imported when the gate runs, not when the config is read.
def _rise_floor(trend: Any, within: bool, on_rise: str, notes: list[str]) -> Status | None:
    """A count within budget that rises is not done: "trending down" is part of the checklist
    item, so a positive slope floors the status (``warn``, or ``fail`` with ``on_rise``)."""
    if not (trend.rising and within):
        return None
    notes.append(
        f"rising: the fitted slope over {len(trend.points)} audits is "
        f"{trend.slope_per_day:+.2f}/day (last step {trend.delta:+g} from "
        f"{trend.previous:g}); the budget must trend down"
    )
    return Status.WARN if on_rise == "warn" else Status.FAIL


def _count_message(value: int, by_rule: dict[str, int], hidden: Any, hid_more: bool) -> str:
    """The count with its top rules, and what ruff was told to overlook, so a fall that came
    from hiding diagnostics shows in the message itself."""
    ranked = sorted(by_rule.items(), key=lambda item: -item[1])
    top = ", ".join(f"{code} {n}" for code, n in ranked[:3])
    message = f"ruff found {value} diagnostics" + (f" (top: {top})" if top else "")
    message += (f"; overlooked: {hidden.noqa_comments} noqa, "
                f"{len(hidden.per_file_ignores)} per-file-ignores, "
                f"{len(hidden.excluded_files)} excluded files")
    if hid_more:
        message += " (grew while the count fell)"
    return message


def _evidence_details(
    run: Any, params: RuffBudgetParams, by_rule: dict[str, int], hidden: Any, trend: Any
) -> dict[str, Any]:
    """What the count is made of (rules, paths, fixes), what was overlooked, and the trend."""
    return {
        "ruff_version": run.version,
        "paths": params.paths,
        "isolated": params.isolated,
        "by_rule": by_rule,
        "by_path": run.by_path(params.paths),
        "fixable": run.fixable("safe"),
        "unsafe_fixable": run.fixable("unsafe"),
        "suppressions": hidden.details(),
        "trend": trend.details(),
    }


def _for_gate(work: Callable[..., T], limit: Deadline | None) -> Callable[..., T]:
    """``work`` run with the gate's deadline bound to the worker thread (``core.deadline``)."""

    def bound(*args: Any) -> T:
        with deadline.bound(limit):
            return work(*args)

    return bound


class RuffBudgetGate(GateKind):
    params: ClassVar[type[Params]] = RuffBudgetParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 120}
    reads_repository: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        from gacheck.collectors import ruff
        from gacheck.collectors.ruff_config import read_suppressions
        from gacheck.history.store import history_before

        params: RuffBudgetParams = gate.params
        deadline = monotonic() + max(gate.timeout - 1.0, 1.0)
        pinned = config_args(params)
        narrowing = [f"--{flag}={','.join(rules)}" for flag, rules in
                     (("select", params.select), ("ignore", params.ignore)) if rules]
        with ThreadPoolExecutor(max_workers=1) as pool:  # beside the count: it costs no wait
            # the worker works for this gate: its commands stop at the gate's time limit
            reading = pool.submit(
                _for_gate(read_suppressions, ctx.deadline), ctx.repo, params.paths,
                ruff.ruff_argv(params.executable), [*narrowing, *pinned],
                max(deadline - monotonic(), 1.0),
            )
            run = ruff.check(
                ctx.repo, params.paths, select=params.select, ignore=params.ignore,
                executable=params.executable, timeout=deadline - monotonic(),
                config_args=pinned,
            )
            hidden = reading.result()
        value = len(run.diagnostics)
        history = history_before(ctx)
        last = params.history or ctx.config.settings.history
        trend = trend_of(history.values(gate.id, last=last), float(value), ctx.at)

        notes = [f"history: {item}" for item in history.skipped]
        within = gate.threshold.max is None or value <= gate.threshold.max
        floor = _rise_floor(trend, within, params.on_rise, notes)
        earlier = previous_suppressions(history.audits, gate.id)
        hid_more = suppression_notes(hidden.details(), value, earlier, notes)
        if hid_more:
            floor = worse(floor, Status.WARN) if floor else Status.WARN
        findings = [
            Finding(message=d.message, code=d.code, file=d.file, line=d.line)
            for d in run.diagnostics[: params.findings]
        ]
        by_rule = run.by_rule()
        message = _count_message(value, by_rule, hidden, hid_more)
        return Measurement(
            value=float(value),
            message=f"{message}; {trend.describe()}",
            status=floor,
            evidence=Evidence(
                commands=[run.command, *hidden.commands],
                findings=findings,
                findings_total=value,
                notes=notes,
                details=_evidence_details(run, params, by_rule, hidden, trend),
            ),
        )
