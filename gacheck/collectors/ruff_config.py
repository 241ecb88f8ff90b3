"""What ruff was told to overlook on the budgeted paths: the honesty side of a ruff count.

A repository under a budget can lower its count without fixing anything: a ``# noqa`` here, a
``per-file-ignores`` entry there, a folder added to ``exclude``. This reads, with the same
configuration arguments the count was taken with:

- the effective configuration: ``ruff check --show-settings`` for each budgeted path (machine
  paths replaced by ``<repo>``) plus every ruff config file inside the paths, hashed;
- ``per-file-ignores`` entries (pattern and rule) that apply to a checked file;
- ``noqa`` comments (``# noqa``, ``# noqa: E402``, ``# ruff: noqa``) in the checked files;
- Python files under the paths that ruff does not check (``exclude``), from ``--show-files``.

ruff's output is read through ``process.run_bounded``: into files, at most ``MAX_OUTPUT``
bytes, the tree killed at the gate's time limit. A line of ``--show-files`` longer than
``PATH_MAX`` is not a path: the list is refused instead of resolved (a 60 MB line of ``a/a/...``
took time quadratic in its length, on a thread nobody could stop).
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gacheck.collectors import process
from gacheck.core import deadline
from gacheck.core.errors import CollectorError
from gacheck.core.models import CommandRecord
from gacheck.core.own_environ import inherited

NOQA = re.compile(rb"#\s*(?:(?:ruff|flake8)\s*:\s*)?noqa\b", re.IGNORECASE)
CONFIG_NAMES = ("pyproject.toml", "ruff.toml", ".ruff.toml")
PYTHON = (".py", ".pyi")
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pypackages__", "node_modules",
    "site-packages", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})
"""Folders ruff leaves out by default: files there are not "excluded" by the repository."""
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_OUTPUT = 64 * 1024 * 1024
"""Bytes of one ruff command's output (stdout and stderr) read at most."""
PATH_MAX = 4096
"""Linux's limit on a path's length: a longer line of ``--show-files`` is not a path."""
CHECK_EVERY = 64
"""Lines of the file list between two looks at the gate's time limit."""


@dataclass(frozen=True)
class Suppressions:
    config_sha256: str
    settings_files: list[str]
    noqa_comments: int
    per_file_ignores: list[str]
    """``pattern: RULE`` entries that apply to at least one checked file."""
    excluded_files: list[str]
    noqa_by_file: dict[str, int] = field(default_factory=dict)
    commands: list[CommandRecord] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.noqa_comments + len(self.per_file_ignores) + len(self.excluded_files)

    def details(self) -> dict[str, Any]:
        top = sorted(self.noqa_by_file.items(), key=lambda item: (-item[1], item[0]))[:10]
        return {
            "total": self.total,
            "noqa_comments": self.noqa_comments,
            "per_file_ignores": len(self.per_file_ignores),
            "per_file_ignore_entries": self.per_file_ignores[:50],
            "excluded_files": len(self.excluded_files),
            "excluded_examples": self.excluded_files[:20],
            "noqa_top_files": dict(top),
            "config_sha256": self.config_sha256,
            "settings_files": self.settings_files,
        }


def read_suppressions(
    root: Path, paths: Sequence[str], base: Sequence[str], config_args: Sequence[str],
    timeout: float,
) -> Suppressions:
    """Measure what ruff overlooks on ``paths`` (relative to ``root``) with ``config_args``."""
    commands: list[CommandRecord] = []
    checked = _checked_files(root, paths, base, config_args, timeout, commands)
    digest = hashlib.sha256()
    settings_files: list[str] = []
    entries: set[str] = set()
    lint_excluded: set[str] = set()
    for targets in _by_closest_config(root, paths).values():
        # one --show-settings per configuration file: the paths it governs share it
        text = _run(root, [*base, "check", "--show-settings", *config_args, "--", targets[0]],
                    timeout, commands)
        normal = _normalised(text, root)
        digest.update(f"== {', '.join(targets)}\n{normal}".encode())
        found = re.search(r'^Settings path: "?(.*?)"?$', normal, re.MULTILINE)
        if found and found.group(1) not in settings_files:
            settings_files.append(found.group(1))
        governed = [f for f in checked if any(_under(f, t) for t in targets)]
        entries |= _applying_ignores(text, governed, root)
        lint_excluded |= _lint_excluded(text, governed)
    checked = [f for f in checked if f not in lint_excluded]
    for config in _nested_configs(root, paths):
        digest.update(f"== {config}\n".encode() + (root / config).read_bytes())
        if config not in settings_files:
            settings_files.append(config)
    noqa_by_file = {}
    for name in checked:
        count = _noqa_in(root / name)
        if count:
            noqa_by_file[name] = count
    on_disk = _python_files(root, paths)
    excluded = sorted(set(on_disk) - set(checked))  # exclude, extend-exclude, lint.exclude
    return Suppressions(
        config_sha256=digest.hexdigest(),
        settings_files=settings_files,
        noqa_comments=sum(noqa_by_file.values()),
        per_file_ignores=sorted(entries),
        excluded_files=excluded,
        noqa_by_file=noqa_by_file,
        commands=commands,
    )


def _run(root: Path, argv: list[str], timeout: float, commands: list[CommandRecord]) -> str:
    done = process.run_bounded(argv, cwd=root, env=inherited(), timeout=timeout,
                               max_output=MAX_OUTPUT)
    commands.append(CommandRecord(argv=argv, cwd=str(root), exit_code=done.exit_code,
                                  output_tail=done.stderr.splitlines()[-5:]))
    if done.exit_code != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise CollectorError(f"ruff {argv[argv.index('check') + 1]} failed (exit "
                             f"{done.exit_code}): {' / '.join(lines[-3:]) or 'no message'}")
    return done.stdout


def _checked_files(root: Path, paths: Sequence[str], base: Sequence[str],
                   config_args: Sequence[str], timeout: float,
                   commands: list[CommandRecord]) -> list[str]:
    text = _run(root, [*base, "check", "--show-files", *config_args, "--", *paths], timeout,
                commands)
    resolved = root.resolve()
    limit = deadline.current()
    files = []
    for number, line in enumerate(text.splitlines(), 1):
        name = line.strip()
        if not name:
            continue
        if len(name.encode("utf-8", "replace")) > PATH_MAX:
            raise CollectorError(f"ruff --show-files printed a line of {len(name):,} characters "
                                 f"(line {number:,}): longer than PATH_MAX ({PATH_MAX}), not "
                                 "a path; is the configured ruff really ruff?")
        if number % CHECK_EVERY == 0 and limit is not None and (
                limit.cancelled or limit.remaining() <= 0):
            raise CollectorError("ruff --show-files: the gate ran out of time reading the list")
        files.append(_relative(Path(name), resolved))
    return sorted(f for f in files if f.endswith(PYTHON))


def _relative(path: Path, resolved: Path) -> str:
    """``path`` resolved, relative to the repository when it is inside it."""
    try:
        return path.resolve().relative_to(resolved).as_posix()
    except ValueError:
        return path.as_posix()


def _normalised(text: str, root: Path) -> str:
    """Settings without what differs between machines: the repository's absolute path, the
    cache folder, and which file ruff happened to resolve them for."""
    prefixes = {str(root.resolve()), str(root)}  # once: resolving per line was most of its time
    lines = []
    for line in text.splitlines():
        if line.startswith(("Resolved settings for:", "cache_dir")):
            continue
        for prefix in prefixes:
            line = line.replace(prefix, "<repo>")
        lines.append(line)
    return "\n".join(lines)


_ENTRY = re.compile(
    r'absolute_matcher = "(?P<absolute>[^"]*)"\s*basename_matcher = "(?P<basename>[^"]*)"\s*'
    r"negated = (?P<negated>true|false)\s*data = \[(?P<rules>[^\]]*)\]",
)
_RULE = re.compile(r"\(([A-Z]+[0-9]*)\)")


def _applying_ignores(settings: str, files: list[str], root: Path) -> set[str]:
    """``pattern: RULE`` for each per-file-ignores rule whose pattern matches a checked file
    (ruff matches the absolute path or the file name; a negated pattern, the others)."""
    start = settings.find("linter.per_file_ignores = {")
    if start < 0:
        return set()
    block = settings[start:settings.find("\n}", start)]
    resolved = root.resolve()
    found = set()
    for entry in _ENTRY.finditer(block):
        absolute, basename = entry.group("absolute"), entry.group("basename")

        def matches(name: str, absolute: str = absolute, basename: str = basename) -> bool:
            full = (resolved / name).as_posix()
            return fnmatch.fnmatchcase(full, absolute) or fnmatch.fnmatchcase(
                name.rsplit("/", 1)[-1], basename)

        negated = entry.group("negated") == "true"
        if any(matches(name) != negated for name in files):
            shown = ("!" if negated else "") + basename
            found |= {f"{shown}: {rule}" for rule in _RULE.findall(entry.group("rules"))}
    return found


def _by_closest_config(root: Path, paths: Sequence[str]) -> dict[str, list[str]]:
    """Paths grouped by the nearest ruff configuration file at or above them in ``root``."""
    groups: dict[str, list[str]] = {}
    resolved = root.resolve()
    for target in paths:
        folder = (root / target).resolve()
        folder = folder if folder.is_dir() else folder.parent
        key = ""
        while True:
            if any(_configures_ruff(folder / name) for name in CONFIG_NAMES):
                key = str(folder)
                break
            if folder == resolved or folder.parent == folder:
                break
            folder = folder.parent
        groups.setdefault(key, []).append(target)
    return groups


def _configures_ruff(path: Path) -> bool:
    if not path.is_file():
        return False
    if path.name != "pyproject.toml":
        return True
    try:
        return "[tool.ruff" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _lint_excluded(settings: str, files: list[str]) -> set[str]:
    """Checked files that ``lint.exclude`` keeps from linting (``--show-files`` lists them)."""
    start = settings.find("linter.exclude = [")
    if start < 0:
        return set()
    block = settings[start:settings.find("]", start)]
    patterns = re.findall(r'^\t"(.*)",$', block, re.MULTILINE)
    return {f for f in files for p in patterns
            if fnmatch.fnmatchcase(f, p) or fnmatch.fnmatchcase(f.rsplit("/", 1)[-1], p)}


def _under(name: str, target: str) -> bool:
    base = target.replace("\\", "/").strip("/")
    return base in ("", ".") or name == base or name.startswith(base + "/")


def _walk(root: Path, paths: Sequence[str]) -> list[str]:
    """Every file under ``paths``, relative to ``root``, default-excluded folders left out."""
    files = []
    for target in paths:
        start = root / target
        if start.is_file():
            files.append(Path(target).as_posix())
            continue
        for folder, dirs, names in os.walk(start):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            relative = Path(folder).relative_to(root)
            files += [(relative / n).as_posix() for n in names]
    return sorted(set(files))


def _python_files(root: Path, paths: Sequence[str]) -> list[str]:
    return [f for f in _walk(root, paths) if f.endswith(PYTHON)]


def _nested_configs(root: Path, paths: Sequence[str]) -> list[str]:
    return [f for f in _walk(root, paths) if f.rsplit("/", 1)[-1] in CONFIG_NAMES]


def _noqa_in(path: Path) -> int:
    """``noqa`` comments in a file (one regex over the whole buffer: thousands of files)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES)
    except OSError:
        return 0
    return len(NOQA.findall(data)) if b"oqa" in data or b"OQA" in data else 0
