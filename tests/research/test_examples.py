"""``examples``: Markdown examples run as real subprocesses against the stand-in façade."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gacheck.context import Context, Overrides
from gacheck.core.models import GateResult, Status
from gacheck.gates.examples.extract import extract
from gacheck.run import engine
from gacheck.run.config_binding import load_config
from gacheck.standin.facade import Behaviour, StandinFacade

TOKEN = "examples-key-91ab"
GATE = """
id = "examples"
kind = "examples"
title = "Examples run"
token_env = "EX_TOKEN"
files = ["docs/**/*.md"]
example_timeout = "20s"
"""
FENCE = "```"


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinFacade]:
    monkeypatch.setenv("EX_TOKEN", TOKEN)
    with StandinFacade(Behaviour(token=TOKEN)) as facade:
        yield facade


@pytest.fixture
def docs(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(name: str, text: str) -> Path:
        path = tmp_path / "repo" / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).replace("'''", FENCE), encoding="utf-8")
        return path

    return write


@pytest.fixture
def evaluate(tmp_path: Path) -> Callable[..., GateResult]:
    def run(block: str, url: str | None) -> GateResult:
        path = tmp_path / "gates.toml"
        path.write_text("[[gates]]\n" + textwrap.dedent(block), encoding="utf-8")
        config = load_config(path)
        ctx = Context(at=datetime.now(UTC), config=config, repo=tmp_path / "repo",
                      audit_dir=tmp_path / "audits", overrides=Overrides(facade_url=url))
        gate = config.gates[0]
        return engine.to_result(gate, engine.measure(gate, ctx), 0.0, ctx)

    return run


def test_fences_languages_lines_and_the_skip_mark() -> None:
    text = textwrap.dedent("""\
        # Title
        '''python
        print(1)
        '''
        ~~~~bash
        echo '''
        ~~~~
        '''toml
        a = 1
        '''
        <!-- examples: skip -->
        '''sh
        pip install x
        '''
        '''curl
        curl https://api.example.com/v1 http://127.0.0.1:8/x
        '''
        """).replace("'''", FENCE)
    found = extract(text, "a.md")
    assert [(e.line, e.language) for e in found] == [(2, "python"), (5, "sh"), (15, "sh")]
    assert found[1].code == "echo ```\n"
    assert found[2].hosts() == ["127.0.0.1", "api.example.com"]


def test_examples_run_against_the_facade_and_broken_ones_are_named(standin, docs,
                                                                   evaluate) -> None:
    docs("guide.md", """\
        # Guide

        '''python
        from openai import OpenAI

        client = OpenAI()  # OPENAI_BASE_URL, OPENAI_API_KEY from the environment
        print(client.models.list().data[0].id)
        '''

        '''sh
        curl -sSf "$OPENAI_BASE_URL/models" -H "Authorization: Bearer $OPENAI_API_KEY"
        '''

        '''sh
        curl -sSf "$OPENAI_BASE_URL/model" -H "Authorization: Bearer $OPENAI_API_KEY"
        '''

        '''python
        import os
        assert os.environ["FACADE_URL"].startswith("http://127.0.0.1"), "no FACADE_URL"
        same = os.environ["LUKHAS_KEY"] == os.environ["OPENAI_API_KEY"]
        raise SystemExit("same key" if same else 0)
        '''
        """)
    result = evaluate(GATE + 'env = { FACADE_URL = "{base_url}", LUKHAS_KEY = "{token}" }\n',
                      standin.url)
    assert result.status is Status.FAIL
    rows = {(r["file"], r["line"]): r for r in result.evidence.details["examples"]}
    assert rows[("docs/guide.md", 3)]["status"] == "pass"  # the real SDK, reading the env alone
    assert rows[("docs/guide.md", 10)]["status"] == "pass"
    assert rows[("docs/guide.md", 14)] | {"seconds": 0} == {
        "file": "docs/guide.md", "line": 14, "language": "sh", "status": "fail", "exit_code": 22,
        "error": "curl: (22) The requested URL returned error: 404", "seconds": 0}
    assert rows[("docs/guide.md", 18)]["error"] == "same key"  # config names reach the example
    assert result.value == 0.5
    assert "docs/guide.md:14: curl: (22)" in result.message
    assert [(f.file, f.line) for f in result.evidence.findings] == [("docs/guide.md", 14),
                                                                      ("docs/guide.md", 18)]
    assert TOKEN not in str(result.evidence.details["env_names"])
    text = _markdown(result)
    assert "| `docs/guide.md:14` | sh | ❌ fail |" in text


def test_a_missing_tool_is_no_data_not_a_pass(standin, docs, evaluate) -> None:
    docs("tools.md", """\
        '''sh
        gacheck-surely-absent-tool --version
        '''

        '''python
        import gacheck_surely_absent_module
        '''

        '''python
        print("ok")
        '''
        """)
    result = evaluate(GATE, standin.url)
    assert result.status is Status.PASS
    statuses = [(r["line"], r["status"], r["error"]) for r in result.evidence.details["examples"]]
    assert statuses == [
        (1, "no_data", "gacheck-surely-absent-tool is not installed here"),
        (5, "no_data", "Python module gacheck_surely_absent_module is not installed here"),
        (9, "pass", None)]
    docs("tools.md", "'''sh\ngacheck-surely-absent-tool\n'''\n")
    assert evaluate(GATE, standin.url).status is Status.NO_DATA


@pytest.mark.parametrize(("code", "error"), [
    ("'''python\nimport time\ntime.sleep(60)\n'''\n", "example did not finish within 2s: stopped"),
    ("'''python\nimport sys\nchunk = 'x' * (1 << 20)\nfor _ in range(100):\n"
     "    sys.stdout.write(chunk)\n'''\n", "example printed more than 1,048,576 bytes: stopped"),
    ("'''sh\ncurl -sS https://api.openai.com/v1/models\n'''\n",
     "names api.openai.com, outside the allow-list: not run"),
])
def test_bad_examples_are_clear_errors(standin, docs, evaluate, code, error) -> None:
    docs("bad.md", "# Bad\n\n" + code)
    result = evaluate(GATE.replace('"20s"', '"2s"'), standin.url)
    assert result.status is Status.ERROR
    assert result.message.endswith(f"docs/bad.md:3: {error}"), result.message
    assert standin.behaviour.requests == 0


def test_no_matching_file_is_an_error(evaluate, tmp_path) -> None:
    (tmp_path / "repo").mkdir()
    result = evaluate(GATE, None)
    assert result.status is Status.ERROR
    assert "no Markdown file matches ['docs/**/*.md']" in result.message


def _markdown(result: GateResult) -> str:
    """The gate's section as the audit's Markdown template renders it."""
    from gacheck.reports.markdown import _environment

    return str(_environment().get_template(f"gates/{result.kind}.md.j2").render(
        g=result, extra={}))


def test_a_link_out_of_the_root_and_a_fifo_are_refused(docs, evaluate, tmp_path) -> None:
    import os

    outside = tmp_path / "secret.md"
    outside.write_text("```sh\necho secret\n```\n", encoding="utf-8")
    page = docs("guide.md", "# Guide\n")
    page.unlink()
    page.symlink_to(outside)
    result = evaluate(GATE, None)
    assert result.status is Status.ERROR and result.message.startswith("docs/guide.md: ")
    page.unlink()
    os.mkfifo(page)  # would block a plain read for ever
    result = evaluate(GATE, None)
    assert result.status is Status.ERROR and result.message.startswith("docs/guide.md: ")
