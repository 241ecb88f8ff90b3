"""Run the app with uvicorn until interrupted (Ctrl-C, SIGTERM)."""

from __future__ import annotations

import sys

from gacheck.serve.jobs import Evaluate
from gacheck.serve.options import ServeOptions


def serve_forever(options: ServeOptions, evaluate: Evaluate, host: str, port: int) -> None:
    import uvicorn

    from gacheck.serve.app import build_app
    from gacheck.serve.paths import served_config

    app = build_app(options, evaluate)
    # The default config is read now: a broken one stops the start, and the first caller does
    # not pay for loading the gate kinds.
    app.state.service.configs.facts(served_config(options.config_dir, options.default_config))
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                            lifespan="off", server_header=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    sys.stderr.write(f"gacheck: serving on http://{host}:{port} "
                     f"(configs from {options.config_dir})\n")
    sys.stderr.flush()
    try:
        server.run()
    finally:
        app.state.service.evaluations.shutdown()
