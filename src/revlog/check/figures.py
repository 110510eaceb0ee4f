"""Comparing a plan's stated figures with the checker's own: one tolerance rule, one message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def close(a: float, b: float, rel: float = 1e-6, abs_tol: float = 1e-6) -> bool:
    """Whether ``a`` and ``b`` agree within ``rel`` (relative) or ``abs_tol`` (absolute)."""
    a, b = float(a), float(b)
    return abs(a - b) <= max(abs_tol, rel * max(abs(a), abs(b)))


def kpi_errors(
    stated: Any, recomputed: Mapping[str, float], rel: float, abs_tol: float, label: str = ""
) -> list[str]:
    """One line per KPI of ``recomputed`` that ``stated`` (a Series by KPI name) lacks or
    states differently; ``label`` prefixes each line."""
    errs = []
    for key, value in recomputed.items():
        if key not in stated.index:
            errs.append(f"{label}{key} missing")
        elif not close(float(stated[key]), value, rel=rel, abs_tol=abs_tol):
            errs.append(f"{label}{key} is {float(stated[key]):.10g}, recomputed {value:.10g}")
    return errs
