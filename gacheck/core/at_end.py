"""Work an evaluation finishes before it returns: what its gates left to be done beside them
(the chunk cache's pending writes). Registered once per evaluation through ``Context.shared``,
run by ``evaluation.evaluate`` after the last gate; a failure is logged, never raised."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_KEY = "evaluation:at_end"


def at_end(ctx: Any, action: Callable[[], object]) -> None:
    """Run ``action`` when the evaluation of ``ctx`` ends."""
    ctx.shared(_KEY, list).append(action)


def finish(ctx: Any) -> None:
    """Run (once) what the evaluation's gates registered with ``at_end``."""
    actions: list[Callable[[], object]] = ctx.shared(_KEY, list)
    while actions:
        action = actions.pop(0)
        try:
            action()
        except Exception as exc:  # the audit matters more than what was left to finish
            log.warning("finishing the evaluation: %s: %s", type(exc).__name__, exc)
