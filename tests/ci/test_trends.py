"""Trends in the daily report: sparklines, PNG charts next to it, and the seed's file layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gacheck.history.series import sparkline
from gacheck.reports.charts import HEIGHT_PX, WIDTH_PX
from tests.ci.ci_project import write_project_config, write_snapshot
from tests.support.clock import day, on, stamp

DAYS = (day(3), day(2), day(1))  # three days that are over: a future --at is refused
FIRST, LAST = DAYS[0], DAYS[-1]


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8], "▁▂▃▄▅▆▇█"),
        ([5, 5, 5], "▄▄▄"),
        ([10, 0], "█▁"),
        ([], ""),
        ([1.0, float("nan"), 3.0], "▁ █"),
    ],
)
def test_sparkline(values, line) -> None:
    assert sparkline(values) == line


def _three_days(project: Path, evaluate_in, *args: str) -> None:  # type: ignore[no-untyped-def]
    for when, lint, p95 in zip(DAYS, (140, 110, 90), (0.004, 0.006, 0.012), strict=True):
        write_snapshot(project, lint=lint, p95=p95)
        evaluate_in(project, "--at", stamp(on(when, "06:00")), "--quiet", *args)


def test_the_report_has_a_trends_table_over_earlier_audits(project, evaluate_in) -> None:
    _three_days(project, evaluate_in, "--no-charts")
    markdown = (project / f"docs/audits/ga/{LAST}/ga-readiness.md").read_text()
    assert "| Gate | Last 14 audits | Last | Change |" in markdown
    assert "| Lint budget | █▄▁ | 90 | -20 |" in markdown
    assert "| p95 latency | ▁▃█ | 12ms | +6ms |" in markdown
    first = (project / f"docs/audits/ga/{FIRST}/ga-readiness.md").read_text()
    assert "## Trends" not in first  # one audit is not a trend


def test_a_png_chart_per_gate_next_to_the_report_and_embedded(project, evaluate_in) -> None:
    # the plot extra is optional: without matplotlib (and Pillow, which it brings) this test
    # is skipped, not the module failing to import; the next test covers that case
    pytest.importorskip("matplotlib")
    image_module = pytest.importorskip("PIL.Image")
    _three_days(project, evaluate_in)
    folder = project / f"docs/audits/ga/{LAST}"
    chart = folder / "ga-readiness.latency.png"
    with image_module.open(chart) as image:
        image.verify()
    with image_module.open(chart) as image:
        assert image.format == "PNG" and image.size == (WIDTH_PX, HEIGHT_PX)
    assert sorted(p.name for p in folder.glob("*.png")) == [
        "ga-readiness.budget.png", "ga-readiness.latency.png", "ga-readiness.smoke.png",
    ]
    dated = (folder / "ga-readiness.md").read_text()
    assert "![p95 latency over time](ga-readiness.latency.png)" in dated
    # the latest copy lives elsewhere: its links point at the same files from there
    latest = (project / "docs/audits/ga/latest.md").read_text()
    assert f"![p95 latency over time]({LAST}/ga-readiness.latency.png)" in latest


def test_without_the_plot_extra_the_report_is_written_without_charts(
        project, evaluate_in, monkeypatch) -> None:
    from gacheck.reports import charts

    monkeypatch.setattr(charts, "plotting_available", lambda: False)  # matplotlib not installed
    _three_days(project, evaluate_in)
    folder = project / f"docs/audits/ga/{LAST}"
    assert list(folder.glob("*.png")) == []
    dated = (folder / "ga-readiness.md").read_text()
    assert "| Lint budget | █▄▁ | 90 | -20 |" in dated  # the trends table is still there
    assert ".png)" not in dated


def test_the_seeds_layout_dated_latest_files_and_no_extra_copies(project, evaluate_in) -> None:
    write_project_config(project)
    config = project / "config/gates.toml"
    text = config.read_text().replace(
        'output_dir = "docs/audits/ga"',
        'output_dir = "docs/audits/health"\npath_template = "{date}/latest.{ext}"\n'
        'latest_template = ""',
    )
    config.write_text(text)
    _three_days(project, evaluate_in, "--no-charts")
    files = sorted(p.relative_to(project / "docs/audits/health").as_posix()
                   for p in (project / "docs/audits/health").rglob("*") if p.is_file())
    assert files == [f"{d}/latest.{ext}" for d in DAYS for ext in ("json", "md")]
    markdown = (project / f"docs/audits/health/{LAST}/latest.md").read_text()
    assert "| Lint budget | █▄▁ |" in markdown


def test_latest_copies_never_count_as_a_day_of_their_own(project, evaluate_in) -> None:
    config = project / "config/gates.toml"
    config.write_text(config.read_text().replace(
        'output_dir = "docs/audits/ga"',
        'output_dir = "docs/audits/flat"\npath_template = "{date}.{ext}"',
    ))
    _three_days(project, evaluate_in, "--no-charts")
    assert (project / "docs/audits/flat/latest.json").is_file()
    markdown = (project / f"docs/audits/flat/{LAST}.md").read_text()
    assert "| Lint budget | █▄▁ |" in markdown  # three points, not four
    from gacheck.history.store import load_history
    from gacheck.run.config_binding import load_config

    history = load_history(project / "docs/audits/flat", load_config(config).settings)
    assert [p.path.name for p in history.audits] == [f"{d}.json" for d in DAYS]


def test_a_latest_template_equal_to_the_dated_one_writes_each_file_once(project, evaluate_in) -> None:
    config = project / "config/gates.toml"
    config.write_text(config.read_text().replace(
        'output_dir = "docs/audits/ga"',
        'output_dir = "docs/audits/same"\npath_template = "{date}/r.{ext}"\n'
        'latest_template = "{date}/r.{ext}"',
    ))
    result = evaluate_in(project, "--at", stamp(on(LAST, "06:00")))
    assert result.code == 0
    files = sorted(p.name for p in (project / f"docs/audits/same/{LAST}").iterdir())
    assert files == ["r.json", "r.md"]
    assert json.loads((project / f"docs/audits/same/{LAST}/r.json").read_text())["gates"]
