"""What every gate may know about the evaluation it is part of."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from gacheck.config.model import Config
from gacheck.core.deadline import Deadline
from gacheck.core.secrets import Secrets

T = TypeVar("T")


@dataclass(frozen=True)
class Overrides:
    """Values from the command line or environment that beat the config file."""

    prometheus_url: str | None = None
    facade_url: str | None = None
    cache_dir: Path | None = None
    """Where closed chunks of range queries are kept; ``None``: no cache (the CLI sets it)."""


@dataclass(frozen=True)
class Context:
    """One evaluation: its instant, its config, where the code and earlier audits are.

    ``at`` is timezone-aware UTC; every window a gate looks at ends at it.
    """

    at: datetime
    config: Config
    repo: Path
    audit_dir: Path
    overrides: Overrides = field(default_factory=Overrides)
    secrets: Secrets = field(default_factory=Secrets)
    deadline: Deadline | None = None
    """The time limit of the gate this context was handed to (``None`` outside a gate)."""
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _key_locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    gate: Any = None
    """The gate being measured (a ``GateSpec``), in the context a kind is given."""

    def for_gate(self, gate: Any) -> Context:
        """This evaluation, seen from one gate: the same shared objects, and the gate."""
        return dataclasses.replace(self, gate=gate)

    def __post_init__(self) -> None:
        # Credentials in URLs and configured header values are secrets before any gate runs.
        self.secrets.add_config_once(self.config)
        self.secrets.add_url(self.overrides.prometheus_url)
        self.secrets.add_url(self.overrides.facade_url)

    def resolve(self, path: str | Path) -> Path:
        """A config path: absolute as given, relative to the repository root otherwise."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.repo / candidate

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """One object per evaluation (a client, a cached probe), built on first use.

        Gates asking for the same key wait for one build; other keys are not held up by it.
        """
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._shared:
                self._shared[key] = factory()
            return self._shared[key]
