"""Exact arc pruning of the location MILP by dominance of the direct delivery to the plant.

An assignment arc ``s → f`` (f an outlet) is *dominated* when the source may also deliver to
the plant directly at no more cost: ``cost(s→f) + risk(s→f) ≥ cost(s→plant) + risk(s→plant)``.
Moving ``s`` from ``f`` to the plant then never costs more and never breaks a rule, provided

* the plant is forced open and its capacity covers the total supply (it never binds),
* forwarding costs and exposures are non-negative (less tonnage forwarded from ``f`` onwards
  costs no more, and the flows stay feasible: they only shrink along a path to a sink),
* no rule bounds an outlet's throughput from below (none does: :mod:`revlog.location.model`),

so some optimal design uses no dominated arc and removing them keeps the optimum. On the
generated 5,000-source scenario it removes 99,053 of 177,450 arcs (``bench/scale.py``).
"""

from __future__ import annotations

import numpy as np

from revlog.location.problem import LocationProblem

__all__ = ["dominated_arcs", "without_arcs"]


def dominated_arcs(problem: LocationProblem) -> np.ndarray:
    """Mask of the assignment arcs dominated by the source's direct delivery to the plant.

    Returns all ``False`` when the conditions of the module docstring do not hold.
    """
    p = problem
    out = np.zeros(p.n_arcs, dtype=bool)
    plants = np.flatnonzero(p.facility_kind == "plant")
    if len(plants) != 1 or p.n_arcs == 0:
        return out
    plant = int(plants[0])
    if not p.forced_open[plant] or p.capacity_t[plant] < p.total_supply_t:
        return out
    if (p.fwd_cost_cny_per_t < 0).any() or (p.fwd_exposure_per_t < 0).any():
        return out
    if p.risk_weight < 0:
        return out
    cost = p.arc_cost_cny + p.risk_weight * p.arc_exposure
    direct = np.full(p.n_sources, np.inf)
    at_plant = p.arc_facility == plant
    direct[p.arc_source[at_plant]] = cost[at_plant]
    return ~at_plant & (cost >= direct[p.arc_source])


def without_arcs(problem: LocationProblem, drop: np.ndarray) -> tuple[LocationProblem, np.ndarray]:
    """The problem without the arcs in ``drop``; and the kept arcs' original positions."""
    keep = np.flatnonzero(~drop)
    p = problem
    reduced = p.with_policy(
        arc_source=p.arc_source[keep],
        arc_facility=p.arc_facility[keep],
        arc_cost_cny=p.arc_cost_cny[keep],
        arc_exposure=p.arc_exposure[keep],
    )
    return reduced, keep


def beyond_nearest(problem: LocationProblem, k: int) -> np.ndarray:
    """Mask of the arcs that are not among each source's ``k`` cheapest (a heuristic cut).

    The arc to the plant is always kept, so the restricted problem stays feasible wherever
    direct delivery is allowed. Used for the warm start only, never for the final model.
    """
    p = problem
    cost = p.arc_cost_cny + p.risk_weight * p.arc_exposure
    order = np.lexsort((cost, p.arc_source))
    s_sorted = p.arc_source[order]
    first = np.searchsorted(s_sorted, np.arange(p.n_sources))
    rank = np.empty(p.n_arcs, dtype=np.int64)
    rank[order] = np.arange(p.n_arcs) - first[s_sorted]
    return (rank >= k) & (p.facility_kind[p.arc_facility] != "plant")
