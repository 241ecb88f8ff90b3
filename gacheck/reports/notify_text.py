"""The notification payloads: Slack blocks, a Teams Adaptive Card, a generic JSON summary.

Each says the verdict and lists every failing or unmeasured gate with its value against the
threshold, and links the audit when ``link_base`` is set. Text only: sending is
``gacheck.output.notify``'s.
"""

from __future__ import annotations

from typing import Any

from gacheck.core.models import Audit
from gacheck.reports.gate_lines import GateLine, headline, problem_lines

MAX_LINES = 20  # Slack allows 50 blocks a message; a card with more is unreadable anyway
_SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def link(link_base: str | None, audit_path: str | None) -> str | None:
    """``link_base`` + the audit's path relative to the repository."""
    if not link_base or not audit_path:
        return None
    return f"{link_base.rstrip('/')}/{audit_path.lstrip('/')}"


def _shown(audit: Audit) -> tuple[list[GateLine], int]:
    lines = problem_lines(audit)
    return lines[:MAX_LINES], max(len(lines) - MAX_LINES, 0)


def _slack(text: str) -> str:
    return "".join(_SLACK_ESCAPES.get(c, c) for c in text)


def slack_payload(audit: Audit, url: str | None) -> dict[str, Any]:
    """Slack incoming webhook: ``text`` (the fallback) and ``blocks``."""
    title = headline(audit)
    lines, more = _shown(audit)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
    ]
    for line in lines:
        text = (f"*{_slack(line.id)}* {line.status}: {_slack(line.value)} vs "
                f"{_slack(line.threshold)}\n{_slack(line.reason)}")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    notes = [f"config {_slack(audit.config_path)}"]
    if more:
        notes.append(f"{more} more gates in the audit")
    if url:
        notes.append(f"<{url}|the audit>")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(notes)}]})
    return {"text": title, "blocks": blocks}


def teams_payload(audit: Audit, url: str | None) -> dict[str, Any]:
    """Teams workflow webhook ("when a webhook request is received"): one Adaptive Card."""
    lines, more = _shown(audit)
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": headline(audit), "weight": "Bolder", "size": "Medium",
         "wrap": True},
    ]
    if lines:
        body.append({"type": "FactSet", "facts": [
            {"title": line.id, "value": f"{line.status}: {line.value} vs {line.threshold} — "
             f"{line.reason}"} for line in lines]})
    if more:
        body.append({"type": "TextBlock", "text": f"{more} more gates in the audit",
                     "wrap": True})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard", "version": "1.4", "body": body,
    }
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open the audit", "url": url}]
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
        "content": card}]}


def webhook_payload(audit: Audit, url: str | None) -> dict[str, Any]:
    """The audit's summary as JSON for any receiver."""
    return {
        "verdict": audit.verdict.value,
        "score": audit.score,
        "evaluated_at": audit.evaluated_at.isoformat().replace("+00:00", "Z"),
        "config": audit.config_path,
        "partial": audit.partial,
        "text": headline(audit),
        "problems": [vars(line) for line in problem_lines(audit)],
        "gates": {g.id: g.status.value for g in audit.gates},
        "link": url,
    }


PAYLOADS = {"slack": slack_payload, "teams": teams_payload, "webhook": webhook_payload}
