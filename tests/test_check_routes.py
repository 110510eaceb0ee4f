"""The route checker catches every kind of violation: corrupt a solution, see it flagged."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from helpers.routing import WEEK, daily, make, random_case, sym
from revlog.check.routes import check_routes
from revlog.routing.linehaul import LinehaulFlow, size_linehauls
from revlog.routing.ortools import solve_ortools
from revlog.routing.problem import DrivingRules, VehicleType
from revlog.routing.solution import Break


@pytest.fixture(scope="module")
def rich():
    prob = random_case(11, n=9)
    sol = solve_ortools(prob, 0.5)
    assert check_routes(prob, sol) == []
    return prob, sol


@pytest.fixture(scope="module")
def long_run():
    """A 7 h leg each way: driving breaks, a night ban and an overnight rest (two days)."""
    rules = DrivingRules(max_days=2, night_ban_h=(22.0, 6.0), shift_start_h=6.0)
    prob = make(
        sym([[0, 7.0], [0, 0]]), service=[0, 0.5], windows=[WEEK, daily(8, 18)], rules=rules
    )
    sol = solve_ortools(prob, 20.0, solution_limit=3)  # stops early; 20 s only caps a loaded CPU
    assert check_routes(prob, sol) == []
    return prob, sol


def corrupt(sol, fn):
    bad = copy.deepcopy(sol)
    fn(bad)
    return bad


def replace_stop(run, k, **kw):
    run.stops[k] = dataclasses.replace(run.stops[k], **kw)


def has(errs, text):
    return any(text in e for e in errs), errs


def test_stop_served_twice(rich):
    """Every stop is served once: a stop served in two runs is flagged."""
    prob, sol = rich
    node = sol.runs[0].stops[1]
    bad = corrupt(sol, lambda s: s.runs[-1].stops.insert(1, node))
    assert has(check_routes(prob, bad), "served 2 times")[0]


def test_stop_missing(rich):
    """A stop neither served nor dropped is flagged."""
    prob, sol = rich
    bad = corrupt(sol, lambda s: s.runs[0].stops.pop(1))
    assert has(check_routes(prob, bad), "neither served nor dropped")[0]


def test_drop_without_penalty(rich):
    """Stops may be dropped only under a drop penalty: a drop without one is flagged."""
    prob, sol = rich
    bad = corrupt(sol, lambda s: (s.runs[0].stops.pop(1), s.dropped.append(sol.runs[0].nodes[0])))
    assert has(check_routes(prob, bad), "no drop penalty")[0]


def test_overload_and_wrong_reported_load(rich):
    """Loads stay within payload and certified boxes and match the pickups, or are flagged."""
    prob, sol = rich
    small = dataclasses.replace(
        prob,
        vehicle_types=[
            dataclasses.replace(t, payload_kg=100.0, damaged_capacity_kg=0.0)
            for t in prob.vehicle_types
        ],
    )
    errs = check_routes(small, sol)
    assert has(errs, "exceeds payload")[0]
    if any(r.stops[-1].load_damaged_kg > 0 for r in sol.runs):
        assert has(errs, "certified-box capacity")[0]
    bad = corrupt(sol, lambda s: replace_stop(s.runs[0], 1, load_intact_kg=-1.0))
    assert has(check_routes(prob, bad), "differs from pickups")[0]


def test_window_and_service(rich):
    """Service starts inside the stop's windows and lasts its service time, or is flagged."""
    prob, sol = rich
    st = sol.runs[0].stops[1]
    bad = corrupt(
        sol,
        lambda s: replace_stop(
            s.runs[0], 1, start_h=st.start_h + 24 * 30, departure_h=st.departure_h + 24 * 30
        ),
    )
    assert has(check_routes(prob, bad), "outside windows")[0]
    bad = corrupt(sol, lambda s: replace_stop(s.runs[0], 1, departure_h=st.start_h))
    assert has(check_routes(prob, bad), "served 0.0000 h")[0]


def test_arrival_too_early_for_the_road(rich):
    """No stop is reached sooner than the road allows: an early arrival is flagged."""
    prob, sol = rich
    st = sol.runs[0].stops[1]
    early = sol.runs[0].start_h
    bad = corrupt(sol, lambda s: replace_stop(s.runs[0], 1, arrival_h=early))
    assert has(check_routes(prob, bad), "cannot arrive")[0]
    assert st.arrival_h > early


def test_missing_break_breaks_the_four_hour_rule(long_run):
    """A run may not drive more than 4 h without a break: dropping the driving breaks is flagged."""
    prob, sol = long_run
    bad = corrupt(
        sol,
        lambda s: setattr(
            s.runs[0], "breaks", [b for b in s.runs[0].breaks if b.kind != "driving"]
        ),
    )
    assert has(check_routes(prob, bad), "without a break")[0]


def test_short_break_and_overlap(long_run):
    """A driving break lasts at least its minimum and never overlaps service, or is flagged."""
    prob, sol = long_run
    run = sol.runs[0]
    k = next(i for i, b in enumerate(run.breaks) if b.kind == "driving")
    bad = corrupt(
        sol,
        lambda s: s.runs[0].breaks.__setitem__(
            k, dataclasses.replace(s.runs[0].breaks[k], duration_h=0.1)
        ),
    )
    assert has(check_routes(prob, bad), "shorter than")[0]
    st = run.stops[1]
    bad = corrupt(sol, lambda s: s.runs[0].breaks.append(Break(st.start_h, 0.4, "driving")))
    assert has(check_routes(prob, bad), "overlaps service")[0]


def test_overnight_rest_removed_breaks_duty(long_run):
    """Without its overnight rest a two-day run breaks the daily duty limit."""
    prob, sol = long_run
    bad = corrupt(
        sol,
        lambda s: setattr(
            s.runs[0], "breaks", [b for b in s.runs[0].breaks if b.kind != "overnight"]
        ),
    )
    errs = check_routes(prob, bad)
    assert has(errs, "exceeds the daily limit")[0]


def test_rest_only_at_a_place(long_run):
    """An overnight rest is taken at a place: the stop the vehicle is at or a town on the
    road where it has got to; a rest on the open road or at another place is flagged."""
    prob, sol = long_run
    k = next(i for i, b in enumerate(sol.runs[0].breaks) if b.kind == "overnight")
    assert sol.runs[0].breaks[k].place
    for place, text in [("", "open road"), ("s9", "no such place"), ("base", "no such place")]:
        if place == sol.runs[0].breaks[k].place:
            continue

        def move(s, place=place):
            s.runs[0].breaks[k] = dataclasses.replace(s.runs[0].breaks[k], place=place)

        errs = check_routes(prob, corrupt(sol, move))
        assert has(errs, text)[0] or has(errs, "vehicle is at")[0], errs


def test_driving_into_the_ban_is_flagged(long_run):
    """No driving during the night ban: a rest moved off the ban hours leaves driving in it."""
    prob, sol = long_run
    run = sol.runs[0]
    k = next(i for i, b in enumerate(run.breaks) if b.kind == "overnight")
    b = run.breaks[k]

    def shift(s):
        # the vehicle leaves the stop at 23:00 instead of after the ban
        stops = s.runs[0].stops
        j = next(i for i, st in enumerate(stops) if st.departure_h >= b.end_h - 1e-6)
        day = b.start_h // 24
        replace_stop(s.runs[0], j, departure_h=day * 24 + 23.0)
        s.runs[0].breaks[k] = dataclasses.replace(b, duration_h=day * 24 + 23.0 - b.start_h)

    assert has(check_routes(prob, corrupt(sol, shift)), "during the night ban")[0]


def test_too_many_days(long_run):
    """A run may not last more days than max_days."""
    prob, sol = long_run
    one_day = dataclasses.replace(prob, rules=dataclasses.replace(prob.rules, max_days=1))
    assert has(check_routes(one_day, sol), "exceed max_days 1")[0]


def test_shift_start_and_base_hours(long_run):
    """Runs start no earlier than the shift start and use the base only in its opening hours."""
    prob, sol = long_run
    late = dataclasses.replace(prob, rules=dataclasses.replace(prob.rules, shift_start_h=23.0))
    assert has(check_routes(late, sol), "before the shift start")[0]
    closed = dataclasses.replace(prob, time_windows_h=[[(200.0, 201.0)], *prob.time_windows_h[1:]])
    assert has(check_routes(closed, sol), "outside its opening hours")[0]


def test_distance_cost_and_objective(rich):
    """Reported km, run costs, objective and penalty equal their recomputation, or are flagged."""
    prob, sol = rich
    bad = corrupt(sol, lambda s: setattr(s.runs[0], "km", s.runs[0].km + 1.0))
    assert has(check_routes(prob, bad), "but the matrix gives")[0]
    bad = corrupt(sol, lambda s: setattr(s.runs[0], "cost_cny", s.runs[0].cost_cny - 1.0))
    assert has(check_routes(prob, bad), "recomputed")[0]
    bad = dataclasses.replace(sol, objective_cny=sol.objective_cny * 0.9)
    assert has(check_routes(prob, bad), "objective_cny")[0]
    bad = dataclasses.replace(sol, penalty_cny=5.0)
    assert has(check_routes(prob, bad), "penalty_cny")[0]


def test_vehicle_counts_types_and_trips(rich):
    """Runs use known vehicle types within their count, one vehicle twice only with multi-trip."""
    prob, sol = rich
    vt = sol.runs[0].vehicle_type
    count = next(t.count for t in prob.vehicle_types if t.id == vt)
    bad = corrupt(sol, lambda s: setattr(s.runs[0], "vehicle", count))
    assert has(check_routes(prob, bad), "vehicle index outside")[0]
    bad = corrupt(sol, lambda s: setattr(s.runs[0], "vehicle_type", "ufo"))
    assert has(check_routes(prob, bad), "unknown vehicle type")[0]
    if len(sol.runs) >= 2:

        def same_vehicle(s):
            s.runs[1].vehicle_type, s.runs[1].vehicle = s.runs[0].vehicle_type, s.runs[0].vehicle
            s.runs[1].cost_cny = next(
                t for t in prob.vehicle_types if t.id == s.runs[0].vehicle_type
            ).fixed_cost_cny

        errs = check_routes(prob, corrupt(sol, same_vehicle))
        assert has(errs, "multi-trip is not allowed")[0]


def test_no_road_leg():
    """A run may drive only legs that have a permitted road."""
    prob = make(sym([[0, 1, 1], [0, 0, 1], [0, 0, 0]]))
    sol = solve_ortools(prob, 0.3)
    assert check_routes(prob, sol) == []
    hours = prob.hours.copy()
    hours[0, sol.runs[0].nodes[0]] = np.inf
    blocked = dataclasses.replace(prob, hours=hours)
    assert has(check_routes(blocked, sol), "no permitted road")[0]


def test_linehaul_runs_carry_the_flow_within_payload_and_certified_boxes():
    """A line-haul flow takes max(ceil(t / payload), ceil(damaged t / box)) runs of its truck."""
    truck = VehicleType("semi", 20_000, 2_000, 1500, 6.0, 3)
    flows = [
        LinehaulFlow("o1", "plant", 130.0, 0.0, truck, 400.0, 6.0, 10.0),
        LinehaulFlow("o2", "plant", 0.0, 0.0, truck, 1.0, 1.0),
        LinehaulFlow("o3", "plant", 45.0, 9.0, truck, 800.0, 12.0),
    ]
    plan = size_linehauls(flows, rules=DrivingRules(max_days=1))
    o1, o3 = plan.legs
    assert o1.runs_per_year == 7  # 130 t / 20 t
    assert o3.runs_per_year == 5  # 9 t damaged / 2 t boxes beats 45 t / 20 t = 3
    assert o1.cost_cny_per_year == pytest.approx(7 * (1500 + 800 * 6.0))  # fixed + round trip
    assert o1.exposure_per_year == pytest.approx(7 * 10.0)  # loaded legs only
    assert o3.days_per_run == 3 and o1.days_per_run == 2  # breaks and the 10 h duty limit
    assert len(plan.to_frame()) == 2
    with pytest.raises(ValueError, match="no certified boxes"):
        size_linehauls(
            [
                dataclasses.replace(
                    flows[2], vehicle=dataclasses.replace(truck, damaged_capacity_kg=0.0)
                )
            ]
        )
