"""What a gate kind hands the engine: a value (or a final status), a message and evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from gacheck.core.models import Evidence, Status


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
