"""Dated audits: where they go, that they are whole, deterministic and schema-valid."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import jsonschema
from freezegun import freeze_time

from gacheck.reports.json_report import audit_schema, shipped_schema
from tests.support.clock import day, on, stamp

DAY = day(1)  # over: a future --at is refused
AT = stamp(on(DAY, "12:00"))

CONFIG = """
[settings]
output_dir = "audits"

[[gates]]
id = "tests"
kind = "command"
title = "Tests"
command = ["sh", "-c", "echo all good"]

[[gates]]
id = "budget"
kind = "json_value"
title = "Budget"
file = "snapshot.json"
path = "total"
unit = "count"
threshold = { max = 120 }
"""


def evaluate(run_cli, config: Path, repo: Path, *extra: str):
    return run_cli("evaluate", "--config", str(config), "--repo", str(repo), *extra)


def test_audits_are_dated_by_the_utc_day_of_at(write_config, run_cli, tmp_path) -> None:
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    config = write_config(CONFIG)
    evening_in_new_york = datetime.combine(day(3), time(22, 30), timezone(timedelta(hours=-5)))
    result = evaluate(run_cli, config, tmp_path, "--at", evening_in_new_york.isoformat())
    assert result.code == 0
    folder = tmp_path / "audits" / str(day(2))  # 03:30 UTC the next day
    assert sorted(p.name for p in folder.iterdir()) == ["ga-readiness.json", "ga-readiness.md"]
    latest = tmp_path / "audits" / "latest.json"
    assert latest.read_text() == (folder / "ga-readiness.json").read_text()
    assert (tmp_path / "audits" / "latest.md").read_text().startswith("# GA readiness: PASS")
    assert "audit written: " in result.out


def test_the_default_instant_is_now_and_names_the_folder(write_config, run_cli, tmp_path) -> None:
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    with freeze_time("2026-03-01T00:00:05Z"):
        evaluate(run_cli, write_config(CONFIG), tmp_path)
    audit = json.loads((tmp_path / "audits" / "2026-03-01" / "ga-readiness.json").read_text())
    assert audit["evaluated_at"] == "2026-03-01T00:00:05Z"
    assert audit["generated_at"] == "2026-03-01T00:00:05Z"


def test_same_inputs_give_the_same_bytes_but_for_the_run_timing(write_config, run_cli, tmp_path) -> None:
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    config = write_config(CONFIG)
    texts = []
    for _ in range(2):
        evaluate(run_cli, config, tmp_path, "--at", AT)
        path = tmp_path / "audits" / str(DAY) / "ga-readiness.json"
        texts.append(path.read_text())

    def without_timing(text: str) -> str:
        document = json.loads(text)
        del document["generated_at"]
        for gate in document["gates"]:
            del gate["duration_s"]
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    assert without_timing(texts[0]) == without_timing(texts[1])
    # what is compared is the whole file: nothing else is rewritten
    assert json.dumps(json.loads(texts[0]), indent=2, ensure_ascii=False) + "\n" == texts[0]


def test_a_rerun_on_the_same_day_replaces_the_files_and_leaves_no_temporaries(
    write_config, run_cli, tmp_path
) -> None:
    snapshot = tmp_path / "snapshot.json"
    config = write_config(CONFIG)
    snapshot.write_text('{"total": 90}')
    evaluate(run_cli, config, tmp_path, "--at", stamp(on(DAY, "08:00")))
    snapshot.write_text('{"total": 130}')
    assert evaluate(run_cli, config, tmp_path, "--at", stamp(on(DAY, "18:00"))).code == 1
    files = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "audits").rglob("*"))
    assert files == [
        f"audits/{DAY}", f"audits/{DAY}/ga-readiness.json",
        f"audits/{DAY}/ga-readiness.md", "audits/latest.json", "audits/latest.md",
    ]
    audit = json.loads((tmp_path / f"audits/{DAY}/ga-readiness.json").read_text())
    assert audit["verdict"] == "fail" and audit["evaluated_at"] == stamp(on(DAY, "18:00"))


def test_an_unwritable_output_is_a_clear_error(write_config, run_cli, tmp_path) -> None:
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    (tmp_path / "blocker").write_text("a file where a folder should be")
    result = evaluate(run_cli, write_config(CONFIG), tmp_path, "--output-dir", str(tmp_path / "blocker"))
    assert result.code == 2
    assert result.err.startswith(f"gacheck: error: cannot write {tmp_path / 'blocker'}")


def test_no_write_writes_nothing_and_json_prints_the_audit(write_config, run_cli, tmp_path) -> None:
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    result = evaluate(run_cli, write_config(CONFIG), tmp_path, "--no-write", "--format", "json")
    assert not (tmp_path / "audits").exists()
    audit = json.loads(result.out)
    assert [g["status"] for g in audit["gates"]] == ["pass", "pass"]
    assert audit["command"][:2] == ["gacheck", "evaluate"]
    assert len(audit["config_sha256"]) == 64


def test_the_audit_records_how_to_reproduce_it(write_config, run_cli, tmp_path) -> None:
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    config = write_config(CONFIG)
    evaluate(run_cli, config, tmp_path, "--at", AT)
    audit = json.loads((tmp_path / "audits" / "latest.json").read_text())
    assert audit["command"] == [
        "gacheck", "evaluate", "--config", str(config), "--repo", str(tmp_path),
        "--at", AT,
    ]
    tests_gate = audit["gates"][0]
    assert tests_gate["evidence"]["commands"][0]["argv"] == ["sh", "-c", "echo all good"]
    markdown = (tmp_path / "audits" / "latest.md").read_text()
    assert "sh -c 'echo all good'" in markdown


def test_the_shipped_schema_is_the_models_schema() -> None:
    assert shipped_schema() == audit_schema()
    jsonschema.Draft202012Validator.check_schema(shipped_schema())


def test_the_schema_command_prints_it(run_cli) -> None:
    result = run_cli("schema")
    assert result.code == 0
    assert json.loads(result.out) == shipped_schema()


def test_the_schema_rejects_a_tampered_audit(write_config, run_cli, tmp_path) -> None:
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    result = evaluate(run_cli, write_config(CONFIG), tmp_path, "--no-write", "--format", "json")
    audit = json.loads(result.out)
    audit["gates"][0]["status"] = "fine"
    validator = jsonschema.Draft202012Validator(shipped_schema())
    assert not validator.is_valid(audit)


def test_commands_run_in_the_repository_are_recorded_relative_to_it(write_config, run_cli, tmp_path) -> None:
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    (tmp_path / "sub").mkdir()
    config = write_config(CONFIG.replace('command = ["sh", "-c", "echo all good"]',
                                         'command = ["sh", "-c", "echo all good"]\ncwd = "sub"'))
    evaluate(run_cli, config, tmp_path, "--at", AT)
    audit = json.loads((tmp_path / "audits" / "latest.json").read_text())
    assert audit["gates"][0]["evidence"]["commands"][0]["cwd"] == "sub"
    assert str(tmp_path) not in json.dumps(audit["gates"])
    assert "cd sub && sh -c 'echo all good'" in (tmp_path / "audits" / "latest.md").read_text()


def test_earlier_audits_are_read_once_per_evaluation(write_config, run_cli, tmp_path, monkeypatch) -> None:
    from gacheck.history import store as history

    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    config = write_config(CONFIG)
    evaluate(run_cli, config, tmp_path, "--at", stamp(on(day(2), "12:00")))
    reads = []
    original = history.load_history
    monkeypatch.setattr(history, "load_history", lambda *a, **k: reads.append(a) or original(*a, **k))
    result = evaluate(run_cli, config, tmp_path, "--at", AT, "--format", "markdown")
    assert result.code == 0
    assert "## Trends" in result.out  # the sparklines did use yesterday's audit
    assert len(reads) == 1


def test_a_rerun_with_only_presentation_flags_added_writes_the_same_audit(
        write_config, run_cli, tmp_path) -> None:
    """--quiet, --format, --junit, --no-charts, --strict and the output place are not part of
    the evaluation: the audit's command leaves them out, so the bytes match but for timing."""
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    config = write_config(CONFIG)
    at = ("--at", AT)
    evaluate(run_cli, config, tmp_path, *at, "--output-dir", str(tmp_path / "a"))
    evaluate(run_cli, config, tmp_path, *at, "--output-dir", str(tmp_path / "b"), "--quiet",
             "--format=json", "--junit", str(tmp_path / "j.xml"), "--no-charts", "--strict")
    first, second = (json.loads((tmp_path / d / f"{DAY}/ga-readiness.json").read_text())
                     for d in ("a", "b"))
    for audit in (first, second):
        audit.pop("generated_at")
        for gate in audit["gates"]:
            gate.pop("duration_s")
    assert first == second
    assert first["command"] == ["gacheck", "evaluate", "--config", str(config), "--repo",
                                str(tmp_path), "--at", AT]


def test_a_rerun_with_another_selection_is_another_command(write_config, run_cli,
                                                           tmp_path) -> None:
    """The control: what changes the evaluation stays in the command."""
    (tmp_path / "snapshot.json").write_text('{"total": 90}')
    config = write_config(CONFIG)
    evaluate(run_cli, config, tmp_path, "--at", AT, "--skip", "tests",
             "--partial", "--report-only", "--quiet")
    (written,) = (tmp_path / f"audits/{DAY}").glob("*.json")
    audit = json.loads(written.read_text())
    assert audit["command"][-4:] == ["--skip", "tests", "--partial", "--report-only"]
