"""Fixtures of the dashboard tests: generated audit folders (plain, research-shaped, hostile,
damaged), a built site, and a headless Debian chromium driven by Playwright.

Self-contained: nothing here comes from another test folder. Screenshots go to the artefact
folder ``$GACHECK_TEST_ARTEFACTS/site`` (default ``test-artefacts/site`` in the repository),
printed by the tests that write there.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from gacheck.promlab.audit_history import write_history

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("GACHECK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
HOSTILE = ("<script>window.__pwned=1</script>\"'><img src=x onerror=\"window.__pwned=2\">"
           "<a href=\"javascript:window.__pwned=3\">x</a> javascript:alert(1) ünïcødé ✓ ")
KEEP = {"evaluated_at", "generated_at", "start", "end", "time", "expires", "schema_version"}


def hostile(value: Any, key: str = "") -> Any:
    """Every string of an audit document with hostile text added (instants stay readable)."""
    if isinstance(value, dict):
        return {k: hostile(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [hostile(v, key) for v in value]
    if isinstance(value, str) and key not in KEEP:
        return HOSTILE + value
    return value


def now() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=5)


@pytest.fixture(scope="session")
def artefacts() -> Path:
    folder = Path(os.environ.get("GACHECK_TEST_ARTEFACTS", REPO / "test-artefacts")) / "site"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def audit_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``ga``: 20 days; ``research``: 5 days in the research layout; ``evil<script>"``: the
    hostile copy of 3 days, with a gate whose id holds markup."""
    base = tmp_path_factory.mktemp("audits")
    ga, research, evil = base / "ga", base / "research", base / 'evil<script>"'
    write_history(ga, 20, now())
    for path in write_history(base / "tmp", 5, now(), seed=3):
        document = json.loads(path.read_text(encoding="utf-8"))
        stamp = document["evaluated_at"][:19].replace("-", "").replace(":", "")
        mark = ".partial" if path.stem.endswith(".partial") else ""
        research.mkdir(exist_ok=True)
        (research / f"RESEARCH_AUDIT_{stamp}Z{mark}.json").write_text(
            path.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.rmtree(base / "tmp")
    for path in write_history(evil, 3, now(), seed=5):
        document = hostile(json.loads(path.read_text(encoding="utf-8")))
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return {"ga": ga, "research": research, "evil": evil}


@pytest.fixture(scope="session")
def built_site(audit_folders: dict[str, Path], tmp_path_factory: pytest.TempPathFactory,
               ) -> Path:
    from gacheck import cli

    out = tmp_path_factory.mktemp("site") / "site"
    argv = ["site", "--out", str(out)]
    for folder in audit_folders.values():
        argv += ["--audits", str(folder)]
    assert cli.main(argv) == 0
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, with a new empty profile; no browser download."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium")
    profile = tempfile.mkdtemp(prefix="gacheck-chromium-")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS[1:],
            viewport={"width": 1100, "height": 900}, offline=True)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)
