"""The examples in docs/gates for the contract gates are configs gacheck accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gacheck.run.config_binding import load_config

DOCS = Path(__file__).parents[2] / "docs" / "gates"


@pytest.mark.parametrize("page", ["openapi_headers.md", "http_smoke.md"])
def test_documented_example_is_a_valid_config(page: str, tmp_path: Path) -> None:
    (example,) = re.findall(r"```toml\n(.*?)```", (DOCS / page).read_text(), re.S)
    config_path = tmp_path / "gates.toml"
    config_path.write_text(example)

    (gate,) = load_config(config_path).gates
    assert gate.kind == page.removesuffix(".md")
    assert gate.threshold.max == 0
