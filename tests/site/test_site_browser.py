"""The dashboard in a real browser (Debian's chromium, headless, driven by Playwright): every
page loads from file:// without a console message or a failed request, every link resolves,
axe-core finds no serious or critical violation (light and dark), hostile audit text runs
nothing, and screenshots of the overview and a gate page are kept as test artefacts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

IMPACTS = ("serious", "critical")
# one worker starts chromium and builds the site (session fixtures) for all of these tests
pytestmark = pytest.mark.xdist_group("site-browser")


def _page(browser: Any, scheme: str = "light", width: int = 1100) -> tuple[Any, list[str]]:
    """A new page, and the list its console messages, errors, failed requests and dialogs
    are appended to."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 900})
    return page, problems


def _open(browser: Any, path: Path, scheme: str = "light", width: int = 1100) -> tuple[Any, list]:
    page, problems = _page(browser, scheme, width)
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


def _links(page: Any) -> list[str]:
    # one evaluate in the page: eval_on_selector_all takes three times as long on each page
    return page.evaluate(
        "Array.from(document.querySelectorAll('a[href]'), e => e.getAttribute('href'))")


def test_every_page_loads_cleanly_and_every_link_resolves(browser: Any, built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 30
    page, problems = _page(browser)  # one tab visits every page: half the time of a tab each
    for path in pages:
        problems.clear()
        page.goto(path.as_uri(), wait_until="load")
        assert problems == [], f"{path.relative_to(built_site)}: {problems}"
        for href in _links(page):
            assert not re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I), f"{path}: {href}"
            target, _, fragment = href.partition("#")
            resolved = (path.parent / target).resolve() if target else path
            assert resolved.is_file(), f"{path.relative_to(built_site)}: {href} is missing"
            if fragment:
                assert f'id="{fragment}"' in resolved.read_text(encoding="utf-8"), href
        assert page.evaluate("document.scripts.length") == 0
    page.close()


def _axe(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in IMPACTS]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_core_finds_no_serious_violation(browser: Any, built_site: Path, scheme: str) -> None:
    chosen = [built_site / "index.html", next(built_site.glob("ga/gates/*.html")),
              next(built_site.glob("ga/audits/2*.html")), built_site / "ga/audits/index.html",
              next(built_site.glob("research/audits/RESEARCH*.html"))]
    for path in chosen:
        page, problems = _open(browser, path, scheme)
        violations = _axe(page)
        assert violations == [], (path, [(v["id"], v["impact"], v["nodes"][0]["html"])
                                         for v in violations])
        page.close()


def test_screenshots_of_the_overview_and_a_gate_page(browser: Any, built_site: Path,
                                                    artefacts: Path) -> None:
    shots = {"overview.png": (built_site / "index.html", "light", 1100),
             "overview-phone-dark.png": (built_site / "index.html", "dark", 390),
             "gate-latency_p95.png": (built_site / "ga/gates/latency_p95.html", "light", 1100),
             "gate-latency_p95-phone-dark.png": (built_site / "ga/gates/latency_p95.html",
                                                 "dark", 390)}
    for name, (path, scheme, width) in shots.items():
        page, problems = _open(browser, path, scheme, width)
        page.screenshot(path=str(artefacts / name), full_page=True)
        assert (artefacts / name).stat().st_size > 10_000
        if width < 500:  # readable on a phone: nothing wider than the screen
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.close()
    print(f"\nscreenshots: {artefacts}")


def test_hostile_audit_text_runs_nothing(browser: Any, built_site: Path) -> None:
    evil = [p for p in built_site.rglob("*.html") if "evil" in p.as_posix()]
    assert len(evil) >= 5
    for path in [built_site / "index.html", *evil]:
        page, problems = _open(browser, path)
        assert problems == [], problems
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert page.evaluate(
            "document.querySelectorAll('[onerror], [onmouseover], a[href^=javascript]').length"
        ) == 0
        if path != built_site / "index.html":
            assert "<script>window." in page.inner_text("main")
        page.close()
