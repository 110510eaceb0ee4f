"""The closed loop (issue 15): grades, second-life flows, revenues, CO2, and their checker."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import revlog
from helpers.scenarios import SCENARIOS, write_variant
from revlog.check.loop import check_loop
from revlog.errors import ScenarioError
from revlog.inputs import prepare
from revlog.loop.co2 import vehicle_kg_co2_per_km
from revlog.loop.front import cost_co2_front
from revlog.loop.grades import source_grades
from revlog.loop_defaults import truck_kg_co2_per_km
from revlog.plan.schema import TABLES
from revlog.problems import build_geography, location_problem
from revlog.scenario.load import load_scenario

#: The tiny scenario with its storage outlet open and second-life users paying a little more,
#: so that some graded packs are sold.
LOOP_ON = {
    "candidates": {"existing": ["S-xining"]},
    "loop": {"enabled": True, "carbon_price_cny_per_t_co2": 100.0, "second_life_price_scale": 1.3},
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("loop")


@pytest.fixture(scope="module")
def loop_plan(folder):
    path = write_variant(folder / "on", "loop-on", **LOOP_ON)
    return path, revlog.solve(path)


def _common_frames(plan):
    return {
        t: pd.DataFrame(getattr(plan, t)).drop(columns="geometry", errors="ignore") for t in TABLES
    }


def test_loop_without_revenue_and_users_equals_todays_plan(folder):
    """Loop on with revenue off and no second-life users gives exactly the plan without it."""
    off = revlog.solve(write_variant(folder / "off", "same"))
    neutral = revlog.solve(
        write_variant(
            folder / "neutral", "same", loop={"enabled": True, "revenue": False, "users": []}
        )
    )
    a, b = _common_frames(off), _common_frames(neutral)
    for t in TABLES:
        pd.testing.assert_frame_equal(a[t], b[t], check_exact=True, obj=t)
    common = off.kpis.index
    assert list(neutral.kpis.index[: len(common)]) == list(common)
    pd.testing.assert_series_equal(off.kpis, neutral.kpis[common])
    assert "co2_kg_per_year" not in off.kpis.index
    assert float(neutral.kpis["second_life_t_per_year"]) == 0.0


def test_closed_loop_plan_checks_and_sells_graded_packs(loop_plan):
    """A loop plan passes revlog check; graded packs reach users within demand, from storage."""
    path, plan = loop_plan
    assert revlog.check(plan, path) == []
    k = plan.kpis
    assert k["second_life_t_per_year"] > 0
    kinds = dict(zip(plan.outlets["site_id"], plan.outlets["kind"], strict=True))
    to_users = plan.linehauls[[kinds[t] == "second_life" for t in plan.linehauls["to_id"]]]
    assert set(kinds[f] for f in to_users["from_id"]) == {"storage"}
    assert to_users["t_per_year"].sum() == pytest.approx(k["second_life_t_per_year"])
    assert k["co2_kg_per_year"] == pytest.approx(
        k["co2_emitted_kg_per_year"] - k["co2_avoided_kg_per_year"]
    )
    assert k["net_cost_cny_per_year"] == pytest.approx(
        k["total_cost_cny_per_year"]
        + k["grading_cost_cny_per_year"]
        - k["second_life_revenue_cny_per_year"]
        - k["plant_revenue_cny_per_year"]
        + k["carbon_cost_cny_per_year"]
    )


def test_only_storage_outlets_can_reach_second_life_users(loop_plan):
    """Stage 1 has no source or collection-outlet arc into a second-life user."""
    path, _ = loop_plan
    inputs = prepare(load_scenario(path))
    p = location_problem(inputs, build_geography(inputs))
    users = np.flatnonzero(p.facility_kind == "second_life")
    assert users.size > 0
    assert not np.isin(p.arc_facility, users).any()
    into = np.isin(p.fwd_to, users)
    assert set(p.facility_kind[p.fwd_from[into]]) == {"storage"}


def _corrupt(plan, how):
    bad = copy.deepcopy(plan)
    loop = bad.meta["loop"]
    if how == "grades":
        loop["grades_t_per_year"]["second_life"] *= 1.5
    elif how == "ungraded":
        for r in loop["second_life_flows"]:
            if r["to_id"].startswith("SL-"):
                r["t_per_year"] *= 0.5
    elif how == "balance":
        loop["second_life_flows"] = [
            r for r in loop["second_life_flows"] if r["to_id"].startswith("SL-")
        ]
    elif how == "demand":
        lh = bad.linehauls
        i = next(n for n, t in enumerate(lh["to_id"]) if t.startswith("SL-"))
        lh.loc[lh.index[i], "t_per_year"] *= 50
    elif how == "co2":
        bad.kpis["co2_pickup_kg_per_year"] *= 1.1
    elif how == "revenue":
        bad.kpis["second_life_revenue_cny_per_year"] += 1000.0
    return bad


@pytest.mark.parametrize(
    ("how", "words"),
    [
        ("grades", "grade second_life"),
        ("ungraded", "only graded packs"),
        ("balance", "balance at"),
        ("demand", "demand"),
        ("co2", "co2_pickup_kg_per_year"),
        ("revenue", "second_life_revenue"),
    ],
)
def test_checker_catches_a_corrupted_loop(loop_plan, how, words):
    """The loop checker reports wrong grades, ungraded sales, balances, demands, CO2, revenue."""
    path, plan = loop_plan
    inputs = prepare(load_scenario(path))
    geo = build_geography(inputs)
    p = location_problem(inputs, geo)
    assert check_loop(plan, inputs, geo, p) == []
    errs = check_loop(_corrupt(plan, how), inputs, geo, p)
    assert any(words in e for e in errs), errs


def test_grades_add_up_and_follow_the_overrides(folder):
    """Grades sum to the supply; scenario share beats the table column beats grading.csv."""
    csv = (SCENARIOS.parent / "tests" / "fixtures" / "tiny" / "sources.csv").read_text()
    lines = csv.strip().splitlines()
    with_col = "\n".join([lines[0] + ",second_life_share"] + [ln + ",0.25" for ln in lines[1:]])
    path = write_variant(
        folder / "grades", "grades", sources_csv=with_col + "\n", loop={"enabled": True}
    )
    sc = load_scenario(path)
    inputs = prepare(sc)
    g = source_grades(sc, inputs.geodata, inputs.sources)
    total = g["second_life_t_per_year"] + g["recycle_t_per_year"] + g["damaged_t_per_year"]
    np.testing.assert_allclose(total, g["supply_t_per_year"])
    assert (g["second_life_share"] == 0.25).all()
    sc2 = sc.model_copy(
        update={"grading": sc.grading.model_copy(update={"second_life_share": 0.5})}
    )
    assert (source_grades(sc2, inputs.geodata, inputs.sources)["second_life_share"] == 0.5).all()
    plain = prepare(load_scenario(write_variant(folder / "g2", "g2", loop={"enabled": True})))
    shares = source_grades(plain.scenario, plain.geodata, plain.sources)["second_life_share"]
    by_kind = dict(zip(plain.sources["kind"], shares, strict=True))
    table = plain.geodata.grading.set_index("kind")["second_life_share_of_intact"]
    assert by_kind == {k: table[k] for k in by_kind}


def test_unknown_second_life_user_is_an_input_error(folder):
    """An unknown id in loop.users is reported as file:loop.users.N: reason."""
    path = write_variant(folder / "bad", "bad", loop={"enabled": True, "users": ["SL-nowhere"]})
    with pytest.raises(ScenarioError) as exc:
        prepare(load_scenario(path))
    assert any(p.field == "loop.users.0" and "SL-nowhere" in p.reason for p in exc.value.problems)


def test_vehicle_co2_is_linear_in_load_and_overridable():
    """Vehicle CO2 per km: class default linear in load; fleet overrides replace it."""
    sc = load_scenario(SCENARIOS / "qinghai-closed-loop.yaml")
    vt = sc.fleet[0]
    half = vehicle_kg_co2_per_km(vt, vt.payload_kg / 2)
    assert half == pytest.approx(truck_kg_co2_per_km(vt.payload_kg, vt.payload_kg / 2))
    own = vt.model_copy(update={"co2_kg_per_km_empty": 0.1, "co2_kg_per_km_loaded": 0.3})
    assert vehicle_kg_co2_per_km(own, vt.payload_kg / 2) == pytest.approx(0.2)
    assert vehicle_kg_co2_per_km(own, 10 * vt.payload_kg) == pytest.approx(0.3)


def test_front_keeps_distinct_non_dominated_points():
    """The cost-CO2 front drops dominated and repeated points and keeps the trade-offs."""
    rows = {
        "status": ["solved"] * 5 + ["infeasible"],
        "net_cost_cny_per_year": [10.0, 12.0, 11.0, 12.0, 10.0, 0.0],
        "carbon_cost_cny_per_year": [0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        "co2_kg_per_year": [100.0, 50.0, 120.0, 60.0, 100.0, 0.0],
    }
    front = cost_co2_front(pd.DataFrame(rows, index=list("abcdef")))
    assert "f" not in front.index
    assert sorted(front.index[front["non_dominated"]]) == ["a", "b"]
    assert front.loc["b", "cost_before_carbon_cny_per_year"] == 11.0


def test_shipped_closed_loop_scenario_solves_and_checks():
    """scenarios/qinghai-closed-loop.yaml solves, checks, and sells within every demand."""
    path = SCENARIOS / "qinghai-closed-loop.yaml"
    plan = revlog.solve(path, time_limit=20)
    assert revlog.check(plan, path) == []
    users = plan.outlets[plan.outlets["kind"] == "second_life"]
    assert len(users) == 10
    assert (users["throughput_t_per_year"] <= users["capacity_t_per_year"] + 1e-6).all()
    assert plan.kpis["second_life_t_per_year"] > 0
