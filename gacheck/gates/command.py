"""``command``: run a command; it passes when it exits 0.

The value is the exit code, judged against ``max`` (default 0), so a check that signals
"warnings" with exit 1 can be given ``threshold = { max = 1, warn = 0 }``.
"""

from __future__ import annotations

import shlex
from typing import ClassVar

from pydantic import Field, field_validator

from gacheck.collectors import process
from gacheck.config.model import GateSpec, PositiveDuration
from gacheck.context import Context
from gacheck.core.models import Evidence
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params


class CommandParams(Params):
    command: list[str] | str = Field(description="argv list, or a string split like a shell")
    cwd: str | None = Field(default=None, description="relative to the repository root")
    env: dict[str, str] = Field(default_factory=dict)
    command_timeout: PositiveDuration | None = Field(
        default=None, description="default: gate timeout"
    )
    tail: int = Field(default=20, ge=0, le=500, description="lines of output kept as evidence")

    @field_validator("command")
    @classmethod
    def _not_empty(cls, value: list[str] | str) -> list[str]:
        argv = shlex.split(value) if isinstance(value, str) else value
        if not argv:
            raise ValueError("expected a command, got an empty one")
        return argv


class CommandGate(GateKind):
    params: ClassVar[type[Params]] = CommandParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 0}
    reads_repository: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: CommandParams = gate.params
        cwd = ctx.resolve(params.cwd) if params.cwd else ctx.repo
        timeout = params.command_timeout or max(gate.timeout - 1.0, 1.0)
        done = process.run(params.command, cwd=cwd, env=params.env, timeout=timeout)
        last = done.record(params.tail).output_tail
        message = f"exit code {done.exit_code}"
        if done.exit_code != 0 and last:
            message += f": {last[-1]}"
        return Measurement(
            value=float(done.exit_code),
            message=message,
            evidence=Evidence(commands=[done.record(params.tail)]),
        )
