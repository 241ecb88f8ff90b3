"""The audit as JUnit XML: one test case per gate, for CI test reporters.

Follows the widely read "Jenkins JUnit" layout (GitLab, Jenkins and GitHub reporters accept
it): ``fail`` is a ``<failure>``, ``error``/``no_data`` an ``<error>``, ``skipped``/``waived`` a
``<skipped>``. The evidence summary goes into the element's text so a reporter shows it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from gacheck.core.models import Audit, GateResult, Status
from gacheck.core.units import format_value

# Characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FINDINGS_SHOWN = 50


def _clean(text: object) -> str:
    # A bare CR would reach the reader as LF anyway (XML end-of-line handling): say so plainly.
    plain = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", plain)


def evidence_summary(gate: GateResult) -> str:
    """What a person needs to judge the gate from the CI page: value, threshold, evidence."""
    ev = gate.evidence
    lines = [
        f"{gate.id} ({gate.kind}): {gate.status.value}",
        f"message: {gate.message}",
        f"value: {format_value(gate.value, gate.unit)}; threshold: {gate.threshold.describe()}",
    ]
    if gate.measured_status:
        lines.append(f"measured status before waiver: {gate.measured_status.value}")
    lines.extend(f"note: {note}" for note in ev.notes)
    for finding in ev.findings[:_FINDINGS_SHOWN]:
        where = f"{finding.file}:{finding.line}" if finding.file and finding.line else finding.file
        parts = [finding.severity, where, finding.code, finding.message]
        lines.append("finding: " + " ".join(p for p in parts if p))
    total = ev.findings_total or len(ev.findings)
    if total > _FINDINGS_SHOWN:
        lines.append(f"... {total - _FINDINGS_SHOWN} more findings in the JSON audit")
    for query in ev.queries:
        lines.append(f"promql ({query.kind}): {query.promql}")
    for command in ev.commands:
        lines.append(f"command: {' '.join(command.argv)} (exit {command.exit_code})")
    return "\n".join(lines)


def _testcase(suite: ET.Element, gate: GateResult) -> tuple[str, ...]:
    case = ET.SubElement(
        suite,
        "testcase",
        name=_clean(f"{gate.id}: {gate.title}"),
        classname=_clean(f"gacheck.{gate.kind}"),
        time=f"{gate.duration_s:.3f}",
    )
    summary = _clean(evidence_summary(gate))
    message = _clean(gate.message)
    if gate.status is Status.FAIL:
        ET.SubElement(case, "failure", message=message, type="fail").text = summary
        return ("failures",)
    if gate.status in (Status.ERROR, Status.NO_DATA):
        ET.SubElement(case, "error", message=message, type=gate.status.value).text = summary
        return ("errors",)
    if gate.status in (Status.SKIPPED, Status.WAIVED):
        ET.SubElement(case, "skipped", message=_clean(f"{gate.status.value}: {gate.message}"))
        ET.SubElement(case, "system-out").text = summary
        return ("skipped",)
    ET.SubElement(case, "system-out").text = summary  # pass and warn: no failure element
    return ()


def render_junit(audit: Audit) -> str:
    """The XML document as text (UTF-8 declared), deterministic for one audit."""
    counts = {"tests": len(audit.gates), "failures": 0, "errors": 0, "skipped": 0}
    total_time = sum(g.duration_s for g in audit.gates)
    root = ET.Element("testsuites", name="gacheck")
    suite = ET.SubElement(
        root,
        "testsuite",
        name="gacheck GA readiness",
        timestamp=audit.evaluated_at.strftime("%Y-%m-%dT%H:%M:%S"),  # the schema wants no zone
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("verdict", audit.verdict.value),
        ("score", f"{audit.score:g}"),
        ("evaluated_at", audit.evaluated_at.isoformat()),
        ("config", audit.config_path),
        ("config_sha256", audit.config_sha256),
        ("report_only", str(audit.report_only).lower()),
        ("tool_version", audit.tool_version),
    ):
        ET.SubElement(properties, "property", name=name, value=_clean(value))
    for gate in audit.gates:
        for counter in _testcase(suite, gate):
            counts[counter] += 1
    suite_out = ET.SubElement(suite, "system-out")
    suite_out.text = _clean(
        f"verdict: {audit.verdict.value}, score {audit.score:g}/100\n" + "\n".join(audit.notes)
    )
    for element in (root, suite):
        for key in ("tests", "failures", "errors", "skipped"):
            if element is root and key == "skipped":
                continue  # not an attribute of <testsuites> in the schema
            element.set(key, str(counts[key]))
        element.set("time", f"{total_time:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"

