"""Scenario sweeps on Dask: variants are validated like files and solved in worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest

import revlog
from revlog.errors import ScenarioError
from revlog.plan import Plan
from revlog.scenario import load_scenario
from revlog.sweep import load_sweep, make_variants, run_sweep

TINY = Path(__file__).parent / "fixtures" / "tiny"


def test_grid_and_named_variants_expand_in_a_stable_order():
    """A sweep expands its grid in order, then its named variants, each named by its settings."""
    variants = load_sweep(TINY / "sweep.yaml")
    assert [v.name for v in variants] == [
        "supply_scale=1.0,collection_per_prefecture=True",
        "supply_scale=1.0,collection_per_prefecture=False",
        "supply_scale=3.0,collection_per_prefecture=True",
        "supply_scale=3.0,collection_per_prefecture=False",
        "tight-budget",
    ]
    v = variants[2].scenario
    assert v.sources.supply_scale == 3.0 and v.location.collection_per_prefecture is True
    assert v.name == "tiny[supply_scale=3.0,collection_per_prefecture=True]"
    assert variants[4].scenario.location.budget_cny_per_year == 1000.0


def test_invalid_variant_fields_are_reported_per_variant():
    """Invalid variant fields are reported as file:variant.field: reason."""
    base = load_scenario(TINY / "tiny.yaml")
    with pytest.raises(ScenarioError) as info:
        make_variants(
            base,
            grid={"sources.supply_scale": [-1.0]},
            variants=[{"name": "x", "set": {"solver.sed": 3}}],
            label="s.yaml",
        )
    got = [str(p) for p in info.value.problems]
    assert any(g.startswith("s.yaml:supply_scale=-1.0.sources.supply_scale:") for g in got), got
    assert any(g.startswith("s.yaml:x.solver.sed: unknown key 'sed'") for g in got), got


def test_sweep_runs_on_a_local_dask_cluster_and_saves_checked_plans(tmp_path):
    """A sweep solves variants on local Dask workers, saves checked plans, reports infeasibility."""
    keep = {"supply_scale=1.0,collection_per_prefecture=True", "tight-budget"}
    variants = [v for v in load_sweep(TINY / "sweep.yaml") if v.name in keep]
    table = run_sweep(variants, n_workers=2, time_limit_s=5, out_dir=tmp_path)
    assert list(table.index) == [v.name for v in variants]
    solved = table[table["status"] == "solved"]
    assert len(solved) == 1 and solved["outlets_open"].iloc[0] >= 2  # one per prefecture
    bad = table.loc["tight-budget"]
    assert bad["status"] == "infeasible" and "budget" in bad["diagnosis"]
    for name in solved.index:
        plan = Plan.load(tmp_path / name)
        assert revlog.check(plan, variants[0].scenario) == []


def test_invalid_variants_can_be_kept_for_reporting():
    """keep_invalid: an invalid variant comes back with its problems instead of raising."""
    base = load_scenario(TINY / "tiny.yaml")
    variants = make_variants(
        base,
        grid={"sources.supply_scale": [1.0, -1.0]},
        variants=[{"name": "x", "set": {"solver.sed": 3}}],
        label="s.yaml",
        keep_invalid=True,
    )
    assert [(v.name, v.valid) for v in variants] == [
        ("supply_scale=1.0", True),
        ("supply_scale=-1.0", False),
        ("x", False),
    ]
    assert [str(p) for p in variants[2].problems] == [
        "s.yaml:x.solver.sed: unknown key 'sed'; did you mean 'seed'?"
    ]


def test_one_invalid_variant_does_not_stop_the_sweep(tmp_path):
    """The CLI solves the valid variants, lists the invalid in the table, exits 2 at the end."""
    import json
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "sc"
    shutil.copytree(TINY, folder)
    (folder / "bad-sweep.yaml").write_text(
        "base: tiny.yaml\n"
        "variants:\n"
        "  - name: fine\n"
        "    set: {sources.supply_scale: 1.0}\n"
        "  - name: typo\n"
        "    set: {solver.sed: 3}\n",
        encoding="utf-8",
    )
    script = Path(sys.executable).parent / "revlog"
    cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "revlog.cli"]
    res = subprocess.run(
        [*cmd, "sweep", str(folder / "bad-sweep.yaml"), "--time-limit", "3", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    doc = json.loads(res.stdout)  # nothing native on stdout: no solver banner
    assert set(doc) == {"sweep", "variants", "counts", "exit_code"}
    assert doc["counts"] == {"solved": 1, "infeasible": 0, "invalid": 1, "error": 0}
    assert doc["exit_code"] == 2
    fine, typo = doc["variants"]
    assert (fine["name"], fine["status"], fine["problems"]) == ("fine", "solved", [])
    assert fine["kpis"]["outlets_open"] >= 2
    line = f"{folder / 'bad-sweep.yaml'}:typo.solver.sed: unknown key 'sed'; did you mean 'seed'?"
    assert (typo["status"], typo["problems"], typo["kpis"]) == ("invalid", [line], {})
    assert line in res.stderr.splitlines()
