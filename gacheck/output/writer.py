"""Writing one evaluation's files: dated JSON and Markdown, the ``latest`` copies, trend charts.

The Markdown gets a Trends table (sparklines over the last ``settings.history`` audits) and,
when matplotlib is installed (the ``plot`` extra), one PNG per numeric gate next to the dated
report. Each Markdown copy links the charts relative to where that copy lives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gacheck.context import Context
from gacheck.core.models import Audit
from gacheck.history.series import GateSeries


@dataclass(frozen=True)
class Written:
    """Every file one evaluation wrote (what ``--commit`` commits), and its main report."""

    files: list[Path] = field(default_factory=list)
    json: Path | None = None
    markdown: Path | None = None


def trend_series(audit: Audit, ctx: Context) -> list[GateSeries]:
    """This audit and the earlier full ones, except the file a full run at this instant replaces
    (a same-day re-run): ``history_before`` leaves both out."""
    from gacheck.history.series import gate_series
    from gacheck.history.store import history_before

    return gate_series(audit, history_before(ctx), ctx.config.settings.history)


def trend_extra(series: list[GateSeries], window: int) -> dict[str, Any]:
    """What ``audit.md.j2`` reads: ``trends`` rows and ``trends_window``; none for a first run."""
    from gacheck.history.series import trend_rows

    if not any(len(s.points) > 1 for s in series):
        return {}
    return {"trends": trend_rows(series), "trends_window": f"{window} audits"}


def chart_path(markdown: Path, gate_id: str) -> Path:
    """``2026-11-25/ga-readiness.md`` -> ``2026-11-25/ga-readiness.<gate>.png``."""
    return markdown.with_name(f"{markdown.stem}.{gate_id}.png")


def audit_folders(ctx: Context) -> list[Path]:
    """Every folder audits of this config may sit in (where a killed run's strays may be)."""
    from gacheck.history.store import dated_pattern, latest_pattern

    folders = {ctx.audit_dir}
    for pattern in (dated_pattern(ctx.config.settings), latest_pattern(ctx.config.settings)):
        parent = Path(pattern).parent if pattern else Path(".")
        if parent != Path("."):
            folders.update(p for p in ctx.audit_dir.glob(parent.as_posix()) if p.is_dir())
    return sorted(folders)


def write_audit(audit: Audit, ctx: Context, charts: bool = True) -> Written:
    """Write the dated audit, its latest copies and charts as one unit; return what was written.

    Runs into the same directory take turns (a lock), and a run that fails or is killed leaves
    none of its files: see ``gacheck.output.audit_set``.
    """
    from gacheck.output.audit_set import AuditSet, directory_lock, recover

    with directory_lock(ctx.audit_dir):
        recover(ctx.audit_dir, audit_folders(ctx))
        staged = AuditSet(ctx.audit_dir, ctx.secrets)
        try:
            written = _stage(audit, ctx, charts, staged)
        except BaseException:
            staged.discard()
            raise
        staged.commit()
    return written


def _stage(audit: Audit, ctx: Context, charts: bool, staged: Any) -> Written:
    from gacheck.history.layout import audit_paths
    from gacheck.reports.charts import curve_routes, plotting_available, render_chart, render_curve
    from gacheck.reports.json_report import render_json
    from gacheck.reports.markdown import render_markdown

    paths = audit_paths(ctx.config.settings, ctx.audit_dir, ctx.at, partial=audit.partial)
    series = trend_series(audit, ctx)
    extra = trend_extra(series, ctx.config.settings.history)
    files: list[Path] = []
    chart_files: dict[str, Path] = {}
    curve_files: dict[str, Path] = {}
    if charts and plotting_available():
        for one in series:
            if len(one.points) > 1:  # one point is not a trend worth a picture
                target = chart_path(paths.markdown, one.gate_id)
                staged.add_bytes(target, render_chart(one))
                chart_files[one.gate_id] = target
                files.append(target)
        for gate in audit.gates:  # load curves (rate_limit): a picture of this run, not a trend
            if curve_routes(gate):
                target = chart_path(paths.markdown, f"{gate.id}.curve")
                staged.add_bytes(target, render_curve(gate))
                curve_files[gate.id] = target
                files.append(target)

    json_text = render_json(audit)
    targets: list[tuple[Path, Path | None]] = [(paths.json, paths.markdown)]
    # A latest copy that lands on a dated file (same template) is written once, as the dated one.
    if paths.latest_json and paths.latest_json not in (paths.json, paths.markdown):
        targets.append((paths.latest_json, paths.latest_markdown))
    for json_path, markdown_path in targets:
        assert markdown_path is not None
        links, curves = ({
            gate_id: Path(os.path.relpath(png, markdown_path.parent)).as_posix()
            for gate_id, png in pngs.items()
        } for pngs in (chart_files, curve_files))
        if not same_but_for_timing(json_path, json_text):
            staged.add_text(json_path, json_text)
        staged.add_text(markdown_path, render_markdown(audit, {**extra, "charts": links,
                                                                "curves": curves}))
        files.extend([json_path, markdown_path])
    return Written(files=files, json=paths.json, markdown=paths.markdown)


def _without_timing(document: Any) -> Any:
    if isinstance(document, dict):
        document = {k: v for k, v in document.items() if k != "generated_at"}
        gates = document.get("gates")
        if isinstance(gates, list):
            document["gates"] = [
                {k: v for k, v in g.items() if k != "duration_s"} if isinstance(g, dict) else g
                for g in gates
            ]
    return document


def same_but_for_timing(path: Path, new_text: str) -> bool:
    """True when ``path`` holds this audit already, apart from wall-clock fields.

    Re-running an evaluation at the same instant on the same data then leaves the file as it
    was, so ``--commit`` finds nothing to commit instead of a commit that only moves a clock.
    """
    import json

    from gacheck.core.safe_files import read_text_confined
    from gacheck.history.store import MAX_AUDIT_BYTES

    try:
        old = json.loads(read_text_confined(path, path.parent, MAX_AUDIT_BYTES))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    return bool(_without_timing(old) == _without_timing(json.loads(new_text)))


def summary_markdown(audit: Audit, ctx: Context | None) -> str:
    """The report for places where relative images cannot be shown (the step summary)."""
    from gacheck.reports.markdown import render_markdown

    extra: dict[str, Any] = {}
    if ctx is not None:
        extra = trend_extra(trend_series(audit, ctx), ctx.config.settings.history)
    return render_markdown(audit, extra)
