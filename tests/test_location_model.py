"""Stage-1 model features on small instances whose optimum is worked out by hand.

Every solved design is verified by the independent checker ``check_design``.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revlog.check.design import check_design
from revlog.errors import LocationInfeasibleError
from revlog.location import (
    LocationProblem,
    diagnose_infeasibility,
    solve_location,
    yearly_capacity_t,
)
from revlog.regulations import COLLECTION_MAX_STOCK_T, STORAGE_MIN_STOCK_T

INF = np.inf


def solve_checked(problem: LocationProblem, **kw):
    design = solve_location(problem, mip_gap=0.0, **kw)
    assert check_design(problem, design) == []
    assert design.proven_optimal and design.status == "optimal"
    return design


# ---------------------------------------------------------------- capacities
def test_yearly_capacity_from_stock_limit_and_turns():
    """Yearly capacity is the stock limit times the turns per year; a negative stock is refused."""
    assert yearly_capacity_t(COLLECTION_MAX_STOCK_T, 52) == pytest.approx(260.0)
    assert yearly_capacity_t(STORAGE_MIN_STOCK_T, 12) == pytest.approx(360.0)
    with pytest.raises(ValueError):
        yearly_capacity_t(-1.0, 12)


# ---------------------------------------------------------------- single vs split sourcing
def two_sources_one_good_facility(single: bool) -> LocationProblem:
    # both 6-t sources prefer f0 (cost 0) but it holds 10 t; f1 costs 60 per whole supply
    return LocationProblem.from_cost_matrix(
        [[0.0, 60.0], [0.0, 60.0]],
        supply_t=[6.0, 6.0],
        fixed_cost_cny=[10.0, 10.0],
        capacity_t=[10.0, 10.0],
        single_source=single,
    )


def test_single_sourcing_changes_the_answer_against_split_flow():
    """Under single sourcing each source goes whole to one outlet; split flow may divide it."""
    split = solve_checked(two_sources_one_good_facility(single=False))
    single = solve_checked(two_sources_one_good_facility(single=True))
    # split: 4 of the second source's 6 t to f0, 2 t (1/3 of its supply) to f1: 20 + 60/3
    assert split.objective_cny == pytest.approx(40.0)
    # single: one source goes whole to f1: 20 + 60
    assert single.objective_cny == pytest.approx(80.0)
    fractions = sorted(fr for _, _, fr in split.assignments())
    assert fractions == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert all(fr == 1.0 for _, _, fr in single.assignments())


# ---------------------------------------------------------------- two echelons, prefecture rule
def two_prefectures(rule: bool) -> LocationProblem:
    # facilities: c1 (collection, P1), c2 (collection, P2), plant (forced open)
    return LocationProblem.from_cost_matrix(
        [[1.0, INF, 50.0], [2.0, 1.0, 50.0]],
        supply_t=[1.0, 1.0],
        fixed_cost_cny=[10.0, 10.0, 0.0],
        capacity_t=[100.0, 100.0, INF],
        facility_ids=["c1", "c2", "plant"],
        facility_kind=["collection", "collection", "plant"],
        source_prefecture=["P1", "P2"],
        facility_prefecture=["P1", "P2", "P1"],
        forced_open=[False, False, True],
        forwarding=[(0, 2, 1.0, 0.0), (1, 2, 1.0, 0.0)],
        require_collection_per_prefecture=rule,
    )


def test_prefecture_rule_opens_an_outlet_cost_alone_would_not():
    """Under the rule every prefecture gets a collection outlet, even where cost alone would not."""
    free = solve_checked(two_prefectures(rule=False))
    assert free.open_facility_ids == ["c1", "plant"]
    assert free.objective_cny == pytest.approx(10 + 1 + 2 + 2)  # fixed + first mile + haul
    ruled = solve_checked(two_prefectures(rule=True))
    assert ruled.open_facility_ids == ["c1", "c2", "plant"]
    assert ruled.objective_cny == pytest.approx(20 + 1 + 1 + 2)
    flows = ruled.to_frames()["flows"].set_index("from_id")["tonnes_t"]
    assert flows.to_dict() == pytest.approx({"c1": 1.0, "c2": 1.0})


def test_prefecture_without_candidate_is_explained():
    """A prefecture with no collection candidate under the rule is named in the diagnosis."""
    p = two_prefectures(rule=True).with_policy(
        facility_prefecture=np.array(["P1", "P1", "P1"], dtype=object)
    )
    with pytest.raises(LocationInfeasibleError) as err:
        solve_location(p)
    assert any("prefecture P2" in d and "no collection" in d for d in err.value.diagnosis)


def chain(risk_weight: float = 0.0, storage_exposure: float = 0.0) -> LocationProblem:
    # s (2 t) -> c (collection) -> {storage -> plant | plant}
    return LocationProblem.from_cost_matrix(
        [[4.0, INF, INF]],
        supply_t=[2.0],
        fixed_cost_cny=[3.0, 1.0, 0.0],
        capacity_t=[10.0, 30.0, INF],
        facility_ids=["c", "st", "plant"],
        facility_kind=["collection", "storage", "plant"],
        forced_open=[False, False, True],
        forwarding=[(0, 1, 1.0, storage_exposure), (0, 2, 10.0, 0.0), (1, 2, 2.0, 0.0)],
        risk_weight=risk_weight,
    )


def test_two_echelon_flow_through_storage_balances():
    """Flow through a storage site balances: what comes in goes on to the plant, costed per leg."""
    d = solve_checked(chain())
    assert d.open_facility_ids == ["c", "st", "plant"]
    assert d.flow_t == pytest.approx([2.0, 0.0, 2.0])
    # fixed 3 + 1, first mile 4, line haul 2 t * (1 + 2)
    assert (d.cost_fixed_cny, d.cost_first_mile_cny, d.cost_line_haul_cny) == pytest.approx(
        (4.0, 4.0, 6.0)
    )
    frames = d.to_frames()
    fac = frames["facilities"].set_index("id")
    assert fac.loc["st", "throughput_t"] == pytest.approx(2.0)
    assert fac.loc["plant", "throughput_t"] == pytest.approx(2.0)
    assert frames["summary"]["objective_cny"].iloc[0] == pytest.approx(14.0)


def test_risk_weight_diverts_the_line_haul():
    """A risk weight on storage exposure diverts the line haul to the direct arc."""
    d = solve_checked(chain(risk_weight=1.0, storage_exposure=10.0))
    # via storage: 1 + 2*3 + risk 2*10 = 27 > direct 2*10 = 20
    assert d.open_facility_ids == ["c", "plant"]
    assert d.flow_t == pytest.approx([0.0, 2.0, 0.0])
    assert d.cost_risk_cny == 0.0
    assert d.objective_cny == pytest.approx(3 + 4 + 20)


# ---------------------------------------------------------------- policy constraints
def test_forced_open_facility_is_opened_and_paid():
    """A forced-open facility is opened and its fixed cost paid, even when no source uses it."""
    base = LocationProblem.from_cost_matrix(
        [[1.0, 5.0]], supply_t=[1.0], fixed_cost_cny=[1.0, 100.0], capacity_t=[5.0, 5.0]
    )
    assert solve_checked(base).open_facility_ids == ["f0"]
    forced = solve_checked(base.with_policy(forced_open=np.array([False, True])))
    assert forced.open_facility_ids == ["f0", "f1"]
    assert forced.objective_cny == pytest.approx(1 + 100 + 1)


def test_budget_excludes_the_cheapest_design():
    """Fixed costs stay within the budget, even when the cheapest design lies above it."""
    p = LocationProblem.from_cost_matrix(
        [[0.0, 60.0]], supply_t=[1.0], fixed_cost_cny=[50.0, 10.0], capacity_t=[5.0, 5.0]
    )
    assert solve_checked(p).objective_cny == pytest.approx(50.0)
    d = solve_checked(p.with_policy(budget_cny=20.0))
    assert d.open_facility_ids == ["f1"] and d.objective_cny == pytest.approx(70.0)


def test_max_outlets_limits_openings():
    """No more than max_outlets outlets open, even when more would cost less."""
    p = LocationProblem.from_cost_matrix(
        [[1.0, 100.0], [50.0, 1.0]],
        supply_t=[1.0, 1.0],
        fixed_cost_cny=[10.0, 10.0],
        capacity_t=[5.0, 5.0],
    )
    assert solve_checked(p).objective_cny == pytest.approx(22.0)
    d = solve_checked(p.with_policy(max_outlets=1))
    assert d.open_facility_ids == ["f0"] and d.objective_cny == pytest.approx(61.0)


# ---------------------------------------------------------------- infeasibility explained
def test_source_out_of_radius_is_named():
    """A source that no facility can reach is named in the only diagnosis line."""
    p = LocationProblem.from_cost_matrix(
        [[1.0, 2.0], [INF, INF]],
        supply_t=[1.0, 3.0],
        fixed_cost_cny=[1.0, 1.0],
        capacity_t=[5.0, 5.0],
        source_ids=["dealer-A", "shop-B"],
    )
    with pytest.raises(LocationInfeasibleError) as err:
        solve_location(p)
    assert len(err.value.diagnosis) == 1
    assert "shop-B" in err.value.diagnosis[0] and "no facility" in err.value.diagnosis[0]


def test_missing_capacity_is_quantified():
    """Too little total capacity is diagnosed with capacity, supply and the tonnes missing."""
    p = LocationProblem.from_cost_matrix(
        [[1.0, 2.0], [1.0, 2.0]],
        supply_t=[4.0, 5.0],
        fixed_cost_cny=[1.0, 1.0],
        capacity_t=[3.0, 4.0],
        single_source=False,
    )
    diag = diagnose_infeasibility(p)
    assert any(
        d.code == "sink_capacity"
        and "7 t/year" in d.message
        and "9 t/year" in d.message
        and "2 t/year missing" in d.message
        for d in diag
    )


def test_single_source_too_big_for_every_facility():
    """Under single sourcing a source bigger than every facility is named in the diagnosis."""
    p = two_sources_one_good_facility(single=True).with_policy(supply_t=np.array([6.0, 12.0]))
    with pytest.raises(LocationInfeasibleError) as err:
        solve_location(p)
    assert any("s1 supplies 12" in d and "single sourcing" in d for d in err.value.diagnosis)


def test_a_budget_too_small_for_the_capacity_names_the_cheapest_design():
    """A budget below the cheapest design's fixed cost is named, with that design's outlets."""
    # capacity exists but the budget cannot buy enough of it: the pre-checks pass
    p = LocationProblem.from_cost_matrix(
        [[1.0, 1.0], [1.0, 1.0]],
        supply_t=[7.0, 8.0],
        fixed_cost_cny=[100.0, 100.0],
        capacity_t=[10.0, 10.0],
        single_source=False,
        budget_cny=150.0,
    )
    assert diagnose_infeasibility(p) == []
    with pytest.raises(LocationInfeasibleError) as err:
        solve_location(p)
    (d,) = err.value.diagnoses
    assert (d.code, d.setting) == ("budget", "budget_cny")
    assert "costs 200 CNY/year" in d.message and "above the budget of 150" in d.message
    assert "f0, f1" in d.message


def test_an_outlet_cap_too_small_for_the_capacity_names_the_least_number():
    """An outlet cap below the fewest outlets any design needs is named with that number."""
    p = LocationProblem.from_cost_matrix(
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
        supply_t=[7.0, 8.0],
        fixed_cost_cny=[100.0, 100.0, 100.0],
        capacity_t=[10.0, 10.0, 10.0],
        single_source=False,
        max_outlets=1,
    )
    assert diagnose_infeasibility(p) == []
    with pytest.raises(LocationInfeasibleError) as err:
        solve_location(p)
    (d,) = err.value.diagnoses
    assert d.code == "max_outlets" and "at least 2 outlets" in d.message


def test_an_existing_outlet_or_a_sole_reach_counts_against_the_budget():
    """The outlet a source alone can reach must open: its cost counts against the budget."""
    p = LocationProblem.from_cost_matrix(
        [[1.0, np.inf], [1.0, 1.0]],
        supply_t=[1.0, 1.0],
        fixed_cost_cny=[80.0, 10.0],
        capacity_t=[5.0, 5.0],
        budget_cny=50.0,
    )
    (d,) = diagnose_infeasibility(p)
    assert d.code == "budget" and d.site == "f0"
    assert "f0 (the only facility within reach of source s0" in d.message


def test_budget_below_forced_cost_is_explained():
    """A budget below the forced-open fixed costs is diagnosed against budget_cny."""
    p = LocationProblem.from_cost_matrix(
        [[1.0]],
        supply_t=[1.0],
        fixed_cost_cny=[100.0],
        capacity_t=[5.0],
        forced_open=[True],
        budget_cny=50.0,
    )
    (d,) = diagnose_infeasibility(p)
    assert d.code == "budget" and d.setting == "budget_cny" and "above the budget" in d.message


# ---------------------------------------------------------------- the checker can fail
def test_checker_rejects_broken_designs():
    """The checker flags a closed outlet in use, a wrong objective, imbalance, double service."""
    p = two_prefectures(rule=True)
    d = solve_checked(p)
    closed = d.open_mask.copy()
    closed[1] = False
    violations = check_design(p, dataclasses.replace(d, open_mask=closed))
    assert any("closed facility c2" in v for v in violations)
    assert any("prefecture P2" in v for v in violations)
    d = solve_checked(p)
    dearer = dataclasses.replace(d, objective_cny=d.objective_cny + 1.0)
    assert any("objective_cny" in v for v in check_design(p, dearer))
    halved = dataclasses.replace(d, flow_t=d.flow_t * 0.5)
    assert any("flow balance" in v for v in check_design(p, halved))
    d = solve_checked(two_sources_one_good_facility(single=True))
    everywhere = dataclasses.replace(d, assignment=np.ones_like(d.assignment))
    assert any("served 2 times" in v for v in check_design(d.problem, everywhere))


# ---------------------------------------------------------------- invalid input
def test_invalid_arrays_are_rejected():
    """A backward forwarding arc or a negative supply is refused, naming it."""
    with pytest.raises(ValueError, match="forwarding arc plant -> storage"):
        chain().with_policy(fwd_from=np.array([2, 0, 1]))
    with pytest.raises(ValueError, match="supply_t"):
        LocationProblem.from_cost_matrix(
            [[1.0]], supply_t=[-1.0], fixed_cost_cny=[1.0], capacity_t=[1.0]
        )


# ---------------------------------------------------------------- brute force, random instances
def brute_force_single_source(p: LocationProblem) -> float:
    n, m = p.n_sources, p.n_facilities
    cost = np.full((n, m), np.inf)
    cost[p.arc_source, p.arc_facility] = p.arc_cost_cny
    best = np.inf
    for choice in itertools.product(range(m), repeat=n):
        c = cost[np.arange(n), choice].sum()
        if not np.isfinite(c):
            continue
        load = np.bincount(choice, weights=p.supply_t, minlength=m)
        if np.any(load > p.capacity_t + 1e-9):
            continue
        opened = np.zeros(m, bool)
        opened[list(choice)] = True
        best = min(best, c + p.fixed_cost_cny[opened].sum())
    return best


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_single_source_matches_brute_force(data):
    """Random single-source cases solve to the brute-force optimum; split flow is never dearer."""
    n = data.draw(st.integers(2, 4))
    m = data.draw(st.integers(1, 3))
    ints = st.integers(0, 30)
    cost = np.array([[data.draw(ints) for _ in range(m)] for _ in range(n)], dtype=float)
    holes = np.array([[data.draw(st.booleans()) for _ in range(m)] for _ in range(n)])
    cost[holes & (np.arange(m) > 0)] = np.inf  # facility 0 keeps every arc
    supply = [float(data.draw(st.integers(1, 9))) for _ in range(n)]
    fixed = [float(data.draw(ints)) for _ in range(m)]
    cap = [float(data.draw(st.integers(5, 25))) for _ in range(m)]
    p = LocationProblem.from_cost_matrix(cost, supply, fixed, cap, single_source=True)
    want = brute_force_single_source(p)
    if not np.isfinite(want):
        with pytest.raises(LocationInfeasibleError):
            solve_location(p, mip_gap=0.0)
        return
    d = solve_checked(p)
    assert d.objective_cny == pytest.approx(want, rel=1e-9, abs=1e-9)
    split = solve_checked(p.with_policy(single_source=False))
    assert split.objective_cny <= d.objective_cny + 1e-9
