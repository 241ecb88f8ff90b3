"""Runs a composite action's shell steps the way the Actions runner does, on this machine.

Each ``run`` step gets its ``env`` with the expressions the action uses resolved
(``inputs.*``, ``github.action_path``, ``runner.temp``, ``steps.<id>.outputs.<name>``), a
fresh ``GITHUB_OUTPUT`` file whose ``name=value`` lines become that step's outputs, the job's
``GITHUB_STEP_SUMMARY`` file, and ``GITHUB_ACTIONS=true``. The script runs with the step's
``shell`` the way the runner calls bash (``bash --noprofile --norc -eo pipefail {0}``). Any
other expression is an error: the harness must not guess what GitHub would do.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class ActionRun:
    steps: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> outputs
    outputs: dict[str, str] = field(default_factory=dict)  # the action's outputs
    exit_code: int = 0
    stdout: str = ""
    stderr: str = ""
    summary: str = ""


def load_action(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _resolve(text: str, context: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        node: Any = context
        for part in expression.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"the harness does not know ${{{{ {expression} }}}}")
            node = node[part]
        return str(node)

    return _EXPRESSION.sub(one, text)


def _outputs(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        name, sep, value = lines[i].partition("=")
        if sep:
            found[name] = value
        elif "<<" in lines[i]:  # name<<DELIMITER ... DELIMITER
            name, delimiter = lines[i].split("<<", 1)
            end = lines.index(delimiter, i + 1)
            found[name] = "\n".join(lines[i + 1:end])
            i = end
        i += 1
    return found


def run_action(action_dir: Path, inputs: dict[str, str], workspace: Path, temp: Path,
               env: dict[str, str], timeout: float = 900,
               already_run: dict[str, dict[str, str]] | None = None) -> ActionRun:
    """Run the action's steps in order; ``already_run`` maps the ids of steps already run (by an
    earlier run of this action whose files are still there) to their outputs: those are not
    run again, and their outputs are taken as they were."""
    action = load_action(action_dir / "action.yml")
    given = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(given)
    assert not unknown, f"the action has no inputs {unknown}"
    given.update(inputs)
    summary = temp / "step_summary.md"
    summary.touch()
    result = ActionRun()
    context: dict[str, Any] = {"inputs": given, "github": {"action_path": str(action_dir),
                                                           "workspace": str(workspace)},
                               "runner": {"temp": str(temp)}, "steps": {}}
    for index, step in enumerate(action["runs"]["steps"]):
        assert "run" in step, "only shell steps can run in the harness"
        assert step.get("shell") == "bash", "composite run steps must name their shell"
        step_id = step.get("id", f"step{index}")
        if already_run and step_id in already_run:
            result.steps[step_id] = dict(already_run[step_id])
            context["steps"][step_id] = {"outputs": result.steps[step_id]}
            continue
        output_file = temp / f"output-{index}"
        output_file.touch()
        step_env = {**env, "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output_file),
                    "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(workspace),
                    "GITHUB_ACTION_PATH": str(action_dir), "RUNNER_TEMP": str(temp)}
        step_env.update({k: _resolve(str(v), context) for k, v in step.get("env", {}).items()})
        script = temp / f"step-{index}.sh"
        script.write_text(_resolve(step["run"], context), encoding="utf-8")
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=step_env, capture_output=True, text=True,
                              timeout=timeout)
        result.stdout += done.stdout
        result.stderr += done.stderr
        outputs = _outputs(output_file)
        result.steps[step_id] = outputs
        context["steps"][step_id] = {"outputs": outputs}
        if done.returncode != 0:
            result.exit_code = done.returncode
            break
    result.outputs = {name: _resolve_or_empty(spec["value"], context)
                      for name, spec in action.get("outputs", {}).items()}
    result.summary = summary.read_text(encoding="utf-8")
    return result


def _resolve_or_empty(text: str, context: dict[str, Any]) -> str:
    """An output of a step that did not run is empty, as on GitHub."""
    try:
        return _resolve(text, context)
    except KeyError:
        return ""


def as_workflow(action: dict[str, Any]) -> str:
    """The action's steps as a reusable workflow, so actionlint (and shellcheck through it)
    checks their scripts and expressions; ``inputs`` become ``workflow_call`` inputs."""
    inputs = {name: {"type": "string", "required": False, "default": str(spec.get("default", ""))}
              for name, spec in action["inputs"].items()}
    steps = [{k: v for k, v in step.items() if k in ("name", "id", "shell", "env", "run")}
             for step in action["runs"]["steps"]]
    workflow = {"name": "action-steps", "on": {"workflow_call": {"inputs": inputs}},
                "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": steps}}}
    return yaml.safe_dump(workflow, sort_keys=False)
