"""Keeps secrets out of audits, logs and errors.

Whoever reads a secret (a token from an env variable) reads it through ``Secrets.from_env``,
which remembers the value; the engine passes every result through ``redact`` before it is kept.
"""

from __future__ import annotations

import os
import threading
from typing import Any

REDACTED = "***"


class Secrets:
    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        if value and len(value) >= 3:
            with self._lock:
                self._values.add(value)

    def from_env(self, name: str | None) -> str | None:
        """The value of env variable ``name``, remembered as a secret."""
        if not name:
            return None
        value = os.environ.get(name)
        self.add(value)
        return value

    def redact(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            text = text.replace(value, REDACTED)
        return text

    def redact_data(self, data: Any) -> Any:
        """The same structure with every secret replaced, in every string it holds."""
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, dict):
            return {self.redact_data(k): self.redact_data(v) for k, v in data.items()}
        if isinstance(data, list | tuple):
            return [self.redact_data(item) for item in data]
        return data
