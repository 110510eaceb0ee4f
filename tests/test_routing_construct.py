"""Stage-2 failure modes of the 2030 scenario, rebuilt as small hand-made problems.

Each test reproduces one way in which a base of ``qinghai-2030`` failed, on a problem
small enough to work out on paper, and checks every answer with the independent checker:

* a far stop whose two-day run comes back before the base opens (C-golmud, Mangnai);
* a fleet with little slack, where savings routes all want the big truck (S-xining
  with the enlarged 2030 fleet);
* pickups the fleet cannot carry in its runs, which must fail at once with a diagnosis
  naming the vehicles and the limit (S-chengdu and S-xining with the original fleet).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from helpers.routing import daily, make, sym
from revlog.check.routes import check_routes
from revlog.errors import RoutingInfeasibleError
from revlog.routing.engine import solve_routing
from revlog.routing.ortools import solve_ortools
from revlog.routing.problem import DrivingRules, VehicleType
from revlog.routing.rules import diagnose, fleet_limits

#: The scenario's driver rules: 4 h / 20 min, 10 h duty, 11 h rests, runs of up to 4
#: days, several runs per vehicle in the week.
RULES = DrivingRules(max_days=4, duty_h_per_day=10.0, allow_multi_trip=True)
VAN = VehicleType("van", 1500.0, 0.0, 300.0, 2.5, 2)
TRUCK = VehicleType("truck", 3000.0, 600.0, 600.0, 4.0, 2)
BASE_HOURS = daily(6.0, 22.0)  # the outlet receives 6-22 every day
SHOP_HOURS = daily(8.0, 18.0, days=5)  # shops open 8-18 on weekdays


def _limit(prob) -> float:
    """The time limit of the goal: 0.5 s per stop, at least 1 s."""
    return max(1.0, 0.5 * (prob.n_nodes - 1))


def _served_once(prob, sol) -> None:
    assert check_routes(prob, sol) == []
    assert sol.dropped == []
    assert sorted(x for run in sol.runs for x in run.nodes) == list(range(1, prob.n_nodes))


def _golmud():
    """Four town stops near the base, Da Qaidam 3 h out and Mangnai 8.8 h out.

    Every stop has damaged packs (vans cannot take any). Mangnai alone: leaving at 8:00
    the truck arrives at 17:28 (8.8 h + two breaks), but serving would break the 10 h
    duty, so it rests, serves at 8:00 the next morning, rests again on the way back
    and reaches the base at about 5 o'clock on day 3, before it opens at 6: it must
    wait at the gate. The old schedule builder rejected such a return, so Mangnai got
    no run at all.
    """
    town = [0.15, 0.08, 0.16, 0.06]
    far = {5: 3.03, 6: 8.8}  # node -> hours from the base
    n = 7
    h = np.zeros((n, n))
    for i, x in enumerate(town, start=1):
        h[0, i] = x
    for i in range(1, 5):
        for j in range(i + 1, 5):
            h[i, j] = abs(town[i - 1] - town[j - 1]) + 0.05
    for i, x in far.items():
        h[0, i] = x
        for j in range(1, 5):
            h[j, i] = x + 0.1
    h[5, 6] = 8.06
    return make(
        sym(h),
        intact=[0, 900, 1400, 1300, 700, 610, 1100],
        damaged=[0, 30, 100, 90, 20, 30, 35],
        service=[0, 0.6, 0.9, 0.8, 0.5, 0.63, 0.73],
        windows=[BASE_HOURS] + [SHOP_HOURS] * (n - 1),
        types=[VAN, TRUCK],
        rules=RULES,
        name="golmud-like",
    )


def test_a_far_run_waits_at_the_gate_until_the_base_opens():
    """A multi-day run back before the base opens waits at the gate until it opens."""
    prob = _golmud()
    assert diagnose(prob) == []
    limit = _limit(prob)
    sol = solve_ortools(prob, limit)
    _served_once(prob, sol)
    assert sol.seconds <= limit + 0.5
    (far,) = [run for run in sol.runs if 6 in run.nodes]
    assert sum(b.kind == "overnight" for b in far.breaks) >= 2  # out, serve, back: 3 days
    assert all(b.place for b in far.breaks if b.kind == "overnight")  # rests at places
    assert {run.vehicle_type for run in sol.runs} == {"truck"}


def test_a_run_back_before_the_base_opens_waits_at_the_gate():
    """A run ends within the base's opening hours: back early, it waits until the gate opens."""
    # one stop 5 h away, served 16:00-20:00 (too late to drive back within the day's duty);
    # the base opens 6-22 on day one and only 16-22 on day two
    prob = make(
        sym([[0, 5.0], [0, 0]]),
        service=[0, 0.5],
        windows=[[(6.0, 22.0), (40.0, 46.0)], [(16.0, 20.0)]],
        rules=DrivingRules(max_days=2, shift_start_h=6.0, duty_h_per_day=10.0),
        horizon_h=48.0,
    )
    sol = solve_ortools(prob, 5.0)
    (run,) = sol.runs
    assert run.stops[1].start_h >= 16.0 - 1e-6
    back = run.stops[-1]
    assert 40.0 - 1e-6 <= back.arrival_h <= 46.0 + 1e-6  # after a night's rest it waits for 16:00
    assert check_routes(prob, sol) == []


def test_the_engine_solves_the_far_run_case_within_its_limit():
    """The engine serves every stop of the far-run case once, within its time limit."""
    prob = _golmud()
    limit = _limit(prob)
    t0 = time.perf_counter()
    sol = solve_routing(prob, limit, seed=0)
    assert time.perf_counter() - t0 <= limit + 0.5
    _served_once(prob, sol)


def _tight_fleet(n_stops: int = 20):
    """Stops of 2.5 t each next to the base; one 8 t truck and two 3 t trucks.

    Savings merges three stops per route (7.5 t): seven routes, all for the one 8 t
    truck, which can do only five runs in the week (one per shop day, 11 h rest between
    runs); each stop alone needs 20 runs, but the fleet has 15. Filled vehicle by
    vehicle, the big truck takes three stops a run and the small ones one: 15 + 10 = 25
    stops fit. (OR-Tools' own search found runs only after its whole 10 s.)
    """
    rng = np.random.default_rng(7)
    xy = rng.uniform(0.0, 20.0, (n_stops + 1, 2))
    xy[0] = 10.0
    km = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    big = VehicleType("truck-8t", 8000.0, 1500.0, 800.0, 5.0, 1)
    small = VehicleType("truck-3t", 3000.0, 600.0, 600.0, 4.0, 2)
    return make(
        km / 50.0,
        km=km,
        intact=[0] + [2400.0] * n_stops,
        damaged=[0] + [100.0] * n_stops,
        service=[0] + [0.5] * n_stops,
        windows=[BASE_HOURS] + [SHOP_HOURS] * n_stops,
        types=[VAN, small, big],
        rules=RULES,
        name="tight-fleet",
    )


def test_a_fleet_with_little_slack_is_filled_vehicle_by_vehicle():
    """A fleet with little slack is filled vehicle by vehicle, from constructed runs, quickly."""
    prob = _tight_fleet()
    assert diagnose(prob) == []
    limit = _limit(prob)
    sol = solve_ortools(prob, limit)
    _served_once(prob, sol)
    # built, not searched for
    assert any(n.startswith("started from constructed runs") for n in sol.notes), sol.notes
    assert sol.seconds <= limit / 2
    kinds = {run.vehicle_type for run in sol.runs}
    assert kinds == {"truck-3t", "truck-8t"}  # the big truck alone cannot do it
    assert sol.n_runs <= 15


def test_rule_runs_are_reproducible_through_the_engine():
    """The engine with one seed gives the same routes, start times and vehicle trips twice."""
    prob = _tight_fleet(12)
    a = solve_routing(prob, _limit(prob), seed=3)
    b = solve_routing(prob, _limit(prob), seed=3)
    assert a.routes == b.routes
    assert [r.start_h for r in a.runs] == [r.start_h for r in b.runs]
    assert [(r.vehicle_type, r.vehicle, r.trip) for r in a.runs] == [
        (r.vehicle_type, r.vehicle, r.trip) for r in b.runs
    ]
    _served_once(prob, a)


def _certified_only(n_stops: int, kg: float):
    """Stops that all have damaged packs: only the two certified trucks may take them."""
    n = n_stops + 1
    h = np.full((n, n), 0.3)
    np.fill_diagonal(h, 0.0)
    return make(
        h,
        intact=[0] + [kg] * n_stops,
        damaged=[0] + [100.0] * n_stops,
        service=[0] + [1.0] * n_stops,
        windows=[BASE_HOURS] + [SHOP_HOURS] * n_stops,
        types=[VAN, TRUCK],
        rules=RULES,
        name="certified-only",
    )


def test_pickups_beyond_the_certified_fleet_fail_at_once_with_a_diagnosis():
    """Damaged stops needing more runs than the certified fleet has fail at once, naming it."""
    # 12 stops × 2.1 t = 25.2 t, but two 3 t trucks × 5 runs carry 30 t: kg alone is no
    # proof. Each stop fills more than half a truck, though: 12 runs needed, 10 possible.
    prob = _certified_only(12, 2000.0)
    (d,) = fleet_limits(prob)
    assert d.code == "fleet_runs" and d.setting == "count"
    assert "12 of the 12 stops only truck can carry" in d.message
    assert "10 run(s)" in d.message
    for solve in (solve_ortools, solve_routing):
        t0 = time.perf_counter()
        with pytest.raises(RoutingInfeasibleError) as exc:
            solve(prob, 30.0)
        assert time.perf_counter() - t0 < 1.0  # no search
        assert "only truck can carry" in str(exc.value)


def test_total_kg_beyond_the_certified_fleet_names_the_payload_limit():
    """Damaged stops over the certified fleet's total payload fail at once, naming that payload."""
    # 21 stops × 2.1 t = 44.1 t for two 3 t trucks × 5 runs = 30 t (S-chengdu, 2030);
    # the whole fleet (vans too) would carry 45 t: only the certified group proves it.
    prob = _certified_only(21, 2000.0)
    found = diagnose(prob)
    assert any(
        d.code == "fleet_capacity"
        and "pick up 44100 kg" in d.message
        and "payload of truck" in d.message
        and "30000 kg" in d.message
        for d in found
    )
    t0 = time.perf_counter()
    with pytest.raises(RoutingInfeasibleError):
        solve_routing(prob, 30.0, seed=0)
    assert time.perf_counter() - t0 < 1.0


def test_fleet_limits_stay_silent_when_runs_suffice():
    """The fleet-limit diagnosis stays silent when the runs exactly suffice, and all are served."""
    # 10 stops of 2.1 t: exactly the 10 runs the two trucks have in the week
    prob = _certified_only(10, 2000.0)
    assert fleet_limits(prob) == []
    sol = solve_ortools(prob, _limit(prob))
    _served_once(prob, sol)
    assert sol.n_runs == 10
