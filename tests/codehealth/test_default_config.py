"""The default config judges a repository shaped like the first user's, unchanged."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from gacheck.run.config_binding import load_config
from tests.support.clock import recent, stamp

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
HOT_PATHS = ["lukhas/adapters/openai", "lukhas/core/reliability", "lukhas/observability",
             "MATRIZ/core", "MATRIZ/interfaces/api_server.py"]
CODE_HEALTH = "ruff_hot_path,e402_batches,dependency_vulnerabilities"


def test_default_gates_carry_the_first_users_facts() -> None:
    config = load_config(ROOT / "config/gates.toml")
    ruff_gate = config.gate("ruff_hot_path")
    assert ruff_gate.params.paths == HOT_PATHS
    assert ruff_gate.threshold.max == 120
    batches = config.gate("e402_batches")
    assert batches.threshold.min == 2
    pattern = re.compile(batches.params.pattern)
    assert pattern.search("refactor(lint): E402 cleanup batch 1 (20 files)")
    assert not pattern.search("fix(lint): E402 in core")
    assert batches.params.rule == "E402"
    vulns = config.gate("dependency_vulnerabilities")
    assert vulns.blocking is False
    assert Path("docs/audits/security/20251014/pip-audit.json").match(vulns.params.report)


def test_lukhas_shaped_repository(make_repo, run_cli) -> None:
    repo = make_repo()
    late = "x = 1\nimport os\n\nprint(os, x)\n"
    fixed = "import os\n\nx = 1\nprint(os, x)\n"
    start = {f"{path}/m{i}.py": late for path in HOT_PATHS[:4] for i in range(2)}
    repo.commit("feat: import the service", start | {HOT_PATHS[4]: late},
                date="2026-10-01T09:00:00Z")
    repo.commit("refactor(lint): E402 cleanup batch 1 (4 files)",
                {f"{path}/m0.py": fixed for path in HOT_PATHS[:4]}, date="2026-10-02T09:00:00Z")
    repo.commit("refactor(lint): E402 cleanup batch 2 (1 files)",
                {HOT_PATHS[4]: fixed}, date="2026-10-03T09:00:00Z")
    report = repo.root / "docs/audits/security/20251014/pip-audit.json"
    report.parent.mkdir(parents=True)
    shutil.copy(DATA / "pip-audit-vulnerable.json", report)
    done = run_cli("evaluate", "--config", str(ROOT / "config/gates.toml"), "--repo",
                   str(repo.root), "--only", CODE_HEALTH, "--partial", "--no-write", "--format", "json",
                   "--at", stamp(recent(hours=1)))
    gates = {g["id"]: g for g in json.loads(done.out)["gates"]}
    assert (gates["ruff_hot_path"]["status"], gates["ruff_hot_path"]["value"]) == ("pass", 4)
    assert (gates["e402_batches"]["status"], gates["e402_batches"]["value"]) == ("pass", 2)
    regression = gates["e402_batches"]["evidence"]["details"]["regression"]
    assert (regression["before"], regression["after"]) == (9, 4)
    assert (gates["dependency_vulnerabilities"]["status"],
            gates["dependency_vulnerabilities"]["value"]) == ("fail", 4)
    assert json.loads(done.out)["verdict"] == "warn"  # the vulnerability gate does not block
    assert done.code == 0
