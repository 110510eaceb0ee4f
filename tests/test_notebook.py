"""The analyst's notebooks run end to end on the embedded data (nbclient)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK = NOTEBOOKS / "compare-scenarios.ipynb"
ANALYST_NOTEBOOK = NOTEBOOKS / "analyst-tasks.ipynb"
#: Every notebook shipped, each executed by a test below.
EXECUTED = {NOTEBOOK.name, ANALYST_NOTEBOOK.name}
#: Seconds per scenario inside the notebook: short, the plans must still be feasible.
TIME_LIMIT_S = "30"
#: A cast of a table column: the tables already hold the documented dtypes.
CAST = re.compile(r"\.astype\(|to_numeric\(|(?<![\w.])float\((?!os\.environ)")
#: An install from inside a notebook: everything it needs comes with ``pip install revlog``.
INSTALL = re.compile(r"^\s*[%!]\s*(pip|conda|mamba|uv)\b|pip install", re.MULTILINE)


def _kernel_name() -> str:
    """The kernel of this interpreter (ipykernel's native ``python3`` spec)."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if "python3" not in specs:
        pytest.fail("no python3 kernel: install ipykernel in the test environment")
    return "python3"


def _execute(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Run every cell of ``path`` (a cell that raises fails the test); return the outputs."""
    monkeypatch.setenv("REVLOG_NOTEBOOK_TIME_LIMIT", TIME_LIMIT_S)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=_kernel_name(),
        timeout=600,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # nothing on stderr: no warning, no solver log leaks into an analyst's notebook
    stderr = [o.get("text", "") for o in outputs if o.get("name") == "stderr"]
    assert not stderr, stderr
    return outputs


def _stdout(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")


def _html(outputs: list[dict]) -> list[str]:
    return [
        o["data"].get("text/html", "")
        for o in outputs
        if o.get("output_type") in ("execute_result", "display_data")
    ]


def _images(outputs: list[dict]) -> list[dict]:
    return [o for o in outputs if "image/png" in o.get("data", {})]


def test_every_notebook_is_executed_by_a_test():
    """Every notebook in notebooks/ is one the tests execute."""
    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} == EXECUTED


@pytest.mark.parametrize("name", sorted(EXECUTED))
def test_notebook_code_has_no_casts_or_installs(name):
    """No notebook casts a column (astype, to_numeric, float) or installs a package."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code
    casts = [m.group() for src in code for m in CAST.finditer(src)]
    installs = [m.group() for src in code for m in INSTALL.finditer(src)]
    assert not casts, casts
    assert not installs, installs


def test_cast_pattern_catches_the_casts_it_forbids():
    """The cast pattern finds astype, to_numeric and float() on a column, not the env limit."""
    for cast in ('t["km"].astype(float)', 'pd.to_numeric(t["km"])', 'float(t["km"].sum())'):
        assert CAST.search(cast), cast
    assert not CAST.search('float(os.environ.get("REVLOG_NOTEBOOK_TIME_LIMIT", "60"))')
    assert INSTALL.search("%pip install mapclassify")
    assert INSTALL.search("!pip install mapclassify")


def test_analyst_notebook_states_the_five_tasks():
    """The analyst notebook has one section per task, each with an assert on its answer."""
    nb = nbformat.read(ANALYST_NOTEBOOK, as_version=4)
    sections: dict[str, str] = {}  # heading -> the code under it
    heading = None
    for c in nb.cells:
        if c.cell_type == "markdown" and c.source.startswith("## "):
            heading = c.source.splitlines()[0]
            sections[heading] = ""
        elif c.cell_type == "code" and heading:
            sections[heading] += c.source + "\n"
    assert [h.split(".")[0] for h in sections] == [f"## {i}" for i in range(1, 6)]
    assert all("\nassert " in "\n" + code for code in sections.values()), sections


@pytest.mark.slow
def test_compare_scenarios_notebook_executes(monkeypatch):
    """The compare-scenarios notebook runs: both plans, table, map, cost-CO2 front, phasing."""
    outputs = _execute(NOTEBOOK, monkeypatch)
    text = _stdout(outputs)
    assert "Plan 'qinghai-baseline'" in text and "Plan 'qinghai-2030'" in text
    assert "qinghai-baseline feasible" in text and "qinghai-2030 feasible" in text
    html = _html(outputs)
    assert any("Δ qinghai-2030" in h for h in html)  # the comparison table
    assert any("leaflet" in h.lower() for h in html)  # the map
    assert any("second_life_t_per_year" in h for h in html)  # the closed loop's front
    assert "Horizon plan 'qinghai-2025-2035'" in text  # the phasing section
    assert "outlets opened per year: 2025: " in text
    assert len(_images(outputs)) >= 3  # the overview, the cost-CO2 front, the phasing


@pytest.mark.slow
def test_analyst_tasks_notebook_executes(monkeypatch):
    """The five analyst tasks run (their asserts pass) and show their tables and two plots."""
    outputs = _execute(ANALYST_NOTEBOOK, monkeypatch)
    text = _stdout(outputs)
    assert re.search(r"\d+ bases, \d+ runs, [\d,]+ km a round", text)  # 1. runs by base
    assert "+50 % supply costs" in text  # 3. the what-if
    assert "at least 10 outlets must be open" in text  # 5. the cap below the minimum
    html = _html(outputs)
    assert any("duty_h" in h and "cost_cny" in h for h in html)  # 1. the per-base table
    assert any("prefecture" in h and "Xining" in h for h in html)  # 2. km per prefecture
    assert any("Δ baseline-supply-x1.5" in h and "Δ% qinghai-2030" in h for h in html)  # 4.
    assert any("service_radius_km" in h and "outlets_open" in h for h in html)  # 5. the sweep
    assert len(_images(outputs)) == 2  # 2. the bar chart, 5. cost against outlets
