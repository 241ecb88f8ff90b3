"""``$ref`` resolution for OpenAPI documents: JSON pointers, other files, cycles.

A ref is followed one hop at a time with a record of where it has been, so a cycle or a
dangling pointer becomes a ``RefError`` naming the pointer, never a hang or a traceback.
A spec is untrusted input, so refs stay inside its own repository: a ref to a URL (never
fetched), an absolute path, a path whose real location is outside the root, or anything that
is not a regular file is refused, and the refusal is a finding at the ref's pointer.
Only objects the header guard looks at are resolved (path items, parameters, responses,
headers); schemas, where self-reference is normal, are never walked.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from gacheck.collectors.openapi.load import Document, SpecLoadError, is_url
from gacheck.core.safe_files import is_inside

OWN_FOLDER = object()
"""``RefResolver``'s default confinement: the folder of the spec being resolved."""
MAX_CHAIN = 64
"""Longer chains of refs to refs do not occur in real specs; treat them like a cycle."""

Tokens = tuple[Any, ...]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
"""``http:``, ``https:``, ``file:``, ...: a ref naming a scheme is never followed."""


class RefError(Exception):
    """A ref that cannot be followed; ``str()`` is the whole explanation."""


@functools.lru_cache(maxsize=4096)
def parse_pointer(fragment: str) -> Tokens:
    """RFC 6901 tokens of a URI fragment: percent-decoded, then ``~1`` -> ``/``, ``~0`` -> ``~``."""
    text = unquote(fragment)
    if text == "":
        return ()
    if not text.startswith("/"):
        raise ValueError(f'"#{fragment}" is not a JSON pointer (it must start with "/")')
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in text.split("/")[1:])


def format_pointer(tokens: Tokens) -> str:
    return "#/" + "/".join(str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def follow(data: Any, tokens: Tokens) -> Any:
    """The value at ``tokens``; ``KeyError`` with the pointer walked so far when it is not there."""
    node = data
    for depth, token in enumerate(tokens):
        if isinstance(node, dict):
            if token in node:
                node = node[token]
                continue
            # YAML reads `200:` as an int key; the pointer token is always text.
            if isinstance(token, str) and token.isdigit() and int(token) in node:
                node = node[int(token)]
                continue
        elif isinstance(node, list) and isinstance(token, str) and token.isdigit():
            if int(token) < len(node):
                node = node[int(token)]
                continue
        raise KeyError(f"nothing at {format_pointer(tokens[: depth + 1])}")
    return node


class RefResolver:
    """Follows refs within one spec and the files it points to, loading each file once."""

    def __init__(
        self,
        root: Document,
        load: Callable[[str], Document],
        display: Callable[[str], str] = str,
        confined_to: str | None | object = OWN_FOLDER,
    ) -> None:
        """``confined_to``: the folder other files must lie in (the repository); ``None``
        allows refs within the document only. By default: the spec's own folder, and nothing
        for a spec fetched from a URL."""
        self._docs: dict[str, Document] = {root.location: root}
        self._load = load
        self._display = display
        if confined_to is OWN_FOLDER:
            confined_to = None if is_url(root.location) else os.path.dirname(root.location)
        self._root: str | None = confined_to  # type: ignore[assignment]
        self.external: set[str] = set()
        """Locations of the other files this spec's refs reached."""

    def resolve(self, value: Any, doc: Document, tokens: Tokens) -> tuple[Any, Document, Tokens]:
        """Follow ``value`` while it is a ``{"$ref": ...}``; the target and where it lives."""
        seen: list[tuple[str, Tokens]] = []
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            target_doc, target_tokens = self._target(ref, doc, tokens)
            hop = (target_doc.location, target_tokens)
            if hop in seen or len(seen) >= MAX_CHAIN:
                chain = " -> ".join(self._show(*h) for h in [*seen, hop])
                raise RefError(f"$ref cycle at {self._where(doc, tokens)}: {chain}")
            seen.append(hop)
            try:
                value = follow(target_doc.data, target_tokens)
            except KeyError as exc:
                where = self._where(doc, tokens)
                raise RefError(f'dangling $ref "{ref}" at {where}: {exc.args[0]}') from None
            doc, tokens = target_doc, target_tokens
        return value, doc, tokens

    # Only failures are described: formatting locations on every hop would dominate big specs.
    def _show(self, location: str, tokens: Tokens) -> str:
        return f"{self._display(location)}{format_pointer(tokens)}"

    def _where(self, doc: Document, tokens: Tokens) -> str:
        return f"{self._display(doc.location)} {format_pointer(tokens)}"

    def _target(self, ref: str, doc: Document, tokens: Tokens) -> tuple[Document, Tokens]:
        file_part, _, fragment = ref.partition("#")
        try:
            target_tokens = parse_pointer(fragment)
        except ValueError as exc:
            raise RefError(
                f'unsupported $ref "{ref}" at {self._where(doc, tokens)}: {exc}'
            ) from None
        if not file_part:
            return doc, target_tokens
        location = self._locate(file_part, doc.location)
        refusal = self._refusal(file_part, location)
        if refusal:
            raise RefError(f'$ref "{ref}" at {self._where(doc, tokens)} refused: {refusal}')
        target = self._docs.get(location)
        if target is None:
            try:
                target = self._load(location)
            except SpecLoadError as exc:
                raise RefError(f'$ref "{ref}" at {self._where(doc, tokens)}: {exc}') from None
            self._docs[location] = target
            self.external.add(location)
        return target, target_tokens

    def _refusal(self, file_part: str, location: str) -> str | None:
        """Why the file a ref names may not be read, or ``None`` when it may."""
        if _SCHEME.match(file_part):
            return "refs to URLs are not fetched (a spec may only refer to files in its repository)"
        if os.path.isabs(unquote(file_part)):
            return "absolute paths are not followed (refer to files relative to the spec)"
        if self._root is None:
            return "a spec read from a URL may only refer to itself"
        if not is_inside(location, self._root):
            shown, real = self._display(location), os.path.realpath(location)
            if os.path.normpath(location) == real:
                return f"{shown} is outside the repository"
            return f"{shown} resolves to {real}, outside the repository"
        return None

    @staticmethod
    def _locate(file_part: str, base: str) -> str:
        if is_url(base):
            return file_part  # refused: nothing is fetched relative to a URL
        path = unquote(file_part)
        if os.path.isabs(path):
            return os.path.normpath(path)
        return os.path.normpath(os.path.join(os.path.dirname(base), path))
