"""Generators and checks of the property tests over configs, earlier audits and secrets.

Each ``check_*`` runs one generated input through gacheck the way a user would meet it and
returns an outcome word; anything unexpected raises ``Broken`` (or a traceback escapes), which
the tests report as a failure and ``bench/fuzz_hardening.py`` counts.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, unquote, urlsplit

import tomli_w
from hypothesis import strategies as st

from gacheck.core.errors import ConfigError
from gacheck.core.models import CommandRecord, Evidence, Finding
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params
from tests.support.clock import day, on, stamp

EVALUATED = day(1)
"""The day the checks evaluate on (over: a future ``--at`` is refused)."""


class Broken(AssertionError):
    """A property does not hold: the message says which."""


# --- configs -------------------------------------------------------------------------------

BASE_CONFIG: dict[str, Any] = {
    "settings": {"output_dir": "out", "window": "48h", "step": "1m", "timeout": "60s",
                 "min_score": 80, "history": 14},
    "prometheus": {"url": "http://127.0.0.1:9", "timeout": "30s", "retries": 2,
                   "headers": {"X-Scope-OrgID": "tenant"}},
    "gates": [
        {"id": "unit", "kind": "command", "title": "Unit", "command": ["true"], "weight": 2,
         "timeout": "30s", "command_timeout": "20s"},
        {"id": "snap", "kind": "json_value", "title": "Snap", "file": "s.json", "path": "a.b",
         "unit": "seconds", "threshold": {"max": "10ms", "warn": "8ms"}},
        {"id": "p95", "kind": "promql_sustained", "title": "p95", "query": "x", "window": "1h",
         "step": "1m", "max_breach": "5m", "unit": "seconds", "threshold": {"max": "10ms"}},
        {"id": "deny", "kind": "ratio", "title": "Deny", "numerator": "a", "denominator": "b",
         "rate_window": "5m", "threshold": {"max": "1%"}},
        {"id": "soak", "kind": "soak_duration", "title": "Soak", "window": "72h"},
        {"id": "alerts", "kind": "alerts", "title": "Alerts", "window": "48h"},
        {"id": "versus", "kind": "compare", "title": "Versus", "query": "x",
         "baseline": "offset 7d", "max_increase": "10%", "value_unit": "seconds"},
        {"id": "budget", "kind": "error_budget", "title": "Budget", "total": "t", "bad": "b",
         "objective": "99.9%", "period": "28d", "min_remaining": "25%"},
        {"id": "smoke", "kind": "http_smoke", "title": "Smoke", "base_url": "http://127.0.0.1:8000",
         "checks": [{"path": "/health", "max_latency": "2s", "headers": {"X": "y"},
                     "expect_json": [{"path": "a", "exists": True}]}]},
    ],
    "waivers": [{"gate": "unit", "reason": "r", "owner": "o", "expires": dt.date(2026, 12, 1)}],
}

_KEYS = st.sampled_from([
    "window", "step", "timeout", "weight", "threshold", "max", "min", "warn", "unit", "id",
    "kind", "title", "headers", "checks", "path", "command", "min_score", "history", "url",
    "retries", "max_points", "blocking", "expires", "gate", "max_breach", "rate_window", "env",
]) | st.text(min_size=1, max_size=8)

_DURATIONS = st.one_of(
    st.from_regex(r"\A[0-9]{1,4}(\.[0-9]{1,3})?(ms|s|m|h|d|w)\Z"),
    st.sampled_from(["0s", "0", "0ms", "-1s", "1e400s", "1" * 400 + "s", "9" * 30 + "h",
                     "10 ms", "1h30m", "ten", "", "inf", "nan", "NaN%", "1%", "1e3%"]),
)
_SCALARS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 0.0, -0.0, 1e308, -1e308, 5e-324, 2**63 - 1, 10**400]),
    st.booleans(),
    st.text(max_size=20),
    _DURATIONS,
    st.dates(),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.times(),
)
TOML_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=12,
)


@st.composite
def deep(draw: st.DrawFn) -> Any:
    """A value nested ``n`` levels deep in arrays or tables."""
    levels = draw(st.integers(min_value=1, max_value=120))
    value: Any = draw(_SCALARS)
    table = draw(st.booleans())
    for _ in range(levels):
        value = {"a": value} if table else [value]
    return value


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_configs(draw: st.DrawFn) -> dict[str, Any]:
    """The base config with 1 to 4 values replaced, added or removed at any key path."""
    config = copy.deepcopy(BASE_CONFIG)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(_paths(config)))
        value = draw(TOML_VALUES | deep())
        action = draw(st.sampled_from(["replace", "add", "delete"]))
        if not path:
            continue
        parent = config
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent[last], dict):
            parent[last][draw(_KEYS)] = value
        else:
            parent[last] = value
    return config


def toml_text(config: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(config)
    except (TypeError, ValueError, RecursionError):
        return None  # something TOML cannot hold, or tomli_w cannot nest that deep


RAW_TOML = st.one_of(
    st.text(alphabet='[]{}="\'#.,\n abcdfgiklmnorstuw0123456789-_:TZ+', max_size=400),
    st.builds(lambda head, junk, tail: head + junk + tail,
              st.sampled_from(["[[gates]]\nid = ", "[settings]\nwindow = ", "x = "]),
              st.text(max_size=200), st.sampled_from(["", "\n", "]]"])),
    st.integers(min_value=1, max_value=5000).map(lambda n: "x = " + "[" * n + "]" * n),
    st.integers(min_value=1, max_value=5000).map(lambda n: "x = " + "{a=" * n + "1" + "}" * n),
    st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
)


def _loaded_is_usable(config: Any) -> None:
    s = config.settings
    for name in ("window", "step", "timeout"):
        value = getattr(s, name)
        if not (math.isfinite(value) and value > 0):
            raise Broken(f"settings.{name} = {value!r} was accepted")
    if not (math.isfinite(config.prometheus.timeout) and config.prometheus.timeout > 0):
        raise Broken(f"prometheus.timeout = {config.prometheus.timeout!r} was accepted")
    if s.min_score is not None and not math.isfinite(s.min_score):
        raise Broken("a non-finite min_score was accepted")
    for gate in config.gates:
        if not (math.isfinite(gate.weight) and 0 <= gate.weight <= 1e6):
            raise Broken(f"{gate.id}: weight {gate.weight!r} was accepted")
        if not (math.isfinite(gate.timeout) and gate.timeout > 0):
            raise Broken(f"{gate.id}: timeout {gate.timeout!r} was accepted")
        for level in (gate.threshold.max, gate.threshold.min, gate.threshold.warn):
            if level is not None and not math.isfinite(level):
                raise Broken(f"{gate.id}: threshold {level!r} was accepted")


def check_config_text(text: str, directory: Path) -> str:
    """``loaded`` or ``refused`` (one line per problem, each naming the file and a key path)."""
    from gacheck.run.config_binding import load_config

    path = directory / "gates.toml"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    try:
        config = load_config(path)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            if not line.startswith(f"{path}: ") or not line[len(str(path)) + 2:].strip():
                raise Broken(f"config error line without file and key path: {line!r}") from None
        if not str(exc).strip():
            raise Broken("an empty config error") from None
        return "refused"
    _loaded_is_usable(config)
    return "loaded"


# --- earlier audits ------------------------------------------------------------------------

AUDIT_CONFIG = """
[settings]
output_dir = "audits"
history = 14

[[gates]]
id = "budget"
kind = "json_value"
title = "Budget"
file = "snapshot.json"
path = "total"
unit = "count"
threshold = { max = 120, warn = 100 }

[[gates]]
id = "latency"
kind = "json_value"
title = "Latency"
file = "snapshot.json"
path = "p95"
unit = "seconds"
threshold = { max = "10ms" }
"""

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([1.7e308, -1.7e308, 1e100, 5e-324])
    | st.text(max_size=20)
    | st.sampled_from(["2026-11-21T12:00:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                       "2026-11-21T12:00:00+14:00", "2026-02-30T00:00:00Z", "pass", "fail",
                       "error", "count", "seconds", "furlongs"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10) | st.sampled_from(
        ["id", "value", "status", "gates", "evaluated_at", "evidence", "findings", "threshold",
         "unit", "title", "max"]), children, max_size=4),
    max_leaves=10,
)


def base_audit(at: str = stamp(on(day(5), "12:00"))) -> dict[str, Any]:
    """A real audit of the config above, as gacheck writes it."""
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "snapshot.json").write_text('{"total": 90, "p95": 0.008}')
        (root / "gates.toml").write_text(AUDIT_CONFIG)
        code, _out, err = run_cli("evaluate", "--config", str(root / "gates.toml"),
                                  "--repo", str(root), "--at", at, "--no-charts")
        assert code == 0, err
        return json.loads((root / "audits/latest.json").read_text())


@st.composite
def corrupt_audits(draw: st.DrawFn, base: dict[str, Any]) -> str:
    """An earlier audit file's text: the real one with values replaced, or anything at all."""
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "json", "text"]))
    if kind == "text":
        return draw(st.text(max_size=200) | st.integers(1, 50_000).map(lambda n: "[" * n))
    if kind == "json":
        return json.dumps(draw(JSON_VALUES))
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from([p for p in _paths(document) if p]))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return json.dumps(document)  # NaN and Infinity written as JSON readers accept them


def run_cli(*argv: str) -> tuple[int, str, str]:
    from gacheck import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return int(code), out.getvalue(), err.getvalue()


def check_history(texts: list[str]) -> str:
    """Earlier audits ``texts`` (on consecutive days, weeks ago) in place, then evaluate (on
    ``EVALUATED``), history and diff: none fails for them; each unusable one is named once; the
    new set is whole."""
    from gacheck.history.store import UnusableAudit, read_past_audit

    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "snapshot.json").write_text('{"total": 95, "p95": 0.009}')
        config = root / "gates.toml"
        config.write_text(AUDIT_CONFIG)
        planted = []
        for index, text in enumerate(texts):
            path = root / "audits" / str(day(40 - index)) / "ga-readiness.json"
            path.parent.mkdir(parents=True)
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            planted.append(path)
        unusable = []
        for path in planted:
            try:
                read_past_audit(path)
            except UnusableAudit:
                unusable.append(path)
        code, out, err = run_cli("evaluate", "--config", str(config), "--repo", str(root),
                                 "--at", stamp(on(EVALUATED, "12:00")), "--no-charts")
        if code not in (0, 1, 3):
            raise Broken(f"evaluate exited {code}: {err.strip()[:300]}")
        audit = json.loads((root / f"audits/{EVALUATED}/ga-readiness.json").read_text())
        for path in unusable:
            name = path.relative_to(root).as_posix()
            if sum(name in note for note in audit["notes"]) != 1 or err.count(name) != 1:
                raise Broken(f"{name} is not named exactly once: {audit['notes']} / {err!r}")
        markdown = (root / f"audits/{EVALUATED}/ga-readiness.md").read_text()
        if not markdown.startswith(f"# GA readiness: {audit['verdict'].upper()}"):
            raise Broken("dated JSON and Markdown disagree")
        latest = (root / "audits/latest.json").read_text()
        if latest != (root / f"audits/{EVALUATED}/ga-readiness.json").read_text():
            raise Broken("latest.json is not the dated audit")
        if [p for p in (root / "audits").rglob(".*")]:
            raise Broken("a temporary file was left behind")
        for fmt in ("json", "text", "csv", "markdown"):
            code, out, err = run_cli("history", "--config", str(config), "--repo", str(root),
                                     "--format", fmt)
            if code != 0:
                raise Broken(f"history --format {fmt} exited {code}: {err.strip()[:300]}")
        for path in planted:
            code, out, err = run_cli("diff", str(path), str(EVALUATED), "--config", str(config),
                                     "--repo", str(root))
            if code not in (0, 1) and not (code == 2 and err.startswith("gacheck: error: OLD: ")
                                           and "internal error" not in err):
                raise Broken(f"diff of {path.name} exited {code}: {err.strip()[:300]}")
        return "skipped" if unusable else "used"


# --- secrets -------------------------------------------------------------------------------

def _vocabulary() -> str:
    """gacheck's own words (field names, template text): a "secret" that is one of them is
    written by gacheck itself, which says nothing about leaks."""
    from importlib.resources import files

    from gacheck.reports.json_report import render_schema

    templates = files("gacheck.reports").joinpath("templates")
    texts = [render_schema()]
    for entry in [*templates.iterdir(), *templates.joinpath("gates").iterdir()]:
        if entry.name.endswith(".j2"):
            texts.append(entry.read_text(encoding="utf-8"))
    return "\n".join(texts)


VOCABULARY = _vocabulary()
SECRETS = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126) | st.sampled_from("éßЖ漢"),
    min_size=8, max_size=40,
).filter(lambda s: sum(c.isalnum() for c in s) >= 4 and s not in VOCABULARY)


def echo_forms(secret: str, user: str = "svc") -> list[str]:
    """How a server or a tool might say a secret back: plainly, as a header, cut short."""
    basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return [
        f"token {secret} rejected",
        f"Authorization: Bearer {secret}",
        f"Authorization: Basic {basic}",
        json.dumps({"echo": secret}),
        ("x" * 20 + secret)[: 20 + len(secret) // 2 + 4],  # an excerpt that ends inside it
    ]


def leaked(secret: str, text: str) -> bool:
    if secret in text:
        return True
    return len(secret) >= 16 and secret[:8] in text


def environment_without(names: list[str]) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}


class EchoKind(GateKind):
    """A gate kind that says every secret it can find back, in every part of its result."""

    params: ClassVar[type] = Params
    unit: ClassVar[Unit] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 0}

    def evaluate(self, gate: Any, ctx: Any) -> Measurement:
        token = ctx.secrets.from_env("FUZZ_TOKEN") or ""
        url = ctx.overrides.prometheus_url or ""
        password = unquote(urlsplit(url).password or "")
        header = ctx.config.prometheus.headers.get("X-Key", "")
        said = [form for secret in (token, password, header) for form in echo_forms(secret)]
        said += [url, echo_forms(password, "svc")[2]]
        return Measurement(
            value=1,
            message=" | ".join(said[:3]),
            evidence=Evidence(
                findings=[Finding(message=text, file="a.py", line=1) for text in said],
                commands=[CommandRecord(argv=["curl", url, "-H", said[1]], output_tail=said)],
                details={"said": said, said[0]: "as a key"},
                notes=said,
            ),
        )


SECRET_CONFIG = """
[settings]
output_dir = "audits"

[[gates]]
id = "echo"
kind = "echo"
title = "Echo"
"""


def check_secrets(token: str, password: str, header: str) -> str:
    """Every output of evaluate (files, stdout, stderr, JUnit, step summary) without them."""
    from gacheck import gates

    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        config = root / "gates.toml"
        config.write_text(tomli_w.dumps({"prometheus": {"headers": {"X-Key": header}}})
                          + SECRET_CONFIG)
        summary = root / "summary.md"
        url = f"http://svc:{quote(password, safe='')}@127.0.0.1:9"
        saved = {k: os.environ.get(k) for k in ("FUZZ_TOKEN", "GITHUB_STEP_SUMMARY")}
        gates.KINDS["echo"] = EchoKind()
        os.environ["FUZZ_TOKEN"] = token
        os.environ["GITHUB_STEP_SUMMARY"] = str(summary)
        try:
            printed = []
            for fmt in ("github", "json"):
                code, out, err = run_cli(
                    "evaluate", "--config", str(config), "--repo", str(root), "--at",
                    stamp(on(EVALUATED, "12:00")), "--prometheus-url", url, "--format", fmt,
                    "--junit", str(root / "junit.xml"))
                if code != 1:
                    raise Broken(f"evaluate exited {code}: {err[:300]}")
                printed.append(out + err)
        finally:
            del gates.KINDS["echo"]
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        written = [p for p in root.rglob("*") if p.is_file() and p != config]
        everything = "".join(printed) + "".join(p.read_text() for p in written)
        for path in written:
            if path.suffix == ".json":
                json.loads(path.read_text())  # redaction kept it JSON
        basic = base64.b64encode(f"svc:{password}".encode()).decode()
        for secret in (token, password, header, basic):
            if leaked(secret, everything):
                raise Broken(f"secret {secret!r} leaked")
        return "clean"
