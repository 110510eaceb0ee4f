"""The cost–CO2 front of a carbon-price sweep (issue 15).

Each solved variant is a point (cost before carbon, net CO2): ``net_cost_cny_per_year −
carbon_cost_cny_per_year`` (what the loop costs the planner, revenues counted) against
``co2_kg_per_year``. A point is non-dominated when no other point is at most as costly and
at most as emitting, and strictly better in one of the two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Column names of the front's two objectives.
COST_COLUMN = "cost_before_carbon_cny_per_year"
CO2_COLUMN = "co2_kg_per_year"


def cost_co2_front(results: pd.DataFrame, rel_tol: float = 1e-9) -> pd.DataFrame:
    """The sweep's solved variants with their front objectives and a non-dominated flag.

    Parameters
    ----------
    results
        :func:`revlog.sweep.run_sweep`'s table (``status``, the loop KPIs).
    rel_tol
        Relative tolerance under which two objective values count as equal.

    Returns
    -------
    pandas.DataFrame
        The solved rows sorted by CO2, with :data:`COST_COLUMN`, :data:`CO2_COLUMN` and
        ``non_dominated`` (bool); a point equal in both objectives to an earlier one is
        marked dominated (the front lists distinct points).
    """
    solved = results[results["status"] == "solved"].copy()
    solved[COST_COLUMN] = solved["net_cost_cny_per_year"] - solved["carbon_cost_cny_per_year"]
    solved = solved.sort_values([CO2_COLUMN, COST_COLUMN], kind="stable")
    cost = solved[COST_COLUMN].to_numpy(float)
    co2 = solved[CO2_COLUMN].to_numpy(float)
    n = len(solved)
    keep = np.ones(n, dtype=bool)

    def le(a: float, b: float) -> bool:
        return a <= b + rel_tol * max(abs(a), abs(b), 1.0)

    def eq(a: float, b: float) -> bool:
        return le(a, b) and le(b, a)

    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            weakly = le(cost[j], cost[i]) and le(co2[j], co2[i])
            same = eq(cost[j], cost[i]) and eq(co2[j], co2[i])
            if weakly and (not same or j < i):
                keep[i] = False
                break
    solved["non_dominated"] = keep
    return solved
