"""One loopback test for load, rate-limit steps, serve without a token and Prometheus URLs."""

from __future__ import annotations

import pytest

from gacheck.core.loopback import is_loopback_host


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.3.4.5", "::1", "[::1]"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["127.evil.example", "10.0.0.1", "example.com", "", "::2",
                                  "localhost.example"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    """A name beginning with "127." passed the load gate's old prefix test."""
    assert not is_loopback_host(host)
