"""Vehicles with a yearly ownership cost (``fleet[].cost_cny_per_year``, issue 12): each
vehicle a base uses is paid once, so the routing sizes the fleet within ``count``; the plan
counts what the fleet costs a year, and the checkers recompute it."""

from __future__ import annotations

import dataclasses

import pytest

from helpers.routing import daily, make, sym
from helpers.scenarios import write_variant
from revlog.check.plan import check as check_plan
from revlog.check.routes import check_routes
from revlog.inputs import prepare
from revlog.pipeline import solve_inputs
from revlog.problems import fleet_at
from revlog.routing.ortools import solve_ortools
from revlog.routing.problem import DrivingRules, VehicleType
from revlog.routing.solution import ownership_cny
from revlog.scenario.load import load_scenario

OWN_CNY = 5000.0


def _two_stops(own: float):
    """Two shops 4 h out in opposite directions, open 8-18 daily: one vehicle can serve
    them on two days (multi-trip), or two vehicles on one day."""
    van = VehicleType("van", 2000, 0, 300, 2.0, 2, ownership_cost_cny=own)
    return make(
        sym([[0, 4.0, 4.0], [0, 0, 8.0], [0, 0, 0]]),
        service=[0, 0.5, 0.5],
        windows=[daily(6.0, 22.0), daily(8.0, 18.0), daily(8.0, 18.0)],
        rules=DrivingRules(max_days=1, duty_h_per_day=10.0, allow_multi_trip=True),
        types=[van],
    )


def test_a_vehicle_pays_its_ownership_once_however_many_trips_it_makes():
    """A vehicle that does any run pays its ownership once per period, whatever its number
    of trips; with ownership the search serves both shops with one vehicle on two trips
    rather than with two vehicles, and the checker accepts the objective."""
    prob = _two_stops(OWN_CNY)
    sol = solve_ortools(prob, 5.0)
    assert check_routes(prob, sol) == []
    assert len(sol.runs) == 2
    assert {(r.vehicle_type, r.vehicle) for r in sol.runs} == {("van", sol.runs[0].vehicle)}
    assert sol.ownership_cny == pytest.approx(OWN_CNY)
    parts = sol.fixed_cny + sol.distance_cny + sol.crew_cny + sol.overnight_cny
    assert sol.objective_cny == pytest.approx(parts + OWN_CNY + sol.risk_cny)
    assert ownership_cny(prob, sol.runs) == pytest.approx(OWN_CNY)


def test_the_checker_recomputes_the_ownership_part():
    """An objective whose ownership part is left out (or counted per trip) is flagged."""
    prob = _two_stops(OWN_CNY)
    sol = solve_ortools(prob, 5.0)
    bad = dataclasses.replace(sol, ownership_cny=2 * OWN_CNY)
    assert any("ownership_cny" in e for e in check_routes(prob, bad))
    bad = dataclasses.replace(sol, objective_cny=sol.objective_cny - OWN_CNY)
    assert any("objective_cny" in e for e in check_routes(prob, bad))


def test_ownership_is_spread_over_the_periods_of_the_year(tmp_path):
    """A type's cost per year reaches the routing as its cost per period solved."""
    fleet = [{"id": "van", "base": "outlets", "payload_kg": 1500, "cost_cny_per_year": 60000}]
    sc = load_scenario(write_variant(tmp_path, "own", fleet=fleet))
    (vt,) = fleet_at(sc, "C-chengdong", "collection")
    assert vt.ownership_cost_cny == pytest.approx(60000 / sc.routing.periods_per_year)


@pytest.mark.parametrize("cost", [0.0, 300000.0])
def test_the_plan_counts_the_owned_fleet_and_the_checker_agrees(tmp_path, cost):
    """fleet_cost_cny_per_year = per base and vehicle type, the vehicles used × the type's
    cost_cny_per_year; the total cost includes it; `revlog check` recomputes both. With a
    high ownership cost the tiny plan uses fewer vehicles than without it (C-chengdong's
    two runs go on one van, one after the other)."""
    fleet = [
        {"id": "van", "base": "outlets", "payload_kg": 1500, "fixed_cost_cny_per_run": 300,
         "cost_cny_per_km": 2.5, "count": 3, "damaged_capacity_kg": 300,
         "cost_cny_per_year": cost},
        {"id": "plant-truck", "base": "plant", "payload_kg": 10000, "damaged_capacity_kg": 2000,
         "fixed_cost_cny_per_run": 900, "cost_cny_per_km": 5.5, "count": 2,
         "cost_cny_per_year": cost},
    ]  # fmt: skip
    path = write_variant(tmp_path, f"own{int(cost)}", fleet=fleet, rules={"allow_multi_trip": True})
    sc = load_scenario(path)
    plan = solve_inputs(prepare(sc), time_limit_s=8, seed=0)
    k = plan.kpis
    owned = plan.routes[["base_id", "vehicle_type", "vehicle"]].drop_duplicates()
    assert k["fleet_cost_cny_per_year"] == pytest.approx(len(owned) * cost)
    parts = ["fixed", "pickup", "line_haul", "risk", "fleet"]
    total = sum(float(k[f"{p}_cost_cny_per_year"]) for p in parts)
    assert k["total_cost_cny_per_year"] == pytest.approx(total)
    assert check_plan(plan, sc) == []
    if cost:
        free = solve_inputs(prepare(load_scenario(write_variant(
            tmp_path / "free", "free", fleet=[{**f, "cost_cny_per_year": 0} for f in fleet],
            rules={"allow_multi_trip": True}))), time_limit_s=8, seed=0)  # fmt: skip
        used_free = free.routes[["base_id", "vehicle_type", "vehicle"]].drop_duplicates()
        assert len(owned) < len(used_free)
