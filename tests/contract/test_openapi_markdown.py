"""The header guard's section of the Markdown report."""

from __future__ import annotations

from pathlib import Path

from gacheck.reports.markdown import render_markdown
from tests.contract.spec_files import GATE, add_specs
from tests.support.gates import audit_of


def test_spec_table_violations_and_exemptions(run_gate, repo: Path) -> None:
    add_specs(repo, "lukhas_like/facade.yaml", "lukhas_like/identity.json")
    result = run_gate(GATE + 'exempt = [{ path = "/healthz", reason = "liveness | probe" }]\n', repo)
    text = render_markdown(audit_of(result))

    assert "| docs/openapi/facade.yaml | openapi 3.0.3 | 4 | 9 | 1 | 0 | 0 |" in text
    assert "| docs/openapi/identity.json | openapi 3.0.3 | 2 | 4 | 0 | 4 | 0 |" in text
    line = next(n for n, t in enumerate((repo / "docs/openapi/identity.json").read_text()
                                         .splitlines(), 1) if '"429"' in t)
    assert (f"| docs/openapi/identity.json:{line} | GET /identity/verify 429: missing header(s) "
            "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Trace-Id, "
            "Retry-After |") in text
    # Text from the spec or config cannot break the table.
    assert "| GET /healthz | liveness \\| probe |" in text
    assert "more violations" not in text


def test_unreadable_specs_are_listed_with_the_reason(run_gate, repo: Path) -> None:
    (repo / "docs/openapi/broken.json").write_text("{not json")
    text = render_markdown(audit_of(run_gate(GATE, repo)))

    assert "Specs that could not be read:" in text
    assert "- `docs/openapi/broken.json`: " in text and "not valid JSON" in text
