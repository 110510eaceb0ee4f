"""The multi-year plan (issue 14): scenario section, one MILP over the years, myopic vs planned,
per-year plans, the phasing tables and their independent check."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from tests.helpers.scenarios import SCENARIOS, TINY_DIR, write_variant
from typer.testing import CliRunner

from revlog.check.horizon import check_horizon
from revlog.cli import app
from revlog.errors import ScenarioError
from revlog.horizon.pipeline import solve_horizon_inputs
from revlog.horizon.plan import HorizonPlan
from revlog.horizon.problem import horizon_problem, horizon_years, year_supply
from revlog.horizon.solve import solve_horizon, solve_myopic
from revlog.inputs import prepare
from revlog.location.solve import solve_location
from revlog.problems import build_geography, location_problem
from revlog.scenario.load import load_scenario
from revlog.scenario.schema import HorizonConfig

#: A three-year horizon of the tiny scenario: supply ×2 then ×4, opening costs, modules.
TINY_HORIZON = {
    "years": [2025, 2028, 2031],
    "growth": {2028: {"*": 2.0}, 2031: {"Qinghai": 4.0}},
    "discount_rate": 0.08,
    "opening_cost_years_of_fixed": 1.0,
    "modules": {"stock_t": 30.0, "cost_cny": 50000.0, "fixed_cost_cny_per_year": 5000.0},
}
#: The tiny fleet, three vehicles of each type (the grown volumes need them).
TINY_FLEET = [
    {"id": "van", "base": "outlets", "payload_kg": 1500, "fixed_cost_cny_per_run": 300,
     "cost_cny_per_km": 2.5, "count": 3},
    {"id": "box-truck", "base": "outlets", "payload_kg": 3000, "damaged_capacity_kg": 600,
     "fixed_cost_cny_per_run": 600, "cost_cny_per_km": 4.0, "count": 3},
    {"id": "plant-truck", "base": "plant", "payload_kg": 10000, "damaged_capacity_kg": 2000,
     "fixed_cost_cny_per_run": 900, "cost_cny_per_km": 5.5, "count": 3},
]  # fmt: skip


@pytest.fixture(scope="module")
def tiny_horizon(tmp_path_factory):
    """The tiny horizon scenario, solved and saved once."""
    folder = tmp_path_factory.mktemp("horizon")
    path = write_variant(folder, "tiny-horizon", horizon=TINY_HORIZON, fleet=TINY_FLEET)
    sc = load_scenario(path)
    plan = solve_horizon_inputs(prepare(sc), time_limit_s=6, seed=0)
    out = plan.save(folder / "plan")
    return sc, plan, out


def test_single_year_horizon_is_the_single_year_solve():
    """A horizon of one year gives the single-year design and cost (weight 1, no one-off)."""
    sc = load_scenario(SCENARIOS / "qinghai-baseline.yaml")
    sc = sc.model_copy(update={"horizon": HorizonConfig(years=[2025])})
    inputs = prepare(sc)
    geo = build_geography(inputs)
    single = solve_location(location_problem(inputs, geo), time_limit_s=30, mip_gap=1e-6)
    multi = solve_horizon(horizon_problem(inputs, geo), time_limit_s=30, mip_gap=1e-6)
    d = multi.designs[0]
    assert np.array_equal(d.open_mask, single.open_mask)
    assert np.array_equal(d.assignment, single.assignment)
    assert multi.objective_cny == pytest.approx(single.objective_cny, rel=1e-9)


def test_weights_discount_each_calendar_year():
    """Each year weighs the discounted calendar years up to the next one (the last: to end_year)."""
    cfg = HorizonConfig(years=[2025, 2027, 2030], end_year=2031, discount_rate=0.1,
                        growth={2027: {"*": 1.0}, 2030: {"*": 1.0}})  # fmt: skip
    ys = horizon_years(cfg)
    assert [y.calendar_years for y in ys] == [2, 3, 2]
    assert ys[0].weight == pytest.approx(1 + 1 / 1.1)
    assert ys[2].discount == pytest.approx(1.1**-5)
    assert ys[2].weight == pytest.approx(1.1**-5 + 1.1**-6)


def test_planned_never_above_myopic_and_openings_monotone(tmp_path):
    """The multi-year MILP costs no more than the stitched myopic plan; nothing closes."""
    path = write_variant(tmp_path, "hz", horizon=TINY_HORIZON)
    inputs = prepare(load_scenario(path))
    hp = horizon_problem(inputs, build_geography(inputs))
    myopic = solve_myopic(hp, time_limit_s=20, mip_gap=0.0)
    planned = solve_horizon(hp, time_limit_s=20, mip_gap=0.0, start=myopic)
    assert planned.objective_cny <= myopic.objective_cny * (1 + 1e-9)
    for d in (planned, myopic):
        o = d.open_matrix
        assert (o[1:] >= o[:-1]).all()
        assert (d.modules[1:] >= d.modules[:-1]).all()


def test_tiny_horizon_solves_and_checks(tiny_horizon):
    """Every year is routed, the plan passes the independent check, planned ≤ myopic."""
    sc, plan, out = tiny_horizon
    assert list(plan.plans) == [2025, 2028, 2031]
    assert check_horizon(out, sc) == []
    assert plan.kpis["planning_saves_cny"] >= -1e-6
    supply = plan.years["supply_t_per_year"].to_numpy()
    assert supply[1] == pytest.approx(2 * supply[0])
    for year, p in plan.plans.items():
        assert p.kpis["served_share"] == pytest.approx(1.0), year


def test_saved_horizon_reads_back(tiny_horizon):
    """Save → load keeps the phasing tables, the KPIs and every year's plan."""
    _, plan, out = tiny_horizon
    back = HorizonPlan.load(out)
    assert back.outlets["open_from_year"].equals(plan.outlets["open_from_year"])
    assert np.allclose(back.kpis.to_numpy(), plan.kpis.to_numpy())
    k = plan.plans[2031].kpis
    assert np.allclose(back.plans[2031].kpis[k.index].to_numpy(), k.to_numpy(), rtol=1e-6)


def test_checker_catches_a_closed_outlet(tiny_horizon):
    """An outlet open in one year and closed the next is caught (closing not allowed)."""
    sc, plan, _ = tiny_horizon
    back = _copy(plan)
    o28 = back.plans[2028].outlets
    site = o28.loc[o28["open"] & (o28["kind"] != "plant"), "site_id"].iloc[0]
    o31 = back.plans[2031].outlets
    o31.loc[o31["site_id"] == site, "open"] = False
    found = check_horizon(back, sc)
    assert any("closing_allowed is off" in e for e in found), found


def test_checker_catches_wrong_phasing_and_costs(tiny_horizon):
    """A wrong open_from_year, modules beyond the limit and a wrong discounted total are caught."""
    sc, plan, _ = tiny_horizon
    back = _copy(plan)
    back.outlets.loc[0, "open_from_year"] = 2031
    found = check_horizon(back, sc)
    assert any("open_from_year 2031" in e for e in found), found
    back = _copy(plan)
    storage = back.outlets.index[back.outlets["kind"] == "storage"][0]
    back.outlets.loc[storage, "modules_2031"] = 99
    assert any("above the" in e for e in check_horizon(back, sc))
    back = _copy(plan)
    back.kpis["discounted_total_cny"] *= 0.9
    assert any("discounted_total_cny" in e for e in check_horizon(back, sc))


def test_horizon_validation_names_file_and_field(tmp_path):
    """Bad horizons are refused as file:field: reason (years order, growth, plant capacity)."""
    bad = write_variant(tmp_path, "b1", horizon={"years": [2030, 2025]})
    with pytest.raises(ScenarioError, match="strictly increasing"):
        load_scenario(bad)
    bad = write_variant(tmp_path, "b2", horizon={"years": [2025, 2030]})
    with pytest.raises(ScenarioError, match=r"b2.yaml:horizon.growth: no factors for year 2030"):
        prepare(load_scenario(bad))
    bad = write_variant(tmp_path, "b3", horizon={"years": [2025, 2030],
                                                 "growth": {2030: {"Gansu": 2.0}}})  # fmt: skip
    with pytest.raises(ScenarioError, match=r"b3.yaml:horizon.growth.2030: no factor for Qinghai"):
        horizon_problem(prepare(load_scenario(bad)), None)
    bad = write_variant(tmp_path, "b4", horizon={"years": [2025, 2030],
                                                 "growth": {2030: {"*": 500.0}}})  # fmt: skip
    with pytest.raises(ScenarioError, match="exceeds the plant capacity"):
        horizon_problem(prepare(load_scenario(bad)), None)


def _sources_with_year_column(year: int, values: list[str]) -> str:
    """The tiny sources table with a column ``supply_t_per_year_YEAR`` of ``values``."""
    lines = (TINY_DIR / "sources.csv").read_text(encoding="utf-8").strip().splitlines()
    out = [lines[0] + f",supply_t_per_year_{year}"]
    out += [line + "," + v for line, v in zip(lines[1:], values, strict=True)]
    return "\n".join(out) + "\n"


def test_per_source_supply_columns_give_a_year_its_tonnes(tmp_path):
    """A sources column supply_t_per_year_YEAR gives each source its tonnes in that year
    (scaled by sources.supply_scale like supply_t_per_year), in place of a growth factor;
    the horizon solves and checks on them."""
    n = len((TINY_DIR / "sources.csv").read_text().strip().splitlines()) - 1
    values = [f"{3.0 + i}" for i in range(n)]
    path = write_variant(tmp_path, "cols", sources_csv=_sources_with_year_column(2028, values),
                         horizon={"years": [2025, 2028]}, fleet=TINY_FLEET,
                         sources={"supply_scale": 2.0})  # fmt: skip
    sc = load_scenario(path)
    inputs = prepare(sc)
    supply = year_supply(inputs)
    assert supply[2028] == pytest.approx(2.0 * np.array([float(v) for v in values]))
    assert supply[2025] == pytest.approx(inputs.sources["supply_t_per_year"].to_numpy())
    plan = solve_horizon_inputs(inputs, time_limit_s=6, seed=0)
    out = plan.save(tmp_path / "plan")
    assert plan.years["supply_t_per_year"].iloc[1] == pytest.approx(supply[2028].sum())
    assert check_horizon(out, sc) == []


def test_per_source_supply_columns_are_validated(tmp_path):
    """A year's supply given both as a growth factor and a column, a column for a year not
    planned, and an empty or negative cell are errors naming the file and the field."""
    n = len((TINY_DIR / "sources.csv").read_text().strip().splitlines()) - 1
    grown = {"years": [2025, 2028], "growth": {2028: {"*": 2.0}}}
    twice = write_variant(tmp_path / "a", "twice", horizon=grown,
                          sources_csv=_sources_with_year_column(2028, ["1"] * n))  # fmt: skip
    with pytest.raises(ScenarioError, match=r"twice.yaml:horizon.growth.2028: 2028's supply is "
                       r"given twice"):  # fmt: skip
        prepare(load_scenario(twice))
    stray = write_variant(tmp_path / "b", "stray", horizon=grown,
                          sources_csv=_sources_with_year_column(2029, ["1"] * n))  # fmt: skip
    with pytest.raises(ScenarioError, match=r"sources.csv:supply_t_per_year_2029: 2029 is not a "
                       r"horizon year"):  # fmt: skip
        prepare(load_scenario(stray))
    bad = write_variant(tmp_path / "c", "bad", sources_csv=_sources_with_year_column(
        2028, ["-1"] + [""] + ["1"] * (n - 2)), horizon={"years": [2025, 2028]})  # fmt: skip
    with pytest.raises(ScenarioError) as exc:
        prepare(load_scenario(bad))
    text = str(exc.value)
    assert "sources.csv:line 2.supply_t_per_year_2028: must not be negative" in text
    assert "sources.csv:line 3.supply_t_per_year_2028: missing value" in text


def test_cli_solve_and_check_horizon(tmp_path):
    """`revlog solve` writes a multi-year folder that `revlog check` accepts (exit 0)."""
    path = write_variant(tmp_path, "cli-horizon", horizon={"years": [2025, 2030],
                         "growth": {2030: {"*": 2.0}}}, fleet=TINY_FLEET)  # fmt: skip
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(app, ["solve", str(path), "-o", str(out), "--time-limit", "6",
                              "--no-maps", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["years"] == [2025, 2030]
    assert (out / "2030" / "plan.json").is_file()
    res = runner.invoke(app, ["check", str(path), str(out)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["solve", str(path), "-o", str(out), "--time-limit", "6",
                              "--quiet", "--force"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (out / "map.html").is_file() and (out / "2030" / "map.html").is_file()
    years = re.search(r"base_layers : \{([^}]*)\}", (out / "map.html").read_text("utf-8"))
    assert years and re.findall(r'"(\d{4})"', years.group(1)) == ["2025", "2030"]
    res = runner.invoke(app, ["check", str(path), str(out)])
    assert res.exit_code == 0, res.output
    # a folder with the horizon's own map is still one revlog wrote: --force replaces it
    res = runner.invoke(app, ["solve", str(path), "-o", str(out), "--time-limit", "6",
                              "--no-maps", "--quiet", "--force"])  # fmt: skip
    assert res.exit_code == 0, res.output


def _copy(plan: HorizonPlan) -> HorizonPlan:
    import copy

    return copy.deepcopy(plan)


def test_shipped_horizon_scenario_builds():
    """The shipped 2025-2035 scenario validates and gives four linked years of its regions."""
    inputs = prepare(load_scenario(SCENARIOS / "qinghai-2025-2035.yaml"))
    hp = horizon_problem(inputs, build_geography(inputs))
    assert [y.year for y in hp.years] == [2025, 2027, 2030, 2035]
    assert [y.calendar_years for y in hp.years] == [2, 3, 5, 1]
    supply = [p.total_supply_t for p in hp.problems]
    assert supply == sorted(supply) and supply[2] == pytest.approx(4 * supply[0])
    assert (hp.max_modules[hp.problems[0].facility_kind == "storage"] > 0).all()


def test_modules_added_when_capacity_binds(tmp_path):
    """A storage outlet short of capacity adds whole modules, kept, and the years check."""
    from revlog.check.design import check_design
    from revlog.horizon.problem import year_inputs, year_supply
    from revlog.location.solve import design_from_solution

    horizon = {**TINY_HORIZON, "growth": {2028: {"*": 10.0}, 2031: {"*": 40.0}}}
    path = write_variant(tmp_path, "mods", horizon=horizon, location={"direct_to_plant": False})
    inputs = prepare(load_scenario(path))
    geo = build_geography(inputs)
    hp = horizon_problem(inputs, geo)
    hd = solve_horizon(hp, time_limit_s=20, mip_gap=0.0)
    assert hd.modules[-1].sum() >= 1
    assert (hd.modules[1:] >= hd.modules[:-1]).all()
    ids = [str(f) for f in hp.facility_ids]
    supply_t = year_supply(inputs)
    for t, y in enumerate(hp.years):
        mods = {f: int(n) for f, n in zip(ids, hd.modules[t], strict=True) if n}
        p = location_problem(year_inputs(inputs, y.year, supply_t[y.year], mods), geo)
        d = hd.designs[t]
        assert check_design(p, design_from_solution(p, d.open_mask, d.assignment, d.flow_t)) == []


#: Clicks every year of the layer control in turn and records what the map then shows.
YEAR_PROBE = """
    out.boxes = {title: box(document.querySelector(".revlog-title-box")),
                 legend: box(document.querySelector(".revlog-legend-box")),
                 layers: box(document.querySelector(".leaflet-control-layers"))};
    out.years = [];
    out.first = {year: window.revlogYear,
                 outlets: document.querySelectorAll("path.revlog-outlet").length};
    document.querySelectorAll(".leaflet-control-layers-base input").forEach(function (input) {
      input.click();
      var shown = document.querySelector("tr.revlog-year-shown");
      out.years.push({label: input.parentNode.textContent.trim(), year: window.revlogYear,
        row: shown ? shown.dataset.year : null,
        outlets: document.querySelectorAll("path.revlog-outlet").length,
        opened: document.querySelectorAll("path.revlog-opened").length,
        runs: document.querySelectorAll("path.revlog-run").length});
    });
"""


def test_horizon_map_shows_one_year_at_a_time(tiny_horizon, tmp_path):
    """The multi-year map has a year control: choosing a year shows that year's open outlets
    (the ones opened in it ringed) and runs, and marks its row in the title box's year table;
    the boxes and the control do not overlap (headless Chromium at 1280×800)."""
    from tests.helpers.chromium import WINDOW, probe_map

    from revlog.export.horizon_map import opened_in
    from revlog.export.maps import save_map_html

    _, plan, _ = tiny_horizon
    page = save_map_html(plan.explore(), tmp_path / "map.html")
    seen = probe_map(page, YEAR_PROBE, tmp_path, WINDOW)
    first = min(plan.plans)
    n_open = {y: int(p.outlets["open"].sum()) for y, p in plan.plans.items()}
    assert seen["first"] == {"year": first, "outlets": n_open[first]}
    assert [y["label"] for y in seen["years"]] == [str(y) for y in plan.plans]
    for y in seen["years"]:
        year = int(y["label"])
        assert y["year"] == year and y["row"] == str(year)
        assert y["outlets"] == n_open[year], y
        assert y["opened"] == len(opened_in(plan, year)), y
        assert y["runs"] == len(plan.plans[year].routes), y
    assert sum(y["opened"] for y in seen["years"]) == int(plan.kpis["outlets_opened"])
    boxes = seen["boxes"]
    for a, b in [("title", "legend"), ("title", "layers"), ("legend", "layers")]:
        p, q = boxes[a], boxes[b]
        apart = (p["right"] <= q["left"] or q["right"] <= p["left"]
                 or p["bottom"] <= q["top"] or q["bottom"] <= p["top"])  # fmt: skip
        assert apart, (a, b, boxes)
    for name, bx in boxes.items():
        assert bx["left"] >= 0 and bx["top"] >= 0, name
        assert bx["right"] <= WINDOW[0] and bx["bottom"] <= WINDOW[1], name
