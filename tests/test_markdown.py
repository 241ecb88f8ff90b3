"""The Markdown report: verdict first, a table that outside text cannot break, evidence."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from gacheck.core.models import (
    Audit,
    CommandRecord,
    Evidence,
    Finding,
    GateResult,
    Status,
    Threshold,
    Verdict,
)
from gacheck.core.units import Unit
from gacheck.reports.markdown import code, fence, md, render_markdown

HOSTILE = "evil | </td><script>alert(1)</script>\n## injected [link](http://x) `tick` *b*"


def audit_with(title: str, message: str, evidence: Evidence | None = None) -> Audit:
    gate = GateResult(
        id="g1", kind="command", title=title, blocking=True, weight=1, status=Status.FAIL,
        value=3, threshold=Threshold(max=0, unit=Unit.COUNT), unit=Unit.COUNT, message=message,
        evidence=evidence or Evidence(),
    )
    when = datetime(2026, 11, 25, 12, tzinfo=UTC)
    return Audit(
        tool_version="0", evaluated_at=when, generated_at=when, config_path="c.toml",
        config_sha256="0" * 64, command=["gacheck"], verdict=Verdict.FAIL, score=0, gates=[gate],
    )


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_verdict_and_score_come_first() -> None:
    text = render_markdown(audit_with("Tests", "exit code 3"))
    assert text.splitlines()[0] == "# GA readiness: FAIL (score 0)"


def test_outside_text_cannot_break_the_table_or_inject_markup() -> None:
    text = render_markdown(audit_with(HOSTILE, HOSTILE))
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    assert len(rows) == 1
    assert unescaped_pipes(rows[0]) == 6  # five columns
    assert "<script>" not in text and "</td>" not in text
    assert "\n## injected" not in text
    assert "&lt;script>" in text


def test_findings_are_escaped_and_capped_at_50() -> None:
    findings = [Finding(message=f"bad | {i}", file="a|b.py", line=i, code="E402") for i in range(60)]
    text = render_markdown(audit_with("t", "m", Evidence(findings=findings, findings_total=75)))
    rows = [line for line in text.splitlines() if "E402" in line]
    assert len(rows) == 50
    assert all(unescaped_pipes(row) == 5 for row in rows)
    assert "25 more findings are in the JSON audit." in text


def test_commands_are_shown_to_be_rerun_in_a_fence_they_cannot_close() -> None:
    record = CommandRecord(argv=["sh", "-c", "echo ```; rm -rf x"], cwd="/repo", exit_code=1,
                           output_tail=["```", "# not a heading"])
    text = render_markdown(audit_with("t", "m", Evidence(commands=[record])))
    assert "cd /repo && sh -c 'echo ```; rm -rf x'   # exit 1" in text
    assert "````\n```\n# not a heading\n````" in text


def test_inline_helpers() -> None:
    assert md("a|b") == "a\\|b"
    assert md("line\nbreak") == "line break"
    assert md("<b>") == "&lt;b>"
    assert code("a`b") == "``a`b``"
    assert fence("x ``` y").startswith("````\n")


def test_each_note_stays_its_own_line_in_the_rendered_report() -> None:
    audit = audit_with("t", "m").model_copy(
        update={"notes": ["blocking gates failed: g1", "waiver for x expired on 2026-11-24; ignored"]}
    )
    text = render_markdown(audit)
    assert "\n\n> - blocking gates failed: g1\n> - waiver for x expired on 2026-11-24; ignored\n" in text


def test_plain_prose_is_not_escaped() -> None:
    """Dots, dashes, parentheses, braces, snake_case and timestamps read as they are."""
    for text in ("127.0.0.1:9090", "2026-11-26T03:22:44Z", 'lukhas-facade-0 {outcome="allow"}',
                 "refactor(lint): E402 batch 1", "guardian_denial_rate +6ms -10", "a > b",
                 "#5 is an issue number", "see e.g. RFC 3339!"):
        assert md(text) == text, text


def test_timestamps_are_shown_to_the_second() -> None:
    assert md("fired at 2026-11-26T03:22:44.890000Z") == "fired at 2026-11-26T03:22:44Z"
    assert md("2026-11-26T03:22:44.5+01:00") == "2026-11-26T03:22:44+01:00"
    assert md("version 1.5.1") == "version 1.5.1"


@pytest.mark.parametrize(("text", "escaped"), [
    ("# heading", "\\# heading"),
    ("> quote", "\\> quote"),
    ("- item", "\\- item"),
    ("+ item", "\\+ item"),
    ("1. item", "1\\. item"),
    ("3) item", "3\\) item"),
    ("---", "\\---"),
    ("*bold* and _em_", "\\*bold\\* and \\_em\\_"),
    ("~~gone~~", "\\~\\~gone\\~\\~"),
    ("[x](http://evil)", "\\[x\\](http://evil)"),
    ("![img](x)", "!\\[img\\](x)"),
    ("a | b", "a \\| b"),
    ("`code`", "\\`code\\`"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
    ("&lt; stays text", "&amp;lt; stays text"),
    ("back\\slash", "back\\\\slash"),
])
def test_what_would_change_the_rendering_is_escaped(text: str, escaped: str) -> None:
    assert md(text) == escaped


def test_hostile_text_renders_as_text_through_a_real_markdown_parser() -> None:
    """markdown-it (CommonMark + GFM tables) shows the hostile text, not markup made of it."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    html = parser.render(render_markdown(audit_with(HOSTILE, HOSTILE)))
    assert "<script>" not in html and "<h2>injected" not in html
    assert '<a href="http://x">' not in html and "<code>tick</code>" not in html
    assert "<em>" not in html and "<strong>b" not in html
