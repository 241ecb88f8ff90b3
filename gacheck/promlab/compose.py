"""A scenario's whole history: its plan, plus its parts (other stretches, other versions).

Families of the same name are joined; a series with the same name and labels in two parts
(``up`` of the façade in this week's soak and in last week's) becomes one series with both
stretches, in time order. Parts must not overlap in time on the same series.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from gacheck.promlab.generate import generate
from gacheck.promlab.scenarios import Scenario
from gacheck.promlab.series import Family, Series


def compose(scenario: Scenario, end: datetime) -> list[Family]:
    histories = [generate(scenario.plan, end)]
    histories += [generate(part.plan, end - part.ends_before) for part in scenario.parts]
    if len(histories) == 1:
        return histories[0]
    joined: dict[str, Family] = {}
    for families in histories:
        for family in families:
            known = joined.get(family.name)
            joined[family.name] = family if known is None else Family(
                family.name, family.kind, family.help_text,
                _join(known.series + family.series))
    return list(joined.values())


def _join(series: tuple[Series, ...]) -> tuple[Series, ...]:
    by_key: dict[tuple[str, tuple[tuple[str, str], ...]], list[Series]] = {}
    for one in series:
        by_key.setdefault((one.name, tuple(sorted(one.labels.items()))), []).append(one)
    joined = []
    for same in by_key.values():
        if len(same) == 1:
            joined.append(same[0])
            continue
        times = np.concatenate([s.timestamps for s in same])
        values = np.concatenate([s.values for s in same])
        order = np.argsort(times, kind="stable")
        if np.any(np.diff(times[order]) <= 0):
            raise ValueError(f"parts overlap in time on {same[0].name}{same[0].labels}")
        joined.append(Series(same[0].name, same[0].labels, times[order], values[order]))
    return tuple(joined)
