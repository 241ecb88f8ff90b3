"""OpenSLO v1 (``apiVersion: openslo/v1``) SLOs to ``promql_sustained`` gates.

One gate per objective of each ``SLO``, its SLI inline (``indicator``) or named
(``indicatorRef`` to an ``SLI`` document of the same files), with a Prometheus metric source:

- ``ratioMetric``: the query is good/total (threshold ``min`` = target) or bad/total
  (``max`` = 1 - target), unit ratio; counters (``counter: true``) given as plain selectors
  are wrapped in ``sum(rate(...[5m]))``;
- ``thresholdMetric``: the query itself, ``op``/``value`` as ``max`` (lt, lte) or ``min``
  (gt, gte); the objective's ``target`` (the share of good time) becomes ``max_breach_ratio``
  = 1 - target, and ``max_breach`` the whole window, so only the share is judged;
- ``compositeWeight`` -> weight.

Reported, not imported: other metric sources, ``timeWindow`` and the error budget over it
(the gate judges ``settings.window`` ending at ``--at``), ``AlertPolicy``, ``AlertCondition``,
``AlertNotificationTarget``, ``Service`` and ``DataSource`` documents.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gacheck.core.errors import UsageError
from gacheck.importers import Imported, ImportedGate, Skipped, gate_id, read_yaml_documents

RATE_WINDOW = "5m"
_SELECTOR = re.compile(r"^\s*[A-Za-z_:][A-Za-z0-9_:]*\s*(\{[^{}]*\})?\s*$")
_UPPER, _LOWER = {"lt", "lte"}, {"gt", "gte"}


def _name(document: dict[str, Any]) -> str:
    metadata = document.get("metadata")
    return str(metadata.get("name")) if isinstance(metadata, dict) and metadata.get("name") else ""


def import_openslo(paths: list[Path]) -> Imported:
    documents: list[tuple[str, dict[str, Any]]] = []
    for path in paths:
        for index, document in enumerate(read_yaml_documents(path)):
            where = f"{path}: document {index + 1}"
            if not isinstance(document, dict) or not str(document.get("apiVersion", "")
                                                          ).startswith("openslo/"):
                raise UsageError(f"{where}: not an OpenSLO document (apiVersion openslo/v1)")
            if document["apiVersion"] != "openslo/v1":
                raise UsageError(f"{where}: apiVersion {document['apiVersion']}: only openslo/v1 "
                                 "is read")
            documents.append((where, document))
    slis = {_name(d): d.get("spec") or {} for _, d in documents if d.get("kind") == "SLI"}
    imported = Imported(source=", ".join(str(p) for p in paths))
    imported.notes.append("each gate judges its SLI sustained over settings.window (48h) ending "
                          "at --at; the SLOs' time windows and error budgets are not computed")
    taken: set[str] = set()
    for where, document in documents:
        kind = document.get("kind")
        if kind == "SLI":
            continue
        if kind != "SLO":
            imported.skipped.append(Skipped(f"{kind} {_name(document)}".strip(),
                                            "no gate equivalent"))
            continue
        _slo(where, document, slis, taken, imported)
    return imported


def _slo(where: str, document: dict[str, Any], slis: dict[str, Any], taken: set[str],
         imported: Imported) -> None:
    name = _name(document) or "slo"
    spec = document.get("spec")
    if not isinstance(spec, dict):
        raise UsageError(f"{where}: spec: required")
    label = f"SLO {name}"
    indicator = spec.get("indicator")
    if isinstance(indicator, dict):
        sli = indicator.get("spec") or {}
    elif spec.get("indicatorRef"):
        sli = slis.get(str(spec["indicatorRef"]))
        if sli is None:
            imported.skipped.append(Skipped(label, f"indicatorRef {spec['indicatorRef']}: no SLI "
                                                   "document of that name in these files"))
            return
    else:
        raise UsageError(f"{where}: spec: needs indicator or indicatorRef")
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        raise UsageError(f"{where}: spec.objectives: expected a non-empty list")
    title_base = str((document.get("metadata") or {}).get("displayName") or spec.get(
        "description") or name)
    for index, objective in enumerate(objectives):
        if not isinstance(objective, dict):
            raise UsageError(f"{where}: spec.objectives[{index}]: expected a map")
        target = _target(objective, f"{where}: spec.objectives[{index}]")
        what = f"{label} objective {objective.get('displayName') or index + 1}"
        gate = _gate(sli, objective, target, what, imported)
        if gate is None:
            continue
        suffix = f" ({objective['displayName']})" if objective.get("displayName") else ""
        params, threshold, unit, notes = gate
        weight = objective.get("compositeWeight", 1)
        imported.gates.append(ImportedGate(
            id=gate_id(f"{name}_{objective.get('displayName') or ''}" if len(objectives) > 1
                       else name, taken),
            kind="promql_sustained", title=title_base + suffix, params=params,
            threshold=threshold, weight=float(weight), unit=unit, notes=tuple(notes)))


def _target(objective: dict[str, Any], where: str) -> float | None:
    if objective.get("target") is not None:
        value = float(objective["target"])
    elif objective.get("targetPercent") is not None:
        value = float(objective["targetPercent"]) / 100
    else:
        return None
    if not 0 < value <= 1:
        raise UsageError(f"{where}.target: expected a share in (0, 1], got {value:g}")
    return value


def _source_query(metric: Any, what: str, imported: Imported) -> str | None:
    source = metric.get("metricSource") if isinstance(metric, dict) else None
    if not isinstance(source, dict):
        imported.skipped.append(Skipped(what, "no metricSource"))
        return None
    if str(source.get("type", "")).lower() != "prometheus":
        imported.skipped.append(Skipped(what, f"metric source type {source.get('type')!r}: "
                                              "gacheck reads Prometheus"))
        return None
    query = (source.get("spec") or {}).get("query")
    if not isinstance(query, str) or not query.strip():
        imported.skipped.append(Skipped(what, "its Prometheus source has no spec.query"))
        return None
    return " ".join(query.split())


def _gate(sli: Any, objective: dict[str, Any], target: float | None, what: str,
          imported: Imported) -> tuple[dict[str, Any], dict[str, Any], str, list[str]] | None:
    if not isinstance(sli, dict):
        imported.skipped.append(Skipped(what, "its SLI has no spec"))
        return None
    if isinstance(sli.get("ratioMetric"), dict):
        return _ratio(sli["ratioMetric"], target, what, imported)
    if isinstance(sli.get("thresholdMetric"), dict):
        return _threshold(sli["thresholdMetric"], objective, target, what, imported)
    imported.skipped.append(Skipped(what, "SLI is neither ratioMetric nor thresholdMetric"))
    return None


def _ratio(metric: dict[str, Any], target: float | None, what: str, imported: Imported
           ) -> tuple[dict[str, Any], dict[str, Any], str, list[str]] | None:
    if target is None:
        imported.skipped.append(Skipped(what, "a ratio objective without target"))
        return None
    good_or_bad = "good" if "good" in metric else "bad" if "bad" in metric else None
    if good_or_bad is None or "total" not in metric:
        imported.skipped.append(Skipped(what, "ratioMetric needs good or bad, and total"))
        return None
    part = _source_query(metric[good_or_bad], what, imported)
    total = _source_query(metric["total"], what, imported) if part is not None else None
    if part is None or total is None:
        return None
    notes: list[str] = []
    if metric.get("counter"):
        part, total = _rate(part, notes), _rate(total, notes)
    query = f"({part}) / ({total})"
    if good_or_bad == "good":
        threshold = {"min": target}
    else:
        threshold = {"max": round(1 - target, 12)}
    return {"query": query}, threshold, "ratio", notes


def _rate(query: str, notes: list[str]) -> str:
    if _SELECTOR.match(query):
        return f"sum(rate({query}[{RATE_WINDOW}]))"
    notes.append(f"counter query {query!r} is not a plain selector: used as written, so it must "
                 "already return a rate")
    return query


def _threshold(metric: dict[str, Any], objective: dict[str, Any], target: float | None,
               what: str, imported: Imported
               ) -> tuple[dict[str, Any], dict[str, Any], str, list[str]] | None:
    query = _source_query(metric, what, imported)
    if query is None:
        return None
    op, value = objective.get("op"), objective.get("value")
    if op not in _UPPER | _LOWER or not isinstance(value, int | float):
        imported.skipped.append(Skipped(what, "a threshold objective needs op (lt, lte, gt, "
                                              "gte) and a numeric value"))
        return None
    notes = []
    if op in ("lt", "gt"):
        notes.append(f"strict {op} became gacheck's inclusive {'max' if op == 'lt' else 'min'}")
    threshold = {"max" if op in _UPPER else "min": value}
    params: dict[str, Any] = {"query": query}
    share = objective.get("timeSliceTarget", target)
    if share is not None:
        params["max_breach_ratio"] = round(1 - float(share), 12)
        params["max_breach"] = "48h"
        notes.append("target became max_breach_ratio (the share of samples allowed beyond the "
                     "value); no single breach length fails it")
    return params, threshold, "number", notes
