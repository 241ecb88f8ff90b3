"""``gacheck import keptn|openslo``: gates.toml entries from Keptn or OpenSLO SLO files.

The config goes to stdout (or ``--output``, never overwritten); what could not be mapped, and
why, goes to stderr and into the config as comments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "import"
HELP = "turn Keptn quality gates or OpenSLO SLOs into a gates.toml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    formats = parser.add_subparsers(dest="source_format", metavar="FORMAT", required=True,
                                    parser_class=type(parser))
    keptn = formats.add_parser("keptn", help="a Keptn v1 slo.yaml (and its SLI file)")
    keptn.add_argument("slo", metavar="SLO.yaml", help="the Keptn SLO file")
    keptn.add_argument("--sli", metavar="SLI.yaml",
                       help="the SLI file mapping each sli name to its PromQL (indicators:)")
    for name in ("service", "project", "stage"):
        keptn.add_argument(f"--{name}", metavar="NAME",
                           help=f"replaces ${name.upper()} in the SLI queries")
    openslo = formats.add_parser("openslo", help="OpenSLO v1 documents (SLO, SLI, ...)")
    openslo.add_argument("files", metavar="FILE", nargs="+", help="YAML files, multi-document")
    for sub in (keptn, openslo):
        sub.add_argument("--output", metavar="PATH",
                         help="write the config here (refuses to overwrite; default: stdout)")
        sub.add_argument("--prometheus-url", metavar="URL", default="http://127.0.0.1:9090",
                         help="[prometheus].url of the written config")


def run(args: argparse.Namespace) -> int:
    from gacheck.core.errors import UsageError
    from gacheck.importers import render_config

    if args.source_format == "keptn":
        from gacheck.importers.keptn import import_keptn

        values = {k: getattr(args, k) for k in ("service", "project", "stage")
                  if getattr(args, k)}
        imported = import_keptn(Path(args.slo), Path(args.sli) if args.sli else None, values)
    else:
        from gacheck.importers.openslo import import_openslo

        imported = import_openslo([Path(f) for f in args.files])
    for line in imported.report_lines():
        sys.stderr.write(f"gacheck: {line.strip()}\n" if line.startswith("  ")
                         else f"gacheck: {line}\n")
    if not imported.gates:
        raise UsageError("nothing could be imported as a gate (see above)")
    text = render_config(imported, args.prometheus_url)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    target = Path(args.output)
    if target.exists():
        raise UsageError(f"{target} already exists; gacheck import does not overwrite")
    from gacheck.output.files import write_atomic

    write_atomic(target, text)
    sys.stderr.write(f"gacheck: wrote {target}; check it with gacheck validate --config "
                     f"{target}\n")
    return 0
