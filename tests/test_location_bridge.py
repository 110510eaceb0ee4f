"""The fast Pyomo → HiGHS reader gives exactly the arrays of Pyomo's own compiler."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from helpers.location import canonical, small_location_problems
from revlog.location.bridge import compile_linear_form, linear_form, read_linear_form
from revlog.location.model import build_model


@pytest.mark.parametrize("problem", list(small_location_problems()))
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
