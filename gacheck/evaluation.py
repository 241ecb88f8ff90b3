"""One evaluation from config to audit: select gates, run them, apply waivers, decide."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from gacheck import __version__
from gacheck.context import Context
from gacheck.engine import run_gates
from gacheck.errors import UsageError
from gacheck.history import SKIPPED_NOTE, history_before
from gacheck.models import Audit
from gacheck.verdict import decide, score
from gacheck.waivers import apply_waivers


@dataclass(frozen=True)
class Selection:
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()

    def choose(self, gate_ids: Sequence[str]) -> set[str]:
        unknown = sorted((set(self.only) | set(self.skip)) - set(gate_ids))
        if unknown:
            known = ", ".join(gate_ids)
            raise UsageError(f"no gate has id {', '.join(unknown)} (gates: {known})")
        chosen = set(self.only) if self.only else set(gate_ids)
        return chosen - set(self.skip)


def evaluate(
    ctx: Context,
    selection: Selection = Selection(),
    command: Sequence[str] = (),
    report_only: bool = False,
) -> Audit:
    config = ctx.config
    chosen = selection.choose([g.id for g in config.gates])
    measured = run_gates(ctx, chosen)
    results, waiver_records, notes = apply_waivers(measured, config.waivers, ctx.at.date())
    verdict, reasons = decide(results, config.settings.min_score)
    skipped = [f"{SKIPPED_NOTE}{_relative(item, ctx)}" for item in history_before(ctx).skipped]
    audit = Audit(
        tool_version=__version__,
        evaluated_at=ctx.at,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        config_path=config.path,
        config_sha256=config.sha256,
        command=list(command),
        verdict=verdict,
        score=score(results),
        min_score=config.settings.min_score,
        report_only=report_only,
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
