"""The idempotency checks, each with fresh keys: replay, concurrent duplicates, a reused key
with another body, and a replay mix. Each returns its details and appends its findings."""

from __future__ import annotations

import uuid
from typing import Any

from gacheck.collectors.service.facade import Facade
from gacheck.core.errors import CollectorError, GateError
from gacheck.core.models import Finding


class Run:
    """One gate run's SDK client, keys and counter readings."""

    def __init__(self, params: Any, facade: Facade) -> None:
        self.params, self.facade = params, facade
        self.prefix = f"gacheck-{uuid.uuid4().hex[:12]}"
        self.notes: list[str] = []
        body = dict(params.body)
        if "model" not in body:
            body["model"] = facade.model()
        self.body = body
        self.other = params.other_body or {**body, "user": "gacheck-other-body"}

    def post(self, key: str, body: dict[str, Any] | None = None) -> Any:
        from gacheck.collectors.service.replay import keyed_post

        return keyed_post(self.facade.client, self.params.path.removeprefix("/v1"),
                          body or self.body, f"{self.prefix}-{key}")

    def counter(self, selector: str | None) -> float | None:
        from gacheck.collectors.service.replay import counter_total

        if not selector or not self.params.metrics_url:
            return None
        url = self.params.metrics_url.replace("{base_url}", self.facade.base_url)
        try:  # a labelled counter not yet incremented has no sample: 0
            return counter_total(url, selector, self.params.call_timeout) or 0.0
        except CollectorError as exc:
            self.notes.append(f"counter {selector} not read: {exc}")
            return None


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def check_replay(run: Run, findings: list[Finding]) -> dict[str, Any]:
    work = run.counter(run.params.work_counter)
    first, again = run.post("replay"), run.post("replay")
    moved = _delta(work, run.counter(run.params.work_counter))
    if first.status is None or not 200 <= first.status < 300:
        raise GateError(f"POST {run.params.path} answered {first.status or first.error}: "
                        f"{first.body[:200]!r}; a replay needs a 2xx first answer")
    same = again.status == first.status and again.json() == first.json()
    if not same:
        findings.append(Finding(message=f"the replay answered {again.status} with a different "
                                "body (a new execution, not the stored answer)",
                                code="idem-replay-differs"))
    if moved is not None and moved != 1:
        findings.append(Finding(message=f"{run.params.work_counter} moved by {moved:g} for a "
                                "request and its replay (expected 1)", code="idem-double-work"))
    return {"first_status": first.status, "replay_status": again.status, "identical": same,
            "first_id": _id(first), "replay_id": _id(again), "work_counter_moved": moved}


def _id(answer: Any) -> Any:
    data = answer.json()
    return data.get("id") if isinstance(data, dict) else None


def check_concurrent(run: Run, findings: list[Finding]) -> dict[str, Any]:
    from gacheck.collectors.service.replay import concurrent

    work = run.counter(run.params.work_counter)
    answers = concurrent(run.facade.client, run.params.path.removeprefix("/v1"), run.body,
                         f"{run.prefix}-concurrent", run.params.concurrent)
    moved = _delta(work, run.counter(run.params.work_counter))
    ok = [a for a in answers if a.status is not None and 200 <= a.status < 300]
    distinct = {repr(a.json()) for a in ok}
    statuses = sorted(str(a.status or a.error) for a in answers)
    if len(distinct) > 1 or (moved is not None and moved > 1):
        findings.append(Finding(message=f"{run.params.concurrent} concurrent duplicates had "
                                f"{len(distinct)} distinct answers (work counter moved by "
                                f"{moved if moved is not None else 'n/a'}): more than one "
                                "effect", code="idem-concurrent-effects"))
    if not ok:
        findings.append(Finding(message=f"no concurrent duplicate got a 2xx: {statuses}",
                                code="idem-concurrent-none"))
    return {"sent": run.params.concurrent, "statuses": statuses, "distinct_2xx_bodies":
            len(distinct), "work_counter_moved": moved}


def check_reused_key(run: Run, findings: list[Finding], first: Any) -> dict[str, Any]:
    answer = run.post("replay", run.other)
    if answer.status == 422:
        seen = "reject"
    elif answer.status is not None and 200 <= answer.status < 300:
        seen = "replay" if answer.json() == first else "new execution"
    else:
        seen = f"HTTP {answer.status or answer.error}"
    wanted = run.params.reused_key
    if not (seen == wanted or (wanted == "either" and seen in ("reject", "replay"))):
        findings.append(Finding(message=f"the same key with a different body got {seen} "
                                f"({answer.status}); reused_key = {wanted!r} is required",
                                code="idem-reused-key"))
    return {"status": answer.status, "behaviour": seen, "required": wanted}


def check_mix(run: Run, findings: list[Finding]) -> dict[str, Any]:
    p = run.params
    hits_before, reqs_before = run.counter(p.hits_counter), run.counter(p.requests_counter)
    firsts: dict[int, Any] = {}
    hits = misses = failed = 0
    for _ in range(p.mix_repeats):
        for key in range(p.mix_keys):
            answer = run.post(f"mix-{key}")
            if answer.status is None or not 200 <= answer.status < 300:
                failed += 1
            elif key not in firsts:
                firsts[key] = answer.json()
            elif answer.json() == firsts[key]:
                hits += 1
            else:
                misses += 1
    total = p.mix_keys * p.mix_repeats
    server_hits = _delta(hits_before, run.counter(p.hits_counter))
    server_reqs = _delta(reqs_before, run.counter(p.requests_counter))
    if misses:
        findings.append(Finding(message=f"{misses} of {hits + misses} replays in the mix were "
                                "executed again", code="idem-mix-misses"))
    if failed:
        findings.append(Finding(message=f"{failed} of {total} requests of the mix failed",
                                code="idem-mix-errors"))
    return {"requests": total, "keys": p.mix_keys, "hits": hits, "misses": misses,
            "failed": failed, "client_hit_ratio": hits / total,
            "expected_hit_ratio": (total - p.mix_keys) / total,
            "server_hits": server_hits, "server_requests": server_reqs,
            "server_hit_ratio": server_hits / server_reqs if server_hits is not None
            and server_reqs else None}
