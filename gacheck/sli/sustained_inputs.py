"""What ``evaluate_sustained`` is given: the kinds' shared keys, a bucket resolution, and a
pre-check's findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from gacheck.collectors.prometheus.results import Series
from gacheck.collectors.prometheus.window import RangeWindow
from gacheck.config.model import Duration, PositiveDuration
from gacheck.config.params import Params
from gacheck.core.models import QueryRecord
from gacheck.core.units import parse_ratio
from gacheck.sli.breach import Grid

Ratio = Annotated[float, BeforeValidator(parse_ratio)]


class SustainedParams(Params):
    window: PositiveDuration | None = Field(default=None, description="default: settings.window")
    step: PositiveDuration | None = Field(default=None, description="default: settings.step")
    max_breach: Duration = Field(default=900.0, description="longest tolerated breach")
    max_breach_ratio: Ratio = Field(default=0.01, ge=0, lt=1)
    min_coverage: Ratio = Field(default=0.9, ge=0, le=1)
    min_active: Ratio = Field(
        default=0.5, ge=0, le=1, description="least share of each series' lifespan with a "
        "value (not idle, not a gap)")


@dataclass(frozen=True)
class Resolution:
    """Instants at which the SLI's side of the threshold is unknown, with how that was found."""

    note: str
    """Why, and what to do: "threshold 50ms is inside bucket 0–100ms; set it to an edge ..."."""
    unknown: Callable[[Series], Any]
    """A grid mask per series: True where the side is unknown."""
    beyond: float
    """The value an unknown instant takes when read as a breach (the far bucket edge)."""
    records: list[QueryRecord] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


Resolver = Callable[[RangeWindow, Grid], Resolution]


@dataclass(frozen=True)
class Alongside:
    """What a pre-check found (run beside the main range query, not before it)."""

    records: list[QueryRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    resolver: Resolver | None = None
