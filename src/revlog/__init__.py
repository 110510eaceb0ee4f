"""revlog: plan the reverse logistics of retired EV batteries.

The public face (see ``ARCHITECTURE.md``)::

    import revlog
    sc = revlog.load_scenario("scenarios/qinghai-baseline.yaml")
    plan = revlog.solve(sc, time_limit=60, seed=0)      # Plan
    plan.outlets, plan.assignments, plan.routes, plan.stops
    plan.kpis; print(plan.summary())
    plan.to_geojson("out/"); plan.explore()
    revlog.compare([plan_a, plan_b])                    # DataFrame, one column per plan
    revlog.check(plan, sc)                              # list of violations, empty when feasible

The solvers (Pyomo/HiGHS, OR-Tools, PyVRP) are imported on the first :func:`solve`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from revlog.check.plan import check
from revlog.compare import compare
from revlog.plan import Plan
from revlog.scenario.load import load_scenario
from revlog.scenario.schema import Scenario

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Plan", "Scenario", "check", "compare", "load_scenario", "solve"]


def solve(
    scenario: Scenario | str | Path,
    time_limit: float | None = None,
    seed: int | None = None,
    progress: Callable[[str, str], Any] | None = None,
) -> Plan:
    """Solve a scenario end to end: :func:`revlog.pipeline.solve`, its solvers loaded on first
    use (parameters and result as documented there)."""
    from revlog.pipeline import solve as _solve

    return _solve(scenario, time_limit=time_limit, seed=seed, progress=progress)
