"""The plan checker re-verifies a saved plan without any solver, and catches corruptions."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import revlog
from helpers.plans import copy_of_solved, run_cli, solved_tiny_dir
from helpers.scenarios import TINY
from revlog.plan import Plan


@pytest.fixture(scope="session")
def plan_dir():
    return solved_tiny_dir()


@pytest.fixture
def plan(plan_dir):
    return Plan.load(plan_dir)


def corrupt(tmp_path, edit):
    """Copy the solved plan, load it, apply ``edit(plan)``, save it back; return the folder."""
    folder = copy_of_solved(tmp_path)
    p = Plan.load(folder)
    edit(p)
    p.save(folder)
    return folder


def inner_stop(p: Plan) -> int:
    """Row index of a pickup stop (not the base) with the most slack before its window closes."""
    s = p.stops
    inner = s[(s["seq"] > 0) & (s["node_id"] != s["run_id"].str.split("/").str[0])]
    assert len(inner), "the solved plan has no pickup stop"
    return int(inner.index[0])


def test_the_solved_plan_is_feasible(plan):
    """The tiny scenario's solved plan passes the plan checker and has runs and stops."""
    assert revlog.check(plan, TINY) == []
    assert len(plan.routes) >= 1 and len(plan.stops) >= 3


def test_check_accepts_a_folder_and_a_scenario_object(plan_dir):
    """revlog.check accepts a plan folder and a Scenario object in place of a Plan and a path."""
    assert revlog.check(plan_dir, revlog.load_scenario(TINY)) == []


def test_cli_check_exits_0_on_the_solved_plan(plan_dir, capsys):
    """revlog check exits 0 and says feasible on the solved plan."""
    code, out, _ = run_cli(["check", TINY, plan_dir], capsys)
    assert code == 0
    assert "feasible" in out


def test_check_imports_no_solver():
    """Checking a plan imports no solver: pyomo, highspy, ortools, pyvrp and vroom stay unloaded."""
    code = (
        "import sys, revlog\n"
        "from revlog.check import check\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('pyomo', 'highspy', 'ortools', 'pyvrp', 'vroom')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ corruptions
def _remove_stop(p: Plan) -> None:
    i = inner_stop(p)
    run_id = p.stops.at[i, "run_id"]
    p.stops = p.stops.drop(index=i)
    run = p.stops["run_id"] == run_id
    p.stops.loc[run, "seq"] = range(int(run.sum()))


def _raise_load(p: Plan) -> None:
    i = inner_stop(p)
    run_id = p.stops.at[i, "run_id"]
    later = (p.stops["run_id"] == run_id) & (p.stops["seq"] >= p.stops.at[i, "seq"])
    p.stops.loc[later, "load_intact_kg"] += 250.0
    p.stops.at[i, "pickup_intact_kg"] += 250.0
    r = p.routes["run_id"] == run_id
    p.routes.loc[r, "intact_kg"] += 250.0


def _shift_window(p: Plan) -> None:
    i = inner_stop(p)
    for col in ("arrival_h", "start_h", "departure_h"):
        p.stops.at[i, col] -= 12.0  # service at night, outside the 8-18 h shop hours


def _assign_to_closed(p: Plan) -> None:
    closed = p.outlets[~p.outlets["open"].astype(bool)]
    assert len(closed), "the tiny plan keeps at least one candidate closed"
    p.assignments.loc[p.assignments.index[0], "facility_id"] = closed["site_id"].iloc[0]


def _raise_km(p: Plan) -> None:
    p.routes.loc[p.routes.index[0], "km"] *= 0.5


def _cheaper_total(p: Plan) -> None:
    p.kpis["total_cost_cny_per_year"] = float(p.kpis["total_cost_cny_per_year"]) * 0.9


def _duplicate_assignment(p: Plan) -> None:
    p.assignments = pd.concat([p.assignments, p.assignments.iloc[[0]]], ignore_index=True)


def _close_used_outlet(p: Plan) -> None:
    used = set(p.assignments["facility_id"]) - {"P-xining-ganhe"}
    assert used
    p.outlets.loc[p.outlets["site_id"] == sorted(used)[0], "open"] = False


def _shrink_capacity(p: Plan) -> None:
    used = p.outlets[p.outlets["open"].astype(bool) & (p.outlets["kind"] != "plant")]
    p.outlets.loc[used.index[0], "capacity_t_per_year"] = 1.0


def _stretch_run(p: Plan) -> None:
    # a run said to take longer than the scenario's duty limit
    r = p.routes.index[0]
    run_id = p.routes.at[r, "run_id"]
    last = p.stops[p.stops["run_id"] == run_id].index[-1]
    for col in ("arrival_h", "start_h", "departure_h"):
        p.stops.at[last, col] += 30.0


CORRUPTIONS = {
    "a stop removed": (_remove_stop, "neither served nor dropped"),
    "a load raised": (_raise_load, "load"),
    "a window shifted": (_shift_window, "outside"),
    "an assignment to a closed outlet": (_assign_to_closed, "closed facility"),
    "a run's km halved": (_raise_km, "km"),
    "the total cost lowered": (_cheaper_total, "total_cost_cny_per_year"),
    "a source assigned twice": (_duplicate_assignment, "single sourcing"),
    "a used outlet closed": (_close_used_outlet, "closed"),
    "a capacity shrunk": (_shrink_capacity, "capacity"),
    "a run stretched past the duty limit": (_stretch_run, "duty"),
}


@pytest.mark.parametrize("what", list(CORRUPTIONS))
def test_check_catches(what, tmp_path, capsys):
    """The plan checker and revlog check (exit 1) catch each corruption and name its violation."""
    edit, needle = CORRUPTIONS[what]
    folder = corrupt(tmp_path, edit)
    violations = revlog.check(Plan.load(folder), TINY)
    assert violations, f"{what} was not caught"
    assert any(needle in v for v in violations), violations
    code, out, err = run_cli(["check", TINY, folder], capsys)
    assert code == 1
    assert needle in out
    assert "violation" in err


def test_cli_check_json(tmp_path, capsys):
    """revlog check --json prints feasible false with the violations, and exits 1."""
    folder = corrupt(tmp_path, _remove_stop)
    code, out, _ = run_cli(["check", TINY, folder, "--json"], capsys)
    assert code == 1
    doc = json.loads(out)
    assert doc["feasible"] is False and doc["violations"]


def test_cli_check_of_a_folder_that_is_no_plan(tmp_path, capsys):
    """revlog check of a folder that holds no plan exits 2 and says so."""
    code, _, err = run_cli(["check", TINY, tmp_path], capsys)
    assert code == 2
    assert "not a plan folder" in err


@pytest.mark.parametrize(
    ("table", "edit", "needle"),
    [
        ("outlets", lambda f: f["geometry"]["coordinates"].__setitem__(0, 90.0), "coordinates"),
        ("routes", lambda f: f["properties"].__setitem__("km", 1.0), "km is 1.0"),
        ("stops", lambda f: f["properties"].__setitem__("node_id", "elsewhere"), "node_id"),
    ],
)
def test_check_compares_every_geojson_file_with_its_table(table, edit, needle, tmp_path, capsys):
    """A GeoJSON file a GIS user loads must say what the plan's tables say, feature by feature."""
    folder = copy_of_solved(tmp_path)
    path = folder / f"{table}.geojson"
    doc = json.loads(path.read_text())
    edit(doc["features"][-1])
    path.write_text(json.dumps(doc))
    violations = revlog.check(folder, TINY)
    assert any(v.startswith("files: ") and needle in v for v in violations), violations
    code, out, _ = run_cli(["check", TINY, folder], capsys)
    assert code == 1 and f"{table}.geojson" in out
