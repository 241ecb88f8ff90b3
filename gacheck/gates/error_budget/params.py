"""``error_budget``'s keys: the SLO's counters (or error-ratio query), period and burn pairs."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator, model_validator

from gacheck.collectors.prometheus.promql import duration
from gacheck.config.model import Duration
from gacheck.config.params import Params
from gacheck.core.units import parse_ratio

Ratio = Annotated[float, BeforeValidator(parse_ratio)]
WINDOW = "$window"
EVENTS_NOTE = ("events counted with increase() over the whole {period} period: counter resets "
               "(restarts) are undone and a counter read after a scrape gap still holds the "
               "events of the gap, so neither loses events")


class BurnPair(Params):
    long: Duration = Field(gt=0)
    short: Duration = Field(gt=0)
    factor: float = Field(gt=0, description="burn rate both windows must exceed")

    @model_validator(mode="after")
    def _order(self) -> BurnPair:
        if self.short >= self.long:
            raise ValueError("short must be shorter than long")
        return self

    def name(self) -> str:
        return f"{duration(self.long)}/{duration(self.short)} ≥ {self.factor:g}x"


class ErrorBudgetParams(Params):
    total: str | None = Field(default=None, description="counter of all events")
    good: str | None = Field(default=None, description="counter of good events")
    bad: str | None = Field(default=None, description="counter of bad events")
    ratio: str | None = Field(default=None, description="error ratio, written with $window")
    objective: Ratio = Field(gt=0, lt=1, description='e.g. "99.9%"')
    period: Duration = Field(default=28 * 86400.0, gt=0)
    min_remaining: Ratio = Field(default=0.0, le=1, description="less remaining fails")
    fast_burn: list[BurnPair] = Field(default_factory=lambda: [
        BurnPair(long=3600.0, short=300.0, factor=14.4)], description="fired: fail")
    slow_burn: list[BurnPair] = Field(default_factory=lambda: [
        BurnPair(long=21600.0, short=1800.0, factor=6.0)], description="fired: warn")
    window: Duration | None = Field(default=None, gt=0, description="burn look-back")
    step: Duration | None = Field(default=None, gt=0)
    min_coverage: float = Field(default=0.9, gt=0, le=1, description="of the burn window")

    @field_validator("ratio")
    @classmethod
    def _templated(cls, value: str | None) -> str | None:
        if value is not None and WINDOW not in value:
            raise ValueError(f"the ratio query must contain {WINDOW} (its range), e.g. "
                             "sum(rate(errors[$window])) / sum(rate(requests[$window]))")
        return value

    @model_validator(mode="after")
    def _source(self) -> ErrorBudgetParams:
        counters = self.total is not None
        if counters == (self.ratio is not None):
            raise ValueError("give total with good or bad (counters), or ratio, not both")
        if counters and (self.good is None) == (self.bad is None):
            raise ValueError("with total, give exactly one of good or bad")
        return self

    @property
    def budget(self) -> float:
        return 1.0 - self.objective

    def error_ratio(self, window_s: float) -> str:
        w = duration(window_s)
        if self.ratio is not None:
            return self.ratio.replace(WINDOW, w)
        total = f"sum(increase({self.total}[{w}]))"
        if self.good is not None:
            return f"1 - sum(increase({self.good}[{w}])) / {total}"
        return f"(sum(increase({self.bad}[{w}])) or 0 * {total}) / {total}"
