"""Gates run concurrently, each within its time limit; one gate's trouble is only its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest

from gacheck import gates as gate_registry
from gacheck.core.models import Evidence
from gacheck.core.units import Unit
from gacheck.gates.interface import GateKind, Measurement, Params
from tests.support.clock import day, on, stamp


def audit_of(run_cli, config: Path, *extra: str) -> dict:
    result = run_cli("evaluate", "--config", str(config), "--no-write", "--format", "json", *extra)
    return json.loads(result.out) | {"exit": result.code}


def by_id(audit: dict) -> dict[str, dict]:
    return {g["id"]: g for g in audit["gates"]}


def test_gates_run_at_the_same_time(write_config, run_cli, tmp_path: Path) -> None:
    # Each gate waits for the other's flag file: only concurrent gates can both pass.
    wait = "import pathlib,sys,time\n" \
           "pathlib.Path(sys.argv[1]).touch()\n" \
           "t=time.time()\n" \
           "while not pathlib.Path(sys.argv[2]).exists():\n" \
           "    time.sleep(0.02)\n" \
           "    assert time.time()-t < 10\n"
    config = write_config(f"""
        [[gates]]
        id = "a"
        kind = "command"
        title = "A"
        command = ["python3", "-c", {json.dumps(wait)}, "{tmp_path}/a.flag", "{tmp_path}/b.flag"]
        [[gates]]
        id = "b"
        kind = "command"
        title = "B"
        command = ["python3", "-c", {json.dumps(wait)}, "{tmp_path}/b.flag", "{tmp_path}/a.flag"]
    """)
    audit = audit_of(run_cli, config)
    assert [g["status"] for g in audit["gates"]] == ["pass", "pass"]
    assert audit["verdict"] == "pass" and audit["exit"] == 0


def test_a_gate_past_its_timeout_is_an_error_and_the_others_still_run(write_config, run_cli) -> None:
    config = write_config("""
        [[gates]]
        id = "stuck"
        kind = "command"
        title = "Stuck"
        timeout = "1s"
        command_timeout = "30s"
        command = ["sleep", "30"]
        [[gates]]
        id = "fine"
        kind = "command"
        title = "Fine"
        command = ["true"]
    """)
    audit = audit_of(run_cli, config)
    gates = by_id(audit)
    assert gates["stuck"]["status"] == "error"
    assert gates["stuck"]["message"] == "did not finish within its timeout of 1s"
    assert gates["fine"]["status"] == "pass"
    assert audit["verdict"] == "incomplete" and audit["exit"] == 3


class _Exploding(GateKind):
    params: ClassVar[type[Params]] = Params
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 0}

    def evaluate(self, gate, ctx):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("division by zero")


class _LeakyToken(GateKind):
    params: ClassVar[type[Params]] = Params
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 0}

    def evaluate(self, gate, ctx):  # type: ignore[no-untyped-def]
        token = ctx.secrets.from_env("GACHECK_TEST_TOKEN")
        return Measurement(
            value=1,
            message=f"server said: bad token {token}",
            evidence=Evidence(details={"headers": {"Authorization": f"Bearer {token}"}}),
        )


@pytest.fixture
def extra_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(gate_registry.KINDS, "exploding", _Exploding())
    monkeypatch.setitem(gate_registry.KINDS, "leaky", _LeakyToken())


def test_a_bug_in_a_kind_is_that_gates_error(write_config, run_cli, extra_kinds) -> None:
    config = write_config("""
        [[gates]]
        id = "buggy"
        kind = "exploding"
        title = "Buggy"
        [[gates]]
        id = "fine"
        kind = "command"
        title = "Fine"
        command = ["true"]
    """)
    gates = by_id(audit_of(run_cli, config))
    assert gates["buggy"]["status"] == "error"
    assert "ZeroDivisionError: division by zero" in gates["buggy"]["message"]
    assert gates["fine"]["status"] == "pass"


def test_secrets_never_reach_the_audit(write_config, run_cli, extra_kinds, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("GACHECK_TEST_TOKEN", "s3cr3t-t0ken-value")
    config = write_config(f"""
        [settings]
        output_dir = "{tmp_path}/out"
        [[gates]]
        id = "leaky"
        kind = "leaky"
        title = "Leaky"
    """)
    result = run_cli("evaluate", "--config", str(config), "--repo", str(tmp_path))
    written = "".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "s3cr3t" not in written + result.out + result.err
    assert "Bearer ***" in written and "bad token ***" in written


def test_the_command_gate_records_exit_code_and_output(write_config, run_cli) -> None:
    config = write_config("""
        [[gates]]
        id = "lint"
        kind = "command"
        title = "Lint"
        command = "sh -c 'seq 1 30; echo broken >&2; exit 4'"
        tail = 5
    """)
    audit = audit_of(run_cli, config)
    gate = audit["gates"][0]
    assert gate["status"] == "fail" and gate["value"] == 4
    command = gate["evidence"]["commands"][0]
    assert command["exit_code"] == 4
    assert command["argv"] == ["sh", "-c", "seq 1 30; echo broken >&2; exit 4"]
    assert command["output_tail"] == ["27", "28", "29", "30", "broken"]
    assert audit["exit"] == 1


def test_a_missing_command_is_an_error_not_a_failure(write_config, run_cli) -> None:
    config = write_config("""
        [[gates]]
        id = "tool"
        kind = "command"
        title = "Tool"
        command = ["no-such-tool-gacheck", "--check"]
    """)
    gate = audit_of(run_cli, config)["gates"][0]
    assert gate["status"] == "error"
    assert gate["message"] == "command not found: no-such-tool-gacheck"


@pytest.mark.parametrize(
    ("document", "status", "message"),
    [
        ({"summary": {"ruff": {"total": 97}}}, "pass", "97 ≤ 120"),
        ({"summary": {"ruff": {"total": 121}}}, "fail", "121 > max 120"),
        ({"summary": {"ruff": {"total": None}}}, "no_data", "summary.ruff.total is null"),
        ({"summary": {"ruff": {}}}, "error", "no value at summary.ruff.total"),
        ({"summary": {"ruff": {"total": "TBD"}}}, "error", "is not a number: 'TBD'"),
    ],
)
def test_json_value_reads_a_number_by_path(write_config, run_cli, tmp_path, document, status, message) -> None:
    (tmp_path / "latest.json").write_text(json.dumps(document))
    config = write_config("""
        [[gates]]
        id = "ruff_total"
        kind = "json_value"
        title = "Ruff total"
        file = "latest.json"
        path = "summary.ruff.total"
        unit = "count"
        threshold = { max = 120 }
    """)
    gate = audit_of(run_cli, config, "--repo", str(tmp_path))["gates"][0]
    assert gate["status"] == status
    assert message in gate["message"]


def test_json_value_file_may_name_the_day_of_the_evaluation(write_config, run_cli, tmp_path) -> None:
    folder = tmp_path / "health" / str(day(2))
    folder.mkdir(parents=True)
    (folder / "latest.json").write_text('{"summary": {"ruff": {"total": 5970}}}')
    config = write_config("""
        [[gates]]
        id = "snapshot"
        kind = "json_value"
        title = "Snapshot"
        file = "health/{date}/latest.json"
        path = "summary.ruff.total"
        threshold = { max = 6000 }
    """)
    late_that_day, early_next_day = stamp(on(day(2), "23:00")), stamp(on(day(1), "01:00"))
    gate = audit_of(run_cli, config, "--repo", str(tmp_path), "--at", late_that_day)["gates"][0]
    assert gate["status"] == "pass" and gate["value"] == 5970
    gone = audit_of(run_cli, config, "--repo", str(tmp_path), "--at", early_next_day)["gates"][0]
    assert gone["status"] == "error"
    assert gone["message"] == f"health/{day(1)}/latest.json: file not found"


class _Odd(GateKind):
    """Returns whatever value the gate's title names: NaN, +Inf."""

    params: ClassVar[type[Params]] = Params
    unit: ClassVar[Unit | None] = Unit.SECONDS
    default_threshold: ClassVar[dict[str, str]] = {"max": "10ms"}

    def evaluate(self, gate, ctx):  # type: ignore[no-untyped-def]
        return Measurement(value=float(gate.title), message="p95 beyond the last bucket")


class _FailsWithEvidence(GateKind):
    params: ClassVar[type[Params]] = Params
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 0}

    def evaluate(self, gate, ctx):  # type: ignore[no-untyped-def]
        from gacheck.core.errors import CollectorError
        from gacheck.core.models import CommandRecord

        record = CommandRecord(argv=["ruff", "check"], exit_code=2, output_tail=["bad config"])
        raise CollectorError("ruff exited with status 2", evidence=Evidence(commands=[record]))


def test_non_finite_values_never_break_the_audit(write_config, run_cli, monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(gate_registry.KINDS, "odd", _Odd())
    config = write_config(f"""
        [settings]
        output_dir = "{tmp_path}/out"
        [[gates]]
        id = "inf"
        kind = "odd"
        title = "inf"
        [[gates]]
        id = "nan"
        kind = "odd"
        title = "nan"
    """)
    result = run_cli("evaluate", "--config", str(config), "--format", "json")
    gates = by_id(json.loads(result.out))
    assert gates["inf"]["status"] == "fail" and gates["inf"]["value"] is None
    assert gates["inf"]["message"].startswith("+Inf > max 10ms")
    assert gates["nan"]["status"] == "no_data" and gates["nan"]["value"] is None
    assert "Infinity" not in result.out and "NaN" not in result.out
    assert "+Inf" in (tmp_path / "out" / "latest.md").read_text()


def test_a_gate_error_keeps_the_evidence_gathered_before_it(write_config, run_cli, monkeypatch) -> None:
    monkeypatch.setitem(gate_registry.KINDS, "fails", _FailsWithEvidence())
    config = write_config("""
        [[gates]]
        id = "lint"
        kind = "fails"
        title = "Lint"
    """)
    gate = audit_of(run_cli, config)["gates"][0]
    assert gate["status"] == "error" and gate["message"] == "ruff exited with status 2"
    assert gate["evidence"]["commands"][0]["output_tail"] == ["bad config"]


class _Negative(GateKind):
    params: ClassVar[type[Params]] = Params
    unit: ClassVar[Unit | None] = Unit.SECONDS
    default_threshold: ClassVar[dict[str, str]] = {"max": "10ms"}
    non_negative: ClassVar[bool] = True

    def evaluate(self, gate, ctx):  # type: ignore[no-untyped-def]
        return Measurement(-0.004)


class _SignedChange(_Negative):
    unit: ClassVar[Unit | None] = Unit.RATIO
    default_threshold: ClassVar[dict[str, str]] = {"max": "10%"}
    non_negative: ClassVar[bool] = False  # a relative change may well be negative


def test_a_negative_duration_is_an_impossible_value_not_a_pass(
    write_config, run_cli, monkeypatch
) -> None:
    monkeypatch.setitem(gate_registry.KINDS, "negative", _Negative())
    monkeypatch.setitem(gate_registry.KINDS, "change", _SignedChange())
    config = write_config("""
        [[gates]]
        id = "latency"
        kind = "negative"
        title = "latency"
        [[gates]]
        id = "change"
        kind = "change"
        title = "a relative change may be negative"
    """)
    gates = by_id(audit_of(run_cli, config))
    assert gates["latency"]["status"] == "error" and gates["latency"]["value"] is None
    assert "impossible value -4ms" in gates["latency"]["message"]
    assert gates["change"]["status"] == "pass"  # control: signed kinds keep their value


class _Trivial(GateKind):
    """Records how many threads the process has while it runs, then passes."""

    params: ClassVar[type[Params]] = Params
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 0}
    seen: ClassVar[list[int]] = []

    def evaluate(self, gate, ctx):  # type: ignore[no-untyped-def]
        import threading
        import time

        self.seen.append(threading.active_count())
        time.sleep(float(gate.title) if gate.title[:1].isdigit() else 0.002)
        return Measurement(value=0)


class _Hung(GateKind):
    """Stuck in pure Python (no subprocess to kill): only the test's release ends it."""

    params: ClassVar[type[Params]] = Params
    unit: ClassVar[Unit | None] = Unit.COUNT
    default_threshold: ClassVar[dict[str, int]] = {"max": 0}

    def __init__(self) -> None:
        import threading

        self.release = threading.Event()

    def evaluate(self, gate, ctx):  # type: ignore[no-untyped-def]
        self.release.wait(60)
        return Measurement(value=0)


@pytest.fixture
def pool_kinds(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from gacheck.run import engine

    _Trivial.seen = []
    hung = _Hung()
    monkeypatch.setitem(gate_registry.KINDS, "trivial", _Trivial())
    monkeypatch.setitem(gate_registry.KINDS, "hung", hung)
    monkeypatch.setattr(engine, "CLEANUP_GRACE_S", 0.2)
    yield hung
    hung.release.set()


def gates_toml(count: int, kind: str = "trivial", title: str = "t", prefix: str = "g",
               extra: str = "") -> str:
    return "".join(f'\n[[gates]]\nid = "{prefix}{i:04d}"\nkind = "{kind}"\ntitle = "{title}"\n'
                   f"{extra}" for i in range(count))


def test_many_gates_run_on_a_bounded_pool_of_threads(write_config, run_cli, pool_kinds) -> None:
    import threading

    before = threading.active_count()
    peak = [before]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.001):
            peak[0] = max(peak[0], threading.active_count())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        audit = audit_of(run_cli, write_config(gates_toml(300, title="0.05")))
    finally:
        stop.set()
        sampler.join()
    assert [g["id"] for g in audit["gates"]] == [f"g{i:04d}" for i in range(300)]
    assert {g["status"] for g in audit["gates"]} == {"pass"}
    assert len(_Trivial.seen) == 300
    # 32 gate threads at most (the default [settings] max_concurrency), the sampler, and a
    # few of the evaluation's own (the commit read); one thread per gate would be 300 more
    bound = before + 1 + 32 + 4
    assert max(_Trivial.seen) <= bound and peak[0] <= bound, (max(_Trivial.seen), peak[0])


def test_the_pool_size_is_a_setting(write_config, run_cli, pool_kinds) -> None:
    import threading

    before = threading.active_count()
    audit = audit_of(run_cli, write_config("[settings]\nmax_concurrency = 3\n" + gates_toml(40)))
    assert {g["status"] for g in audit["gates"]} == {"pass"}
    assert max(_Trivial.seen) <= before + 3 + 2


def test_a_hung_gate_is_an_error_and_does_not_keep_the_others_from_running(
    write_config, run_cli, pool_kinds
) -> None:
    # One thread in the pool, and the first gate never returns: the pool must replace the
    # thread it is stuck on, or the other gates would never start.
    import time

    config = write_config("[settings]\nmax_concurrency = 1\n"
                          + gates_toml(1, kind="hung", prefix="stuck", extra='timeout = "1s"\n')
                          + gates_toml(5))
    started = time.monotonic()
    audit = audit_of(run_cli, config)
    elapsed = time.monotonic() - started
    gates = by_id(audit)
    assert gates["stuck0000"]["status"] == "error"
    assert gates["stuck0000"]["message"] == "did not finish within its timeout of 1s"
    assert [gates[f"g{i:04d}"]["status"] for i in range(5)] == ["pass"] * 5
    assert elapsed < 20, elapsed  # not the hung gate's 60 s
    assert audit["verdict"] == "incomplete"


def test_a_gates_time_limit_counts_from_when_it_starts_not_when_it_was_queued(
    write_config, run_cli, pool_kinds
) -> None:
    # One thread: 4 gates of 0.6 s each take 2.4 s in all, past each one's limit of 1.5 s
    # counted from the start of the run, well within it counted from each gate's own start.
    config = write_config("[settings]\nmax_concurrency = 1\n"
                          + gates_toml(4, title="0.6", extra='timeout = "1.5s"\n'))
    gates = audit_of(run_cli, config)["gates"]
    assert [g["status"] for g in gates] == ["pass"] * 4, [g["message"] for g in gates]
    assert all(g["duration_s"] < 1.5 for g in gates)
