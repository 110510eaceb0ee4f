"""The OR-Tools pickup-run model, one feature per test, every result independently checked.

Instances are hand-made: matrices are written out (or built from a few coordinates) so
the expected effect of each rule can be worked out on paper.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math

import numpy as np
import pytest
from scipy.sparse.csgraph import shortest_path

from helpers.routing import WEEK, daily, make, random_case, sym
from revlog.check.routes import check_routes
from revlog.errors import RoutingInfeasibleError
from revlog.routing.ortools import solve_ortools
from revlog.routing.problem import DrivingRules, RoutingProblem, VehicleType

T = 0.5  # time limit per solve, s


def solve_checked(problem: RoutingProblem, **kw):
    sol = solve_ortools(problem, kw.pop("time_limit_s", T), **kw)
    assert check_routes(problem, sol) == []
    return sol


# -- driver rules --------------------------------------------------------------------------
def break_case(rules: DrivingRules) -> RoutingProblem:
    # base→s1 2 h, s1→s2 2.1 h, base→s2 3 h. s1 must be reached by 10:00 (so the run leaves
    # at 8:00) and s2 by 12:12: one run does both only if no 20-min break is needed.
    hours = sym([[0, 2.0, 3.0], [0, 0, 2.1], [0, 0, 0]])
    windows = [[(0.0, 48.0)], [(9.9, 10.0)], [(12.0, 12.2)]]
    return make(hours, windows=windows, rules=rules)


def test_break_rule_changes_the_route():
    """A 20-min break after 4 h of driving that makes a window unreachable splits the run in two."""
    free = solve_checked(break_case(DrivingRules(max_driving_h=None, max_days=1)))
    assert free.routes == [[1, 2]]
    ruled = solve_checked(break_case(DrivingRules(max_days=1)))
    assert sorted(ruled.routes) == [[1], [2]]
    assert ruled.fixed_cny == 1000 and free.fixed_cny == 500
    run2 = next(r for r in ruled.runs if r.nodes == [2])
    assert [b.kind for b in run2.breaks] == ["driving"]  # 6 h out and back: one break


def test_breaks_are_accounted_in_the_schedule():
    """A 5 h leg takes 5 h 20 min: the driving break is part of the run's schedule."""
    # a 5 h leg needs a break on the way: arrival = departure + 5 h + 20 min
    prob = make(sym([[0, 5.0], [0, 0]]), rules=DrivingRules(duty_h_per_day=12.0, max_days=1))
    sol = solve_checked(prob)
    (run,) = sol.runs
    out = run.stops[1].arrival_h - run.start_h
    assert out == pytest.approx(5.0 + 20 / 60, abs=1e-3)
    assert run.hours >= 10.0 + 40 / 60 - 1e-6
    assert sum(b.duration_h for b in run.breaks) == pytest.approx(40 / 60, abs=1e-3)


def test_daily_duty_limit_is_diagnosed_before_solving():
    """A stop out of reach within the daily duty limit is diagnosed, naming node and limit."""
    prob = make(sym([[0, 6.0], [0, 0]]), rules=DrivingRules(duty_h_per_day=10.0, max_days=1))
    with pytest.raises(RoutingInfeasibleError) as exc:
        solve_ortools(prob, T)
    assert "node 1 (s1)" in str(exc.value) and "run limit 10.00 h" in str(exc.value)


def test_multi_day_run_rests_overnight():
    """A run longer than one day's duty rests at least 11 h overnight and spans two days."""
    hours = sym([[0, 7.0], [0, 0]])
    rules = DrivingRules(max_days=2, duty_h_per_day=10.0, overnight_rest_h=11.0)
    prob = make(hours, service=[0, 0.5], windows=[WEEK, daily(8, 18)], rules=rules)
    # OR-Tools' own search handles this case: stop on solutions, not on a clock that a
    # loaded machine makes too short
    sol = solve_checked(prob, time_limit_s=30.0, solution_limit=3)
    (run,) = sol.runs
    nights = [b for b in run.breaks if b.kind == "overnight"]
    assert len(nights) == 1 and nights[0].duration_h >= 11.0
    assert run.stops[-1].day > run.stops[0].day or run.end_h - run.start_h > 24 - 1e-9
    assert run.hours > 10.0


def test_multi_day_run_with_night_ban_rests_at_night():
    """A two-day run under a 22-6 night ban takes its overnight rest across the ban."""
    hours = sym([[0, 7.0], [0, 0]])
    rules = DrivingRules(max_days=2, night_ban_h=(22.0, 6.0), shift_start_h=6.0)
    prob = make(hours, service=[0, 0.5], windows=[WEEK, daily(8, 18)], rules=rules)
    # OR-Tools' own search handles this case: stop on solutions, not on a clock that a
    # loaded machine makes too short
    sol = solve_checked(prob, time_limit_s=30.0, solution_limit=3)
    (run,) = sol.runs
    (night,) = [b for b in run.breaks if b.kind == "overnight"]
    day = night.start_h // 24
    assert night.duration_h >= 11.0 - 1e-6
    # the rest covers the whole 22-6 ban, at a place (here: the stop)
    assert night.start_h <= day * 24 + 22.0 + 1e-6 and night.end_h >= day * 24 + 30.0 - 1e-6
    assert night.place == "s1"


def test_night_ban_delays_service_until_after_the_ban():
    """No run drives in the night ban: service waits until after it; a run that does is flagged."""
    # s1 opens 4:30-11:00 and is 4 h away; without a ban it can be served at 4:30
    # (leaving at 0:30), with a 0-6 ban the vehicle leaves at 6:00 at the earliest.
    hours = sym([[0, 4.0, 1.0], [0, 0, 4.0], [0, 0, 0]])
    windows = [WEEK, daily(4.5, 11.0), daily(4.5, 18)]
    base = dict(shift_start_h=0.0, duty_h_per_day=10.0, max_days=1)
    rules = DrivingRules(night_ban_h=(0.0, 6.0), **base)
    banned = solve_checked(make(hours, windows=windows, rules=rules), time_limit_s=1.0)
    s1 = next(s for r in banned.runs for s in r.stops if s.node == 1)
    assert s1.start_h % 24 >= 10.0 - 1e-6
    assert all(r.start_h % 24 >= 6.0 - 1e-6 for r in banned.runs)
    # the same schedule shifted 5 h earlier would drive in the ban: the checker says so
    early = make(hours, windows=[WEEK, daily(0, 24), daily(0, 24)], rules=rules)
    shifted = copy.deepcopy(banned)
    for run in shifted.runs:
        run.stops = [
            dataclasses.replace(
                st,
                arrival_h=st.arrival_h - 5,
                start_h=st.start_h - 5,
                departure_h=st.departure_h - 5,
                day=int((st.start_h - 5) // 24),
            )
            for st in run.stops
        ]
        run.breaks = [dataclasses.replace(b, start_h=b.start_h - 5) for b in run.breaks]
    assert any("night ban" in e for e in check_routes(early, shifted))


def test_multi_trip_reuses_one_vehicle_on_separate_days():
    """With multi-trip one vehicle makes several runs; without it a one-van fleet is infeasible."""
    hours = sym([[0, 1, 1, 1], [0, 0, 0.2, 0.2], [0, 0, 0, 0.2], [0] * 4])
    types = [VehicleType("van", 1000, 0, 100, 1.0, 1)]
    prob = make(
        hours,
        intact=[0, 600, 600, 600],
        types=types,
        rules=DrivingRules(allow_multi_trip=True, max_days=1),
    )
    sol = solve_checked(prob)
    assert len(sol.runs) == 3
    assert {(r.vehicle_type, r.vehicle) for r in sol.runs} == {("van", 0)}
    assert sorted(r.trip for r in sol.runs) == [0, 1, 2]
    single = make(hours, intact=[0, 600, 600, 600], types=types, rules=DrivingRules(max_days=1))
    with pytest.raises(RoutingInfeasibleError, match="fleet"):
        solve_ortools(single, T)


# -- capacities and fleet ------------------------------------------------------------------
def damaged_case(damaged: bool) -> RoutingProblem:
    hours = sym([[0, 1.0, 1.0], [0, 0, 0.1], [0, 0, 0]])
    types = [
        VehicleType("van", 3000, 0, 100, 1.0, 2),  # carries no damaged packs
        VehicleType("box", 3000, 300, 500, 1.5, 2),  # certified boxes for 300 kg
    ]
    if damaged:
        return make(hours, intact=[0, 100, 100], damaged=[0, 200, 200], types=types)
    return make(hours, intact=[0, 300, 300], types=types)


def test_damaged_packs_force_a_second_certified_vehicle():
    """Damaged packs ride only in certified boxes, within their capacity: 400 kg take two runs."""
    plain = solve_checked(damaged_case(False))
    assert plain.routes in ([[1, 2]], [[2, 1]]) and plain.runs[0].vehicle_type == "van"
    sol = solve_checked(damaged_case(True))
    assert sorted(sol.routes) == [[1], [2]]
    assert all(r.vehicle_type == "box" for r in sol.runs)
    assert all(r.stops[-1].load_damaged_kg <= 300 for r in sol.runs)


def test_heterogeneous_fleet_picks_the_cheaper_type():
    """A mixed fleet serves the stops with the vehicle type that costs least for the job."""
    hours = sym([[0, 50, 50, 50], [0, 0, 1, 1], [0, 0, 0, 1], [0] * 4]) / 60.0
    types = [
        VehicleType("small", 1000, 0, 100, 1.0, 3),
        VehicleType("big", 5000, 0, 300, 1.5, 1),
    ]
    three = solve_checked(make(hours, intact=[0, 900, 900, 900], types=types))
    # 3 small runs: 3 × (100 + 100 km) = 600; one big run: 300 + 1.5 × 102 km = 453
    assert [r.vehicle_type for r in three.runs] == ["big"]
    assert three.objective_cny == pytest.approx(453.0)
    one = solve_checked(make(hours[:2, :2], intact=[0, 900], types=types))
    assert [r.vehicle_type for r in one.runs] == ["small"]
    assert one.objective_cny == pytest.approx(200.0)


def test_pickup_larger_than_every_vehicle_is_diagnosed():
    """A pickup larger than every payload is diagnosed, naming the node and the largest payload."""
    prob = make(sym([[0, 1.0], [0, 0]]), intact=[0, 6000])
    with pytest.raises(RoutingInfeasibleError, match=r"node 1 \(s1\).*largest payload 5000"):
        solve_ortools(prob, T)


def test_damaged_packs_without_certified_vehicle_are_diagnosed():
    """Damaged packs with no vehicle type at the base to carry them are diagnosed."""
    prob = make(sym([[0, 1.0], [0, 0]]), damaged=[0, 10])
    with pytest.raises(RoutingInfeasibleError, match="no vehicle type at the base carries"):
        solve_ortools(prob, T)


# -- restricted roads ----------------------------------------------------------------------
def square_roads(restricted: set[str]):
    """Base and 3 shops on a 100 km square; the s1-s2 side is a tunnel (restricted class)."""
    xy = np.array([[0, 0], [100, 0], [100, 100], [0, 100]], dtype=float)
    edges = {(0, 1): "g", (1, 2): "tunnel", (2, 3): "g", (0, 3): "g", (0, 2): "g", (1, 3): "g"}
    n = len(xy)
    w = np.zeros((n, n))
    for (i, j), cls in edges.items():
        if cls not in restricted:
            w[i, j] = w[j, i] = round(float(np.hypot(*(xy[i] - xy[j]))), 1)
    dist, pred = shortest_path(w, directed=False, return_predecessors=True)
    classes = {}
    for i, j in itertools.product(range(n), repeat=2):
        used, k = set(), j
        while i != j and k != i:
            p = pred[i, k]
            used.add(edges.get((min(p, k), max(p, k))))
            k = p
        classes[(i, j)] = used
    return dist, classes


def best_tour_km(km: np.ndarray) -> float:
    n = len(km)
    return min(
        km[0, p[0]] + sum(km[a, b] for a, b in itertools.pairwise(p)) + km[p[-1], 0]
        for p in itertools.permutations(range(1, n))
    )


def test_restricted_road_class_forces_a_detour():
    """Runs avoid restricted road classes by a longer detour; a run using one is flagged."""
    open_km, open_cls = square_roads(set())
    detour_km, detour_cls = square_roads({"tunnel"})
    assert detour_km[1, 2] > open_km[1, 2]
    types = [VehicleType("truck", 5000, 0, 0, 1.0, 1)]
    meta = {"path_classes": detour_cls, "restricted_classes": {"tunnel"}}
    a = solve_checked(make(open_km / 60, km=open_km, types=types))
    b = solve_checked(make(detour_km / 60, km=detour_km, types=types, meta=meta))
    assert a.distance_km == pytest.approx(best_tour_km(open_km)) == pytest.approx(400.0)
    assert b.distance_km == pytest.approx(best_tour_km(detour_km))
    assert b.distance_km > a.distance_km
    assert sorted(a.routes[0][i : i + 2] for i in range(2)) != sorted(
        b.routes[0][i : i + 2] for i in range(2)
    )
    # the open-road tour, judged against the restricted road classes, is caught
    open_with_meta = make(
        open_km / 60,
        km=open_km,
        types=types,
        meta={"path_classes": open_cls, "restricted_classes": {"tunnel"}},
    )
    assert any("restricted road class" in e for e in check_routes(open_with_meta, a))


def test_missing_road_is_never_driven():
    """A missing road (infinite distance) is never driven: its two ends go on separate runs."""
    km = sym([[0, 10, 10], [0, 0, 10], [0, 0, 0]])
    km[1, 2] = km[2, 1] = np.inf
    sol = solve_checked(make(km / 60, km=km, types=[VehicleType("t", 5000, 0, 0, 1.0, 2)]))
    assert sorted(sol.routes) == [[1], [2]]


# -- drops ---------------------------------------------------------------------------------
def test_drop_penalty_drops_uneconomic_stop_and_reports_it():
    """Under a drop penalty a stop costing more than the penalty is dropped and the penalty paid."""
    hours = sym([[0, 1.0, 10.0], [0, 0, 10.0], [0, 0, 0]])
    types = [VehicleType("truck", 5000, 0, 0, 1.0, 2)]
    # serving s1 costs 120 CNY (< 200: kept), s2 1200 CNY (> 200: dropped)
    sol = solve_checked(make(hours, types=types, penalty=200.0))
    assert sol.dropped == [2] and sol.routes == [[1]]
    assert sol.penalty_cny == 200.0
    assert sol.objective_cny == pytest.approx(120.0 + 200.0)
    kept = solve_checked(make(hours, types=types, penalty=10_000.0))
    assert kept.dropped == []


def test_unreachable_window_raises_without_penalty_and_drops_with_one():
    """An unreachable window fails with a diagnosis; under a drop penalty it is dropped, noted."""
    hours = sym([[0, 3.0, 1.0], [0, 0, 3.0], [0, 0, 0]])
    windows = [[(8.0, 40.0)], [(0.0, 9.0)], [(8.0, 40.0)]]
    with pytest.raises(RoutingInfeasibleError, match=r"node 1 \(s1\): earliest arrival 11.00 h"):
        solve_ortools(make(hours, windows=windows, rules=DrivingRules(max_days=1)), T)
    sol = solve_checked(
        make(hours, windows=windows, rules=DrivingRules(max_days=1), penalty=5000.0)
    )
    assert sol.dropped == [1]
    assert any("expected drop: node 1" in note for note in sol.notes)


# -- search --------------------------------------------------------------------------------
def test_same_seed_gives_same_routes():
    """The same seed gives the same routes, objective and vehicle types."""
    prob = random_case(3)
    a = solve_checked(prob, time_limit_s=10.0, seed=5, solution_limit=8)
    b = solve_checked(prob, time_limit_s=10.0, seed=5, solution_limit=8)
    assert a.routes == b.routes and a.objective_cny == b.objective_cny
    assert [r.vehicle_type for r in a.runs] == [r.vehicle_type for r in b.runs]
    assert a.seconds < 10.0


def test_initial_routes_are_used_when_feasible_and_ignored_otherwise():
    """Feasible initial routes seed the search (never worse); infeasible ones are ignored."""
    prob = random_case(4, n=8)
    first = solve_checked(prob)
    warm = solve_checked(prob, initial_routes=first.routes)
    assert "started from the given initial routes" in warm.notes
    assert warm.objective_cny <= first.objective_cny + 1e-6
    bad = solve_checked(prob, initial_routes=[list(range(1, prob.n_nodes))])  # overloads
    assert any("ignored" in note for note in bad.notes)


def test_tables_have_documented_columns():
    """A solution's tables have the documented columns, one row and id per run, break kinds."""
    sol = solve_checked(break_case(DrivingRules(max_days=1)))
    prob = break_case(DrivingRules(max_days=1))
    frames = sol.to_frames(prob)
    assert list(frames["stops"].columns) == [
        "run_id", "seq", "node", "node_id", "day", "arrival_h", "start_h", "departure_h",
        "pickup_intact_kg", "pickup_damaged_kg", "load_intact_kg", "load_damaged_kg",
    ]  # fmt: skip
    runs = frames["routes"]
    assert len(runs) == 2 and runs["km"].sum() == pytest.approx(sol.distance_km)
    assert runs["run_id"].tolist() == [f"{prob.name}/001", f"{prob.name}/002"]
    assert set(frames["breaks"]["kind"]) == {"driving"}


# -- plain benchmark problem ---------------------------------------------------------------
def solomon_like(seed: int = 7, n: int = 9):
    """A tiny VRPTW in Solomon conventions: truncated one-decimal distances, time = distance."""
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 60, size=(n, 2)).astype(float)
    xy[0] = [30, 30]
    d = np.floor(10 * np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))) / 10
    demand = np.r_[0, rng.integers(5, 30, n - 1)]
    ready = np.r_[0, rng.integers(0, 120, n - 1)]
    windows = [[(0.0, 300.0)]] + [[(float(r), float(r + 60))] for r in ready[1:]]
    service = np.r_[0, np.full(n - 1, 10.0)]
    prob = RoutingProblem(
        name="tiny-solomon",
        node_ids=[str(i) for i in range(n)],
        km=d,
        hours=d,
        pickup_intact_kg=demand.astype(float),
        pickup_damaged_kg=np.zeros(n),
        service_h=service,
        time_windows_h=windows,
        vehicle_types=[VehicleType("v", 60, count=n - 1)],
        horizon_h=300.0,
    )
    return prob


def brute_force_vrptw(p: RoutingProblem) -> float:
    """Optimal total distance by enumerating every feasible route, then set partitioning."""
    n = p.n_nodes
    d, cap = p.km, p.vehicle_types[0].payload_kg
    best: dict[int, float] = {}

    def extend(mask, last, t, load, dist):
        back = t + p.service_h[last] + d[last, 0] if last else 0.0
        if mask and back <= p.time_windows_h[0][0][1] + 1e-9:
            best[mask] = min(best.get(mask, math.inf), dist + d[last, 0])
        for j in range(1, n):
            if mask >> j & 1 or load + p.pickup_intact_kg[j] > cap:
                continue
            arr = (t + p.service_h[last] if last else t) + d[last, j]
            lo, hi = p.time_windows_h[j][0]
            if arr <= hi + 1e-9:
                extend(
                    mask | 1 << j, j, max(arr, lo), load + p.pickup_intact_kg[j], dist + d[last, j]
                )

    extend(0, 0, 0.0, 0.0, 0.0)
    full = sum(1 << j for j in range(1, n))
    f = {0: 0.0}
    for mask in sorted(range(0, full + 1, 2), key=lambda m: bin(m).count("1")):
        if mask == 0:
            continue
        low = mask & -mask
        sub, val = mask, math.inf
        while sub:
            if sub & low and sub in best and (mask ^ sub) in f:
                val = min(val, best[sub] + f[mask ^ sub])
            sub = (sub - 1) & mask
        f[mask] = val
    return f[full]


def test_plain_solomon_like_instance_reaches_its_optimum():
    """On a tiny Solomon-style VRPTW the model reaches the brute-force optimum."""
    prob = solomon_like()
    opt = brute_force_vrptw(prob)
    assert math.isfinite(opt)
    sol = solve_checked(prob, time_limit_s=1.5)
    assert sol.distance_km == pytest.approx(opt, abs=1e-6)
    assert sol.objective_cny == pytest.approx(opt, abs=1e-6)
    assert all(len(r) > 0 for r in sol.routes)
