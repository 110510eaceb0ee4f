"""Visit cadence (issue 17) and split pickups (issue 13): rules, problems, plans, checker."""

from __future__ import annotations

import collections
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import revlog
from helpers.scenarios import SCENARIOS, write_variant
from revlog.cadence import (
    base_visits,
    interval_rounds,
    source_packs,
    spread,
    visits_per_year,
    whole_packs,
)
from revlog.check.cadence import check_cadence
from revlog.check.routes import check_routes
from revlog.inputs import prepare
from revlog.problems import (
    build_geography,
    damaged_part_id,
    has_mixed_visits,
    round_problems,
    site_of,
)
from revlog.routing.engine import solve_routing
from revlog.scenario import load_scenario
from revlog.units import DAYS_PER_YEAR

BY_STOCK = {"cadence": "by_stock", "split_pickups": True}
#: Small shops appended to the tiny scenario: below a pack a round (D5, S3), one pack a year
#: (S4), and a shop whose own storage holds one pack (S5).
SMALL_SHOPS = [
    "D5,Small dealer,dealer,Qinghai,Xining,101.78,36.61,2.4,0.125",
    "S3,Small shop,service_shop,Qinghai,Xining,101.70,36.58,0.6,0.5",
    "S4,Tiny shop,service_shop,Qinghai,Xining,101.74,36.64,0.3,0.0",
]


def _baseline(**routing):
    sc = load_scenario(SCENARIOS / "qinghai-baseline.yaml")
    return sc.model_copy(update={"routing": sc.routing.model_copy(update=routing)})


@pytest.fixture(scope="module")
def baseline():
    """The shipped baseline's prepared inputs under by_stock."""
    return prepare(_baseline(cadence="by_stock"))


def test_whole_packs_and_spread_keep_every_pack():
    """Tonnes become whole packs (at least one when any), spread evenly over the visits."""
    assert [whole_packs(kg, 300) for kg in (0, 10, 149, 451, 3000)] == [0, 1, 1, 2, 10]
    assert spread(9, 4) == [2, 2, 2, 3] and sum(spread(7, 3)) == 7
    assert max(spread(13, 4)) - min(spread(13, 4)) <= 1


def test_sources_below_a_pack_a_round_are_not_visited_every_round(baseline):
    """On the baseline every source under 12 packs a year is visited fewer than 12 times."""
    sc = baseline.scenario
    per_year = visits_per_year(sc, baseline.sources)
    packs = source_packs(sc, baseline.sources)
    small = [s for s, p in packs.items() if p.packs < sc.routing.periods_per_year]
    assert len(small) > 100
    assert all(per_year[s] < sc.routing.periods_per_year for s in small)
    assert sum(per_year.values()) < 0.5 * len(per_year) * sc.routing.periods_per_year
    every = visits_per_year(
        sc.model_copy(update={"routing": _baseline().routing}), baseline.sources
    )
    assert set(every.values()) == {12}


def test_visits_pick_up_every_kg_once_in_whole_packs_within_the_limits(baseline):
    """A base's year of visits: every kg once, whole packs, storage and holding respected."""
    sc = baseline.scenario
    src = baseline.sources
    ids = list(src["source_id"])
    visits = base_visits(sc, src, ids)
    packs = source_packs(sc, src)
    by = collections.defaultdict(list)
    for v in visits:
        by[v.source_id].append(v)
        sp = packs[v.source_id]
        assert v.intact_kg == pytest.approx(v.intact_packs * sp.intact_pack_kg)
        assert v.damaged_kg == pytest.approx(v.damaged_packs * sp.damaged_pack_kg)
        assert v.intact_packs + v.damaged_packs >= 1
        assert v.intact_kg + v.damaged_kg <= sp.storage_kg + 1e-9
    for row in src.itertuples():
        vs = by[row.source_id]
        assert sum(v.intact_kg for v in vs) == pytest.approx(row.intact_t_per_year * 1000)
        assert sum(v.damaged_kg for v in vs) == pytest.approx(row.damaged_t_per_year * 1000)
        assert len({v.round for v in vs}) == len(vs)  # at most one visit a round
        k = interval_rounds(packs[row.source_id], sc)
        if packs[row.source_id].packs >= 4:  # a pack a quarter: visited within the hold
            assert k * DAYS_PER_YEAR / 12 + sc.routing.days_per_period <= 120
    # the rounds are balanced: stops per round within a few of each other
    per_round = collections.Counter(v.round for v in visits)
    assert max(per_round.values()) - min(per_round.values()) <= 2
    # the same set of sources in another order gives the same visits
    assert base_visits(sc, src, ids[::-1]) == visits


def test_a_sources_own_storage_limit_shortens_its_interval(tmp_path):
    """The storage_kg column overrides the default: a small store means more visits."""
    rows = [*SMALL_SHOPS, "S5,Cramped shop,service_shop,Qinghai,Xining,101.76,36.62,2.4,0.0"]
    text = (
        Path(write_variant(tmp_path / "a", extra_sources=rows)).parent / "sources.csv"
    ).read_text()
    lines = text.strip().splitlines()
    lines[0] += ",storage_kg"
    lines[1:] = [ln + (",300" if ln.startswith("S5,") else ",") for ln in lines[1:]]
    path = write_variant(tmp_path / "b", sources_csv="\n".join(lines) + "\n", routing=BY_STOCK)
    inputs = prepare(load_scenario(path))
    per_year = visits_per_year(inputs.scenario, inputs.sources)
    # D5 and S5 both hand over 8 packs a year: quarterly (4) vs every month with a pack
    assert per_year["D5"] == 4 and per_year["S5"] == 6
    assert per_year["S4"] == 1 and per_year["S3"] == 2  # one pack a year; 2 packs a year
    sp = source_packs(inputs.scenario, inputs.sources)["S5"]
    assert sp.storage_kg == 300 and sp.packs == 8


def test_split_visits_put_damaged_packs_on_a_stop_of_their_own(baseline):
    """With split, a visit holding both kinds is two stops at one site, every kg kept."""
    geo = build_geography(baseline)
    ids = list(baseline.sources.query("prefecture == 'Xining'")["source_id"])
    joint = round_problems(baseline, geo, "C-chengbei", "collection", ids)
    apart = round_problems(baseline, geo, "C-chengbei", "collection", ids, split=True)
    assert len(joint) == len(apart) == 12
    mixed = [k for k, rp in enumerate(joint) if has_mixed_visits(rp)]
    assert mixed
    a, b = joint[mixed[0]], apart[mixed[0]]
    twins = [n for n in b.node_ids if n.endswith("~d")]
    assert twins and all(damaged_part_id(site_of(t)) == t for t in twins)
    assert b.pickup_intact_kg.sum() == pytest.approx(a.pickup_intact_kg.sum())
    assert b.pickup_damaged_kg.sum() == pytest.approx(a.pickup_damaged_kg.sum())
    assert not ((b.pickup_intact_kg > 0) & (b.pickup_damaged_kg > 0)).any()
    i, j = b.node_ids.index(site_of(twins[0])), b.node_ids.index(twins[0])
    assert b.km[i, j] == 0.0
    # service: each stop's fixed time + its packs; the round's runs are driven once a year
    assert b.meta["times_per_year"] == 1 and b.meta["split"] and b.meta["round"] == mixed[0]


def _van_and_truck_case(intact: float, damaged: float, n: int):
    """``n`` shops 1 h apart on a line from the base, each with ``intact`` + ``damaged`` kg;
    a van (no box) and a box truck, one run each; joint and split problems."""
    from helpers.routing import daily, make
    from revlog.routing.problem import DrivingRules, VehicleType

    types = [VehicleType("box", 3000, 600, 600, 4.0, 1), VehicleType("van", 1500, 0, 300, 2.5, 1)]
    pos = np.r_[0.0, np.arange(1, n + 1) * 0.5]
    joint = make(
        np.abs(pos[:, None] - pos[None, :]),
        intact=[0] + [intact] * n,
        damaged=[0] + [damaged] * n,
        service=[0] + [0.3] * n,
        windows=[daily(6, 22)] + [daily(8, 18)] * n,
        types=types,
        rules=DrivingRules(max_days=1),
    )
    both = np.r_[pos, pos[1:]]  # the damaged parts: the same places
    apart = make(
        np.abs(both[:, None] - both[None, :]),
        intact=[0] + [intact] * n + [0] * n,
        damaged=[0] + [0] * n + [damaged] * n,
        service=[0] + [0.25] * (2 * n),
        windows=[daily(6, 22)] + [daily(8, 18)] * (2 * n),
        types=types,
        rules=DrivingRules(max_days=1),
    )
    apart.node_ids[n + 1 :] = [damaged_part_id(f"s{i}") for i in range(1, n + 1)]
    joint.meta["split"], apart.meta["split"] = False, True
    return joint, apart


def test_split_pickups_let_a_van_take_the_intact_packs():
    """Where the box truck alone cannot carry the round, the van takes intact packs only."""
    from revlog.routing.interrupts import RoutingInterrupts
    from revlog.routing_stage import _route_round, _Searcher

    joint, apart = _van_and_truck_case(700.0, 100.0, 4)  # 3,200 kg > the truck's 3,000
    assert has_mixed_visits(joint)
    search = _Searcher(0, False, RoutingInterrupts(), lambda stage, msg: None)
    runs, why, _ = _route_round((joint, apart), (10.0, 2.0), False, search)
    assert runs is not None and runs.problem is apart and why == []
    assert check_routes(apart, runs.solution) == []
    vans = [r for r in runs.solution.runs if r.vehicle_type == "van"]
    assert vans and all(r.stops[-1].load_damaged_kg == 0 for r in vans)
    served = sum(
        r.stops[-1].load_intact_kg + r.stops[-1].load_damaged_kg for r in runs.solution.runs
    )
    assert served == pytest.approx(3200.0)
    # where the truck carries it all, the joint pickups stay (one stop per shop is cheaper)
    joint, apart = _van_and_truck_case(300.0, 100.0, 2)
    runs, _, _ = _route_round((joint, apart), (10.0, 2.0), False, search)
    assert runs.problem is joint
    alone = solve_routing(joint, time_limit_s=5, seed=0)
    assert runs.solution.objective_cny == pytest.approx(alone.objective_cny)


@pytest.fixture(scope="module")
def tiny_by_stock(tmp_path_factory):
    """The tiny scenario with small shops, by_stock cadence and split pickups, solved."""
    folder = tmp_path_factory.mktemp("cadence")
    path = write_variant(folder, extra_sources=SMALL_SHOPS, routing=BY_STOCK)
    plan = revlog.solve(path, time_limit=20, seed=0)
    out = folder / "plan"
    plan.save(out)
    return path, out, plan


def test_a_by_stock_plan_solves_and_passes_the_checker(tiny_by_stock):
    """The year's rounds are routed one by one; the plan passes revlog check."""
    path, out, plan = tiny_by_stock
    assert revlog.check(revlog.Plan.load(out), path) == []
    r = plan.routes
    assert (r["times_per_year"] == 1).all() and r["round"].nunique() > 1
    k = plan.kpis
    assert k["collected_t_per_year"] == pytest.approx(k["supply_t_per_year"])
    assert k["pickup_cost_cny_per_year"] == pytest.approx(r["cost_cny"].sum())
    assert k["runs_per_period"] == pytest.approx(len(r) / 12)
    visited = plan.stops.assign(site=plan.stops["node_id"].map(site_of))
    visited = visited.merge(r[["run_id", "round"]], on="run_id")
    rounds = visited.groupby("site")["round"].nunique()
    assert rounds["S4"] == 1 and rounds["S3"] == 2 and rounds["D1"] == 12


def _stops_with(plan, change) -> revlog.Plan:
    import copy

    bad = copy.deepcopy(plan)
    change(bad)
    return bad


def test_the_checker_catches_broken_cadence(tiny_by_stock):
    """Extra kg, a fraction of a pack, an overfull store, an over-long hold are all reported."""
    path, _out, plan = tiny_by_stock
    inputs = prepare(load_scenario(path))
    assert check_cadence(plan, inputs) == []
    pick = plan.stops.index[(plan.stops["node_id"] == "D1") & (plan.stops["pickup_intact_kg"] > 0)]

    def more(p):
        p.stops.loc[pick[0], "pickup_intact_kg"] += 100.0

    errs = check_cadence(_stops_with(plan, more), inputs)
    assert any("D1" in e and "picked up" in e for e in errs)
    assert any("not whole" in e for e in errs)
    # the same plan against a smaller store and a shorter hold
    small = inputs.scenario.routing.model_copy(update={"source_storage_kg": 400.0})
    errs = check_cadence(plan, prepare(inputs.scenario.model_copy(update={"routing": small})))
    assert any("exceeds its storage" in e for e in errs)
    short = inputs.scenario.routing.model_copy(update={"max_holding_days": 40.0})
    errs = check_cadence(plan, prepare(inputs.scenario.model_copy(update={"routing": short})))
    assert any("max_holding_days" in e for e in errs)


def test_the_checker_refuses_damaged_packs_on_a_van(tiny_by_stock):
    """A run of the van that picks up damaged packs breaks the certified-box rule."""
    path, _out, plan = tiny_by_stock
    r = plan.routes
    boxed = r.index[(r["damaged_kg"] > 0) & (r["vehicle_type"] == "box-truck")]
    assert len(boxed)

    def to_van(p):
        p.routes.loc[boxed[0], "vehicle_type"] = "van"

    errs = revlog.check(_stops_with(plan, to_van), path)
    assert any("damaged" in e or "certified" in e for e in errs)


def test_every_round_cadence_is_todays_plan(tmp_path):
    """The default cadence keeps one period's runs, driven every period."""
    sc = load_scenario(write_variant(tmp_path, routing={"periods_per_year": 12}))
    assert sc.routing.cadence == "every_round" and not sc.routing.split_pickups
    inputs = prepare(sc)
    geo = build_geography(inputs)
    rps = round_problems(inputs, geo, "C-chengdong", "collection", ["D1", "D2"])
    assert len(rps) == 1 and rps[0].meta["times_per_year"] == 12 and "round" not in rps[0].meta
    want = inputs.sources.set_index("source_id").loc[["D1", "D2"], "supply_t_per_year"].sum()
    total = rps[0].pickup_intact_kg.sum() + rps[0].pickup_damaged_kg.sum()
    assert total * 12 == pytest.approx(want * 1000)
    assert not np.isnan(total) and math.isfinite(total)
    assert isinstance(inputs.sources, pd.DataFrame)


def test_the_shipped_cadence_scenario_visits_by_stock():
    """qinghai-baseline-cadence.yaml is the baseline with by_stock visits and split pickups."""
    sc = load_scenario(SCENARIOS / "qinghai-baseline-cadence.yaml")
    base = load_scenario(SCENARIOS / "qinghai-baseline.yaml")
    assert sc.routing.cadence == "by_stock" and sc.routing.split_pickups
    assert sc.fleet == base.fleet and sc.rules == base.rules and sc.location == base.location
    inputs = prepare(sc)
    per_year = visits_per_year(sc, inputs.sources)
    assert sum(per_year.values()) == 776 and max(per_year.values()) < 12
