"""Pipeline glue: problem builders from a scenario (no solver needed)."""

from __future__ import annotations

import numpy as np

from helpers.scenarios import TINY
from revlog.inputs import prepare
from revlog.problems import build_geography, routing_problem, site_of, visit_id, visits_needed
from revlog.routing.problem import VehicleType
from revlog.scenario import load_scenario


def test_visits_split_pickups_larger_than_any_vehicle():
    """A pickup too big for one vehicle is split into enough visits, named D1, D1~2, D1~3, …"""
    fleet = [VehicleType("a", payload_kg=1000, damaged_capacity_kg=100)]
    k = visits_needed(np.array([500.0, 2500.0, 100.0]), np.array([0.0, 0.0, 250.0]), fleet)
    assert k.tolist() == [1, 3, 3]  # 2500 kg over 1000 kg payload; 250 kg damaged over 100 kg
    assert visits_needed(np.array([5e4]), np.array([0.0]), []).tolist() == [1]
    assert visit_id("D1", 0) == "D1" and visit_id("D1", 2) == "D1~3" and site_of("D1~3") == "D1"


def test_routing_problem_splits_and_conserves_the_pickup():
    """A base's routing problem splits big pickups into visits at one site and keeps every tonne."""
    sc = load_scenario(TINY)
    sc = sc.model_copy(update={"routing": sc.routing.model_copy(update={"periods_per_year": 1})})
    inputs = prepare(sc)
    geo = build_geography(inputs)
    srcs = ["D1", "D2", "S1"]
    rp = routing_problem(inputs, geo, "C-chengdong", "collection", srcs)
    # 12 t/year in one period on 3 t trucks: D1 needs 4 visits, D2 (9 t) 3, S1 (6 t) 2
    assert rp.node_ids[0] == "C-chengdong"
    assert [site_of(n) for n in rp.node_ids[1:]].count("D1") == 4
    total = rp.pickup_intact_kg + rp.pickup_damaged_kg
    assert total.max() <= 3000 + 1e-9
    want = inputs.sources.set_index("source_id").loc[srcs, "supply_t_per_year"].sum() * 1000
    assert abs(total.sum() - want) < 1e-6
    # every visit of one source sits on the same site: zero distance between them
    i, j = rp.node_ids.index("D1"), rp.node_ids.index("D1~2")
    assert rp.km[i, j] == 0.0 and rp.km[0, i] == rp.km[0, j] > 0


def test_sources_that_supply_nothing_are_not_visited_and_a_plan_of_nothing_warns(tmp_path):
    """A source with 0 t/year is neither assigned nor visited; if all are, the plan says so."""
    import revlog
    from helpers.scenarios import TINY_DIR, write_variant

    lines = (TINY_DIR / "sources.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:]
    col = header.split(",").index("supply_t_per_year")

    def zeroed(keep: int) -> str:
        out = [header]
        for k, row in enumerate(rows):
            cells = row.split(",")
            cells[col] = cells[col] if k < keep else "0"
            out.append(",".join(cells))
        return "\n".join(out) + "\n"

    none = revlog.solve(write_variant(tmp_path / "a", sources_csv=zeroed(0)), time_limit=10)
    assert len(none.routes) == 0 and len(none.assignments) == 0
    assert none.kpis["total_cost_cny_per_year"] == 0.0
    assert any("no source supplies anything" in w for w in none.meta["warnings"])
    some = revlog.solve(write_variant(tmp_path / "b", sources_csv=zeroed(2)), time_limit=10)
    visited = set(some.stops["node_id"])
    ids = [r.split(",")[0] for r in rows]
    assert set(some.assignments["source_id"]) == set(ids[:2]) and not visited & set(ids[2:])
    assert any(f"{len(ids) - 2} of {len(ids)} sources supply 0" in w for w in some.meta["warnings"])
    assert revlog.check(some, write_variant(tmp_path / "b", sources_csv=zeroed(2))) == []
