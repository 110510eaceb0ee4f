"""The Pyomo formulation of the stage-1 outlet-location MILP.

Variables (all indexed over sparse sets: assignment arcs ``A``, facilities ``F``, forwarding
arcs ``L``)

* ``x[a]``: share of source ``s(a)``'s supply sent over assignment arc ``a`` to its first-stop
  facility (binary under single sourcing, in ``[0, 1]`` otherwise);
* ``y[f]``: facility ``f`` is open (binary; lower bound 1 when forced open);
* ``flow[l]``: tonnes/year line-hauled over forwarding arc ``l``;
* ``trips[l]``: line-haul trips a year over an arc priced per trip (general integer).

Constraints

* ``assign[s]``: ``Σ_{a∈A(s)} x[a] = 1`` (every source is served);
* ``link[a]``: ``x[a] ≤ y[f(a)]`` (strong linking, one row per arc);
* ``capacity[f]``: ``Σ_{a→f} w_s x[a] + Σ_{l→f} flow[l] ≤ cap_f · y[f]`` where ``cap_f`` is
  the capacity tightened to the most that can reach ``f`` (a valid, never weaker, bound);
* ``balance[f]`` for transit facilities (outlets when the problem has forwarding arcs):
  inbound tonnes = ``Σ_{l out of f} flow[l]``;
* ``prefecture[p]``: ``Σ_{collection f in p} y[f] ≥ 1`` for prefectures with supply (switch);
* ``budget``: ``Σ fixed_f y[f] ≤ budget``; ``max_outlets``: ``Σ_{outlets} y[f] ≤ max``;
* ``trip_load[l]``: ``flow[l] ≤ fwd_trip_t_l · trips[l]`` (a trip carries at most the
  sender's stock limit or the vehicle's payload);
* ``aggregate_sink_cut``: ``Σ_{sinks} cap_f y[f] ≥ Σ_s w_s`` (valid inequality; it is
  implied by the integer model but cuts fractional openings off the LP relaxation).

Objective: ``Σ fixed_f y_f + Σ closing_f (1 - y_f) + Σ_a cost_a x_a + Σ_l cost_l flow_l +
Σ_l trip_cost_l trips_l + risk_weight · (Σ_a exposure_a x_a + Σ_l exposure_l flow_l)``.

The model is built from index lists computed with numpy (no dense source × facility loops);
Python touches each arc a constant number of times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.expr.numeric_expr import LinearExpression

from revlog.location.problem import LocationProblem


@dataclass(frozen=True)
class ModelOptions:
    """Switches for the optional strengthening of the formulation.

    Parameters
    ----------
    aggregate_cut
        Add ``Σ_{sinks} cap·y ≥ total supply`` (and the same over first-stop facilities).
    tighten_capacity
        Replace each capacity by ``min(capacity, tonnes that can reach the facility)``.
    """

    aggregate_cut: bool = True
    tighten_capacity: bool = True


def group_indices(keys: np.ndarray, size: int) -> list[np.ndarray]:
    """Indices of ``keys`` grouped by key value ``0..size-1`` (stable, sparse-friendly).

    Parameters
    ----------
    keys
        Integer keys in ``[0, size)``.
    size
        Number of groups.

    Returns
    -------
    list of numpy.ndarray
        ``out[k]`` holds the positions ``i`` with ``keys[i] == k``, in increasing order.
    """
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(size + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(size)]


def effective_capacity_t(problem: LocationProblem, tighten: bool = True) -> np.ndarray:
    """Capacity of each facility used in the model, t/year.

    ``min(capacity_t, most tonnes that can reach the facility)``: the supply of the sources
    with an arc to it, plus the total supply if a forwarding arc enters it. Always finite.

    Parameters
    ----------
    problem
        The location problem.
    tighten
        When ``False``, only infinite capacities are replaced (by the total supply).

    Returns
    -------
    numpy.ndarray
        One value per facility.
    """
    total = problem.total_supply_t
    reach = np.bincount(
        problem.arc_facility, weights=problem.arc_supply_t, minlength=problem.n_facilities
    )
    if problem.n_forwarding:
        has_in = np.zeros(problem.n_facilities, dtype=bool)
        has_in[problem.fwd_to] = True
        reach = np.where(has_in, total, reach)
    cap = problem.capacity_t
    if tighten:
        return np.minimum(cap, reach)
    return np.where(np.isfinite(cap), cap, total)


def _lin(coefs: list[float], variables: list, constant: float = 0.0) -> LinearExpression:
    return LinearExpression(constant=constant, linear_coefs=coefs, linear_vars=variables)


def build_model(problem: LocationProblem, options: ModelOptions | None = None) -> pyo.ConcreteModel:
    """Build the Pyomo model of a location problem (garbage collection paused meanwhile).

    Parameters
    ----------
    problem
        The arrays (see :class:`~revlog.location.problem.LocationProblem`).
    options
        Strengthening switches (default: all on).

    Returns
    -------
    pyomo.environ.ConcreteModel
        With variables ``x`` (over arcs), ``y`` (facilities), ``flow`` (forwarding arcs), the
        constraints listed in the module docstring and the objective ``cost``.
    """
    with PauseGC():
        return _build_model(problem, options)


def _build_model(problem: LocationProblem, options: ModelOptions | None) -> pyo.ConcreteModel:
    mdl = pyo.ConcreteModel(name=problem.name or "location")
    coefs, variables, constant = add_location(mdl, problem, options)
    mdl.cost = pyo.Objective(expr=_lin(coefs, variables, constant), sense=pyo.minimize)
    return mdl


def add_location(
    mdl: pyo.Block,
    problem: LocationProblem,
    options: ModelOptions | None = None,
    extra_capacity: dict[int, list[tuple[float, object]]] | None = None,
) -> tuple[list[float], list, float]:
    """Add one problem's variables and rows to a model or block; return its objective.

    Parameters
    ----------
    mdl
        A Pyomo model or block (a year of :mod:`revlog.horizon.model`).
    problem, options
        As :func:`build_model`.
    extra_capacity
        Facility → ``(coefficient t, variable)`` terms added to its capacity (stock
        modules); the aggregate cuts should be off when it is given.

    Returns
    -------
    tuple
        The objective's coefficients, variables and constant (``Σ fixed·y + closing·(1 − y) +
        arc·x + line-haul·flow + trip·trips + risk``; the constant is ``Σ closing``).
    """
    opts = options or ModelOptions()
    p = problem
    m, k, nl = p.n_facilities, p.n_arcs, p.n_forwarding
    cap = effective_capacity_t(p, tighten=opts.tighten_capacity)

    mdl.A = pyo.RangeSet(0, k - 1)
    mdl.F = pyo.RangeSet(0, m - 1)
    mdl.L = pyo.RangeSet(0, nl - 1)
    domain = pyo.Binary if p.single_source else pyo.UnitInterval
    mdl.x = pyo.Var(mdl.A, domain=domain)
    forced, closed = p.forced_open.tolist(), p.forced_closed.tolist()
    mdl.y = pyo.Var(
        mdl.F,
        domain=pyo.Binary,
        bounds=lambda _, f: (1 if forced[f] else 0, 0 if closed[f] else 1),
    )
    mdl.flow = pyo.Var(mdl.L, domain=pyo.NonNegativeReals)
    # plain lists of VarData: indexing them is far cheaper than indexing the components
    x = list(mdl.x.values())
    y = list(mdl.y.values())
    flow = list(mdl.flow.values())
    _add_flow_rows(mdl, p, cap, x, y, flow, extra_capacity or {})
    _add_policy_rows(mdl, p, y)
    if opts.aggregate_cut and p.total_supply_t > 0:
        _add_aggregate_cuts(mdl, p, cap, y)
    trip_arcs = p.trip_arcs.tolist()
    trips = _add_trip_rows(mdl, p, flow, trip_arcs)
    rw = float(p.risk_weight)
    arc_obj = (p.arc_cost_cny + rw * p.arc_exposure).tolist()
    fwd_obj = (p.fwd_cost_cny_per_t + rw * p.fwd_exposure_per_t).tolist()
    fac_obj = (p.fixed_cost_cny - p.closing_cost_cny).tolist()
    return (
        fac_obj + arc_obj + fwd_obj + p.fwd_trip_cost_cny[trip_arcs].tolist(),
        [y[f] for f in range(m)] + [x[a] for a in range(k)] + [flow[i] for i in range(nl)] + trips,
        float(p.closing_cost_cny.sum()),
    )


def _add_trip_rows(mdl: pyo.ConcreteModel, p: LocationProblem, flow: list, arcs: list) -> list:
    """Integer trips on the arcs priced per trip: ``flow ≤ tonnes per trip × trips``."""
    mdl.T = pyo.Set(initialize=arcs, ordered=True)
    mdl.trips = pyo.Var(mdl.T, domain=pyo.NonNegativeIntegers)
    per_trip = p.fwd_trip_t.tolist()
    mdl.trip_load = pyo.Constraint(
        mdl.T, rule=lambda _, l_: _lin([1.0, -per_trip[l_]], [flow[l_], mdl.trips[l_]]) <= 0
    )
    return [mdl.trips[l_] for l_ in arcs]


def _add_flow_rows(
    mdl: pyo.Block,
    p: LocationProblem,
    cap: np.ndarray,
    x: list,
    y: list,
    flow: list,
    extra: dict[int, list[tuple[float, object]]],
) -> None:
    """Assignment (each source once), linking, capacities and flow balance at outlets."""
    n, m = p.n_sources, p.n_facilities
    supply = p.arc_supply_t.tolist()
    arc_fac = p.arc_facility.tolist()
    by_source = [g.tolist() for g in group_indices(p.arc_source, n)]
    arcs_in = [g.tolist() for g in group_indices(p.arc_facility, m)]
    fwd_in = [g.tolist() for g in group_indices(p.fwd_to, m)]
    fwd_out = [g.tolist() for g in group_indices(p.fwd_from, m)]

    served = [s for s in range(n) if by_source[s] or p.supply_t[s] > 0]
    mdl.assign = pyo.Constraint(
        served, rule=lambda _, s: _lin([1.0] * len(by_source[s]), [x[a] for a in by_source[s]]) == 1
    )
    mdl.link = pyo.Constraint(mdl.A, rule=lambda _, a: x[a] <= y[arc_fac[a]])

    def inbound(f: int) -> tuple[list[float], list]:
        coefs = [supply[a] for a in arcs_in[f]] + [1.0] * len(fwd_in[f])
        variables = [x[a] for a in arcs_in[f]] + [flow[l_] for l_ in fwd_in[f]]
        return coefs, variables

    def capacity_rule(_: pyo.ConcreteModel, f: int) -> object:
        coefs, variables = inbound(f)
        if not variables:
            return pyo.Constraint.Skip
        more = extra.get(f, [])
        return (
            _lin(
                [*coefs, -float(cap[f]), *(-c for c, _ in more)],
                [*variables, y[f], *(v for _, v in more)],
            )
            <= 0
        )

    mdl.capacity = pyo.Constraint(mdl.F, rule=capacity_rule)
    transit = [f for f in range(m) if not p.is_sink[f]]

    def balance_rule(_: pyo.ConcreteModel, f: int) -> object:
        coefs, variables = inbound(f)
        coefs = coefs + [-1.0] * len(fwd_out[f])
        variables = variables + [flow[l_] for l_ in fwd_out[f]]
        if not variables:
            return pyo.Constraint.Skip
        return _lin(coefs, variables) == 0

    mdl.balance = pyo.Constraint(transit, rule=balance_rule)


def _add_policy_rows(mdl: pyo.ConcreteModel, p: LocationProblem, y: list) -> None:
    """One collection outlet per prefecture with sources, the budget, the outlet cap."""
    m = p.n_facilities
    if p.require_collection_per_prefecture:
        prefs = sorted(
            {str(q) for q, w in zip(p.source_prefecture, p.supply_t, strict=True) if w > 0}
        )
        coll: dict[str, list[int]] = {q: [] for q in prefs}
        for f in range(m):
            q = str(p.facility_prefecture[f])
            if p.facility_kind[f] == "collection" and q in coll:
                coll[q].append(f)
        mdl.P = pyo.Set(initialize=prefs, ordered=True)
        # an empty prefecture makes the model infeasible: 0 >= 1 is kept as a visible row
        mdl.prefecture = pyo.Constraint(
            mdl.P,
            rule=lambda _, q: (
                _lin([1.0] * len(coll[q]), [y[f] for f in coll[q]]) >= 1
                if coll[q]
                else pyo.Constraint.Infeasible
            ),
        )
    if p.budget_cny is not None:
        mdl.budget = pyo.Constraint(
            expr=_lin(p.fixed_cost_cny.tolist(), [y[f] for f in range(m)]) <= float(p.budget_cny)
        )
    if p.max_outlets is not None:
        outlets = np.flatnonzero(p.is_outlet).tolist()
        mdl.max_outlets = pyo.Constraint(
            expr=_lin([1.0] * len(outlets), [y[f] for f in outlets]) <= int(p.max_outlets)
        )


def _add_aggregate_cuts(
    mdl: pyo.ConcreteModel, p: LocationProblem, cap: np.ndarray, y: list
) -> None:
    """Valid inequalities: open sink (and first-stop) capacity covers the total supply."""
    sinks = np.flatnonzero(p.is_sink).tolist()
    mdl.aggregate_sink_cut = pyo.Constraint(
        expr=_lin([float(cap[f]) for f in sinks], [y[f] for f in sinks]) >= p.total_supply_t
    )
    if p.n_forwarding:
        first = np.unique(p.arc_facility).tolist()
        mdl.aggregate_first_stop_cut = pyo.Constraint(
            expr=_lin([float(cap[f]) for f in first], [y[f] for f in first]) >= p.total_supply_t
        )
