"""The audit as SARIF 2.1.0, for code scanning (``gacheck evaluate --sarif FILE``).

One result per finding that has a location (a file, and a line when the gate knows it): the
OpenAPI header guard's operations, pip-audit's pins, git batches' regressed files, the ruff
budget's diagnostics. The rule is the gate's kind (``gacheck/openapi_headers``); the level
follows the gate's status (fail: error, warn, error and no data: warning, else note; a waived
gate's results carry the waiver as a suppression). The run links the audit it came from.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from gacheck.core.models import Audit, Finding, GateResult, Status

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVELS = {Status.FAIL: "error", Status.WARN: "warning", Status.ERROR: "warning",
          Status.NO_DATA: "warning"}


def rule_id(kind: str) -> str:
    return f"gacheck/{kind}"


def _uri(file: str, repo: str | None) -> str | None:
    """A path relative to the repository root, as a URI reference; None for one outside it."""
    path = PurePath(file)
    if path.is_absolute():
        if repo is None:
            return None
        try:
            path = path.relative_to(repo)
        except ValueError:
            return None
    text = posixpath.normpath(path.as_posix())
    if text.startswith("../") or text == "..":
        return None
    return quote(text, safe="/")


def _result(gate: GateResult, finding: Finding, index: int, uri: str,
            audit_uri: str | None) -> dict[str, Any]:
    region = {"startLine": finding.line} if finding.line and finding.line > 0 else None
    location: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": SRCROOT}}
    if region:
        location["region"] = region
    result: dict[str, Any] = {
        "ruleId": rule_id(gate.kind),
        "ruleIndex": index,
        "level": LEVELS.get(gate.measured_status or gate.status, "note"),
        "message": {"text": f"{gate.title} ({gate.id}, {gate.status.value}): {finding.message}"},
        "locations": [{"physicalLocation": location}],
        "properties": {"gate": gate.id, "gateStatus": gate.status.value,
                       "code": finding.code, "severity": finding.severity},
    }
    if audit_uri:
        result["properties"]["audit"] = audit_uri
    if gate.status is Status.WAIVED:
        result["suppressions"] = [{"kind": "external", "justification": gate.message}]
    return result


def render_sarif(audit: Audit, audit_uri: str | None = None, repo: str | None = None) -> str:
    """The SARIF log of ``audit``; ``audit_uri`` (the JSON audit's path or URL) is linked from
    the run and every result; ``repo`` turns absolute finding paths into relative ones."""
    kinds = list(dict.fromkeys(g.kind for g in audit.gates))
    rules = [{"id": rule_id(kind), "name": kind,
              "shortDescription": {"text": f"gacheck {kind} gate"},
              "help": {"text": f"docs/gates/{kind}.md in gacheck"}}
             for kind in kinds]
    results = []
    for gate in audit.gates:
        for finding in gate.evidence.findings:
            uri = _uri(finding.file, repo) if finding.file else None
            if uri:
                results.append(_result(gate, finding, kinds.index(gate.kind), uri, audit_uri))
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "gacheck", "version": audit.tool_version, "rules": rules}},
        "automationDetails": {"id": f"gacheck/{audit.config_path}/"},
        "invocations": [{"executionSuccessful": True, "commandLine": " ".join(audit.command),
                         "endTimeUtc": audit.evaluated_at.strftime("%Y-%m-%dT%H:%M:%SZ")}],
        "results": results,
        "properties": {"verdict": audit.verdict.value, "score": audit.score,
                       "evaluatedAt": audit.evaluated_at.isoformat()},
    }
    if audit_uri:
        run["properties"]["audit"] = audit_uri
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
