"""The command line: parse, dispatch to a subcommand, map errors to exit codes.

This is the only module that exits. Tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from gacheck import __version__
from gacheck.commands import (
    demo,
    diff,
    evaluate,
    history,
    imports,
    init,
    precommit,
    schema,
    security_seeds,
    serve,
    site,
    validate,
)
from gacheck.core.errors import GacheckError
from gacheck.core.exitcodes import ExitCode
from gacheck.core.own_environ import set_own

COMMANDS: tuple[ModuleType, ...] = (
    evaluate, validate, schema, history, diff, site, precommit, demo, security_seeds, init,
    imports, serve,
)

log = logging.getLogger("gacheck")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` keeps control of exit codes."""

    def error(self, message: str) -> NoReturn:
        raise _UsageExit(f"{self.prog}: {message}")


class _UsageExit(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gacheck",
        description="Decide whether a release candidate is ready for GA, from evidence: "
        "Prometheus SLIs and alerts, ruff budgets, OpenAPI headers, smoke tests, git history. "
        "Exit codes: 0 pass (or warn), 1 not ready, 2 usage or config error, 3 incomplete.",
    )
    parser.add_argument("--version", action="version", version=f"gacheck {__version__}")
    parser.add_argument("--debug", action="store_true", help="log details and show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="log details and show tracebacks")
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def _configure_logging(debug: bool) -> None:
    """gacheck's own warnings always; other libraries' (urllib3 retries...) only with --debug:
    what went wrong already reaches the user as a gate's error message."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name("gacheck-cli")
    handler.setFormatter(logging.Formatter("gacheck: %(levelname)s %(name)s: %(message)s"))
    if not debug:
        handler.addFilter(logging.Filter("gacheck"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "gacheck-cli"]:
        root.removeHandler(old)  # main() may run more than once in a process (tests)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    from gacheck.core.secrets import session

    prepare_process()

    # Everything the command prints, logs or raises goes through one redacting stdout/stderr.
    with session():
        return _main(list(sys.argv[1:] if argv is None else argv))


def _main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageExit as exc:
        sys.stderr.write(f"{exc}\n")
        return ExitCode.USAGE
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    args.argv = argv
    _configure_logging(args.debug)
    try:
        return int(args.handler(args))
    except GacheckError as exc:
        if args.debug:
            log.exception("failed")
        sys.stderr.write(f"gacheck: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        from gacheck.collectors.process import stop_all

        stop_all()
        sys.stderr.write("gacheck: interrupted; nothing was written\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as exc:  # a bug: say so in one line unless asked for the traceback
        if args.debug:
            import traceback

            # printed here, not re-raised: the interpreter would print it past the redaction
            traceback.print_exc(file=sys.stderr)
        sys.stderr.write(
            f"gacheck: internal error: {type(exc).__name__}: {exc} (run with --debug for details)\n"
        )
        return ExitCode.USAGE


def entry_point() -> None:
    raise SystemExit(main())


def prepare_process() -> None:
    """What the command line sets in its process before any model is built.

    pydantic looks for plugins in every installed distribution when the first model is built
    (13 ms of each evaluation's start); gacheck uses none. Set for this process only
    (``own_environ``: not for the programs it runs), never over the user's own choice.
    """
    set_own("PYDANTIC_DISABLE_PLUGINS", "__all__")
