"""gacheck: is this release candidate ready for GA? Evidence says."""

from __future__ import annotations

__version__ = "0.1.0"
