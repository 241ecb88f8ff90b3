"""A failed Prometheus request in words: Prometheus' own error when it gave one, ours otherwise.

Built from our own words plus Prometheus' JSON ``error`` text, never from exception reprs that
may carry URLs with credentials or request headers.
"""

from __future__ import annotations

import re
from typing import Any

from gacheck.collectors.prometheus.answer_limits import BodyTooLarge, MoreSamplesThanAsked
from gacheck.collectors.prometheus.http import NestedTooDeeply
from gacheck.collectors.prometheus.request_budget import RequestBudgetSpent

_ERRNO = re.compile(r"\[Errno -?\d+\] ([A-Za-z][A-Za-z ,'-]*)")


def explain(exc: BaseException, response: Any, url: str, timeout: float) -> str:
    """One sentence for a failed request: Prometheus' own error when it gave one."""
    import requests

    if isinstance(exc, MoreSamplesThanAsked):  # an answer no Prometheus gives
        return f"{url} did not answer like Prometheus ({exc})"
    if isinstance(exc, BodyTooLarge | RequestBudgetSpent):
        return f"Prometheus at {url}: {exc}"
    if response is not None and response.status_code != 200:
        return _explain_status(response, url)
    if isinstance(exc, requests.exceptions.SSLError):
        return (f"TLS verification failed for Prometheus at {url} "
                "(set [prometheus].ca_bundle, or verify_tls = false for a test server)")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"cannot reach Prometheus at {url}: connection timed out"
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    timed_out = type(reason).__name__ == "ReadTimeoutError"  # wrapped when retries run out
    if timed_out or isinstance(exc, requests.exceptions.ReadTimeout | requests.exceptions.Timeout):
        return f"Prometheus at {url} did not answer within {timeout:g}s ([prometheus].timeout)"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"Prometheus at {url} broke off its answer before the end (truncated body)"
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return f"Prometheus at {url} sent a compressed answer that cannot be decompressed"
    if isinstance(exc, requests.exceptions.ConnectionError):
        found = _ERRNO.search(str(exc))
        why = found.group(1).strip().lower() if found else "connection failed"
        return f"cannot reach Prometheus at {url}: {why}"
    if isinstance(exc, RecursionError | NestedTooDeeply):
        return f"{url} did not answer like Prometheus (a body nested too deeply to read)"
    if isinstance(exc, ValueError | KeyError | TypeError):
        return f"{url} did not answer like Prometheus (unexpected response body)"
    return f"request to Prometheus at {url} failed: {type(exc).__name__}"


def _explain_status(response: Any, url: str) -> str:
    code = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        kind = body.get("errorType") or "error"
        return f"Prometheus error ({kind}, HTTP {code}): {body['error']}"
    if code in (401, 403):
        return (f"Prometheus at {url} refused the request (HTTP {code} {response.reason}): "
                "check the credentials named in [prometheus]")
    if code == 404:
        return f"{url} has no Prometheus API here (HTTP 404): check the URL"
    return f"Prometheus at {url} answered HTTP {code} {response.reason}"


_SUCCESS_HEAD = re.compile(rb'\s*\{\s*"status"\s*:\s*"success"')


def refused_status(response: Any) -> str | None:
    """Why an HTTP 200 answer is not a success (``"status"`` other than ``"success"``), or None.

    Prometheus writes ``status`` first, so the head of the body settles the common case without
    parsing a large body twice; anything else is parsed and checked whole.
    """
    if response is None or response.status_code != 200:
        return None
    content = response.content
    if _SUCCESS_HEAD.match(content[:64]):
        return None
    try:
        body = response.json()
    except ValueError:
        return None  # not JSON at all: explain() says "did not answer like Prometheus"
    if not isinstance(body, dict) or body.get("status") == "success":
        return None
    if "status" not in body:
        return 'Prometheus answered HTTP 200 without "status": "success": not a query result'
    kind = body.get("errorType") or "error"
    why = body.get("error") or "no error text"
    return (f"Prometheus answered status {str(body.get('status'))[:40]!r} ({kind}) on HTTP 200: "
            f"{str(why)[:300]}")
