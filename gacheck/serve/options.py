"""What ``gacheck serve`` was started with: limits, the served folder, the token."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gacheck.core.loopback import is_loopback_host


@dataclass(frozen=True)
class ServeOptions:
    """Everything the app needs besides the evaluation itself."""

    config_dir: Path
    default_config: str
    default_only: tuple[str, ...] = ()
    token: str | None = None
    answer_timeout_s: float = 8.0
    cache_ttl_s: float = 60.0
    max_evaluations: int = 2
    max_queued: int = 16
    max_body: int = 64 * 1024
    rate_per_s: float = 20.0
    burst: int = 100


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine."""
    return is_loopback_host(host)
