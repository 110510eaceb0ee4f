"""Benchmark readers, .sol files and the independent checker (revlog.bench.vrp)."""

from __future__ import annotations

import numpy as np
import pytest

from revlog.bench.vrp import (
    RUN_COLUMNS,
    check_routes,
    check_sol_file,
    format_csv,
    format_sol,
    read_instance,
    read_sol,
    read_solomon,
    read_vrplib,
    route_distance,
    run_vrp,
    write_sol,
)

SOLOMON_TINY = """TINY

VEHICLE
NUMBER     CAPACITY
  2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0        100          0
    1      1          1          4          0         10          1
    2      3          4          5          0         50          2
    3      0          3          6         20         30          1
"""

VRPLIB_TINY = """NAME : tiny
COMMENT : hand-written
TYPE : CVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 1 1
3 3 4
4 1 2
DEMAND_SECTION
1 0
2 4
3 5
4 6
DEPOT_SECTION
1
-1
EOF
"""


@pytest.fixture
def solomon_tiny(tmp_path):
    path = tmp_path / "TINY.txt"
    path.write_bytes(SOLOMON_TINY.replace("\n", "\r\n").encode())  # shipped files are CRLF
    return path


@pytest.fixture
def vrplib_tiny(tmp_path):
    path = tmp_path / "tiny.vrp"
    path.write_text(VRPLIB_TINY)
    return path


def test_solomon_reader_truncates_to_one_decimal(solomon_tiny):
    """The Solomon reader truncates distances to one decimal; time = distance; fleet unlimited."""
    p = read_solomon(solomon_tiny)
    assert p.name == "TINY" and p.n_nodes == 4
    assert p.km[0, 1] == pytest.approx(1.4)  # sqrt(2) = 1.414… truncated
    assert p.km[0, 2] == pytest.approx(5.0)
    assert p.km[1, 2] == pytest.approx(3.6)  # sqrt(13) = 3.605…
    np.testing.assert_array_equal(p.km, p.hours)
    np.testing.assert_array_equal(p.pickup_intact_kg, [0, 4, 5, 6])
    np.testing.assert_array_equal(p.service_h, [0, 1, 2, 1])
    assert p.time_windows_h[3] == [(20.0, 30.0)]
    assert p.horizon_h == 100.0
    (vt,) = p.vehicle_types
    assert vt.payload_kg == 10 and vt.count == 3  # fleet unlimited: one per customer
    assert p.meta["file_vehicles"] == 2


def test_vrplib_reader_rounds_to_nearest_integer(vrplib_tiny):
    """The VRPLIB reader rounds EUC_2D distances to the nearest integer."""
    p = read_vrplib(vrplib_tiny)
    assert p.n_nodes == 4
    assert p.km[0, 1] == 1.0  # 1.414
    assert p.km[0, 2] == 5.0
    assert p.km[0, 3] == 2.0  # 2.236
    assert p.km[1, 2] == 4.0  # sqrt(13) = 3.61
    np.testing.assert_array_equal(p.pickup_intact_kg, [0, 4, 5, 6])
    assert p.vehicle_types[0].payload_kg == 10
    assert read_instance(vrplib_tiny).km[0, 2] == 5.0


def test_sol_round_trip(tmp_path):
    """A .sol file reads back its routes and cost; empty routes are not written."""
    routes = [[3, 1], [2]]
    path = write_sol(tmp_path / "a.sol", [*routes, []], 12.3)
    assert path.read_text().splitlines()[0] == "Route #1: 3 1"
    assert read_sol(path) == (routes, 12.3)
    assert format_sol([[1]], 7.0).splitlines()[-1] == "Cost 7"


def test_checker_accepts_a_feasible_solution(solomon_tiny):
    """The VRP checker accepts a feasible solution and reports its distance and vehicles."""
    p = read_solomon(solomon_tiny)
    # 0 -> 1 (1.4, service to 2.4) -> 2 (+3.6 = 6.0, service to 8.0) -> 0 (+5.0 = 13.0)
    # 0 -> 3 (3.0, waits to 20, service to 21) -> 0 (+3.0 = 24.0)
    res = check_routes(p, [[1, 2], [3]])
    assert res.feasible, res.violations
    assert res.distance == pytest.approx(1.4 + 3.6 + 5.0 + 3.0 + 3.0)
    assert res.vehicles == 2


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ([[1, 2], [3, 1]], "twice"),
        ([[1, 2]], "unserved"),
        ([[1, 2, 3]], "capacity"),
        ([[2, 1], [3]], "too late"),  # 0 -> 2 (5.0, to 7.0) -> 1 (+3.6 = 10.6 > due 10)
        ([[1, 2], [3, 7]], "not a customer"),
    ],
)
def test_checker_catches_corrupted_solutions(solomon_tiny, routes, message):
    """The VRP checker rejects a stop twice, unserved, over capacity, too late or unknown."""
    p = read_solomon(solomon_tiny)
    res = check_routes(p, routes)
    assert not res.feasible
    assert any(message in v for v in res.violations), res.violations


def test_checker_catches_a_late_return_and_a_wrong_cost(solomon_tiny, tmp_path):
    """The VRP checker rejects a late return to the depot and a .sol with a wrong Cost line."""
    p = read_solomon(solomon_tiny)
    p.time_windows_h[0] = [(0.0, 12.0)]
    p.horizon_h = 12.0
    res = check_routes(p, [[1, 2], [3]])
    assert not res.feasible and any("back at" in v for v in res.violations)
    ok = read_solomon(solomon_tiny)
    sol = write_sol(tmp_path / "x.sol", [[1, 2], [3]], 99.0)
    res = check_sol_file(ok, sol)
    assert not res.feasible and any("Cost line" in v for v in res.violations)


def test_run_vrp_writes_checked_sol_files(solomon_tiny, vrplib_tiny, tmp_path):
    """bench vrp writes a feasible .sol per instance, optimal on the tiny CVRP, and a CSV table."""
    out = tmp_path / "routes"
    table = run_vrp([solomon_tiny, vrplib_tiny], 0.3, seed=0, routes_dir=out)
    assert list(table.columns) == RUN_COLUMNS
    assert table["feasible"].all()
    assert set(table["instance"]) == {"TINY", "tiny"}
    for name in ("TINY", "tiny"):
        assert check_sol_file(solomon_tiny if name == "TINY" else vrplib_tiny,
                              out / f"{name}.sol").feasible  # fmt: skip
    # tiny CVRP ({2,3} exceeds the capacity): {1,2}+{3} = 10 + 4 and {1,3}+{2} = 4 + 10
    # tie at the optimum 14; three single routes cost 2 + 10 + 4 = 16.
    assert table.set_index("instance").loc["tiny", "distance"] == 14.0
    text = format_csv(table)
    assert text.splitlines()[0] == "instance,vehicles,distance,seconds,feasible"


@pytest.mark.parametrize(
    ("instance", "sol", "cost", "routes"),
    [
        ("C101", "distance_only/C101", 827.3, 10),
        ("R101", "distance_only/R101", 1637.7, 20),
        ("RC105", "distance_only/RC105", 1513.7, 15),
        ("X-n101-k25", "X-n101-k25", 27591, 26),
    ],
)
def test_shipped_optimal_solutions_check_out(instance, sol, cost, routes, shipped):
    """The shipped best-known solutions check out with their published cost and route count."""
    if instance.startswith("X"):
        inst = shipped("cvrplib", "X", f"{instance}.vrp")
        sol_path = shipped("cvrplib", "X", f"{sol}.sol")
    else:
        inst = shipped("solomon", f"{instance}.txt")
        sol_path = shipped("solomon", "solutions", f"{sol}.sol")
    res = check_sol_file(inst, sol_path)
    assert res.feasible, res.violations
    assert res.distance == pytest.approx(cost)
    assert res.vehicles == routes


def test_shipped_solomon_reader_and_corruption(shipped):
    """C101 reads with its capacity and horizon; its solution's km check; corruptions are caught."""
    p = read_instance(shipped("solomon", "C101.txt"))
    assert p.n_nodes == 101 and p.vehicle_types[0].payload_kg == 200
    assert p.horizon_h == 1236
    routes, _ = read_sol(shipped("solomon", "solutions", "distance_only", "C101.sol"))
    assert route_distance(p, routes) == pytest.approx(827.3)
    reversed_first = [routes[0][::-1], *routes[1:]]  # C1 windows are tight: breaks them
    assert not check_routes(p, reversed_first).feasible
    merged = [routes[0] + routes[1], *routes[2:]]
    assert not check_routes(p, merged).feasible  # two loads of ~180 > 200
