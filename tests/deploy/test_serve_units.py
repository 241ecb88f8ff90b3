"""The pieces of ``serve`` that need no server: the served folder, instants, tokens, hooks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gacheck.serve.guard import Refused, check_token, instant, question
from gacheck.serve.paths import PathRefused, served_config


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    served = tmp_path / "served"
    (served / "team").mkdir(parents=True)
    (served / "gates.toml").write_text("", encoding="utf-8")
    (served / "team" / "app.toml").write_text("", encoding="utf-8")
    (tmp_path / "secret.toml").write_text("", encoding="utf-8")
    (served / "link.toml").symlink_to(tmp_path / "secret.toml")
    (served / "inside.toml").symlink_to(served / "gates.toml")
    (served / "teamlink").symlink_to(tmp_path)
    return served


@pytest.mark.parametrize("name", ["gates.toml", "team/app.toml", "./gates.toml", "inside.toml"])
def test_configs_inside_the_folder_are_served(folder: Path, name: str) -> None:
    assert served_config(folder, name).is_relative_to(folder.resolve())


@pytest.mark.parametrize("name", [
    "../secret.toml", "team/../../secret.toml", "/etc/passwd.toml", "~/gates.toml",
    "link.toml", "teamlink/secret.toml", "gates.toml\x00", "team\\..\\..\\secret.toml",
    "gates.yaml", "", "x" * 300 + ".toml",
])
def test_paths_that_leave_the_folder_are_refused(folder: Path, name: str) -> None:
    with pytest.raises(PathRefused) as refused:
        served_config(folder, name)
    assert not refused.value.missing


def test_a_missing_config_is_a_404(folder: Path) -> None:
    with pytest.raises(PathRefused) as refused:
        served_config(folder, "nothere.toml")
    assert refused.value.missing


def test_instants_are_floored_to_the_step_and_never_future() -> None:
    clock = datetime(2026, 12, 6, 10, 7, 42, tzinfo=UTC)
    assert instant(None, 60, clock) == (datetime(2026, 12, 6, 10, 7, tzinfo=UTC), True)
    assert instant("2026-12-06T09:13:20Z", 300, clock)[0] == datetime(2026, 12, 6, 9, 10,
                                                                      tzinfo=UTC)
    with pytest.raises(Refused, match="in the future"):
        instant("2026-12-06T11:00:00Z", 60, clock)
    with pytest.raises(Refused, match="RFC 3339"):
        instant("yesterday", 60, clock)


def test_tokens_and_parameters() -> None:
    check_token(None, None)
    check_token("t0ken-value", "t0ken-value")
    for offered in (None, "", "t0ken-valuX", "t0ken"):
        with pytest.raises(Refused) as refused:
            check_token("t0ken-value", offered)
        assert refused.value.status == 401 and "t0ken-value" not in str(refused.value)
    assert question({"only": "a, b,,c", "config": "x.toml"}).only == ("a", "b", "c")
    with pytest.raises(Refused, match="unknown parameter"):
        question({"token": "t0ken-value"})
