"""Independent check of a stage-1 design against its location problem.

Nothing here trusts the solver or imports one: every rule of the model is re-stated directly
on the problem's arrays and the design's decisions, and the objective is recomputed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from revlog.location.problem import LocationProblem

_FEAS_TOL = 1e-6


def _tol(scale: float) -> float:
    return _FEAS_TOL * max(1.0, abs(scale))


def check_design(problem: LocationProblem, design: Any, rel_tol: float = 1e-6) -> list[str]:
    """List every way in which ``design`` violates ``problem``.

    Checked: array shapes; shares in ``[0, 1]`` (0/1 under single sourcing); every source with
    supply served exactly once (shares summing to 1); supply only to open facilities over
    existing arcs (by construction of the arrays) ; forwarded tonnes only between open
    facilities; capacities; flow balance at transit outlets; forced openings; one collection
    outlet per prefecture with sources (when on); budget; maximum number of outlets; the
    objective and each of its parts recomputed within ``rel_tol``; bound ≤ objective; the
    status consistent with ``proven_optimal``.

    Parameters
    ----------
    problem
        The location problem.
    design
        A :class:`~revlog.location.solve.NetworkDesign` (any object with ``open_mask``,
        ``assignment``, ``flow_t``, the cost attributes, ``bound_cny``, ``status`` and
        ``proven_optimal``).
    rel_tol
        Relative tolerance for the objective comparison.

    Returns
    -------
    list of str
        Violations, empty when the design is feasible and its figures are right.
    """
    p = problem
    y = np.asarray(design.open_mask)
    x = np.asarray(design.assignment, dtype=float)
    flow = np.asarray(design.flow_t, dtype=float)
    if y.shape != (p.n_facilities,):
        return [f"open_mask has shape {y.shape}, expected ({p.n_facilities},)"]
    if x.shape != (p.n_arcs,):
        return [f"assignment has shape {x.shape}, expected ({p.n_arcs},)"]
    if flow.shape != (p.n_forwarding,):
        return [f"flow_t has shape {flow.shape}, expected ({p.n_forwarding},)"]
    y = y.astype(bool)
    return [
        *_check_shares(p, y, x),
        *_check_flows(p, y, x, flow),
        *_check_policy(p, y),
        *_check_objective(p, design, y, x, flow, rel_tol),
    ]


def _check_shares(p: LocationProblem, y: np.ndarray, x: np.ndarray) -> list[str]:
    """Shares in [0, 1] (0/1 under single sourcing), summing to 1, only to open facilities."""
    out: list[str] = []
    fid, sid = p.facility_ids, p.source_ids
    if np.any(~np.isfinite(x)) or np.any(x < -_FEAS_TOL) or np.any(x > 1 + _FEAS_TOL):
        out.append("assignment shares outside [0, 1]")
    if p.single_source:
        frac = np.flatnonzero(np.minimum(np.abs(x), np.abs(x - 1)) > _FEAS_TOL)
        for a in frac[:10]:
            out.append(
                f"single sourcing: source {sid[p.arc_source[a]]} sends a share {x[a]:.6g} "
                f"to {fid[p.arc_facility[a]]}"
            )
    served = np.bincount(p.arc_source, weights=x, minlength=p.n_sources)
    for s in np.flatnonzero(np.abs(served - 1.0) > _FEAS_TOL):
        if p.supply_t[s] > 0 or served[s] > _FEAS_TOL:
            out.append(f"source {sid[s]} is served {served[s]:.6g} times (shares must sum to 1)")
    if p.single_source:
        count = np.bincount(p.arc_source, weights=(x > 0.5).astype(float), minlength=p.n_sources)
        for s in np.flatnonzero(count > 1):
            out.append(
                f"single sourcing: source {sid[s]} is assigned to {int(count[s])} facilities"
            )
    closed_use = np.flatnonzero((x > _FEAS_TOL) & ~y[p.arc_facility])
    for a in closed_use[:10]:
        out.append(
            f"source {sid[p.arc_source[a]]} sends to closed facility {fid[p.arc_facility[a]]}"
        )
    return out


def _check_flows(p: LocationProblem, y: np.ndarray, x: np.ndarray, flow: np.ndarray) -> list[str]:
    """Forwarding between open facilities, capacities, flow balance, all supply absorbed."""
    out: list[str] = []
    fid = p.facility_ids
    if np.any(~np.isfinite(flow)) or np.any(flow < -_FEAS_TOL):
        out.append("negative or non-finite forwarded tonnes")
    for i in np.flatnonzero(flow > _FEAS_TOL):
        a, b = p.fwd_from[i], p.fwd_to[i]
        if not (y[a] and y[b]):
            out.append(f"{flow[i]:.6g} t/year forwarded {fid[a]} -> {fid[b]} with a closed end")
    m = p.n_facilities
    inbound = np.bincount(p.arc_facility, weights=x * p.supply_t[p.arc_source], minlength=m)
    outbound = np.zeros(m)
    if p.n_forwarding:
        inbound = inbound + np.bincount(p.fwd_to, weights=flow, minlength=m)
        outbound = np.bincount(p.fwd_from, weights=flow, minlength=m)
    for f in range(m):
        cap = p.capacity_t[f] if y[f] else 0.0
        if inbound[f] > cap + _tol(cap):
            out.append(
                f"facility {fid[f]} receives {inbound[f]:.6g} t/year, capacity "
                f"{cap:.6g} t/year{'' if y[f] else ' (closed)'}"
            )
    sink = p.is_sink
    for f in np.flatnonzero(~sink):
        if abs(inbound[f] - outbound[f]) > _tol(inbound[f]):
            out.append(
                f"flow balance at {fid[f]}: {inbound[f]:.6g} t/year in, {outbound[f]:.6g} out"
            )
    for f in np.flatnonzero(sink & (outbound > _FEAS_TOL)):
        out.append(f"final destination {fid[f]} forwards {outbound[f]:.6g} t/year")
    total = p.total_supply_t
    absorbed = float(inbound[sink].sum() - outbound[sink].sum())
    if abs(absorbed - total) > _tol(total):
        out.append(f"{absorbed:.6g} t/year reach final destinations, supply is {total:.6g}")
    return out


def _check_policy(p: LocationProblem, y: np.ndarray) -> list[str]:
    """Forced openings, one collection outlet per prefecture, budget, outlet cap."""
    out: list[str] = []
    fid = p.facility_ids
    for f in np.flatnonzero(p.forced_open & ~y):
        out.append(f"facility {fid[f]} must be open (forced) but is closed")
    for f in np.flatnonzero(p.forced_closed & y):
        out.append(f"facility {fid[f]} is closed by the scenario but open")
    if p.require_collection_per_prefecture:
        has_supply = {str(q) for q, w in zip(p.source_prefecture, p.supply_t, strict=True) if w > 0}
        open_coll = {
            str(q)
            for q, k, o in zip(p.facility_prefecture, p.facility_kind, y, strict=True)
            if o and k == "collection"
        }
        for q in sorted(has_supply - open_coll):
            out.append(f"prefecture {q} has sources but no open collection outlet")
    fixed = float(p.fixed_cost_cny[y].sum())
    if p.budget_cny is not None and fixed > p.budget_cny + _tol(p.budget_cny):
        out.append(f"fixed cost {fixed:.6g} CNY/year exceeds the budget {p.budget_cny:.6g}")
    n_outlets = int((y & p.is_outlet).sum())
    if p.max_outlets is not None and n_outlets > p.max_outlets:
        out.append(f"{n_outlets} outlets open, limit {p.max_outlets}")
    return out


def _check_objective(
    p: LocationProblem,
    design: Any,
    y: np.ndarray,
    x: np.ndarray,
    flow: np.ndarray,
    rel_tol: float,
) -> list[str]:
    """The objective and its parts recomputed; bound and status consistent."""
    out: list[str] = []
    # the closing cost of every facility left shut (existing outlets the model may close)
    fixed = float(p.fixed_cost_cny[y].sum()) + float(p.closing_cost_cny[~y].sum())
    first = float(np.dot(p.arc_cost_cny, x))
    # per tonne, and per trip: a trip carries at most fwd_trip_t tonnes
    priced = np.isfinite(p.fwd_trip_t)
    trips = np.zeros(p.n_forwarding)
    trips[priced] = np.ceil(flow[priced] / p.fwd_trip_t[priced] - 1e-9)
    haul = float(np.dot(p.fwd_cost_cny_per_t, flow)) + float(np.dot(p.fwd_trip_cost_cny, trips))
    risk = float(p.risk_weight) * (
        float(np.dot(p.arc_exposure, x)) + float(np.dot(p.fwd_exposure_per_t, flow))
    )
    total_cost = fixed + first + haul + risk
    parts = {
        "objective_cny": total_cost,
        "cost_fixed_cny": fixed,
        "cost_first_mile_cny": first,
        "cost_line_haul_cny": haul,
        "cost_risk_cny": risk,
    }
    for name, want in parts.items():
        got = float(getattr(design, name))
        if not abs(got - want) <= rel_tol * max(1.0, abs(want)):
            out.append(f"{name} is {got:.10g}, recomputed {want:.10g}")
    bound = float(design.bound_cny)
    if np.isfinite(bound) and bound > total_cost + rel_tol * max(1.0, abs(total_cost)):
        out.append(f"lower bound {bound:.10g} exceeds the objective {total_cost:.10g}")
    if bool(design.proven_optimal) != (design.status == "optimal"):
        out.append(
            f"status {design.status!r} disagrees with proven_optimal={design.proven_optimal}"
        )
    return out
