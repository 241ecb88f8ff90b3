"""Compare output with a golden file; ``GACHECK_UPDATE_GOLDEN=1`` rewrites them (then review)."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("GACHECK_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8", newline="")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path} (GACHECK_UPDATE_GOLDEN=1 rewrites it)"
