"""What a gate kind is: a params model, a unit, a default threshold and ``evaluate``.

A kind turns evidence into a ``Measurement``; the engine judges the value against the
threshold, applies waivers and timing, and never lets a kind's failure crash the run. Every
kind subclasses ``GateKind``, which gives the optional members their defaults.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from gacheck.config.model import GateSpec
from gacheck.config.params import KindSchema, Params
from gacheck.context import Context
from gacheck.core.measurement import Measurement

__all__ = ["GateKind", "Measurement", "Params"]


class GateKind(KindSchema, Protocol):
    reads_repository: ClassVar[bool] = False
    """True for kinds that read the checkout (files, git, commands run in it); the audit then
    records the commit they measured."""
    non_negative: ClassVar[bool] = False
    """True when a negative value is impossible (a duration, a ratio of events); the engine
    then makes such a value ``error``."""

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement: ...

    def queries_to_check(self, gate: GateSpec) -> list[str] | None:
        """The PromQL ``gacheck validate --check-queries`` sends for this gate; ``None`` (the
        default) for kinds that ask Prometheus nothing or check it their own way."""
        return None
