"""``gacheck security-seeds``: Track E's issue seeds from a pip-audit report, trivial bumps apart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gacheck.collectors.pip_audit import parse_report
from gacheck.security.render import seed_markdown
from gacheck.security.seeds import judge_bump, lowest_fix, read_constraints, seeds

DATA = Path(__file__).parent / "data"
REPORT_DIR = "docs/audits/security/20261120"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A release checkout with Track E's report, its pins, and a cap that blocks one fix."""
    folder = tmp_path / REPORT_DIR
    folder.mkdir(parents=True)
    shutil.copy(DATA / "pip-audit-vulnerable.json", folder / "pip-audit.json")
    (tmp_path / "requirements.txt").write_text(
        "# pinned for the RC\njinja2==2.10\nrequests==2.19.1\nurllib3==1.23  # http\n"
        "-r extra.txt\n--hash=sha256:abc\n", encoding="utf-8")
    (tmp_path / "constraints.txt").write_text("requests<2.20\n", encoding="utf-8")
    config = tmp_path / "gates.toml"
    config.write_text(
        '[[gates]]\nid = "deps"\ntitle = "Dependencies"\nkind = "pip_audit"\nblocking = false\n'
        'report = "docs/audits/security/*/pip-audit.json"\n', encoding="utf-8")
    return tmp_path


def test_one_seed_per_vulnerability_with_trivial_bumps_apart(repo: Path, run_cli) -> None:
    done = run_cli("security-seeds", "--repo", str(repo), "--config", str(repo / "gates.toml"))
    assert done.code == 0, done.err
    assert "4 issue seeds" in done.out and "2 trivial bumps" in done.out
    out = repo / REPORT_DIR / "issue-seeds"
    assert sorted(p.name for p in out.iterdir()) == [
        "index.md", "jinja2-PYSEC-2019-217.md", "requests-PYSEC-2018-28.md",
        "urllib3-GHSA-example-nofix-0001.md", "urllib3-PYSEC-2019-133.md"]
    index = (out / "index.md").read_text(encoding="utf-8").replace("\\", "")  # unescaped
    trivial, rest = index.split("## Not trivial")
    assert "jinja2" in trivial and "urllib3-PYSEC-2019-133" in trivial
    assert "requests" in rest and "constraints.txt:1" in rest  # requests<2.20 blocks 2.20.0
    assert "no fixed release" in rest
    seed = (out / "jinja2-PYSEC-2019-217.md").read_text(encoding="utf-8")
    assert seed.startswith("# security: CVE")
    for section in ("## Vulnerability Details", "**Current Version**: `2.10`",
                    "**Fixed Version**: `2.10.1`", "`CVE-2019-10906`", "## Mitigation Plan",
                    "- [ ] Run the full test suite",
                    f"pip-audit report: `{REPORT_DIR}/pip-audit.md`"):
        assert section in seed
    # the report the seeds link to is written beside the JSON, skipped dependencies included
    report_md = (repo / REPORT_DIR / "pip-audit.md").read_text(encoding="utf-8")
    assert "PYSEC-2019-133" in report_md.replace("\\", "") and "gacheck" in report_md


def test_the_newest_report_of_the_gate_is_used(repo: Path, run_cli) -> None:
    older = repo / "docs/audits/security/20261001"
    older.mkdir(parents=True)
    (older / "pip-audit.json").write_text('{"dependencies": []}', encoding="utf-8")
    done = run_cli("security-seeds", "--repo", str(repo), "--config", str(repo / "gates.toml"),
                   "--out", str(repo / "seeds"))
    assert done.code == 0, done.err
    assert (repo / "seeds" / "index.md").is_file()
    assert not (older / "pip-audit.md").exists()


def test_a_missing_report_is_one_line_and_exit_2(tmp_path: Path, run_cli) -> None:
    done = run_cli("security-seeds", "--report", str(tmp_path / "nope.json"),
                   "--repo", str(tmp_path))
    assert done.code == 2
    assert done.err.count("\n") == 1 and "report not found" in done.err


def test_gh_lines_carry_hostile_advisory_text_verbatim_and_run_nothing(
    repo: Path, run_cli, tmp_path: Path
) -> None:
    """Printed lines are pasted into a shell: a description must not end a quote or run."""
    report = json.loads((DATA / "pip-audit-vulnerable.json").read_text(encoding="utf-8"))
    hostile = "x' $(touch pwned) `touch pwned2` \"\nEOF\ntouch pwned3\n"
    report["dependencies"][0]["vulns"][0]["description"] = hostile
    path = repo / REPORT_DIR / "pip-audit.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    done = run_cli("security-seeds", "--repo", str(repo), "--report", str(path),
                   "--format", "gh", "--gh-repo", "lukhas/lukhas")
    assert done.code == 0, done.err
    assert not (repo / REPORT_DIR / "issue-seeds").exists()  # printed, not written
    assert done.out.startswith("gh issue create ") and done.out.count("\ngh issue create ") == 3

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_gh = bin_dir / "gh"  # records its arguments, one JSON document per call
    fake_gh.write_text("#!/usr/bin/env python3\nimport json, sys\n"
                       "open(sys.argv[0] + '.calls', 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n",
                       encoding="utf-8")
    fake_gh.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    subprocess.run(["bash", "-c", done.out], cwd=work, check=True,
                   env={"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin"})
    assert list(work.iterdir()) == []  # nothing in the description ran
    calls = [json.loads(line) for line in (bin_dir / "gh.calls").read_text().splitlines()]
    assert [c[:7] for c in calls][0] == ["issue", "create", "--title",
                                         "security: CVE-2019-10906 in jinja2", "--label",
                                         "security", "--repo"]
    found = seeds(parse_report(json.dumps(report), "report"),
                  read_constraints([("constraints.txt", "requests<2.20\n")]))
    assert calls[0][calls[0].index("--body") + 1] == seed_markdown(
        found[0], f"{REPORT_DIR}/pip-audit.md")


@pytest.mark.parametrize(("current", "fixed", "constraints", "trivial", "why"), [
    ("2.10", "2.10.1", "", True, "same major version (2.x)"),
    ("1.26.5", "2.0.7", "", False, "crosses a major version (1 → 2)"),
    ("2.19.1", "2.20.0", "requests>=2,<2.20", False, "breaks a pinned constraint"),
    ("2.19.1", "2.20.0", "requests==2.19.1", True, "same major"),  # the pin is what's bumped
    ("2.19.1", "2.20.0", "requests~=2.19", True, "same major"),
    ("2.19.1", None, "", False, "no fixed release"),
    ("main", "2.0", "", False, "cannot compare"),
])
def test_what_makes_a_bump_trivial(current, fixed, constraints, trivial, why) -> None:
    read = read_constraints([("constraints.txt", constraints)])
    assert judge_bump("Requests", current, fixed, read)[0] is trivial
    assert why in judge_bump("Requests", current, fixed, read)[1]


def test_the_lowest_fix_above_the_installed_version() -> None:
    assert lowest_fix("1.23", ["2.0.2", "1.24.2", "1.0"]) == "1.24.2"
    assert lowest_fix("1.23", []) is None
    assert lowest_fix("1.23", ["1.0"]) is None  # nothing newer fixes it


def test_a_fifo_as_requirements_file_is_refused_not_waited_on(repo: Path, run_cli) -> None:
    fifo = repo / "requirements-fifo.txt"
    os.mkfifo(fifo)
    done = run_cli("security-seeds", "--repo", str(repo), "--config", str(repo / "gates.toml"),
                   "--requirements", str(fifo))
    assert done.code == 2 and "not a regular file" in done.err
