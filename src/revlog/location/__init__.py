"""Stage 1: where to open collection and storage outlets, and who sends to which.

``LocationProblem`` (plain arrays, no solver) is importable without Pyomo; the model and
solver (``build_model``, ``solve_location``, ``NetworkDesign``…) are loaded on first use.
"""

from __future__ import annotations

from typing import Any

from revlog.errors import LocationInfeasibleError, LocationNoSolutionError
from revlog.location.problem import LocationProblem, yearly_capacity_t

_LAZY = {
    "build_model": "revlog.location.model",
    "ModelOptions": "revlog.location.model",
    "solve_location": "revlog.location.solve",
    "NetworkDesign": "revlog.location.solve",
    "diagnose_infeasibility": "revlog.location.solve",
}

__all__ = [
    "LocationInfeasibleError",
    "LocationNoSolutionError",
    "LocationProblem",
    "ModelOptions",
    "NetworkDesign",
    "build_model",
    "diagnose_infeasibility",
    "solve_location",
    "yearly_capacity_t",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'revlog.location' has no attribute {name!r}")
