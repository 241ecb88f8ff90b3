"""``gacheck demo``: the main job end to end on a real Prometheus with generated history.

It generates a 50h soak of LUKHAS-shaped metrics ending now (one short latency blip inside),
imports it with ``promtool``, starts ``prometheus`` on a free 127.0.0.1 port, evaluates the
config (default ``config/gates.toml``) against it, writes the audits, prints the verdict and
stops Prometheus however it ends. Which non-Prometheus gates run is decided per kind in
``gacheck.promlab.demo`` and printed.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

NAME = "demo"
HELP = "evaluate the gates against a real Prometheus holding a generated 50h soak"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="config/gates.toml", metavar="PATH",
                        help="gate configuration (default: config/gates.toml)")
    parser.add_argument("--repo", metavar="PATH",
                        help="a release candidate's checkout: its non-Prometheus gates run too "
                        "when their inputs exist there (default: the current directory, "
                        "where only ruff/OpenAPI inputs that exist are used)")
    parser.add_argument("--facade-url", metavar="URL",
                        help="base URL of a running façade to smoke-test (loopback only)")
    parser.add_argument("--output-dir", default="demo-output", metavar="DIR",
                        help="where the audits go (default: demo-output)")
    from gacheck.commands.common import add_cache_options

    add_cache_options(parser)  # default: a cache inside the demo's own, deleted, directory
    parser.add_argument("--serve", action="store_true",
                        help="keep the demo Prometheus running after the evaluation, until "
                        "Ctrl-C, to explore the data in its web UI")


def run(args: argparse.Namespace) -> int:
    import os

    from gacheck.commands.common import build_context
    from gacheck.commands.evaluate import exit_code_for
    from gacheck.config import load_config
    from gacheck.errors import UsageError
    from gacheck.evaluation import Selection, evaluate
    from gacheck.outputs import write_audit
    from gacheck.promlab.demo import DEMO_SCENARIO, PROMETHEUS_KINDS, skip_reasons
    from gacheck.promlab.lab import running_scenario
    from gacheck.promlab.scenarios import get
    from gacheck.promlab.tsdb import require
    from gacheck.reports.text import render_text, use_colour
    from gacheck.timeparse import now

    err = sys.stderr
    config = load_config(args.config)  # a bad config fails before anything is built
    require("promtool")
    require("prometheus")
    repo = Path(args.repo or config.settings.repo).expanduser().resolve()
    facade_url = args.facade_url or os.environ.get("GACHECK_FACADE_URL")
    reasons = skip_reasons(config, repo, args.repo is not None, facade_url)
    chosen = tuple(g.id for g in config.gates if g.id not in reasons)
    if not any(g.kind in PROMETHEUS_KINDS for g in config.gates):
        raise UsageError(f"{config.path} has no Prometheus gate: nothing for the demo to show")

    scenario = get(DEMO_SCENARIO)
    at = now()
    hours = scenario.plan.duration.total_seconds() / 3600
    err.write(f"demo: generating {hours:g}h of LUKHAS-shaped history ending {at.isoformat()}\n")
    for gate_id, why in reasons.items():
        err.write(f"demo: skipping {gate_id}: {why.removeprefix('demo: ')}\n")
    output_dir = Path(args.output_dir).resolve()
    with _terminate_as_interrupt(), tempfile.TemporaryDirectory(prefix="gacheck-demo-") as work:
        with running_scenario(scenario, at, Path(work)) as lab:
            err.write(f"demo: {lab.samples:,} samples imported with promtool; "
                      f"prometheus ready at {lab.url}\n")
            args.prometheus_url = lab.url
            if not args.no_cache and not args.cache_dir:  # its history dies with the demo
                args.cache_dir = str(Path(work) / "cache")
            ctx = build_context(args, at, output_dir)
            audit = evaluate(ctx, Selection(only=chosen), command=["gacheck", *args.argv])
            audit = _explained(audit, reasons, lab.url, scenario.summary)
            written = write_audit(audit, ctx)
            sys.stdout.write(render_text(audit, colour=use_colour(sys.stdout)))
            sys.stdout.write("audit written: " + ", ".join(
                str(p) for p in (written.json, written.markdown) if p) + "\n")
            if args.serve:
                _serve(lab.url)
    err.write("demo: prometheus stopped, its data deleted\n")
    return exit_code_for(audit.verdict.value, strict=False)


def _explained(audit: Any, reasons: dict[str, str], url: str, summary: str) -> Any:
    """The audit with the demo's reason on each gate it skipped, and a note on the data."""
    gates = [g.model_copy(update={"message": reasons[g.id]}) if g.id in reasons else g
             for g in audit.gates]
    note = (f"demo: generated history (promlab scenario 'demo') served by a Prometheus at {url}, "
            f"stopped after this evaluation. {summary}")
    return audit.model_copy(update={"gates": gates, "notes": [*audit.notes, note]})


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """``kill`` (SIGTERM) stops the demo like Ctrl-C does: Prometheus stopped, data deleted."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve(url: str) -> None:
    import threading

    sys.stderr.write(f"demo: Prometheus keeps running at {url}/graph; Ctrl-C stops it\n")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
