"""``gacheck validate``: check the config and list the gates it would run."""

from __future__ import annotations

import argparse
import sys

from gacheck.commands.common import add_config_options
from gacheck.exitcodes import ExitCode

NAME = "validate"
HELP = "check the configuration and list its gates"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_options(parser)


def run(args: argparse.Namespace) -> int:
    from gacheck.config import load_config

    config = load_config(args.config)
    width = max(len(g.id) for g in config.gates)
    kind_width = max(len(g.kind) for g in config.gates)
    out = sys.stdout
    out.write(f"{config.path}: {len(config.gates)} gates, sha256 {config.sha256[:12]}\n")
    for g in config.gates:
        blocking = "blocking" if g.blocking else "non-blocking"
        out.write(
            f"  {g.id.ljust(width)}  {g.kind.ljust(kind_width)}  "
            f"{g.threshold.describe().ljust(14)}  {blocking}  {g.title}\n"
        )
    for w in config.waivers:
        out.write(f"  waiver: {w.gate} until {w.expires.isoformat()} ({w.owner}): {w.reason}\n")
    return ExitCode.OK
