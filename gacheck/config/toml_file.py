"""TOML text to a document, within limits, with errors that name the file and key path.

``tomllib`` recurses once per nesting level: a config nested a thousand levels deep ends in a
RecursionError, which is turned into a config error that names the line and key. A document
that parses but nests deeper than ``MAX_DEPTH`` is refused with its exact key path.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from typing import Any

from gacheck.core.errors import ConfigError

MAX_DEPTH = 32
"""Nesting of tables and arrays a config may have; far beyond any real one."""

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def printable(text: str) -> str:
    """``text`` on one line: characters a terminal or ``splitlines`` would break on, escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def key_path(loc: Sequence[Any]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _BARE_KEY.fullmatch(str(part)):
            path += f".{part}" if path else str(part)
        else:  # a quoted TOML key: shown quoted, on one line
            path += printable(json.dumps(str(part), ensure_ascii=False)[:60])
    return path or "(top level)"


def _too_deep(data: Any, limit: int = MAX_DEPTH) -> list[Any] | None:
    """The key path of the first value nested deeper than ``limit``, found without recursion."""
    stack: list[tuple[Any, list[Any]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > limit:
            return path
        if isinstance(value, dict):
            stack.extend((item, [*path, key]) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, [*path, index]) for index, item in enumerate(value))
    return None


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]\s]+)\s*\]")
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*=")


def _key_at(text: str, line: int) -> str:
    """The key path assigned on ``line`` as far as a line-wise look can tell (``gates[2].env``)."""
    tables: dict[str, int] = {}
    header, key = "", ""
    for number, content in enumerate(text.splitlines()[:line], start=1):
        found = _HEADER.match(content)
        if found:
            name = found.group(2)
            if found.group(1) == "[[":
                tables[name] = tables.get(name, -1) + 1
                header = f"{name}[{tables[name]}]"
            else:
                header = name
            continue
        assigned = _ASSIGNMENT.match(content)
        if assigned and number <= line:
            key = assigned.group(1)
    return ".".join(part for part in (header, key) if part) or "(top level)"


def _deep_line(text: str, limit: int = MAX_DEPTH) -> int:
    """The line where brackets (outside strings and comments) first nest deeper than ``limit``:
    where tomllib gave up with a RecursionError."""
    depth, line, quote = 0, 1, ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        if quote:
            if char == "\\" and quote == '"':
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end - 1
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth -= 1
        index += 1
    return line


def read_toml(data: bytes, shown: str) -> dict[str, Any]:
    """The document in ``data`` (the file ``shown``); ``ConfigError`` naming where it is wrong."""
    try:
        text = data.decode("utf-8")
        document = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}: not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: TOML syntax error: {exc}") from None
    except RecursionError:
        line = _deep_line(text)
        raise ConfigError(
            f"{shown}: {_key_at(text, line)} (line {line}): "
            f"nested more than {MAX_DEPTH} levels deep"
        ) from None
    deep = _too_deep(document)
    if deep is not None:
        raise ConfigError(f"{shown}: {key_path(deep)}: nested more than {MAX_DEPTH} levels deep")
    return document
