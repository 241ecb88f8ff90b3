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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gacheck.standin")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--first-token", type=float, default=0.0, help="seconds")
    parser.add_argument("--chunk-gap", type=float, default=0.0, help="seconds between chunks")
    parser.add_argument("--token-env", help="env variable holding the key to require")
    parser.add_argument("--drift", action="store_true")
    parser.add_argument("--foreign-errors", action="store_true")
    args = parser.parse_args(argv)
    behaviour = Behaviour(
        latency_s=args.latency, first_token_s=args.first_token,
        chunk_gaps_s=(args.chunk_gap,) if args.chunk_gap else (),
        token=os.environ.get(args.token_env) if args.token_env else None,
        drift=args.drift, foreign_errors=args.foreign_errors)
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
