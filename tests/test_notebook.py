"""The analyst's notebook runs end to end on the embedded data (nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "compare-scenarios.ipynb"
#: Seconds per scenario inside the notebook: short, the plans must still be feasible.
TIME_LIMIT_S = "30"


def _kernel_name() -> str:
    """The kernel of this interpreter (ipykernel's native ``python3`` spec)."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if "python3" not in specs:
        pytest.fail("no python3 kernel: install ipykernel in the test environment")
    return "python3"


@pytest.mark.slow
def test_compare_scenarios_notebook_executes(monkeypatch):
    """The compare-scenarios notebook runs without error and shows both plans, table and map."""
    monkeypatch.setenv("REVLOG_NOTEBOOK_TIME_LIMIT", TIME_LIMIT_S)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=_kernel_name(),
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "Plan 'qinghai-baseline'" in text and "Plan 'qinghai-2030'" in text
    assert "qinghai-baseline feasible" in text and "qinghai-2030 feasible" in text
    html = [
        o["data"].get("text/html", "")
        for o in outputs
        if o.get("output_type") in ("execute_result", "display_data")
    ]
    assert any("Δ qinghai-2030" in h for h in html)  # the comparison table
    assert any("leaflet" in h.lower() for h in html)  # the map
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images  # the static overview
