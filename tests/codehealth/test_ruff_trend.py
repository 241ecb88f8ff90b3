"""'Trending down': ruff_budget compares with the audits gacheck itself wrote on earlier days."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from freezegun import freeze_time

import gacheck.output.writer  # noqa: F401

# imported before freeze_time patches datetime.date: pydantic models built under it would be
# given freezegun's FakeDate (the file then failed when run on its own)
import gacheck.run.evaluation  # noqa: F401

GATE = """\
[[gates]]
id = "ruff_hot_path"
kind = "ruff_budget"
title = "Ruff hot path"
paths = ["hot"]
threshold = {{ max = 10 }}
{extra}
"""


def unused_imports(count: int) -> str:
    """A module with exactly ``count`` F401 diagnostics."""
    return "".join(f"import mod{i}\n" for i in range(count))


def evaluate_on(day: str, run_cli, config: Path, repo: Path, violations: int) -> dict:
    """Set the tree to ``violations`` diagnostics and evaluate (writing the audit) on ``day``."""
    (repo / "hot").mkdir(exist_ok=True)
    (repo / "hot" / "mod.py").write_text(unused_imports(violations))
    with freeze_time(f"{day}T06:00:00Z"):
        done = run_cli("evaluate", "--config", str(config), "--repo", str(repo), "--format", "json")
    assert done.code in (0, 1), done.err
    return json.loads(done.out)["gates"][0]


def setup(make_repo, write_config, extra: str = "") -> tuple[Path, Path]:
    repo = make_repo(git_init=False)
    return write_config(GATE.format(extra=textwrap.dedent(extra))), repo.root


def test_first_run_says_there_is_no_history_and_does_not_warn(make_repo, write_config, run_cli):
    config, repo = setup(make_repo, write_config)
    first = evaluate_on("2026-11-01", run_cli, config, repo, violations=4)
    assert first["status"] == "pass"
    assert "first run" in first["message"]
    assert first["evidence"]["details"]["trend"]["previous"] is None
    assert (repo / "docs/audits/ga/2026-11-01/ga-readiness.json").is_file()


def test_rising_within_budget_warns_and_falling_passes(make_repo, write_config, run_cli):
    config, repo = setup(make_repo, write_config)
    evaluate_on("2026-11-01", run_cli, config, repo, violations=4)
    evaluate_on("2026-11-02", run_cli, config, repo, violations=6)
    rising = evaluate_on("2026-11-03", run_cli, config, repo, violations=7)
    assert (rising["status"], rising["value"]) == ("warn", 7)
    trend = rising["evidence"]["details"]["trend"]
    assert (trend["previous"], trend["delta"]) == (6, 1)
    assert trend["previous_at"] == "2026-11-02T06:00:00Z"
    assert [p["value"] for p in trend["points"]] == [4, 6, 7]
    assert trend["slope_per_day"] == 1.5  # least squares through (0, 4), (1, 6), (2, 7)
    assert any("rising" in note for note in rising["evidence"]["notes"])

    falling = evaluate_on("2026-11-04", run_cli, config, repo, violations=3)
    assert (falling["status"], falling["value"]) == ("pass", 3)
    trend = falling["evidence"]["details"]["trend"]
    assert (trend["previous"], trend["delta"]) == (7, -4)
    assert [p["value"] for p in trend["points"]] == [4, 6, 7, 3]
    assert "previous 7 (-4)" in falling["message"]


def test_rise_can_be_configured_to_fail(make_repo, write_config, run_cli):
    config, repo = setup(make_repo, write_config, 'on_rise = "fail"')
    evaluate_on("2026-11-01", run_cli, config, repo, violations=2)
    rising = evaluate_on("2026-11-02", run_cli, config, repo, violations=3)
    assert rising["status"] == "fail"
    # 2, 3, 3: holding after a rise is still a rising fit (slope +0.5/day)
    held = evaluate_on("2026-11-03", run_cli, config, repo, violations=3)
    assert held["status"] == "fail"
    # 2, 3, 3, 2: flat overall, so not rising
    flat = evaluate_on("2026-11-04", run_cli, config, repo, violations=2)
    assert flat["status"] == "pass"
    assert flat["evidence"]["details"]["trend"]["slope_per_day"] == 0


def test_one_lower_day_after_a_steady_rise_is_still_rising(make_repo, write_config, run_cli):
    """The direction is the fitted slope, not the last step (60, 70, 80, 90 then 89, scaled)."""
    config, repo = setup(make_repo, write_config)
    for day, count in (("2026-11-01", 2), ("2026-11-02", 4), ("2026-11-03", 6),
                       ("2026-11-04", 8)):
        evaluate_on(day, run_cli, config, repo, violations=count)
    dip = evaluate_on("2026-11-05", run_cli, config, repo, violations=7)
    trend = dip["evidence"]["details"]["trend"]
    assert trend["delta"] == -1 and trend["slope_per_day"] > 0
    assert dip["status"] == "warn"
    assert any("fitted slope" in note for note in dip["evidence"]["notes"])


def test_a_same_day_earlier_audit_is_not_history_for_itself(make_repo, write_config, run_cli):
    """A re-run replaces the day's audit: comparing with it would compare the day with itself."""
    config, repo = setup(make_repo, write_config)
    evaluate_on("2026-11-01", run_cli, config, repo, violations=6)
    evaluate_on("2026-11-02", run_cli, config, repo, violations=3)  # 06:00, replaced below
    (repo / "hot" / "mod.py").write_text(unused_imports(5))
    with freeze_time("2026-11-02T09:00:00Z"):
        done = run_cli("evaluate", "--config", str(config), "--repo", str(repo), "--format", "json")
    rerun = json.loads(done.out)["gates"][0]
    trend = rerun["evidence"]["details"]["trend"]
    assert [p["value"] for p in trend["points"]] == [6, 5]  # not [6, 3, 5]
    assert rerun["status"] == "pass"


def test_history_window_keeps_the_last_audits(make_repo, write_config, run_cli):
    config, repo = setup(make_repo, write_config, "history = 2")
    for day, count in (("2026-11-01", 9), ("2026-11-02", 5), ("2026-11-03", 4)):
        evaluate_on(day, run_cli, config, repo, violations=count)
    last = evaluate_on("2026-11-04", run_cli, config, repo, violations=4)
    assert [p["value"] for p in last["evidence"]["details"]["trend"]["points"]] == [5, 4, 4]


def test_over_budget_fails_whatever_the_trend(make_repo, write_config, run_cli):
    config, repo = setup(make_repo, write_config)
    evaluate_on("2026-11-01", run_cli, config, repo, violations=12)
    lower = evaluate_on("2026-11-02", run_cli, config, repo, violations=11)
    assert lower["status"] == "fail"
    assert "11 > max 10" in lower["message"]
