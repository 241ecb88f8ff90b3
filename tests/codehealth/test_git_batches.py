"""git_batches on real git repositories: batches counted, regressions caught, thin history refused."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.codehealth.conftest import Repo

GATE = """\
    id = "e402_batches"
    kind = "git_batches"
    title = "E402 batches"
    threshold = {{ min = 2 }}
    {extra}
"""

LATE = "x = 1\nimport os\nimport sys\n\nprint(os, sys, x)\n"  # two E402
ONE_LATE = "x = 1\nimport os\n\nprint(os, x)\n"  # one E402
FIXED = "import os\nimport sys\n\nx = 1\nprint(os, sys, x)\n"  # none


def gate(extra: str = "") -> str:
    return GATE.format(extra=extra)


def history(repo: Repo) -> dict[str, str]:
    """Four E402 before the batches (a: 2, b: 1, c: 1); batch 1 fixes a, batch 2 fixes b."""
    shas = {
        "base": repo.commit("feat: start", {"pkg/a.py": LATE, "pkg/b.py": ONE_LATE,
                                             "pkg/c.py": ONE_LATE}, date="2026-11-01T10:00:00Z"),
        "batch1": repo.commit("refactor(lint): E402 cleanup batch 1 (1 files)",
                              {"pkg/a.py": FIXED}, date="2026-11-02T10:00:00Z"),
        "other": repo.commit("docs: readme", {"README.md": "hello\n"},
                             date="2026-11-03T10:00:00Z"),
        "batch2": repo.commit("refactor(lint): E402 cleanup batch 2 (1 files)",
                              {"pkg/b.py": FIXED}, date="2026-11-04T10:00:00Z"),
    }
    return shas


def test_two_batches_without_regression_pass(make_repo, gate_result) -> None:
    repo = make_repo()
    shas = history(repo)
    result = gate_result(gate(), repo.root)
    assert (result["status"], result["value"]) == ("pass", 2)
    details = result["evidence"]["details"]
    assert [b["sha"] for b in details["batches"]] == [shas["batch1"], shas["batch2"]]
    assert details["batches"][0]["files"] == ["pkg/a.py"]
    assert details["batches"][0]["date"].startswith("2026-11-02T10:00:00")
    assert details["batches"][1]["subject"] == "refactor(lint): E402 cleanup batch 2 (1 files)"
    regression = details["regression"]
    assert (regression["before"], regression["after"]) == (4, 1)
    assert regression["before_rev"] == shas["base"]
    assert regression["regressed_files"] == []
    assert "E402 4 before the first batch, 1 at the tip" in result["message"]
    assert not list(Path(repo.root, ".git", "worktrees").glob("*")), "worktrees left behind"
    assert repo.git("worktree", "list").count("\n") == 0


def test_regression_after_the_batches_fails_and_names_the_file(make_repo, gate_result) -> None:
    repo = make_repo()
    history(repo)
    late_four = LATE + "import json\nimport re\nprint(json, re)\n"
    repo.commit("feat: new module", {"pkg/d.py": late_four}, date="2026-11-05T10:00:00Z")
    result = gate_result(gate(), repo.root)
    assert result["value"] == 2
    assert result["status"] == "fail"
    regression = result["evidence"]["details"]["regression"]
    assert (regression["before"], regression["after"]) == (4, 1 + 4)  # c.py's one, d.py's four
    assert regression["regressed_files"] == [{"file": "pkg/d.py", "before": 0, "after": 4}]
    assert result["evidence"]["findings"][0]["file"] == "pkg/d.py"
    assert "regression: +" in result["message"]


def test_a_range_with_one_batch_is_below_min(make_repo, gate_result) -> None:
    repo = make_repo()
    shas = history(repo)
    result = gate_result(gate(f'since = "{shas["batch1"]}"'), repo.root)
    assert (result["status"], result["value"]) == ("fail", 1)
    assert "1 < min 2" in result["message"]
    assert result["evidence"]["details"]["regression"]["before_rev"] == shas["other"]


def test_a_two_dot_range_in_branch_means_since(make_repo, gate_result) -> None:
    repo = make_repo()
    shas = history(repo)
    result = gate_result(gate(f'branch = "{shas["other"]}..main"'), repo.root)
    assert result["value"] == 1
    assert result["evidence"]["details"]["since"] == shas["other"]
    assert result["evidence"]["details"]["branch"] == "main"


def test_other_branch_and_no_batches(make_repo, gate_result) -> None:
    repo = make_repo()
    repo.commit("feat: start", {"pkg/a.py": LATE})
    repo.git("branch", "release")
    history_on_main = history(repo)
    assert history_on_main
    result = gate_result(gate('branch = "release"'), repo.root)
    assert (result["status"], result["value"]) == ("fail", 0)
    assert "regression" not in result["evidence"]["details"]


def test_a_big_batch_gets_a_warning_note(make_repo, gate_result) -> None:
    repo = make_repo()
    repo.commit("feat: start", {f"pkg/m{i}.py": ONE_LATE for i in range(22)})
    repo.commit("refactor(lint): E402 cleanup batch 1 (22 files)",
                {f"pkg/m{i}.py": FIXED for i in range(22)})
    repo.commit("refactor(lint): E402 cleanup batch 2 (0 files)", {"notes.txt": "done\n"})
    result = gate_result(gate(), repo.root)
    assert result["status"] == "pass"
    assert any("touched 22 files (more than 20)" in n for n in result["evidence"]["notes"])


def test_repo_folder_inside_a_bigger_repository(make_repo, gate_result) -> None:
    repo = make_repo()
    service = {f"service/{name}": text for name, text in
               {"pyproject.toml": "[tool.ruff.lint]\nselect = [\"E\"]\n",
                "pkg/a.py": LATE, "pkg/b.py": ONE_LATE}.items()}
    repo.commit("feat: service", service | {"other/x.py": LATE})
    repo.commit("refactor(lint): E402 cleanup batch 1 (1 files)", {"service/pkg/a.py": FIXED})
    repo.commit("refactor(lint): E402 cleanup batch 2 (1 files)", {"other/x.py": FIXED})
    result = gate_result(gate(), repo.root / "service")
    regression = result["evidence"]["details"]["regression"]
    assert (regression["before"], regression["after"]) == (3, 1)  # other/ is outside --repo
    assert result["status"] == "pass"


def test_empty_repository_is_an_error(make_repo, gate_result) -> None:
    repo = make_repo()
    result = gate_result(gate(), repo.root)
    assert result["status"] == "error"
    assert "empty repository" in result["message"]


def test_folder_that_is_not_a_repository_is_an_error(make_repo, gate_result) -> None:
    repo = make_repo(git_init=False)
    result = gate_result(gate(), repo.root)
    assert result["status"] == "error"
    assert "not a git repository" in result["message"]


def shallow_clone(source: Path, target: Path, depth: int) -> Path:
    subprocess.run(["git", "clone", "-q", f"--depth={depth}", f"file://{source}", str(target)],
                   check=True, capture_output=True)
    return target


def test_shallow_clone_missing_batches_is_an_error(make_repo, gate_result, tmp_path) -> None:
    repo = make_repo()
    history(repo)
    clone = shallow_clone(repo.root, tmp_path / "clone", depth=1)
    result = gate_result(gate(), clone)
    assert result["status"] == "error"
    assert "shallow clone" in result["message"] and "unshallow" in result["message"]


def test_shallow_clone_without_the_parent_of_the_first_batch_is_an_error(
    make_repo, gate_result, tmp_path
) -> None:
    repo = make_repo()
    history(repo)
    clone = shallow_clone(repo.root, tmp_path / "clone", depth=3)  # batch2, other, batch1
    result = gate_result(gate(), clone)
    assert result["status"] == "error"
    assert "commit before the first batch" in result["message"]


def test_unknown_branch_is_an_error(make_repo, gate_result) -> None:
    repo = make_repo()
    history(repo)
    result = gate_result(gate('branch = "no-such-branch"'), repo.root)
    assert result["status"] == "error"
    assert "no-such-branch" in result["message"]


def test_invalid_pattern_is_a_config_error(make_repo, run_cli, write_config) -> None:
    repo = make_repo()
    config = write_config("[[gates]]\n" + gate('pattern = "batch (\\\\d+"'))
    done = run_cli("validate", "--config", str(config), "--repo", str(repo.root))
    assert done.code == 2
    assert "gates[0].pattern: not a valid regular expression" in done.err


def test_markdown_lists_batches_and_regressed_files(make_repo, run_cli, write_config) -> None:
    repo = make_repo()
    shas = history(repo)
    repo.commit("feat: late | imports", {"pkg/d.py": LATE}, date="2026-11-05T10:00:00Z")
    config = write_config("[[gates]]\n" + gate())
    done = run_cli("evaluate", "--config", str(config), "--repo", str(repo.root), "--no-write",
                   "--format", "markdown")
    assert f"| `{shas['batch1'][:10]}` | 2026-11-02T10:00:00+00:00 | refactor(lint): E402 " \
           "cleanup batch 1 (1 files) | 1 |" in done.out
    assert "`E402` over `.`: 4 before the first batch" in done.out
    assert "3 at the tip" in done.out and "**regression**" not in done.out  # c: 1, d: 2
    repo.commit("feat: more", {"pkg/e.py": LATE}, date="2026-11-06T10:00:00Z")
    done = run_cli("evaluate", "--config", str(config), "--repo", str(repo.root), "--no-write",
                   "--format", "markdown")
    assert "5 at the tip" in done.out and "**regression**" in done.out
    assert "| pkg/d.py | 0 | 2 |" in done.out
    assert "| pkg/e.py | 0 | 2 |" in done.out


def test_shallow_clone_with_enough_history_works_and_says_so(
    make_repo, gate_result, tmp_path
) -> None:
    repo = make_repo()
    history(repo)
    clone = shallow_clone(repo.root, tmp_path / "clone", depth=4)  # down to base
    result = gate_result(gate(), clone)
    assert (result["status"], result["value"]) == ("pass", 2)
    assert "this clone is shallow; only its fetched history was searched" in \
        result["evidence"]["notes"]


def test_a_first_batch_without_parent_is_an_error(make_repo, gate_result) -> None:
    repo = make_repo()
    repo.commit("refactor(lint): E402 cleanup batch 1 (1 files)", {"pkg/a.py": FIXED})
    repo.commit("refactor(lint): E402 cleanup batch 2 (1 files)", {"pkg/b.py": FIXED})
    result = gate_result(gate(), repo.root)
    assert result["status"] == "error"
    assert "repository's first commit" in result["message"]


def test_first_parent_sees_only_commits_landed_on_the_branch(make_repo, gate_result) -> None:
    repo = make_repo()
    repo.commit("feat: start", {"pkg/a.py": LATE, "pkg/b.py": ONE_LATE})
    repo.git("checkout", "-q", "-b", "cleanup")
    repo.commit("refactor(lint): E402 cleanup batch 1 (1 files)", {"pkg/a.py": FIXED})
    repo.commit("refactor(lint): E402 cleanup batch 2 (1 files)", {"pkg/b.py": FIXED})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'cleanup'", "cleanup")
    assert gate_result(gate(), repo.root)["value"] == 2
    landed = gate_result(gate("first_parent = true"), repo.root)
    assert (landed["status"], landed["value"]) == ("fail", 0)


def test_a_ruff_that_hangs_ends_in_error_and_the_worktrees_are_removed(
    make_repo, gate_result, tmp_path
) -> None:
    repo = make_repo()
    history(repo)
    slow = tmp_path / "slow-ruff"
    slow.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "ruff 9.9.9"; exit 0; fi\n'
                    "sleep 30\n")
    slow.chmod(0o755)
    result = gate_result(gate(f'timeout = "3s"\nexecutable = "{slow}"'), repo.root)
    assert result["status"] == "error"
    assert "did not finish within" in result["message"]
    assert repo.git("worktree", "list").count("\n") == 0
    assert not list(Path(repo.root, ".git", "worktrees").glob("*"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead but not yet reaped by its parent
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_a_gate_past_its_time_limit_stops_its_ruff_and_removes_its_worktrees(
    make_repo, gate_result, tmp_path, monkeypatch
) -> None:
    """Even a step with its own longer timeout (``ruff --version``: 30 s) is stopped at the
    gate's limit: the process is killed and the worktree removed before evaluate returns."""
    repo = make_repo()
    history(repo)
    pids = tmp_path / "pids"
    stuck = tmp_path / "stuck-ruff"
    own_tmp = tmp_path / "tmp"  # see below
    stuck.write_text(f'#!/bin/sh\necho $$ >> {pids}\nls {own_tmp} >> {tmp_path}/trees\nexec sleep 60\n')
    stuck.chmod(0o755)
    # this evaluation's temporary folders only: tests running beside it (other workers, other
    # programs) make and remove gacheck-tree-* folders in the shared /tmp meanwhile
    own_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own_tmp))
    result = gate_result(gate(f'timeout = "4s"\nexecutable = "{stuck}"'), repo.root)

    assert result["status"] == "error"
    assert result["message"] == "did not finish within its timeout of 4s"
    started = [int(line) for line in pids.read_text().split()]
    assert started and not any(_alive(pid) for pid in started)
    assert repo.git("worktree", "list").count("\n") == 0
    assert not list(Path(repo.root, ".git", "worktrees").glob("*"))
    assert "gacheck-tree-" in (tmp_path / "trees").read_text()  # there while ruff hung
    assert list(own_tmp.glob("gacheck-tree-*")) == []  # and gone


def test_a_reverted_batch_is_not_counted_and_the_evidence_says_by_what(make_repo, gate_result) -> None:
    repo = make_repo()
    shas = history(repo)
    repo.git("revert", "--no-edit", shas["batch2"])  # git's own "Revert ..." + "This reverts"
    revert = repo.git("rev-parse", "HEAD")
    result = gate_result(gate(), repo.root)
    assert (result["status"], result["value"]) == ("fail", 1)
    details = result["evidence"]["details"]
    assert [b["sha"] for b in details["batches"]] == [shas["batch1"]]
    assert [(r["sha"], r["reverted_by"]) for r in details["reverted"]] == [(shas["batch2"], revert)]
    assert any(f"reverted by {revert[:10]}; not counted" in n for n in result["evidence"]["notes"])
    assert "1 more reverted, not counted" in result["message"]


def test_a_revert_that_was_reverted_counts_the_batch_again(make_repo, gate_result) -> None:
    repo = make_repo()
    shas = history(repo)
    repo.git("revert", "--no-edit", shas["batch2"])
    repo.git("revert", "--no-edit", "HEAD")  # re-apply batch 2
    result = gate_result(gate(), repo.root)
    assert (result["status"], result["value"]) == ("pass", 2)
    assert result["evidence"]["details"]["reverted"] == []


def test_a_revert_named_only_by_subject_counts_and_a_mere_mention_does_not(
    make_repo, gate_result
) -> None:
    repo = make_repo()
    history(repo)
    repo.commit("docs: how to revert a cleanup batch", {"REVERTING.md": "git revert\n"},
                date="2026-11-05T10:00:00Z")
    control = gate_result(gate(), repo.root)
    assert (control["status"], control["value"]) == ("pass", 2)
    repo.commit('Revert "refactor(lint): E402 cleanup batch 1 (1 files)"',
                {"pkg/a.py": LATE}, date="2026-11-06T10:00:00Z")
    result = gate_result(gate(), repo.root)
    assert result["value"] == 1
    assert result["status"] == "fail"
