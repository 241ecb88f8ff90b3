"""ruff_budget honesty, with the real ruff: what the count was told to overlook, and a count
that fell because diagnostics were hidden rather than fixed."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from freezegun import freeze_time

import gacheck.output.writer  # noqa: F401
import gacheck.run.evaluation  # noqa: F401  (before freeze_time patches datetime.date)

GATE = """\
[[gates]]
id = "ruff_hot_path"
kind = "ruff_budget"
title = "Ruff hot path"
paths = ["hot"]
threshold = {{ max = 50 }}
{extra}
"""

PYPROJECT = """\
[tool.ruff]
line-length = 100
{exclude}

[tool.ruff.lint]
select = ["E", "F"]
{ignores}
"""


def unused(count: int, noqa: int = 0) -> str:
    """``count`` unused imports (F401), the last ``noqa`` of them silenced with ``# noqa``."""
    return "".join(f"import mod{i}{'  # noqa: F401' if i >= count - noqa else ''}\n"
                   for i in range(count))


def pyproject(root: Path, exclude: str = "", ignores: str = "") -> None:
    (root / "pyproject.toml").write_text(PYPROJECT.format(exclude=exclude, ignores=ignores))


def evaluate(day: str, run_cli, config: Path, repo: Path) -> dict:
    with freeze_time(f"{day}T06:00:00Z"):
        done = run_cli("evaluate", "--config", str(config), "--repo", str(repo), "--format", "json")
    assert done.code in (0, 1), done.err
    return json.loads(done.out)["gates"][0]


def setup(make_repo, write_config, extra: str = "") -> tuple[Path, Path]:
    repo = make_repo(git_init=False)
    (repo.root / "hot").mkdir()
    (repo.root / "hot" / "a.py").write_text(unused(6))
    (repo.root / "hot" / "b.py").write_text(unused(2))
    return write_config(GATE.format(extra=textwrap.dedent(extra))), repo.root


def test_the_overlooked_is_recorded(make_repo, write_config, run_cli) -> None:
    config, repo = setup(make_repo, write_config)
    (repo / "hot" / "a.py").write_text(unused(6, noqa=2))
    (repo / "hot" / "gen").mkdir()
    (repo / "hot" / "gen" / "c.py").write_text(unused(3))
    pyproject(repo, exclude='extend-exclude = ["hot/gen"]',
              ignores='[tool.ruff.lint.per-file-ignores]\n"hot/b.py" = ["F401"]\n'
                      '"other/*" = ["E402"]')
    result = evaluate("2026-11-01", run_cli, config, repo)
    assert result["value"] == 4  # 6 - 2 noqa in a.py; b.py ignored; gen/ excluded
    found = result["evidence"]["details"]["suppressions"]
    assert (found["noqa_comments"], found["per_file_ignores"], found["excluded_files"]) == (2, 1, 1)
    assert found["per_file_ignore_entries"] == ["hot/b.py: F401"]  # other/* applies to nothing
    assert found["excluded_examples"] == ["hot/gen/c.py"]
    assert found["total"] == 4
    assert len(found["config_sha256"]) == 64 and found["settings_files"] == ["<repo>/pyproject.toml"]
    assert "overlooked: 2 noqa, 1 per-file-ignores, 1 excluded files" in result["message"]
    assert any("--show-settings" in c["argv"] for c in result["evidence"]["commands"])
    assert result["status"] == "pass"  # first run: nothing to compare with


def test_a_drop_by_noqa_warns_and_a_real_fix_passes(make_repo, write_config, run_cli) -> None:
    config, repo = setup(make_repo, write_config)
    pyproject(repo)
    assert evaluate("2026-11-01", run_cli, config, repo)["value"] == 8
    (repo / "hot" / "a.py").write_text(unused(6, noqa=4))
    hidden = evaluate("2026-11-02", run_cli, config, repo)
    assert (hidden["value"], hidden["status"]) == (4, "warn")
    assert "grew while the count fell" in hidden["message"]
    [note] = [n for n in hidden["evidence"]["notes"] if "suppressions grew" in n]
    assert "from 0 to 4 (noqa comments 0 -> 4) while the count fell from 8 to 4" in note
    # control: fixing (deleting) imports lowers the count without hiding anything
    (repo / "hot" / "a.py").write_text(unused(3, noqa=3))
    fixed = evaluate("2026-11-03", run_cli, config, repo)
    assert (fixed["value"], fixed["status"]) == (2, "pass")


def test_a_drop_by_config_warns_and_says_the_config_changed(make_repo, write_config, run_cli) -> None:
    config, repo = setup(make_repo, write_config)
    pyproject(repo)
    evaluate("2026-11-01", run_cli, config, repo)
    pyproject(repo, exclude='extend-exclude = ["hot/b.py"]',
              ignores='[tool.ruff.lint.per-file-ignores]\n"hot/a.py" = ["F401"]')
    hidden = evaluate("2026-11-02", run_cli, config, repo)
    assert (hidden["value"], hidden["status"]) == (0, "warn")
    notes = " ".join(hidden["evidence"]["notes"])
    assert "the effective ruff configuration changed since 2026-11-01T06:00:00Z" in notes
    assert "per file ignores 0 -> 1, excluded files 0 -> 1" in notes


def test_isolated_pins_the_config_in_the_gate(make_repo, write_config, run_cli) -> None:
    extra = """\
        isolated = true
        select = ["F401"]
        options = { "lint.per-file-ignores" = { "hot/b.py" = ["F401"] } }
    """
    config, repo = setup(make_repo, write_config, extra)
    pyproject(repo, exclude='extend-exclude = ["hot"]',
              ignores='[tool.ruff.lint.per-file-ignores]\n"hot/a.py" = ["F401"]')
    result = evaluate("2026-11-01", run_cli, config, repo)
    assert result["value"] == 6  # a.py counts (the repository's ignores are not used); b.py not
    argv = result["evidence"]["commands"][0]["argv"]
    assert "--isolated" in argv
    assert 'lint.per-file-ignores = {"hot/b.py" = ["F401"]}' in argv
    found = result["evidence"]["details"]["suppressions"]
    assert found["per_file_ignore_entries"] == ["hot/b.py: F401"]
    assert found["excluded_files"] == 0


def test_a_bad_option_name_is_a_config_error(make_repo, write_config, run_cli) -> None:
    config, _ = setup(make_repo, write_config, 'options = { "line length; rm" = 1 }')
    done = run_cli("validate", "--config", str(config))
    assert done.code == 2 and "not a ruff setting name" in done.err


def test_lint_exclude_counts_as_excluded(make_repo, write_config, run_cli) -> None:
    config, repo = setup(make_repo, write_config)
    pyproject(repo, ignores='exclude = ["hot/b.py"]')  # [tool.ruff.lint] exclude
    result = evaluate("2026-11-01", run_cli, config, repo)
    assert result["value"] == 6
    assert result["evidence"]["details"]["suppressions"]["excluded_examples"] == ["hot/b.py"]
