"""Stock over time at outlets, line-hauls priced per trip, existing outlets under control."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.plans import copy_of_solved, solved_tiny_dir
from helpers.scenarios import TINY, write_variant
from revlog.check import check
from revlog.check.design import check_design
from revlog.inputs import prepare
from revlog.location.problem import LocationProblem
from revlog.location.solve import solve_location
from revlog.plan import Plan
from revlog.problems import (
    build_geography,
    fleet_at,
    location_problem,
    routing_problem,
    within_stock,
)
from revlog.regulations import COLLECTION_MAX_STOCK_T
from revlog.routing.linehaul import LinehaulFlow
from revlog.routing.problem import VehicleType
from revlog.routing.stock import Arrival, run_arrivals, ship_stock, stock_linehauls
from revlog.scenario.load import load_scenario
from revlog.units import HOURS_PER_YEAR

TRUCK = VehicleType("t10", payload_kg=10_000, damaged_capacity_kg=2_000, fixed_cost_cny=900)


def _weekly(t: float, damaged: float = 0.0, n: int = 52) -> list[Arrival]:
    return [Arrival(k * HOURS_PER_YEAR / n + 10.0, t - damaged, damaged) for k in range(n)]


def _replay(arrivals, shipments) -> tuple[float, float]:
    """Peak and final stock when trips leave just before the arrivals of their moment."""
    events = [(a.time_h, 1, a.intact_t + a.damaged_t) for a in arrivals]
    events += [(t, 0, i + d) for t, i, d in shipments]
    stock = peak = 0.0
    for _, kind, load in sorted(events):
        stock += load if kind else -load
        assert stock >= -1e-9
        peak = max(peak, stock)
    return peak, stock


def test_collection_outlet_ships_before_it_exceeds_its_limit():
    """A 5 t outlet receiving 3 t a week sends trips of at most 5 t, never holding more."""
    arrivals = _weekly(3.0)
    loads, peak = ship_stock(arrivals, COLLECTION_MAX_STOCK_T, 10.0, 2.0)
    assert peak <= COLLECTION_MAX_STOCK_T
    assert max(i + d for _, i, d in loads) <= COLLECTION_MAX_STOCK_T + 1e-9
    assert len(loads) == 52  # 3 t never joins another 3 t under a 5 t limit
    assert _replay(arrivals, loads) == pytest.approx((peak, 0.0))
    assert sum(i + d for _, i, d in loads) == pytest.approx(3.0 * 52)


def test_storage_outlet_sends_full_truckloads():
    """A 100 t storage outlet sends full 10 t trucks: trips = ceil(inflow / payload)."""
    arrivals = _weekly(3.0)
    loads, peak = ship_stock(arrivals, 100.0, 10.0, 2.0)
    assert len(loads) == math.ceil(3.0 * 52 / 10.0)
    assert all(i + d == pytest.approx(10.0) for _, i, d in loads[:-1])
    assert peak < 13.0
    assert _replay(arrivals, loads)[1] == pytest.approx(0.0)


def test_damaged_packs_within_the_certified_boxes():
    """A truck takes no more damaged t than its boxes hold: a 40 % damaged stock fills 5 t."""
    loads, _ = ship_stock(_weekly(3.0, damaged=1.2), 100.0, 10.0, 2.0)
    assert max(d for _, _, d in loads) <= 2.0 + 1e-9
    assert max(i + d for _, i, d in loads) == pytest.approx(5.0)


def test_small_outlet_holds_its_year_and_ships_once():
    """An outlet receiving 0.2 t a month sends one trip a year, at the year's end."""
    arrivals = _weekly(0.2, n=12)
    loads, peak = ship_stock(arrivals, 5.0, 10.0, 2.0)
    assert len(loads) == 1 and loads[0][0] == HOURS_PER_YEAR
    assert peak == pytest.approx(2.4)


def test_storage_receives_the_collection_trips_in_flow_order():
    """A collection → storage → plant chain: the storage outlet's stock counts the trips."""
    flows = [
        LinehaulFlow("C", "S", 156.0, 0.0, TRUCK, 50.0, 1.0),
        LinehaulFlow("S", "P", 156.0, 0.0, TRUCK, 30.0, 0.5),
    ]
    haul, stock = stock_linehauls(flows, {"C": _weekly(3.0)}, {"C": 5.0, "S": 100.0})
    trips = {(leg.flow.origin_id, leg.runs_per_year) for leg in haul.legs}
    assert trips == {("C", 52), ("S", 16)}
    assert stock.peak_t("C") == pytest.approx(3.0)
    assert stock.peak_t("S") <= 13.0
    assert all(
        t.arrive_h == pytest.approx(t.depart_h + 1.0) for t in stock.trips if t.origin_id == "C"
    )


def test_simultaneous_arrivals_unload_one_after_another():
    """Two 3 t runs returning together to a 5 t outlet: the first leaves before the second."""
    both = [Arrival(100.0, 3.0, 0.0), Arrival(100.0, 3.0, 0.0)]
    loads, peak = ship_stock(both, 5.0, 10.0, 2.0)
    assert peak == pytest.approx(3.0)
    assert [t for t, _, _ in loads] == [pytest.approx(100.01), HOURS_PER_YEAR]


def test_run_arrivals_repeat_every_round():
    """Each run returns with its load in every round: round k starts at k × 8760 / P h."""
    got = run_arrivals([(30.0, 2000.0, 500.0, 0, 12)], 12)
    assert len(got) == 12
    assert got[1].time_h == pytest.approx(730.0 + 30.0)
    assert got[0].intact_t == pytest.approx(2.0) and got[0].damaged_t == pytest.approx(0.5)


def test_vehicles_carry_at_most_the_base_stock_limit():
    """An 8 t truck based at a 5 t collection outlet is loaded to 5 t only."""
    big = VehicleType("t8", payload_kg=8000, damaged_capacity_kg=6000)
    small = VehicleType("v", payload_kg=1500)
    capped = within_stock([big, small], 5000.0)
    assert capped[0].payload_kg == 5000.0 and capped[0].damaged_capacity_kg == 5000.0
    assert capped[1] == small


def test_tiny_plan_carries_its_stock_and_passes_check():
    """The solved tiny plan states stock limits and peaks within them and passes the check."""
    plan = Plan.load(solved_tiny_dir())
    opened = plan.outlets[plan.outlets["open"] & (plan.outlets["kind"] != "plant")]
    assert len(opened)
    assert (opened["peak_stock_t"] <= opened["stock_capacity_t"] + 1e-9).all()
    coll = opened[opened["kind"] == "collection"]
    assert (coll["peak_stock_t"] <= COLLECTION_MAX_STOCK_T + 1e-9).all()
    assert plan.linehauls["trips_per_year"].sum() == len(plan.shipments)
    assert check(plan, TINY, solved_tiny_dir()) == []


def _corrupt(tmp_path, edit) -> list[str]:
    folder = copy_of_solved(tmp_path)
    plan = Plan.load(folder)
    edit(plan)
    return [e for e in check(plan, TINY) if e.startswith("stock:")]


def test_check_catches_a_wrong_peak(tmp_path):
    """A peak stock that is not the profile's is reported."""

    def edit(plan):
        i = plan.outlets.index[plan.outlets["peak_stock_t"] > 0][0]
        plan.outlets.loc[i, "peak_stock_t"] = 0.01

    errs = _corrupt(tmp_path, edit)
    assert any("peak stock" in e for e in errs)


def test_check_catches_a_missing_trip(tmp_path):
    """A trip left out leaves stock at the year's end and miscounts the flow."""

    def edit(plan):
        plan.shipments = plan.shipments.iloc[1:].reset_index(drop=True)

    errs = _corrupt(tmp_path, edit)
    assert any("still in stock" in e for e in errs)
    assert any("trips a year" in e for e in errs)


def test_check_catches_stock_above_the_limit(tmp_path):
    """Trips moved to the year's end let the stock pile up above the 5 t limit."""

    def edit(plan):
        s = plan.shipments
        s["depart_h"] = HOURS_PER_YEAR + 100.0
        s["arrive_h"] = s["depart_h"]  # wrong leg time too, but the pile-up is what counts

    errs = _corrupt(tmp_path, edit)
    assert any("exceeds its limit" in e for e in errs)


def test_check_catches_an_overloaded_trip(tmp_path):
    """A trip loaded beyond the truck's payload is reported."""

    def edit(plan):
        plan.shipments.loc[0, "intact_kg"] = 20_000.0

    errs = _corrupt(tmp_path, edit)
    assert any("exceed the payload" in e for e in errs)


def _two_outlet_problem(storage_fixed: float) -> LocationProblem:
    """One 40 t source; a 5 t collection outlet or a 100 t storage outlet, then the plant."""
    cost = np.array([[np.inf, 100.0, 100.0]])
    return LocationProblem.from_cost_matrix(
        cost,
        [40.0],
        [0.0, 1000.0, storage_fixed],
        [np.inf, 260.0, 1200.0],
        facility_kind=["plant", "collection", "storage"],
        forced_open=[True, False, False],
        forwarding=[(1, 0, 0.0, 0.0), (2, 0, 0.0, 0.0)],
        fwd_trip_cost_cny=[2000.0, 2000.0],
        fwd_trip_t=[5.0, 10.0],
    )


@pytest.mark.parametrize(("storage_fixed", "opened"), [(5000.0, 2), (10000.0, 1)])
def test_more_smaller_trips_or_a_larger_outlet_whichever_is_cheaper(storage_fixed, opened):
    """8 trips of 5 t (collection) against 4 of 10 t (storage, 8,000 CNY dearer in trips)."""
    p = _two_outlet_problem(storage_fixed)
    d = solve_location(p, time_limit_s=10)
    assert d.open_mask[opened] and not d.open_mask[3 - opened]
    trips = p.trips(d.flow_t)
    assert trips.sum() == (4 if opened == 2 else 8)
    assert d.cost_line_haul_cny == pytest.approx(2000.0 * trips.sum())
    assert check_design(p, d) == []


def test_per_trip_pricing_in_the_scenario(tmp_path):
    """location.linehaul_cost: per_trip prices every forwarding arc per trip of its vehicle."""
    path = write_variant(tmp_path, location={"linehaul_cost": "per_trip"})
    inputs = prepare(load_scenario(path))
    p = location_problem(inputs, build_geography(inputs))
    assert np.isfinite(p.fwd_trip_t).all() and (p.fwd_trip_cost_cny > 0).all()
    assert (p.fwd_cost_cny_per_t == 0).all()
    kinds = p.facility_kind[p.fwd_from]
    assert (p.fwd_trip_t[kinds == "collection"] <= COLLECTION_MAX_STOCK_T).all()


def _problem_with(
    tmp_path, *items, per_prefecture: bool = False
) -> tuple[LocationProblem, pd.DataFrame]:
    rows = [
        dict(zip(("site_id", "decision", "closing_cost_cny_per_year"), i, strict=True))
        for i in items
    ]
    path = write_variant(
        tmp_path,
        candidates={"table": "candidates.csv", "existing_outlets": rows},
        location={"collection_per_prefecture": per_prefecture},
    )
    inputs = prepare(load_scenario(path))
    return location_problem(inputs, build_geography(inputs)), inputs.candidates


def test_existing_outlet_closed_by_the_scenario(tmp_path):
    """decision: close shuts an existing outlet: the model may not open it."""
    p, cands = _problem_with(tmp_path, ("C-chengdong", "close", 0.0))
    i = list(p.facility_ids).index("C-chengdong")
    assert p.forced_closed[i] and not p.forced_open[i]
    assert bool(cands.set_index("site_id").loc["C-chengdong", "existing"])
    d = solve_location(p, time_limit_s=10)
    assert not d.open_mask[i]
    assert check_design(p, d) == []


def test_existing_outlet_kept_is_forced_open(tmp_path):
    """decision: keep forces an outlet open, whatever the table says."""
    p, _ = _problem_with(tmp_path, ("S-xining", "keep", 0.0))
    i = list(p.facility_ids).index("S-xining")
    assert p.forced_open[i]
    assert solve_location(p, time_limit_s=10).open_mask[i]


def test_existing_outlet_candidate_pays_its_closing_cost(tmp_path):
    """decision: candidate with a closing cost: the closing cost counts when it stays shut,
    and a closing cost above its fixed cost keeps it open."""
    p, _ = _problem_with(tmp_path, ("S-xining", "candidate", 50_000.0))
    i = list(p.facility_ids).index("S-xining")
    d = solve_location(p, time_limit_s=10)
    assert not p.forced_open[i]
    if not d.open_mask[i]:
        assert d.cost_fixed_cny == pytest.approx(
            float(p.fixed_cost_cny[d.open_mask].sum()) + 50_000.0
        )
    assert check_design(p, d) == []
    p2, _ = _problem_with(tmp_path / "b", ("S-xining", "candidate", 10_000_000.0))
    assert solve_location(p2, time_limit_s=10).open_mask[i]


def test_closing_the_only_collection_outlet_of_a_prefecture_is_explained(tmp_path):
    """Closing a prefecture's only collection candidate is diagnosed before solving."""
    from revlog.errors import LocationInfeasibleError

    p, _ = _problem_with(tmp_path, ("C-chengdong", "close", 0.0), per_prefecture=True)
    with pytest.raises(LocationInfeasibleError, match="prefecture Xining"):
        solve_location(p, time_limit_s=10)


def test_unknown_existing_outlet_is_an_input_error(tmp_path):
    """An existing_outlets entry naming no candidate site is reported as file:field."""
    from revlog.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"existing_outlets\.0\.site_id"):
        _problem_with(tmp_path, ("C-nowhere", "close", 0.0))


def test_routing_fleet_at_a_collection_base_is_capped(tmp_path):
    """The routing problem of a collection base carries at most its 5 t stock per run."""
    fleet = [
        {"id": "t8", "base": "outlets", "payload_kg": 8000, "damaged_capacity_kg": 1500},
        {"id": "pt", "base": "plant", "payload_kg": 10000, "damaged_capacity_kg": 2000},
    ]
    path = write_variant(tmp_path, fleet=fleet)
    inputs = prepare(load_scenario(path))
    geo = build_geography(inputs)
    sid = str(inputs.sources["source_id"].iloc[0])
    rp = routing_problem(inputs, geo, "C-pingan", "collection", [sid])
    assert max(v.payload_kg for v in rp.vehicle_types) == 5000.0
    assert fleet_at(inputs.scenario, "C-pingan", "collection")[0].payload_kg == 8000.0
