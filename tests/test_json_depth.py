"""Deeply nested JSON is refused with its depth and line (ruff's output, pip-audit reports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gacheck.collectors.ruff import parse_json
from gacheck.core import json_depth
from gacheck.core.errors import CollectorError


def test_a_document_nested_past_the_decoder_names_its_depth_and_line() -> None:
    text = '{"a": "[[[[ not counted in a string \\" [[",\n "b":\n' + "[" * 50_000 + "]" * 50_000 + "}"
    with pytest.raises(json_depth.TooDeep) as raised:
        json_depth.loads(text)
    assert (raised.value.depth, raised.value.line) == (50_001, 3)


def test_ordinary_nesting_decodes_as_json_does() -> None:
    """Control: what the standard decoder reads is read the same."""
    text = '{"x": [[1, 2], {"y": [3]}], "s": "]]]"}'
    assert json_depth.loads(text) == {"x": [[1, 2], {"y": [3]}], "s": "]]]"}
    assert json_depth.deepest(text) == (4, 1)


def test_ruff_output_nested_too_deeply_is_a_collector_error(tmp_path: Path) -> None:
    with pytest.raises(CollectorError, match=r"ruff's JSON output: nested too deeply to read: "
                                             r"200,000 levels"):
        parse_json("[" * 200_000 + "]" * 200_000, tmp_path)
