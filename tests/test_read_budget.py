"""``ReadBudget``: answers read side by side hold at most 1.5 caps, and never deadlock."""

from __future__ import annotations

import threading
import time

from gacheck.collectors.prometheus.read_budget import ReadBudget

MIB = 2**20


def test_ordinary_answers_never_wait() -> None:
    """Control: four 10 MiB answers at once under a 256 MiB cap take their bytes at once."""
    budget = ReadBudget(256 * MIB)
    tickets = [budget.start() for _ in range(4)]
    for ticket in tickets:
        assert budget.take(ticket, 10 * MIB, deadline=time.monotonic())  # no time to wait


def test_a_younger_answer_waits_past_half_the_cap_and_the_oldest_never_does() -> None:
    budget = ReadBudget(100)
    old, young = budget.start(), budget.start()
    assert budget.take(old, 40, time.monotonic())
    assert budget.take(young, 10, time.monotonic())
    assert not budget.take(young, 1, time.monotonic() + 0.05)  # 51 > 50: it waits, then times out
    assert budget.take(old, 60, time.monotonic())  # the oldest goes on to its own cap

    resumed = threading.Event()
    waiter = threading.Thread(target=lambda: budget.take(young, 5, time.monotonic() + 5)
                              and resumed.set())
    waiter.start()
    time.sleep(0.05)
    assert not resumed.is_set()
    budget.end(old)  # refused or done: its bytes are given back, and the younger one goes on
    waiter.join(5)
    assert resumed.is_set()
    assert budget.used == 15


def test_the_youngest_becomes_the_oldest_when_the_others_end() -> None:
    budget = ReadBudget(10)
    first, second = budget.start(), budget.start()
    budget.end(first)
    assert budget.take(second, 1_000, time.monotonic())
