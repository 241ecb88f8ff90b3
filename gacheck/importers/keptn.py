"""Keptn v1 quality gates (``slo.yaml`` + the SLI file) to ``promql_sustained`` gates.

Keptn judges each objective once over the evaluation period: ``pass`` criteria met -> pass,
else ``warning`` criteria met -> warning, else fail; a failing ``key_sli`` fails the whole
evaluation, the others only lower the score, judged by ``total_score``. gacheck's nearest:

- ``pass`` bound -> ``threshold.warn``, ``warning`` bound -> ``threshold.max``/``min`` (the
  gate passes within the pass bound, warns up to the warning bound, fails beyond); with no
  ``warning`` criteria the pass bound is the threshold;
- ``key_sli: true`` -> blocking; other objectives non-blocking, so they count in the score;
- ``total_score.warning`` -> ``settings.min_score`` (below it Keptn fails);
- ``weight`` -> ``weight``.

Relative criteria (``<=+10%``, ``>=-5%``: compared with earlier results) become a second gate
of kind ``compare`` on the same query, ``max_increase``/``max_decrease`` from the pass criteria,
the baseline an earlier audit (``audit:last-pass``, or ``audit:last`` when Keptn compared with
all results). What does not map is reported: relative criteria that demand a change
(``<=-5%``) or are absolute deltas (``<=+100``), the warning band of relative criteria, several
criteria lists (OR), ranges (both < and >), ``=``, objectives without criteria (informative
only), SLIs missing from the SLI file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gacheck.core.errors import UsageError
from gacheck.importers import Imported, ImportedGate, Skipped, gate_id, read_yaml_documents

_CRITERION = re.compile(r"^\s*(<=|>=|<|>|=)\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")
RATE_WINDOW = "5m"
PLACEHOLDERS = ("SERVICE", "PROJECT", "STAGE")
UNMAPPED_RELATIVE = ("a relative criterion the compare kind cannot express (it bounds the "
                     "relative change of the median from above with <, from below with >)")
DURATION_NOTE = (f"$DURATION_SECONDS became {RATE_WINDOW}: each query is sampled over the window "
                 "and judged sustained, not once over Keptn's evaluation period")


@dataclass(frozen=True)
class Criterion:
    op: str
    value: float
    relative: bool
    text: str


def parse_criterion(text: str) -> Criterion:
    match = _CRITERION.match(str(text))
    if match is None:
        raise ValueError(f"criterion {text!r} is not <, <=, >, >= or = and a number")
    op, sign, number, percent = match.groups()
    value = float(number) * (-1 if sign == "-" else 1)
    return Criterion(op, value, relative=bool(sign or percent), text=str(text).strip())


@dataclass(frozen=True)
class Bound:
    """The absolute bound one criteria list sets: ``side`` max (``<``) or min (``>``)."""

    side: str
    value: float
    strict: bool


def _bound(criteria: list[Criterion]) -> tuple[Bound | None, list[str]]:
    """The strictest absolute bound of an AND-list, and why any part of it was left out."""
    left_out = [f"{c.text} (relative: needs the compare kind)" for c in criteria if c.relative]
    absolute = [c for c in criteria if not c.relative]
    left_out += [f"{c.text} (= has no gacheck threshold)" for c in absolute if c.op == "="]
    upper = [c for c in absolute if c.op in ("<", "<=")]
    lower = [c for c in absolute if c.op in (">", ">=")]
    if upper and lower:
        return None, [*left_out, "a range (both < and >): a gate has one of max or min"]
    if upper:
        best = min(upper, key=lambda c: (c.value, c.op == "<="))
        return Bound("max", best.value, best.op == "<"), left_out
    if lower:
        best = max(lower, key=lambda c: (c.value, c.op == ">="))
        return Bound("min", best.value, best.op == ">"), left_out
    return None, left_out


def _criteria_lists(objective: dict[str, Any], key: str, where: str) -> list[list[Criterion]]:
    lists = objective.get(key) or []
    if not isinstance(lists, list):
        raise UsageError(f"{where}.{key}: expected a list of {{criteria: [...]}}")
    parsed = []
    for i, entry in enumerate(lists):
        texts = entry.get("criteria") if isinstance(entry, dict) else None
        if not isinstance(texts, list):
            raise UsageError(f"{where}.{key}[{i}].criteria: expected a list of strings")
        try:
            parsed.append([parse_criterion(t) for t in texts])
        except ValueError as exc:
            raise UsageError(f"{where}.{key}[{i}].criteria: {exc}") from None
    return parsed


def _percent(value: Any, where: str) -> float:
    try:
        return float(str(value).strip().rstrip("%"))
    except ValueError:
        raise UsageError(f"{where}: expected a percentage like \"90%\", got {value!r}") from None


def _load_sli(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    documents = read_yaml_documents(path)
    indicators = documents[0].get("indicators") if documents and isinstance(
        documents[0], dict) else None
    if not isinstance(indicators, dict):
        raise UsageError(f"{path}: indicators: expected a map of SLI name to query")
    return {str(k): str(v) for k, v in indicators.items()}


def _query(sli: str, template: str, values: dict[str, str], notes: list[str]) -> str:
    query = template
    if "$DURATION_SECONDS" in query:
        query = query.replace("$DURATION_SECONDS", RATE_WINDOW)
    for name in PLACEHOLDERS:
        if f"${name}" in query and name.lower() in values:
            query = query.replace(f"${name}", values[name.lower()])
    left = sorted(set(re.findall(r"\$[A-Za-z_][A-Za-z0-9_.]*", query)))
    if left:
        notes.append(f"placeholders left in the query: {', '.join(left)} (give --service, "
                     "--project, --stage, or edit the query)")
    return query


def import_keptn(slo_path: Path, sli_path: Path | None = None,
                 values: dict[str, str] | None = None) -> Imported:
    documents = read_yaml_documents(slo_path)
    if len(documents) != 1 or not isinstance(documents[0], dict):
        raise UsageError(f"{slo_path}: expected one Keptn SLO document (spec_version, objectives)")
    slo = documents[0]
    objectives = slo.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        raise UsageError(f"{slo_path}: objectives: expected a non-empty list")
    queries = _load_sli(sli_path)
    imported = Imported(source=str(slo_path) + (f" and {sli_path}" if sli_path else ""))
    comparison = comparison_of(slo)
    imported.notes.append("each gate judges its SLI sustained over settings.window (48h) "
                          "ending at --at; Keptn judged one value per evaluation period")
    total = slo.get("total_score") or {}
    if isinstance(total, dict) and total.get("warning") is not None:
        imported.min_score = _percent(total["warning"], f"{slo_path}: total_score.warning")
        if total.get("pass") is not None:
            imported.skipped.append(Skipped(
                f"total_score.pass {total['pass']}",
                "gacheck's verdict warns on any warning gate; there is no second score level"))
    elif isinstance(total, dict) and total.get("pass") is not None:
        imported.min_score = _percent(total["pass"], f"{slo_path}: total_score.pass")
    taken: set[str] = set()
    for index, objective in enumerate(objectives):
        where = f"{slo_path}: objectives[{index}]"
        if not isinstance(objective, dict) or not objective.get("sli"):
            raise UsageError(f"{where}.sli: required")
        gate = _objective(objective, where, queries, values or {}, taken, imported, comparison)
        if gate is not None:
            imported.gates.append(gate)
    if any(g.kind == "compare" for g in imported.gates):
        imported.notes += [f"compare gates: {n}" for n in comparison["notes"]]
    if any("$DURATION_SECONDS" in q for q in queries.values()):
        imported.notes.append(DURATION_NOTE)
    return imported


def _objective(objective: dict[str, Any], where: str, queries: dict[str, str],
               values: dict[str, str], taken: set[str], imported: Imported,
               comparison: dict[str, Any]) -> ImportedGate | None:
    sli = str(objective["sli"])
    label = f"objective {sli}"
    passing = _criteria_lists(objective, "pass", where)
    warning = _criteria_lists(objective, "warning", where)
    if not passing:
        imported.skipped.append(Skipped(label, "no pass criteria: informative only in Keptn"))
        return None
    if sli not in queries:
        imported.skipped.append(Skipped(label, "its SLI has no query (give --sli with the SLI "
                                               "file that defines it)"))
        return None
    if len(passing) > 1 or len(warning) > 1:
        imported.skipped.append(Skipped(label, "several criteria lists (OR) do not map to one "
                                               "threshold"))
        return None
    pass_bound, left_out = _bound(passing[0])
    warn_bound, warn_left = _bound(warning[0]) if warning else (None, [])
    relative = _relative_gate(objective, passing[0], queries[sli], values, taken, imported,
                              comparison)
    if relative is not None:
        imported.gates.append(relative)
    if any(c.relative for c in (warning[0] if warning else [])):
        imported.skipped.append(Skipped(f"{label} relative warning criteria",
                                        "the compare gate fails beyond the pass criteria; "
                                        "Keptn's warning band is not represented (stricter)"))
    if pass_bound is None and relative is not None:
        return None
    if pass_bound is None:
        absolute = [r for r in left_out if "relative" not in r]  # relative ones said above
        reason = "; ".join(absolute) or "none of its criteria maps to a gate"
        imported.skipped.append(Skipped(label, reason))
        return None
    notes = [f"criterion left out: {r}" for r in [*left_out, *warn_left] if "relative" not in r]
    threshold = _threshold(pass_bound, warn_bound, notes)
    query = _query(sli, queries[sli], values, notes)
    weight = objective.get("weight", 1)
    try:
        weight = float(weight)
    except (TypeError, ValueError):
        raise UsageError(f"{where}.weight: expected a number, got {weight!r}") from None
    title = str(objective.get("displayName") or sli)
    return ImportedGate(
        id=gate_id(sli, taken), kind="promql_sustained", title=title,
        params={"query": query}, threshold=threshold,
        blocking=bool(objective.get("key_sli", False)), weight=weight, unit="number",
        notes=tuple(notes))


def _threshold(pass_bound: Bound, warn_bound: Bound | None, notes: list[str]) -> dict[str, Any]:
    """Keptn's pass and warning bounds as one gacheck threshold: the looser bound fails, the
    pass bound (when stricter) warns. A warning bound on the other side, and a strict < or >
    read as inclusive, are said in ``notes``."""
    if warn_bound is not None and warn_bound.side != pass_bound.side:
        notes.append("warning criteria bound the other side: left out")
        warn_bound = None
    threshold: dict[str, Any] = {}
    if warn_bound is None:
        threshold[pass_bound.side] = pass_bound.value
    else:
        looser = (max if pass_bound.side == "max" else min)(warn_bound.value, pass_bound.value)
        threshold[pass_bound.side] = looser
        if looser != pass_bound.value:
            threshold["warn"] = pass_bound.value
    if pass_bound.strict or (warn_bound and warn_bound.strict):
        notes.append("a strict < or > became gacheck's inclusive max or min")
    return threshold


def _relative_gate(objective: dict[str, Any], criteria: list[Criterion], template: str,
                   values: dict[str, str], taken: set[str], imported: Imported,
                   comparison: dict[str, Any]) -> ImportedGate | None:
    """A ``compare`` gate for the relative criteria of one pass list, or None."""
    sli = str(objective["sli"])
    increase: float | None = None
    decrease: float | None = None
    for c in (c for c in criteria if c.relative):
        percent = c.text.rstrip().endswith("%")
        if percent and c.op in ("<", "<=") and c.value >= 0:
            increase = c.value / 100 if increase is None else min(increase, c.value / 100)
        elif percent and c.op in (">", ">=") and c.value <= 0:
            decrease = -c.value / 100 if decrease is None else min(decrease, -c.value / 100)
        else:
            imported.skipped.append(Skipped(f"objective {sli} criterion {c.text}",
                                            UNMAPPED_RELATIVE))
    if increase is None and decrease is None:
        return None
    notes: list[str] = []
    params: dict[str, Any] = {"query": _query(sli, template, values, notes),
                              "baseline": comparison["baseline"]}
    if increase is not None:
        params["max_increase"] = round(increase, 12)
    if decrease is not None:
        params["max_decrease"] = round(decrease, 12)
    weight = float(objective.get("weight", 1) or 0)
    return ImportedGate(
        id=gate_id(f"{sli}_vs_earlier", taken), kind="compare",
        title=f"{objective.get('displayName') or sli} against earlier results",
        params=params, threshold={}, blocking=bool(objective.get("key_sli", False)),
        weight=weight, notes=tuple(notes))


def comparison_of(slo: dict[str, Any]) -> dict[str, Any]:
    """Keptn's ``comparison`` block as a compare baseline, and what it loses."""
    raw_block = slo.get("comparison")
    block = raw_block if isinstance(raw_block, dict) else {}
    include = str(block.get("include_result_with_score", "all"))
    notes = ["the baseline is the newest earlier gacheck audit; until one exists the gate is "
             "no_data (Keptn passed relative criteria without history)"]
    baseline = "audit:last" if include == "all" else "audit:last-pass"
    if include == "pass_or_warn":
        notes.append("Keptn's pass_or_warn results: the baseline is the newest passing audit")
    count = block.get("number_of_comparison_results", 1)
    if block.get("compare_with") == "several_results" or (isinstance(count, int) and count > 1):
        notes.append(f"Keptn aggregated {count} earlier results "
                     f"({block.get('aggregate_function', 'avg')}); the gate compares with one")
    return {"baseline": baseline, "notes": notes}
