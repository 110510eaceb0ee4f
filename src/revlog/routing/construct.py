"""Feasible runs with complete schedules, built exactly in the OR-Tools model's integers.

Constructions (savings with an exact schedule check of every merge and a vehicle and trip
assignment; a vehicle-by-vehicle fill for fleets with little slack) and descents
(relocations and tail exchanges on routes, then relocations on runs kept on their
vehicles), every candidate run timed by the exact
scheduler of :mod:`revlog.routing.schedule`. The runs are the answer where OR-Tools'
finalizer cannot place the break intervals (multi-day runs; why: ``docs/design.md``), and
OR-Tools' start otherwise.

All choices are deterministic (sorted candidates, ties broken by index).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from revlog.routing.budget import Budget
from revlog.routing.schedule import INF, IntInstance, Schedule, best_schedule, schedule_extra
from revlog.routing.units import ORTOOLS_SCALES


@dataclass(frozen=True)
class PlannedRun:
    """A run assigned to a vehicle copy, with its schedule."""

    type_index: int
    vehicle: int
    trip: int
    nodes: tuple[int, ...]
    schedule: Schedule


# -- construction ----------------------------------------------------------------------------
def _cheapest_type(inst: IntInstance, load: np.ndarray, nodes) -> int | None:
    best, best_cost = None, None
    for t, cap in enumerate(inst.caps):
        if inst.counts[t] <= 0 or (load > cap).any():
            continue
        c = route_cost(inst, t, nodes)
        if best_cost is None or c < best_cost:
            best, best_cost = t, c
    return best


def route_cost(inst: IntInstance, type_index: int, nodes) -> int:
    """Fixed cost + arc costs of a run of ``nodes`` with a vehicle of ``type_index``."""
    ac = inst.arc_cost[type_index]
    seq = [0, *nodes, 0]
    return int(inst.fixed[type_index] + sum(int(ac[a, b]) for a, b in itertools.pairwise(seq)))


def _first_schedulable(
    inst: IntInstance, seeds: Iterable[int], earliest: int
) -> tuple[list[int] | None, Schedule | None]:
    """The first of ``seeds`` that a run of its own can serve from ``earliest``, and its
    schedule; ``(None, None)`` when there is none."""
    for x in seeds:
        if _legal(inst, [x]):
            sched = best_schedule(inst, [x], earliest)
            if sched is not None:
                return [x], sched
    return None, None


def _legal(inst: IntInstance, nodes) -> bool:
    seq = [0, *nodes, 0]
    return not any(inst.forbidden[a, b] for a, b in itertools.pairwise(seq))


def savings_routes(inst: IntInstance, stops: list[int]) -> list[list[int]]:
    """Clarke-Wright savings over ``stops`` with an exact schedule check of every merge.

    Each merge must leave a route that some usable vehicle type can carry and that has a
    feasible schedule somewhere in the period (vehicle counts are handled afterwards by
    :func:`assign_vehicles`).
    """
    ref = min(
        (t for t in range(len(inst.caps)) if inst.counts[t] > 0),
        key=lambda t: (int(inst.fixed[t]), t),
    )
    ac = inst.arc_cost[ref]
    routes: dict[int, list[int]] = {i: [i] for i in stops}
    route_of = {i: i for i in stops}
    loads = {i: inst.load[i].copy() for i in stops}
    pairs = []
    for i in stops:
        for j in stops:
            if i != j and not inst.forbidden[i, j]:
                sav = int(ac[i, 0]) + int(ac[0, j]) - int(ac[i, j])
                pairs.append((-sav, i, j))
    pairs.sort()
    max_cap = inst.caps[[t for t in range(len(inst.caps)) if inst.counts[t] > 0]].max(axis=0)
    for neg, i, j in pairs:
        if inst.fixed[ref] - neg < 0:
            break
        a, b = route_of[i], route_of[j]
        if a == b or routes[a][-1] != i or routes[b][0] != j:
            continue
        load = loads[a] + loads[b]
        if (load > max_cap).any():
            continue
        merged = routes[a] + routes[b]
        if not _legal(inst, merged) or _cheapest_type(inst, load, merged) is None:
            continue
        if best_schedule(inst, merged) is None:
            continue
        routes[a] = merged
        loads[a] = load
        del routes[b], loads[b]
        for x in merged:
            route_of[x] = a
    return [routes[k] for k in sorted(routes)]


def assign_vehicles(
    inst: IntInstance, routes: list[list[int]], reuse: bool = False
) -> list[PlannedRun] | None:
    """Give each route a vehicle copy and a schedule; ``None`` if the fleet cannot.

    Routes are taken longest first; each goes to the vehicle (of a type that can carry
    it) on which it returns earliest, after that vehicle's previous run and rest. With
    ``reuse``, a vehicle already in use comes before one that would start to be paid for
    (its type's ``ownership``), however late it returns.
    """
    r = inst.rules
    trip_rest = r.trip_rest if r is not None else 0
    free: dict[tuple[int, int], tuple[int, int]] = {}  # (type, vehicle) -> (earliest dep, trips)
    for t, c in enumerate(inst.counts):
        for v in range(c):
            free[(t, v)] = (0, 0)

    def length(nodes) -> int:
        s = best_schedule(inst, nodes)
        return (s.ret - s.depart) if s is not None else INF

    order = sorted(range(len(routes)), key=lambda k: (-length(routes[k]), k))
    out: list[PlannedRun] = []
    for k in order:
        nodes = routes[k]
        load = inst.load[nodes].sum(axis=0)
        best = None
        for (t, v), (earliest, trips) in sorted(free.items()):
            if trips >= inst.trips or (load > inst.caps[t]).any():
                continue
            s = best_schedule(inst, nodes, earliest)
            if s is None:
                continue
            new = reuse and trips == 0 and inst.owning(t) > 0
            key = (new, s.ret, route_cost(inst, t, nodes), t, v)
            if best is None or key < best[0]:
                best = (key, t, v, s)
        if best is None:
            return None
        _, t, v, s = best
        out.append(PlannedRun(t, v, free[(t, v)][1], tuple(nodes), s))
        free[(t, v)] = (s.ret + trip_rest, free[(t, v)][1] + 1)
    return out


#: Schedule checks a run of :func:`fill_runs` may spend looking for its next stop.
FILL_CHECKS = 40


def fill_runs(inst: IntInstance, stops: list[int]) -> list[PlannedRun] | None:
    """Runs built vehicle by vehicle through the period (sequential insertion).

    The vehicle that is free first (largest payload first among equals) starts a run at
    the farthest stop it can still serve and take; the cheapest insertions whose load
    fits and whose schedule holds are added while they cost less than a run of their
    own. The vehicle is then free again after the rest between runs. Unlike savings +
    :func:`assign_vehicles`, every run is sized for the vehicle that drives it and
    placed in that vehicle's week, so a fleet with little slack (big stops, long
    multi-day runs) is used to the full. ``None`` if stops are left when no vehicle can
    take another run.
    """
    r = inst.rules
    trip_rest = r.trip_rest if r is not None else 0
    travel = inst._travel_list
    todo = set(stops)
    free = {(t, v): 0 for t, c in enumerate(inst.counts) for v in range(c)}
    trips = dict.fromkeys(free, 0)
    done: set[tuple[int, int]] = set()
    out: list[PlannedRun] = []
    alone = {
        x: int(inst.fixed[t]) + int(inst.arc_cost[t][0, x]) + int(inst.arc_cost[t][x, 0])
        for t in range(len(inst.caps))
        for x in stops
        if inst.counts[t] > 0
    }
    while todo:
        ready = [k for k in free if k not in done and trips[k] < inst.trips]
        if not ready:
            return None
        t, v = min(ready, key=lambda k: (free[k], -int(inst.caps[k[0]][0]), k))
        cap, earliest = inst.caps[t], free[(t, v)]
        seeds = sorted(
            (x for x in todo if not (inst.load[x] > cap).any()),
            key=lambda x: (-(travel[0][x] + travel[x][0]), x),
        )
        route, sched = _first_schedulable(inst, seeds, earliest)
        if route is None:
            done.add((t, v))
            continue
        todo.discard(route[0])
        load = inst.load[route[0]].copy()
        ac = inst.arc_cost[t]
        while True:
            cands = []
            seq = [0, *route, 0]
            for x in todo:
                if ((load + inst.load[x]) > cap).any():
                    continue
                limit = alone.get(x, INF)
                for j in range(len(seq) - 1):
                    a, b = seq[j], seq[j + 1]
                    add = int(ac[a, x]) + int(ac[x, b]) - int(ac[a, b])
                    if add < limit:
                        cands.append((add, x, j))
            cands.sort()
            for _add, x, j in cands[:FILL_CHECKS]:
                cand = [*route[:j], x, *route[j:]]
                if not _legal(inst, cand):
                    continue
                s2 = best_schedule(inst, cand, earliest)
                if s2 is not None:
                    route, sched = cand, s2
                    todo.discard(x)
                    load = load + inst.load[x]
                    break
            else:
                break
        out.append(PlannedRun(t, v, trips[(t, v)], tuple(route), sched))
        free[(t, v)] = sched.ret + trip_rest
        trips[(t, v)] += 1
    return out


#: Bases with more stops than this are built by :func:`sweep_runs` alone (savings and the
#: vehicle-by-vehicle fill grow with the square of the stops and more); smaller ones fall
#: back to it when those find nothing the fleet can run.
LARGE_BASE_STOPS = 400

#: A day in the schedules' time units.
DAY_UNITS = 24 * ORTOOLS_SCALES.time_per_h

#: Round trip below which :func:`sweep_runs` makes one-day runs: 3 h.
NEAR_ROUND_TRIP_UNITS = 3 * ORTOOLS_SCALES.time_per_h

#: Nearest unserved stops :func:`sweep_runs` tries to append to a run, per step.
SWEEP_NEIGHBOURS = 8


def sweep_runs(
    inst: IntInstance, stops: list[int], order: list[int] | None = None, day: int | None = None
) -> tuple[list[PlannedRun], list[int]]:
    """Runs built vehicle by vehicle, each sweeping an area: linear in the stops served.

    The vehicle free first (largest payload first among equals) starts a run at the first
    unserved stop of ``order`` (e.g. by angle around the base: a sweep) that it can carry
    and serve; the run then appends, while one fits, the nearest of the
    :data:`SWEEP_NEIGHBOURS` unserved stops nearest (by travel time) to its last stop
    whose load fits and whose exact schedule holds (the run leaving after the vehicle's
    previous run and rest). Every run is feasible by construction, whatever the size.

    Parameters
    ----------
    inst
        The model's integer data.
    stops
        The stops to serve.
    order
        The seeding order of the stops (default: farthest from the base first).
    day
        If given (time units), a run whose first stop is at most that far from the base
        (there and back) grows only while it returns on the day it left: one run a day per
        vehicle near the base, every day of the period used; runs to farther stops may
        take several days.

    Returns
    -------
    list of PlannedRun, list of int
        The runs, and the stops left when no vehicle could take another run (empty when
        every stop is served).
    """
    r = inst.rules
    trip_rest = r.trip_rest if r is not None else 0
    travel = np.asarray(inst.travel)
    todo = set(stops)
    if order is None:
        order = sorted(stops, key=lambda x: (-(int(travel[0, x]) + int(travel[x, 0])), x))
    order = [x for x in order if x in todo]
    idx = np.asarray(sorted(stops))
    sub = travel[np.ix_(idx, idx)]
    ranked = {int(idx[a]): idx[np.argsort(sub[a], kind="stable")] for a in range(len(idx))}
    free = {(t, v): 0 for t, c in enumerate(inst.counts) for v in range(c)}
    trips = dict.fromkeys(free, 0)
    done: set[tuple[int, int]] = set()
    out: list[PlannedRun] = []
    head = 0
    while todo:
        ready = [k for k in free if k not in done and trips[k] < inst.trips]
        if not ready:
            break
        t, v = min(ready, key=lambda k: (free[k], -int(inst.caps[k[0]][0]), k))
        cap, earliest = inst.caps[t], free[(t, v)]
        while head < len(order) and order[head] not in todo:
            head += 1
        seeds = (x for x in order[head:] if x in todo and not (inst.load[x] > cap).any())
        route, sched = _first_schedulable(inst, seeds, earliest)
        if route is None:
            done.add((t, v))
            continue
        todo.discard(route[0])
        load = inst.load[route[0]].copy()
        x0 = route[0]
        one_day = day is not None and int(travel[0, x0]) + int(travel[x0, 0]) <= day
        while todo:
            tried = 0
            for y in ranked[route[-1]]:
                y = int(y)
                if y not in todo:
                    continue
                tried += 1
                if tried > SWEEP_NEIGHBOURS:
                    break
                if ((load + inst.load[y]) > cap).any() or inst.forbidden[route[-1], y]:
                    continue
                cand = [*route, y]
                if not _legal(inst, cand):
                    continue
                s2 = best_schedule(inst, cand, earliest)
                if s2 is not None and (
                    not one_day or s2.ret // DAY_UNITS == s2.depart // DAY_UNITS
                ):
                    route, sched = cand, s2
                    todo.discard(y)
                    load = load + inst.load[y]
                    break
            else:
                break
            if tried > SWEEP_NEIGHBOURS:
                break
        out.append(PlannedRun(t, v, trips[(t, v)], tuple(route), sched))
        free[(t, v)] = sched.ret + trip_rest
        trips[(t, v)] += 1
    return out, sorted(todo)


def construct(
    inst: IntInstance,
    stops: list[int],
    budget: Budget | None = None,
    seed: int = 0,
    order: list[int] | None = None,
) -> list[PlannedRun] | None:
    """Feasible runs serving ``stops``, or ``None``.

    Two constructions are tried: savings routes given to the fleet by
    :func:`assign_vehicles` (if the fleet cannot take them, each stop alone), and
    :func:`fill_runs`; the cheaper feasible one is kept. With a ``budget`` (of schedule
    checks), its routes are then improved by :func:`ruin_and_recreate` (kept if the fleet
    can still run them and they cost less), and the runs polished on their vehicles by
    :func:`improve_runs`, both spending the budget; ``seed`` drives the ruin moves.

    A base of more than :data:`LARGE_BASE_STOPS` stops, or one where both find nothing the
    fleet can run, is built by :func:`sweep_runs` instead (seeded in ``order``, e.g. by
    angle around the base), its runs then polished by :func:`improve_runs` while the budget
    lasts; ``None`` if the fleet cannot take them all.
    """
    for s in stops:
        if best_schedule(inst, [s]) is None:
            return None
    found: list[list[PlannedRun]] = []
    if len(stops) <= LARGE_BASE_STOPS:
        routes = savings_routes(inst, stops)
        runs = assign_vehicles(inst, routes)
        if runs is None:
            runs = assign_vehicles(inst, [[s] for s in stops])
        if runs is not None:
            found.append(runs)
        if any(inst.ownership):
            packed = assign_vehicles(inst, routes, reuse=True)  # fewer vehicles to pay for
            if packed is not None:
                found.append(packed)
        filled = fill_runs(inst, stops)
        if filled is not None:
            found.append(filled)
    if not found:
        for day in (NEAR_ROUND_TRIP_UNITS, None, INF):  # one-day runs near the base, then
            runs, left = sweep_runs(inst, stops, order, day=day)  # none, then all
            if not left:
                break
        if left:
            return None
        return runs if budget is None else improve_runs(inst, runs, budget)
    runs = min(found, key=lambda rs: _plan_cost(inst, rs))  # first among equals
    if budget is None:
        return runs
    routes = [list(run.nodes) for run in runs]
    recreated = ruin_and_recreate(inst, routes, budget, seed)
    for reuse in (False, True) if any(inst.ownership) else (False,):
        better = assign_vehicles(inst, recreated, reuse)
        if better is not None and _plan_cost(inst, better) < _plan_cost(inst, runs):
            runs = better
    return improve_runs(inst, runs, budget)


def _plan_cost(inst: IntInstance, runs: list[PlannedRun]) -> int:
    """Fixed, arc and schedule costs (crew waits and breaks, overnight rests) of runs, and
    the ownership of the vehicles they use."""
    used = {(r.type_index, r.vehicle) for r in runs}
    return sum(
        route_cost(inst, r.type_index, r.nodes)
        + schedule_extra(inst, r.type_index, r.nodes, r.schedule)
        for r in runs
    ) + sum(inst.owning(t) for t, _ in used)


def _best_cost(inst: IntInstance, nodes: list[int]) -> int | None:
    """Cost of ``nodes`` with the cheapest type that carries them (``None``: none does)."""
    if not nodes:
        return 0
    load = inst.load[nodes].sum(axis=0)
    t = _cheapest_type(inst, load, nodes)
    return None if t is None else route_cost(inst, t, nodes)


def improve(inst: IntInstance, routes: list[list[int]], budget: Budget) -> list[list[int]]:
    """Relocate stops between and within routes while the total cost falls.

    First-improvement descent over a fixed order of moves (deterministic): each stop is
    tried at every position of every route and alone; a move is taken when it lowers
    the cost (fixed + arc costs, cheapest carrying type per route) and both routes keep
    a feasible schedule. At a relocation optimum, one tail exchange
    (:func:`_exchange_tails`) or, failing that, one route emptied into the others
    (:func:`_eliminate_route`) is sought and the descent goes on. Stops at a local optimum
    of both, or when the ``budget`` (one unit per stop or cut tried and per schedule
    checked) is spent.
    """
    routes = [list(r) for r in routes if r]
    costs = [_best_cost(inst, r) for r in routes]
    ref = [t for t in range(len(inst.caps)) if inst.counts[t] > 0]
    ac = inst.arc_cost[min(ref, key=lambda t: (int(inst.fixed[t]), t))]
    improved = True
    while improved:
        improved = False
        for a in range(len(routes)):
            pos = 0
            while pos < len(routes[a]):
                budget.spend()
                if budget.exhausted:
                    return [r for r in routes if r]
                x = routes[a][pos]
                src = routes[a][:pos] + routes[a][pos + 1 :]
                prv = routes[a][pos - 1] if pos > 0 else 0
                nxt = routes[a][pos + 1] if pos + 1 < len(routes[a]) else 0
                gain_rm = int(ac[prv, x]) + int(ac[x, nxt]) - int(ac[prv, nxt])
                src_cost = _best_cost(inst, src) if src else 0
                moved = False
                for b in [*range(len(routes)), -1]:
                    base = routes[b] if b >= 0 else []
                    if b == a:
                        base = src
                    for j in range(len(base) + 1):
                        if b == a and j == pos:
                            continue
                        p0 = base[j - 1] if j > 0 else 0
                        p1 = base[j] if j < len(base) else 0
                        add = int(ac[p0, x]) + int(ac[x, p1]) - int(ac[p0, p1])
                        if b != -1 and add - gain_rm >= 0:
                            continue
                        cand = [*base[:j], x, *base[j:]]
                        if not _legal(inst, cand):
                            continue
                        if b == a:
                            new_cost = _best_cost(inst, cand)
                            if new_cost is None or new_cost >= costs[a]:
                                continue
                            budget.spend()
                            if best_schedule(inst, cand) is None:
                                continue
                            routes[a], costs[a] = cand, new_cost
                        else:
                            new_b = _best_cost(inst, cand)
                            old_b = costs[b] if b >= 0 else 0
                            if new_b is None or src_cost is None:
                                continue
                            if new_b + src_cost >= old_b + costs[a]:
                                continue
                            budget.spend(2)
                            if best_schedule(inst, cand) is None:
                                continue
                            if src and best_schedule(inst, src) is None:
                                continue
                            routes[a], costs[a] = src, src_cost
                            if b >= 0:
                                routes[b], costs[b] = cand, new_b
                            else:
                                routes.append(cand)
                                costs.append(new_b)
                        moved = improved = True
                        break
                    if moved:
                        break
                if not moved:
                    pos += 1
        keep = [k for k, r in enumerate(routes) if r]
        routes, costs = [routes[k] for k in keep], [costs[k] for k in keep]
        if not improved:
            improved = _exchange_tails(inst, routes, costs, budget) or _eliminate_route(
                inst, routes, costs, budget
            )
            keep = [k for k, r in enumerate(routes) if r]
            routes, costs = [routes[k] for k in keep], [costs[k] for k in keep]
    return routes


def _eliminate_route(
    inst: IntInstance, routes: list[list[int]], costs: list[int | None], budget: Budget
) -> bool:
    """Empty one route into the others when that costs less, in place.

    Routes are tried shortest first; each of its stops goes, in order, to the cheapest
    position of the other routes where the receiving route keeps a schedule. The move
    saves a run's fixed cost that relocations one stop at a time cannot, when the stops
    left behind still need the run. ``True`` when a route was emptied.
    """
    order = sorted(range(len(routes)), key=lambda k: (len(routes[k]), k))
    for r in order:
        new = {k: list(v) for k, v in enumerate(routes) if k != r}
        new_cost = {k: costs[k] for k in new}
        room = costs[r] if costs[r] is not None else -1  # what emptying route r saves
        for x in routes[r]:
            placed = False
            for _, k, cand, c in _insertions(inst, new, new_cost, x):
                budget.spend()
                if budget.exhausted:
                    return False
                if best_schedule(inst, cand) is not None:
                    room -= c - (new_cost[k] or 0)
                    new[k], new_cost[k], placed = cand, c, True
                    break
            if not placed or room <= 0:
                break
        else:
            if room > 0:
                for k, v in new.items():
                    routes[k], costs[k] = v, new_cost[k]
                routes[r], costs[r] = [], 0
                return True
    return False


#: Ruin-and-recreate rounds without a cheaper plan after which the search stops.
STALL_ROUNDS = 30


def _schedules_cost(inst: IntInstance) -> bool:
    """Whether a schedule costs beyond its arcs (crew waits and breaks, overnight rests)."""
    return bool(any(inst.crew_per_unit) or any(inst.rest_cost))


def _total(inst: IntInstance, routes: list[list[int]], budget: Budget | None = None) -> int:
    """Cost of routes with the cheapest type carrying each, with (given a ``budget`` to
    spend the schedule checks on) what their schedules add: crew waits and breaks, rests."""
    total = 0
    for r in routes:
        c = _best_cost(inst, r)
        if c is None:
            return INF
        total += c
        if budget is not None and _schedules_cost(inst):
            budget.spend()
            t = _cheapest_type(inst, inst.load[r].sum(axis=0), r)
            s = best_schedule(inst, r)
            if t is None or s is None:
                return INF
            total += schedule_extra(inst, t, r, s)
    return total


def ruin_and_recreate(
    inst: IntInstance, routes: list[list[int]], budget: Budget, seed: int = 0
) -> list[list[int]]:
    """Descend (:func:`improve`), then ruin and recreate while the budget lasts.

    Each round removes a random stop and its nearest neighbours by travel time (2 to
    a third of the stops, at most 10) from the current routes, inserts them back one by
    one (random order) at the cheapest position where the route keeps a schedule (or in
    a run of their own), descends, and keeps the result when it is cheaper and the fleet
    can run it (:func:`assign_vehicles`). The search stops when the budget is spent or
    after :data:`STALL_ROUNDS` rounds without a cheaper plan. Deterministic for a seed.
    """
    rng = np.random.default_rng(seed)
    best = improve(inst, routes, budget)
    best_cost = _total(inst, best, budget)
    stops = sorted(x for r in best for x in r)
    if len(stops) < 3:
        return best
    travel = np.asarray(inst.travel)
    stall = 0
    while not budget.exhausted and stall < STALL_ROUNDS:
        stall += 1
        k = int(rng.integers(2, max(3, min(10, len(stops) // 3) + 1)))
        x = stops[int(rng.integers(len(stops)))]
        near = sorted(stops, key=lambda y: (int(travel[x, y]) + int(travel[y, x]), y))[:k]
        removed = set(near)
        cand = [[y for y in r if y not in removed] for r in best]
        cand = [r for r in cand if r]
        for y in [near[int(i)] for i in rng.permutation(len(near))]:
            _insert_cheapest(inst, cand, y, budget)
        if budget.exhausted:
            break
        # the descent weighs fixed and arc costs only: where the schedules cost too (crew
        # hours, rests), the recreated routes before it may be the cheaper ones
        descended = improve(inst, cand, budget)
        cost, chosen = INF, descended
        for option in (descended, cand) if _schedules_cost(inst) else (descended,):
            c = _total(inst, option, budget)
            if c < cost:
                cost, chosen = c, option
        cand = chosen
        if cost < best_cost:
            budget.spend(len(cand))
            if assign_vehicles(inst, cand) is not None:
                best, best_cost, stall = cand, cost, 0
    return best


def _insertions(
    inst: IntInstance,
    routes: dict[int, list[int]],
    costs: dict[int, int | None] | None,
    x: int,
) -> list[tuple[int, int, list[int], int]]:
    """Every insertion of ``x`` into ``routes`` on permitted roads that a vehicle type can
    carry, cheapest first: ``(added cost, route key, new route, its cost)`` (schedules not
    checked). ``costs``: the routes' costs (computed when ``None``)."""
    out = []
    for k, base in routes.items():
        old = _best_cost(inst, base) if costs is None else costs[k]
        if old is None:
            continue
        for j in range(len(base) + 1):
            cand = [*base[:j], x, *base[j:]]
            if not _legal(inst, cand):
                continue
            c = _best_cost(inst, cand)
            if c is not None:
                out.append((c - old, k, j, cand, c))
    out.sort(key=lambda o: (o[0], o[1], o[2]))
    return [(d, k, cand, c) for d, k, _, cand, c in out]


def _insert_cheapest(inst: IntInstance, routes: list[list[int]], x: int, budget: Budget) -> None:
    """Insert ``x`` where it adds least cost and the route keeps a schedule (in place);
    a run of its own when that is cheaper or nowhere else fits."""
    options = _insertions(inst, dict(enumerate(routes)), None, x)
    alone = _best_cost(inst, [x])
    for delta, k, cand, _ in options:
        if alone is not None and delta >= alone:
            break
        budget.spend()
        if best_schedule(inst, cand) is not None:
            routes[k] = cand
            return
        if budget.exhausted:
            break
    routes.append([x])


def _exchange_tails(
    inst: IntInstance, routes: list[list[int]], costs: list[int | None], budget: Budget
) -> bool:
    """One improving tail exchange between two routes (2-opt*), in place.

    For routes ``a`` and ``b`` cut after positions ``i`` and ``j``, the candidates are
    ``a[:i] + b[j:]`` with ``b[:j] + a[i:]`` and, with each half driven the other way,
    ``a[:i] + reversed(b[:j])`` with ``reversed(a[i:]) + b[j:]`` — moves that join a
    route's far end to another's, which single relocations cannot reach when every
    step between is infeasible (a run that needs one rest fewer, only once whole).
    First improvement in a fixed order; ``True`` when a move was taken. Either route may
    end up empty (removed by the caller).
    """
    for a, b in itertools.combinations(range(len(routes)), 2):
        ra, rb = routes[a], routes[b]
        old = costs[a] + costs[b] if costs[a] is not None and costs[b] is not None else INF
        for i in range(len(ra) + 1):
            for j in range(len(rb) + 1):
                budget.spend()
                if budget.exhausted:
                    return False
                pairs = (
                    (ra[:i] + rb[j:], rb[:j] + ra[i:]),
                    (ra[:i] + rb[:j][::-1], ra[i:][::-1] + rb[j:]),
                )
                for na, nb in pairs:
                    if (na, nb) in ((ra, rb), (rb, ra)) or not (
                        _legal(inst, na) and _legal(inst, nb)
                    ):
                        continue
                    ca, cb = _best_cost(inst, na), _best_cost(inst, nb)
                    if ca is None or cb is None or ca + cb >= old:
                        continue
                    budget.spend(2)
                    if na and best_schedule(inst, na) is None:
                        continue
                    if nb and best_schedule(inst, nb) is None:
                        continue
                    routes[a], costs[a], routes[b], costs[b] = na, ca, nb, cb
                    return True
    return False


def _chain(inst: IntInstance, routes: list[list[int]]) -> list[Schedule] | None:
    """Schedules of one vehicle's runs in order, each after the previous one's rest."""
    trip_rest = inst.rules.trip_rest if inst.rules is not None else 0
    out, earliest = [], 0
    for nodes in routes:
        s = best_schedule(inst, nodes, earliest)
        if s is None:
            return None
        out.append(s)
        earliest = s.ret + trip_rest
    return out


def improve_runs(inst: IntInstance, runs: list[PlannedRun], budget: Budget) -> list[PlannedRun]:
    """Relocate stops between and within runs, keeping every run on its vehicle.

    The fleet-preserving counterpart of :func:`improve`: a move is taken when it lowers
    the cost (fixed + arc costs of the run's own vehicle type) and the runs of the one
    or two vehicles it touches still have schedules one after the other (each leaving
    after the rest that follows the previous). A run left empty is removed, so a vehicle
    may do fewer runs. Deterministic first-improvement descent; stops at a local optimum
    or when the ``budget`` (one unit per stop tried and per vehicle's runs rescheduled) is
    spent.
    """
    fleet: dict[tuple[int, int], list[list[int]]] = {}
    for run in sorted(runs, key=lambda x: (x.type_index, x.vehicle, x.trip)):
        fleet.setdefault((run.type_index, run.vehicle), []).append(list(run.nodes))
    keys = sorted(fleet)
    improved = True
    while improved:
        improved = False
        for ka in keys:
            ta = ka[0]
            aca = inst.arc_cost[ta]
            for ia in range(len(fleet[ka])):
                pos = 0
                while ia < len(fleet[ka]) and pos < len(fleet[ka][ia]):
                    budget.spend()
                    if budget.exhausted:
                        return _runs_of(inst, fleet)
                    ra = fleet[ka][ia]
                    x = ra[pos]
                    src = ra[:pos] + ra[pos + 1 :]
                    prv = ra[pos - 1] if pos > 0 else 0
                    nxt = ra[pos + 1] if pos + 1 < len(ra) else 0
                    gain = int(aca[prv, x]) + int(aca[x, nxt]) - int(aca[prv, nxt])
                    if not src:
                        gain += int(inst.fixed[ta])
                        if len(fleet[ka]) == 1:  # the vehicle's last run: it is freed
                            gain += inst.owning(ta)
                    moved = False
                    for kb in keys:
                        tb = kb[0]
                        acb = inst.arc_cost[tb]
                        for ib in range(len(fleet[kb])):
                            same = kb == ka and ib == ia
                            base = src if same else fleet[kb][ib]
                            if not same and (
                                (inst.load[base].sum(axis=0) + inst.load[x] > inst.caps[tb]).any()
                            ):
                                continue
                            for j in range(len(base) + 1):
                                if same and j == pos:
                                    continue
                                p0 = base[j - 1] if j > 0 else 0
                                p1 = base[j] if j < len(base) else 0
                                add = int(acb[p0, x]) + int(acb[x, p1]) - int(acb[p0, p1])
                                if add - gain >= 0:
                                    continue
                                cand = [*base[:j], x, *base[j:]]
                                if not _legal(inst, cand):
                                    continue
                                new_a = list(fleet[ka])
                                if same:
                                    new_a[ia] = cand
                                    budget.spend()
                                    if _chain(inst, new_a) is None:
                                        continue
                                    fleet[ka] = new_a
                                else:
                                    new_a[ia] = src
                                    new_a = [r for r in new_a if r]
                                    if kb == ka:
                                        new_b = list(fleet[ka])
                                        new_b[ia] = src
                                        new_b[ib] = cand
                                        new_b = [r for r in new_b if r]
                                        budget.spend()
                                        if _chain(inst, new_b) is None:
                                            continue
                                        fleet[ka] = new_b
                                    else:
                                        new_b = list(fleet[kb])
                                        new_b[ib] = cand
                                        budget.spend(2)
                                        if _chain(inst, new_b) is None:
                                            continue
                                        if new_a and _chain(inst, new_a) is None:
                                            continue
                                        fleet[ka], fleet[kb] = new_a, new_b
                                moved = improved = True
                                break
                            if moved:
                                break
                        if moved:
                            break
                    if not moved:
                        pos += 1
    return _runs_of(inst, fleet)


def _runs_of(inst: IntInstance, fleet: dict[tuple[int, int], list[list[int]]]) -> list[PlannedRun]:
    out = []
    for (t, v), routes in sorted(fleet.items()):
        routes = [r for r in routes if r]
        scheds = _chain(inst, routes)
        if scheds is None:  # never: every accepted move kept the chain feasible
            raise AssertionError("improve_runs left an unschedulable vehicle")
        out.extend(
            PlannedRun(t, v, k, tuple(r), s)
            for k, (r, s) in enumerate(zip(routes, scheds, strict=True))
        )
    return out
