"""The verdict as Prometheus metrics: a textfile for node_exporter, or a push to a Pushgateway.

Series (every one labelled ``config``, the config's name):

- ``gacheck_verdict{verdict}``: 1 for the verdict of the last evaluation, 0 for the others
- ``gacheck_score``: 0..100
- ``gacheck_gate_status{gate,status}``: 1 for each gate's status, 0 for its other statuses
- ``gacheck_gate_value{gate,unit}``: each measured gate's value, in its unit (seconds, ratio...)
- ``gacheck_last_evaluation_timestamp_seconds``: the evaluation instant (``--at``)

``alerts.yml`` (alerting rules: failed, stale, missing) and ``grafana-dashboard.json`` beside
this module read them. ``prometheus_client`` is imported only when metrics are asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gacheck.core.errors import OutputError
from gacheck.core.models import Audit, Status, Verdict

JOB = "gacheck"


def config_name(config_path: str) -> str:
    """``config/gates.toml`` -> ``gates``: a short, stable label for one checklist."""
    return Path(config_path).stem or "gates"


def build_registry(audit: Audit, name: str) -> Any:
    from prometheus_client import CollectorRegistry, Gauge

    registry = CollectorRegistry()
    verdict = Gauge("gacheck_verdict", "1 for the verdict of the last evaluation, else 0",
                    ["config", "verdict"], registry=registry)
    for option in Verdict:
        verdict.labels(name, option.value).set(1 if audit.verdict is option else 0)
    Gauge("gacheck_score", "GA-readiness score of the last evaluation, 0 to 100", ["config"],
          registry=registry).labels(name).set(audit.score)
    status = Gauge("gacheck_gate_status", "1 for each gate's status in the last evaluation, "
                   "else 0", ["config", "gate", "status"], registry=registry)
    value = Gauge("gacheck_gate_value", "each measured gate's value, in its unit",
                  ["config", "gate", "unit"], registry=registry)
    for gate in audit.gates:
        for gate_status in Status:
            status.labels(name, gate.id, gate_status.value).set(
                1 if gate.status is gate_status else 0)
        if gate.value is not None:
            value.labels(name, gate.id, gate.unit.value).set(gate.value)
    Gauge("gacheck_last_evaluation_timestamp_seconds", "the evaluation instant (--at), Unix "
          "seconds", ["config"], registry=registry).labels(name).set(audit.evaluated_at.timestamp())
    return registry


def write_textfile(audit: Audit, path: Path, name: str) -> None:
    """The metrics in the text format node_exporter's textfile collector reads (``*.prom``),
    written to a temporary file and renamed, so the collector never reads half of it."""
    from prometheus_client import write_to_textfile

    if path.suffix != ".prom":
        raise OutputError(f"--metrics-file {path}: node_exporter reads only *.prom files")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_to_textfile(str(path), build_registry(audit, name))
    except OSError as exc:
        raise OutputError(f"cannot write --metrics-file {path}: {exc.strerror or exc}") from None


def push(audit: Audit, url: str, name: str, timeout_s: float = 10.0) -> None:
    """PUT the metrics to ``<url>/metrics/job/gacheck/config/<name>``: this config's group is
    replaced as a whole, so a gate removed from the config disappears from the Pushgateway."""
    from prometheus_client import push_to_gateway

    shown = _without_credentials(url)
    try:
        push_to_gateway(url, job=JOB, registry=build_registry(audit, name),
                        grouping_key={"config": name}, timeout=timeout_s)
    except OSError as exc:  # URLError and HTTPError are OSErrors
        reason = getattr(exc, "reason", None) or exc
        raise OutputError(f"cannot push to the Pushgateway {shown}: {reason}") from None


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return parts._replace(netloc=netloc).geturl()
    return url
