"""What a lab history is made of, in times relative to its end (so one plan serves any instant).

A ``Plan`` says: how long, how often scraped, the façade's traffic (requests, denials,
latency per outcome), restarts, stretches nobody scraped, and the alert history. ``generate``
turns it into series; ``scenarios`` names the plans and what a correct gate concludes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

#: The façade's histogram buckets (seconds), as LUKHAS exports them.
BUCKETS: tuple[float, ...] = (0.001, 0.005, 0.010, 0.025, 0.050, 0.100, 0.250, 0.500, 1.0)


@dataclass(frozen=True)
class Window:
    """From ``start`` before the end until ``stop`` before the end (``start > stop``)."""

    start: timedelta
    stop: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.start <= self.stop:
            raise ValueError(f"window starts {self.start} before the end but stops {self.stop}")

    @property
    def length(self) -> timedelta:
        return self.start - self.stop


@dataclass(frozen=True)
class LatencyProfile:
    """The share of requests at or below each bucket edge of ``edges`` (cumulative)."""

    cumulative: tuple[float, ...]
    mean_seconds: float
    edges: tuple[float, ...] = BUCKETS

    def __post_init__(self) -> None:
        shares = list(self.cumulative)
        if len(shares) != len(self.edges) or shares != sorted(shares) or not (
            0 <= shares[0] and shares[-1] <= 1
        ) or list(self.edges) != sorted(set(self.edges)):
            raise ValueError("cumulative shares must be one per bucket, rising, within [0, 1]")

    def share(self, edge: float) -> float:
        """The share of requests at or below ``edge`` (one of ``edges``, 0, or +Inf)."""
        if edge == 0:
            return 0.0
        return 1.0 if edge == float("inf") else self.cumulative[self.edges.index(edge)]

    def quantile(self, q: float) -> float:
        """What ``histogram_quantile(q, ...)`` reads from this profile: linear in the bucket."""
        lower_edge, lower_share = 0.0, 0.0
        for edge, share in zip(self.edges, self.cumulative, strict=True):
            if share >= q:
                return lower_edge + (edge - lower_edge) * (q - lower_share) / (share - lower_share)
            lower_edge, lower_share = edge, share
        return self.edges[-1]  # beyond the last finite edge Prometheus answers that edge


#: p95 ≈ 7.8 ms: healthy, read by interpolation inside the 5–10 ms bucket.
FAST = LatencyProfile((0.30, 0.90, 0.99, 0.998, 1.0, 1.0, 1.0, 1.0, 1.0), 0.0035)
#: p95 ≈ 23 ms: a PDP over its 10 ms budget.
SLOW = LatencyProfile((0.02, 0.30, 0.80, 0.97, 0.995, 0.999, 1.0, 1.0, 1.0), 0.0110)
#: p95 ≈ 86 ms: a short, sharp excursion (a cache flush, a GC pause).
SPIKE = LatencyProfile((0.01, 0.10, 0.50, 0.80, 0.90, 0.97, 0.99, 1.0, 1.0), 0.0300)
#: A coarse histogram (first edge 100 ms) with every observation in the 0–100 ms bucket: its
#: p95 reads as 95 ms by interpolation, though the buckets cannot place it inside 0–100 ms.
COARSE_BUCKETS: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0)
COARSE_FAST = LatencyProfile((1.0, 1.0, 1.0, 1.0), 0.0035, COARSE_BUCKETS)


@dataclass(frozen=True)
class LatencyChange:
    """Inside ``window``, requests of ``outcome`` (all outcomes when None) follow ``profile``."""

    window: Window
    profile: LatencyProfile
    outcome: str | None = None


@dataclass(frozen=True)
class Traffic:
    """The Guardian decisions the façade makes, split over outcome × scope × route."""

    # At night traffic drops to a fifth; denials are 0.4% of it. Enough denied decisions per
    # 5 minutes (~50) keep the deny histogram's p95 steady instead of jumping bucket to bucket.
    peak_rps: float = 200.0
    deny_ratio: float = 0.004
    scopes: tuple[str, ...] = ("chat", "embeddings")
    routes: tuple[str, ...] = ("/v1/chat/completions", "/v1/embeddings")
    idle: tuple[Window, ...] = ()
    deny_spikes: tuple[tuple[Window, float], ...] = ()
    latency: dict[str, LatencyProfile] = field(
        default_factory=lambda: {"allow": FAST, "deny": FAST}
    )
    latency_changes: tuple[LatencyChange, ...] = ()
    diurnal: bool = True  # quiet nights, busy afternoons (UTC)
    # the histogram series of an outcome are missing (not exported) inside these windows
    histogram_gaps: tuple[tuple[str, Window], ...] = ()


#: p95 ≈ 24.7 ms: the façade's own request latency (HTTP), read inside the 10–25 ms bucket.
HTTP_FACADE = LatencyProfile((0.0, 0.02, 0.10, 0.97, 1.0, 1.0, 1.0, 1.0, 1.0), 0.018)


@dataclass(frozen=True)
class FacadeHttp:
    """The façade's HTTP side: requests and latency by route, denials by reason, idempotency.

    ``http_server_requests_total`` is LUKHAS'; the latency histogram and the idempotency
    counters are not named in its facts, so their names here are the research profile's
    defaults (``load.server_latency_metric``, the idempotency ratio gate's selectors).
    """

    peak_rps: float = 40.0
    routes: tuple[tuple[str, float], ...] = (
        ("/v1/chat/completions", 0.45), ("/v1/embeddings", 0.35), ("/v1/responses", 0.10),
        ("/v1/models", 0.08), ("/health", 0.02))
    latency: LatencyProfile = HTTP_FACADE
    error_ratio: float = 0.002
    deny_routes: tuple[str, ...] = ("/v1/chat/completions", "/v1/embeddings")
    deny_ratio: float = 0.004
    deny_reasons: tuple[tuple[str, float], ...] = (
        ("pii_detected", 0.48), ("harmful_content", 0.30), ("prompt_injection", 0.15),
        ("rate_abuse", 0.07))
    idempotency_hit_ratio: float = 0.35
    idempotency_share: float = 0.2
    """The share of POST requests carrying an Idempotency-Key."""


@dataclass(frozen=True)
class AlertEpisode:
    """One alert's life: pending from ``pending``, firing from ``firing`` (None: never fired),
    resolved at ``resolved`` (all before the end)."""

    name: str
    severity: str
    pending: timedelta
    resolved: timedelta
    firing: timedelta | None = None
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Plan:
    duration: timedelta
    seed: int
    interval: timedelta = timedelta(seconds=15)
    traffic: Traffic | None = field(default_factory=Traffic)  # None: the metrics are absent
    process_age: timedelta | None = None  # façade started this long before the end
    restarts: tuple[timedelta, ...] = ()  # the façade restarted this long before the end
    gaps: tuple[Window, ...] = ()  # Prometheus scraped nothing at all (it was down)
    alerts: tuple[AlertEpisode, ...] = ()
    recording_rules: bool = False  # also write guardian:* series as the rules would
    # Prometheus scrapes itself (job="prometheus"): up and its rule-group gauges. In a rule
    # stall it keeps scraping, but no rule is evaluated (no ALERTS, a frozen last evaluation).
    self_monitoring: bool = False
    rule_stalls: tuple[Window, ...] = ()
    facade_http: FacadeHttp | None = None  # also the façade's HTTP, denial-reason, cache metrics
    other_jobs: tuple[tuple[str, timedelta], ...] = (("lukhas-core", timedelta(hours=3)),)
    job: str = "lukhas-facade"
    instance: str = "lukhas-facade-0:8000"
    labels: tuple[tuple[str, str], ...] = ()  # on the façade's own series, e.g. a version
    serving_in_gaps: bool = False  # the façade kept counting while Prometheus was down
    # (name, traffic) per service: each gets the façade's series with a service label
    services: tuple[tuple[str, Traffic], ...] = ()

    @property
    def first_started(self) -> timedelta:
        """How long before the end the first façade process of the history started."""
        return self.process_age or self.duration + timedelta(hours=6)

    @property
    def started(self) -> timedelta:
        """How long before the end the façade process running at the end started."""
        return min(self.restarts) if self.restarts else self.first_started


@dataclass(frozen=True)
class Part:
    """Another stretch of history in the same Prometheus: ``plan`` ending ``ends_before`` the
    scenario's end (the previous release's soak a week earlier, another version beside)."""

    plan: Plan
    ends_before: timedelta = timedelta(0)
