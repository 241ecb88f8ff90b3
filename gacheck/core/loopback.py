"""Whether a host name or address stays on this machine: the one test gacheck uses before it
offers load, binds a server without a token, or skips compression."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1); brackets of an IPv6 literal
    allowed. A name that only resolves to loopback is not trusted: resolution can change."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
