"""Building gacheck's image without a registry: a base from Debian's packages (mmdebstrap,
cached by its inputs), imported into buildah, then ``buildah bud`` of the root Dockerfile.

Buildah runs as root with ``--isolation chroot`` and the ``vfs`` storage driver; its storage
lives in the cache directory too, so a re-run reuses the base and the unchanged layers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

Completed = subprocess.CompletedProcess[str]

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("python3", "python3-venv", "ca-certificates")
DPKG_OPTS = ("path-exclude=/usr/share/doc/*", "path-exclude=/usr/share/man/*",
             "path-exclude=/usr/share/locale/*")
IMAGE = "localhost/gacheck:deploy-test"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
"""The machine's CA bundle goes into the base: pip in the build reaches PyPI through the same
TLS-inspecting proxies as the host does (an organisation's base image carries its CAs too)."""


# Read once at import: the suite points XDG_CACHE_HOME at a fresh folder for every test, and
# this cache must outlive the test run (re-runs on the same machine reuse it).
_CACHE = Path(os.environ.get("GACHECK_TEST_CACHE")
              or os.path.expanduser("~/.cache/gacheck-tests")) / "image"


def cache_root() -> Path:
    _CACHE.mkdir(parents=True, exist_ok=True)
    return _CACHE


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


def inputs_key(context: Path, base: str) -> str:
    """Everything the build reads: the base, the Dockerfile and the files it copies."""
    digest = hashlib.sha256(base.encode())
    files = [context / n for n in ("Dockerfile", ".dockerignore", "pyproject.toml", "README.md")]
    files += sorted(p for p in (context / "gacheck").rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    for path in files:
        digest.update(path.relative_to(context).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_image(context: Path, base: str) -> str:
    """The image of ``context``; built again only when its inputs changed (``--layers`` keeps
    the steps before the first changed one)."""
    tagged = f"{IMAGE}-{inputs_key(context, base)}"
    present = buildah("images", "--format", "{{.Name}}:{{.Tag}}").split()
    if tagged in present:
        return tagged
    for old in (p for p in present if p.startswith(f"{IMAGE}-")):
        buildah("rmi", old)  # earlier inputs' images; the layer cache stays
    buildah("bud", "--isolation", "chroot", "--layers", "--quiet", "--build-arg",
            f"BASE={base}", "--build-arg", "REVISION=deploy-test", "-t", tagged,
            "-f", str(context / "Dockerfile"), str(context), timeout=1800)
    return tagged


@contextlib.contextmanager
def container(image: str, volume: Path) -> Iterator[Callable[[list[str]], Completed]]:
    """A container of ``image`` (one copy of its layers: vfs copies them all) with ``volume``
    at ``/work``; yields ``run(argv)``, which runs as the image's user with the host's network
    (the Prometheus on its loopback)."""
    root = cache_root()
    name = buildah("from", "--quiet", image).strip()

    def run(argv: list[str]) -> Completed:
        return subprocess.run(
            ["buildah", "--root", str(root / "storage"), "--runroot", str(root / "run"),
             "--storage-driver", "vfs", "run", "--isolation", "chroot", "--network", "host",
             "--volume", f"{volume}:/work", name, "--", *argv],
            capture_output=True, text=True, timeout=300)

    try:
        yield run
    finally:
        buildah("rm", name)


def available() -> str | None:
    """Why the image cannot be built here, or ``None``."""
    if os.geteuid() != 0:
        return "buildah with --isolation chroot needs root here"
    missing = [t for t in ("buildah", "mmdebstrap") if shutil.which(t) is None]
    return f"missing {', '.join(missing)} (scripts/setup.sh installs them)" if missing else None
