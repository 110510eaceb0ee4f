"""What a run and a line-haul really cost (crew hours, overnight rests), and service that
ends by the shop's closing hour."""

from __future__ import annotations

import dataclasses

import pytest

import revlog
from helpers.plans import copy_of_solved
from helpers.routing import daily, make, sym
from helpers.scenarios import TINY
from revlog.check.routes import check_routes
from revlog.inputs import prepare
from revlog.plan import Plan
from revlog.problems import build_geography, routing_problem
from revlog.routing.linehaul import LinehaulFlow, size_linehauls
from revlog.routing.ortools import solve_ortools
from revlog.routing.problem import DrivingRules, VehicleType

CREW_CNY_PER_H, REST_CNY = 40.0, 500.0
TRUCK = VehicleType("truck", 5000, 0, 600, 2.0, 1, CREW_CNY_PER_H, REST_CNY)


@pytest.fixture(scope="module")
def two_day():
    """One stop 7 h out, open 8-18 daily: out, serve, rest, back (two days)."""
    prob = make(
        sym([[0, 7.0], [0, 0]]),
        service=[0, 0.5],
        windows=[daily(6.0, 22.0), daily(8.0, 18.0)],
        rules=DrivingRules(max_days=2, duty_h_per_day=10.0),
        types=[TRUCK],
    )
    sol = solve_ortools(prob, 10.0)
    assert check_routes(prob, sol) == []
    return prob, sol


def test_a_run_costs_fixed_km_crew_hours_on_duty_and_its_rests(two_day):
    """A run costs its fixed cost + km × per-km + crew CNY/h × hours on duty (departure to
    return without the overnight rests) + a cost per overnight rest."""
    _, sol = two_day
    (run,) = sol.runs
    nights = [b for b in run.breaks if b.kind == "overnight"]
    assert len(nights) == 1
    duty = run.end_h - run.start_h - nights[0].duration_h
    assert run.duty_h == pytest.approx(duty)
    want = 600 + 2.0 * run.km + CREW_CNY_PER_H * duty + REST_CNY
    assert run.cost_cny == pytest.approx(want)
    assert sol.crew_cny == pytest.approx(CREW_CNY_PER_H * duty)
    assert sol.overnight_cny == pytest.approx(REST_CNY)
    assert sol.objective_cny == pytest.approx(want)


def test_the_checker_recomputes_crew_and_rest_costs(two_day):
    """A run cost or an objective part that leaves out the crew or the rests is flagged."""
    prob, sol = two_day
    run = sol.runs[0]
    cheap = dataclasses.replace(run, cost_cny=run.cost_cny - REST_CNY)
    bad = dataclasses.replace(
        sol, runs=[cheap], overnight_cny=0.0, objective_cny=sol.objective_cny - REST_CNY
    )
    errs = check_routes(prob, bad)
    assert any("cost" in e and "recomputed" in e for e in errs), errs
    assert any(e.startswith("overnight_cny") for e in errs), errs


def test_a_line_haul_trip_pays_its_crew_and_a_rest_per_extra_day():
    """A line-haul trip costs fixed + both ways' km + crew hours of the round trip's driving
    and breaks + a rest for each day after the first."""
    truck = VehicleType("truck", 20000, 2000, 1500, 6.0, 1, CREW_CNY_PER_H, REST_CNY)
    (leg,) = size_linehauls(
        [LinehaulFlow("o", "plant", 30.0, 0.0, truck, 500.0, 7.0)],
        rules=DrivingRules(duty_h_per_day=10.0),
    ).legs
    duty = 14.0 + 3 * (20.0 / 60.0)  # 14 h of driving, a break after each 4 h stretch
    assert leg.duty_h_per_run == pytest.approx(duty)
    assert leg.days_per_run == 2
    per_trip = 1500 + 6.0 * 1000.0 + CREW_CNY_PER_H * duty + REST_CNY
    assert leg.cost_cny_per_year == pytest.approx(leg.runs_per_year * per_trip)


def test_service_ends_by_closing_unless_allowed_to_run_over():
    """Loading starts while the shop is open and ends by its closing hour: the latest start
    is closing minus the service time; with ``service_ends_by_closing: false`` it is the
    closing hour itself."""
    sc = revlog.load_scenario(TINY)
    for ends, shift in ((True, 1.0), (False, 0.0)):
        variant = sc.model_copy(
            update={"routing": sc.routing.model_copy(update={"service_ends_by_closing": ends})}
        )
        inputs = prepare(variant)
        geo = build_geography(inputs)
        ids = list(inputs.sources["source_id"])[:2]
        rp = routing_problem(inputs, geo, "P-xining-ganhe", "plant", ids)
        close = variant.routing.shop_hours.close_h
        for i in range(1, rp.n_nodes):
            assert rp.time_windows_h[i][0][1] == pytest.approx(close - shift * rp.service_h[i])


def test_the_plan_checker_flags_service_past_closing(tmp_path):
    """A saved plan whose pickup runs past the shop's closing hour fails the plan check."""

    def late(p: Plan) -> None:
        s = p.stops
        k = int(s.index[(s["pickup_intact_kg"] + s["pickup_damaged_kg"]) > 0][0])
        day = int(s.at[k, "start_h"] // 24)
        s.at[k, "start_h"] = day * 24 + 17.9
        s.at[k, "departure_h"] = day * 24 + 18.5

    folder = copy_of_solved(tmp_path)
    plan = Plan.load(folder)
    late(plan)
    plan.save(folder)
    errs = revlog.check(folder, TINY)
    assert any("after the shop closes" in e for e in errs), errs
