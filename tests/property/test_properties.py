"""Property tests (hypothesis) over configs, earlier audits and secrets.

- configs: no traceback; either the config loads and everything in it is usable (finite,
  positive where zero means nothing), or every line of the error names the file and key path;
- earlier audits: never fatal to ``evaluate``, ``history`` or ``diff``; each unusable file is
  named once; the new audit set is whole;
- secrets: none reaches any output, in any form a server may echo it back.

``GACHECK_FUZZ_SCALE`` multiplies the number of examples (``bench/fuzz_hardening.py`` runs the
bounded fuzz of the issue with it and counts the outcomes).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.property import fuzz

SCALE = float(os.environ.get("GACHECK_FUZZ_SCALE", "1"))


def examples(count: int) -> settings:
    return settings(max_examples=max(1, int(count * SCALE)), deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck), database=None)


@examples(400)
@given(fuzz.mutated_configs())
def test_mutated_configs_load_or_name_file_and_key_path(config) -> None:
    text = fuzz.toml_text(config)
    assume(text is not None)
    with tempfile.TemporaryDirectory() as temp:
        fuzz.check_config_text(text, Path(temp))


@examples(300)
@given(fuzz.RAW_TOML)
def test_any_text_as_a_config_loads_or_names_file_and_key_path(text) -> None:
    with tempfile.TemporaryDirectory() as temp:
        fuzz.check_config_text(text, Path(temp))


@pytest.fixture(scope="module")
def base_audit() -> dict:
    return fuzz.base_audit()


@pytest.mark.slow
def test_corrupt_earlier_audits_are_never_fatal(base_audit) -> None:
    @examples(40)
    @given(st.lists(fuzz.corrupt_audits(base_audit), min_size=1, max_size=3))
    def check(texts) -> None:
        fuzz.check_history(texts)

    check()


@pytest.mark.slow
def test_no_secret_reaches_any_output() -> None:
    @examples(25)
    @given(fuzz.SECRETS, fuzz.SECRETS, fuzz.SECRETS)
    def check(token, password, header) -> None:
        assume(len({token, password, header}) == 3)
        fuzz.check_secrets(token, password, header)

    check()
