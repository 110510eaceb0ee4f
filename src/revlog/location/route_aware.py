"""Route-aware design choice (``location.method: lrp``): designs priced by routing them.

Stage 1 proposes several network designs: the MILP with the first mile priced by the fleet
(:mod:`revlog.location.first_mile`) and the two-stage MILP (CNY/t·km). Each is routed with
revlog's own routing stage and assembled into a plan; the plan with the lowest realised
``total_cost_cny_per_year`` (fixed + routed pickups + line-haul + risk, as the KPIs count
it) is returned, ties to the first design proposed. So the default design is never costlier
than the two-stage one in the same run.

Routed bases are cached by ``(base id, kind, sorted sources)``: a base's seconds of routing
work depend on its own number of sources and the scenario's (never on the rest of the
design, :func:`revlog.routing_stage.base_work_s`), so a base that two designs share is
routed once and both get the same runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from revlog.inputs import Inputs
from revlog.location.solve import Base, NetworkDesign
from revlog.plan.build import BaseRuns
from revlog.problems import Geography
from revlog.progress import Progress
from revlog.routing.interrupts import RoutingInterrupts

#: Cache key of a routed base: (site id, kind, sorted source ids).
BaseKey = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class Proposal:
    """A design proposed for routing.

    Attributes
    ----------
    label
        ``"lrp"`` (fleet-priced MILP) or ``"two-stage"`` (t·km MILP), with ``-prefecture``
        when it keeps a relaxed prefecture rule.
    design
        Stage 1's design.
    estimate_cny
        The fleet-based estimate of the design's routed pickup cost, CNY/year.
    fleet_priced
        Whether the design's first-mile arcs are priced by the fleet (else per t·km): the
        checker reprices the arcs the same way (``plan.meta["location_arcs"]``).
    """

    label: str
    design: NetworkDesign
    estimate_cny: float
    fleet_priced: bool = False


def pickup_estimate_cny(design: NetworkDesign, fleet_arc_cost_cny: np.ndarray) -> float:
    """The fleet-based first-mile estimate of a design: its assignments × the arc costs.

    ``fleet_arc_cost_cny`` follows the arcs of ``design.problem`` (every location problem
    of one scenario has the same arcs, whatever their price).
    """
    return float(np.dot(design.assignment, fleet_arc_cost_cny))


def base_key(base: Base) -> BaseKey:
    """The cache key of a base."""
    return (base.site_id, base.kind, tuple(sorted(base.sources)))


def route_cached(
    route: Callable[..., tuple[list[BaseRuns], bool]],
    inputs: Inputs,
    geo: Geography,
    bases: Sequence[Base],
    cache: dict[BaseKey, list[BaseRuns]],
    budget_s: tuple[float, float],
    seed: int,
    interrupted: bool,
    ctrl_c: RoutingInterrupts,
    say: Progress,
) -> tuple[list[BaseRuns], bool]:
    """Route a design's bases, each base routed once per solve.

    Parameters
    ----------
    route
        The routing stage (:func:`revlog.routing_stage.route_bases` or its Dask twin),
        called with one base at a time.
    inputs, geo
        The prepared scenario and its geography.
    bases
        The design's bases.
    cache
        Routed bases so far (updated).
    budget_s
        ``(deadline, seconds of work)`` of one design's routing: a base gets the work times
        its sources over the design's sources, as :func:`revlog.routing_stage.route_bases`
        would give it.
    seed, interrupted, ctrl_c, say
        As for :func:`revlog.routing_stage.route_bases`.

    Returns
    -------
    (list of BaseRuns, bool)
        The design's runs in base order and whether Ctrl-C came.

    Raises
    ------
    InfeasibleError
        From the routing stage, with the diagnoses of every new base that cannot be routed.
    """
    deadline, work_s = budget_s
    n_all = sum(len(b.sources) for b in bases) or 1
    new = [b for b in bases if base_key(b) not in cache]
    if new:
        # one call for the new bases (its pre-checks see them all before any search or
        # cluster starts), on their share of the design's work: each gets what it would alone
        share = work_s * sum(len(b.sources) for b in new) / n_all
        routed, interrupted = route(
            inputs, geo, new, (deadline, share), seed, interrupted, ctrl_c, say
        )
        by_base: dict[str, list[BaseRuns]] = {b.site_id: [] for b in new}
        for r in routed:  # one per base, or one per round (cadence by_stock)
            by_base[r.problem.name].append(r)
        for b in new:
            cache[base_key(b)] = by_base[b.site_id]
    runs: list[BaseRuns] = []
    for base in bases:
        runs += cache[base_key(base)]
    return runs, interrupted
