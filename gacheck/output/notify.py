"""Sending ``[[notify]]`` messages after an evaluation, bounded, recorded in the audit.

A webhook that is slow, refuses or is missing never changes the verdict or the exit code: each
message runs on its own thread, the run waits for all of them at most ``BUDGET_S`` (and each at
most its ``timeout``), and what happened is written to ``audit.notifications``. URLs come from
env variables and are registered as secrets, so they are redacted wherever they could appear.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from gacheck.config.model import Notify
from gacheck.context import Context
from gacheck.core.deadline import monotonic
from gacheck.core.models import Audit, NotificationRecord, Verdict
from gacheck.reports.notify_text import PAYLOADS, link

BUDGET_S = 30.0
"""The longest all messages of one run together may hold it."""
FAILING = (Verdict.FAIL, Verdict.INCOMPLETE)


@dataclass
class _Sending:
    target: Notify
    started: float
    record: NotificationRecord | None = None


def send_notifications(audit: Audit, ctx: Context) -> Audit:
    """``audit`` with a record of each configured message (sent, skipped or failed)."""
    targets = ctx.config.notify
    if not targets:
        return audit
    previous = _previous_verdict(ctx)
    url = link_for(audit, ctx, targets)
    for target in targets:  # secrets before any thread could print them
        ctx.secrets.add_url(ctx.secrets.from_env(target.url_env))
    records: list[NotificationRecord | None] = []
    sending: list[tuple[int, _Sending, threading.Thread]] = []
    for target in targets:
        why = _why_not(target, audit, previous)
        if why is not None:
            records.append(_record(target, "skipped", reason=why))
            continue
        job = _Sending(target, monotonic())
        thread = threading.Thread(target=_send, args=(job, audit, ctx, url), daemon=True,
                                  name="gacheck-notify")
        thread.start()
        sending.append((len(records), job, thread))
        records.append(None)
    deadline = monotonic() + BUDGET_S
    for index, job, thread in sending:
        thread.join(max(0.0, min(deadline, job.started + job.target.timeout + 1.0)
                        - monotonic()))
        records[index] = job.record or _record(
            job.target, "failed", reason=f"no answer within {job.target.timeout:g}s",
            duration=monotonic() - job.started)
    return audit.model_copy(update={"notifications": [r for r in records if r is not None]})


def link_for(audit: Audit, ctx: Context, targets: list[Notify]) -> dict[str | None, str | None]:
    """The audit's link for each ``link_base`` (the JSON file this run writes)."""
    from gacheck.history.layout import audit_paths

    path = audit_paths(ctx.config.settings, ctx.audit_dir, ctx.at, partial=audit.partial).json
    shown = path.relative_to(ctx.repo).as_posix() if path.is_relative_to(ctx.repo) else None
    return {t.link_base: link(t.link_base, shown) for t in targets}


def _why_not(target: Notify, audit: Audit, previous: str | None) -> str | None:
    if target.on == "fail" and audit.verdict not in FAILING:
        return f"on = fail: the verdict is {audit.verdict.value}"
    if target.on == "change" and previous == audit.verdict.value:
        return f"on = change: the verdict is {previous}, as in the previous full audit"
    return None


def _previous_verdict(ctx: Context) -> str | None:
    from gacheck.history.store import history_before

    audits = history_before(ctx).audits
    return str(audits[-1].document.get("verdict")) if audits else None


def _send(job: _Sending, audit: Audit, ctx: Context, links: dict[str | None, str | None]) -> None:
    import httpx

    target = job.target
    url = ctx.secrets.from_env(target.url_env)
    if not url:
        job.record = _record(target, "failed", reason=f"${target.url_env} is not set")
        return
    payload: dict[str, Any] = PAYLOADS[target.type](audit, links.get(target.link_base))
    try:
        with httpx.Client(timeout=target.timeout, trust_env=False) as client:
            answer = client.post(url, json=payload)
    except httpx.HTTPError as exc:
        reason = ctx.secrets.redact(f"{type(exc).__name__}: {exc}")
        job.record = _record(target, "failed", reason=reason,
                             duration=monotonic() - job.started)
        return
    ok = 200 <= answer.status_code < 300
    job.record = _record(target, "sent" if ok else "failed", status=answer.status_code,
                         reason=None if ok else f"HTTP {answer.status_code}",
                         duration=monotonic() - job.started)


def _record(target: Notify, outcome: str, *, status: int | None = None,
            reason: str | None = None, duration: float = 0.0) -> NotificationRecord:
    return NotificationRecord(type=target.type, url_env=target.url_env, on=target.on,
                              outcome=outcome, status_code=status, reason=reason,
                              duration_s=round(duration, 3))
