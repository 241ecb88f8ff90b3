"""Finding the audit directory for the commands that read audits back (history, diff)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = "config/gates.toml"


def add_audit_dir_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir", metavar="DIR",
        help="audit directory (default: settings.output_dir of the config, under the repo)",
    )
    parser.add_argument(
        "--config", metavar="PATH",
        help=f"config whose output_dir and path_template locate the audits (default: "
        f"{DEFAULT_CONFIG}; with --dir and no config file, the default layout)",
    )
    parser.add_argument("--repo", metavar="PATH",
                        help="repository root the output_dir is relative to (default: .)")


def audit_location(args: argparse.Namespace) -> tuple[Path, Any]:
    """The audit directory and the ``Settings`` that say how dated audits are named there."""
    from gacheck.config.model import Settings
    from gacheck.core.errors import UsageError
    from gacheck.run.config_binding import load_config

    config_path = args.config or DEFAULT_CONFIG
    if args.dir and not args.config and not Path(config_path).is_file():
        settings = Settings()  # --dir alone: the default file layout
        base = Path(args.dir)
    else:
        if not args.config and not Path(config_path).is_file():
            raise UsageError(f"{config_path}: file not found; name the audits with --dir DIR, "
                             "or the config that locates them with --config PATH (and --repo)")
        config = load_config(config_path)
        settings = config.settings
        repo = Path(args.repo or settings.repo).expanduser()
        base = Path(args.dir) if args.dir else repo / settings.output_dir
    if not base.is_dir():
        raise UsageError(f"audit directory {base} does not exist")
    return base.resolve(), settings
