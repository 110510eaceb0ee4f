"""Hand a linear Pyomo model to HiGHS as arrays.

Two readers produce the same :class:`LinearForm` (objective, sparse rows with bounds,
columns with bounds and integrality):

* :func:`read_linear_form` reads the constraint expressions as built by
  :mod:`revlog.location.model` (``LinearExpression`` or variable on either side of a
  relation, numeric constants, no fixed variables, no mutable parameters) in one pass over
  ``expr.args``; it returns ``None`` as soon as it meets anything else;
* :func:`compile_linear_form` is the general route, Pyomo's ``LinearStandardFormCompiler``,
  used whenever the fast reader declines.

On the 100,000-arc OR-Library models the fast reader takes a fraction of the compiler's time
(it skips the expression walker); tests check that both give the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.common.gc_manager import PauseGC
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression

_NUMBERS = (int, float, np.floating, np.integer)


@dataclass
class LinearForm:
    """``min c·x + offset`` s.t. ``row_lower ≤ A x ≤ row_upper``, ``lower ≤ x ≤ upper``.

    Attributes
    ----------
    columns
        The Pyomo variables, in column order.
    cost, offset
        Objective coefficients and constant.
    a_matrix
        Constraint matrix (CSC).
    row_lower, row_upper, lower, upper
        Row and column bounds (``±inf`` for none).
    integer
        Integrality of each column.
    """

    columns: list[Any]
    cost: np.ndarray
    offset: float
    a_matrix: sp.csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray


def _side(expr: Any) -> tuple[Any, Any, float] | None:
    """(coefs, vars, constant) of one side of a relation, or None if not simple."""
    cls = expr.__class__
    if cls is LinearExpression:
        coefs, variables, const = [], [], 0.0
        for arg in expr.args:
            if arg.__class__ is MonomialTermExpression:
                c, v = arg.args
                if c.__class__ not in _NUMBERS or v.__class__ is not VarData or v.fixed:
                    return None
                coefs.append(c)
                variables.append(v)
            elif arg.__class__ in _NUMBERS:
                const += arg
            elif arg.__class__ is VarData and not arg.fixed:
                coefs.append(1.0)
                variables.append(arg)
            else:
                return None
        return coefs, variables, const
    if cls is VarData:
        return None if expr.fixed else ([1.0], [expr], 0.0)
    if cls in _NUMBERS:
        return [], [], float(expr)
    return None


def _column_arrays(columns: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lower = np.array([-np.inf if v.lb is None else v.lb for v in columns], dtype=float)
    upper = np.array([np.inf if v.ub is None else v.ub for v in columns], dtype=float)
    integer = np.array([v.is_integer() for v in columns], dtype=bool)
    return lower, upper, integer


def read_linear_form(model: pyo.Block) -> LinearForm | None:
    """Read a simply-built linear model directly; ``None`` if it is not simple enough.

    Parameters
    ----------
    model
        A Pyomo model with one active objective.

    Returns
    -------
    LinearForm or None
    """
    objectives = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        return None
    obj = objectives[0]
    osign = 1.0 if obj.sense == pyo.minimize else -1.0
    col_of: dict[int, int] = {}
    columns: list[Any] = []

    def col(v: Any) -> int:
        j = col_of.get(id(v))
        if j is None:
            j = col_of[id(v)] = len(columns)
            columns.append(v)
        return j

    with PauseGC():
        # every variable of the model is a column, in declaration order
        for v in model.component_data_objects(pyo.Var, active=True, descend_into=True):
            col(v)
        side = _side(obj.expr)
        if side is None:
            return None
        cost = np.zeros(len(columns))
        ocoefs, ovars, offset = side
        np.add.at(cost, [col(v) for v in ovars], np.asarray(ocoefs, dtype=float))
        indptr, indices, data, lo, hi = [0], [], [], [], []
        colmap = col_of.__getitem__
        try:
            for con in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
                e = con.expr
                cls = e.__class__
                if cls is InequalityExpression and not e.strict and e.nargs() == 2:
                    lbound, ubound = -np.inf, 0.0
                elif cls is EqualityExpression:
                    lbound, ubound = 0.0, 0.0
                else:
                    return None
                lhs, rhs = e.args
                if lhs.__class__ is VarData and rhs.__class__ is VarData:
                    if lhs.fixed or rhs.fixed:
                        return None
                    indices.append(colmap(id(lhs)))
                    indices.append(colmap(id(rhs)))
                    data.append(1.0)
                    data.append(-1.0)
                    const = 0.0
                else:
                    left, right = _side(lhs), _side(rhs)
                    if left is None or right is None:
                        return None
                    if not left[1]:  # "c <= expr" (how Pyomo stores expr >= c): keep expr
                        left, right = right, left
                        lbound, ubound = -ubound, -lbound
                    const = left[2] - right[2]
                    indices.extend([colmap(id(v)) for v in left[1]])
                    data.extend(left[0])
                    if right[1]:
                        indices.extend([colmap(id(v)) for v in right[1]])
                        data.extend([-c for c in right[0]])
                indptr.append(len(indices))
                lo.append(lbound - const)
                hi.append(ubound - const)
        except KeyError:  # a variable outside the model's blocks
            return None
    if len(columns) > len(cost):
        cost = np.concatenate([cost, np.zeros(len(columns) - len(cost))])
    csr = sp.csr_array(
        (np.asarray(data, dtype=float), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
        shape=(len(lo), len(columns)),
    )
    csr.sum_duplicates()
    lower, upper, integer = _column_arrays(columns)
    return LinearForm(
        columns=columns,
        cost=osign * cost,
        offset=osign * float(offset),
        a_matrix=csr.tocsc(),
        row_lower=np.asarray(lo, dtype=float),
        row_upper=np.asarray(hi, dtype=float),
        lower=lower,
        upper=upper,
        integer=integer,
    )


def compile_linear_form(model: pyo.Block) -> LinearForm:
    """Read any linear model through Pyomo's ``LinearStandardFormCompiler``.

    Parameters
    ----------
    model
        A linear Pyomo model with one active objective.

    Returns
    -------
    LinearForm
    """
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    with PauseGC():
        sf = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=pyo.minimize)
    columns = list(sf.columns)
    rhs = np.asarray(sf.rhs, dtype=float)
    sense = np.array([r[1] for r in sf.rows], dtype=np.int8)
    lower, upper, integer = _column_arrays(columns)
    cost = np.asarray(sf.c.toarray()).reshape(-1) if sf.c.shape[0] else np.zeros(len(columns))
    return LinearForm(
        columns=columns,
        cost=cost,
        offset=float(sf.c_offset[0]) if len(sf.c_offset) else 0.0,
        a_matrix=sp.csc_array(sf.A),
        row_lower=np.where(sense <= 0, rhs, -np.inf),
        row_upper=np.where(sense >= 0, rhs, np.inf),
        lower=lower,
        upper=upper,
        integer=integer,
    )


def linear_form(model: pyo.Block) -> LinearForm:
    """The fast reader when it applies, else Pyomo's standard-form compiler.

    Parameters
    ----------
    model
        A linear Pyomo model with one active objective.

    Returns
    -------
    LinearForm
    """
    form = read_linear_form(model)
    return form if form is not None else compile_linear_form(model)


def to_highs(form: LinearForm, options: dict[str, Any]) -> Any:
    """A ``highspy.Highs`` instance holding ``form`` with the given options set.

    Parameters
    ----------
    form
        The arrays.
    options
        HiGHS option names and values.

    Returns
    -------
    highspy.Highs
    """
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_ = len(form.columns)
    lp.num_row_ = len(form.row_lower)
    lp.col_cost_ = form.cost
    lp.offset_ = form.offset
    lp.col_lower_ = form.lower
    lp.col_upper_ = form.upper
    lp.row_lower_ = form.row_lower
    lp.row_upper_ = form.row_upper
    a = form.a_matrix
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    kint, kcont = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
    lp.integrality_ = [kint if i else kcont for i in form.integer]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, val in options.items():
        h.setOptionValue(key, val)
    h.passModel(lp)
    return h
