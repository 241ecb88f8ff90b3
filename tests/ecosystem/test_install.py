"""A new user's start: build the wheel, install it into a fresh venv, and from a directory
outside any clone run ``gacheck init``, ``gacheck demo`` and ``gacheck evaluate``."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.ecosystem.eco_venv import dependency_paths, make_venv, offline_env
from tests.support.build_cache import cached, digest
from tests.support.clock import day, on, stamp

pytestmark = pytest.mark.slow
THE_DAY = day(1)  # over: a future --at is refused
AT = stamp(on(THE_DAY, "12:00"))


def _build_wheel(source: Path, out: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out),
                           str(source)], capture_output=True, text=True, timeout=600,
                          env=offline_env())
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def _install(wheel: Path, venv: Path) -> None:
    python = make_venv(venv)
    done = subprocess.run([str(python), "-m", "pip", "install", str(wheel)],
                          capture_output=True, text=True, timeout=600, env=offline_env())
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="module")
def wheel(source_copy: Path) -> Path:
    """The wheel of the source copy, built once for the same sources (``build_cache``: the
    top-level files and ``gacheck/`` of the copy, the interpreter, ``build``'s version)."""
    key = digest("wheel 1", sys.version, version("build"),
                 [p for p in source_copy.iterdir() if p.is_file()], source_copy / "gacheck")
    entry = cached("wheel", key, lambda out: _build_wheel(source_copy, out))
    (built,) = entry.glob("gacheck-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Path:
    """The ``gacheck`` script of a venv with the wheel installed (made once per wheel,
    interpreter and dependency paths, and never changed by the tests)."""
    key = digest("venv 1", wheel.parent.name, sys.executable, sys.version,
                 "\n".join(dependency_paths()))
    entry = cached("installed", key, lambda folder: _install(wheel, folder / "v"))
    return entry / "v" / "bin" / "gacheck"


def test_the_wheel_ships_the_profiles_workflow_templates_and_metrics_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("gacheck/profiles/lukhas.toml", "gacheck/profiles/minimal.toml",
                   "gacheck/profiles/workflows/release-gate.yml",
                   "gacheck/reports/templates/audit.md.j2", "gacheck/schema/audit.schema.json",
                   "gacheck/metrics/alerts.yml", "gacheck/metrics/grafana-dashboard.json"):
        assert needed in names, needed


def _run(gacheck: Path, cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(gacheck), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=offline_env(NO_COLOR="1"))


def test_it_is_the_installed_copy_that_runs(installed: Path, tmp_path: Path) -> None:
    python = installed.parent / "python"
    done = subprocess.run([str(python), "-c", "import gacheck; print(gacheck.__file__)"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=offline_env())
    assert done.stdout.startswith(str(installed.parents[1])), done.stdout


def test_init_then_validate_then_evaluate_outside_any_clone(installed: Path,
                                                            tmp_path: Path) -> None:
    repo = tmp_path / "service"
    repo.mkdir()
    done = _run(installed, repo, "init", "--profile", "minimal", "--ci", "github")
    assert done.returncode == 0, done.stderr
    assert (repo / "config/gates.toml").is_file()
    assert (repo / ".github/workflows/ga-readiness.yml").is_file()
    again = _run(installed, repo, "init")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert _run(installed, repo, "validate").returncode == 0
    # No Prometheus answers on this port: the verdict is incomplete (exit 3), never a pass,
    # and the audit is written under the repository.
    evaluated = _run(installed, repo, "evaluate", "--prometheus-url", "http://127.0.0.1:9",
                     "--at", AT)
    assert evaluated.returncode == 3, evaluated.stdout + evaluated.stderr
    assert "Traceback" not in evaluated.stderr
    audit = json.loads((repo / f"docs/audits/ga/{THE_DAY}/ga-readiness.json").read_text())
    assert audit["verdict"] == "incomplete"
    history = _run(installed, repo, "history")
    assert history.returncode == 0, history.stderr


def test_history_without_a_config_says_how_to_name_the_audits(installed: Path,
                                                             tmp_path: Path) -> None:
    done = _run(installed, tmp_path, "history")
    assert done.returncode == 2
    assert "--dir" in done.stderr and "--config" in done.stderr


@pytest.mark.prometheus
def test_demo_runs_from_any_directory_with_the_shipped_profile(installed: Path,
                                                               tmp_path: Path) -> None:
    done = _run(installed, tmp_path, "demo", timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "using the LUKHAS profile shipped with gacheck" in done.stderr
    assert "verdict: WARN" in done.stdout
    assert list((tmp_path / "demo-output").glob("*/ga-readiness*.json"))
