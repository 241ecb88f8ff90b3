"""Live responses checked against the façade's own OpenAPI spec with ``jsonschema``.

The response schema of an operation is compiled into one self-contained JSON Schema: refs are
followed with the project's ``RefResolver`` (across files too) and each target becomes a local
definition, so a recursive schema is checked at every depth. OpenAPI 3.0 schemas get
``nullable`` turned into a ``null`` type and are checked with Draft 4 rules (its boolean
``exclusiveMinimum``); 3.1 schemas are JSON Schema 2020-12. Each mismatch is a ``Drift`` with
the JSON pointer into the response body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gacheck.collectors.openapi.load import Document
from gacheck.collectors.openapi.refs import (
    RefError,
    RefResolver,
    Tokens,
    format_pointer,
)

MAX_SCHEMA_NODES = 50_000
MAX_DRIFTS_PER_RESPONSE = 20


@dataclass(frozen=True)
class Drift:
    pointer: str
    """JSON pointer into the response body ("" is the whole body)."""
    message: str
    spec: str
    """Where in the spec the violated rule is (file and pointer)."""


@dataclass(frozen=True)
class ResponseRule:
    schema: dict[str, Any] | bool | None
    headers: tuple[str, ...]
    where: str
    draft4: bool


def _template(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", path)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p)
                                    for p in parts) + "/?$")


class ResponseContract:
    """The operations of one or more specs; the first spec that declares an operation wins."""

    def __init__(self, documents: Sequence[Document], load: Callable[[str], Document],
                 display: Callable[[str], str] = str) -> None:
        self._docs = list(documents)
        self._resolvers = {d.location: RefResolver(d, load, display) for d in self._docs}
        self._display = display

    def _operation(self, method: str, path: str) -> tuple[Document, Tokens, Any] | None:
        for doc in self._docs:
            paths = doc.data.get("paths") if isinstance(doc.data, dict) else None
            for template, item in (paths or {}).items():
                if not isinstance(template, str) or not _template(template).match(path):
                    continue
                item, item_doc, item_tokens = self._resolvers[doc.location].resolve(
                    item, doc, ("paths", template))
                operation = item.get(method.lower()) if isinstance(item, dict) else None
                if isinstance(operation, dict):
                    return item_doc, (*item_tokens, method.lower()), operation
        return None

    def declares(self, method: str, path: str) -> bool:
        return self._operation(method, path) is not None

    def rule(self, method: str, path: str, status: int,
             content_type: str = "application/json") -> ResponseRule | str:
        """The schema and headers declared for this answer, or why there are none."""
        found = self._operation(method, path)
        if found is None:
            return f"{method} {path} is not declared in the spec"
        doc, tokens, operation = found
        resolver = self._resolvers[doc.location]
        responses = operation.get("responses") if isinstance(operation, dict) else None
        key = next((k for k in (str(status), f"{str(status)[0]}XX", "default")
                    if isinstance(responses, dict) and (k in responses or (
                        k.isdigit() and int(k) in responses))), None)
        if key is None or not isinstance(responses, dict):  # a key is found only in a dict
            return f"status {status} is not declared for {method} {path}"
        raw = responses[key] if key in responses else responses[int(key)]
        response, rdoc, rtokens = resolver.resolve(raw, doc, (*tokens, "responses", key))
        where = f"{self._display(rdoc.location)}{format_pointer(rtokens)}"
        headers = tuple(response.get("headers") or {}) if isinstance(response, dict) else ()
        content = response.get("content") if isinstance(response, dict) else None
        media = None
        if isinstance(content, dict):
            media = content.get(content_type) or next(
                (v for k, v in content.items() if k.split(";")[0] == content_type), None)
        if not isinstance(media, dict) or "schema" not in media:
            return ResponseRule(None, headers, where, False)
        draft4 = str(rdoc.data.get("openapi", "3.0")).startswith("3.0")
        schema = _Compiler(resolver, draft4).document(
            media["schema"], rdoc, (*rtokens, "content", content_type, "schema"))
        return ResponseRule(schema, headers, where, draft4)

    @staticmethod
    def validate(rule: ResponseRule, body: Any) -> list[Drift]:
        from jsonschema import Draft4Validator, Draft202012Validator

        if rule.schema is None:
            return []
        validator = (Draft4Validator if rule.draft4 else Draft202012Validator)(rule.schema)
        drifts = []
        for error in validator.iter_errors(body):
            pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1")
                              for p in error.absolute_path)
            drifts.append(Drift(pointer, error.message[:300], rule.where))
            if len(drifts) >= MAX_DRIFTS_PER_RESPONSE:
                break
        return sorted(drifts, key=lambda d: d.pointer)


class _Compiler:
    """Turns a schema with OpenAPI refs into one JSON Schema document: every ref target becomes
    a definition of its own (``#/$defs/d0``...), so recursive schemas stay exact and finite."""

    def __init__(self, resolver: RefResolver, draft4: bool) -> None:
        self.resolver = resolver
        self.draft4 = draft4
        self.defs_key = "definitions" if draft4 else "$defs"
        self.names: dict[tuple[str, Tokens], str] = {}
        self.defs: dict[str, Any] = {}
        self.nodes = 0

    def document(self, value: Any, doc: Document, tokens: Tokens) -> dict[str, Any]:
        root = self.compile(value, doc, tokens)
        return {"allOf": [root], self.defs_key: self.defs}

    def compile(self, value: Any, doc: Document, tokens: Tokens) -> Any:
        self.nodes += 1
        if self.nodes > MAX_SCHEMA_NODES:
            raise RefError(f"response schema larger than {MAX_SCHEMA_NODES:,} nodes")
        if isinstance(value, dict) and isinstance(value.get("$ref"), str):
            target, tdoc, ttokens = self.resolver.resolve(value, doc, tokens)
            hop = (tdoc.location, ttokens)
            if hop not in self.names:
                name = self.names[hop] = f"d{len(self.names)}"
                self.defs[name] = True  # a placeholder while its own refs are compiled
                self.defs[name] = self.compile(target, tdoc, ttokens)
            return {"$ref": f"#/{self.defs_key}/{self.names[hop]}"}
        if isinstance(value, dict):
            out = {k: self.compile(v, doc, (*tokens, k)) for k, v in value.items()}
            if self.draft4 and out.get("nullable") is True and "type" in out:
                del out["nullable"]
                kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
                out["type"] = [*kinds, "null"]
            return out
        if isinstance(value, list):
            return [self.compile(v, doc, (*tokens, str(i))) for i, v in enumerate(value)]
        return value
