"""The fixtures every test may use live in ``tests/support/`` and are registered here, once,
for every test folder (a folder's own ``conftest.py`` adds only what that folder needs)."""

pytest_plugins = [
    "tests.support.environment",
    "tests.support.cli",
    "tests.support.gates",
    "tests.support.run",
]
