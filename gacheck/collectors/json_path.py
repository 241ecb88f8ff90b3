"""A value inside a JSON document by dotted path (``summary.total``, ``items.0.id``)."""

from __future__ import annotations

from typing import Any


def _is_index(part: str, length: int) -> bool:
    return part.lstrip("-").isdigit() and -length <= int(part) < length


def lookup(document: Any, path: str) -> Any:
    """The value at a dotted path; ``KeyError`` naming the first part that is not there."""
    node = document
    walked: list[str] = []
    for part in path.split("."):
        walked.append(part)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and _is_index(part, len(node)):
            node = node[int(part)]
        else:
            raise KeyError(".".join(walked))
    return node
