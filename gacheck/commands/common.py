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


def build_context(args: argparse.Namespace, at: Any, output_dir: Path | None = None) -> Any:
    """Load the config named by ``args`` and make the evaluation context around ``at``."""
    from gacheck.config import load_config
    from gacheck.context import Context, Overrides
    from gacheck.secrets import current

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
        ),
        secrets=current(),  # the command's registry, which its writers redact with
    )


def id_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())
