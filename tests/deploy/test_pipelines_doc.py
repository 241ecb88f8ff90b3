"""``docs/pipelines.md``: every YAML example parses, and has the fields its controller reads."""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from gacheck.cli import build_parser
from gacheck.serve.answers import HOOKS
from gacheck.serve.guard import ALLOWED_QUERY
from tests.deploy.support import ROOT

DOC = ROOT / "docs" / "pipelines.md"
IMAGE = "registry.example.com/gacheck:0.1.0"


def blocks(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def documents() -> list[dict[str, Any]]:
    found = [d for block in blocks("yaml") for d in yaml.safe_load_all(block)]
    assert all(isinstance(d, dict) for d in found)
    return found


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [d for d in documents() if d.get("kind") == kind]


def parses(argv: list[str]) -> None:
    """A gacheck command line in an example is one the CLI accepts."""
    build_parser().parse_args([a.replace("{{args.prometheus-url}}", "http://p:9090")
                               for a in argv])


def metrics(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    assert template["apiVersion"] == "argoproj.io/v1alpha1"
    yield from template["spec"]["metrics"]


def test_every_example_is_read() -> None:
    kinds = sorted(str(d.get("kind")) for d in documents())
    assert kinds == ["AnalysisTemplate", "AnalysisTemplate", "Canary", "Deployment", "None"]
    assert len(blocks("groovy")) == 1 and len(blocks("toml")) == 1


def test_argo_job_provider_runs_the_image() -> None:
    (template,) = [t for t in by_kind("AnalysisTemplate") if t["metadata"]["name"] == "gacheck-job"]
    (metric,) = metrics(template)
    job = metric["provider"]["job"]["spec"]
    assert job["backoffLimit"] == 0
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"]["runAsUser"] == 10001
    (container,) = pod["containers"]
    assert container["image"] == IMAGE
    assert container["args"][0] == "evaluate"
    parses(container["args"])
    mounted = {m["name"] for m in container["volumeMounts"]}
    assert mounted == {v["name"] for v in pod["volumes"]}
    arg_names = {a["name"] for a in template["spec"]["args"]}
    used = set(re.findall(r"\{\{args\.([\w-]+)\}\}", str(container["args"])))
    assert used <= arg_names


def test_argo_web_provider_reads_the_verdict() -> None:
    (template,) = [t for t in by_kind("AnalysisTemplate") if t["metadata"]["name"] == "gacheck-web"]
    (metric,) = metrics(template)
    assert metric["successCondition"] == 'result == "pass"'
    assert metric["failureCondition"] == 'result == "fail"'
    web = metric["provider"]["web"]
    assert web["jsonPath"] == "{$.verdict}"
    assert 8 < web["timeoutSeconds"] <= 10  # above serve's 8s answer timeout
    url = urlsplit(web["url"])
    assert url.path == "/v1/verdict"
    assert set(parse_qs(url.query)) <= ALLOWED_QUERY
    (header,) = web["headers"]
    assert header["key"] == "Authorization" and header["value"].startswith("Bearer {{args.")
    assert {a["name"] for a in template["spec"]["args"]} == {"gacheck-token"}


def test_the_serve_deployment_starts_serve_with_a_token() -> None:
    (deployment,) = by_kind("Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == IMAGE and container["args"][0] == "serve"
    parses(container["args"])
    assert {e["name"] for e in container["env"]} == {"GACHECK_SERVE_TOKEN"}
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"


def test_flagger_webhooks_call_serve_with_their_type() -> None:
    (canary,) = by_kind("Canary")
    assert canary["apiVersion"] == "flagger.app/v1beta1"
    hooks = canary["spec"]["analysis"]["webhooks"]
    assert {h["type"] for h in hooks} == {"pre-rollout", "rollout", "confirm-promotion"}
    for hook in hooks:
        assert hook["type"] in HOOKS
        assert urlsplit(hook["url"]).path == f"/v1/flagger/{hook['type']}"
        assert hook["timeout"] == "10s"
        metadata = hook["metadata"]
        assert set(metadata) <= ALLOWED_QUERY | {"token"} and "token" in metadata
        assert all(isinstance(v, str) for v in metadata.values())  # Flagger: map[string]string


def test_gitlab_job_runs_gacheck_in_the_image() -> None:
    (pipeline,) = [d for d in documents() if "kind" not in d]
    job = pipeline["ga-readiness"]
    assert job["image"] == {"name": IMAGE, "entrypoint": [""]}
    (script,) = job["script"]
    argv = shlex.split(script)
    assert argv[0] == "gacheck"
    parses(argv[1:])
    assert job["artifacts"]["reports"]["junit"] == argv[argv.index("--junit") + 1]


def test_jenkins_stage_runs_gacheck_in_the_image() -> None:
    (stage,) = blocks("groovy")
    assert f"image '{IMAGE}'" in stage and "args '--entrypoint='" in stage
    (command,) = re.findall(r"sh '([^']+)'", stage)
    argv = shlex.split(command)
    parses(argv[1:])
    assert f"junit '{argv[argv.index('--junit') + 1]}'" in stage


def test_the_notify_example_is_a_valid_table() -> None:
    from gacheck.config.model import Notify

    (block,) = blocks("toml")
    (table,) = tomllib.loads(block)["notify"]
    assert Notify.model_validate(table).on == "change"


@pytest.mark.parametrize("language", ["yaml", "groovy", "toml", "sh"])
def test_no_example_block_is_empty(language: str) -> None:
    assert all(block.strip() for block in blocks(language))
