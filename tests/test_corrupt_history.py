"""A bad earlier audit never aborts ``evaluate``, ``history`` or ``diff``: it is skipped, and
named once on stderr and in the new audit's notes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.support.clock import day, on, stamp

# days that are over (a future --at is refused): the good audit, the bad one, a later good
# one, and the day of the evaluation
D20, D21, D22, D25 = (str(day(n)) for n in (6, 5, 4, 1))


def at(when: str, clock: str = "12:00") -> str:
    return stamp(on(date.fromisoformat(when), clock))


CONFIG = """
[settings]
output_dir = "audits"

[[gates]]
id = "budget"
kind = "json_value"
title = "Budget"
file = "snapshot.json"
path = "total"
unit = "count"
threshold = { max = 120 }
"""

BAD = {
    "naive_timestamp": lambda d: d.update(evaluated_at=at(D21).removesuffix("Z")),
    "gates_not_a_list": lambda d: d.update(gates={"budget": 1}),
    "gates_not_objects": lambda d: d.update(gates=[1, "two", None]),
    "huge_value": lambda d: d["gates"][0].update(value=1.7e308),
    "huge_negative_value": lambda d: d["gates"][0].update(value=-1.7e308),
    "year_0001": lambda d: d.update(evaluated_at="0001-01-01T00:00:00Z"),
    "year_9999": lambda d: d.update(evaluated_at="9999-12-31T23:59:59+14:00"),
    "evaluated_at_a_number": lambda d: d.update(evaluated_at=5),
    "status_a_list": lambda d: d["gates"][0].update(status=["pass"]),
    "value_a_string": lambda d: d["gates"][0].update(value="90"),
    "threshold_a_list": lambda d: d["gates"][0].update(threshold=[1]),
    "findings_not_objects": lambda d: d["gates"][0].update(evidence={"findings": [3]}),
    "details_a_list": lambda d: d["gates"][0].update(evidence={"details": [1]}),
    "wrong_schema": lambda d: d.update(schema_version="1"),
    "schema_true": lambda d: d.update(schema_version=True),
}
RAW = {
    "invalid_json": "{\"schema_version\": 1, \"gat",
    "deeply_nested": "[" * 100_000 + "]" * 100_000,
    "not_utf8": b"\xff\xfe{}".decode("latin-1"),
    "a_list": "[1, 2, 3]",
    "empty": "",
    "bare_nan": f'{{"schema_version": 1, "evaluated_at": "{at(D21)}", "gates": [{{"id": "budget", "value": NaN}}]}}',
    "overflowing_number": f'{{"schema_version": 1, "evaluated_at": "{at(D21)}", "gates": [], "score": 1e400}}',
}


@pytest.fixture
def repo(tmp_path: Path, run_cli) -> Path:  # type: ignore[no-untyped-def]
    """A repository with one good audit, of ``D20``."""
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    (tmp_path / "gates.toml").write_text(CONFIG)
    assert evaluate(run_cli, tmp_path, at(D20)).code == 0
    return tmp_path


def evaluate(run_cli, root: Path, at: str):  # type: ignore[no-untyped-def]
    return run_cli("evaluate", "--config", str(root / "gates.toml"), "--repo", str(root),
                   "--at", at, "--no-charts")


def good_document(root: Path) -> dict:
    return json.loads((root / f"audits/{D20}/ga-readiness.json").read_text())


def plant(root: Path, day: str, text: str) -> Path:
    path = root / "audits" / day / "ga-readiness.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="latin-1" if "\xff" in text else "utf-8")
    return path


@pytest.mark.parametrize("name", sorted(BAD) + sorted(RAW))
def test_one_bad_earlier_audit_is_skipped_and_named_once(repo, run_cli, name) -> None:
    if name in BAD:
        document = good_document(repo)
        document["evaluated_at"] = at(D21)
        BAD[name](document)
        text = json.dumps(document)
    else:
        text = RAW[name]
    plant(repo, D21, text)

    result = evaluate(run_cli, repo, at(D25))
    assert result.code == 0, result.err
    assert result.err.count(f"{D21}/ga-readiness.json") == 1
    assert result.err.startswith(f"gacheck: earlier audit skipped: audits/{D21}/ga-readiness.json: ")
    audit = json.loads((repo / f"audits/{D25}/ga-readiness.json").read_text())
    notes = [n for n in audit["notes"] if D21 in n]
    assert len(notes) == 1 and notes[0].startswith(f"earlier audit skipped: audits/{D21}/")

    shown = run_cli("history", "--config", str(repo / "gates.toml"), "--repo", str(repo),
                    "--format", "json")
    assert shown.code == 0, shown.err
    assert shown.err.count(f"{D21}/ga-readiness.json") == 1
    assert D20 in json.loads(shown.out)["days"]

    compared = run_cli("diff", D20, D25, "--config", str(repo / "gates.toml"),
                       "--repo", str(repo))
    assert compared.code == 0, compared.err
    direct = run_cli("diff", str(repo / f"audits/{D21}/ga-readiness.json"),
                     D25, "--config", str(repo / "gates.toml"), "--repo", str(repo))
    if name != "gates_not_objects":  # an audit with no usable gate entry still compares
        assert direct.code == 2 and direct.err.startswith("gacheck: error: OLD: ")
        assert "internal error" not in direct.err and len(direct.err.splitlines()) == 1


def test_many_bad_audits_at_once_and_the_good_ones_still_make_the_trend(repo, run_cli) -> None:
    for index, name in enumerate(sorted(BAD)):
        document = good_document(repo)
        BAD[name](document)
        plant(repo, str(day(60 - index)), json.dumps(document))  # weeks before D20, in order
    document = good_document(repo)
    document["evaluated_at"] = at(D22)
    document["gates"][0]["value"] = 100
    plant(repo, D22, json.dumps(document))

    result = evaluate(run_cli, repo, at(D25))
    assert result.code == 0
    # gates_not_objects keeps its (empty) audit; year_9999 is skipped as implausible
    skipped = [line for line in result.err.splitlines() if "earlier audit skipped" in line]
    assert len(skipped) == len(BAD)
    markdown = (repo / f"audits/{D25}/ga-readiness.md").read_text()
    # the trend is made of the good audits only: 90 (D20), 100 (D22) and this evaluation's 90
    assert "## Trends" in markdown
    assert "| Budget | ▁█▁ | 90 | -10 |" in markdown


def test_a_day_whose_last_audit_is_corrupt_is_compared_through_its_last_good_one(
    repo, run_cli
) -> None:
    config = repo / "gates.toml"
    text = (repo / "gates.toml").read_text().replace(
        'path_template = "{date}/ga-readiness.{ext}"', "")
    config.write_text(text.replace('output_dir = "audits"',
                                   'output_dir = "audits"\npath_template = "{date}/{time}.{ext}"'))
    assert evaluate(run_cli, repo, at(D21, "08:00")).code == 0
    plant(repo, D21, "{broken")  # an older-layout file of the same day, ignored
    (repo / f"audits/{D21}/235959.json").write_text("{broken")
    result = run_cli("diff", D21, D21, "--config", str(config),
                     "--repo", str(repo))
    assert result.code == 0, result.err
    assert "235959.json" in result.err
