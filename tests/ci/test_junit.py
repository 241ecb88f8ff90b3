"""JUnit XML: one test case per gate, statuses mapped, valid against the Jenkins JUnit schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from gacheck.core.models import Evidence, Finding, Status
from gacheck.reports.junit import render_junit
from tests.ci.ci_golden import assert_golden
from tests.ci.ci_samples import gate, sample_audit

SCHEMA = Path(__file__).parents[1] / "data" / "jenkins-junit.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def test_the_xml_matches_the_golden_file_and_the_schema(schema) -> None:
    text = render_junit(sample_audit())
    assert_golden("junit.xml", text)
    schema.validate(text)


def test_each_status_becomes_what_ci_reporters_expect(schema) -> None:
    root = ET.fromstring(render_junit(sample_audit()))
    suite = root.find("testsuite")
    assert suite is not None
    cases = {case.get("name", "").split(":")[0]: case for case in suite.iter("testcase")}
    assert list(cases) == ["smoke", "lint", "latency", "prometheus_down", "quiet_night",
                           "extra", "legacy"]
    assert [child.tag for child in cases["smoke"]] == ["system-out"]
    assert [child.tag for child in cases["latency"]] == ["system-out"]  # warn is not a failure
    assert cases["lint"].find("failure").get("message") == "130 > max 120; 2 diagnostics listed"
    assert cases["prometheus_down"].find("error").get("type") == "error"
    assert cases["quiet_night"].find("error").get("type") == "no_data"
    assert cases["extra"].find("skipped") is not None
    assert cases["legacy"].find("skipped").get("message") == "waived: 3 > max 0"
    # counts agree with the cases, on the suite and on the root
    assert suite.get("tests") == "7" and suite.get("failures") == "1"
    assert suite.get("errors") == "2" and suite.get("skipped") == "2"
    assert root.get("tests") == "7" and root.get("errors") == "2"


def test_the_evidence_summary_is_in_the_failure(schema) -> None:
    root = ET.fromstring(render_junit(sample_audit()))
    failure = root.find(".//testcase[@classname='gacheck.ruff_budget']/failure")
    assert failure is not None and failure.text is not None
    assert "value: 130; threshold: ≤ 120" in failure.text
    assert "finding: error lukhas/core/app.py:12 E402 Module level import" in failure.text


def test_text_that_xml_cannot_carry_is_replaced_and_markup_is_escaped(schema) -> None:
    hostile = gate(
        "hostile", Status.FAIL, 1.0, "bell \x07 and <tag> & ]]> end",
        evidence=Evidence(findings=[Finding(message="nul \x00 here")]),
    )
    text = render_junit(sample_audit(gates=[hostile]))
    schema.validate(text)
    failure = ET.fromstring(text).find(".//failure")
    assert failure is not None
    assert failure.get("message") == "bell \ufffd and <tag> & ]]> end"
    assert "nul \ufffd here" in (failure.text or "")


def test_junit_flag_writes_the_file_atomically(project, evaluate_in, schema) -> None:
    target = project / "reports" / "gacheck.xml"
    result = evaluate_in(project, "--no-write", "--junit", str(target))
    assert result.code == 0
    schema.validate(str(target))
    names = [c.get("name") for c in ET.parse(target).getroot().iter("testcase")]
    assert names == ["budget: Lint budget", "latency: p95 latency", "smoke: Smoke"]
    assert [p.name for p in target.parent.iterdir()] == ["gacheck.xml"]  # no temporary left
