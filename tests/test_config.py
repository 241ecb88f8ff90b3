"""Every config error is one clear line naming the file and key path, with exit code 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gacheck.core.errors import ConfigError
from gacheck.run.config_binding import load_config

GOOD = """
[settings]
output_dir = "out"

[[gates]]
id = "unit_tests"
kind = "command"
title = "Unit tests"
command = ["true"]

[[gates]]
id = "p95"
kind = "json_value"
title = "p95 from a snapshot"
file = "snapshot.json"
path = "summary.p95"
unit = "seconds"
threshold = { max = "10ms", warn = "8ms" }
"""


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_a_good_config_is_read_with_units_and_defaults(write_config) -> None:
    config = load_config(write_config(GOOD))
    tests, p95 = config.gates
    assert tests.blocking and tests.weight == 1 and tests.timeout == 60
    assert tests.threshold.max == 0  # the command kind's default: exit code 0
    assert p95.threshold.max == pytest.approx(0.010) and p95.threshold.warn == pytest.approx(0.008)
    assert len(config.sha256) == 64


def test_the_default_config_names_the_seed_checklist() -> None:
    text = (Path(__file__).parents[1] / "config" / "gates.toml").read_text()
    for gate_id in (
        "soak_duration", "critical_alerts", "guardian_denial_rate", "pdp_p95_latency",
        "ruff_hot_path", "openapi_headers", "facade_smoke", "e402_batches",
        "dependency_vulnerabilities",
    ):
        assert f'id = "{gate_id}"' in text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # unit mismatch: a duration threshold that is not a duration
        (('max = "10ms"', 'max = "ten"'),
         'gates.toml: gates[1].threshold.max: expected a duration like "10ms", got "ten"'),
        # an unknown key among a kind's parameters
        (('path = "summary.p95"', 'path = "summary.p95"\npaht = "x"'),
         "gates.toml: gates[1].paht: unknown key"),
        # an unknown key among the common keys of settings
        (('output_dir = "out"', 'output_dir = "out"\noutptu = 1'),
         "gates.toml: settings.outptu: unknown key"),
        # a wrong type
        (('id = "unit_tests"\nkind = "command"', 'id = "unit_tests"\nkind = "command"\nweight = "heavy"'),
         "gates.toml: gates[0].weight: Input should be a valid number, unable to parse string as a "
         "number, got 'heavy'"),
        # a duplicate id
        (('id = "p95"', 'id = "unit_tests"'),
         "gates.toml: gates[1].id: duplicate id 'unit_tests' (first used by gates[0])"),
        # an unknown kind
        (('kind = "json_value"', 'kind = "ruff_bugdet"'),
         'gates.toml: gates[1].kind: unknown gate kind "ruff_bugdet" (known: '),
        # an id that is not [a-z0-9_]+
        (('id = "p95"', 'id = "P95-latency"'), "gates.toml: gates[1].id: String should match pattern"),
        # both min and max
        (('threshold = { max = "10ms", warn = "8ms" }', 'threshold = { max = "10ms", min = "1ms" }'),
         "gates.toml: gates[1].threshold: give exactly one of max or min"),
        # a warn level on the failing side
        (('warn = "8ms"', 'warn = "20ms"'),
         "gates.toml: gates[1].threshold.warn: must not be above max for a max threshold"),
    ],
)
def test_config_errors_name_file_key_path_and_expectation(write_config, change, expected) -> None:
    old, new = change
    assert old in GOOD
    message = error_of(write_config(GOOD.replace(old, new, 1)))
    assert expected in message
    assert "\n" not in message


def test_toml_syntax_error_gives_the_line(write_config) -> None:
    message = error_of(write_config('[[gates]]\nid = "x"\nkind = = "command"\n'))
    assert "gates.toml: TOML syntax error" in message
    assert "line 3" in message


def test_missing_file(tmp_path: Path) -> None:
    assert error_of(tmp_path / "nope.toml") == f"{tmp_path / 'nope.toml'}: file not found"


def test_unreadable_file(tmp_path: Path, write_config) -> None:
    assert "is a directory" in error_of(tmp_path)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[[gates]]")
    assert "not UTF-8 text" in error_of(binary)
    inside_a_file = write_config(GOOD) / "gates.toml"
    assert "cannot read" in error_of(inside_a_file)
    if os.geteuid() != 0:  # root reads files whatever their mode
        locked = write_config(GOOD, "locked.toml")
        locked.chmod(0)
        assert "cannot read: Permission denied" in error_of(locked)


def test_a_waiver_for_an_unknown_gate(write_config) -> None:
    text = GOOD + '\n[[waivers]]\ngate = "p59"\nreason = "r"\nowner = "o"\nexpires = 2026-12-01\n'
    assert "gates.toml: waivers[0].gate: no gate has id 'p59'" in error_of(write_config(text))


def test_a_waiver_needs_an_expiry_date(write_config) -> None:
    text = GOOD + '\n[[waivers]]\ngate = "p95"\nreason = "r"\nowner = "o"\n'
    assert "gates.toml: waivers[0].expires: required key is missing" in error_of(write_config(text))


def test_a_config_without_gates(write_config) -> None:
    assert "gates.toml: gates: required key is missing" in error_of(write_config("[settings]\n"))


def test_the_cli_prints_one_line_and_exits_2_without_traceback(write_config, run_cli) -> None:
    path = write_config(GOOD.replace('max = "10ms"', 'max = "ten"'))
    for command in ("validate", "evaluate"):
        result = run_cli(command, "--config", str(path))
        assert result.code == 2
        assert result.err.count("\n") == 1
        assert "Traceback" not in result.err
        assert 'gates[1].threshold.max: expected a duration like "10ms", got "ten"' in result.err


def test_validate_lists_the_gates(write_config, run_cli) -> None:
    result = run_cli("validate", "--config", str(write_config(GOOD)))
    assert result.code == 0
    assert "2 gates" in result.out
    assert "p95" in result.out and "json_value" in result.out and "≤ 10ms (warn 8ms)" in result.out


def test_the_example_configs_are_valid() -> None:
    examples = sorted((Path(__file__).parents[1] / "config" / "examples").glob("*.toml"))
    assert examples
    for path in examples:
        assert load_config(path).gates
