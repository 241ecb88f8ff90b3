"""Options and set-up shared by the subcommands that load a config."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", default="config/gates.toml", metavar="PATH",
        help="gate configuration (default: config/gates.toml)",
    )
    parser.add_argument(
        "--repo", metavar="PATH",
        help="root of the repository being released; relative config paths start here "
        "(default: settings.repo, else the current directory)",
    )
    parser.add_argument(
        "--prometheus-url", metavar="URL",
        help="Prometheus base URL (default: env GACHECK_PROMETHEUS_URL, else config)",
    )
    parser.add_argument(
        "--facade-url", metavar="URL",
        help="base URL of the service under smoke test (default: env GACHECK_FACADE_URL, "
        "else config)",
    )


def add_cache_options(parser: argparse.ArgumentParser) -> None:
    cache = parser.add_mutually_exclusive_group()
    cache.add_argument(
        "--cache-dir", metavar="DIR",
        help="where closed chunks of range queries are kept (default: [prometheus] cache_dir, "
        "else the user's cache dir, e.g. ~/.cache/gacheck)")
    cache.add_argument("--no-cache", action="store_true",
                       help="ask Prometheus for every chunk; read and write no cache")


def cache_dir(args: argparse.Namespace, config: Any, repo: Path) -> Path | None:
    """The chunk cache's directory from ``--cache-dir``/``--no-cache`` and ``[prometheus]``."""
    if getattr(args, "no_cache", False):
        return None
    chosen = getattr(args, "cache_dir", None)
    if chosen:
        return Path(chosen).expanduser().resolve()
    if not hasattr(args, "no_cache") or not config.prometheus.cache:
        return None  # commands without the options (validate) and cache = false
    if config.prometheus.cache_dir:
        configured = Path(config.prometheus.cache_dir).expanduser()
        return configured if configured.is_absolute() else repo / configured
    from gacheck.core.user_cache import default_cache_dir

    return default_cache_dir()


def build_context(args: argparse.Namespace, at: Any, output_dir: Path | None = None) -> Any:
    """Load the config named by ``args`` and make the evaluation context around ``at``."""
    from gacheck.context import Context, Overrides
    from gacheck.core.secrets import current
    from gacheck.run.config_binding import load_config

    config = load_config(args.config)
    repo = Path(args.repo or config.settings.repo).expanduser().resolve()
    audit_dir = output_dir or repo / config.settings.output_dir
    return Context(
        at=at,
        config=config,
        repo=repo,
        audit_dir=audit_dir,
        overrides=Overrides(
            prometheus_url=args.prometheus_url or os.environ.get("GACHECK_PROMETHEUS_URL"),
            facade_url=args.facade_url or os.environ.get("GACHECK_FACADE_URL"),
            cache_dir=cache_dir(args, config, repo),
        ),
        secrets=current(),  # the command's registry, which its writers redact with
    )


def id_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def evaluate_and_write(
    args: argparse.Namespace, at: Any, selection: Any, command: list[str], *,
    output_dir: Path | None = None, write: bool = True, charts: bool = True,
) -> tuple[Any, Any, Any]:
    """One evaluation as ``gacheck evaluate`` does it without ``--wait-until``/``--commit``:
    the context, the gates, the notifications, the audit files. Returns (audit, ctx, written)."""
    from gacheck.output.notify import send_notifications
    from gacheck.output.writer import Written, write_audit
    from gacheck.run.evaluation import evaluate

    ctx = build_context(args, at, output_dir)
    audit = send_notifications(evaluate(ctx, selection, command=command), ctx)
    written = write_audit(audit, ctx, charts=charts) if write else Written()
    return audit, ctx, written
