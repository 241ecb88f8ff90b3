"""The oldest sample a Prometheus holds: what a look-back cannot usefully go past.

Prometheus publishes it on its own ``/metrics`` page as ``prometheus_tsdb_lowest_timestamp``
(milliseconds; the head block and every block on disk, backfilled ones too). Its
``/api/v1/status/tsdb`` only describes the head block (the last hours), and finding the
earliest sample of a series by queries costs a search of many requests; one small page is
cheap and exact. VictoriaMetrics, Thanos and Mimir do not publish it (or not at that address):
``None``, and a look-back is bounded by its window alone.
"""

from __future__ import annotations

import re
from typing import Any

MAX_PAGE = 4 * 1024 * 1024
"""Bytes of ``/metrics`` read at most (Prometheus' own page is a few hundred KB)."""
_LOWEST = re.compile(rb"^prometheus_tsdb_lowest_timestamp(_seconds)? ([0-9.eE+-]+)\s*$",
                     re.MULTILINE)


def lowest_timestamp(client: Any) -> float | None:
    """Seconds since the epoch of the oldest sample stored, or ``None`` when the server does
    not say (not Prometheus, no page, an error: a bound is then not known, never guessed)."""
    settings = client.settings
    try:
        response = client.session.get(
            settings.url + "/metrics", headers=client.api_headers, auth=settings.auth,
            timeout=settings.request_timeout, stream=True)
    except Exception:  # requests' errors and our budget alike: no bound known  # noqa: BLE001
        return None
    try:
        if response.status_code != 200:
            return None
        page = response.raw.read(MAX_PAGE, decode_content=True) or b""
    except Exception:  # noqa: BLE001 - a page that breaks off says nothing
        return None
    finally:
        response.close()
    found = _LOWEST.search(page)
    if found is None:
        return None
    value = float(found.group(2))
    seconds = value if found.group(1) else value / 1000.0
    # an empty TSDB reports the largest int64: no sample, no bound
    return seconds if 0 < seconds < 253402300799.0 else None
