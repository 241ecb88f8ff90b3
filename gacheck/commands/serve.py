"""``gacheck serve``: the evaluation behind HTTP, for Argo Rollouts and Flagger (extra ``serve``).

The flags of ``evaluate`` that choose what is evaluated are the defaults; a request may name
another config from the served folder, a selection and an instant. Each evaluation takes the
same path as ``gacheck evaluate`` (``common.evaluate_and_write``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from gacheck.commands.common import (
    add_cache_options,
    add_config_options,
    evaluate_and_write,
    id_list,
)
from gacheck.commands.evaluate import duration
from gacheck.core.errors import UsageError
from gacheck.core.exitcodes import ExitCode

if TYPE_CHECKING:
    from gacheck.serve.jobs import Evaluate
    from gacheck.serve.options import ServeOptions

NAME = "serve"
HELP = "answer Argo Rollouts' Web provider and Flagger's webhooks with verdicts over HTTP"
TOKEN_ENV = "GACHECK_SERVE_TOKEN"


def _size(text: str) -> int:
    from gacheck.core.units import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_options(parser)
    add_cache_options(parser)
    parser.add_argument("--only", type=id_list, default=(), metavar="ID,...",
                        help="default selection (a request's `only` replaces it)")
    parser.add_argument("--skip", type=id_list, default=(), metavar="ID,...",
                        help="gates never evaluated by this server")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--output-dir", metavar="DIR", help="where audits go")
    out.add_argument("--no-write", action="store_true", help="write no audit files")
    parser.add_argument("--no-charts", action="store_true", help="write no PNG trend charts")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1; others need a token)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--config-dir", metavar="DIR",
                        help="the served folder: requests name configs inside it "
                        "(default: the folder of --config)")
    parser.add_argument("--token-env", default=TOKEN_ENV, metavar="NAME",
                        help=f"env variable holding the token callers must send "
                        f"(default {TOKEN_ENV}; required when --host is not loopback)")
    parser.add_argument("--answer-timeout", type=duration, default=8.0, metavar="DURATION",
                        help="longest a caller waits before `pending` (default 8s)")
    parser.add_argument("--cache-ttl", type=duration, default=60.0, metavar="DURATION",
                        help="how long a finished evaluation answers callers (default 60s)")
    parser.add_argument("--max-evaluations", type=int, default=2, metavar="N",
                        help="evaluations running at once (default 2)")
    parser.add_argument("--max-body", type=_size, default=64 * 1024, metavar="SIZE",
                        help="largest request body (default 64KiB)")
    parser.add_argument("--rate-limit", type=float, default=20.0, metavar="PER_S",
                        help="requests a second per client, on average (default 20)")
    parser.add_argument("--burst", type=int, default=100, metavar="N",
                        help="requests a client may send at once (default 100)")


def _options(args: argparse.Namespace) -> ServeOptions:
    from gacheck.core.secrets import current
    from gacheck.serve.options import ServeOptions, is_loopback

    config = Path(args.config).expanduser().resolve()
    root = Path(args.config_dir).expanduser().resolve() if args.config_dir else config.parent
    if not config.is_relative_to(root):
        raise UsageError(f"--config {args.config} is not inside --config-dir {root}")
    token = current().from_env(args.token_env) or None
    if token is None and not is_loopback(args.host):
        raise UsageError(f"--host {args.host} is reachable from other machines: set a token "
                         f"in ${args.token_env} (callers send it) or bind 127.0.0.1")
    if args.max_evaluations < 1 or args.answer_timeout <= 0 or args.rate_limit <= 0:
        raise UsageError("--max-evaluations, --answer-timeout and --rate-limit must be > 0")
    return ServeOptions(
        config_dir=root, default_config=config.relative_to(root).as_posix(),
        default_only=args.only, token=token, answer_timeout_s=args.answer_timeout,
        cache_ttl_s=args.cache_ttl, max_evaluations=args.max_evaluations,
        max_body=args.max_body, rate_per_s=args.rate_limit, burst=max(args.burst, 1),
    )


def _evaluator(args: argparse.Namespace) -> Evaluate:
    from gacheck.run.evaluation import Selection
    from gacheck.serve.jobs import Key, Outcome

    output_dir = Path(args.output_dir).resolve() if args.output_dir else None

    def evaluate(key: Key) -> Outcome:
        at = key.at.isoformat().replace("+00:00", "Z")
        command = ["gacheck", "evaluate", "--config", str(key.config), "--at", at]
        if key.only:
            command += ["--only", ",".join(key.only), "--partial"]
        request = argparse.Namespace(**{**vars(args), "config": str(key.config)})
        selection = Selection(key.only, args.skip, partial=bool(key.only))
        audit, ctx, written = evaluate_and_write(
            request, key.at, selection, command, output_dir=output_dir,
            write=not args.no_write, charts=not args.no_charts)
        path = written.json
        shown = path.relative_to(ctx.repo).as_posix() if path and path.is_relative_to(
            ctx.repo) else (str(path) if path else None)
        return Outcome(audit, shown)

    return evaluate


def run(args: argparse.Namespace) -> int:
    import importlib.util

    missing = [m for m in ("starlette", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(f"gacheck serve needs {' and '.join(missing)}: "
                         "pip install 'gacheck[serve]'")
    from gacheck.serve.server import serve_forever

    serve_forever(_options(args), _evaluator(args), args.host, args.port)
    return ExitCode.OK
