"""Gate kinds. Adding one: a module with a class following ``GateKind``, and one line below.

Modules here must import heavy libraries (pandas, prometheus-api-client) inside functions:
the config loader imports this registry, and ``gacheck validate`` must start fast.
"""

from __future__ import annotations

from gacheck.gates.command import CommandGate
from gacheck.gates.git_batches import GitBatchesGate
from gacheck.gates.interface import GateKind
from gacheck.gates.json_value import JsonValueGate
from gacheck.gates.ruff_budget import RuffBudgetGate

KINDS: dict[str, GateKind] = {
    "command": CommandGate(),
    "git_batches": GitBatchesGate(),
    "json_value": JsonValueGate(),
    "ruff_budget": RuffBudgetGate(),
}
