"""A spec is untrusted input: its refs stay inside the repository, and no file it names can
block or exhaust the guard (URLs, absolute paths, ``..``, links out, FIFOs, devices)."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gacheck.core.models import GateResult, Status
from tests.contract.spec_files import GATE

HEADERS = {n: {"schema": {"type": "string"}} for n in
           ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Trace-Id"]}
OK = {"description": "ok", "headers": HEADERS}


def spec_with_refs(*refs: str) -> dict[str, Any]:
    """One operation per ref, each 200 response being that ref."""
    return {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {f"/op{i}": {"get": {"responses": {"200": {"$ref": ref}}}}
                  for i, ref in enumerate(refs)},
    }


def write(path: Path, document: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def refusals(result: GateResult) -> list[str]:
    return sorted(f.message for f in result.evidence.findings if f.code == "ref-error")


class Opened:
    """Paths opened by this process while ``watching`` (an audit hook: it sees every open)."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.watching = False

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self.watching and event == "open" and isinstance(args[0], str | bytes | Path):
            self.paths.append(os.fsdecode(args[0]))


_OPENED = Opened()
sys.addaudithook(_OPENED.hook)


@pytest.fixture
def opened() -> Iterator[Opened]:
    _OPENED.paths.clear()
    _OPENED.watching = True
    yield _OPENED
    _OPENED.watching = False


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A responses file beside the repository, as a secret outside it would be."""
    return write(tmp_path / "outside" / "responses.json", {"Ok": OK})


@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[str]]]:
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            requested.append(self.path)
            body = json.dumps({"Ok": OK}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True,
                     kwargs={"poll_interval": 0.05}).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()


def bounded(run: Callable[[], GateResult], seconds: float = 30.0) -> GateResult:
    """Run the gate in a thread; a test of "never blocks" must fail, not hang, when it does."""
    box: list[GateResult] = []
    worker = threading.Thread(target=lambda: box.append(run()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert box, f"the gate was still reading after {seconds:g}s"
    return box[0]


def test_refs_to_urls_are_never_fetched(run_gate, repo: Path, recording_server, opened) -> None:
    base, requested = recording_server
    write(repo / "docs/openapi/api.json", spec_with_refs(
        f"{base}/responses.json#/Ok", f"{base}/redirect#/Ok", "file:///etc/passwd#/x",
    ))
    result = run_gate(GATE, repo)

    assert requested == []
    assert result.status is Status.FAIL  # a response it could not read is not vouched for
    found = refusals(result)
    assert len(found) == 3
    assert all("refused: refs to URLs are not fetched" in m for m in found)
    assert any("#/paths/~1op0/get/responses/200" in m for m in found)
    assert not any(p.startswith("/etc/") for p in opened.paths)


def test_absolute_paths_and_dot_dot_out_of_the_repository_are_refused(
    run_gate, repo: Path, outside: Path, opened
) -> None:
    write(repo / "docs/openapi/api.json", spec_with_refs(
        "/etc/passwd#/x", "/proc/self/environ#/x", str(outside) + "#/Ok",
        "../../../outside/responses.json#/Ok", "../../../../../../../../etc/passwd#/x",
    ))
    result = run_gate(GATE, repo)

    assert result.status is Status.FAIL
    found = refusals(result)
    assert len(found) == 5
    assert sum("absolute paths are not followed" in m for m in found) == 3
    assert sum("is outside the repository" in m for m in found) == 2
    read = [p for p in opened.paths if not p.startswith(str(repo))]
    assert not any(p.startswith(("/etc/", "/proc/", str(outside.parent))) for p in read)


def test_a_link_out_of_the_repository_is_not_followed(
    run_gate, repo: Path, outside: Path, opened
) -> None:
    (repo / "docs/common").mkdir(parents=True)
    (repo / "docs/common/responses.json").symlink_to(outside)
    (repo / "docs/linked").symlink_to(outside.parent, target_is_directory=True)
    write(repo / "docs/openapi/api.json", spec_with_refs(
        "../common/responses.json#/Ok", "../linked/responses.json#/Ok",
    ))
    (repo / "docs/openapi/passwd.json").symlink_to("/etc/passwd")
    result = run_gate(GATE, repo)

    assert result.status is Status.ERROR  # the linked "spec" cannot be read
    assert "passwd.json: resolves to /etc/passwd, outside" in result.message
    found = refusals(result)
    assert len(found) == 2
    assert all(f"resolves to {outside.parent}" in m and "outside the repository" in m
               for m in found)
    assert not any(p.startswith((str(outside.parent), "/etc/")) for p in opened.paths)


def test_refs_inside_the_repository_still_work(run_gate, repo: Path) -> None:
    """Control: ``..`` that stays inside the repository, and a link within it, are fine."""
    write(repo / "shared/responses.json", {"Ok": OK})
    (repo / "docs/openapi/shared").symlink_to(repo / "shared", target_is_directory=True)
    write(repo / "docs/openapi/api.json", spec_with_refs(
        "../../shared/responses.json#/Ok", "shared/responses.json#/Ok",
    ))
    result = run_gate(GATE, repo)

    assert result.status is Status.PASS, result.message
    assert result.evidence.details["operations"] == 2


@pytest.mark.parametrize("where", ["spec", "ref"])
@pytest.mark.parametrize("special", ["fifo", "dev_zero", "dev_urandom"])
def test_fifos_and_devices_give_a_clear_error_without_blocking(
    run_gate, repo: Path, tmp_path: Path, where: str, special: str
) -> None:
    target = repo / "docs/openapi/special.json" if where == "spec" else repo / "docs/special.json"
    if special == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/" + special.removeprefix("dev_"))
    if where == "ref":
        write(repo / "docs/openapi/api.json", spec_with_refs("../special.json#/Ok"))
    result = bounded(lambda: run_gate(GATE, repo))

    if where == "spec":
        assert result.status is Status.ERROR
        text = result.message
    else:
        assert result.status is Status.FAIL
        text = " ".join(refusals(result))
    if special == "fifo":
        assert "special.json: is a FIFO, not a regular file: not read" in text
    else:
        assert "special.json" in text and "resolves to /dev/" in text and "outside" in text


def test_a_device_inside_the_root_is_refused_by_kind(tmp_path: Path) -> None:
    """With links resolved a device is outside any repository; read directly it is refused too."""
    from gacheck.core.errors import FileRefusedError
    from gacheck.core.safe_files import read_bytes_confined

    with pytest.raises(FileRefusedError, match="is a character device, not a regular file"):
        read_bytes_confined("/dev/zero", "/dev", 1024)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(FileRefusedError, match="2,048 bytes, larger than the limit of 1,024 bytes"):
        read_bytes_confined(big, tmp_path, 1024)


def test_twenty_thousand_findings_get_their_lines_from_one_scan_of_the_spec(
    run_gate, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding lines used to be searched from the top of the text for each finding (20,000
    violations: 22 s); the line index is now built once per document."""
    from gacheck.collectors.openapi import load as openapi_load

    scans: list[int] = []
    original = openapi_load.json_lines
    monkeypatch.setattr(openapi_load, "json_lines",
                        lambda text, *a: scans.append(len(text)) or original(text, *a))
    count = 20_000
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
        f"/op{i}": {"get": {"responses": {"200": {"description": "no headers"}}}}
        for i in range(count)}}
    path = write(repo / "docs/openapi/big.json", document)
    result = run_gate(GATE + "listed = 5\n", repo)

    assert result.status is Status.FAIL
    assert result.evidence.findings_total == count
    assert len(scans) == 1
    text = path.read_text().splitlines()
    for finding in (result.evidence.findings[0], result.evidence.findings[-1]):
        operation = finding.message.split()[1]
        assert text[finding.line - 1].strip() == '"200": {'
        assert any(f'"{operation}"' in line for line in text[finding.line - 6: finding.line])
