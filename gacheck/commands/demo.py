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
import dataclasses
import sys
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

NAME = "demo"
HELP = "evaluate the gates against a real Prometheus holding a generated 50h soak"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="PATH",
                        help="gate configuration (default: config/gates.toml, else the LUKHAS "
                        "profile shipped with gacheck)")
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
    parser.add_argument("--days", type=int, default=3, choices=range(1, 4), metavar="N",
                        help="evaluate at the same time of day on the last N days (1-3, "
                        "default 3; the generated soak is 50h, so earlier days see less of it)")
    parser.add_argument("--no-site", action="store_true",
                        help="build no dashboard (default: DIR/site from the demo's audits)")
    parser.add_argument("--serve", action="store_true",
                        help="keep the demo Prometheus running after the evaluation, until "
                        "Ctrl-C, to explore the data in its web UI")


def run(args: argparse.Namespace) -> int:
    import os

    from gacheck.commands.common import build_context
    from gacheck.commands.evaluate import exit_code_for
    from gacheck.core.timeparse import now
    from gacheck.output.writer import write_audit
    from gacheck.promlab.catalog import get
    from gacheck.promlab.demo import (
        PROMETHEUS_KINDS,
        RELATIVE_GATES,
        scenario_name,
        skip_reasons,
        with_relative_gates,
    )
    from gacheck.promlab.lab import running_scenario
    from gacheck.promlab.tsdb import require
    from gacheck.reports.text import render_text, use_colour
    from gacheck.run.config_binding import load_config
    from gacheck.run.evaluation import Selection, evaluate

    err = sys.stderr
    args.config = _config_path(args.config)
    config, added = with_relative_gates(load_config(args.config))  # a bad config fails first
    _check_can_run(config, PROMETHEUS_KINDS, require)
    repo = Path(args.repo or config.settings.repo).expanduser().resolve()
    facade_url = args.facade_url or os.environ.get("GACHECK_FACADE_URL")

    scenario = get(scenario_name(config))
    at = now()
    hours = scenario.plan.duration.total_seconds() / 3600
    err.write(f"demo: generating {hours:g}h of LUKHAS-shaped history ending {at.isoformat()}\n")
    output_dir = Path(args.output_dir).resolve()
    with _terminate_as_interrupt(), tempfile.TemporaryDirectory(prefix="gacheck-demo-") as work, \
            standin_facade(config, facade_url) as standin:
        if standin:
            args.facade_url = facade_url = standin
            err.write(f"demo: stand-in OpenAI-compatible façade serving at {standin}\n")
            config = with_standin_docs(config)
        reasons = skip_reasons(config, repo, args.repo is not None, facade_url)
        chosen = tuple(g.id for g in config.gates if g.id not in reasons)
        _say_skipped_and_added(err, reasons, added, RELATIVE_GATES.name)
        with running_scenario(scenario, at, Path(work)) as lab:
            _point_at_lab(err, args, lab, work)
            base = dataclasses.replace(build_context(args, at, output_dir), config=config)
            for back in range(args.days - 1, -1, -1):  # earlier days first: their trends
                ctx = dataclasses.replace(base, at=at - timedelta(days=back))
                # a demo that skipped gates judges what it ran: a partial audit, said so
                audit = evaluate(ctx, Selection(only=chosen, partial=True),
                                 command=["gacheck", *args.argv])
                audit = _explained(audit, reasons, lab.url, scenario, standin)
                written = write_audit(audit, ctx)
            sys.stdout.write(render_text(audit, colour=use_colour(sys.stdout)))
            sys.stdout.write("audit written: " + ", ".join(
                str(p) for p in (written.json, written.markdown) if p) + "\n")
            if args.serve:
                _serve(lab.url)
    _wind_up(err, None if args.no_site else output_dir, args.days, standin)
    return exit_code_for(audit.verdict.value, strict=False)


def _say_skipped_and_added(
    err: TextIO, reasons: dict[str, str], added: list[str], relative_from: str
) -> None:
    """Say which gates the demo leaves out (and why) and which it adds, before any runs: the
    audit is partial, and the reader should know it from the first lines."""
    for gate_id, why in reasons.items():
        err.write(f"demo: skipping {gate_id}: {why.removeprefix('demo: ')}\n")
    if added:
        err.write(f"demo: adding {', '.join(added)} from {relative_from} (relative "
                  "judgement on a generated baseline week and a GA version beside the RC)\n")


def _point_at_lab(err: TextIO, args: argparse.Namespace, lab: Any, work: str) -> None:
    """Aim the evaluation at the lab's Prometheus (``lab`` is a promlab Lab), with the chunk
    cache inside the demo's work folder unless one was asked for."""
    err.write(f"demo: {lab.samples:,} samples imported with promtool; "
              f"prometheus ready at {lab.url}\n")
    args.prometheus_url = lab.url
    if not args.no_cache and not args.cache_dir:  # its history dies with the demo
        args.cache_dir = str(Path(work) / "cache")


def _check_can_run(config: Any, prometheus_kinds: Any, require: Any) -> None:
    """Prometheus and promtool are on PATH, and the config has a gate for the lab to answer."""
    from gacheck.core.errors import UsageError

    require("promtool")
    require("prometheus")
    if not any(g.kind in prometheus_kinds for g in config.gates):
        raise UsageError(f"{config.path} has no Prometheus gate: nothing for the demo to show")


def _wind_up(err: TextIO, site_of: Path | None, days: int, standin: str | None) -> None:
    """What the demo cleaned up on its way out, and the dashboard of its days beside its
    audits (``site_of``: the audit folder, ``None`` with ``--no-site``)."""
    err.write("demo: prometheus stopped, its data deleted\n")
    if site_of is not None:
        from gacheck.commands.site import build
        from gacheck.history.archive import ANY_LAYOUT

        site, _ = build([(site_of, ANY_LAYOUT)], site_of / "site")
        err.write(f"demo: dashboard of {days} day(s) written: {site.directory / 'index.html'}\n")
    if standin:
        err.write("demo: stand-in façade stopped\n")


def _config_path(given: str | None) -> str:
    """The config to demo: the one named, else the repository's, else the shipped profile, so
    the demo runs from any directory."""
    from gacheck.config.model import DEFAULT_CONFIG_PATH
    from gacheck.profiles import packaged_config_path

    if given is not None:
        return given
    if DEFAULT_CONFIG_PATH.is_file():
        return str(DEFAULT_CONFIG_PATH)
    sys.stderr.write(f"demo: no {DEFAULT_CONFIG_PATH} here; using the LUKHAS profile shipped "
                     "with gacheck (gacheck init writes it into a repository)\n")
    return packaged_config_path("lukhas")


def _explained(audit: Any, reasons: dict[str, str], url: str, scenario: Any,
               standin: str | None) -> Any:
    """The audit with the demo's reason on each gate it skipped, and a note on the data."""
    gates = [g.model_copy(update={"message": reasons[g.id]}) if g.id in reasons else g
             for g in audit.gates]
    notes = [f"demo: generated history (promlab scenario '{scenario.name}') served by a "
             f"Prometheus at {url}, stopped after this evaluation. {scenario.summary}"]
    if standin:
        notes.append(f"demo: the façade was gacheck's stand-in (gacheck.standin) at {standin}, "
                     "stopped after this evaluation; it misjudges two of the probes on purpose, "
                     "limits /v1/models and /v1/responses to 20 requests/s (a token bucket), "
                     "and its docs (gacheck/standin/docs) hold two broken examples")
    return audit.model_copy(update={"gates": gates, "notes": [*audit.notes, *notes]})


def with_standin_docs(config: Any) -> Any:
    """The config with its ``examples`` gates reading the stand-in's own docs, whose examples
    run against it (the checkout's docs describe another service, or gacheck itself)."""
    from gacheck.standin.docs import DOCS_DIR

    gates = [g.model_copy(update={"params": g.params.model_copy(
        update={"root": str(DOCS_DIR), "files": ["*.md"]})}) if g.kind == "examples" else g
        for g in config.gates]
    return config.model_copy(update={"gates": gates})


@contextlib.contextmanager
def standin_facade(config: Any, facade_url: str | None) -> Iterator[str | None]:
    """A stand-in façade on 127.0.0.1 when the config drives a façade and none was given.

    Its key is the one the gates will send (their ``token_env``, else a generated one), so
    the invalid- and missing-key checks meet a façade that does check keys.
    """
    import os
    import secrets

    from gacheck.promlab.demo import FACADE_KINDS
    from gacheck.standin.facade import StandinProcess

    drivers = [g for g in config.gates if g.kind in FACADE_KINDS]
    if facade_url or not drivers:
        yield None
        return
    envs = {g.params.token_env for g in drivers if g.params.token_env}
    token = next((os.environ[e] for e in sorted(envs) if os.environ.get(e)), None)
    token = token or secrets.token_urlsafe(18)
    added = [e for e in envs if not os.environ.get(e)]
    for env in added:
        os.environ[env] = token
    # LUKHAS' limits on the routes the rate_limit gate reads; the load gate's routes keep the
    # stand-in's 1000/s so that it measures latency, not the limiter
    options = ["--latency", "0.02", "--first-token", "0.08", "--chunk-gap", "0.03",
               "--token-env", "GACHECK_STANDIN_TOKEN", "--rate-limit", "/v1/models=20",
               "--rate-limit", "/v1/responses=20"]
    try:
        with StandinProcess(*options, env={"GACHECK_STANDIN_TOKEN": token}) as facade:
            yield facade.url
    finally:
        for env in added:
            os.environ.pop(env, None)


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
