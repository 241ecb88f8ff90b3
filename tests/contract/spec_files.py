"""The OpenAPI specs written for the contract tests (``specs/``), copied into a checkout, and
the header-guard gate the OpenAPI tests evaluate on them."""

from __future__ import annotations

import shutil
from pathlib import Path

SPECS = Path(__file__).parent / "specs"


def add_specs(repo: Path, *names: str, into: str = "docs/openapi") -> None:
    """Copy fixture specs (files or folders under ``specs/``) into the repository."""
    target = repo / into
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = SPECS / name
        if source.is_dir():
            shutil.copytree(source, target / source.name)
        else:
            shutil.copy(source, target / source.name)


GATE = """
id = "openapi_headers"
kind = "openapi_headers"
title = "OpenAPI headers"
"""


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.message for f in result.evidence.findings)
