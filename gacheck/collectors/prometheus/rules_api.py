"""Where the alerting rules are listed: the query API's ``/api/v1/rules``, else ``rules_url``.

Prometheus lists its rules beside its query API. VictoriaMetrics answers ``/api/v1/rules``
with no groups at all (its rules live in ``vmalert``), Thanos Query lists those of its rulers.
When the query API lists no rule group, or cannot list rules, and ``[prometheus] rules_url``
is set, that server (vmalert) is asked instead; the caller says which one answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gacheck.collectors.prometheus.client import display_url
from gacheck.core.errors import CollectorError

RULES_PATH = "/api/v1/rules"


@dataclass(frozen=True)
class RulesAnswer:
    data: Any
    source: str
    """The URL that listed them, fit for evidence."""
    note: str | None = None
    """Why the query API was not used, when it was not."""


def list_rules(prom: Any) -> RulesAnswer:
    """``data`` of ``/api/v1/rules?type=alert`` and where it came from."""
    rules_url = prom.settings.rules_url
    params = {"type": "alert"}
    problem: CollectorError | None = None
    try:
        data = prom.get(RULES_PATH, params)
    except CollectorError as exc:
        data, problem = None, exc
    listed = isinstance(data, dict) and bool(data.get("groups"))
    if listed or rules_url is None:
        if problem is not None:
            raise problem
        return RulesAnswer(data, prom.url)
    why = (f"the query API at {prom.url} could not list rules ({problem})" if problem
           else f"the query API at {prom.url} lists no rule group")
    data = prom.get(RULES_PATH, params, base=rules_url)
    return RulesAnswer(data, display_url(rules_url), f"{why}; read them from rules_url")
