"""``openai_compat``: the official SDK against a real façade, answers checked against its spec."""

from __future__ import annotations

import json
from pathlib import Path

from gacheck.core.models import Status
from gacheck.standin.facade import StandinFacade
from tests.research.standin_setup import TOKEN

GATE = """
id = "compat"
kind = "openai_compat"
title = "OpenAI compatibility"
token_env = "FACADE_TOKEN"
"""


def checks(result) -> dict[str, dict]:
    return {c["name"]: c for c in result.evidence.details["checks"]}


def test_a_correct_facade_passes_every_sdk_call_and_its_spec(run_gate, repo, standin) -> None:
    result = run_gate(GATE, repo, standin.url)
    assert result.status is Status.PASS, result.message
    found = checks(result)
    assert list(found) == [
        "models.list", "embeddings.create", "chat.completions.create",
        "chat.completions.create(stream=True)", "responses.create",
        "bad request (empty messages)", "models.list (invalid key)", "models.list (missing key)"]
    assert all(found[n]["sdk_parsed"] for n in list(found)[:5])
    assert [found[n]["status"] for n in list(found)[5:]] == [400, 401, 401]
    assert all(all(c["headers"].values()) for c in found.values() if c["status"] == 200)
    assert found["models.list"]["trace_id"].startswith("trace-")
    timing = found["chat.completions.create(stream=True)"]["timing"]
    assert timing["chunks"] == 7 and timing["token_chunks"] == 5 and timing["completed"]
    assert result.evidence.details["specs"] == ["docs/openapi/facade.json"]


def test_a_drifting_field_is_a_finding_with_its_json_pointer(run_gate, repo, standin) -> None:
    standin.behaviour.drift = True
    result = run_gate(GATE, repo, standin.url)
    assert result.status is Status.FAIL and result.value == 1
    drift = [f for f in result.evidence.findings if f.code == "contract-drift"]
    assert len(drift) == 1
    assert drift[0].message.startswith("chat.completions.create: /created: ")
    assert "is not of type 'integer'" in drift[0].message
    assert drift[0].file.startswith("docs/openapi/facade.json#/paths/~1v1~1chat~1completions")
    # the SDK itself parsed it: drift is what only the contract check sees
    assert checks(result)["chat.completions.create"]["sdk_parsed"] is True


def test_errors_not_in_openais_shape_fail_each_error_check(run_gate, repo, standin) -> None:
    standin.behaviour.foreign_errors = True
    result = run_gate(GATE, repo, standin.url)
    assert result.status is Status.FAIL and result.value == 3
    for name in ("bad request (empty messages)", "models.list (invalid key)",
                 "models.list (missing key)"):
        assert any("not OpenAI's error shape" in f for f in checks(result)[name]["failures"])


def test_a_facade_that_accepts_any_key_fails_the_key_checks(run_gate, repo, standin) -> None:
    standin.behaviour.token = None
    result = run_gate(GATE, repo, standin.url)
    found = checks(result)
    assert result.status is Status.FAIL and result.value == 2
    assert found["models.list (invalid key)"]["failures"][0].startswith("accepted with HTTP 200")
    # control: a façade without auth on purpose can turn the key checks off
    result = run_gate(GATE + "auth_checks = false\n", repo, standin.url)
    assert result.status is Status.PASS, result.message


def test_a_missing_declared_header_fails_the_call(run_gate, repo, standin) -> None:
    standin.behaviour.omit_headers = ("X-Trace-Id",)
    result = run_gate(GATE, repo, standin.url)
    assert result.status is Status.FAIL
    assert "missing header(s) X-Trace-Id" in checks(result)["models.list"]["failures"]


def test_responses_api_not_served_is_a_note_unless_required(run_gate, repo, standin) -> None:
    spec = repo / "docs" / "openapi" / "facade.json"
    document = json.loads(spec.read_text(encoding="utf-8"))
    del document["paths"]["/v1/responses"]
    spec.write_text(json.dumps(document), encoding="utf-8")
    standin.behaviour.serve_responses = False
    result = run_gate(GATE, repo, standin.url)
    assert result.status is Status.PASS, result.message
    assert "responses.create" not in checks(result)
    assert any("neither serves nor declares the Responses API" in n
               for n in result.evidence.notes)
    result = run_gate(GATE + 'responses_api = "required"\n', repo, standin.url)
    assert result.status is Status.FAIL
    assert checks(result)["responses.create"]["status"] == 404


def test_a_declared_responses_api_that_is_not_served_fails(run_gate, repo, standin) -> None:
    standin.behaviour.serve_responses = False
    result = run_gate(GATE, repo, standin.url)
    assert result.status is Status.FAIL
    assert checks(result)["responses.create"]["failures"] == ["NotFoundError (HTTP 404)"]


def test_without_a_spec_the_gate_cannot_vouch_for_the_contract(run_gate, tmp_path,
                                                               standin) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_gate(GATE, empty, standin.url)
    assert result.status is Status.ERROR
    assert "no OpenAPI spec matches" in result.message
    # control: the façade's served spec is used when no file matches
    block = GATE + 'specs = ["docs/openapi/*.json", "{base_url}/openapi.json"]\n'
    result = run_gate(block, empty, standin.url)
    assert result.status is Status.PASS, result.message
    assert result.evidence.details["specs"] == [f"{standin.url}/openapi.json"]


def test_nothing_listening_is_an_error_not_a_failure(run_gate, repo) -> None:
    with StandinFacade() as gone:
        url = gone.url
    result = run_gate(GATE, repo, url)
    assert result.status is Status.ERROR
    assert result.message.startswith(f"could not reach {url}")


def test_the_key_never_reaches_the_result(run_gate, repo, standin) -> None:
    standin.behaviour.foreign_errors = True  # error bodies are echoed into the evidence
    result = run_gate(GATE, repo, standin.url)
    text = result.model_dump_json()
    assert TOKEN not in text
    assert 'api_key=os.environ[\\"FACADE_TOKEN\\"]' in text


def test_a_yaml_30_spec_with_nullable_and_refs_across_files(run_gate, tmp_path, standin) -> None:
    """OpenAPI 3.0: ``nullable`` is honoured, refs into another file are followed."""
    repo = tmp_path / "yaml-repo"
    (repo / "docs" / "openapi").mkdir(parents=True)
    spec = json.loads((Path(__file__).parents[2] / "gacheck" / "standin" /
                       "openapi.json").read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    spec["openapi"] = "3.0.3"
    schemas["ChatMessage"]["properties"]["content"] = {"type": "string", "nullable": True}
    schemas["ChatChoice"]["properties"]["finish_reason"] = {"type": "string", "nullable": True}
    schemas["Error"]["properties"]["error"]["properties"]["param"] = {"type": "string",
                                                                      "nullable": True}
    schemas["Error"]["properties"]["error"]["properties"]["code"] = {"type": "string",
                                                                     "nullable": True}
    for name in ("Model", "ModelList", "Embedding", "EmbeddingList", "ChatCompletion",
                 "Response"):
        for prop in schemas[name]["properties"].values():
            if "const" in prop:
                prop["enum"] = [prop.pop("const")]
    moved = json.dumps({"ChatCompletion": schemas.pop("ChatCompletion")}).replace(
        '"#/components/schemas/', '"facade.yaml#/components/schemas/')
    (repo / "docs" / "openapi" / "schemas.json").write_text(moved, encoding="utf-8")
    chat_ok = spec["paths"]["/v1/chat/completions"]["post"]["responses"]["200"]
    chat_ok["content"]["application/json"]["schema"] = {"$ref": "schemas.json#/ChatCompletion"}
    import yaml

    (repo / "docs" / "openapi" / "facade.yaml").write_text(yaml.safe_dump(spec),
                                                           encoding="utf-8")
    block = GATE + 'specs = ["docs/openapi/facade.yaml"]\n'
    result = run_gate(block, repo, standin.url)
    assert result.status is Status.PASS, [f.message for f in result.evidence.findings]
    standin.behaviour.drift = True
    result = run_gate(block, repo, standin.url)
    assert [f.message.split(":")[1].strip() for f in result.evidence.findings
            if f.code == "contract-drift"] == ["/created"]


def test_a_body_declared_beyond_the_cap_is_refused_unread() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from gacheck.collectors.service.openai_calls import CallOutcome, build_client, call

    class Huge(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(50 * 2**20))
            self.end_headers()
            self.wfile.write(b"{")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Huge)
    threading.Thread(target=server.serve_forever, daemon=True,
                     kwargs={"poll_interval": 0.05}).start()
    try:
        client = build_client(f"http://127.0.0.1:{server.server_address[1]}", "k", 5.0, {})
        outcome = call(CallOutcome("models.list", "GET", "/v1/models", "client.models.list()"),
                       lambda: client.models.with_raw_response.list())
    finally:
        server.shutdown()
        server.server_close()
    assert outcome.reached and not outcome.parsed
    assert "more than the 4 MB read from a façade" in outcome.error
