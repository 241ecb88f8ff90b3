"""pip_audit on recorded reports of pip-audit's real JSON format, and once on pip-audit itself."""

from __future__ import annotations

import json
import shutil
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.clock import day, on, stamp

DATA = Path(__file__).parent / "data"
THE_DAY = day(1)  # over: a future --at is refused
AT = stamp(on(THE_DAY, "12:00"))

GATE = """\
    id = "dependency_vulnerabilities"
    kind = "pip_audit"
    title = "Dependency vulnerabilities"
    blocking = false
    {extra}
"""


def gate(extra: str) -> str:
    return GATE.format(extra=extra)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for folder in ("20251001", "20251014"):
        (root / "docs/audits/security" / folder).mkdir(parents=True)
    shutil.copy(DATA / "pip-audit-service-unreachable.json",
                root / "docs/audits/security/20251001/pip-audit.json")
    shutil.copy(DATA / "pip-audit-vulnerable.json",
                root / "docs/audits/security/20251014/pip-audit.json")
    return root


def test_counts_vulnerabilities_with_package_version_aliases_and_fixes(repo, gate_result) -> None:
    result = gate_result(gate('report = "docs/audits/security/*/pip-audit.json"'), repo,
                         "--at", AT)
    assert result["value"] == 4
    assert result["status"] == "fail"
    details = result["evidence"]["details"]
    assert details["source"] == "docs/audits/security/20251014/pip-audit.json"  # newest wins
    assert details["audited"] == 4
    first = details["vulnerabilities"][0]
    assert first == {
        "package": "jinja2", "version": "2.10", "id": "PYSEC-2019-217",
        "aliases": ["CVE-2019-10906", "GHSA-462w-v97r-4m45"], "fix_versions": ["2.10.1"],
        "description": "In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.",
    }
    assert [(v["package"], v["id"]) for v in details["vulnerabilities"]] == [
        ("jinja2", "PYSEC-2019-217"), ("requests", "PYSEC-2018-28"),
        ("urllib3", "GHSA-example-nofix-0001"), ("urllib3", "PYSEC-2019-133"),
    ]
    assert details["skipped_dependencies"][0]["name"] == "gacheck"
    assert [f["code"] for f in result["evidence"]["findings"]][0] == "PYSEC-2019-217"


def test_only_fixable_leaves_out_advisories_without_a_fix(repo, gate_result) -> None:
    extra = 'report = "docs/audits/security/20251014/pip-audit.json"\nonly_fixable = true'
    result = gate_result(gate(extra), repo, "--at", AT)
    assert result["value"] == 3
    assert [v["id"] for v in result["evidence"]["details"]["not_fixable"]] == [
        "GHSA-example-nofix-0001"
    ]


def test_ignores_apply_by_id_or_alias_until_they_expire(repo, gate_result) -> None:
    later, expired = THE_DAY + timedelta(days=36), THE_DAY - timedelta(days=1)
    extra = f"""report = "docs/audits/security/20251014/pip-audit.json"
    ignore = [
      {{ id = "CVE-2018-18074", reason = "no redirects to http in our client", expires = {later} }},
      {{ id = "PYSEC-2019-217", reason = "sandbox not used", expires = {expired} }},
    ]"""
    result = gate_result(gate(extra), repo, "--at", AT)
    assert result["value"] == 3
    ignored = result["evidence"]["details"]["ignored"]
    assert [(i["id"], i["reason"]) for i in ignored] == [
        ("PYSEC-2018-28", "no redirects to http in our client")
    ]
    assert f"ignore of PYSEC-2019-217 expired on {expired}; it counts again" in \
        result["evidence"]["notes"]
    on_last_day = gate_result(gate(extra), repo, "--at", stamp(on(expired, "23:59:59")))
    assert on_last_day["value"] == 2


def test_skipped_dependencies_warn_even_when_nothing_is_found(repo, gate_result, tmp_path) -> None:
    report = json.loads((DATA / "pip-audit-vulnerable.json").read_text())
    for dep in report["dependencies"]:
        dep.get("vulns", []).clear()
    (repo / "clean.json").write_text(json.dumps(report))
    result = gate_result(gate('report = "clean.json"'), repo, "--at", AT)
    assert (result["value"], result["status"]) == (0, "warn")
    assert any("not audited by pip-audit (1): gacheck" in n
               for n in result["evidence"]["notes"])
    quiet = gate_result(gate('report = "clean.json"\nskipped = "note"'), repo, "--at", AT)
    assert quiet["status"] == "pass"
    strict = gate_result(gate('report = "clean.json"\nskipped = "error"'), repo, "--at", AT)
    assert strict["status"] == "error"


def test_a_report_where_nothing_was_audited_is_an_error(repo, gate_result) -> None:
    extra = 'report = "docs/audits/security/20251001/pip-audit.json"'
    result = gate_result(gate(extra), repo, "--at", AT)
    assert result["status"] == "error"
    assert "could not audit any of 8 dependencies" in result["message"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[]", "not a pip-audit JSON report"),
        ('{"bomFormat": "CycloneDX", "components": []}', "not a pip-audit JSON report"),
        ('{"dependencies": [{"name": "x", "version": "1"}]}', "not a pip-audit JSON report"),
        ("No known vulnerabilities found", "not JSON"),
        # a hostile report: the decoder's RecursionError used to reach the user as "internal
        # error in gate kind pip_audit"; it is said with the depth and the line
        ('{"dependencies":\n' + "[" * 100_000 + "]" * 100_000 + "}",
         "report.json: nested too deeply to read: 100,001 levels of arrays and objects "
         "(the deepest at line 2)"),
    ],
)
def test_not_a_pip_audit_report_is_an_error(repo, gate_result, content, expected) -> None:
    (repo / "report.json").write_text(content)
    result = gate_result(gate('report = "report.json"'), repo, "--at", AT)
    assert result["status"] == "error"
    assert expected in result["message"]
    assert result["value"] is None


def test_an_old_report_cannot_pass_max_age_on_by_default(repo, gate_result) -> None:
    dated = day(16)  # 14 days before the day before yesterday, 15 before yesterday
    clean = repo / f"docs/audits/security/{dated:%Y%m%d}/clean.json"
    clean.parent.mkdir(parents=True)
    clean.write_text('{"dependencies": [{"name": "jinja2", "version": "3.1.4", "vulns": []}]}')
    body = 'report = "docs/audits/security/*/clean.json"'  # default max_age: 14 days
    fresh = gate_result(gate(body), repo, "--at", stamp(on(day(2), "12:00")))
    assert (fresh["status"], fresh["value"]) == ("pass", 0)
    stale = gate_result(gate(body), repo, "--at", stamp(on(day(1), "12:00")))
    assert (stale["status"], stale["value"]) == ("no_data", None)
    assert f"15 days old (dated {dated})" in stale["message"]
    assert stale["evidence"]["details"]["audited"] == 1
    longer = gate_result(gate(body + '\nmax_age = "30d"'), repo, "--at", stamp(on(day(1), "12:00")))
    assert longer["status"] == "pass"


def test_an_old_failing_report_still_fails(repo, gate_result) -> None:
    result = gate_result(gate('report = "docs/audits/security/20251014/pip-audit.json"'), repo,
                         "--at", AT)
    assert (result["status"], result["value"]) == ("fail", 4)
    assert any("days old" in n for n in result["evidence"]["notes"])


def test_a_report_without_a_date_in_its_path_is_dated_by_its_file_time(repo, gate_result) -> None:
    import os

    report = repo / "clean.json"
    report.write_text('{"dependencies": [{"name": "jinja2", "version": "3.1.4", "vulns": []}]}')
    written = on(THE_DAY, "12:00") - timedelta(days=5)
    os.utime(report, (written.timestamp(), written.timestamp()))
    recent = gate_result(gate('report = "clean.json"'), repo, "--at", AT)
    assert recent["status"] == "pass"
    assert any(f"dated by its file time {stamp(written)}" in n
               for n in recent["evidence"]["notes"])
    # written 35 days before --at (a future --at is refused, so the file is made older)
    written = on(THE_DAY, "12:00") - timedelta(days=35)
    os.utime(report, (written.timestamp(), written.timestamp()))
    old = gate_result(gate('report = "clean.json"'), repo, "--at", AT)
    assert old["status"] == "no_data" and "35 days old" in old["message"]


def test_a_report_that_audited_no_dependency_cannot_pass(repo, gate_result) -> None:
    (repo / "empty.json").write_text('{"dependencies": [], "fixes": []}')
    result = gate_result(gate('report = "empty.json"'), repo, "--at", AT)
    assert (result["status"], result["value"]) == ("no_data", None)
    assert "lists no dependency" in result["message"]


def test_missing_report_is_an_error(repo, gate_result) -> None:
    result = gate_result(gate('report = "docs/audits/security/*/nothing.json"'), repo)
    assert result["status"] == "error"
    assert "no report matches" in result["message"]


def test_exactly_one_source_is_required(repo, run_cli, write_config) -> None:
    config = write_config("[[gates]]\n" + gate('report = "a.json"\nenvironment = true'))
    done = run_cli("validate", "--config", str(config))
    assert done.code == 2
    assert "exactly one of report, requirements, or environment" in done.err


def test_pip_audit_that_cannot_run_is_an_error(repo, gate_result, tmp_path) -> None:
    (repo / "requirements.txt").write_text("jinja2==2.10\n")
    result = gate_result(gate('requirements = ["requirements.txt"]\n'
                              'executable = "/nonexistent/pip-audit"'), repo)
    assert result["status"] == "error"
    assert "command not found" in result["message"]


def test_markdown_table_is_ready_for_an_issue(repo, run_cli, write_config) -> None:
    config = write_config("[[gates]]\n" + gate('report = "docs/audits/security/*/pip-audit.json"'))
    done = run_cli("evaluate", "--config", str(config), "--repo", str(repo), "--no-write",
                   "--format", "markdown", "--at", AT)
    text = done.out
    assert "| Package | Installed | Vulnerability | Aliases | Fixed in |" in text
    assert "| jinja2 | 2.10 | PYSEC-2019-217 | CVE-2019-10906, GHSA-462w-v97r-4m45 " \
           "| 2.10.1 |" in text
    assert all("<b>" not in line for line in outside_fences(text))  # raw HTML only in code
    assert "security: bump jinja2 to 2.10.1 (PYSEC-2019-217)" in text


def outside_fences(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def _online() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.mark.network
def test_runs_pip_audit_for_real(tmp_path: Path, gate_result) -> None:
    if not _online():
        pytest.skip("pypi.org is not reachable")
    pytest.importorskip("pip_audit")
    (tmp_path / "requirements.txt").write_text("jinja2==2.10\n")
    result = gate_result(gate('requirements = ["requirements.txt"]\ntimeout = "300s"'), tmp_path)
    command = result["evidence"]["commands"][0]
    assert command["argv"][1:3] == ["-m", "pip_audit"]
    assert "--requirement" in command["argv"]
    if result["status"] == "error":  # the index answered, the vulnerability service did not
        assert "could not audit any of" in result["message"]
        assert "jinja2" in [d["name"] for d in result["evidence"]["details"]["skipped_dependencies"]]
    else:
        assert result["value"] >= 1
        assert any(v["package"] == "jinja2" for v in result["evidence"]["details"]["vulnerabilities"])
