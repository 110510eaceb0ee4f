"""Side-by-side KPI tables of several plans."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from revlog.plan import KPI_ORDER, KPI_UNITS, SOLVER_FIELDS, Plan


def _as_plan(p: Plan | str | Path) -> Plan:
    return p if isinstance(p, Plan) else Plan.load(p)


def _unique_names(plans: Sequence[Plan], names: Sequence[str] | None) -> list[str]:
    base = list(names) if names is not None else [p.name for p in plans]
    if len(base) != len(plans):
        raise ValueError(f"{len(base)} names for {len(plans)} plans")
    out: list[str] = []
    for n in base:
        name, k = n, 2
        while name in out:
            name, k = f"{n} ({k})", k + 1
        out.append(name)
    return out


def compare(
    plans: Sequence[Plan | str | Path],
    names: Sequence[str] | None = None,
    differences: bool = True,
) -> pd.DataFrame:
    """Compare the KPIs of several plans.

    Parameters
    ----------
    plans
        Plans, or folders written by :meth:`Plan.save`.
    names
        Column names (default: the plans' names, made unique with `` (2)``, …).
    differences
        Add, for every plan after the first, a column ``Δ <name>`` (plan − first plan)
        and ``Δ% <name>`` (relative difference, % of the first plan) for numeric KPIs.

    Returns
    -------
    pandas.DataFrame
        One row per KPI (in :data:`revlog.plan.KPI_ORDER`, then any others), a ``unit``
        column (text), one ``float64`` column per plan (NaN where a plan lacks the KPI),
        then the differences (``float64``, NaN where undefined). The solver statuses are
        not KPIs: see :func:`compare_solver`.

    Examples
    --------
    >>> revlog.compare([baseline, growth])  # doctest: +SKIP
    """
    if not plans:
        raise ValueError("compare needs at least one plan")
    loaded = [_as_plan(p) for p in plans]
    cols = _unique_names(loaded, names)
    keys = [k for k in KPI_ORDER if any(k in p.kpis.index for p in loaded)]
    keys += sorted({str(k) for p in loaded for k in p.kpis.index} - set(keys))
    table = pd.DataFrame(index=pd.Index(keys, name="kpi"))
    table["unit"] = [KPI_UNITS.get(k, "") for k in keys]
    for name, p in zip(cols, loaded, strict=True):
        table[name] = pd.to_numeric(p.kpis.reindex(keys), errors="coerce").astype(float).to_numpy()
    if differences and len(loaded) > 1:
        first = table[cols[0]]
        for name in cols[1:]:
            delta = table[name] - first
            table[f"Δ {name}"] = delta
            table[f"Δ% {name}"] = (100.0 * delta / first.abs()).where(first != 0)
    return table


def compare_solver(
    plans: Sequence[Plan | str | Path], names: Sequence[str] | None = None
) -> pd.DataFrame:
    """The solver figures of several plans side by side (statuses and gaps, as text).

    Returns
    -------
    pandas.DataFrame
        One row per field of :data:`revlog.plan.SOLVER_FIELDS`, one column per plan.
    """
    loaded = [_as_plan(p) for p in plans]
    cols = _unique_names(loaded, names)
    table = pd.DataFrame(index=pd.Index(list(SOLVER_FIELDS), name="solver"))
    for name, p in zip(cols, loaded, strict=True):
        table[name] = [p.solver.get(k) for k in SOLVER_FIELDS]
    return table


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v


def to_markdown(table: pd.DataFrame) -> str:
    """A comparison table as GitHub-flavoured Markdown (numbers with thousands separators)."""
    from revlog.plan import format_value

    header = ["kpi", *[str(c) for c in table.columns]]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    for k, row in table.iterrows():
        cells = [str(k)] + [_cell(c, v, format_value) for c, v in row.items()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(column: Any, v: Any, fmt: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if hasattr(v, "item"):
        v = v.item()
    if str(column).startswith("Δ%") and _numeric(v):
        return f"{float(v):+.1f} %"
    if str(column).startswith("Δ ") and _numeric(v):
        return ("+" if float(v) > 0 else "") + fmt(v)
    return fmt(v) if not isinstance(v, str) else v.replace("|", "\\|")
