"""The header guard over one spec: every path x method x response, headers found through ``$ref``.

OpenAPI 3.0/3.1 and Swagger 2.0 keep response headers in the same place (``headers`` under
the response), so one walk serves all three; only what refs may point at differs, and the
resolver does not care. Problems are collected, never raised, so one broken response does not
hide the rest of the spec.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gacheck.collectors.openapi.load import Document, SpecLoadError
from gacheck.collectors.openapi.policy import Policy, normalize_code
from gacheck.collectors.openapi.refs import RefError, RefResolver, Tokens

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Problem:
    """A violation (``missing-headers``, ``no-responses``) or a ref that cannot be followed."""

    code: str
    message: str
    file: str
    line: int | None


@dataclass
class SpecReport:
    spec: str
    version: str = ""
    operations: int = 0
    responses_checked: int = 0
    responses_not_checked: int = 0
    exempt: list[dict[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_keys: list[str] = field(default_factory=list)
    external_files: set[str] = field(default_factory=set)

    def count(self, code: str) -> int:
        return sum(1 for p in self.problems if p.code == code)


def detect_version(data: Any, location: str) -> str:
    """``"openapi 3.0.3"`` or ``"swagger 2.0"``; ``SpecLoadError`` saying why otherwise."""
    if not isinstance(data, dict):
        raise SpecLoadError(
            f"{location}: not an OpenAPI document (top level is {type(data).__name__})"
        )
    if "openapi" in data:
        version = str(data["openapi"])
        if version.startswith(("3.0", "3.1")):
            return f"openapi {version}"
        raise SpecLoadError(
            f"{location}: unsupported OpenAPI version {version!r} (3.0 and 3.1 are)"
        )
    if "swagger" in data:
        version = str(data["swagger"])
        if version.startswith("2.0"):
            return f"swagger {version}"
        raise SpecLoadError(f"{location}: unsupported Swagger version {version!r} (2.0 is)")
    raise SpecLoadError(f'{location}: not an OpenAPI document (no "openapi" or "swagger" key)')


class _Walk:
    def __init__(self, report: SpecReport, resolver: RefResolver, display: Callable[[str], str]):
        self.report = report
        self.resolver = resolver
        self.display = display
        self._seen: set[Problem] = set()
        # Shared responses (components) are read once; the spec's objects live as long as we do.
        self._declared: dict[int, frozenset[str]] = {}

    def problem(self, code: str, message: str, doc: Document, tokens: Tokens) -> None:
        found = Problem(code, message, self.display(doc.location), doc.line_of(tokens))
        if found not in self._seen:  # the same broken shared object is reported once per place
            self._seen.add(found)
            self.report.problems.append(found)

    def resolve(
        self, value: Any, doc: Document, tokens: Tokens
    ) -> tuple[Any, Document, Tokens] | None:
        try:
            return self.resolver.resolve(value, doc, tokens)
        except RefError as exc:
            self.problem("ref-error", str(exc), doc, tokens)
            return None

    def parameters(self, owner: dict[str, Any], doc: Document, tokens: Tokens) -> None:
        """Parameters carry no response headers, but a broken ref among them is still broken."""
        params = owner.get("parameters")
        if isinstance(params, list):
            for index, param in enumerate(params):
                self.resolve(param, doc, (*tokens, "parameters", str(index)))

    def path_item(self, path: str, raw: Any, doc: Document, policy: Policy) -> None:
        tokens: Tokens = ("paths", path)
        found = self.resolve(raw, doc, tokens)
        if found is None or not isinstance(found[0], dict):
            return
        item, item_doc, item_tokens = found
        if isinstance(raw, dict) and "$ref" in raw:
            # Fields beside a path item's $ref complete the referenced item (3.1 allows it).
            item = {**item, **{k: v for k, v in raw.items() if k != "$ref"}}
        self.parameters(item, item_doc, item_tokens)
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                self.operation(path, method, operation, item_doc, (*item_tokens, method), policy)

    def operation(
        self,
        path: str,
        method: str,
        op: dict[str, Any],
        doc: Document,
        tokens: Tokens,
        policy: Policy,
    ) -> None:
        self.report.operations += 1
        label = f"{method.upper()} {path}"
        exemption = policy.exemption(path, method)
        if exemption is not None:
            self.report.exempt.append({"operation": label, "reason": exemption.reason})
            return
        self.parameters(op, doc, tokens)
        found = self.resolve(op.get("responses"), doc, (*tokens, "responses"))
        responses = found[0] if found else None
        if found and not (isinstance(responses, dict) and responses):
            self.problem("no-responses", f"{label}: no responses declared", doc, tokens)
            return
        for key, response in (responses or {}).items():
            code = normalize_code(key)
            if code is None:
                if not str(key).startswith("x-"):
                    self.report.ignored_keys.append(f"{label}: response key {key!r}")
                continue
            required = policy.required(path, method, code)
            if required is None:
                self.report.responses_not_checked += 1
                continue
            self.report.responses_checked += 1
            self.response(f"{label} {code}", response, required, doc, (*tokens, "responses", key))

    def response(
        self, label: str, raw: Any, required: list[str], doc: Document, tokens: Tokens
    ) -> None:
        found = self.resolve(raw, doc, tokens)
        if found is None:
            return
        response, resp_doc, resp_tokens = found
        declared = self._declared.get(id(response))
        if declared is None:
            declared = self._declared[id(response)] = self.declared(response, resp_doc, resp_tokens)
        missing = [name for name in required if name.lower() not in declared]
        if missing:
            self.problem(
                "missing-headers", f"{label}: missing header(s) {', '.join(missing)}", doc, tokens
            )

    def declared(self, response: Any, resp_doc: Document, resp_tokens: Tokens) -> frozenset[str]:
        """Lower-cased names of the headers a (resolved) response declares."""
        headers_found = self.resolve(
            response.get("headers") if isinstance(response, dict) else None,
            resp_doc,
            (*resp_tokens, "headers"),
        )
        headers = headers_found[0] if headers_found else None
        declared: set[str] = set()
        if isinstance(headers, dict):
            for name, header in headers.items():
                declared.add(str(name).lower())
                # The key names the header; its object must still resolve for the spec to be valid.
                self.resolve(header, headers_found[1], (*headers_found[2], name))  # type: ignore[index]
        return frozenset(declared)


def check_spec(
    doc: Document,
    policy: Policy,
    load: Callable[[str], Document],
    display: Callable[[str], str] = str,
    confined_to: str | None = None,
) -> SpecReport:
    """Judge one parsed spec; ``SpecLoadError`` if it is not a spec we can read.

    Refs reach only files inside ``confined_to`` (see ``RefResolver``)."""
    report = SpecReport(spec=display(doc.location), version=detect_version(doc.data, doc.location))
    paths = doc.data.get("paths")
    if paths is not None and not isinstance(paths, dict):
        raise SpecLoadError(f'{display(doc.location)}: "paths" is not a mapping')
    resolver = RefResolver(doc, load, display, confined_to)
    walk = _Walk(report, resolver, display)
    for path, item in (paths or {}).items():
        if isinstance(path, str) and path.startswith("/"):
            walk.path_item(path, item, doc, policy)
    report.external_files = set(resolver.external)
    return report
