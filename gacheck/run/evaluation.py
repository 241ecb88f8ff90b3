"""One evaluation from config to audit: select gates, run them, apply waivers, decide."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from gacheck import __version__
from gacheck.config.for_each import template_of
from gacheck.context import Context
from gacheck.core import timeparse
from gacheck.core.at_end import finish
from gacheck.core.errors import UsageError
from gacheck.core.models import Audit, RepositoryRecord, SelectionRecord
from gacheck.core.side_thread import beside
from gacheck.core.verdict import decide, score
from gacheck.history.store import SKIPPED_NOTE, history_before
from gacheck.run.engine import run_gates
from gacheck.run.for_each import expand_at
from gacheck.run.waivers import apply_waivers


@dataclass(frozen=True)
class Selection:
    """``--only``/``--skip``; ``partial`` (``--partial``) asks for a verdict on the selection."""

    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    partial: bool = False

    def choose(self, gate_ids: Sequence[str]) -> set[str]:
        """The ids chosen; a template's id (``pdp_p95_latency``) names all its gates."""
        named = {n: {g for g in gate_ids if n in (g, template_of(g))}
                 for n in (*self.only, *self.skip)}
        unknown = sorted(n for n, ids in named.items() if not ids)
        if unknown:
            known = ", ".join(gate_ids)
            raise UsageError(f"no gate has id {', '.join(unknown)} (gates: {known})")
        chosen = set().union(*(named[n] for n in self.only)) if self.only else set(gate_ids)
        return chosen - set().union(*(named[n] for n in self.skip))

    def wants(self, template: str) -> bool:
        """Whether a ``for_each`` template may be chosen (expanding it asks Prometheus)."""
        named = {template_of(n) for n in self.only}
        return (not self.only or template in named) and template not in self.skip


def evaluate(
    ctx: Context,
    selection: Selection = Selection(),
    command: Sequence[str] = (),
    report_only: bool = False,
) -> Audit:
    ctx = expand_at(ctx, selection.wants)
    config = ctx.config
    chosen = selection.choose([g.id for g in config.gates])
    record = _selection_record(ctx, selection, chosen)
    # The commit is read beside the gates (a git subprocess), not before the first one starts.
    probe = beside(lambda: _repository(ctx, chosen), name="gacheck-repository")
    measured = run_gates(ctx, chosen)
    finish(ctx)  # the cache's entries on disk before the next evaluation looks for them
    repository, repository_note = probe()
    results, waiver_records, notes = apply_waivers(measured, config.waivers, ctx.at.date())
    method = config.settings.score
    verdict, reasons = decide(results, config.settings.min_score, partial=selection.partial,
                              method=method)
    if record is not None:
        notes.append(_partial_note(record))
    if repository_note:
        notes.append(repository_note)
    skipped = [f"{SKIPPED_NOTE}{_relative(item, ctx)}" for item in history_before(ctx).skipped]
    audit = Audit(
        tool_version=__version__,
        evaluated_at=ctx.at,
        generated_at=timeparse.now(),
        config_path=config.path,
        config_sha256=config.sha256,
        command=list(command),
        verdict=verdict,
        score=score(results, method),
        min_score=config.settings.min_score,
        report_only=report_only,
        partial=record is not None,
        selection=record,
        repository=repository,
        gates=results,
        waivers=waiver_records,
        notes=reasons + notes + skipped,
    )
    # One place for the whole document (command line, notes, every gate) before any report.
    return ctx.secrets.redact_model(audit)


def _relative(text: str, ctx: Context) -> str:
    """Paths inside the repository shown relative to it, as everywhere else in the audit."""
    root = str(ctx.repo.resolve()) + "/"
    return text[len(root):] if text.startswith(root) else text


def _selection_record(
    ctx: Context, selection: Selection, chosen: set[str]
) -> SelectionRecord | None:
    """What the selection left out; ``None`` when every gate runs (a full audit)."""
    left_out = [g for g in ctx.config.gates if g.id not in chosen]
    if not left_out:
        return None
    return SelectionRecord(
        only=list(selection.only),
        skip=list(selection.skip),
        left_out=[g.id for g in left_out],
        left_out_blocking=[g.id for g in left_out if g.blocking],
        partial_requested=selection.partial,
    )


def _partial_note(record: SelectionRecord) -> str:
    covered = "covers only the selected gates" if record.partial_requested else (
        "is incomplete while blocking gates are left out" if record.left_out_blocking
        else "covers the selected gates"
    )
    return (
        f"partial audit: {', '.join(record.left_out)} not evaluated (--only/--skip); the verdict "
        f"{covered}. It is written beside the day's full audit, never over it or latest.*"
    )


PAST_AT = timedelta(minutes=1)
"""``--at`` this long before the wall clock is "in the past" for the code-gates note."""


def _repository(ctx: Context, chosen: set[str]) -> tuple[RepositoryRecord | None, str | None]:
    """The commit the selected gates that read the repository measure, probed once before they
    run; and, when ``--at`` is in the past, a note that they measured that commit, not the tree
    as it was at ``--at`` (Prometheus gates look back in time, a checkout does not)."""
    from gacheck.collectors.git import head_state
    from gacheck.gates import KINDS

    readers = [
        g.id for g in ctx.config.gates
        if g.id in chosen and KINDS[g.kind].reads_repository
    ]
    if not readers:
        return None, None
    state = head_state(ctx.repo, exclude=ctx.audit_dir)
    record = RepositoryRecord(commit=state.commit, dirty=state.dirty, gates=readers,
                              note=state.problem)
    if ctx.at >= timeparse.now() - PAST_AT:
        return record, None
    if state.commit:
        tree = f"commit {state.commit[:12]}" + (" with uncommitted changes" if state.dirty
                                                 else "")
    else:
        tree = f"the files as they are now ({state.problem})"
    at = ctx.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return record, (
        f"--at {at} is in the past, but {', '.join(readers)} read the repository as it is now: "
        f"they measured {tree}, not the tree as of {at}. Check out the commit of that time to "
        "measure it."
    )
