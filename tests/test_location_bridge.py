"""The fast Pyomo → HiGHS reader gives exactly the arrays of Pyomo's own compiler."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from revlog.location import LocationProblem
from revlog.location.bridge import compile_linear_form, linear_form, read_linear_form
from revlog.location.model import build_model

INF = np.inf


def canonical(form):
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


def problems():
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


@pytest.mark.parametrize("problem", list(problems()))
def test_fast_reader_matches_pyomo_compiler(problem):
    """The fast reader gives the rows, costs, offset and bounds of Pyomo's own compiler."""
    model = build_model(problem)
    fast = read_linear_form(model)
    assert fast is not None
    ref = compile_linear_form(model)
    f_rows, f_cost, f_off, f_cols = canonical(fast)
    r_rows, r_cost, r_off, r_cols = canonical(ref)
    assert f_rows == r_rows
    assert f_cost == pytest.approx(r_cost)
    assert f_off == pytest.approx(r_off)
    assert {k: v for k, v in f_cols.items() if k in r_cols} == r_cols


def test_fast_reader_declines_what_it_does_not_know():
    """The fast reader declines mutable parameters; linear_form then falls back to Pyomo's."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 4))
    m.p = pyo.Param(initialize=2.0, mutable=True)
    m.c = pyo.Constraint(expr=m.p * m.x <= 3)
    m.o = pyo.Objective(expr=m.x, sense=pyo.maximize)
    assert read_linear_form(m) is None
    form = linear_form(m)  # falls back to Pyomo's compiler
    assert form.cost.tolist() == [-1.0]
    assert form.row_upper.tolist() == [3.0]
