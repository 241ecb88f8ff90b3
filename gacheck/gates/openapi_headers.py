"""``openapi_headers``: every response of every operation declares the rate-limit and trace headers.

The value is the number of problems: responses missing a required header, operations with no
responses, and ``$ref``s that cannot be followed (a response we cannot read is one we cannot
vouch for). Each spec is judged on its own; no operation found anywhere is ``no_data``, so
"0 violations in 0 operations" can never pass.
"""

from __future__ import annotations

import functools
import glob
import os
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from gacheck.collectors.openapi import header_guard as openapi
from gacheck.collectors.openapi import load as openapi_load
from gacheck.collectors.openapi.policy import Exemption, Policy, Rule, normalize_code
from gacheck.config.model import GateSpec
from gacheck.context import Context
from gacheck.core.errors import GateError
from gacheck.core.models import Evidence, Finding, Status
from gacheck.core.safe_files import root_for
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params

DEFAULT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Trace-Id"]
DEFAULT_SPECS = ["docs/openapi/**/*.json", "docs/openapi/**/*.yaml", "docs/openapi/**/*.yml"]


def _codes(values: Any) -> list[str]:
    if not isinstance(values, list):
        raise ValueError(f'expected a list of statuses like ["2XX", 429], got {values!r}')
    codes = []
    for value in values:
        code = normalize_code(value)
        if code is None:
            raise ValueError(f'expected a status like 200, "2XX" or "default", got {value!r}')
        codes.append(code)
    return codes


StatusList = Annotated[list[str], BeforeValidator(_codes)]


class RuleParams(Params):
    require: list[str] = Field(
        default_factory=list, description="headers added for these responses"
    )
    ignore: list[str] = Field(default_factory=list, description="headers not required for them")
    status: StatusList = Field(default_factory=list, description='"429", "5XX"; empty: all')
    paths: list[str] = Field(default_factory=list, description="fnmatch patterns; empty: all")
    methods: list[str] = Field(default_factory=list, description="empty: all")


class ExemptParams(Params):
    path: str = Field(min_length=1, description='fnmatch pattern, e.g. "/healthz" or "/internal/*"')
    reason: str = Field(min_length=1)
    methods: list[str] = Field(default_factory=list)


class OpenapiHeadersParams(Params):
    specs: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SPECS),
        min_length=1,
        description="files, globs (relative to the repository root) or http(s) URLs",
    )
    classes: StatusList = Field(
        default_factory=lambda: ["2XX", "4XX", "5XX", "default"],
        min_length=1,
        description="responses checked: ranges, exact codes or default",
    )
    require: list[str] = Field(default_factory=lambda: list(DEFAULT_HEADERS))
    rules: list[RuleParams] = Field(
        default_factory=lambda: [RuleParams(status=["429"], require=["Retry-After"])],
        description="giving rules replaces the default (Retry-After on 429)",
    )
    exempt: list[ExemptParams] = Field(default_factory=list)
    listed: int = Field(default=50, ge=0, description="violations shown in the Markdown report")

    def policy(self) -> Policy:
        return Policy.build(
            classes=self.classes,
            require=self.require,
            rules=[
                Rule(
                    tuple(r.require),
                    tuple(r.ignore),
                    tuple(r.status),
                    tuple(r.paths),
                    tuple(r.methods),
                )
                for r in self.rules
            ],
            exempt=[Exemption(e.path, e.reason, tuple(e.methods)) for e in self.exempt],
        )


def find_specs(patterns: list[str], ctx: Context) -> tuple[list[str], list[str]]:
    """Spec locations (paths or URLs) in a stable order, and the patterns that matched nothing."""
    found: list[str] = []
    unmatched: list[str] = []
    for pattern in patterns:
        if openapi_load.is_url(pattern):
            found.append(pattern)
            continue
        full = str(ctx.resolve(pattern))
        matches = sorted(glob.glob(full, recursive=True)) if glob.has_magic(pattern) else [full]
        matches = [m for m in matches if not os.path.isdir(m)]
        if not matches:
            unmatched.append(pattern)
        found.extend(os.path.normpath(m) if not openapi_load.is_url(m) else m for m in matches)
    return list(dict.fromkeys(found)), unmatched


class OpenapiHeadersGate(GateKind):
    params: ClassVar[type[Params]] = OpenapiHeadersParams
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, Any]] = {"max": 0}
    reads_repository: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        params: OpenapiHeadersParams = gate.params
        policy = params.policy()
        locations, unmatched = find_specs(params.specs, ctx)
        if not locations:
            raise GateError(f"no OpenAPI spec found: nothing matches {', '.join(params.specs)}")
        display = _display(ctx)
        timeout = max(gate.timeout / 2, 1.0)
        cache: dict[str, openapi_load.Document] = {}

        def load(location: str) -> openapi_load.Document:
            if location not in cache:
                cache[location] = openapi_load.load(location, timeout, _root(location, ctx))
            return cache[location]

        reports: list[openapi.SpecReport] = []
        failures: dict[str, str] = {}
        for location in locations:
            try:
                reports.append(openapi.check_spec(
                    load(location), policy, load, display, _root(location, ctx)
                ))
            except openapi_load.SpecLoadError as exc:
                failures[location] = str(exc)
        # A file other specs point into is a fragment, not a spec of its own.
        referenced = set().union(*(r.external_files for r in reports))
        fragments = sorted(display(loc) for loc in failures if loc in referenced)
        errors = {display(k): v for k, v in failures.items() if display(k) not in fragments}
        return _measurement(params, reports, errors, fragments, unmatched)


def _root(location: str, ctx: Context) -> str | None:
    """What a spec and its refs are confined to: the repository, or the folder of a spec the
    config names outside it; nothing for a spec fetched from a URL."""
    if openapi_load.is_url(location):
        return None
    return str(root_for(location, ctx.repo))


def _display(ctx: Context) -> Any:
    """Paths relative to the repository root, as CI annotations want them."""

    @functools.lru_cache(maxsize=256)
    def display(location: str) -> str:
        if openapi_load.is_url(location):
            return location
        try:
            return Path(location).relative_to(ctx.repo).as_posix()
        except ValueError:
            return location

    return display


def _measurement(
    params: OpenapiHeadersParams,
    reports: list[openapi.SpecReport],
    errors: dict[str, str],
    fragments: list[str],
    unmatched: list[str],
) -> Measurement:
    problems = [p for r in reports for p in r.problems]
    operations = sum(r.operations for r in reports)
    checked = sum(r.responses_checked for r in reports)
    per_spec: list[dict[str, Any]] = [
        {
            "spec": r.spec,
            "version": r.version,
            "operations": r.operations,
            "responses_checked": r.responses_checked,
            "responses_not_checked": r.responses_not_checked,
            "exempt_operations": len(r.exempt),
            "violations": r.count("missing-headers") + r.count("no-responses"),
            "ref_errors": r.count("ref-error"),
        }
        for r in reports
    ]
    details: dict[str, Any] = {
        "specs": per_spec,
        "spec_errors": dict(sorted(errors.items())),
        "fragments": fragments,
        "operations": operations,
        "responses_checked": checked,
        "violations": sum(s["violations"] for s in per_spec),
        "ref_errors": sum(s["ref_errors"] for s in per_spec),
        "required": list(params.require),
        "classes": [str(c) for c in params.classes],
        "exempt": [e for r in reports for e in r.exempt],
        "listed": params.listed,
    }
    notes = [f"{r.spec}: no operations" for r in reports if r.operations == 0]
    notes += [f"pattern matched no file: {p}" for p in unmatched]
    notes += [f"{f}: a fragment other specs refer to, not judged on its own" for f in fragments]
    notes += [key for r in reports for key in r.ignored_keys[:20]]
    evidence = Evidence(
        findings=[
            Finding(message=p.message, code=p.code, file=p.file, line=p.line) for p in problems
        ],
        findings_total=len(problems),
        details=details,
        notes=notes,
    )
    summary = (
        f"{details['violations']} violation(s), {details['ref_errors']} unresolvable $ref(s) in "
        f"{operations} operation(s), {checked} response(s) checked across {len(reports)} spec(s)"
    )
    if problems:
        worst = max(per_spec, key=lambda s: s["violations"] + s["ref_errors"])
        summary += f"; most in {worst['spec']} ({worst['violations'] + worst['ref_errors']})"
    if errors:
        reasons = "; ".join(errors.values())
        return Measurement(
            float(len(problems)), f"{summary}; cannot read: {reasons}", evidence, Status.ERROR
        )
    # Returned rather than raised so that the per-spec counts stay in the evidence.
    if operations == 0:
        message = f"no operation found in {len(reports)} spec(s): nothing to check"
        return Measurement(None, message, evidence, Status.NO_DATA)
    if checked == 0:
        message = f"{operations} operation(s) found, none with a response to check"
        return Measurement(None, message, evidence, Status.NO_DATA)
    return Measurement(float(len(problems)), summary, evidence)
