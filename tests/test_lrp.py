"""Location-routing (issue 12): the CLRP reader, solver, design search and checker."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.lrp import brute_force_optimum, tiny_clrp, write_clrp
from helpers.plans import run_cli
from revlog.bench.lrp import generate_clrp, read_clrp
from revlog.check.lrp import check_lrp, lrp_cost
from revlog.errors import BenchmarkFileError
from revlog.location.lrp.clrp import solve_clrp, two_stage
from revlog.location.lrp.search import Evaluated, design_search, neighbours

#: Seeds of tiny instances whose brute-force optimum the solver must reach.
TINY_SEEDS = (3, 4, 5, 9)


@pytest.fixture(scope="module")
def tiny():
    """A tiny instance and the solver's solution of it (2 s)."""
    inst = tiny_clrp(3)
    return inst, solve_clrp(inst, 1.0, seed=0).solution.to_json()


def test_arc_cost_rounds_up_on_integer_instances():
    """Prodhon arcs cost ceil(100 × Euclidean); real instances the plain distance."""
    inst = tiny_clrp(3)
    flat = inst.arc_costs()
    d = np.hypot(*(inst.depot_xy[0] - inst.customer_xy[0]))
    assert flat[0, inst.n_depots] == np.ceil(100 * d)
    real = type(inst)(**{**inst.__dict__, "integer_costs": False}).arc_costs()
    assert real[0, inst.n_depots] == pytest.approx(d)


def test_reader_round_trip(tmp_path):
    """A file written in the Prodhon format reads back to the same instance."""
    inst = tiny_clrp(4)
    write_clrp(inst, tmp_path / "t.dat")
    back = read_clrp(tmp_path / "t.dat")
    assert back.n_customers == inst.n_customers and back.n_depots == inst.n_depots
    assert np.array_equal(back.customer_xy, inst.customer_xy)
    assert np.array_equal(back.demand, inst.demand) and back.integer_costs


def test_reader_refuses_a_short_file(tmp_path):
    """A file with missing fields is refused as file:field: reason."""
    bad = tmp_path / "bad.dat"
    bad.write_text("3 2\n0 0\n1 1\n")
    with pytest.raises(BenchmarkFileError, match=r"bad\.dat:fields: expected"):
        read_clrp(bad)


def test_reads_a_prodhon_instance(shipped):
    """coord20-5-1 has 20 customers, 5 depots, Q = 70 and integer costs."""
    inst = read_clrp(shipped("lrp", "prodhon", "coord20-5-1.dat"))
    assert (inst.n_customers, inst.n_depots, inst.vehicle_capacity) == (20, 5, 70.0)
    assert inst.integer_costs and inst.route_cost == 1000.0


@pytest.mark.parametrize("seed", TINY_SEEDS)
def test_tiny_clrp_solved_to_its_optimum(seed):
    """On tiny instances the routed design search reaches the brute-force optimum."""
    inst = tiny_clrp(seed)
    sol = solve_clrp(inst, 1.0, seed=0).solution.to_json()
    assert check_lrp(inst, sol) == []
    assert sol["cost"] == pytest.approx(brute_force_optimum(inst))


def test_solution_accepted_and_cost_recomputed(tiny):
    """The solver's solution passes the checker and its cost is the recomputed one."""
    inst, sol = tiny
    assert check_lrp(inst, sol) == []
    assert lrp_cost(inst, sol) == pytest.approx(sol["cost"])


def test_checker_catches_a_missing_customer(tiny):
    """A customer left out of every route is reported."""
    inst, sol = tiny
    bad = copy.deepcopy(sol)
    gone = bad["routes"][0]["customers"].pop()
    assert any(f"customer {gone} is not served" in v for v in check_lrp(inst, bad))


def test_checker_catches_a_closed_depot(tiny):
    """A route from a depot that is not open is reported."""
    inst, sol = tiny
    bad = copy.deepcopy(sol)
    bad["open"].remove(bad["routes"][0]["depot"])  # its depot closed
    assert any("not open" in v for v in check_lrp(inst, bad))


def test_checker_catches_over_capacity(tiny):
    """Routes merged beyond the vehicle capacity, and a depot beyond its capacity."""
    inst, sol = tiny
    bad = copy.deepcopy(sol)
    merged = [i for r in bad["routes"] for i in r["customers"]]
    bad["routes"] = [{"depot": bad["open"][0], "customers": merged}]
    found = check_lrp(inst, bad)
    assert any("above the vehicle capacity" in v for v in found)
    assert any("above its capacity" in v for v in found)


def test_checker_catches_a_wrong_cost_and_a_duplicate(tiny):
    """A stated cost that is not the recomputed one, and a customer served twice."""
    inst, sol = tiny
    bad = copy.deepcopy(sol)
    bad["cost"] = sol["cost"] - 1.0
    assert any("differs from the recomputed" in v for v in check_lrp(inst, bad))
    bad = copy.deepcopy(sol)
    bad["routes"][-1]["customers"].append(bad["routes"][0]["customers"][0])
    assert any("served 2 times" in v for v in check_lrp(inst, bad))


def test_deterministic_for_a_seed():
    """The same instance, seed and time limit give the same solution."""
    inst = tiny_clrp(5)
    a = solve_clrp(inst, 1.0, seed=1).solution
    b = solve_clrp(inst, 1.0, seed=1).solution
    assert a == b


def test_never_worse_than_two_stage_on_tiny():
    """At the same budget the routed design search is no costlier than two-stage."""
    for seed in (6, 7, 8):
        inst = tiny_clrp(seed)
        assert (
            solve_clrp(inst, 1.0, seed=0).solution.cost
            <= two_stage(inst, 1.0, seed=0).solution.cost + 1e-9
        )


def test_neighbourhood_keeps_forced_sites_open():
    """open/close/swap moves never close or swap out a forced site."""
    moves = neighbours(frozenset({0, 1}), 3, forced=frozenset({0}))
    assert all(0 in design for _, design in moves)
    assert {m for m, _ in moves} == {"open 2", "close 1", "swap 1->2"}


def test_design_search_finds_the_best_subset():
    """On a cost over subsets with one optimum the search returns it, within budget."""
    weight = np.array([5.0, 1.0, 4.0, 2.0, 3.0])

    def evaluate(design):
        return Evaluated(design, float(weight[sorted(design)].sum()) + 10.0 / len(design))

    result = design_search([frozenset({0})], 5, evaluate, max_evaluations=40)
    assert result.best.open == frozenset({1, 3})
    assert len(result.evaluated) <= 40


def test_cli_bench_lrp(tmp_path, capsys):
    """revlog bench lrp writes the solution JSON, prints a checked summary, exit 0."""
    inst = tiny_clrp(3)
    write_clrp(inst, tmp_path / "t.dat")
    code, out, _ = run_cli(
        ["bench", "lrp", tmp_path / "t.dat", "--time-limit", 1, "--solution", tmp_path / "s.json"],
        capsys,
    )
    assert code == 0
    summary = json.loads(out)
    sol = json.loads((tmp_path / "s.json").read_text())
    assert summary["feasible"] and summary["cost"] == pytest.approx(sol["cost"])
    assert check_lrp(inst, sol) == []


def test_cli_bench_lrp_bad_file(tmp_path, capsys):
    """A malformed instance exits 2 with file:field: reason and no traceback."""
    bad = tmp_path / "bad.dat"
    bad.write_text("x y\n")
    code, _, err = run_cli(["bench", "lrp", bad, "--time-limit", 1], capsys)
    assert code == 2 and "bad.dat:n:" in err and "Traceback" not in err


@pytest.mark.parametrize("clustered", [False, True])
def test_generated_larger_instance_solved_feasibly(tmp_path, clustered):
    """An unseen 100-customer instance in the Prodhon format is solved feasibly within the limit."""
    inst = generate_clrp(100, 10, seed=1, clustered=clustered)
    write_clrp(inst, tmp_path / "g.dat")
    back = read_clrp(tmp_path / "g.dat")
    result = solve_clrp(back, 3.0, seed=0)
    assert check_lrp(back, result.solution.to_json()) == []


#: The benchmark runs whose solutions are committed under bench/results (bench/lrp.py).
BENCH_RESULTS = sorted(
    (Path(__file__).resolve().parents[1] / "bench" / "results").glob("lrp_*_solutions")
)


@pytest.mark.parametrize("solutions", BENCH_RESULTS, ids=lambda p: p.name)
def test_committed_benchmark_solutions_pass_the_independent_checker(solutions, shipped):
    """Every CLRP solution bench/lrp.py committed is accepted by the independent checker
    (customers once, open depots only, vehicle and depot capacities) at the cost its CSV
    reports."""
    table = pd.read_csv(solutions.with_name(solutions.name.removesuffix("_solutions") + ".csv"))
    table = table[table["feasible"]]
    assert len(table)
    for row in table.itertuples():
        inst = read_clrp(shipped("lrp", row.set, f"{row.instance}.dat"))
        sol = json.loads((solutions / f"{row.instance}.{row.method}.json").read_text())
        assert check_lrp(inst, sol) == [], (row.instance, row.method)
        assert lrp_cost(inst, sol) == pytest.approx(row.cost, rel=1e-9), row.instance
