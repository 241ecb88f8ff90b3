"""Configs and CI workflows shipped with the package, so a pip-installed gacheck can start.

``lukhas`` is the GA checklist of LUKHAS v0.9.0-rc (the repository's ``config/gates.toml``),
``minimal`` two gates any Prometheus-scraped service can use. ``gacheck init`` writes one into
a repository; ``gacheck demo`` falls back to ``lukhas`` outside a repository that has a config.
"""

from __future__ import annotations

from importlib import resources

PROFILES = ("lukhas", "minimal")
WORKFLOWS = {"github": "release-gate.yml"}


def profile_text(name: str) -> str:
    """The TOML text of a shipped profile."""
    if name not in PROFILES:
        raise KeyError(name)
    return resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8")


def workflow_text(ci: str) -> str:
    """The sample workflow for a CI system (``github``)."""
    name = WORKFLOWS[ci]
    return resources.files(__name__).joinpath("workflows", name).read_text(encoding="utf-8")


def packaged_config_path(name: str = "lukhas") -> str:
    """A filesystem path of a shipped profile (package data is a plain file in a wheel)."""
    return str(resources.files(__name__).joinpath(f"{name}.toml"))
