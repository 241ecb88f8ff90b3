"""``validate`` accepts only what ``evaluate`` can use, and refuses the rest with one line that
names the file and the key path (exit 2), never an internal error."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from gacheck.core.models import GateResult, Status, Threshold
from gacheck.core.units import Unit
from gacheck.core.verdict import decide, score
from gacheck.reports.json_report import render_json

GATE = """
[[gates]]
id = "unit_tests"
kind = "command"
title = "Unit tests"
command = ["true"]
"""

FOUR_HUNDRED_DIGITS = "1" * 400


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        # a duration holding an array, a table, a date, a time, a boolean
        ("[settings]\nwindow = [1, 2]\n" + GATE,
         'settings.window: expected a duration like "10ms", got list [1, 2]'),
        ("[settings]\nstep = { a = 1 }\n" + GATE,
         'settings.step: expected a duration like "10ms", got dict'),
        ("[settings]\ntimeout = 2026-11-25\n" + GATE,
         'settings.timeout: expected a duration like "10ms", got date'),
        ("[settings]\ntimeout = 2026-11-25T12:00:00Z\n" + GATE,
         'settings.timeout: expected a duration like "10ms", got datetime'),
        (GATE + 'timeout = true\n', 'gates[0].timeout: expected a duration like "10ms", got bool'),
        # zero where zero means nothing
        ("[settings]\nstep = 0\n" + GATE, "settings.step: must be longer than 0s, got 0"),
        ('[settings]\nwindow = "0s"\n' + GATE, "settings.window: must be longer than 0s"),
        ('[settings]\ntimeout = "0ms"\n' + GATE, "settings.timeout: must be longer than 0s"),
        ('[prometheus]\ntimeout = 0\n' + GATE, "prometheus.timeout: must be longer than 0s"),
        (GATE + 'timeout = "0s"\n', "gates[0].timeout: must be longer than 0s"),
        (GATE + 'command_timeout = "0s"\n', "gates[0].command_timeout: must be longer than 0s"),
        (GATE.replace('kind = "command"', 'kind = "alerts"').replace('command = ["true"]', "")
         + 'window = "0h"\n', "gates[0].window: must be longer than 0s"),
        # durations nobody means
        (f'[settings]\nwindow = "{FOUR_HUNDRED_DIGITS}s"\n' + GATE,
         'settings.window: expected a duration like "10ms", got "1111'),
        (f"[settings]\nwindow = {FOUR_HUNDRED_DIGITS}\n" + GATE, "settings.window: expected a duration"),
        ('[settings]\nwindow = "99999999999999999999h"\n' + GATE,
         "settings.window: '99999999999999999999h' is longer than 3650d"),
        ("[settings]\nwindow = 1e400\n" + GATE, "settings.window: expected a duration"),
        # finite numbers everywhere
        (GATE + "weight = inf\n", "gates[0].weight: Input should be a finite number, got inf"),
        (GATE + "weight = nan\n", "gates[0].weight: Input should be a finite number, got nan"),
        (GATE + "weight = 1e300\n", "gates[0].weight: Input should be less than or equal to 1000000"),
        ("[settings]\nmin_score = nan\n" + GATE, "settings.min_score: Input should be a finite number"),
        (GATE + 'threshold = { max = "inf" }\n', "gates[0].threshold.max: expected a finite number"),
        (GATE.replace('kind = "command"', 'kind = "json_value"').replace('command = ["true"]', "")
         + 'file = "x.json"\npath = "a"\nunit = "ratio"\nthreshold = { max = "nan" }\n',
         'gates[0].threshold.max: expected a percentage like "1%" or a ratio like 0.01, got'),
        (GATE.replace('kind = "command"', 'kind = "soak_duration"').replace('command = ["true"]', "")
         + "min_coverage = nan\n", "gates[0].min_coverage: expected a percentage like"),
        # keys that are not bare words are quoted, on the same line
        (GATE + '"we\\nird" = 1\n', 'gates[0]"we\\nird": unknown key'),
        # characters other line splitters break on stay escaped, wherever a message quotes them
        (GATE + '"a\\u2028b\\u0085c" = 1\n', 'gates[0]"a\\u2028b\\x85c": unknown key'),
        (GATE.replace('kind = "command"', 'kind = "com\\nmand"'),
         'gates[0].kind: unknown gate kind "com\\nmand"'),
        ("[settings]\nwindow = \"1\\nh\"\n" + GATE,
         'settings.window: expected a duration like "10ms", got "1\\nh"'),
    ],
)
def test_bad_values_are_one_line_with_file_and_key_path(write_config, run_cli, toml, expected) -> None:
    path = write_config(toml)
    result = run_cli("validate", "--config", str(path))
    assert result.code == 2, result.out
    assert result.err.startswith(f"gacheck: error: {path}: "), result.err
    assert expected in result.err
    assert "internal error" not in result.err and len(result.err.splitlines()) == 1


def test_toml_nested_a_thousand_levels_is_a_clear_error(write_config, run_cli) -> None:
    path = write_config(GATE + "env = " + "[" * 1000 + "]" * 1000 + "\n")
    result = run_cli("validate", "--config", str(path))
    assert result.code == 2
    assert result.err == (f"gacheck: error: {path}: gates[0].env (line 7): nested more than 32 "
                          "levels deep\n")


def test_toml_nested_deeper_than_the_limit_but_readable_names_the_key_path(
    write_config, run_cli
) -> None:
    path = write_config(GATE + "env = " + "{ a = " * 40 + "1" + " }" * 40 + "\n")
    result = run_cli("validate", "--config", str(path))
    assert result.code == 2
    assert result.err.startswith(f"gacheck: error: {path}: gates[0].env.a.a.a")
    assert result.err.endswith(": nested more than 32 levels deep\n")


def test_zero_stays_allowed_where_it_means_something(write_config, run_cli) -> None:
    """Control: a 0s breach allowance, a 0ms retry delay and a 0s threshold are real settings."""
    path = write_config(GATE + 'threshold = { max = 0 }\n' + """
[[gates]]
id = "latency"
kind = "promql_sustained"
title = "Latency"
query = "x"
max_breach = "0s"
unit = "seconds"
threshold = { max = "0s" }

[[gates]]
id = "smoke"
kind = "http_smoke"
title = "Smoke"
retry_delay = "0ms"
""")
    result = run_cli("validate", "--config", str(path))
    assert result.code == 0, result.err


def _result(gate_id: str, status: Status, weight: float, blocking: bool = True) -> GateResult:
    return GateResult(id=gate_id, kind="command", title=gate_id, blocking=blocking, weight=weight,
                      status=status, threshold=Threshold(max=0, unit=Unit.COUNT), unit=Unit.COUNT,
                      message="")


def test_the_score_is_never_nan_and_min_score_is_never_bypassed() -> None:
    results = [_result("a", Status.PASS, math.inf), _result("b", Status.FAIL, 1, blocking=False)]
    assert score(results) == 0.0
    verdict, reasons = decide(results, min_score=80)
    assert verdict.value == "fail" and "below min_score 80" in reasons[0]


def test_the_audit_json_never_holds_bare_nan(tmp_path) -> None:
    from datetime import UTC, datetime

    from gacheck.core.models import Audit, Evidence, Verdict

    gate = _result("a", Status.PASS, 1).model_copy(
        update={"value": math.nan, "evidence": Evidence(details={"ratio": math.nan, "peak": math.inf})})
    audit = Audit(tool_version="t", evaluated_at=datetime(2026, 1, 1, tzinfo=UTC),
                  generated_at=datetime(2026, 1, 1, tzinfo=UTC), config_path="c",
                  config_sha256="0" * 64, command=[], verdict=Verdict.PASS, score=math.nan,
                  gates=[gate])
    text = render_json(audit)
    assert "NaN" not in text and "Infinity" not in text
    document = json.loads(text)
    assert document["score"] is None  # a NaN score is written as null, not as a number
    assert document["gates"][0]["value"] is None
    assert document["gates"][0]["evidence"]["details"] == {"ratio": None, "peak": None}


def test_an_example_from_the_docs_still_loads(write_config) -> None:
    """Control: every shipped config (config/, the profiles in the package) and every config
    example in docs/ (a ```toml block with a gate) still loads under the new bounds. (README's
    settings reference is a skeleton, "# ... then the kind's own parameters", not an example.)"""
    import re

    from gacheck.run.config_binding import load_config

    root = Path(__file__).resolve().parents[1]
    shipped = sorted((root / "config").rglob("*.toml")) + sorted(
        (root / "gacheck" / "profiles").glob("*.toml"))
    assert {"gates.toml", "research-audit.toml", "health-snapshot.toml", "lukhas.toml",
            "minimal.toml"} <= {p.name for p in shipped}
    for path in shipped:
        load_config(path)
    pages = sorted((root / "docs").rglob("*.md"))
    examples = [(page, block) for page in pages
                for block in re.findall(r"```toml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
                if "[[gates]]" in block]
    assert len(examples) >= 20
    for number, (page, block) in enumerate(examples):
        try:
            load_config(write_config(block, f"example{number}.toml"))
        except Exception as exc:  # name the page in the failure
            raise AssertionError(f"{page.relative_to(root)}: {exc}") from exc
