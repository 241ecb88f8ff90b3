"""Reading one OpenAPI document: a file or a URL, JSON or YAML, with line numbers for findings.

YAML is read with a subclass of PyYAML's safe loader that refuses alias bombs: PyYAML shares
the node an alias points to, so loading is cheap, but anything that walks the result (a ref
resolver, ``json.dumps`` of evidence) would expand it. We count every node as it would be
expanded and stop long before that becomes a problem.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gacheck.core.errors import CollectorError, FileRefusedError
from gacheck.core.safe_files import read_text_confined

MAX_BYTES = 64 * 1024 * 1024
"""Bigger than any real spec (the largest public ones are ~10 MB); refuse rather than swap."""
MAX_EXPANDED_NODES = 2_000_000
"""A 1,000-operation spec has ~100k YAML nodes; aliases expanding past this are a bomb."""


class SpecLoadError(CollectorError):
    """A spec could not be read or parsed; the message names it and says why."""


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Document:
    """One parsed file: where it came from, its data, and a way to find lines in it."""

    location: str
    """A resolved file path or a URL; external refs are resolved relative to it."""
    data: Any
    text: str = field(repr=False)
    yaml_lines: dict[int, dict[Any, int]] | None = field(default=None, repr=False)
    """YAML only: ``id(mapping) -> {key: line}``, recorded while constructing."""

    def line_of(self, tokens: Sequence[Any]) -> int | None:
        """1-based line of the key at the end of a JSON-pointer path, best effort."""
        if not tokens:
            return None
        if self.yaml_lines is not None:
            node = self.data
            for token in tokens[:-1]:
                node = node.get(token) if isinstance(node, dict) else None
            if isinstance(node, dict):
                return self.yaml_lines.get(id(node), {}).get(tokens[-1])
            return None
        if len(tokens) > MAX_LINE_DEPTH:
            return None
        return self._json_lines.get(tuple(str(t) for t in tokens))

    @functools.cached_property
    def _json_lines(self) -> dict[tuple[str, ...], int]:
        return json_lines(self.text)


MAX_LINE_DEPTH = 8
"""Findings point at paths, operations, responses and headers: never deeper than this."""
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def json_lines(text: str, max_depth: int = MAX_LINE_DEPTH) -> dict[tuple[str, ...], int]:
    """Line of every key (and array item) down to ``max_depth``, in one pass over the text.

    Built once per document when its first finding needs a line, so that 20,000 findings cost
    one scan, not one scan each.
    """
    lines: dict[tuple[str, ...], int] = {}
    path: list[str] = []  # names of the open containers below the top level
    # per open container: [is an object, index of the next array item, key awaiting its value]
    stack: list[list[Any]] = []
    line, counted_to = 1, 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        start = match.start()
        line += text.count("\n", counted_to, start)
        counted_to = start
        if token == ":" or token == ",":
            continue
        if token == "]" or token == "}":
            if stack:
                stack.pop()
                if stack:
                    path.pop()
            continue
        frame = stack[-1] if stack else None
        if frame is not None and frame[0] and frame[2] is None and token[0] == '"':
            key: str = json.loads(token)  # a key: its value comes after the colon
            frame[2] = key
            if len(path) < max_depth:
                lines.setdefault((*path, key), line)
            continue
        name = ""
        if frame is not None and frame[0]:
            name, frame[2] = frame[2], None
        elif frame is not None:
            name, frame[1] = str(frame[1]), frame[1] + 1
            if len(path) < max_depth:
                lines.setdefault((*path, name), line)
        if token == "{" or token == "[":
            if stack:
                path.append(name)
            stack.append([token == "{", 0, None])
    return lines


def _loader_bases() -> tuple[type[Any], ...]:
    """The safe loader, with libyaml's event parser when PyYAML has it (about 3x faster).

    Composition stays in Python either way: that is where the alias guard lives.
    """
    import yaml

    try:
        from yaml._yaml import CParser
    except ImportError:
        return (yaml.SafeLoader,)
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    return (Composer, CParser, SafeConstructor, Resolver)


@functools.cache
def _yaml_loader_class() -> type:
    import yaml

    bases = _loader_bases()

    class GuardedLoader(*bases):  # type: ignore[misc]
        """Safe loader that counts expanded nodes and remembers where mapping keys are."""

        def __init__(self, stream: str) -> None:
            if bases[0] is yaml.SafeLoader:
                yaml.SafeLoader.__init__(self, stream)
            else:
                bases[1].__init__(self, stream)  # libyaml's parser
                for base in (bases[0], *bases[2:]):
                    base.__init__(self)
            self._sizes: dict[int, int] = {}
            self.key_lines: dict[int, dict[Any, int]] = {}

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                target = self.anchors.get(event.anchor)
                if target is not None and id(target) not in self._sizes:
                    raise SpecLoadError(
                        f"YAML alias *{event.anchor} (line {event.start_mark.line + 1}) refers to "
                        "a node that contains it: refused"
                    )
            node = super().compose_node(parent, index)
            if id(node) in self._sizes:  # an alias: its size was counted when it was built
                return node
            size = 1
            if isinstance(node, yaml.SequenceNode):
                size += sum(self._sizes.get(id(child), 1) for child in node.value)
            elif isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    size += self._sizes.get(id(key), 1) + self._sizes.get(id(value), 1)
            if size > MAX_EXPANDED_NODES:
                raise SpecLoadError(
                    f"YAML aliases would expand to more than {MAX_EXPANDED_NODES:,} nodes "
                    f"(line {node.start_mark.line + 1}): refused as an alias bomb"
                )
            self._sizes[id(node)] = size
            return node

        def construct_guarded_map(self, node: Any) -> Any:
            data: dict[Any, Any] = {}
            yield data
            data.update(self.construct_mapping(node))
            lines: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node)
                if isinstance(key, str | int | float | bool):
                    lines.setdefault(key, key_node.start_mark.line + 1)
            self.key_lines[id(data)] = lines

    GuardedLoader.add_constructor("tag:yaml.org,2002:map", GuardedLoader.construct_guarded_map)
    return GuardedLoader


def parse(text: str, location: str) -> Document:
    """JSON when it looks like JSON, YAML otherwise; errors say where."""
    stripped = text.lstrip("\ufeff \t\r\n")
    try:
        if stripped.startswith(("{", "[")):
            return Document(location=location, data=json.loads(stripped), text=stripped)
        return _parse_yaml(stripped, location)
    except json.JSONDecodeError as exc:
        raise SpecLoadError(f"{location}: not valid JSON: {exc}") from None
    except RecursionError:
        raise SpecLoadError(f"{location}: nested too deeply to read") from None


def _parse_yaml(text: str, location: str) -> Document:
    import yaml

    loader = _yaml_loader_class()(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # PyYAML 6.0.4 and later refuse deep nesting themselves
            raise SpecLoadError(f"{location}: nested too deeply to read") from None
        raise SpecLoadError(f"{location}: not valid YAML: {' '.join(str(exc).split())}") from None
    except SpecLoadError as exc:  # refused by the guard, which does not know the location
        raise SpecLoadError(f"{location}: {exc}") from None
    finally:
        loader.dispose()
    return Document(location=location, data=data, text=text, yaml_lines=loader.key_lines)


def read_text(location: str, timeout: float, root: str | None = None) -> str:
    """The text at a path (a regular file inside ``root``) or at an http(s) URL the config
    names, refusing anything absurdly large."""
    if is_url(location):
        return _fetch(location, timeout)
    try:
        return read_text_confined(location, root or os.path.dirname(location), MAX_BYTES)
    except FileNotFoundError:
        raise SpecLoadError(f"{location}: file not found") from None
    except FileRefusedError as exc:
        raise SpecLoadError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise SpecLoadError(
            f"{location}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    except OSError as exc:
        raise SpecLoadError(f"{location}: cannot read: {exc.strerror or exc}") from None


def _fetch(url: str, timeout: float) -> str:
    import httpx

    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code != 200:
                raise SpecLoadError(f"{url}: HTTP {response.status_code}")
            chunks: list[bytes] = []
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > MAX_BYTES:
                    raise SpecLoadError(f"{url}: larger than {MAX_BYTES // 2**20} MB")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise SpecLoadError(f"{url}: cannot fetch: {type(exc).__name__}: {exc}") from None
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecLoadError(f"{url}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def load(location: str, timeout: float = 30.0, root: str | None = None) -> Document:
    return parse(read_text(location, timeout, root), location)
