"""The contract gates, measured: the header guard on a 1,000-operation spec, and the smoke gate
against the same five requests made directly with httpx, in one run.

Prints medians. The guard is compared with parsing the spec alone (what any guard must pay);
the smoke gate with a bare httpx client sending the same requests to the same 127.0.0.1 server.
"""

from __future__ import annotations

import functools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gacheck.context import Context, Overrides  # noqa: E402
from gacheck.core.models import Status  # noqa: E402
from gacheck.run.config_binding import load_config  # noqa: E402
from gacheck.run.engine import measure  # noqa: E402
from tests.support.facade_server import MODEL, FacadeServer  # noqa: E402  (a test helper)

OPERATIONS = 1000
HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Trace-Id"]
RUNS = 9
SMOKE_RUNS = 30


def spec(operations: int) -> dict:
    """Every response through $ref, every 10th operation missing X-Trace-Id."""
    refs = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
    paths: dict = {}
    for index in range(operations):
        ok = "Broken" if index % 10 == 0 else "Ok"
        paths.setdefault(f"/v1/resource{index // 4}/{{id}}", {})[
            ("get", "post", "put", "delete")[index % 4]
        ] = {
            "responses": {
                "200": {"$ref": f"#/components/responses/{ok}"},
                "429": {"$ref": "#/components/responses/Limited"},
                "default": {"$ref": "#/components/responses/Ok"},
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "bench", "version": "1"},
        "paths": paths,
        "components": {
            "headers": {n: {"schema": {"type": "string"}} for n in [*HEADERS, "Retry-After"]},
            "responses": {
                "Ok": {"description": "ok", "headers": refs},
                "Broken": {
                    "description": "no trace",
                    "headers": {k: v for k, v in refs.items() if k != "X-Trace-Id"},
                },
                "Limited": {
                    "description": "429",
                    "headers": {
                        **refs,
                        "Retry-After": {"$ref": "#/components/headers/Retry-After"},
                    },
                },
            },
        },
    }


def parse_alone(fmt: str, text: str) -> object:
    """What any guard pays: the fastest parser PyYAML offers (C when built with libyaml)."""
    if fmt == "json":
        return json.loads(text)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def median_s(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def context(root: Path, config_text: str, facade_url: str | None = None) -> tuple[Context, object]:
    (root / "gates.toml").write_text(config_text)
    config = load_config(root / "gates.toml")
    ctx = Context(
        at=datetime.now(UTC),
        config=config,
        repo=root,
        audit_dir=root / "audits",
        overrides=Overrides(facade_url=facade_url),
    )
    return ctx, config.gates[0]


def bench_guard(root: Path) -> None:
    document = spec(OPERATIONS)
    (root / "docs/openapi").mkdir(parents=True)
    for fmt, text in (
        ("json", json.dumps(document, indent=2)),
        ("yaml", yaml.safe_dump(document, sort_keys=False)),
    ):
        path = root / "docs/openapi" / f"api.{fmt}"
        path.write_text(text)
        ctx, gate = context(
            root,
            f'[[gates]]\nid = "g"\nkind = "openapi_headers"\ntitle = "t"\n'
            f'specs = ["docs/openapi/api.{fmt}"]\n',
        )
        outcome = measure(gate, ctx)  # type: ignore[arg-type]
        assert outcome.value == OPERATIONS // 10, outcome.message
        gate_s = median_s(lambda: measure(gate, ctx), RUNS)  # type: ignore[arg-type]  # noqa: B023
        parse = functools.partial(parse_alone, fmt, text)
        parse_s = median_s(parse, RUNS)
        print(
            f"header guard, {OPERATIONS} operations, {3 * OPERATIONS} responses, "
            f"{fmt.upper()} {len(text) / 1e6:.1f} MB: gate {gate_s * 1000:.0f} ms "
            f"(parse alone {parse_s * 1000:.0f} ms), {OPERATIONS / gate_s:,.0f} operations/s, "
            f"{outcome.value:.0f} violations found"
        )
        path.unlink()


def direct_requests(client: httpx.Client, base: str) -> None:
    """The default checks, by hand: the floor any smoke test pays."""
    assert client.get(f"{base}/health").status_code == 200
    assert client.get(f"{base}/v1/models").json()["data"]
    client.post(
        f"{base}/v1/embeddings", json={"model": MODEL, "input": "gacheck smoke test"}
    ).json()
    chat = {"model": MODEL, "messages": [{"role": "user", "content": "ping"}], "max_tokens": 8}
    client.post(f"{base}/v1/chat/completions", json=chat).json()
    with client.stream("POST", f"{base}/v1/chat/completions", json={**chat, "stream": True}) as r:
        assert "data: [DONE]" in list(r.iter_lines())  # read to the end: the connection is reused


def bench_smoke(root: Path) -> None:
    with FacadeServer() as server:
        ctx, gate = context(
            root, '[[gates]]\nid = "s"\nkind = "http_smoke"\ntitle = "t"\n', facade_url=server.url
        )
        assert measure(gate, ctx).status is None  # type: ignore[arg-type]
        client = httpx.Client(trust_env=False)
        gate_times, direct_times = [], []
        for _ in range(SMOKE_RUNS):  # alternate, so drift hits both alike
            gate_times.append(median_s(lambda: measure(gate, ctx), 1))  # type: ignore[arg-type]
            direct_times.append(median_s(lambda: direct_requests(client, server.url), 1))
        client.close()
        gate_ms = statistics.median(gate_times) * 1000
        direct_ms = statistics.median(direct_times) * 1000
        print(
            f"smoke gate, 5 default checks on 127.0.0.1: gate {gate_ms:.1f} ms, same requests "
            f"with httpx directly {direct_ms:.1f} ms ({gate_ms / direct_ms:.2f}x; the gate also "
            f"opens its client and builds the evidence), median of {SMOKE_RUNS}"
        )
        down = FacadeServer()
        down_url = down.url
        down._server.server_close()
        ctx_down, gate_down = context(
            root, '[[gates]]\nid = "s"\nkind = "http_smoke"\ntitle = "t"\n', facade_url=down_url
        )
        started = time.perf_counter()
        outcome = measure(gate_down, ctx_down)  # type: ignore[arg-type]
        print(
            f"smoke gate, server down: {outcome.status.value if outcome.status else '?'} in "
            f"{(time.perf_counter() - started) * 1000:.0f} ms (2 retries on the first check, "
            "then one attempt each)"
        )
        assert outcome.status is Status.ERROR


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        bench_guard(Path(tmp) / "guard")
        bench_smoke(Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
