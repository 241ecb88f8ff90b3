"""Building gacheck's image without a registry: a base from Debian's packages (mmdebstrap,
cached by its inputs), imported into buildah, then ``buildah bud`` of the root Dockerfile.

Buildah runs as root with ``--isolation chroot`` and the ``vfs`` storage driver; its storage
lives in the cache directory too, so a re-run reuses the base and the unchanged layers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("python3", "python3-venv", "ca-certificates")
DPKG_OPTS = ("path-exclude=/usr/share/doc/*", "path-exclude=/usr/share/man/*",
             "path-exclude=/usr/share/locale/*")
IMAGE = "localhost/gacheck:deploy-test"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
"""The machine's CA bundle goes into the base: pip in the build reaches PyPI through the same
TLS-inspecting proxies as the host does (an organisation's base image carries its CAs too)."""


def cache_root() -> Path:
    base = os.environ.get("GACHECK_TEST_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gacheck-tests")
    path = Path(base) / "image"
    path.mkdir(parents=True, exist_ok=True)
    return path


def base_key() -> str:
    """The base's inputs: suite, mirror, packages, dpkg options and mmdebstrap's version."""
    version = subprocess.run(["mmdebstrap", "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    inputs = json.dumps([SUITE, MIRROR, PACKAGES, DPKG_OPTS, version])
    return hashlib.sha256(inputs.encode()).hexdigest()[:16]


def buildah(*args: str, timeout: float = 600) -> str:
    root = cache_root()
    done = subprocess.run(
        ["buildah", "--root", str(root / "storage"), "--runroot", str(root / "run"),
         "--storage-driver", "vfs", *args],
        capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"buildah {' '.join(args)} failed ({done.returncode}):\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def base_tarball(key: str) -> Path:
    tarball = cache_root() / f"base-{SUITE}-{key}.tar"
    if tarball.exists():
        return tarball
    partial = tarball.with_suffix(".partial.tar")
    options = [f"--dpkgopt={o}" for o in DPKG_OPTS]
    subprocess.run(["mmdebstrap", "--variant=minbase", "--quiet",
                    f"--include={','.join(PACKAGES)}", *options, SUITE, str(partial), MIRROR],
                   check=True, capture_output=True, timeout=1200)
    partial.rename(tarball)
    return tarball


def base_image() -> str:
    """``localhost/gacheck-base:<key>``, imported from the cached tarball when missing."""
    key = base_key()
    ca = HOST_CA.read_bytes() if HOST_CA.exists() else b""
    name = f"localhost/gacheck-base:{key}-{hashlib.sha256(ca).hexdigest()[:8]}"
    if name in buildah("images", "--format", "{{.Name}}:{{.Tag}}").split():
        return name
    container = buildah("from", "scratch").strip()
    try:
        buildah("add", container, str(base_tarball(key)), "/")
        if ca:
            buildah("copy", container, str(HOST_CA), str(HOST_CA))
        buildah("config", "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                "/sbin:/bin", "--cmd", "/bin/sh", container)
        buildah("commit", "--quiet", container, name)
    finally:
        buildah("rm", container)
    return name


def build_image(context: Path, base: str) -> str:
    buildah("bud", "--isolation", "chroot", "--layers", "--quiet", "--build-arg",
            f"BASE={base}", "--build-arg", "REVISION=deploy-test", "-t", IMAGE,
            "-f", str(context / "Dockerfile"), str(context), timeout=1800)
    return IMAGE


def run_in_image(image: str, argv: list[str], volume: Path) -> subprocess.CompletedProcess[str]:
    """``argv`` in a container of ``image``, as its user, with ``volume`` at ``/work`` and the
    host's network (the Prometheus on its loopback)."""
    root = cache_root()
    container = buildah("from", "--quiet", image).strip()
    try:
        return subprocess.run(
            ["buildah", "--root", str(root / "storage"), "--runroot", str(root / "run"),
             "--storage-driver", "vfs", "run", "--isolation", "chroot", "--network", "host",
             "--volume", f"{volume}:/work", container, "--", *argv],
            capture_output=True, text=True, timeout=300)
    finally:
        buildah("rm", container)


def available() -> str | None:
    """Why the image cannot be built here, or ``None``."""
    if os.geteuid() != 0:
        return "buildah with --isolation chroot needs root here"
    missing = [t for t in ("buildah", "mmdebstrap") if shutil.which(t) is None]
    return f"missing {', '.join(missing)} (scripts/setup.sh installs them)" if missing else None
