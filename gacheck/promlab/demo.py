"""``gacheck demo`` end to end: lab Prometheus, the default config, audits, verdict.

Which gates run is decided here, explicitly and per kind, and said in the output:

- Prometheus gates (soak, alerts, SLIs) always run, against the lab server.
- ``ruff_budget``: when all of its ``paths`` exist under ``--repo`` (else the gate errors).
- ``openapi_headers``: when one of its ``specs`` patterns matches a file under ``--repo``.
- ``git_batches``: when ``--repo`` is given and is a git repository (the folder the demo runs
  in is gacheck's own checkout, not a release candidate).
- ``pip_audit``: when its ``report`` or ``requirements`` exist; auditing the environment needs
  the network, which a demo must not assume.
- ``http_smoke``: when something answers on its base URL (probed only on a loopback address).
- ``openai_compat``, ``stream_timing``, ``load``, ``guardrail_probes``, ``rate_limit``,
  ``idempotency``, ``examples``: against the façade at ``--facade-url`` (loopback only), else
  against a stand-in façade the demo starts on 127.0.0.1 (``gacheck.standin``);
  ``guardrail_probes`` also needs its probe file, ``examples`` a Markdown file matching its
  globs (with the stand-in, the demo points it at the stand-in's own docs).
- ``guardian_breakdown`` is a Prometheus gate; a config with any of these research kinds gets
  the ``research`` history (the façade's HTTP side too) instead of ``demo``.
- anything else (``command``, ``json_value``...): skipped, a demo runs no configured commands.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from gacheck.config.model import Config, GateSpec

PROMETHEUS_KINDS = frozenset(
    {"soak_duration", "alerts", "promql_sustained", "ratio", "histogram_quantile", "compare",
     "error_budget", "guardian_breakdown"})
FACADE_KINDS = frozenset({"openai_compat", "stream_timing", "load", "guardrail_probes",
                          "rate_limit", "idempotency", "examples"})
DEMO_SCENARIO = "demo_relative"  # "demo" plus a GA version beside it and last week's soak
RESEARCH_SCENARIO = "research"
RELATIVE_GATES = Path(__file__).with_name("relative_gates.toml")


def scenario_name(config: Config) -> str:
    """The research history for a config with research kinds, the GA demo's otherwise."""
    research = FACADE_KINDS | {"guardian_breakdown"}
    return RESEARCH_SCENARIO if any(g.kind in research for g in config.gates) else DEMO_SCENARIO


def with_relative_gates(config: Config) -> tuple[Config, list[str]]:
    """The config plus the demo's compare and error_budget gates whose ids it lacks.

    Only the GA demo's history has the baseline week and the GA version they compare with."""
    from gacheck.run.config_binding import load_config

    if scenario_name(config) != DEMO_SCENARIO:
        return config, []
    known = {g.id for g in config.gates}
    added = [g for g in load_config(RELATIVE_GATES).gates if g.id not in known]
    return config.model_copy(update={"gates": [*config.gates, *added]}), [g.id for g in added]


def skip_reasons(config: Config, repo: Path, repo_given: bool,
                 facade_url: str | None) -> dict[str, str]:
    """``{gate id: why the demo leaves it out}`` for every gate it does not evaluate."""
    reasons = {}
    for gate in config.gates:
        if gate.kind in PROMETHEUS_KINDS:
            continue
        check = _CHECKS.get(gate.kind)
        why = (check(gate, repo, repo_given, facade_url) if check
               else f"demo: a {gate.kind} gate is not evaluated by the demo")
        if why:
            reasons[gate.id] = why
    return reasons


def _ruff(gate: GateSpec, repo: Path, repo_given: bool, facade_url: str | None) -> str | None:
    missing = [p for p in gate.params.paths if not (repo / p).exists()]
    if not missing:
        return None
    return f"demo: {len(missing)} of its {len(gate.params.paths)} paths do not exist under {repo}"


def _openapi(gate: GateSpec, repo: Path, repo_given: bool, facade_url: str | None) -> str | None:
    if any(path.is_file() for pattern in gate.params.specs for path in repo.glob(pattern)):
        return None
    return f"demo: no OpenAPI spec matches its patterns under {repo}"


def _git(gate: GateSpec, repo: Path, repo_given: bool, facade_url: str | None) -> str | None:
    if not repo_given:
        return "demo: needs --repo, the release candidate's git checkout"
    return None if (repo / ".git").exists() else f"demo: {repo} is not a git repository"


def _pip_audit(gate: GateSpec, repo: Path, repo_given: bool, facade_url: str | None) -> str | None:
    params = gate.params
    if params.report and any(repo.glob(params.report)):
        return None
    if params.requirements and all((repo / r).is_file() for r in params.requirements):
        return None
    if params.environment:
        return "demo: auditing the environment needs the network; not assumed by the demo"
    return "demo: its pip-audit report or requirements file does not exist"


def _facade(gate: GateSpec, repo: Path, repo_given: bool, facade_url: str | None) -> str | None:
    if gate.kind == "guardrail_probes" and not (repo / gate.params.probes).is_file():
        return f"demo: its probe file {gate.params.probes} does not exist under {repo}"
    if gate.kind == "examples":
        root = repo / (gate.params.root or ".")
        if not any(p.is_file() for pattern in gate.params.files for p in root.glob(pattern)):
            return f"demo: no Markdown file matches {gate.params.files} under {root}"
    return _http_smoke(gate, repo, repo_given, facade_url)


def _http_smoke(gate: GateSpec, repo: Path, repo_given: bool,
                facade_url: str | None) -> str | None:
    url = facade_url or gate.params.base_url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        return f"demo: the façade {url} is not on this machine; the demo probes loopback only"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return None
    return f"demo: nothing answers on {url}"


_CHECKS: dict[str, Callable[[GateSpec, Path, bool, str | None], str | None]] = {
    "ruff_budget": _ruff,
    "openapi_headers": _openapi,
    "git_batches": _git,
    "pip_audit": _pip_audit,
    "http_smoke": _http_smoke,
    **dict.fromkeys(FACADE_KINDS, _facade),
}
