"""The Pyomo formulation of the multi-year location MILP: the single-year model with a year index.

Every year ``t`` is a block ``year[t]`` holding exactly the single-year variables and rows of
:func:`revlog.location.model.add_location` over that year's problem (its ``x``, ``y`` and
``flow``; assignment, linking, capacity, balance, prefecture, budget and outlet-cap rows).
The years are linked by

* ``stay_open[t, f]``: ``y[t][f] ≥ y[t-1][f]`` (outlets once opened stay open), unless
  closing is allowed; then ``closed[t, f] ≥ y[t-1][f] - y[t][f]`` pays the closing cost;
* ``opening[t, f]``: ``opened[t, f] ≥ y[t][f] - y[t-1][f]`` pays the one-off opening cost
  (``y[-1]`` = what is open before the first year: the plant, existing outlets);
* stock modules ``z[t, f]`` (integer, storage outlets): ``z ≤ max · y``, never removed while
  the outlet is open, each adding its throughput to the year's capacity row;
  ``new[t, f] ≥ z[t, f] - z[t-1, f]`` pays the one-off module cost.

Objective: ``Σ_t weight_t · (year t's single-year objective + module yearly cost · z)
+ Σ_t discount_t · (opening + closing + module one-off costs)`` (weights and discounts:
:mod:`revlog.horizon.problem`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression

from revlog.horizon.problem import HorizonProblem
from revlog.location.model import ModelOptions, add_location


def _lin(coefs: list[float], variables: list, constant: float = 0.0) -> LinearExpression:
    return LinearExpression(constant=constant, linear_coefs=coefs, linear_vars=variables)


def _change_rule(
    var: pyo.Var, level: Callable[[int, int], object], initial: list, sign: float
) -> Callable[..., object]:
    """Rows ``var[t, f] ≥ sign · (level(t, f) - level(t-1, f))``, ``level(-1, f) = initial[f]``
    (what opens, closes or is added in year ``t``)."""

    def rule(_: pyo.ConcreteModel, t: int, f: int) -> object:
        if t == 0:
            return _lin([1.0, -sign], [var[t, f], level(0, f)]) >= -sign * float(initial[f])
        return _lin([1.0, -sign, sign], [var[t, f], level(t, f), level(t - 1, f)]) >= 0

    return rule


def build_horizon_model(hp: HorizonProblem) -> pyo.ConcreteModel:
    """Build the multi-year model (garbage collection paused meanwhile).

    Parameters
    ----------
    hp
        The multi-year problem.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Blocks ``year[t]`` (with ``x``, ``y``, ``flow``), ``z`` (modules, over
        ``T × MF``), ``opened``, ``closed``, ``new`` and the objective ``cost``.
    """
    with PauseGC():
        return _build(hp)


def _build(hp: HorizonProblem) -> pyo.ConcreteModel:
    n_t = hp.n_years
    p0 = hp.problems[0]
    outlets = np.flatnonzero(p0.is_outlet).tolist()
    mod_f = np.flatnonzero(hp.max_modules > 0).tolist()
    mdl = pyo.ConcreteModel(name=hp.name or "horizon")
    mdl.T = pyo.RangeSet(0, n_t - 1)
    mdl.MF = pyo.Set(initialize=mod_f, ordered=True)
    z0 = hp.initial_modules.tolist()
    zmax = hp.max_modules.tolist()
    mdl.z = pyo.Var(
        mdl.T,
        mdl.MF,
        domain=pyo.NonNegativeIntegers,
        bounds=lambda _, t, f: (0 if hp.closing_allowed or t > 0 else z0[f], zmax[f]),
    )
    mdl.year = pyo.Block(mdl.T)
    # with modules the capacity of a storage outlet is no longer cap·y: no aggregate cut
    opts = ModelOptions(aggregate_cut=not mod_f)
    coefs: list[float] = []
    variables: list = []
    constant = 0.0
    ys: list[list] = []
    for t in range(n_t):
        blk = mdl.year[t]
        extra = {f: [(float(hp.module_capacity_t[f]), mdl.z[t, f])] for f in mod_f}
        c, v, k = add_location(blk, hp.problems[t], opts, extra)
        w = hp.years[t].weight
        constant += w * k
        coefs += [w * ci for ci in c]
        variables += v
        coefs += [w * hp.module_fixed_cny_per_year] * len(mod_f)
        variables += [mdl.z[t, f] for f in mod_f]
        ys.append(list(blk.y.values()))
    initial = hp.initial_open.tolist()
    if not hp.closing_allowed:
        for f in outlets:
            if initial[f]:
                ys[0][f].setlb(1)
    _link_openings(mdl, hp, ys, outlets, coefs, variables)
    _link_modules(mdl, hp, ys, mod_f, coefs, variables)
    mdl.cost = pyo.Objective(expr=_lin(coefs, variables, constant), sense=pyo.minimize)
    return mdl


def _link_openings(
    mdl: pyo.ConcreteModel,
    hp: HorizonProblem,
    ys: list[list],
    outlets: list[int],
    coefs: list[float],
    variables: list,
) -> None:
    """Outlets stay open (or pay for closing); opening an outlet pays its one-off cost."""
    n_t = hp.n_years
    initial = hp.initial_open.tolist()
    cost = hp.opening_cost_cny.tolist()
    paid = [f for f in outlets if cost[f] > 0]
    mdl.OT = pyo.Set(initialize=[(t, f) for t in range(n_t) for f in paid], dimen=2)
    mdl.opened = pyo.Var(mdl.OT, bounds=(0, 1))

    mdl.opening = pyo.Constraint(
        mdl.OT, rule=_change_rule(mdl.opened, lambda t, f: ys[t][f], initial, 1.0)
    )
    for t, f in mdl.OT:
        coefs.append(hp.years[t].discount * cost[f])
        variables.append(mdl.opened[t, f])
    if not hp.closing_allowed:
        mdl.ST = pyo.Set(initialize=[(t, f) for t in range(1, n_t) for f in outlets], dimen=2)
        mdl.stay_open = pyo.Constraint(mdl.ST, rule=lambda _, t, f: ys[t][f] >= ys[t - 1][f])
        return
    mdl.CT = pyo.Set(initialize=[(t, f) for t in range(n_t) for f in outlets], dimen=2)
    mdl.closed = pyo.Var(mdl.CT, bounds=(0, 1))

    mdl.closing = pyo.Constraint(
        mdl.CT, rule=_change_rule(mdl.closed, lambda t, f: ys[t][f], initial, -1.0)
    )
    if hp.closing_cost_cny > 0:
        for t, f in mdl.CT:
            coefs.append(hp.years[t].discount * hp.closing_cost_cny)
            variables.append(mdl.closed[t, f])


def _link_modules(
    mdl: pyo.ConcreteModel,
    hp: HorizonProblem,
    ys: list[list],
    mod_f: list[int],
    coefs: list[float],
    variables: list,
) -> None:
    """Modules only at open outlets, kept while the outlet is open; new ones pay."""
    n_t = hp.n_years
    zmax = hp.max_modules.tolist()
    z0 = hp.initial_modules.tolist()
    mdl.module_open = pyo.Constraint(
        mdl.T,
        mdl.MF,
        rule=lambda _, t, f: _lin([1.0, -float(zmax[f])], [mdl.z[t, f], ys[t][f]]) <= 0,
    )

    def keep_rule(_: pyo.ConcreteModel, t: int, f: int) -> object:
        if t == 0:
            if not hp.closing_allowed or z0[f] == 0:
                return pyo.Constraint.Skip  # the lower bound holds it
            return _lin([1.0, -float(zmax[f])], [mdl.z[0, f], ys[0][f]]) >= z0[f] - zmax[f]
        if not hp.closing_allowed:
            return _lin([1.0, -1.0], [mdl.z[t, f], mdl.z[t - 1, f]]) >= 0
        return _lin(
            [1.0, -1.0, -float(zmax[f])], [mdl.z[t, f], mdl.z[t - 1, f], ys[t][f]]
        ) >= -float(zmax[f])

    mdl.keep_modules = pyo.Constraint(mdl.T, mdl.MF, rule=keep_rule)
    if hp.module_cost_cny <= 0 or not mod_f:
        return
    mdl.new = pyo.Var(mdl.T, mdl.MF, bounds=(0, None))

    mdl.new_modules = pyo.Constraint(
        mdl.T, mdl.MF, rule=_change_rule(mdl.new, lambda t, f: mdl.z[t, f], z0, 1.0)
    )
    for t in range(n_t):
        for f in mod_f:
            coefs.append(hp.years[t].discount * hp.module_cost_cny)
            variables.append(mdl.new[t, f])
