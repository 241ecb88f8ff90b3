"""``python -m gacheck.standin``: the stand-in façade in a process of its own, until stopped.

Prints its URL as the first line of stdout. The key it requires is read from the env variable
named by ``--token-env`` (never from the command line, where ``ps`` would show it).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from gacheck.standin.facade import Behaviour, StandinFacade
from gacheck.standin.limits import IdempotencyStore, Limiter


def _route_limit(text: str) -> tuple[str, float]:
    route, _, value = text.partition("=")
    if not route.startswith("/") or not value:
        raise argparse.ArgumentTypeError(f"expected ROUTE=REQUESTS_PER_SECOND, got {text!r}")
    return route, float(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gacheck.standin")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--first-token", type=float, default=0.0, help="seconds")
    parser.add_argument("--chunk-gap", type=float, default=0.0, help="seconds between chunks")
    parser.add_argument("--token-env", help="env variable holding the key to require")
    parser.add_argument("--drift", action="store_true")
    parser.add_argument("--foreign-errors", action="store_true")
    parser.add_argument("--rate-limit", type=_route_limit, action="append", default=[],
                        metavar="ROUTE=N", help="a route's limit in requests/s (repeatable)")
    parser.add_argument("--default-rate-limit", type=float, default=1000.0, metavar="N")
    parser.add_argument("--declared-factor", type=float, default=1.0,
                        help="declare the limit times this (a header that lies)")
    parser.add_argument("--never-refuse", action="store_true")
    parser.add_argument("--error-under-burst", action="store_true", help="500 in place of 429")
    parser.add_argument("--ietf-headers", action="store_true")
    parser.add_argument("--idempotency-conflict", choices=("replay", "reject"),
                        default="replay")
    args = parser.parse_args(argv)
    limiter = Limiter(default_limit=args.default_rate_limit, limits=dict(args.rate_limit),
                      declared_factor=args.declared_factor, never_refuse=args.never_refuse,
                      error_under_burst=args.error_under_burst, ietf=args.ietf_headers)
    behaviour = Behaviour(
        latency_s=args.latency, first_token_s=args.first_token,
        chunk_gaps_s=(args.chunk_gap,) if args.chunk_gap else (),
        token=os.environ.get(args.token_env) if args.token_env else None,
        drift=args.drift, foreign_errors=args.foreign_errors, limiter=limiter,
        idempotency=IdempotencyStore(conflict=args.idempotency_conflict))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with StandinFacade(behaviour) as facade:
        sys.stdout.write(facade.url + "\n")
        sys.stdout.flush()
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
