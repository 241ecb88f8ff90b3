"""Property tests over hostile inputs: OpenAPI specs and Prometheus answers.

For every generated input: no traceback (no "internal error"), no pass on bad evidence, no
read outside the repository, no request made on a spec's behalf. ``GACHECK_FUZZ_EXAMPLES``
sets the number of inputs per property (the suite's default keeps ``.ci/run`` short);
``GACHECK_FUZZ_REPORT`` names a JSON file to which the counts are added.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gacheck.context import Context, Overrides
from gacheck.core.models import Status
from gacheck.run import engine
from gacheck.run.config_binding import load_config
from tests.faults.fault_server import Fault, FaultServer, matrix
from tests.faults.fault_setup import AT, PROMETHEUS_GATE

EXAMPLES = int(os.environ.get("GACHECK_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)
COUNTS: Counter[str] = Counter({key: 0 for key in (
    "spec_inputs", "spec_inputs_with_hostile_refs", "spec_tracebacks",
    "spec_passes_on_bad_evidence", "spec_reads_outside_repository", "spec_requests_made",
    "answer_inputs", "answer_tracebacks", "answer_passes_on_bad_evidence",
)})


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    target = os.environ.get("GACHECK_FUZZ_REPORT")
    if target:
        path = Path(target)
        merged = json.loads(path.read_text()) if path.exists() else {}
        for key, count in COUNTS.items():
            merged[key] = merged.get(key, 0) + count
        path.write_text(json.dumps(merged, indent=1, sort_keys=True))


class Opened:
    """Files this process opens while watching: an audit hook sees every ``open``."""

    watching: list[str] | None = None

    @classmethod
    def hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if cls.watching is not None and event == "open" and isinstance(args[0], str | bytes):
            cls.watching.append(os.fsdecode(args[0]))


sys.addaudithook(Opened.hook)

# ---------------------------------------------------------------- OpenAPI specs

HEADERS = {n: {"schema": {"type": "string"}} for n in
           ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Trace-Id"]}
GOOD = {"description": "ok", "headers": HEADERS}
SPEC_GATE = '[[gates]]\nid = "openapi_headers"\nkind = "openapi_headers"\ntitle = "x"\n'


def hostile_refs(outside: Path, server: str) -> list[str]:
    """Refs that must never be followed: each one is a finding, never a pass."""
    return [
        f"{server}/r.json#/Ok", f"{server}/redirect#/Ok", "https://169.254.169.254/latest#/x",
        "file:///etc/passwd#/x", "/etc/passwd#/x", "/proc/self/environ#/x", "/dev/zero#/x",
        str(outside / "responses.json") + "#/Ok", "../../../outside/responses.json#/Ok",
        "../" * 12 + "etc/passwd#/x", "../link-out.json#/Ok", "../fifo.json#/Ok",
        "../zero.json#/Ok", "#/components/responses/Loop", "#/components/responses/Missing",
        "missing.json#/Ok", "../responses.json#/Nope", "#not-a-pointer",
    ]


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.text(max_size=8))
junk = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8)


@st.composite
def spec_case(draw: st.DrawFn, hostile: list[str]) -> tuple[dict[str, Any], bool]:
    """A spec whose operations answer with good headers, a hostile ref, a good ref or junk;
    and whether any checked response is hostile (then it must not pass)."""
    paths: dict[str, Any] = {}
    bad = False
    for index in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["good", "hostile", "good_ref", "junk", "junk_op"]))
        response: Any = GOOD
        if kind == "hostile":
            response, bad = {"$ref": draw(st.sampled_from(hostile))}, True
        elif kind == "good_ref":
            response = {"$ref": draw(st.sampled_from(
                ["#/components/responses/Ok", "../responses.json#/Ok"]))}
        elif kind == "junk":
            response = draw(junk)
        operation: Any = {"responses": {"200": response}}
        if kind == "junk_op":
            operation = draw(junk)
        paths[f"/op{index}"] = {"get": operation}
    if draw(st.booleans()):  # a hostile path item ref as well
        paths["/item"], bad = {"$ref": draw(st.sampled_from(hostile))}, True
    spec = {"openapi": draw(st.sampled_from(["3.0.3", "3.1.0"])),
            "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": {"responses": {"Ok": GOOD,
                                         "Loop": {"$ref": "#/components/responses/Loop"}}}}
    return spec, bad


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Path]:
    """One folder per module: ``outside/`` beside each repository holds what must stay unread."""
    with tempfile.TemporaryDirectory(prefix="gacheck-fuzz-") as folder:
        root = Path(folder)
        (root / "outside").mkdir()
        (root / "outside/responses.json").write_text(json.dumps({"Ok": GOOD}))
        yield root


def make_repo(sandbox: Path, number: int) -> Path:
    repo = sandbox / f"repo{number}"
    docs = repo / "docs"
    (docs / "openapi").mkdir(parents=True)
    (docs / "responses.json").write_text(json.dumps({"Ok": GOOD}))
    (docs / "link-out.json").symlink_to(sandbox / "outside/responses.json")
    (docs / "zero.json").symlink_to("/dev/zero")
    os.mkfifo(docs / "fifo.json")
    return repo


@pytest.mark.slow
def test_hostile_specs_never_pass_never_crash_and_read_nothing_outside(
    sandbox: Path, server: FaultServer
) -> None:
    hostile = hostile_refs(sandbox / "outside", server.url)
    config = sandbox / "spec-gates.toml"
    config.write_text(SPEC_GATE)
    loaded = load_config(config)
    numbers = iter(range(10**9))

    @FUZZ
    @given(case=spec_case(hostile), as_yaml=st.booleans())
    def check(case: tuple[dict[str, Any], bool], as_yaml: bool) -> None:
        import yaml

        spec, bad = case
        repo = make_repo(sandbox, next(numbers))
        name = "api.yaml" if as_yaml else "api.json"
        text = yaml.safe_dump(spec) if as_yaml else json.dumps(spec, indent=1)
        (repo / "docs/openapi" / name).write_text(text)
        ctx = Context(at=AT, config=loaded, repo=repo, audit_dir=repo / "audits")
        gate = loaded.gates[0]
        opened: list[str] = []
        Opened.watching = opened
        try:
            result = engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)
        finally:
            Opened.watching = None
        COUNTS["spec_inputs"] += 1
        COUNTS["spec_inputs_with_hostile_refs"] += bad
        outside = [p for p in opened if not os.path.realpath(p).startswith(str(repo))
                   and p.startswith((str(sandbox), "/etc/", "/proc/", "/dev/"))]
        COUNTS["spec_reads_outside_repository"] += len(outside)
        COUNTS["spec_tracebacks"] += "internal error" in result.message
        COUNTS["spec_passes_on_bad_evidence"] += bad and result.status is Status.PASS
        COUNTS["spec_requests_made"] += len(server.fault.requests)
        assert not outside, outside
        assert "internal error" not in result.message, result.message
        assert not (bad and result.status is Status.PASS), spec
        assert server.fault.requests == []

    check()


# ---------------------------------------------------------------- Prometheus answers

CORRUPTIONS = [
    "http_status", "status_error", "status_missing", "status_other", "no_data", "data_not_dict",
    "result_not_list", "result_empty", "value_not_number", "sample_not_pair", "metric_not_dict",
    "truncated", "garbage_json", "garbage_bytes", "series_not_object", "timestamp_not_number",
]


@st.composite
def answer_case(draw: st.DrawFn) -> tuple[str, int, bytes]:
    """(corruption, HTTP status, body): a range answer broken in one of many ways."""
    params = {"start": str(AT.timestamp() - 3600), "end": str(AT.timestamp()), "step": "60"}
    body: Any = matrix(params, draw(st.sampled_from(["0.001", "0", "0.005"])))
    series = body["data"]["result"][0]
    kind = draw(st.sampled_from(CORRUPTIONS))
    status = 200
    spot = draw(st.integers(0, len(series["values"]) - 1))
    if kind == "http_status":
        status = draw(st.sampled_from([204, 301, 400, 401, 403, 404, 422, 429, 500, 502, 503]))
    elif kind == "status_error":
        body["status"] = "error"
        body["error"] = draw(st.text(max_size=30))
    elif kind == "status_missing":
        del body["status"]
    elif kind == "status_other":
        body["status"] = draw(st.one_of(st.text(max_size=8).filter(lambda t: t != "success"),
                                        st.integers(), st.none(), st.booleans()))
    elif kind == "no_data":
        del body["data"]
    elif kind == "data_not_dict":
        body["data"] = draw(junk.filter(lambda v: not isinstance(v, dict)))
    elif kind == "result_not_list":
        body["data"]["result"] = draw(st.one_of(st.text(max_size=5), st.integers(),
                                                st.dictionaries(st.text(max_size=3), json_leaf)))
    elif kind == "result_empty":
        body["data"]["result"] = []
    elif kind == "value_not_number":
        series["values"][spot][1] = draw(st.one_of(
            st.sampled_from(["abc", "", "1,5", "0x1g", "--1"]), st.none(),
            st.lists(json_leaf, max_size=2), st.dictionaries(st.text(max_size=2), json_leaf)))
    elif kind == "sample_not_pair":
        series["values"][spot] = draw(st.one_of(st.lists(json_leaf, max_size=1),
                                                st.lists(json_leaf, min_size=3, max_size=4),
                                                json_leaf))
    elif kind == "metric_not_dict":
        series["metric"] = draw(st.one_of(st.text(max_size=4), st.integers(),
                                          st.lists(json_leaf, min_size=1, max_size=2)))
    elif kind == "series_not_object":
        body["data"]["result"] = [draw(json_leaf)]
    elif kind == "timestamp_not_number":
        series["values"][spot][0] = draw(st.one_of(st.text(max_size=5), st.none(),
                                                   st.lists(json_leaf, max_size=2)))
    text = json.dumps(body).encode()
    if kind == "truncated":
        text = text[: draw(st.integers(1, len(text) - 1))]
    elif kind == "garbage_json":
        text = json.dumps(draw(junk)).encode()
    elif kind == "garbage_bytes":
        text = draw(st.binary(max_size=200))
    return kind, status, text


@pytest.mark.slow
def test_broken_prometheus_answers_never_pass_and_never_crash(
    server: FaultServer, tmp_path: Path
) -> None:
    config = tmp_path / "gates.toml"
    config.write_text(textwrap.dedent(PROMETHEUS_GATE))
    loaded = load_config(config)
    gate = loaded.gates[0]

    @FUZZ
    @given(case=answer_case(), content_type=st.sampled_from(["application/json", "text/html"]))
    def check(case: tuple[str, int, bytes], content_type: str) -> None:
        kind, status, body = case
        server.fault = Fault("raw", body=body, status=status, content_type=content_type)
        ctx = Context(at=AT, config=loaded, repo=tmp_path, audit_dir=tmp_path / "audits",
                      overrides=Overrides(prometheus_url=server.url))
        result = engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)
        COUNTS["answer_inputs"] += 1
        COUNTS[f"answer_kind_{kind}"] += 1
        COUNTS["answer_tracebacks"] += "internal error" in result.message
        COUNTS["answer_passes_on_bad_evidence"] += result.status is Status.PASS
        assert "internal error" not in result.message, (kind, result.message)
        assert result.status is not Status.PASS, (kind, body[:300])

    check()


def test_a_healthy_answer_still_passes_whatever_its_layout(server: FaultServer, tmp_path: Path) -> None:
    """Control for the property above: key order and spacing do not make a good answer bad."""
    config = tmp_path / "gates.toml"
    config.write_text(textwrap.dedent(PROMETHEUS_GATE))
    loaded = load_config(config)
    gate = loaded.gates[0]
    params = {"start": str(AT.timestamp() - 3600), "end": str(AT.timestamp()), "step": "60"}
    good = matrix(params, "0.001")
    for body in (json.dumps(good), json.dumps(good, indent=2, sort_keys=True),
                 json.dumps({"data": good["data"], "status": "success", "warnings": []})):
        server.fault = Fault("raw", body=body.encode())
        ctx = Context(at=AT, config=loaded, repo=tmp_path, audit_dir=tmp_path / "audits",
                      overrides=Overrides(prometheus_url=server.url))
        result = engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)
        assert result.status is Status.PASS, result.message



