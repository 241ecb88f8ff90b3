"""Where specs come from (globs, URLs) and the JSON-pointer and status-code rules underneath."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gacheck.collectors.openapi.policy import (
    Exemption,
    Policy,
    Rule,
    code_matches,
    normalize_code,
)
from gacheck.collectors.openapi.refs import format_pointer, parse_pointer
from gacheck.core.errors import ConfigError
from gacheck.core.models import Status
from tests.contract.spec_files import GATE, SPECS, add_specs, messages


class _Quiet(SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        super().do_GET()


class Served(str):
    """The server's base URL, with the paths it was asked for."""

    requested: list[str]


@pytest.fixture
def spec_server() -> Iterator[Served]:
    """The fixture specs served over real HTTP on 127.0.0.1; ``requested`` lists the paths."""
    requested: list[str] = []
    handler = functools.partial(
        type("Recording", (_Quiet,), {"requested": requested}), directory=str(SPECS)
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True,
                              kwargs={"poll_interval": 0.05})
    thread.start()
    served = Served(f"http://127.0.0.1:{server.server_address[1]}")
    served.requested = requested
    yield served
    server.shutdown()
    server.server_close()


def test_a_spec_from_a_url_is_read_but_its_refs_to_other_files_are_not_fetched(
    run_gate, repo: Path, spec_server: Served
) -> None:
    result = run_gate(GATE + f'specs = ["{spec_server}/external/api.yaml"]\n', repo)

    assert spec_server.requested == ["/external/api.yaml"]
    assert result.status is Status.FAIL  # responses it cannot read are not vouched for
    refused = [f for f in result.evidence.findings if f.code == "ref-error"]
    assert len(refused) == 3
    assert all("refused: a spec read from a URL may only refer to itself" in f.message
               for f in refused)
    assert any("#/paths/~1v1~1models/get/responses/200" in f.message for f in refused)
    assert result.evidence.details["specs"][0]["spec"] == f"{spec_server}/external/api.yaml"


def test_a_url_that_answers_404_is_an_error(run_gate, repo: Path, spec_server: str) -> None:
    result = run_gate(GATE + f'specs = ["{spec_server}/nothing.yaml"]\n', repo)

    assert result.status is Status.ERROR
    assert f"{spec_server}/nothing.yaml: HTTP 404" in result.message


def test_explicit_files_and_globs_outside_the_default_folder(run_gate, repo: Path) -> None:
    add_specs(repo, "swagger2.yaml", into="api")
    add_specs(repo, "oas30_refs.json", into="api/v1")
    add_specs(repo, "oas31.yaml")  # in docs/openapi: not asked for, not read
    result = run_gate(GATE + 'specs = ["api/swagger2.yaml", "api/**/*.json"]\n', repo)

    assert [s["spec"] for s in result.evidence.details["specs"]] == [
        "api/swagger2.yaml", "api/v1/oas30_refs.json",
    ]
    assert len(messages(result)) == 2


def test_bad_status_classes_are_config_errors(run_gate, repo: Path) -> None:
    with pytest.raises(ConfigError, match=r"gates\[0\]\.classes: .*got '6XX'"):
        run_gate(GATE + 'classes = ["2XX", "6XX"]\n', repo)
    with pytest.raises(ConfigError, match=r"gates\[0\]\.exempt\[0\]\.reason: required key"):
        run_gate(GATE + 'exempt = [{ path = "/healthz" }]\n', repo)


@pytest.mark.parametrize(("fragment", "tokens"), [
    ("", ()),
    ("/components/responses/Ok", ("components", "responses", "Ok")),
    ("/paths/~1v1~1models/get", ("paths", "/v1/models", "get")),
    ("/a~0b/c~01", ("a~b", "c~1")),  # ~01 is "~1" escaped, not "/"
    ("/Error%20Body", ("Error Body",)),
    ("/%7E1", ("/",)),  # percent-decoding happens before ~ unescaping
    ("/", ("",)),
])
def test_json_pointer_fragments(fragment: str, tokens: tuple[str, ...]) -> None:
    assert parse_pointer(fragment) == tokens


def test_pointer_round_trip_and_non_pointers() -> None:
    assert format_pointer(("paths", "/v1/x", "a~b")) == "#/paths/~1v1~1x/a~0b"
    with pytest.raises(ValueError, match="not a JSON pointer"):
        parse_pointer("anchor-name")


@pytest.mark.parametrize(("key", "code"), [
    (200, "200"), ("200", "200"), ("2XX", "2XX"), ("2xx", "2XX"), ("default", "default"),
    ("DEFAULT", "default"), ("x-extension", None), ("600", None), (True, None), ("20", None),
])
def test_status_codes_in_every_spelling(key: object, code: str | None) -> None:
    assert normalize_code(key) == code


def test_classes_select_codes_and_ranges() -> None:
    assert code_matches("404", "4XX") and code_matches("4XX", "4XX")
    assert code_matches("429", "429") and not code_matches("4XX", "429")
    assert not code_matches("default", "5XX") and code_matches("default", "default")
    policy = Policy.build(
        classes=["2XX", "4XX"], require=["X-A"],
        rules=[Rule(require=("Retry-After",), status=("429",)),
               Rule(ignore=("x-a",), paths=("/public/*",), methods=("GET",))],
        exempt=[Exemption("/metrics", "scrape", ())],
    )
    assert policy.required("/v1/x", "get", "429") == ["X-A", "Retry-After"]
    assert policy.required("/public/doc", "get", "200") == []
    assert policy.required("/public/doc", "post", "200") == ["X-A"]
    assert policy.required("/v1/x", "get", "500") is None
    assert policy.exemption("/metrics", "get") is not None
