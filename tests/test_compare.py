"""compare(): one column per plan, differences, Markdown/CSV, and `revlog compare`."""

from __future__ import annotations

import pandas as pd
import pytest

import revlog
from helpers.plans import copy_of_solved, run_cli, solved_tiny_dir
from revlog.compare import compare_solver, to_markdown
from revlog.plan import KPI_ORDER, Plan


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    a = Plan.load(solved_tiny_dir())
    folder = copy_of_solved(tmp_path_factory.mktemp("b"))
    b = Plan.load(folder)
    b.name = "tiny-dearer"
    b.kpis["total_cost_cny_per_year"] = float(a.kpis["total_cost_cny_per_year"]) * 1.25
    b.kpis["outlets_open"] = int(a.kpis["outlets_open"]) + 1
    b.save(folder)
    return a, b, folder


def test_one_column_per_plan_with_differences(plans):
    """compare gives one column per plan, then each one's difference and % against the first."""
    a, b, _ = plans
    table = revlog.compare([a, b])
    assert list(table.columns) == ["unit", "tiny", "tiny-dearer", "Δ tiny-dearer", "Δ% tiny-dearer"]
    assert list(table.index[: len(KPI_ORDER)]) == [k for k in KPI_ORDER if k in table.index]
    total = table.loc["total_cost_cny_per_year"]
    assert total["unit"] == "CNY/year"
    assert total["Δ tiny-dearer"] == pytest.approx(0.25 * a.kpis["total_cost_cny_per_year"])
    assert total["Δ% tiny-dearer"] == pytest.approx(25.0)
    assert table.loc["outlets_open", "Δ tiny-dearer"] == pytest.approx(1.0)
    assert "location_status" not in table.index  # statuses are solver figures, not KPIs
    assert (table.dtypes.drop("unit") == "float64").all()
    solver = compare_solver([a, b])
    assert list(solver.columns) == ["tiny", "tiny-dearer"]
    assert solver.loc["location_status", "tiny"] in ("optimal", "time_limit")
    assert table.loc["runs_per_period", "Δ tiny-dearer"] == pytest.approx(0.0)


def test_folders_and_duplicate_names(plans):
    """compare takes plan folders, numbers duplicate names, and refuses an empty list."""
    a, _, _ = plans
    table = revlog.compare([a, solved_tiny_dir()], differences=False)
    assert list(table.columns) == ["unit", "tiny", "tiny (2)"]
    assert (table["tiny"].astype(str) == table["tiny (2)"].astype(str)).all()
    with pytest.raises(ValueError):
        revlog.compare([])


def test_markdown(plans):
    """The Markdown table has a kpi, unit and plan header and signed percentage differences."""
    a, b, _ = plans
    md = to_markdown(revlog.compare([a, b]))
    lines = md.splitlines()
    assert lines[0].startswith("| kpi | unit | tiny | tiny-dearer |")
    row = next(x for x in lines if x.startswith("| total_cost_cny_per_year "))
    assert "+25.0 %" in row


def test_cli_compare_prints_and_writes(plans, tmp_path, capsys):
    """revlog compare prints the table and writes it as CSV and Markdown."""
    _, _, folder = plans
    csv, md = tmp_path / "kpis.csv", tmp_path / "kpis.md"
    code, out, _ = run_cli(
        ["compare", solved_tiny_dir(), folder, "--csv", csv, "--markdown", md], capsys
    )
    assert code == 0
    assert "total_cost_cny_per_year" in out and "tiny-dearer" in out and "+25.0 %" in out
    back = pd.read_csv(csv, index_col="kpi")
    assert "Δ% tiny-dearer" in back.columns
    assert float(back.loc["total_cost_cny_per_year", "Δ% tiny-dearer"]) == pytest.approx(25.0)
    assert md.read_text(encoding="utf-8").startswith("| kpi |")
