"""Runs ruff on a tree and reads its diagnostics from ``--output-format=json``.

The count is the length of ruff's JSON list, never a count of output lines: ruff's summary and
fix-hint lines are not diagnostics, and a ruff that failed (exit 2, a broken config) printed no
diagnostics at all, which must never read as "0 diagnostics".
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from gacheck.collectors import process
from gacheck.core import json_depth
from gacheck.core.errors import CollectorError
from gacheck.core.models import CommandRecord

IO_ERROR = "E902"
"""ruff reports a file it cannot read as a diagnostic with this code; it is not a lint finding."""


class Diagnostic(NamedTuple):
    # a NamedTuple, not a frozen dataclass: building tens of thousands of them must be cheap
    code: str
    """The rule code (``invalid-syntax`` for a file ruff could not parse)."""
    file: str
    """Relative to the tree root, ``/``-separated (what GitHub annotations expect)."""
    line: int | None
    message: str
    fix: str | None
    """``safe``, ``unsafe``, ``display-only`` or ``None`` when ruff has no fix."""


@dataclass(frozen=True)
class RuffRun:
    diagnostics: list[Diagnostic]
    command: CommandRecord
    version: str

    def by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(d.code for d in self.diagnostics).items()))

    def by_path(self, paths: Sequence[str]) -> dict[str, int]:
        """Diagnostics under each configured path (a file counts for every path that holds it)."""
        per_file = Counter(d.file for d in self.diagnostics)
        counts = {}
        for target in paths:
            base = _clean(target)
            # string prefixes over distinct files: pathlib would cost seconds on big outputs
            counts[target] = sum(
                n for name, n in per_file.items()
                if base == "." or name == base or name.startswith(base + "/")
            )
        return counts

    def by_file(self) -> dict[str, int]:
        return dict(sorted(Counter(d.file for d in self.diagnostics).items()))

    def fixable(self, applicability: str = "safe") -> int:
        return sum(1 for d in self.diagnostics if d.fix == applicability)


def ruff_argv(executable: str | None = None) -> list[str]:
    """A configured executable, else the ``ruff`` next to this Python, else ``-m ruff``."""
    if executable:
        return [executable]
    beside = Path(sys.executable).with_name("ruff")
    if beside.is_file():
        return [str(beside)]
    return [sys.executable, "-m", "ruff"]


@cache
def ruff_version(argv: tuple[str, ...]) -> str:
    done = process.run([*argv, "--version"], timeout=30, check=True)
    return done.stdout.strip().removeprefix("ruff ").strip() or "unknown"


def _clean(path: str) -> str:
    return PurePosixPath(path.replace("\\", "/")).as_posix().rstrip("/") or "."


def check(
    root: Path,
    paths: Sequence[str],
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    executable: str | None = None,
    timeout: float = 60.0,
    config_args: Sequence[str] = (),
) -> RuffRun:
    """Run ``ruff check`` in ``root`` on ``paths`` (relative to it); raise ``CollectorError``.

    ``config_args`` go before the paths: ``--isolated``, ``--config KEY=VALUE``,
    ``--ignore-noqa`` (a configuration pinned by the gate instead of the repository's).
    """
    if not root.is_dir():
        raise CollectorError(f"repository root {root} does not exist or is not a directory")
    missing = [p for p in paths if not (root / p).exists()]
    if missing:
        raise CollectorError(f"path not found in {root}: " + ", ".join(missing))
    base = ruff_argv(executable)
    try:
        version = ruff_version(tuple(base))
    except CollectorError as exc:
        raise CollectorError(f"cannot run ruff: {exc}") from None
    argv = [*base, "check", "--output-format=json", "--no-cache", "--exit-zero"]
    if select:
        argv.append("--select=" + ",".join(select))
    if ignore:
        argv.append("--ignore=" + ",".join(ignore))
    argv += [*config_args, "--", *[_clean(p) for p in paths]]
    done = process.run(argv, cwd=root, timeout=timeout)
    record = CommandRecord(argv=argv, cwd=str(root), exit_code=done.exit_code,
                           output_tail=done.stderr.splitlines()[-20:])
    # 1 only means "diagnostics found" (a configured ruff may ignore --exit-zero); 2 is ruff's
    # own failure (bad config, bad option), after which its output says nothing about the code
    if done.exit_code not in (0, 1):
        raise CollectorError(f"ruff failed (exit {done.exit_code}): {_ruff_message(done.stderr)}")
    diagnostics = parse_json(done.stdout, root.resolve())
    unreadable = [d for d in diagnostics if d.code == IO_ERROR]
    if unreadable:
        first = unreadable[0]
        raise CollectorError(f"ruff could not read {first.file}: {first.message}")
    return RuffRun(diagnostics, record, version)


def _ruff_message(stderr: str) -> str:
    """ruff's own explanation: its ``Cause:`` lines, else the last lines of stderr."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith(("ruff failed", "Cause:", "error:"))]
    chosen = (causes or lines)[-4:]
    return " / ".join(chosen) or "no message on stderr"


def parse_json(text: str, root: Path) -> list[Diagnostic]:
    """Diagnostics from ruff's JSON output, with paths relative to ``root``."""
    try:
        document = json_depth.loads(text)
    except json.JSONDecodeError as exc:
        start = " ".join(text.split())[:120]
        raise CollectorError(f"ruff output is not JSON ({exc.msg}): {start!r}") from None
    except json_depth.TooDeep as exc:
        raise CollectorError(f"ruff's JSON output: {exc}") from None
    if not isinstance(document, list) or not all(isinstance(d, dict) for d in document):
        raise CollectorError("ruff output is not a JSON list of diagnostics")
    relative = _relative_to(root)
    diagnostics = [_diagnostic(index, item, relative) for index, item in enumerate(document)]
    diagnostics.sort(key=lambda d: (d.file, d.line or 0, d.code))
    return diagnostics


def _field(index: int, item: dict[str, Any], key: str, inner: str) -> Any:
    """``item[key][inner]`` where ``item[key]`` may be absent or null; anything else that is
    not an object is ruff output this gate cannot read, said plainly."""
    outer = item.get(key)
    if outer is None:
        return None
    if not isinstance(outer, dict):
        raise CollectorError(
            f"ruff output: diagnostic {index}: {key} is {type(outer).__name__}, not an object"
        )
    return outer.get(inner)


def _diagnostic(index: int, item: dict[str, Any], relative: Callable[[str], str]) -> Diagnostic:
    row = _field(index, item, "location", "row")
    if row is not None and (isinstance(row, bool) or not isinstance(row, int)):
        raise CollectorError(f"ruff output: diagnostic {index}: location.row is not a number")
    applicability = _field(index, item, "fix", "applicability")
    code = item.get("code")
    return Diagnostic(
        str(code) if code else "invalid-syntax",
        relative(str(item.get("filename", "?"))),
        row,
        str(item.get("message", "")),
        None if applicability is None else str(applicability),
    )


def _relative_to(root: Path) -> Callable[[str], str]:
    """A fast ``filename -> path relative to root`` (string prefixes, pathlib only as fallback)."""
    prefixes = sorted({f"{root}{os.sep}", f"{root.resolve()}{os.sep}"}, key=len, reverse=True)
    resolved = root.resolve()

    def relative(filename: str) -> str:
        for prefix in prefixes:
            if filename.startswith(prefix):
                return filename[len(prefix):].replace(os.sep, "/")
        try:
            return Path(filename).resolve().relative_to(resolved).as_posix()
        except ValueError:
            return Path(filename).as_posix()

    return relative
