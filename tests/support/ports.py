"""Loopback ports for tests that run side by side (pytest-xdist workers, other suites).

Servers the tests start bind port 0 themselves wherever they can. Where a test needs a port
where nothing answers, ``refused_port()`` holds one bound without listening: a connection to
it is refused, and no other process can start listening there while the block runs (a port
that was merely free a moment ago may be taken by another worker's server meanwhile).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator


def free_port() -> int:
    """A port that was free a moment ago, for a program that must be told which to bind."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def refused_port() -> Iterator[int]:
    """A 127.0.0.1 port that refuses connections until the block ends."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connecting gets a reset
        yield int(sock.getsockname()[1])
