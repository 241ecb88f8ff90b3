"""Where a dependency is pinned: the requirements file and line of each package's first
requirement line, so a vulnerable dependency's finding points at the line to change (SARIF,
annotations). A file that cannot be read is left out: the location is a courtesy, never a
reason for the gate to fail."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.utils import canonicalize_name

from gacheck.core.safe_files import MiB, read_text_confined

MAX_REQUIREMENTS_BYTES = 4 * MiB
_REQUIREMENT = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(===|==|~=|>=|<=|!=|>|<|@|;|$)")


def pin_lines(root: Path, files: list[str]) -> dict[str, tuple[str, int]]:
    """Canonical package name -> (file as named, 1-based line) of its first requirement."""
    found: dict[str, tuple[str, int]] = {}
    for name in files:
        try:
            text = read_text_confined(root / name, root, MAX_REQUIREMENTS_BYTES)
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = _REQUIREMENT.match(line.split("#", 1)[0])
            if match and not line.lstrip().startswith("-"):
                found.setdefault(canonicalize_name(match.group(1)), (name, number))
    return found
