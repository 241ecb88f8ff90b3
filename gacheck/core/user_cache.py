"""The user's cache directory (``$XDG_CACHE_HOME/gacheck`` on Linux, usually
``~/.cache/gacheck``): range chunks and compiled report templates live under it.

A module of its own, so that finding the directory does not import the Prometheus client."""

from __future__ import annotations

from pathlib import Path


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("gacheck", appauthor=False))
