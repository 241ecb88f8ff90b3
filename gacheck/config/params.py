"""What the config layer needs of a gate kind: its params model, unit and default threshold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from gacheck.core.units import Unit


class Params(BaseModel):
    """Base of every kind's parameters: frozen, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class KindSchema(Protocol):
    """The part of a gate kind that binds a ``[[gates]]`` table (``gacheck.config.load``)."""

    params: ClassVar[type[Params]]
    unit: ClassVar[Unit | None]
    """The unit values are measured in; ``None`` lets each gate say (``unit = "count"``)."""
    default_threshold: ClassVar[Mapping[str, Any]]
    """Used when a gate gives no ``threshold``, e.g. ``{"max": 0}``."""

    def threshold_for(self, params: Any) -> dict[str, float] | None:
        """The threshold derived from the kind's own keys (``compare``'s max_increase,
        ``error_budget``'s min_remaining), in place of a ``threshold`` key, which such a gate
        then refuses; ``None`` (the default) when the kind has none."""
        return None
