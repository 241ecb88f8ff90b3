"""``examples``: the documentation's code examples run as written, against the façade.

The fenced ``python`` and shell blocks of the Markdown files matching ``files`` (globs under
``root``, default the repository) each run in a scratch folder of their own, with
``example_timeout`` and ``max_output`` per example, and an environment holding only PATH, a scratch
HOME and the façade's address and key: ``OPENAI_BASE_URL`` (``<base_url>/v1``) and
``OPENAI_API_KEY``, which the openai SDK reads by itself, plus the names in ``env``
(``{base_url}``, ``{api_base}``, ``{token}`` are filled in). An example naming a host other than
the façade's (and ``allow_hosts``) is reported and not run.

The value is the failing share of the examples that ran to a verdict (pass or fail); examples
that cannot run here are ``no_data`` and do not count; examples in ``error`` (a foreign host,
no end, too much output) make the gate ``error`` beyond ``max_errors``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import Field

from gacheck.collectors.service.facade import exclusive
from gacheck.config.model import Duration, GateSpec
from gacheck.context import Context
from gacheck.core.deadline import monotonic
from gacheck.core.errors import GateError
from gacheck.core.models import Evidence, Finding, Status
from gacheck.core.safe_files import read_bytes_confined
from gacheck.core.units import Unit
from gacheck.gates.examples.extract import Example, extract
from gacheck.gates.interface import GateKind, Measurement, Params

MAX_FILES, MAX_FILE_BYTES, MAX_EXAMPLES = 200, 1024 * 1024, 200


class ExamplesParams(Params):
    files: list[str] = Field(default_factory=lambda: ["README.md", "docs/**/*.md"],
                             min_length=1)
    root: str | None = Field(default=None, description="folder the globs start from; "
                             "default the repository")
    base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s/]+")
    token_env: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    allow_hosts: list[str] = Field(default_factory=list)
    example_timeout: Duration = Field(default=30.0, gt=0, le=600,
                                      description="per example (`timeout` is the gate's own)")
    max_output: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    max_errors: int = Field(default=0, ge=0)


def collect(root: Path, patterns: list[str]) -> list[Example]:
    files = sorted({p for pattern in patterns for p in root.glob(pattern)
                    if not p.is_dir() and p.suffix.lower() in (".md", ".markdown")})
    if not files:
        raise GateError(f"no Markdown file matches {patterns} under {root}")
    if len(files) > MAX_FILES:
        raise GateError(f"{len(files)} files match {patterns}; at most {MAX_FILES}")
    examples: list[Example] = []
    for path in files:
        shown = path.relative_to(root).as_posix()
        try:  # links out of the root, FIFOs, devices and big files refused, not read
            raw = read_bytes_confined(path, root, MAX_FILE_BYTES)
        except OSError as exc:
            raise GateError(f"{shown}: {exc}") from None
        examples.extend(extract(raw.decode("utf-8", errors="replace"), shown))
    if len(examples) > MAX_EXAMPLES:
        raise GateError(f"{len(examples)} examples in {patterns}; at most {MAX_EXAMPLES}")
    return examples


class ExamplesGate(GateKind):
    params: ClassVar[type[Params]] = ExamplesParams
    unit: ClassVar[Unit | None] = Unit.RATIO
    default_threshold: ClassVar[dict[str, Any]] = {"max": 0}
    reads_repository: ClassVar[bool] = True
    non_negative: ClassVar[bool] = True

    def evaluate(self, gate: GateSpec, ctx: Context) -> Measurement:
        from gacheck.gates.examples.run import environment, outcome

        params: ExamplesParams = gate.params
        root = ctx.resolve(params.root) if params.root else ctx.repo
        examples = collect(root, params.files)
        if not examples:
            return Measurement(None, f"no python or shell example in {params.files}",
                               status=Status.NO_DATA)
        base_url = (ctx.overrides.facade_url or params.base_url).rstrip("/")
        token = ctx.secrets.from_env(params.token_env) or "gacheck-no-key"
        fill = {"{base_url}": base_url, "{api_base}": f"{base_url}/v1", "{token}": token}
        names = {"OPENAI_BASE_URL": f"{base_url}/v1", "OPENAI_API_KEY": token}
        for name, value in params.env.items():
            for mark, real in fill.items():
                value = value.replace(mark, real)
            names[name] = value
        allowed = {(urlsplit(base_url).hostname or "").lower(),
                   *(h.lower() for h in params.allow_hosts)}
        with exclusive(ctx) as waited:
            started = monotonic()
            rows = [outcome(e, allowed, environment(root, names), params.example_timeout,
                            params.max_output) for e in examples]
            timing = {"waited_s": round(waited, 2), "examples_s":
                      round(monotonic() - started, 2)}
        return _measurement(params, root, base_url, rows, sorted(names), timing)


def _measurement(params: ExamplesParams, root: Path, base_url: str,
                 rows: list[dict[str, Any]], names: list[str],
                 timing: dict[str, float]) -> Measurement:
    counts = {s: sum(1 for r in rows if r["status"] == s)
              for s in ("pass", "fail", "no_data", "error")}
    judged = counts["pass"] + counts["fail"]
    findings = [Finding(message=f"{r['language']} example {r['status']}: {r['error']}",
                        code=f"example-{r['status']}", file=r["file"], line=r["line"],
                        severity="error" if r["status"] in ("fail", "error") else "warning")
                for r in rows if r["status"] != "pass"]
    details = {"root": str(root), "files": params.files, "base_url": base_url,
               "env_names": names, "counts": counts, "examples": rows, "timing": timing}
    evidence = Evidence(findings=findings, details=details, notes=[
        "each example ran in a fresh scratch folder with only PATH, HOME and "
        + ", ".join(names) + " in its environment"])
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    errors = [r for r in rows if r["status"] == "error"]
    if len(errors) > params.max_errors:
        first = errors[0]
        return Measurement(None, f"{summary}; {first['file']}:{first['line']}: "
                           f"{first['error']}", evidence, Status.ERROR)
    if not judged:
        return Measurement(None, f"{summary}: no example could run here", evidence,
                           Status.NO_DATA)
    share = counts["fail"] / judged
    failed = [r for r in rows if r["status"] == "fail"]
    shown = f"{counts['fail']} of {judged} examples fail ({summary})"
    if failed:
        shown += "; " + "; ".join(f"{r['file']}:{r['line']}: {r['error']}" for r in failed[:3])
    return Measurement(share, shown, evidence)
