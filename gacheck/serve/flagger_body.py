"""Flagger's webhook body, read within a size limit:
``{"name", "namespace", "phase", "checksum", "metadata": {string: string}}``."""

from __future__ import annotations

import json

from starlette.requests import Request

from gacheck.serve.guard import Refused


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Refused(413, "size", f"the body is larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, "size", f"the body is larger than {limit} bytes")
    return bytes(body)


async def read_payload(request: Request, limit: int) -> dict[str, str]:
    """The ``metadata`` of a Flagger webhook call (a copy the caller may change)."""
    raw = await read_body(request, limit)
    try:
        payload = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "input", "the body is not JSON (Flagger sends "
                      '{"name", "namespace", "phase", "metadata"})') from None
    if not isinstance(payload, dict):
        raise Refused(400, "input", "the body must be a JSON object")
    metadata = payload.get("metadata") or {}
    if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise Refused(400, "input", "metadata must map strings to strings")
    return dict(metadata)
