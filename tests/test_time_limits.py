"""Time limits add up to the total; Ctrl-C returns the best plan found so far.

* Every stage starts with a limit that ends before the scenario's total (± 10 %), and
  the whole solve ends within it (tiny scenario with one-day runs, whose OR-Tools
  search runs to its limit; the baseline at 20 s is marked slow).
* Ctrl-C: HiGHS is cancelled and keeps its incumbent; OR-Tools stops at its next
  solution; bases left get quick constructive runs; the CLI writes the plan, warns
  and exits 0 — or exits 130 when there is nothing to save.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import revlog
import revlog.pipeline as pipeline
import revlog.routing_stage as routing_stage
from helpers.plans import run_cli
from helpers.scenarios import SCENARIOS, write_variant
from revlog.errors import SolveInterruptedError
from revlog.inputs import prepare
from revlog.plan import Plan
from revlog.scenario import load_scenario

TOLERANCE = 0.10


def _one_day(folder: Path) -> Path:
    """Tiny with one-day runs polished by OR-Tools' guided local search (a long search)."""
    return write_variant(
        folder, name="oneday", rules={"max_days_per_run": 1}, solver={"ortools_polish": True}
    )


def _timed_solve(monkeypatch, scenario: Path, total_s: float):
    """Solve; return the plan, the wall time and (start, limit) of every stage call."""
    calls: list[tuple[str, float, float]] = []
    t0 = time.perf_counter()
    real_loc, real_route = pipeline.solve_location, routing_stage.solve_routing

    def loc(problem, time_limit_s, **kw):
        calls.append(("location", time.perf_counter() - t0, time_limit_s))
        return real_loc(problem, time_limit_s=time_limit_s, **kw)

    def route(rp, time_limit_s, seed=0, **kw):
        calls.append((rp.name, time.perf_counter() - t0, time_limit_s))
        return real_route(rp, time_limit_s=time_limit_s, seed=seed, **kw)

    monkeypatch.setattr(pipeline, "solve_location", loc)
    monkeypatch.setattr(routing_stage, "solve_routing", route)
    inputs = prepare(load_scenario(scenario))
    t0 = time.perf_counter()
    plan = pipeline.solve_inputs(inputs, time_limit_s=total_s)
    return plan, time.perf_counter() - t0, calls


def _assert_within(plan, wall_s: float, calls, total_s: float, scenario: Path) -> None:
    assert calls[0][0] == "location" and len(calls) > 1
    for name, start, limit in calls:
        # no stage may be given time past the total
        assert start + limit <= total_s * (1 + TOLERANCE), (name, start, limit)
    assert wall_s <= total_s * (1 + TOLERANCE), f"{wall_s:.2f} s for a {total_s} s limit"
    assert plan.meta["time_limit_s"] == total_s
    assert not plan.meta["interrupted"]
    assert not revlog.check(plan, load_scenario(scenario))


def test_tiny_stages_add_up_to_the_limit(tmp_path, monkeypatch):
    """No stage gets time past the total limit, and the whole solve stays within it (+10 %)."""
    sc = _one_day(tmp_path)
    plan, wall, calls = _timed_solve(monkeypatch, sc, 4.0)
    _assert_within(plan, wall, calls, 4.0, sc)
    # the search that runs to its limit gets the time the others leave
    assert max(limit for _, _, limit in calls[1:]) >= 0.5 * 4.0


@pytest.mark.slow
def test_baseline_stages_add_up_to_20_s(monkeypatch):
    """On the baseline the stages and the whole solve stay within 20 s (+10 %)."""
    sc = SCENARIOS / "qinghai-baseline.yaml"
    plan, wall, calls = _timed_solve(monkeypatch, sc, 20.0)
    _assert_within(plan, wall, calls, 20.0, sc)


def test_ctrl_c_in_a_routing_search_gives_quick_runs_for_the_rest(monkeypatch):
    """Ctrl-C in a routing search stops it; the other bases get quick runs, marked interrupted."""
    sc = SCENARIOS.parent / "tests" / "fixtures" / "tiny" / "tiny.yaml"
    real = routing_stage.solve_routing
    seen: list[str] = []

    def route(rp, time_limit_s, seed=0, **kw):
        seen.append(rp.name)
        if len(seen) == 2:
            raise KeyboardInterrupt
        return real(rp, time_limit_s=time_limit_s, seed=seed, **kw)

    monkeypatch.setattr(routing_stage, "solve_routing", route)
    plan = revlog.solve(sc, time_limit=10)
    assert plan.meta["interrupted"] is True
    statuses = {b: m["status"] for b, m in plan.meta["routing"].items()}
    assert len(seen) == 2 and len(statuses) == 3  # no full search after Ctrl-C
    assert statuses[seen[0]] != "interrupted"
    assert [b for b, s in statuses.items() if s == "interrupted"] == list(statuses)[1:]
    assert "interrupted" in plan.solver["routing_status"]
    assert not revlog.check(plan, load_scenario(sc))


def test_ctrl_c_before_any_design_saves_nothing_and_exits_130(tmp_path, monkeypatch, capsys):
    """Ctrl-C before any design saves nothing; revlog solve exits 130 without a traceback."""

    def geography(inputs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "build_geography", geography)
    sc = SCENARIOS.parent / "tests" / "fixtures" / "tiny" / "tiny.yaml"
    with pytest.raises(SolveInterruptedError, match="geography"):
        revlog.solve(sc)
    out = tmp_path / "out"
    code, _, err = run_cli(["solve", sc, "-o", out, "-q"], capsys)
    assert code == 130
    assert "nothing saved" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_sigint_to_the_cli_during_a_search_writes_the_incumbent(tmp_path):
    """SIGINT to revlog solve in a search writes its incumbent plan promptly, marked interrupted."""
    sc = _one_day(tmp_path)
    out = tmp_path / "plan"
    exe = Path(sys.executable).with_name("revlog")
    proc = subprocess.Popen(
        [str(exe), "solve", str(sc), "-o", str(out), "--time-limit", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sent = None
    lines: list[str] = []
    assert proc.stderr is not None
    for line in proc.stderr:
        lines.append(line)
        if sent is None and "routing base C-chengdong: 4 stops" in line:
            time.sleep(1.0)  # inside the base's search (46 s of work, OR-Tools polish on)
            proc.send_signal(signal.SIGINT)
            sent = time.perf_counter()
    proc.wait(timeout=120)
    said = "".join(lines[-12:])
    assert sent is not None, "the routing search never started:\n" + said
    # the rest of the plan (quick runs, outputs) may take a while on a loaded machine, but
    # Ctrl-C must not wait for the 120 s limit
    assert time.perf_counter() - sent < 60, said
    assert proc.returncode == 0, said
    doc = json.loads((out / "plan.json").read_text())
    assert doc["meta"]["interrupted"] is True, said
    # the base searched when the signal came got quick runs, unless location.method: lrp
    # keeps the design it had routed in full before (cheaper than the interrupted one)
    quick = doc["meta"]["routing"]["C-chengdong"]["status"] == "interrupted"
    assert quick or doc["meta"].get("location_design") == "lrp", said
    assert not revlog.check(Plan.load(out), load_scenario(sc))


@pytest.mark.slow
def test_sigint_stops_highs_with_its_incumbent(monkeypatch):
    """SIGINT stops HiGHS at its next check with its incumbent design, which checks out."""
    # HiGHS checks for the interrupt between its steps (not inside the root LP of a big
    # MIP), so on capb it stops at its next check; the design is its incumbent.
    import revlog.location.solve as location_solve
    from revlog.bench import benchmarks_dir
    from revlog.check.design import check_design
    from revlog.location.problem import LocationProblem

    path = benchmarks_dir() / "orlib-cflp" / "capb.txt"
    if not path.is_file():
        pytest.skip("OR-Library capb.txt not available (set REVLOG_BENCHMARKS)")
    problem = LocationProblem.from_orlib(path, 12000)  # HiGHS needs > 60 s to prove it
    real = location_solve._run_interruptible
    timers: list[threading.Timer] = []

    def run(h):
        if not timers:  # one SIGINT, 5 s into the first HiGHS run (a warm start may come first)
            timers.append(threading.Timer(5.0, os.kill, (os.getpid(), signal.SIGINT)))
            timers[0].start()
        return real(h)

    monkeypatch.setattr(location_solve, "_run_interruptible", run)
    design = location_solve.solve_location(problem, time_limit_s=30)
    timers[0].join()
    assert design.status == "interrupted" and not design.proven_optimal
    assert not check_design(problem, design)
