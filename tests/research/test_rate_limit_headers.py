"""Rate-limit header fields: the three families, durations, and fields that do not parse."""

from __future__ import annotations

import pytest

from gacheck.core.errors import GateError
from gacheck.gates.rate_limit.headers import readings, retry_after, seconds


def test_the_three_families_are_read_alike() -> None:
    found = readings([("X-RateLimit-Limit", "20"), ("X-RateLimit-Remaining", "7"),
                      ("X-RateLimit-Reset", "1"), ("x-ratelimit-limit-requests", "20"),
                      ("x-ratelimit-remaining-requests", "7"),
                      ("x-ratelimit-reset-requests", "1s"),
                      ("RateLimit-Policy", '"burst";q=100;w=5'),
                      ("RateLimit", '"burst";r=40;t=3')])
    assert [(r.family, r.per_second, r.remaining, r.reset_s) for r in found] == [
        ("X-RateLimit", 20.0, 7.0, 1.0), ("x-ratelimit-*-requests", 20.0, 7.0, 1.0),
        ("RateLimit-Policy", 20.0, 40.0, 3.0)]


def test_older_ietf_forms_and_the_configured_window() -> None:
    (policy,) = readings([("ratelimit-policy", "60;w=60"),
                          ("ratelimit", "limit=60, remaining=12, reset=30")])
    assert (policy.limit, policy.window_s, policy.remaining, policy.reset_s) == (60, 60, 12, 30)
    (plain,) = readings([("X-RateLimit-Limit", "600")], window_s=60)
    assert plain.per_second == 10


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1.0), ("0.5", 0.5), ("1s", 1.0), ("6m0s", 360.0), ("20ms", 0.02), ("1h2m3s", 3723.0),
    ("1m30.5s", 90.5)])
def test_go_durations(text: str, expected: float) -> None:
    assert seconds("x-ratelimit-reset-requests", text) == pytest.approx(expected)


@pytest.mark.parametrize(("headers", "message"), [
    ([("X-RateLimit-Limit", "twenty")], "X-RateLimit-Limit: 'twenty' does not parse"),
    ([("X-RateLimit-Limit", "-3")], "not a non-negative number"),
    ([("x-ratelimit-limit-requests", "5"), ("x-ratelimit-reset-requests", "soon")],
     "x-ratelimit-reset-requests: 'soon' does not parse as a duration"),
    ([("RateLimit-Policy", '"p";w=10')], "has no quota (q=)"),
    ([("RateLimit", "r=3")], "declares no limit"),
])
def test_a_field_that_does_not_parse_is_an_error(headers: list[tuple[str, str]],
                                                 message: str) -> None:
    with pytest.raises(GateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        readings(headers)


def test_no_family_is_no_reading_and_retry_after_forms() -> None:
    assert readings([("Content-Type", "application/json")]) == []
    assert retry_after("2") == 2 and retry_after(None) is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") < 0  # a date long past
    with pytest.raises(GateError, match="Retry-After: 'later'"):
        retry_after("later")
