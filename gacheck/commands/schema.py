"""``gacheck schema``: print the JSON Schema of the audit JSON."""

from __future__ import annotations

import argparse
import sys

from gacheck.core.exitcodes import ExitCode

NAME = "schema"
HELP = "print the JSON Schema of the audit document"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    from gacheck.reports.json_report import render_schema

    sys.stdout.write(render_schema())
    return ExitCode.OK
