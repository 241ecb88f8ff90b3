"""``/metrics``: the server's own counters, in a registry of its own (not the process default)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

DURATION_BUCKETS = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class ServeMetrics:
    """Evaluations and their durations, answers by verdict, cache hits, refused requests."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.evaluations = Counter(
            "gacheck_serve_evaluations", "Evaluations run, by outcome (a verdict or error)",
            ["outcome"], registry=self.registry)
        self.duration = Histogram(
            "gacheck_serve_evaluation_duration_seconds", "Time one evaluation took",
            buckets=DURATION_BUCKETS, registry=self.registry)
        self.answers = Counter(
            "gacheck_serve_answers", "Answers to callers, by endpoint and verdict",
            ["endpoint", "verdict"], registry=self.registry)
        self.cache_hits = Counter(
            "gacheck_serve_cache_hits", "Requests answered by (or joined to) an evaluation "
            "already started for the same config, selection and instant", registry=self.registry)
        self.rejected = Counter(
            "gacheck_serve_rejected_requests", "Requests refused, by reason",
            ["reason"], registry=self.registry)

    def text(self) -> bytes:
        return generate_latest(self.registry)
