"""Small location problems and a canonical form of a model's arrays (order-free)."""

from __future__ import annotations

import numpy as np

from revlog.location import LocationProblem

INF = np.inf


def canonical(form):
    """A linear form as sorted rows, costs, offset and column bounds, keyed by column name."""
    names = [v.name for v in form.columns]
    a = form.a_matrix.tocsr()
    rows = []
    for r in range(a.shape[0]):
        lo, hi = a.indptr[r], a.indptr[r + 1]
        pairs = zip(a.indices[lo:hi], a.data[lo:hi], strict=True)
        terms = tuple(sorted((names[j], float(c)) for j, c in pairs if c != 0))
        if terms:
            rows.append((terms, float(form.row_lower[r]), float(form.row_upper[r])))
    cost = {n: float(c) for n, c in zip(names, form.cost, strict=True) if c != 0}
    cols = {
        n: (float(lb), float(ub), bool(i))
        for n, lb, ub, i in zip(names, form.lower, form.upper, form.integer, strict=True)
    }
    return sorted(rows), cost, form.offset, cols


def small_location_problems():
    """Two small location problems: one with every rule and forwarding, one plain CFLP."""
    yield LocationProblem.from_cost_matrix(
        [[1.0, INF, 50.0], [2.0, 1.0, 50.0]],
        supply_t=[1.0, 2.0],
        fixed_cost_cny=[10.0, 10.0, 0.0],
        capacity_t=[100.0, 100.0, INF],
        facility_kind=["collection", "storage", "plant"],
        source_prefecture=["P1", "P1"],
        facility_prefecture=["P1", "P2", "P1"],
        forced_open=[False, False, True],
        forwarding=[(0, 1, 1.5, 0.1), (0, 2, 3.0, 0.0), (1, 2, 1.0, 0.2)],
        require_collection_per_prefecture=True,
        budget_cny=100.0,
        max_outlets=2,
        risk_weight=2.0,
        single_source=False,
    )
    yield LocationProblem.from_cost_matrix(
        [[3.0, 4.0], [5.0, 1.0], [2.0, 2.0]],
        supply_t=[1.0, 2.0, 3.0],
        fixed_cost_cny=[7.0, 8.0],
        capacity_t=[4.0, 5.0],
    )
