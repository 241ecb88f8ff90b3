"""Autouse fixtures: every test runs without CI variables, with its own cache directory, and
every audit JSON it renders in-process is validated against the shipped JSON Schema, so no
test can write an invalid audit. What a frozen clock (freezegun) could spoil for later tests
is imported before any test runs."""

from __future__ import annotations

import contextlib
import json

import jsonschema
import pytest

from gacheck.reports import json_report


@pytest.fixture(autouse=True, scope="session")
def _imported_before_any_frozen_clock() -> None:
    """A module first imported inside ``freeze_time`` sees freezegun's classes as
    ``datetime.datetime`` and ``datetime.date``: matplotlib.dates then registers its date
    converter for the fake class, and every later chart of the process fails ("float()
    argument must be ... not 'datetime.datetime'"); pydantic models built there get the fake
    date. Which test imports them first depends on the order tests run in (on xdist workers,
    any), so they are imported here, before any test."""
    import gacheck.output.writer  # noqa: F401
    import gacheck.run.evaluation  # noqa: F401

    with contextlib.suppress(ImportError):  # the plot extra is optional
        import matplotlib.dates  # noqa: F401
        import matplotlib.figure  # noqa: F401


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their output format themselves, even when the suite runs in GitHub Actions."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "NO_COLOR",
                 "GACHECK_PROMETHEUS_URL", "GACHECK_FACADE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _own_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The CLI's chunk cache goes to a fresh directory per test, never the user's: promlab
    servers reuse loopback ports with other histories."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(autouse=True)
def _every_audit_matches_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    validator = jsonschema.Draft202012Validator(json_report.shipped_schema())
    original = json_report.render_json

    def checked(audit):  # type: ignore[no-untyped-def]
        text = original(audit)
        validator.validate(json.loads(text))
        return text

    monkeypatch.setattr(json_report, "render_json", checked)
