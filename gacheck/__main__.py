from __future__ import annotations

from gacheck.cli import entry_point

entry_point()
