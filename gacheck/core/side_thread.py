"""Work started on a thread of its own now, and waited for later: a pre-check beside its
range query, the commit read beside the gates."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar, cast

T = TypeVar("T")


def beside(work: Callable[[], T], name: str = "gacheck-beside") -> Callable[[], T]:
    """Start ``work`` on a daemon thread; the returned call waits for it and gives its result,
    or re-raises its error in the caller's thread."""
    done: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            done.append((True, work()))
        except BaseException as exc:  # handed to the caller of wait()
            done.append((False, exc))

    thread = threading.Thread(target=run, daemon=True, name=name)
    thread.start()

    def wait() -> T:
        thread.join()
        ok, value = done[0]
        if not ok:
            raise cast(BaseException, value)
        return cast(T, value)

    return wait
