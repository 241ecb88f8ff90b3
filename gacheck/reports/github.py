"""GitHub Actions output: workflow-command annotations and the job's step summary.

GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job); anything
beyond that is silently dropped, so we send the most important ones and count the rest in a
single notice. The step summary file is capped at 1 MiB per step: a longer report is cut at a
gate boundary with a note that points to the full audit.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gacheck.core.models import Audit, GateResult, Status

ANNOTATIONS_PER_LEVEL = 10
"""Error and warning annotations GitHub keeps per step (each level counted separately)."""
SUMMARY_LIMIT = 1024 * 1024
"""Bytes the step summary of one step may hold."""
SUMMARY_MARGIN = 4096  # room for the truncation note and a little slack
_BAD = frozenset({Status.FAIL, Status.ERROR, Status.NO_DATA})


def escape_data(text: str) -> str:
    """The message part of a workflow command: ``%``, CR and LF would end or alter it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A ``key=value`` property: also ``:`` (ends the properties) and ``,`` (next property)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True)
class Annotation:
    level: str  # "error" or "warning"
    message: str
    title: str | None = None
    file: str | None = None
    line: int | None = None

    def command(self) -> str:
        props = []
        if self.file:
            props.append(f"file={escape_property(self.file)}")
            if self.line:
                props.append(f"line={self.line}")
        if self.title:
            props.append(f"title={escape_property(self.title)}")
        joined = (" " + ",".join(props)) if props else ""
        return f"::{self.level}{joined}::{escape_data(self.message)}"


def _gate_level(gate: GateResult) -> str | None:
    """error for a blocking gate that fails or cannot be measured; warning for lesser trouble."""
    if gate.status in _BAD:
        return "error" if gate.blocking else "warning"
    if gate.status is Status.WARN:
        return "warning"
    return None


def annotations(audit: Audit, file_prefix: str = "") -> list[Annotation]:
    """Every annotation the audit deserves, most important first: gate verdicts, then findings.

    ``file_prefix``: where the repository sits in the workspace, since findings name files
    relative to ``--repo`` and GitHub reads them relative to the workspace.
    """
    by_gate: list[Annotation] = []
    findings: list[Annotation] = []
    for gate in audit.gates:
        level = _gate_level(gate)
        if level is None:
            continue  # findings of a passing gate are within budget: not worth a red mark
        message = f"{gate.status.value}: {gate.message}"
        by_gate.append(Annotation(level, message, title=f"gacheck: {gate.title}"))
        for finding in gate.evidence.findings:
            finding_level = level if finding.severity == "error" else "warning"
            code = f"[{finding.code}] " if finding.code else ""
            findings.append(
                Annotation(
                    finding_level,
                    f"{code}{finding.message}",
                    title=f"gacheck: {gate.id}",
                    file=_in_workspace(finding.file, file_prefix),
                    line=finding.line,
                )
            )
    return by_gate + findings


def _in_workspace(file: str | None, prefix: str) -> str | None:
    if not file or not prefix or prefix == "." or PurePosixPath(file).is_absolute():
        return file
    return str(PurePosixPath(prefix) / file)


def workspace_prefix(repo: Path, workspace: str | None) -> str:
    """The repository's path inside the workspace (GITHUB_WORKSPACE, else the current folder)."""
    base = Path(workspace) if workspace else Path.cwd()
    try:
        return repo.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return ""


def annotation_lines(
    audit: Audit, full_report: str | None = None, file_prefix: str = ""
) -> list[str]:
    """Workflow commands within the per-step limits, plus one notice counting what was left out."""
    kept: dict[str, int] = {"error": 0, "warning": 0}
    left_out: dict[str, int] = {"error": 0, "warning": 0}
    lines: list[str] = []
    for note in annotations(audit, file_prefix):
        if kept[note.level] < ANNOTATIONS_PER_LEVEL:
            kept[note.level] += 1
            lines.append(note.command())
        else:
            left_out[note.level] += 1
    if any(left_out.values()):
        where = f"the full audit: {full_report}" if full_report else "the JSON audit"
        lines.append(
            "::notice title=gacheck::"
            + escape_data(
                f"{left_out['error']} more error and {left_out['warning']} more warning "
                f"annotations are not shown (GitHub keeps {ANNOTATIONS_PER_LEVEL} of each per "
                f"step); see {where}"
            )
        )
    return lines


def fit_summary(markdown: str, budget: int, full_report: str | None = None) -> str:
    """The report if it fits in ``budget`` bytes, else cut at a gate section, with a note."""
    if len(markdown.encode("utf-8")) <= budget:
        return markdown
    where = f"`{full_report}`" if full_report else "the JSON audit (run without --no-write)"
    note = f"\n\n> **Truncated** to fit GitHub's 1 MiB step summary; the full report is {where}.\n"
    room = max(0, budget - len(note.encode("utf-8")))
    head = markdown.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    # Cut before the last gate section that fits, so no table or code block is left open.
    cut = head.rfind('\n<a id="')
    if cut <= 0:
        cut = head.rfind("\n")
    return head[: max(cut, 0)].rstrip() + note


def render_github(audit: Audit, full_report: str | None = None, file_prefix: str = "") -> str:
    """What goes to stdout in ``--format github``: the annotations, one per line."""
    lines: Iterable[str] = annotation_lines(audit, full_report, file_prefix)
    return "".join(line + "\n" for line in lines)
