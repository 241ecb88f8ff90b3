"""The configs the server was asked about, loaded once per version of the file."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from gacheck.core.errors import ConfigError, UsageError
from gacheck.run.config_binding import load_config
from gacheck.run.evaluation import Selection
from gacheck.serve.guard import Refused

MAX_KEPT = 64


@dataclass(frozen=True)
class ConfigFacts:
    """What a request needs from its config before evaluating: the step and the gate ids."""

    step_s: float
    gate_ids: tuple[str, ...]


class Configs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loading = threading.Lock()  # one load at a time: 50 callers, one parse
        self._kept: dict[tuple[Path, int, int], ConfigFacts] = {}

    def facts(self, path: Path) -> ConfigFacts:
        stat = path.stat()
        version = (path, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            found = self._kept.get(version)
        if found is not None:
            return found
        with self._loading:
            with self._lock:
                found = self._kept.get(version)
            return found if found is not None else self._load(path, version)

    def _load(self, path: Path, version: tuple[Path, int, int]) -> ConfigFacts:
        try:
            config = load_config(path)
        except ConfigError as exc:
            raise Refused(400, "config", f"config {path.name} is not valid: {exc}") from None
        facts = ConfigFacts(config.settings.step, tuple(g.id for g in config.gates))
        with self._lock:
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            self._kept[version] = facts
        return facts


def check_selection(facts: ConfigFacts, only: tuple[str, ...]) -> None:
    """An unknown gate id is the caller's mistake: a 400 naming the known ones."""
    try:
        Selection(only).choose(facts.gate_ids)
    except UsageError as exc:
        raise Refused(400, "input", f"only: {exc}") from None
