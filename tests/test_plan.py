"""Plan: documented tables, KPIs that add up, readable summary/repr, save/load round-trip."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely import LineString, Point

from helpers.plans import solved_tiny_dir
from revlog.plan import COLUMNS, GEO_TABLES, KPI_UNITS, TABLES, Plan, empty_table


@pytest.fixture(scope="session")
def plan():
    return Plan.load(solved_tiny_dir())


def test_tables_have_the_documented_columns_and_crs(plan):
    """Plan tables have the documented columns; geo tables are valid WGS84 points or lines."""
    for name in TABLES:
        table = getattr(plan, name)
        assert list(c for c in table.columns if c != "geometry") == COLUMNS[name], name
        if name in GEO_TABLES:
            assert isinstance(table, gpd.GeoDataFrame)
            assert table.crs.to_epsg() == 4326
            assert table.geometry.is_valid.all()
    assert set(plan.outlets.geom_type) == {"Point"}
    assert set(plan.stops.geom_type) == {"Point"}
    assert set(plan.routes.geom_type) <= {"LineString"}
    assert set(plan.assignments.geom_type) == {"LineString"}


def test_every_kpi_has_a_unit_entry_and_the_cost_parts_add_up(plan):
    """Every KPI has a unit and the cost parts add up to the total; the tiny plan serves all."""
    k = plan.kpis
    assert set(k.index) <= set(KPI_UNITS)
    parts = (
        k["fixed_cost_cny_per_year"]
        + k["pickup_cost_cny_per_year"]
        + k["line_haul_cost_cny_per_year"]
        + k["risk_cost_cny_per_year"]
    )
    assert k["total_cost_cny_per_year"] == pytest.approx(parts, rel=1e-9)
    assert k["pickup_cost_cny_per_year"] == pytest.approx(
        k["pickup_cost_cny_per_period"] * plan.meta["periods_per_year"], rel=1e-9
    )
    assert k["runs_per_period"] == len(plan.routes)
    assert k["vehicle_km_per_period"] == pytest.approx(plan.routes["km"].sum(), rel=1e-6)
    # every tonne of the tiny scenario is picked up (nothing dropped)
    assert k["dropped_stops"] == 0
    assert k["served_share"] == pytest.approx(1.0, rel=1e-6)
    assert k["collected_t_per_year"] == pytest.approx(k["supply_t_per_year"], rel=1e-6)
    assert k.dtype == "float64"  # numbers are numbers; statuses live with the solver figures
    assert plan.solver["location_status"] in ("optimal", "time_limit")
    assert set(plan.solver) == {
        "location_status",
        "location_gap",
        "routing_status",
        "deterministic",
    }
    assert plan.solver["deterministic"] is True  # work budgets, not the clock, ended the search


def test_run_totals_match_their_stops(plan):
    """Each run starts and ends at its base, and its totals are the sums over its stops."""
    for run in plan.routes.itertuples(index=False):
        s = plan.stops[plan.stops["run_id"] == run.run_id].sort_values("seq")
        assert s["node_id"].iloc[0] == s["node_id"].iloc[-1] == run.base_id
        assert run.stops == len(s) - 2
        assert run.intact_kg == pytest.approx(s["pickup_intact_kg"].sum())
        assert run.damaged_kg == pytest.approx(s["pickup_damaged_kg"].sum())


def test_summary_and_repr_are_readable(plan):
    """A plan's summary names its KPIs with units; its repr is one line; it renders as HTML."""
    text = plan.summary()
    assert text.startswith("Plan 'tiny'")
    for key in ("total_cost_cny_per_year", "served_share", "runs_per_period"):
        assert key in text
    assert "CNY/year" in text and "t/year" in text
    r = repr(plan)
    assert r.startswith("Plan('tiny', cost_cny_per_year=") and r.endswith(")")
    assert "\n" not in r
    assert "<table>" in plan._repr_html_()


def test_save_load_round_trip(plan, tmp_path):
    """A saved plan loads back equal, and saving the loaded plan writes the same bytes."""
    plan.save(tmp_path / "a")
    again = Plan.load(tmp_path / "a")
    assert again.name == plan.name
    assert again.meta == json.loads(json.dumps(plan.summary_dict()))["meta"]
    for name in TABLES:
        a, b = getattr(plan, name), getattr(again, name)
        pd.testing.assert_frame_equal(
            pd.DataFrame(a).drop(columns="geometry", errors="ignore"),
            pd.DataFrame(b).drop(columns="geometry", errors="ignore"),
            check_dtype=True,
            rtol=1e-9,
        )
        if name in GEO_TABLES:
            assert all(
                g1.equals_exact(g2, 1e-6) for g1, g2 in zip(a.geometry, b.geometry, strict=True)
            )
    assert list(again.kpis.index) == list(plan.kpis.index)
    assert again.kpis.dtype == "float64"
    for key in plan.kpis.index:
        assert again.kpis[key] == pytest.approx(plan.kpis[key], rel=1e-6)
    # saving the loaded plan gives the same bytes
    again.save(tmp_path / "b")
    for f in sorted(p.name for p in (tmp_path / "a").iterdir()):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def _toy_plan() -> Plan:
    outlets = gpd.GeoDataFrame(
        {
            "site_id": ["007", "P"],
            "name": ['Outlet, "seven"', "Plant"],
            "kind": ["collection", "plant"],
            "prefecture": ["Xining", ""],
            "province": ["Qinghai", "Qinghai"],
            "open": [True, True],
            "existing": [False, True],
            "throughput_t_per_year": [1.5, 1.5],
            "capacity_t_per_year": [60.0, 1000.0],
            "utilisation": [0.025, 0.0015],
            "fixed_cost_cny_per_year": [1000.0, 0.0],
            "decision": ["", ""],
            "stock_capacity_t": [5.0, 0.0],
            "peak_stock_t": [1.5, 0.0],
            "keep_cost_cny_per_year": [0.0, 0.0],
        },
        geometry=[Point(101.75, 36.6), Point(101.5, 36.5)],
        crs="EPSG:4326",
    )
    tables = {n: empty_table(n) for n in TABLES}
    tables["outlets"] = outlets
    lh = tables["linehauls"]
    tables["linehauls"] = gpd.GeoDataFrame(
        pd.DataFrame(
            [["007", "P", 1.5, 25.0, "truck", 1, 10.0, 1, 0.8, 37.5, 12.0]],
            columns=list(lh.columns[:-1]),
        ),
        geometry=[LineString([(101.75, 36.6), (101.5, 36.5)])],
        crs="EPSG:4326",
    )
    kpis = pd.Series({"total_cost_cny_per_year": 1037.5, "runs_per_period": 0}, dtype=float)
    return Plan(name="toy", kpis=kpis, meta={"note": "ünïcode"}, **tables)


def test_ids_stay_text_and_empty_tables_round_trip(tmp_path):
    """Ids stay text; quoted names, empty tables, dtypes and unicode meta survive a round trip."""
    toy = _toy_plan()
    toy.save(tmp_path)
    back = Plan.load(tmp_path)
    assert list(back.outlets["site_id"]) == ["007", "P"]
    assert back.outlets["name"].iloc[0] == 'Outlet, "seven"'
    assert back.linehauls["from_id"].iloc[0] == "007"
    assert len(back.routes) == 0 and list(back.routes.columns[:-1]) == COLUMNS["routes"]
    assert back.routes.crs.to_epsg() == 4326
    assert back.kpis["runs_per_period"] == 0 and back.kpis.dtype == "float64"
    assert back.linehauls["trips_per_year"].dtype == "int64" and back.outlets["open"].dtype == bool
    assert back.meta == {"note": "ünïcode"}
    assert "runs=0" in repr(back)


def test_load_of_a_missing_folder_raises(tmp_path):
    """Loading a plan from a missing folder raises FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        Plan.load(tmp_path / "nothing")
