"""Specs that try to break the guard: cycles, dangling refs, depth, size, alias bombs, 1,000 operations."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gacheck.collectors.openapi import load as openapi_load
from gacheck.collectors.openapi.load import SpecLoadError
from gacheck.core.models import Status
from gacheck.reports.markdown import render_markdown
from tests.contract.spec_files import GATE, messages
from tests.support.gates import audit_of

HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Trace-Id"]


def write_json(repo: Path, name: str, document: object) -> Path:
    path = repo / "docs/openapi" / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def spec(paths: dict, components: dict | None = None) -> dict:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": components or {}}


def ok_headers() -> dict:
    return {name: {"schema": {"type": "string"}} for name in HEADERS}


def test_reference_cycles_are_reported_with_their_pointers(run_gate, repo: Path) -> None:
    write_json(repo, "cycles.json", spec(
        {
            "/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/A"}}}},
            "/self": {"get": {"responses": {"200": {"$ref": "#/components/responses/Self"}}}},
            "/loop": {"$ref": "#/paths/~1loop"},
            "/h": {"get": {"responses": {"200": {"description": "x", "headers": {
                **ok_headers(), "X-Trace-Id": {"$ref": "#/components/headers/T1"}}}}}},
        },
        {
            "responses": {"A": {"$ref": "#/components/responses/B"},
                          "B": {"$ref": "#/components/responses/A"},
                          "Self": {"$ref": "#/components/responses/Self"}},
            "headers": {"T1": {"$ref": "#/components/headers/T2"},
                        "T2": {"$ref": "#/components/headers/T1"}},
        },
    ))
    started = time.monotonic()
    result = run_gate(GATE, repo)

    assert time.monotonic() - started < 10
    assert result.status is Status.FAIL  # judged, not crashed
    found = messages(result)
    assert len(found) == 4
    assert all(m.startswith("$ref cycle at") for m in found)
    assert any("#/components/responses/A -> docs/openapi/cycles.json#/components/responses/B -> "
               "docs/openapi/cycles.json#/components/responses/A" in m for m in found)
    assert any("#/paths/~1loop" in m for m in found)
    assert any("#/components/headers/T1" in m for m in found)


def test_dangling_refs_name_the_missing_pointer(run_gate, repo: Path) -> None:
    write_json(repo, "dangling.json", spec({
        "/x": {"get": {"responses": {
            "200": {"$ref": "#/components/responses/Nope"},
            "404": {"$ref": "#/components/responses"},
        }}},
        "/y": {"parameters": [{"$ref": "#/components/parameters/Gone"}],
               "get": {"responses": {"200": {"$ref": "missing-file.yaml#/R"}}}},
    }, {"responses": {}}))
    result = run_gate(GATE, repo)

    found = messages(result)
    assert any('dangling $ref "#/components/responses/Nope"' in m
               and "nothing at #/components/responses/Nope" in m for m in found)
    assert any('"#/components/parameters/Gone"' in m for m in found)
    assert any("missing-file.yaml: file not found" in m for m in found)
    # A ref to the responses map itself resolves to an object without headers.
    assert any(m.startswith("GET /x 404: missing header(s)") for m in found)


def test_deep_nesting_is_refused_not_a_crash(run_gate, repo: Path) -> None:
    depth = 200_000
    (repo / "docs/openapi/deep.json").write_text(
        '{"openapi": "3.0.3", "x-deep": ' + "[" * depth + "]" * depth + ', "paths": {}}'
    )
    (repo / "docs/openapi/deep.yaml").write_text("openapi: 3.0.3\nx: " + "[" * 5000 + "]" * 5000)
    result = run_gate(GATE, repo)

    assert result.status is Status.ERROR
    assert "deep.json: nested too deeply to read" in result.message
    assert "deep.yaml: nested too deeply to read" in result.message


def test_huge_strings_are_read_and_judged(run_gate, repo: Path) -> None:
    document = spec({"/big": {"get": {"description": "x" * 20_000_000, "responses": {
        "200": {"description": "y" * 1_000_000, "headers": ok_headers()}}}}})
    write_json(repo, "huge.json", document)
    (repo / "docs/openapi/huge.yaml").write_text(
        "openapi: 3.0.3\npaths:\n  /big:\n    get:\n      description: '" + "z" * 1_000_000
        + "'\n      responses:\n        '200': {description: no headers}\n"
    )
    result = run_gate(GATE, repo)

    assert result.status is Status.FAIL
    assert messages(result) == [f"GET /big 200: missing header(s) {', '.join(HEADERS)}"]
    assert len(result.evidence.model_dump_json()) < 10_000  # the strings stay out of the evidence


def test_yaml_alias_bomb_is_refused_not_expanded(run_gate, repo: Path) -> None:
    lines = ["openapi: 3.0.3", "paths: {}", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    (repo / "docs/openapi/bomb.yaml").write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    result = run_gate(GATE, repo)

    assert time.monotonic() - started < 5
    assert result.status is Status.ERROR
    assert "bomb.yaml: YAML aliases would expand to more than 2,000,000 nodes" in result.message
    assert "refused" in result.message


def test_recursive_yaml_alias_is_refused(run_gate, repo: Path) -> None:
    (repo / "docs/openapi/loop.yaml").write_text("openapi: 3.0.3\npaths: &p {/x: *p}\n")
    result = run_gate(GATE, repo)

    assert result.status is Status.ERROR
    assert "loop.yaml: YAML alias *p (line 2) refers to a node that contains it" in result.message


def test_ordinary_yaml_anchors_are_allowed(run_gate, repo: Path) -> None:
    (repo / "docs/openapi/anchors.yaml").write_text(
        "openapi: 3.0.3\npaths:\n"
        "  /a: {get: {responses: {'200': &ok {description: ok, headers: &h {"
        + ", ".join(f"{h}: {{schema: {{type: string}}}}" for h in HEADERS) + "}}}}}\n"
        "  /b: {get: {responses: {'200': *ok, '500': {description: e, headers: *h}}}}\n"
    )
    result = run_gate(GATE, repo)

    assert result.status is Status.PASS
    assert result.evidence.details["responses_checked"] == 3


def generated_spec(operations: int, broken_every: int) -> dict:
    """``operations`` operations over 250 paths; every ``broken_every``-th lacks X-Trace-Id."""
    paths: dict = {}
    for index in range(operations):
        path = f"/v1/resource{index // 4}"
        method = ("get", "post", "put", "delete")[index % 4]
        ref = "Broken" if index % broken_every == 0 else "Ok"
        paths.setdefault(path, {})[method] = {"responses": {
            "200": {"$ref": f"#/components/responses/{ref}"},
            "429": {"$ref": "#/components/responses/Limited"},
            "default": {"$ref": "#/components/responses/Ok"},
        }}
    headers = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
    return spec(paths, {
        "headers": {**ok_headers(), "Retry-After": {"schema": {"type": "integer"}}},
        "responses": {
            "Ok": {"description": "ok", "headers": headers},
            "Broken": {"description": "no trace",
                       "headers": {k: v for k, v in headers.items() if k != "X-Trace-Id"}},
            "Limited": {"description": "429", "headers": {
                **headers, "Retry-After": {"$ref": "#/components/headers/Retry-After"}}},
        },
    })


def test_a_thousand_operations_all_in_json_first_fifty_in_markdown(run_gate, repo: Path) -> None:
    write_json(repo, "big.json", generated_spec(1000, broken_every=10))
    result = run_gate(GATE, repo)

    assert result.value == 100
    assert result.evidence.details["operations"] == 1000
    assert result.evidence.details["responses_checked"] == 3000
    assert len(result.evidence.findings) == 100 and result.evidence.findings_total == 100
    assert all(f.line and f.line > 1 for f in result.evidence.findings)

    text = render_markdown(audit_of(result))
    assert text.count("missing header(s) X-Trace-Id |") == 50
    assert "50 more violations are in the JSON audit" in text


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both YAML event parsers PyYAML may have: the guard must hold on each."""
    if request.param == "pure-python":
        monkeypatch.setattr(openapi_load, "_loader_bases", lambda: (yaml.SafeLoader,))
    openapi_load._yaml_loader_class.cache_clear()
    yield request.param
    openapi_load._yaml_loader_class.cache_clear()


def test_guard_and_lines_with_either_yaml_parser(yaml_parser: str, repo: Path) -> None:
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 8)]
    with pytest.raises(SpecLoadError, match="alias bomb"):
        openapi_load.parse("\n".join(bomb), "bomb.yaml")
    document = openapi_load.parse("openapi: 3.0.3\npaths:\n  /x:\n    get:\n      responses:\n"
                                  "        200: {description: ok}\n", "ok.yaml")
    assert document.line_of(("paths", "/x", "get", "responses", 200)) == 6
    assert document.line_of(("paths", "/x")) == 3
