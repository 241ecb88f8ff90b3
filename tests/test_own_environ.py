"""Variables gacheck sets for itself (``core.own_environ``) stay out of the programs it runs."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest


def test_what_gacheck_set_for_itself_is_not_passed_to_the_programs_it_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gacheck.collectors.process import run
    from gacheck.core import own_environ

    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    monkeypatch.setattr(own_environ, "_OWN", {})
    own_environ.set_own("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        done = run([sys.executable, "-c", "import os; print(os.environ.get('PYDANTIC_DISABLE_PLUGINS'))"],
                   cwd=tmp_path)
    finally:
        monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    assert done.stdout.strip() == "None"


def test_the_users_own_setting_is_kept_and_passed_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gacheck.collectors.process import run
    from gacheck.core import own_environ

    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "logfire")
    monkeypatch.setattr(own_environ, "_OWN", {})
    own_environ.set_own("PYDANTIC_DISABLE_PLUGINS", "__all__")
    done = run([sys.executable, "-c", "import os; print(os.environ['PYDANTIC_DISABLE_PLUGINS'])"],
               cwd=tmp_path)
    assert done.stdout.strip() == "logfire"
