"""What a gate kind is: a params model, a unit, a default threshold and ``evaluate``.

A kind turns evidence into a ``Measurement``; the engine judges the value against the
threshold, applies waivers and timing, and never lets a kind's failure crash the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.models import Evidence, Status
from gacheck.core.units import Unit


class Params(BaseModel):
    """Base of every kind's parameters: frozen, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


@dataclass(frozen=True)
class Measurement:
    """What a gate measured.

    ``status`` left ``None`` means "judge ``value`` against the threshold". ``error`` and
    ``no_data`` are final. ``pass``/``warn``/``fail`` are a floor: the result is the worse of it
    and the threshold's judgement (a rising trend can make a within-budget value warn).
    ``judged``: the kind applied its limits itself (``compare``: a change beyond the tolerance
    fails only when significant), so its status is final and the threshold only shown.
    """

    value: float | None
    message: str = ""
    evidence: Evidence = field(default_factory=Evidence)
    status: Status | None = None
    judged: bool = False


class GateKind(Protocol):
    params: ClassVar[type[Params]]
    unit: ClassVar[Unit | None]
    """The unit values are measured in; ``None`` lets each gate say (``unit = "count"``)."""
    default_threshold: ClassVar[Mapping[str, Any]]
    """Used when a gate gives no ``threshold``, e.g. ``{"max": 0}``."""
    # Optional ``reads_repository: ClassVar[bool]``: True for kinds that read the checkout
    # (files, git, commands run in it); the audit then records the commit they measured.
    # Optional ``non_negative: ClassVar[bool]``: True when a negative value is impossible (a
    # duration, a ratio of events); the engine then makes such a value ``error``.

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement: ...


# A kind may also define ``threshold_for(params) -> dict[str, float]``: the threshold derived
# from its own keys (``compare``'s max_increase, ``error_budget``'s min_remaining), in place
# of a ``threshold`` key, which such a gate then refuses.
