"""Vehicle-days a base needs: a proof that a fleet is too small for its stops' hours.

A base with hundreds of stops can be short of vehicles in time rather than in payload:
every stop's service happens inside its opening windows, so a vehicle's day holds at most
the length of the day's opening span of service and of driving between the stops it
serves that day. :func:`vehicle_days_needed` turns that into the fewest vehicle-days any
plan needs; :func:`fleet_time_limit` compares it with the fleet's vehicle-days (vehicles ×
days with opening hours) and, when the fleet has fewer, says how many it lacks. The bound
is a necessary condition (a diagnosis is a proof of infeasibility):

* a vehicle-day's work inside the day's span ``[first opening, last closing + service]``
  is the service of the stops it serves that day and the driving between them (the
  driving to the day's first stop may happen before the opening: it is not counted);
* each stop ``i`` is reached from some other stop at least ``nearest_h[i]`` =
  min over stops ``j ≠ i`` of ``hours[j, i]`` away, except the first stop of each
  vehicle-day; so ``k`` vehicle-days cover at most ``k × span`` of
  ``Σ (service + nearest_h)`` minus the ``k`` largest ``nearest_h`` (the first stops).

Breaks, capacities and the run limit only make the true need larger.
"""

from __future__ import annotations

import math

import numpy as np

from revlog.errors import Diagnosis
from revlog.routing.problem import RoutingProblem
from revlog.units import HOURS_PER_DAY


def _day_span_h(problem: RoutingProblem, stops: list[int]) -> tuple[float, int]:
    """The longest opening span of a day over ``stops`` (h) and the number of such days."""
    service = np.asarray(problem.service_h, dtype=float)
    shift = 0.0 if problem.rules is None else float(problem.rules.shift_start_h)
    out_h = np.asarray(problem.hours, dtype=float)[0]
    spans: dict[int, list[float]] = {}
    for i in stops:
        reachable = False
        for lo, hi in problem.time_windows_h[i]:
            if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo >= HOURS_PER_DAY:
                return HOURS_PER_DAY, 0  # open around the clock: no daily span to bound
            day = int(lo // HOURS_PER_DAY)
            if hi < day * HOURS_PER_DAY + shift + float(out_h[i]):
                continue  # a run leaving at the shift start arrives after this window
            reachable = True
            cur = spans.setdefault(day, [lo, hi + float(service[i])])
            cur[0] = min(cur[0], lo)
            cur[1] = max(cur[1], hi + float(service[i]))
        if not reachable:
            return HOURS_PER_DAY, 0  # a stop no run reaches: the per-stop diagnosis names it
    if not spans:
        return 0.0, 0
    return max(min(b - a, HOURS_PER_DAY) for a, b in spans.values()), len(spans)


def vehicle_days_needed(problem: RoutingProblem, stops: list[int] | None = None) -> int:
    """The fewest vehicle-days that can serve ``stops`` (default: every stop) in their hours.

    Parameters
    ----------
    problem
        The base's routing problem.
    stops
        Node indices to serve.

    Returns
    -------
    int
        A lower bound on the vehicle-days of any feasible plan (0 if the stops' windows
        are open around the clock, where no daily bound applies).
    """
    stops = list(range(1, problem.n_nodes)) if stops is None else list(stops)
    if not stops:
        return 0
    span, n_days = _day_span_h(problem, stops)
    if n_days == 0 or span <= 0:
        return 0
    hours = np.asarray(problem.hours, dtype=float)[np.ix_(stops, stops)].copy()
    np.fill_diagonal(hours, np.inf)
    nearest = np.where(np.isfinite(hours), hours, np.inf).min(axis=0) if len(stops) > 1 else [0]
    nearest = np.where(np.isfinite(nearest), nearest, 0.0)
    work = np.asarray(problem.service_h, dtype=float)[stops] + nearest
    total = float(work.sum())
    firsts = np.cumsum(np.sort(nearest)[::-1])  # the k largest inbound legs, k = 1, 2, ...
    for k in range(1, len(stops) + 1):
        if total - float(firsts[k - 1]) <= k * span + 1e-9:
            return k
    return len(stops)


def fleet_time_limit(problem: RoutingProblem, carriers: list[frozenset[int]]) -> list[Diagnosis]:
    """A ``fleet_time`` diagnosis when vehicles have fewer vehicle-days than stops need.

    Checked for every set of vehicle types that some stops depend on alone (e.g. stops
    with damaged packs and the certified types): those stops need the vehicle-days of
    :func:`vehicle_days_needed`, the types give ``count × days with opening hours``.

    Parameters
    ----------
    problem
        The base's routing problem.
    carriers
        Per stop (index ``i - 1``), the vehicle types that can carry its pickup alone.

    Returns
    -------
    list of Diagnosis
        Empty, or the diagnosis with the largest shortfall, naming the vehicle-days
        needed, available and lacking (setting ``count``).
    """
    if problem.n_nodes <= 1 or not problem.vehicle_types:
        return []
    types = problem.vehicle_types
    groups = sorted({c for c in carriers if c}, key=lambda g: (len(g), sorted(g)))
    worst: tuple[int, Diagnosis] | None = None
    seen: set[frozenset[int]] = set()
    for g in [*groups, frozenset().union(*groups)]:
        stops = [k + 1 for k, c in enumerate(carriers) if c and c <= g]
        grp = frozenset().union(*(carriers[k - 1] for k in stops)) if stops else g
        if not stops or grp in seen:
            continue
        seen.add(grp)
        span, n_days = _day_span_h(problem, stops)
        if n_days == 0:
            continue
        vehicles = sum(types[t].count for t in grp)
        have = vehicles * n_days
        need = vehicle_days_needed(problem, stops)
        if need <= have or (worst is not None and need - have <= worst[0]):
            continue
        names = ", ".join(types[t].id for t in sorted(grp))
        msg = (
            f"fleet: the {len(stops)} stops {names} can carry need at least {need} "
            f"vehicle-days (their service and the driving between them within the "
            f"{span:.1f} h the shops are open a day), but {vehicles} vehicle(s) × {n_days} "
            f"day(s) give {have}: {need - have} vehicle-day(s) short (about "
            f"{math.ceil((need - have) / n_days)} more vehicle(s))"
        )
        worst = (
            need - have,
            Diagnosis("fleet_time", msg, site=problem.node_ids[0], setting="count"),
        )
    return [] if worst is None else [worst[1]]
