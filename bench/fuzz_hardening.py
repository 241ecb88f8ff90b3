"""A bounded fuzz run over configs, earlier audits and secrets, with counts.

    python bench/fuzz_hardening.py [CONFIGS [RAW_CONFIGS [AUDIT_SETS [SECRET_TRIPLES]]]]

Runs the generators and checks of ``tests/property/fuzz.py`` (the property tests' own) for a
fixed number of inputs each and counts the outcomes instead of stopping at the first failure:
``traceback`` is an exception gacheck let escape, ``broken`` a property that did not hold
(a secret in an output, a partial audit set, an error line without file and key path).
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.property import fuzz  # noqa: E402


def _run(name: str, count: int, strategy, check) -> Counter:  # type: ignore[no-untyped-def]
    outcomes: Counter = Counter()
    first: dict[str, str] = {}

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def one(value) -> None:  # type: ignore[no-untyped-def]
        try:
            outcomes[check(value)] += 1
        except fuzz.Broken as exc:
            outcomes["broken"] += 1
            first.setdefault("broken", str(exc)[:400])
        except Exception:  # noqa: BLE001 - counted, that is the point
            outcomes["traceback"] += 1
            first.setdefault("traceback", traceback.format_exc()[-800:])

    started = time.monotonic()
    one()
    total = sum(outcomes.values())
    shown = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    print(f"{name}: {total} inputs in {time.monotonic() - started:.0f}s: {shown}", flush=True)
    for kind, text in first.items():
        print(f"  first {kind}: {text}")
    return outcomes


def _config(text: str | None) -> str:
    if text is None:
        return "unwritable"  # tomli_w could not write it: not an input
    with tempfile.TemporaryDirectory() as temp:
        return fuzz.check_config_text(text, Path(temp))


def main(argv: list[str]) -> int:
    counts = [int(a) for a in argv] + [2000, 1000, 200, 60][len(argv):]
    totals: Counter = Counter()
    totals += _run("configs (mutated)", counts[0], fuzz.mutated_configs().map(fuzz.toml_text),
                   _config)
    totals += _run("configs (any text)", counts[1], fuzz.RAW_TOML, _config)
    base = fuzz.base_audit()
    totals += _run("earlier audits (sets of 1-3 files)", counts[2],
                   st.lists(fuzz.corrupt_audits(base), min_size=1, max_size=3),
                   fuzz.check_history)
    totals += _run("secrets (token, password, header)", counts[3],
                   st.tuples(fuzz.SECRETS, fuzz.SECRETS, fuzz.SECRETS),
                   lambda triple: fuzz.check_secrets(*triple))
    inputs = sum(totals.values()) - totals["unwritable"]
    print(f"total: {inputs} inputs, {totals['traceback']} tracebacks, "
          f"{totals['broken']} broken properties")
    return 1 if totals["traceback"] or totals["broken"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
