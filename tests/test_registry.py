"""Every gate kind is registered, documented, and its documented examples are valid configs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gacheck.gates import KINDS
from gacheck.gates.interface import Params
from gacheck.run.config_binding import load_config

DOCS = Path(__file__).parents[1] / "docs" / "gates"


def toml_examples(text: str) -> list[str]:
    return [block for block in re.findall(r"```toml\n(.*?)```", text, re.S) if "[[gates]]" in block]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_params_a_unit_rule_and_a_default_threshold(kind: str) -> None:
    implementation = KINDS[kind]
    assert issubclass(implementation.params, Params)
    assert isinstance(implementation.default_threshold, dict)
    assert callable(implementation.evaluate)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_a_page_whose_examples_load(kind: str, tmp_path: Path) -> None:
    page = DOCS / f"{kind}.md"
    assert page.exists(), f"docs/gates/{kind}.md is missing"
    examples = toml_examples(page.read_text(encoding="utf-8"))
    assert examples, f"docs/gates/{kind}.md has no ```toml example with [[gates]]"
    for number, example in enumerate(examples):
        path = tmp_path / f"example{number}.toml"
        path.write_text(example, encoding="utf-8")
        config = load_config(path)
        assert any(g.kind == kind for g in config.gates) or number > 0


def test_the_default_config_uses_only_registered_kinds_and_loads() -> None:
    config = load_config(Path(__file__).parents[1] / "config" / "gates.toml")
    assert [g.id for g in config.gates] == [
        "soak_duration", "critical_alerts", "guardian_denial_rate", "pdp_p95_latency",
        "ruff_hot_path", "openapi_headers", "facade_smoke", "e402_batches",
        "dependency_vulnerabilities",
    ]
    assert [g.id for g in config.gates if not g.blocking] == ["dependency_vulnerabilities"]
