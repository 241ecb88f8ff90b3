"""pip-audit's JSON report: read one that was written, or run pip-audit to write one.

The report format is pip-audit's ``--format json``: ``{"dependencies": [...], "fixes": [...]}``,
each dependency either audited (``name``, ``version``, ``vulns``) or skipped (``name``,
``skip_reason``). A skipped dependency was NOT checked; pip-audit still says "No known
vulnerabilities found" when it skipped every one (e.g. its service was unreachable), so the
skips are kept here for the gate to judge, never dropped.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gacheck.collectors import process
from gacheck.core import json_depth
from gacheck.core.errors import CollectorError, FileRefusedError
from gacheck.core.models import CommandRecord
from gacheck.core.safe_files import MiB, read_text_confined

MAX_REPORT_BYTES = 16 * MiB
"""pip-audit's report of 5,000 dependencies with vulnerabilities is a few MB; parsing a bigger
one would take longer than the gate's time limit."""


class _Model(BaseModel):
    # extra keys are allowed: newer pip-audit versions may add fields we do not use
    model_config = ConfigDict(frozen=True, extra="allow")


class Vulnerability(_Model):
    id: str
    fix_versions: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None


class AuditedDependency(_Model):
    name: str
    version: str
    vulns: list[Vulnerability]


class SkippedDependency(_Model):
    name: str
    skip_reason: str


class AuditReport(_Model):
    dependencies: list[AuditedDependency | SkippedDependency]
    fixes: list[dict[str, object]] = Field(default_factory=list)

    @property
    def audited(self) -> list[AuditedDependency]:
        return [d for d in self.dependencies if isinstance(d, AuditedDependency)]

    @property
    def skipped(self) -> list[SkippedDependency]:
        return [d for d in self.dependencies if isinstance(d, SkippedDependency)]


def parse_report(text: str, source: str) -> AuditReport:
    """The report in ``text``; ``CollectorError`` naming ``source`` if it is not one."""
    try:
        document = json_depth.loads(text)
    except json.JSONDecodeError as exc:
        raise CollectorError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except json_depth.TooDeep as exc:
        raise CollectorError(f"{source}: {exc}") from None
    if not isinstance(document, dict) or "dependencies" not in document:
        raise CollectorError(
            f"{source}: not a pip-audit JSON report (expected an object with \"dependencies\", "
            "as written by pip-audit --format json)"
        )
    try:
        return AuditReport.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CollectorError(f"{source}: not a pip-audit JSON report: {where}: {first['msg']}") \
            from None


def read_report(path: Path, shown: str, root: Path | None = None) -> AuditReport:
    """The report at ``path``, a regular file inside ``root`` (its own folder by default)."""
    try:
        text = read_text_confined(path, root or path.parent, MAX_REPORT_BYTES)
    except FileNotFoundError:
        raise CollectorError(f"{shown}: report not found") from None
    except FileRefusedError as exc:
        raise CollectorError(str(exc).replace(str(path), shown, 1)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CollectorError(f"{shown}: cannot read: {exc}") from None
    return parse_report(text, shown)


def pip_audit_argv(executable: str | None) -> list[str]:
    if executable:
        return [executable]
    if importlib.util.find_spec("pip_audit") is None:
        raise CollectorError("pip-audit is not installed: pip install 'gacheck[audit]'")
    return [sys.executable, "-m", "pip_audit"]


def run_pip_audit(
    cwd: Path,
    requirements: Sequence[str] = (),
    *,
    service: str | None = None,
    executable: str | None = None,
    timeout: float = 300.0,
) -> tuple[AuditReport, CommandRecord]:
    """Run pip-audit on requirement files (relative to ``cwd``), or on this environment."""
    for name in requirements:
        if not (cwd / name).is_file():
            raise CollectorError(f"requirements file not found: {name}")
    with tempfile.TemporaryDirectory(prefix="gacheck-pip-audit-") as holder:
        output = Path(holder) / "pip-audit.json"
        argv = [*pip_audit_argv(executable), "--format", "json", "--progress-spinner", "off"]
        argv += [part for name in requirements for part in ("--requirement", name)]
        if service:
            argv += ["--vulnerability-service", service]
        # pip-audit exits 1 both for "vulnerabilities found" and for its own failures;
        # whether it wrote a report tells the two apart.
        done = process.run([*argv, "--output", str(output)], cwd=cwd, timeout=timeout)
        record = CommandRecord(argv=argv, cwd=str(cwd), exit_code=done.exit_code,
                               output_tail=done.stderr.splitlines()[-10:])
        if not output.is_file() or output.stat().st_size == 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            reason = lines[-1].strip() if lines else f"exit status {done.exit_code}"
            raise CollectorError(f"pip-audit wrote no report: {reason}")
        return read_report(output, "pip-audit output", Path(holder)), record
