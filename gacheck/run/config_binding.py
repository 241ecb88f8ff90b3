"""The config bound to gacheck's gate kinds: what every command loads."""

from __future__ import annotations

from pathlib import Path

from gacheck.config.load import parse_config
from gacheck.config.model import Config
from gacheck.gates import KINDS


def load_config(path: str | Path) -> Config:
    """Read and validate a config file against the registered gate kinds; raise
    ``ConfigError`` with one line per problem (each naming the file and key path)."""
    return parse_config(path, KINDS)
