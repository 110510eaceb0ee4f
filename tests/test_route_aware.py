"""location.method: lrp — the fleet-based first-mile estimate and the route-aware design choice."""

from __future__ import annotations

import copy
import functools

import pytest
from tests.helpers.scenarios import SCENARIOS, TINY

import revlog
from revlog.pipeline import solve
from revlog.scenario.load import load_scenario


@functools.cache
def _tiny_lrp():
    return solve(load_scenario(TINY), time_limit=10, seed=0)


def test_default_is_lrp_and_never_worse_than_two_stage_in_the_same_run():
    """The returned plan's total is the lowest realised total of the designs routed."""
    plan = _tiny_lrp()
    designs = plan.meta["designs"]
    assert set(designs) == {"lrp", "two-stage"}
    total = float(plan.kpis["total_cost_cny_per_year"])
    assert total <= designs["two-stage"]["total_cny_per_year"] + 1e-6
    assert total == pytest.approx(min(d["total_cny_per_year"] for d in designs.values()))


def test_shipped_baseline_estimate_within_15_percent_of_the_routed_pickups():
    """On the shipped baseline the stage-1 estimate of the kept design is within ±15 % of
    its routed pickups, the kept design is the cheapest routed, and the plan checks out."""
    sc = load_scenario(SCENARIOS / "qinghai-baseline.yaml")
    plan = solve(sc, seed=0)
    k = plan.kpis
    est, real = k["pickup_cost_estimate_cny_per_year"], k["pickup_cost_cny_per_year"]
    assert abs(est / real - 1.0) <= 0.15, (est, real)
    totals = [d["total_cny_per_year"] for d in plan.meta["designs"].values()]
    assert float(k["total_cost_cny_per_year"]) == pytest.approx(min(totals))
    assert not revlog.check(plan, sc)


def test_relaxing_the_prefecture_rule_never_makes_the_plan_costlier():
    """Relaxing a rule can never make the returned plan costlier: with
    ``collection_per_prefecture: false`` the rule-abiding proposals are solved and routed
    too, on the same budgets, so each realises exactly its rule-abiding total."""
    sc = load_scenario(TINY)
    relaxed_sc = sc.model_copy(
        update={"location": sc.location.model_copy(update={"collection_per_prefecture": False})}
    )
    rule, relaxed = _tiny_lrp(), solve(relaxed_sc, time_limit=10, seed=0)
    strict = {k: v for k, v in relaxed.meta["designs"].items() if k.endswith("-prefecture")}
    assert {k.removesuffix("-prefecture") for k in strict} == set(rule.meta["designs"])
    for label, got in strict.items():
        want = rule.meta["designs"][label.removesuffix("-prefecture")]
        assert got["total_cny_per_year"] == pytest.approx(want["total_cny_per_year"], rel=1e-9)
    total = float(relaxed.kpis["total_cost_cny_per_year"])
    assert total <= float(rule.kpis["total_cost_cny_per_year"]) + 1e-6
    assert not revlog.check(relaxed, relaxed_sc)


def test_the_checker_prices_the_arcs_the_kept_design_was_solved_on():
    """`revlog check` verifies a plan's location costs on the arcs its kept design was priced
    on (``meta["location_arcs"]``), whatever the design's label: a fleet-priced design kept
    under a relaxed rule (``lrp-prefecture``) is accepted, and the same plan claimed to be
    priced per t·km is refused."""
    sc = load_scenario(TINY)
    plan = _tiny_lrp()
    assert plan.meta["location_arcs"] == "fleet"
    relabelled = copy.deepcopy(plan)
    relabelled.meta["location_design"] = "lrp-prefecture"
    assert not revlog.check(relabelled, sc)
    wrong = copy.deepcopy(plan)
    wrong.meta["location_arcs"] = "per_t_km"
    assert revlog.check(wrong, sc)
