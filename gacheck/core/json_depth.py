"""JSON that is nested too deeply to read: said with its depth and line, not a RecursionError.

The standard library's decoder recurses once per level and gives up with ``RecursionError``
near the interpreter's recursion limit. Reports and specs come from the release candidate
and are untrusted, so a hostile one must end in a message a person can act on.
"""

from __future__ import annotations

import json
from typing import Any


class TooDeep(ValueError):
    """The document nests arrays and objects ``depth`` levels deep, first at ``line``."""

    def __init__(self, depth: int, line: int) -> None:
        super().__init__(f"nested too deeply to read: {depth:,} levels of arrays and objects "
                         f"(the deepest at line {line})")
        self.depth = depth
        self.line = line


def loads(text: str) -> Any:
    """``json.loads(text)``; ``TooDeep`` when it is nested beyond what the decoder can follow
    (``json.JSONDecodeError`` as usual for text that is not JSON)."""
    try:
        return json.loads(text)
    except RecursionError:
        depth, line = deepest(text)
        raise TooDeep(depth, line) from None


def deepest(text: str) -> tuple[int, int]:
    """The deepest nesting of arrays and objects in ``text`` and the line it is first reached
    at (brackets inside strings do not count). Only run once decoding has failed."""
    depth = best = 0
    line = best_line = 1
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif char in "]}":
            depth -= 1
        if char == "\n":
            line += 1
    return best, best_line
