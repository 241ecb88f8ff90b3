"""The header guard on specs written for these tests, one rule at a time."""

from __future__ import annotations

from pathlib import Path

from gacheck.core.models import Status
from tests.contract.spec_files import GATE, add_specs, messages


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_refs_to_components_with_escapes_are_followed(run_gate, repo: Path) -> None:
    add_specs(repo, "oas30_refs.json")
    result = run_gate(GATE, repo)

    assert result.status is Status.FAIL
    assert result.value == 1
    assert messages(result) == ["POST /v1/embeddings 200: missing header(s) X-Trace-Id"]
    finding = result.evidence.findings[0]
    spec = repo / "docs/openapi/oas30_refs.json"
    assert finding.file == "docs/openapi/oas30_refs.json"
    assert finding.code == "missing-headers"
    assert finding.line == line_of(spec, '"description": "embeddings, trace header forgotten"') - 1
    (counts,) = result.evidence.details["specs"]
    # models: 200, 429, 4XX, default; the $ref path item; embeddings 200. 3XX is not checked.
    assert counts["operations"] == 3
    assert counts["responses_checked"] == 6
    assert counts["responses_not_checked"] == 1
    assert counts["version"] == "openapi 3.0.3"


def test_int_codes_ranges_case_and_retry_after_on_429(run_gate, repo: Path) -> None:
    add_specs(repo, "oas31.yaml")
    result = run_gate(GATE, repo)

    assert messages(result) == [
        "GET /healthz 200: missing header(s) X-RateLimit-Limit, X-RateLimit-Remaining, "
        "X-RateLimit-Reset, X-Trace-Id",
        "POST /internal/reindex 202: missing header(s) X-RateLimit-Limit, X-RateLimit-Remaining, "
        "X-RateLimit-Reset, X-Trace-Id",
        "POST /v1/chat/completions 429: missing header(s) Retry-After",
        "POST /v1/chat/completions 5XX: missing header(s) X-Trace-Id",
    ]
    assert result.value == 4
    # Webhooks are requests we send, not responses we serve.
    assert result.evidence.details["operations"] == 3
    spec = repo / "docs/openapi/oas31.yaml"
    lines = {f.message.split(":")[0]: f.line for f in result.evidence.findings}
    assert lines["POST /v1/chat/completions 429"] == line_of(spec, '"429":')
    assert lines["POST /v1/chat/completions 5XX"] == line_of(spec, "5xx:")


def test_exempt_paths_are_skipped_with_their_reason(run_gate, repo: Path) -> None:
    add_specs(repo, "oas31.yaml")
    result = run_gate(GATE + """
        exempt = [
          { path = "/healthz", reason = "liveness probe" },
          { path = "/internal/*", reason = "not public", methods = ["post"] },
        ]
    """, repo)

    assert result.value == 2
    assert not any("/healthz" in m or "/internal" in m for m in messages(result))
    assert result.evidence.details["exempt"] == [
        {"operation": "GET /healthz", "reason": "liveness probe"},
        {"operation": "POST /internal/reindex", "reason": "not public"},
    ]


def test_rules_per_class_and_per_path(run_gate, repo: Path) -> None:
    add_specs(repo, "oas31.yaml")
    result = run_gate(GATE + """
        classes = ["2XX", "5XX", 429]
        exempt = [{ path = "/healthz", reason = "probe" }, { path = "/internal/*", reason = "x" }]
        rules = [
          { status = ["5XX"], ignore = ["X-Trace-Id"] },
          { status = ["429"], require = ["Retry-After"] },
          { paths = ["/v1/chat/*"], status = ["2xx"], require = ["X-Request-Id"] },
        ]
    """, repo)

    assert messages(result) == [
        "POST /v1/chat/completions 200: missing header(s) X-Request-Id",
        "POST /v1/chat/completions 429: missing header(s) Retry-After",
    ]


def test_only_the_configured_classes_are_checked(run_gate, repo: Path) -> None:
    add_specs(repo, "oas31.yaml")
    result = run_gate(GATE + 'classes = ["5XX"]\n', repo)

    assert messages(result) == ["POST /v1/chat/completions 5XX: missing header(s) X-Trace-Id"]
    assert result.evidence.details["responses_checked"] == 1


def test_swagger2_headers_under_the_response_and_shared_responses(run_gate, repo: Path) -> None:
    add_specs(repo, "swagger2.yaml")
    result = run_gate(GATE, repo)

    assert messages(result) == ["GET /items default: missing header(s) X-RateLimit-Reset"]
    assert result.evidence.details["specs"][0]["version"] == "swagger 2.0"
    assert result.evidence.details["specs"][0]["responses_checked"] == 3


def test_external_file_refs_and_fragments(run_gate, repo: Path) -> None:
    add_specs(repo, "external")
    result = run_gate(GATE, repo)

    assert result.status is Status.FAIL
    assert result.value == 2
    missing, dangling = sorted(result.evidence.findings, key=lambda f: f.code or "")
    assert missing.code == "missing-headers"
    assert missing.message == (
        "GET /v1/files 200: missing header(s) X-RateLimit-Limit, X-RateLimit-Remaining, "
        "X-RateLimit-Reset"
    )
    assert missing.file == "docs/openapi/external/common/paths.yaml"
    assert dangling.code == "ref-error"
    assert "X-Trace-ID-typo" in dangling.message and "dangling" in dangling.message
    assert dangling.file == "docs/openapi/external/common/responses.yaml"
    # The shared files are fragments the spec refers to, not specs that failed to load.
    assert result.evidence.details["fragments"] == [
        "docs/openapi/external/common/headers.yaml",
        "docs/openapi/external/common/paths.yaml",
        "docs/openapi/external/common/responses.yaml",
    ]
    assert result.evidence.details["spec_errors"] == {}


def test_a_file_that_is_not_a_spec_makes_the_gate_error_saying_why(run_gate, repo: Path) -> None:
    add_specs(repo, "swagger2.yaml")
    (repo / "docs/openapi/notes.yaml").write_text("title: meeting notes\n")
    result = run_gate(GATE, repo)

    assert result.status is Status.ERROR
    assert 'notes.yaml: not an OpenAPI document (no "openapi" or "swagger" key)' in result.message
    # The readable spec is still judged and reported.
    assert result.value == 1
    assert [s["spec"] for s in result.evidence.details["specs"]] == ["docs/openapi/swagger2.yaml"]


def test_unsupported_versions_are_errors(run_gate, repo: Path) -> None:
    (repo / "docs/openapi/old.json").write_text('{"swagger": "1.2", "paths": {}}')
    (repo / "docs/openapi/new.yaml").write_text('openapi: 4.0.0\npaths: {}\n')
    result = run_gate(GATE, repo)

    assert result.status is Status.ERROR
    assert "unsupported Swagger version '1.2'" in result.message
    assert "unsupported OpenAPI version '4.0.0'" in result.message


def test_zero_operations_is_no_data_never_pass(run_gate, repo: Path) -> None:
    (repo / "docs/openapi/empty.yaml").write_text("openapi: 3.1.0\ninfo: {title: e, version: '1'}\n")
    result = run_gate(GATE, repo)

    assert result.status is Status.NO_DATA
    assert "no operation found" in result.message
    assert result.evidence.details["specs"][0]["operations"] == 0


def test_all_operations_exempt_is_no_data(run_gate, repo: Path) -> None:
    add_specs(repo, "swagger2.yaml")
    result = run_gate(GATE + 'exempt = [{ path = "*", reason = "everything" }]\n', repo)

    assert result.status is Status.NO_DATA


def test_no_spec_found_is_an_error(run_gate, repo: Path) -> None:
    result = run_gate(GATE, repo)

    assert result.status is Status.ERROR
    assert "no OpenAPI spec found" in result.message


def test_a_missing_named_file_is_an_error(run_gate, repo: Path) -> None:
    result = run_gate(GATE + 'specs = ["api/openapi.yaml"]\n', repo)

    assert result.status is Status.ERROR
    assert "api/openapi.yaml: file not found" in result.message


def test_lukhas_shaped_specs_with_the_default_config(run_gate, repo: Path) -> None:
    """The project's own config/gates.toml block, unchanged, on specs shaped like theirs."""
    add_specs(repo, "lukhas_like/facade.yaml", "lukhas_like/identity.json")
    config = (Path(__file__).parents[2] / "config/gates.toml").read_text()
    block = next(b for b in config.split("[[gates]]") if 'kind = "openapi_headers"' in b)
    result = run_gate(block, repo)

    per_spec = {s["spec"]: s for s in result.evidence.details["specs"]}
    facade = per_spec["docs/openapi/facade.yaml"]
    identity = per_spec["docs/openapi/identity.json"]
    # Declared through $ref (and YAML anchors and merge keys): nothing missing.
    assert facade["violations"] == 0 and facade["operations"] == 4
    assert facade["responses_checked"] == 9 and facade["exempt_operations"] == 1
    # Declares none: every checked response is a violation, 429 also lacks Retry-After.
    assert identity["violations"] == 4
    assert result.value == 4 and result.status is Status.FAIL
    assert result.message.endswith("; most in docs/openapi/identity.json (4)")
    assert all(f.file == "docs/openapi/identity.json" for f in result.evidence.findings)
    assert "GET /identity/verify 429: missing header(s) X-RateLimit-Limit, X-RateLimit-Remaining, " \
        "X-RateLimit-Reset, X-Trace-Id, Retry-After" in messages(result)


def test_lukhas_shaped_spec_that_declares_everything_passes(run_gate, repo: Path) -> None:
    add_specs(repo, "lukhas_like/facade.yaml")
    result = run_gate(GATE + 'exempt = [{ path = "/healthz", reason = "probe" }]\n', repo)

    assert result.status is Status.PASS
    assert result.value == 0
    assert result.message == (
        "0 ≤ 0; 0 violation(s), 0 unresolvable $ref(s) in 4 operation(s), 9 response(s) checked "
        "across 1 spec(s)"
    )
