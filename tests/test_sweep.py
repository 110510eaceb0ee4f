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
