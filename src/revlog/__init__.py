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

Importing ``revlog`` is instant: each name imports its module on first use (so the
``revlog`` command starts, and answers Ctrl-C, ``--help`` and shell completion, without
loading pandas); the solvers (Pyomo/HiGHS, OR-Tools, PyVRP) are imported on the first
:func:`solve`.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from revlog.check.plan import check
    from revlog.compare import compare
    from revlog.distributed import DaskTarget
    from revlog.plan import Plan
    from revlog.scenario.load import load_scenario
    from revlog.scenario.schema import Scenario

__all__ = ["Plan", "Scenario", "check", "compare", "load_scenario", "solve"]

_LAZY = {
    "Plan": "revlog.plan",
    "Scenario": "revlog.scenario.schema",
    "check": "revlog.check.plan",
    "compare": "revlog.compare",
    "load_scenario": "revlog.scenario.load",
}


def _load(name: str) -> Any:
    return getattr(importlib.import_module(_LAZY[name]), name)


class _Package(types.ModuleType):
    """The ``revlog`` module: ``check`` and ``compare`` stay the functions.

    They share their names with the subpackage :mod:`revlog.check` and the module
    :mod:`revlog.compare`; importing those sets the package attribute to the (sub)module,
    which these properties ignore, so ``revlog.check(plan, sc)`` keeps working.
    """

    @property
    def check(self) -> Any:
        return _load("check")

    @check.setter
    def check(self, value: Any) -> None:
        pass

    @property
    def compare(self) -> Any:
        return _load("compare")

    @compare.setter
    def compare(self, value: Any) -> None:
        pass


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = _load(name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'revlog' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


sys.modules[__name__].__class__ = _Package


def solve(
    scenario: Scenario | str | Path,
    time_limit: float | None = None,
    seed: int | None = None,
    progress: Callable[[str, str], Any] | None = None,
    dask: DaskTarget | None = None,
) -> Plan:
    """Solve a scenario end to end: :func:`revlog.pipeline.solve`, its solvers loaded on first
    use (parameters and result as documented there)."""
    from revlog.pipeline import solve as _solve

    return _solve(scenario, time_limit=time_limit, seed=seed, progress=progress, dask=dask)
