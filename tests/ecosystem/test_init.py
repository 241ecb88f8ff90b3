"""``gacheck init`` writes a shipped profile (and a workflow) and never overwrites; the shipped
LUKHAS profile is the repository's config/gates.toml; ``history`` without a config says how to
name the audits."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_lukhas_profile_is_the_repositorys_default_config() -> None:
    from gacheck.profiles import profile_text

    assert profile_text("lukhas") == (ROOT / "config/gates.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("profile", ["lukhas", "minimal"])
def test_init_writes_a_config_that_validates(run_cli, tmp_path: Path, profile: str) -> None:
    done = run_cli("init", "--profile", profile, "--repo", str(tmp_path))
    assert done.code == 0, done.err
    assert run_cli("validate", "--config", str(tmp_path / "config/gates.toml")).code == 0
    assert not (tmp_path / ".github").exists()


def test_init_with_ci_github_writes_the_release_gate_workflow(run_cli, tmp_path: Path) -> None:
    done = run_cli("init", "--ci", "github", "--repo", str(tmp_path))
    assert done.code == 0
    workflow = tmp_path / ".github/workflows/ga-readiness.yml"
    assert "uses: ./.gacheck" in workflow.read_text()


def test_init_refuses_to_overwrite_and_writes_nothing(run_cli, tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config/gates.toml").write_text("# mine\n")
    done = run_cli("init", "--ci", "github", "--repo", str(tmp_path))
    assert done.code == 2 and "already exists" in done.err
    assert (tmp_path / "config/gates.toml").read_text() == "# mine\n"
    assert not (tmp_path / ".github").exists()  # all or nothing


def test_history_without_a_config_hints_at_dir_and_config(run_cli, tmp_path: Path,
                                                          monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    done = run_cli("history")
    assert done.code == 2
    assert "--dir" in done.err and "--config" in done.err


def test_demo_falls_back_to_the_shipped_profile_outside_a_repository(tmp_path: Path,
                                                                      monkeypatch) -> None:
    from gacheck.commands.demo import _config_path
    from gacheck.run.config_binding import load_config

    monkeypatch.chdir(tmp_path)
    path = _config_path(None)
    assert load_config(path).gate("pdp_p95_latency")
    assert _config_path("mine.toml") == "mine.toml"
    (tmp_path / "config").mkdir()
    (tmp_path / "config/gates.toml").write_text("")
    assert _config_path(None) == "config/gates.toml"
