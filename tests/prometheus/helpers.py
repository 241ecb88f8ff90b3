"""Contexts for gate tests: a config from TOML text, pointed at a given Prometheus."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path

from gacheck.context import Context, Overrides
from gacheck.core.models import GateResult
from gacheck.promlab.server import BasicAuth
from gacheck.run.config_binding import load_config
from gacheck.run.engine import measure, to_result

LAB_AUTH = BasicAuth("gacheck", "promlab-secret-7f3a")
"""The user and password of ``promlab(name, auth=True)``'s servers."""


def context(tmp_path: Path, url: str, at: datetime, gates_toml: str,
            prometheus_toml: str = "") -> Context:
    given = textwrap.dedent(prometheus_toml)
    defaults = "".join(line for key, line in (("retries", "retries = 1\n"),
                                                 ("timeout", 'timeout = "10s"\n'))
                       if not any(g.split("=")[0].strip() == key for g in given.splitlines()))
    text = "[prometheus]\n" + defaults + given + "\n" + textwrap.dedent(gates_toml)
    path = tmp_path / "gates.toml"
    path.write_text(text, encoding="utf-8")
    return Context(at=at, config=load_config(path), repo=tmp_path, audit_dir=tmp_path / "out",
                   overrides=Overrides(prometheus_url=url))


def result(ctx: Context, gate_id: str | None = None) -> GateResult:
    """Measure one gate and judge it the way the engine does (threshold, floor, redaction)."""
    gate = ctx.config.gates[0] if gate_id is None else ctx.config.gate(gate_id)
    return to_result(gate, measure(gate, ctx), 0.0, ctx)


PROMETHEUS_KINDS = ("soak_duration", "alerts", "ratio", "histogram_quantile", "promql_sustained")
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "gates.toml"


def default_prometheus_gates() -> str:
    """The default config's settings and Prometheus gate blocks, unchanged (LUKHAS' gates)."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    head, *blocks = text.split("[[gates]]")
    kept = [b for b in blocks if any(f'kind = "{k}"' in b for k in PROMETHEUS_KINDS)]
    return head + "".join("[[gates]]" + b for b in kept)


def default_context(tmp_path: Path, url: str, at: datetime) -> Context:
    path = tmp_path / "default-prometheus.toml"
    path.write_text(default_prometheus_gates(), encoding="utf-8")
    return Context(at=at, config=load_config(path), repo=tmp_path, audit_dir=tmp_path / "out",
                   overrides=Overrides(prometheus_url=url))


def series_rows(res: GateResult) -> dict[str, dict]:
    return {row["series"]: row for row in res.evidence.details["series"]}
