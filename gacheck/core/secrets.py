"""Keeps secrets out of audits, logs and errors, by construction.

Two rules, applied by every writer rather than by each gate:

- URL userinfo never survives: ``https://user:pw@host`` is written ``https://***@host``, in
  whatever text it appears (a command line, a request line, an exception message).
- Every secret value is registered once in a ``Secrets`` registry and replaced by ``***``
  wherever it appears, also in the forms the writers give it (JSON, Markdown, HTML/XML and URL
  escapes). Secrets are: values read through ``from_env`` (tokens, passwords), passwords in
  URLs, the ``base64(user:password)`` a basic-auth header carries (a server may echo it back),
  and the values of configured headers.

The choke points: ``redact_audit`` (the audit document, before any report is rendered),
``reports.files.write_atomic`` (every file), the GitHub step summary, and the CLI's ``session``,
which puts a redacting proxy in front of stdout and stderr (logging and ``--debug`` tracebacks
included). Writers find the registry of the running command through ``current()``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any, TextIO
from urllib.parse import quote, unquote, urlsplit

REDACTED = "***"
MIN_SECRET_LENGTH = 3

# scheme://userinfo@ — userinfo ends at the last "@" before the path, query or fragment.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s?#]*@")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_AUTH_SCHEMES = ("bearer ", "basic ", "token ", "apikey ", "api-key ")
HARMLESS_HEADERS = frozenset({
    "accept", "accept-encoding", "accept-language", "cache-control", "connection",
    "content-type", "user-agent", "x-request-id",
})
"""Configured headers whose values are content negotiation, never credentials."""


def strip_userinfo(text: str) -> str:
    """``https://user:pw@host/x`` -> ``https://***@host/x``, wherever URLs occur in ``text``."""
    if "@" not in text or "://" not in text:
        return text
    return _USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", text)


def _variants(value: str) -> set[str]:
    """The forms a value takes in the outputs: as is, JSON-, Markdown-, HTML- and URL-escaped."""
    found = {
        value,
        json.dumps(value, ensure_ascii=False)[1:-1],
        json.dumps(value)[1:-1],
        html.escape(value, quote=False),
        html.escape(value),
        quote(value, safe=""),
        quote(value),
        value.replace("%", "%25"),  # GitHub workflow-command data
    }
    markdown = _MD_SPECIAL.sub(
        r"\\\1", value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
    found.add(markdown)
    return {v for v in found if len(v) >= MIN_SECRET_LENGTH}


def basic_credentials(user: str, password: str) -> list[str]:
    """What an ``Authorization: Basic`` header carries for ``user:password`` (UTF-8, Latin-1)."""
    pair = f"{user}:{password}"
    encoded = [base64.b64encode(pair.encode("utf-8")).decode("ascii")]
    try:
        encoded.append(base64.b64encode(pair.encode("latin-1")).decode("ascii"))
    except UnicodeEncodeError:
        pass
    return encoded


class Secrets:
    """The secret values of one command; thread-safe (gates register from their threads)."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._patterns: list[str] = []
        self._lock = threading.Lock()
        self._configs: list[Any] = []
        """Configs already read by ``add_config_once`` (held, so that an id is never reused)."""

    def add(self, value: str | None) -> None:
        if not value or len(value) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            if value in self._values:
                return
            self._values.add(value)
            patterns = set(self._patterns) | _variants(value)
            self._patterns = sorted(patterns, key=len, reverse=True)

    def add_basic_auth(self, user: str | None, password: str | None) -> None:
        """A user/password pair: the password, and the header value that carries both."""
        self.add(password)
        for encoded in basic_credentials(user or "", password or ""):
            self.add(encoded)

    def add_url(self, url: str | None) -> None:
        """Credentials written into a URL: its password (or a token given as user name)."""
        if not url or "@" not in url:
            return
        try:
            parts = urlsplit(url.strip())
            user, password = parts.username, parts.password
        except ValueError:
            return
        if password is not None:
            self.add(password)
            self.add_basic_auth(unquote(user or ""), unquote(password))
        elif user:  # https://TOKEN@host: the user name is the credential
            self.add(user)
            self.add_basic_auth(unquote(user), "")

    def add_header(self, name: str, value: str | None) -> None:
        """A configured header's value, and the credential after an auth scheme word."""
        if not value or name.strip().lower() in HARMLESS_HEADERS:
            return
        self.add(value)
        lowered = value.lower()
        for scheme in _AUTH_SCHEMES:
            if lowered.startswith(scheme):
                self.add(value[len(scheme):].strip())

    def add_config_once(self, config: Any) -> None:
        """``add_from_config`` for a config not read before. Every gate's context is a copy
        of the evaluation's, with the same config: reading all of it for each of 1,000
        gates was a million walks, most of a 100-service evaluation's time."""
        with self._lock:
            if any(seen is config for seen in self._configs):
                return
            self._configs.append(config)
        self.add_from_config(config)

    def add_from_config(self, data: Any) -> None:
        """Every URL with userinfo and every ``headers`` table anywhere in a config (its
        models, or plain data): new gate kinds are covered without a word of their own."""
        fields = getattr(type(data), "model_fields", None)
        if isinstance(fields, dict):  # a pydantic model: its fields, without serialising it
            data = {name: getattr(data, name, None) for name in fields}
        if isinstance(data, str):
            if "://" in data and "@" in data:
                self.add_url(data)
        elif isinstance(data, dict):
            for key, item in data.items():
                if key == "headers" and isinstance(item, dict):
                    for name, value in item.items():
                        if isinstance(name, str) and isinstance(value, str):
                            self.add_header(name, value)
                else:
                    self.add_from_config(item)
        elif isinstance(data, list | tuple):
            for item in data:
                self.add_from_config(item)

    def from_env(self, name: str | None) -> str | None:
        """The value of env variable ``name``, remembered as a secret."""
        if not name:
            return None
        value = os.environ.get(name)
        self.add(value)
        return value

    def redact(self, text: str) -> str:
        text = strip_userinfo(text)
        with self._lock:
            patterns = self._patterns
        for pattern in patterns:
            if pattern in text:
                text = text.replace(pattern, REDACTED)
        return _cut_ends(text, patterns) if patterns else text

    def redact_data(self, data: Any, keys: bool = True) -> Any:
        """The same structure with every secret replaced, in every string it holds (and in
        the keys of its tables unless ``keys`` is false)."""
        if isinstance(data, Enum):
            return data  # our own vocabulary (a status, a unit), never a secret's carrier
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, dict):
            return {
                (self.redact(k) if keys and isinstance(k, str) else k): self.redact_data(v, keys)
                for k, v in data.items()
            }
        if isinstance(data, list | tuple):
            return [self.redact_data(item, keys) for item in data]
        return data

    def redact_model(self, model: Any) -> Any:
        """A pydantic model rebuilt with every secret replaced: in its string fields and in its
        free-form tables (keys too), never in its field names or enumerations."""
        data = self._model_data(model)
        return model if data == model.model_dump(mode="python") else type(model).model_validate(
            data
        )

    def _model_data(self, value: Any) -> Any:
        fields = getattr(type(value), "model_fields", None)
        if isinstance(fields, dict):
            return {name: self._model_data(getattr(value, name)) for name in fields}
        if isinstance(value, list | tuple):
            return [self._model_data(item) for item in value]
        return self.redact_data(value)


_FRAGMENT = 6
"""A secret cut short (an excerpt of a body ends inside it) still hides this much of it."""
_ELLIPSES = ("…", "...")


def _cut_ends(text: str, patterns: list[str]) -> str:
    """A secret cut by truncation: a text that ends with the start of one (before an ellipsis),
    or starts with the end of one, loses that part too."""
    body, tail = text, ""
    for ellipsis in _ELLIPSES:
        if body.endswith(ellipsis):
            body, tail = body[: -len(ellipsis)], ellipsis
            break
    for pattern in patterns:
        if len(pattern) <= _FRAGMENT:
            continue
        # a cut leaves something before (or after) the piece: a whole short text is a word
        if len(body) > _FRAGMENT and body[-_FRAGMENT:] in pattern:
            for size in range(min(len(pattern), len(body)) - 1, _FRAGMENT - 1, -1):
                if body.endswith(pattern[:size]):
                    body = body[:-size] + REDACTED
                    break
        if len(body) > _FRAGMENT and body[:_FRAGMENT] in pattern:
            for size in range(min(len(pattern), len(body)) - 1, _FRAGMENT - 1, -1):
                if body.startswith(pattern[-size:]):
                    body = REDACTED + body[size:]
                    break
    return body + tail


_IDLE = Secrets()
_current: Secrets | None = None


def current() -> Secrets:
    """The registry of the command that is running (an empty one outside the CLI)."""
    return _current if _current is not None else _IDLE


class RedactingStream:
    """A text stream that redacts everything written through it, and is otherwise the stream."""

    def __init__(self, stream: TextIO, registry: Secrets) -> None:
        self._stream = stream
        self._registry = registry

    def write(self, text: str) -> int:
        self._stream.write(self._registry.redact(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def session() -> Iterator[Secrets]:
    """A fresh registry for one CLI command, with stdout and stderr redacted through it."""
    global _current
    registry = Secrets()
    previous = (_current, sys.stdout, sys.stderr)
    _current = registry
    sys.stdout = RedactingStream(sys.stdout, registry)
    sys.stderr = RedactingStream(sys.stderr, registry)
    try:
        yield registry
    finally:
        _current, sys.stdout, sys.stderr = previous
