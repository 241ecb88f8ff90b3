"""Every promlab scenario by name: the absolute ones (``scenarios``) and the relative ones
(``relative``: a candidate against a baseline, SLO budgets), which build on the former."""

from __future__ import annotations

from gacheck.promlab.relative import RELATIVE_SCENARIOS
from gacheck.promlab.scenarios import SCENARIOS, Scenario


def get(name: str) -> Scenario:
    found = SCENARIOS.get(name) or RELATIVE_SCENARIOS.get(name)
    if found is None:
        known = ", ".join([*SCENARIOS, *RELATIVE_SCENARIOS])
        raise KeyError(f"no promlab scenario {name!r} (known: {known})")
    return found
