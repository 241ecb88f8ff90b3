"""``gacheck site`` without a browser: damaged audit folders (corrupt, partial writes,
future-dated, huge files) are skipped and named, a 20,000-finding gate makes no huge page,
partial and incomplete days are never shown as passes, and every page parses as HTML with no
error (html5lib, strict)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gacheck import cli
from gacheck.history.store import MAX_AUDIT_BYTES
from gacheck.promlab.audit_history import write_history


def now() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=5)


def _build(capsys: pytest.CaptureFixture[str], out: Path, *folders: Path) -> str:
    argv = ["site", "--out", str(out)]
    for folder in folders:
        argv += ["--audits", str(folder)]
    assert cli.main(argv) == 0
    return capsys.readouterr().err


def test_every_page_is_well_formed_html(built_site: Path) -> None:
    html5lib = pytest.importorskip("html5lib")
    for path in built_site.rglob("*.html"):
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(path.read_bytes())  # raises on any parse error
        assert parser.errors == []


def test_damaged_files_are_skipped_and_named(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    audits = tmp_path / "audits"
    write_history(audits, 4, now())
    (audits / "corrupt").mkdir()
    (audits / "corrupt/ga-readiness.json").write_text('{"schema_version": 1, "gat', "utf-8")
    (audits / "empty.json").write_text("", "utf-8")
    future = json.loads(next(audits.glob("*/ga-readiness.json")).read_text("utf-8"))
    future["evaluated_at"] = (now() + timedelta(days=30)).isoformat()
    (audits / "future.json").write_text(json.dumps(future), "utf-8")
    with (audits / "huge.json").open("wb") as handle:
        handle.truncate(MAX_AUDIT_BYTES + 1)
    err = _build(capsys, tmp_path / "site", audits)
    for name in ("corrupt/ga-readiness.json", "empty.json", "future.json", "huge.json"):
        assert f"{name}:" in err, err
    assert "in the future" in err
    index = (tmp_path / "site/index.html").read_text("utf-8")
    assert "4 files skipped" in index and "future.json" in index
    assert len(list((tmp_path / "site/audits/audits").glob("*.html"))) == 6  # 4 full, 1 partial, the index


def test_twenty_thousand_findings_are_truncated_with_a_count(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audits = tmp_path / "audits"
    path = write_history(audits, 1, now())[0]
    document = json.loads(path.read_text("utf-8"))
    gate = next(g for g in document["gates"] if g["id"] == "ruff_budget")
    gate["evidence"]["findings"] = [
        {"message": f"finding {i}", "code": "E501", "file": f"src/m{i}.py", "line": i,
         "severity": "error"} for i in range(20_000)]
    gate["evidence"]["findings_total"] = 20_000
    path.write_text(json.dumps(document), "utf-8")
    _build(capsys, tmp_path / "site", audits)
    for page in [tmp_path / "site/audits/gates/ruff_budget.html",
                 *(tmp_path / "site/audits/audits").glob("2*.html")]:
        text = page.read_text("utf-8")
        assert len(text) < 200_000, page
        assert "Showing 200 of 20,000 findings" in text
        assert "src/m199.py" in text and "src/m200.py" not in text


def test_partial_and_incomplete_days_are_never_passes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audits = tmp_path / "audits"
    paths = write_history(audits, 2, now())
    latest = json.loads(paths[-1].read_text("utf-8"))
    latest["verdict"] = "incomplete"
    paths[-1].write_text(json.dumps(latest), "utf-8")
    only_partial = audits / "2000-01-01"
    only_partial.mkdir()
    partial = dict(latest, partial=True, verdict="pass", evaluated_at="2000-01-01T00:00:00Z")
    (only_partial / "ga-readiness.partial.json").write_text(json.dumps(partial), "utf-8")
    _build(capsys, tmp_path / "site", audits)
    index = (tmp_path / "site/index.html").read_text("utf-8")
    assert "The latest audit is incomplete" in index
    assert "2000-01-01 partial" in index and "Passing streak</dt><dd>0 days" in index
    assert 'class="badge s-incomplete">incomplete' in index


def test_a_rebuild_removes_pages_that_are_gone_and_nothing_else(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audits, out = tmp_path / "audits", tmp_path / "site"
    paths = write_history(audits, 3, now())
    _build(capsys, out, audits)
    (out / "mine.txt").write_text("kept", "utf-8")
    pages = sorted(out.rglob("*.html"))
    paths[0].unlink()
    _build(capsys, out, audits)
    assert len(sorted(out.rglob("*.html"))) == len(pages) - 1
    assert (out / "mine.txt").read_text("utf-8") == "kept"


def test_a_rebuild_removes_nothing_through_a_link_or_an_edited_manifest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The manifest lives in the site folder, which may be committed with the release
    candidate: it names what may be removed, never a file outside the site or one a build
    does not write."""
    audits, out, outside = tmp_path / "audits", tmp_path / "site", tmp_path / "outside"
    write_history(audits, 2, now())
    _build(capsys, out, audits)
    outside.mkdir()
    (outside / "victim.html").write_text("kept", "utf-8")
    (out / "notes.txt").write_text("kept", "utf-8")
    (out / "linked").symlink_to(outside)
    manifest = out / ".gacheck-site-pages.txt"
    manifest.write_text(manifest.read_text("utf-8") + "linked/victim.html\nnotes.txt\n", "utf-8")
    _build(capsys, out, audits)
    assert (outside / "victim.html").read_text("utf-8") == "kept"
    assert (out / "notes.txt").read_text("utf-8") == "kept"
    assert sorted(out.rglob("index.html"))  # control: the site itself was built again
