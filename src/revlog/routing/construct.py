"""Feasible runs with complete schedules, built exactly in the OR-Tools model's integers.

This module builds runs *and their complete schedules* (service starts, the position of
every break interval, before, during and after the run), so that
:mod:`revlog.routing.ortools` can hand OR-Tools a fully instantiated assignment, or use the
runs as they are where OR-Tools' finalizer cannot place the break intervals (multi-day
runs; why: ``docs/design.md``).

Everything here works on the integer data of the OR-Tools model (seconds, grams, cost
units), scaled by :mod:`revlog.routing.ortools`; nothing is rounded here, so a schedule
that passes :func:`simulate` satisfies the model's integer constraints.

The schedule of a run follows the model's reading of the rules (see
:mod:`revlog.routing.rules`): at most ``drive_max`` of elapsed time (driving, waiting and
service) between two breaks of at least ``drive_break``; at most ``duty_max`` between
overnight rests; breaks never overlap service; driving may be interrupted by a break.
Breaks are taken as late as allowed ("lazy"); a wait at a stop hosts the break (or the
overnight rest) when it is long enough, so waiting costs no extra time. A run that gets
back before the base opens waits at the gate (e.g. a two-day run to a far stop that
arrives at 5:00 for a 6:00 opening); that wait counts as duty, like any other.

All choices are deterministic (sorted candidates, ties broken by index).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from revlog.routing.budget import Budget

INF = 1 << 60

IntInterval = tuple[int, int]


@dataclass(frozen=True)
class SpecInt:
    """One break interval of a vehicle copy: duration and start bounds, seconds."""

    kind: str
    duration: int
    lo: int
    hi: int


@dataclass(frozen=True)
class BreakRules:
    """The driver rules in model units (seconds).

    Attributes
    ----------
    drive_max
        Longest elapsed time between two driving breaks (``None``: no rule).
    drive_break
        Length of a driving break.
    duty_max
        Longest elapsed time between two overnight rests (``None``: no limit).
    rest
        Length of an overnight rest.
    specs
        The break intervals of each vehicle copy, in chronological order (the model's).
    max_span
        Longest run, departure to return.
    trip_rest
        Least time between a vehicle's return and its next departure.
    gaps
        With a night ban and one-day runs: the ban-free stretches a run must stay in.
    """

    drive_max: int | None
    drive_break: int
    duty_max: int | None
    rest: int
    specs: tuple[SpecInt, ...]
    max_span: int
    trip_rest: int
    gaps: tuple[IntInterval, ...] | None = None

    @property
    def groups(self) -> list[list[int]]:
        """Spec indices of the driving breaks of each duty period (split by the rests)."""
        out: list[list[int]] = [[]]
        for k, s in enumerate(self.specs):
            if s.kind == "overnight":
                out.append([])
            else:
                out[-1].append(k)
        return out

    @property
    def rest_index(self) -> list[int]:
        """Spec index of the rest that closes each duty period but the last."""
        return [k for k, s in enumerate(self.specs) if s.kind == "overnight"]


@dataclass
class IntInstance:
    """The routing model's data in integers.

    Attributes
    ----------
    travel
        ``(n, n)`` travel times, s (``forbidden`` arcs are never used).
    forbidden
        ``(n, n)`` arcs without a permitted road.
    service
        ``(n,)`` service times, s.
    windows
        Per node, sorted disjoint service-start intervals, s (node 0: return windows).
    depart
        Sorted disjoint departure intervals from the base, s.
    load
        ``(n, d)`` pickups per capacity dimension.
    caps
        ``(t, d)`` capacities per vehicle type and dimension.
    arc_cost
        Per vehicle type, the ``(n, n)`` arc costs.
    fixed
        Per vehicle type, the fixed cost of a run.
    counts
        Per vehicle type, the vehicles usable (0 for types that carry no stop).
    trips
        Runs per vehicle.
    rules
        Driver rules, or ``None``.
    """

    travel: np.ndarray
    forbidden: np.ndarray
    service: list[int]
    windows: list[list[IntInterval]]
    depart: list[IntInterval]
    load: np.ndarray
    caps: np.ndarray
    arc_cost: list[np.ndarray]
    fixed: list[int]
    counts: list[int]
    trips: int
    rules: BreakRules | None
    _travel_list: list[list[int]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._travel_list = np.asarray(self.travel, dtype=np.int64).tolist()

    @property
    def n(self) -> int:
        """Number of nodes including the base."""
        return len(self.service)


@dataclass(frozen=True)
class Schedule:
    """The timing of one run, model units.

    ``breaks`` are ``(start, duration, spec index)`` of the break intervals taken between
    departure and return; ``first_group`` is the duty period (group of specs) the run
    starts in: the specs before it lie before the departure.
    """

    depart: int
    starts: tuple[int, ...]
    ret: int
    breaks: tuple[tuple[int, int, int], ...]
    first_group: int


@dataclass(frozen=True)
class PlannedRun:
    """A run assigned to a vehicle copy, with its schedule."""

    type_index: int
    vehicle: int
    trip: int
    nodes: tuple[int, ...]
    schedule: Schedule


def _first_start(windows: list[IntInterval], t: int) -> int | None:
    for lo, hi in windows:
        if t <= hi:
            return max(lo, t)
    return None


def _in(windows: list[IntInterval], t: int) -> bool:
    return any(lo <= t <= hi for lo, hi in windows)


class _Shift:
    """A run being scheduled under the rules: the clock, the duty period, breaks taken.

    ``g`` is the duty period (group of break intervals) the vehicle is in, ``used`` the
    driving-break intervals of it already taken, ``since`` the time elapsed since the last
    break, ``duty`` the time elapsed in the duty period; ``brks`` collects ``(start,
    duration, spec index)`` of the breaks taken.
    """

    def __init__(self, r: BreakRules, dep: int, first_group: int, allow_rest: bool) -> None:
        self.r = r
        self.D = r.drive_max if r.drive_max is not None else INF
        self.B, self.R = r.drive_break, r.rest
        self.L = r.duty_max if r.duty_max is not None else INF
        self.groups, self.rests = r.groups, r.rest_index
        self.allow_rest = allow_rest
        self.t, self.g, self.used, self.since, self.duty = dep, first_group, 0, 0, 0
        self.brks: list[tuple[int, int, int]] = []

    def _pass(self, x: int) -> None:
        """Let ``x`` elapse (driving, waiting or serving)."""
        self.t += x
        self.since += x
        self.duty += x

    def rest_possible(self) -> bool:
        return self.allow_rest and self.g < len(self.groups) - 1 and self.r.duty_max is not None

    def reserve(self) -> int:
        """Time kept for the duty period's unused driving breaks (taken before a rest)."""
        return (len(self.groups[self.g]) - self.used) * self.B if self.rest_possible() else 0

    def take_rest(self) -> bool:
        """The duty period's unused driving breaks, then an overnight rest."""
        if not self.rest_possible():
            return False
        for k in self.groups[self.g][self.used :]:
            self.brks.append((self.t, self.B, k))
            self.t += self.B
            self.duty += self.B
        if self.duty > self.L:
            return False
        self.brks.append((self.t, self.R, self.rests[self.g]))
        self.t += self.R
        self.g, self.used, self.since, self.duty = self.g + 1, 0, 0, 0
        return True

    def take_drive_break(self) -> bool:
        if self.used >= len(self.groups[self.g]):
            return False
        if not self.rest_possible() and self.duty + self.B > self.L:
            return False
        self.brks.append((self.t, self.B, self.groups[self.g][self.used]))
        self.t += self.B
        self.duty += self.B
        self.used += 1
        self.since = 0
        return True

    def drive(self, tau: int) -> bool:
        """Drive ``tau``, breaking (or resting) lazily when a limit would be passed."""
        while True:
            room_s, room_d = self.D - self.since, self.L - self.duty - self.reserve()
            room = min(room_s, room_d)
            if tau <= room:
                self._pass(tau)
                return True
            if room > 0:
                self._pass(room)
                tau -= room
            if room_d <= room_s:
                if not self.take_rest():
                    return False
            elif not self.take_drive_break() and not self.take_rest():
                return False

    def wait_and_serve(self, wins: list[IntInterval], sv: int) -> int | None:
        """Wait for the next opening of ``wins`` (breaks and rests in the wait), then
        serve for ``sv``; the start of service, or ``None``."""
        B, R = self.B, self.R
        while True:
            s = _first_start(wins, self.t)
            if s is None:
                return None
            wait = s - self.t
            room_s, room_d = self.D - self.since, self.L - self.duty - self.reserve()
            if wait + sv <= min(room_s, room_d):
                self.since += wait + sv
                self.duty += wait + sv
                self.t = s + sv
                return s
            can_rest = self.rest_possible()
            m_b = (len(self.groups[self.g]) - self.used) * B if can_rest else 0
            if can_rest and (wait + sv > room_d or wait >= R + m_b):
                self._pass(max(0, min(wait - R - m_b, room_s, room_d)))
                if not self.take_rest():
                    return None
                continue
            if wait + sv > room_d:
                return None
            room_after = room_d if can_rest else room_d - B
            if room_after < 0 or self.used >= len(self.groups[self.g]):
                if can_rest and self.take_rest():
                    continue
                return None
            self._pass(max(0, min(wait - B, room_s, room_after)))
            if not self.take_drive_break():
                return None


def _simulate_free(inst: IntInstance, nodes: Sequence[int], dep: int) -> Schedule | None:
    """Earliest schedule without driver rules."""
    travel, service, windows = inst._travel_list, inst.service, inst.windows
    t, prev, starts = dep, 0, []
    for j in nodes:
        s = _first_start(windows[j], t + travel[prev][j])
        if s is None:
            return None
        starts.append(s)
        t = s + service[j]
        prev = j
    ret = _first_start(windows[0], t + travel[prev][0])
    if ret is None:
        return None
    return Schedule(dep, tuple(starts), ret, (), 0)


def simulate(
    inst: IntInstance, nodes: list[int] | tuple[int, ...], dep: int, first_group: int = 0,
    allow_rest: bool = True, check_return: bool = True,
) -> Schedule | None:  # fmt: skip
    """Schedule ``nodes`` leaving the base at ``dep``; ``None`` if a rule is broken.

    Breaks are lazy: a driving break starts when the elapsed time since the last break
    would otherwise exceed ``drive_max`` (or earlier, before a service that would cross
    it); an overnight rest when the duty limit binds, or inside a wait long enough for
    it. Before a rest, the unused driving-break intervals of the ending duty period are
    taken right before it (the model orders its break intervals), and time for them is
    reserved while a rest is still possible.

    Parameters
    ----------
    inst
        The instance.
    nodes
        Stops in visiting order.
    dep
        Departure from the base (not checked against the departure windows).
    first_group
        Duty period (group of break intervals) the run starts in.
    allow_rest
        Whether overnight rests may be taken (``False``: one duty period).
    check_return
        Whether the return must fall in the base's windows (``False``: to find how
        much later to leave).

    Returns
    -------
    Schedule or None
    """
    r = inst.rules
    if r is None:
        return _simulate_free(inst, nodes, dep)
    if first_group >= len(r.groups):
        return None
    travel, service, windows = inst._travel_list, inst.service, inst.windows
    shift = _Shift(r, dep, first_group, allow_rest)
    prev = 0
    starts: list[int] = []
    for j in nodes:
        if not shift.drive(travel[prev][j]):
            return None
        s = shift.wait_and_serve(windows[j], service[j])
        if s is None:
            return None
        starts.append(s)
        prev = j
    if not shift.drive(travel[prev][0]):
        return None
    if check_return:
        # arriving before the base opens, the vehicle waits at the gate (its breaks, or
        # an overnight rest, may fall in that wait); the run ends when the base opens
        ret = shift.wait_and_serve(windows[0], 0)
        if ret is None:
            return None
    else:
        ret = shift.t
    if ret - dep > r.max_span:
        return None
    if r.gaps is not None and not any(lo <= dep and ret <= hi for lo, hi in r.gaps):
        return None
    return Schedule(dep, tuple(starts), ret, tuple(shift.brks), first_group)


def _departures(inst: IntInstance, first: int, earliest: int) -> list[list[int]]:
    """Candidate departures grouped by departure window (chronological): the window's
    opening, the times that reach the first stop as it opens, and the start of every
    ban-free stretch (one-day runs under a night ban leave when the ban ends)."""
    out = []
    t0 = inst.travel[0, first]
    gaps = inst.rules.gaps if inst.rules is not None and inst.rules.gaps else ()
    for lo, hi in inst.depart:
        if hi < earliest:
            continue
        lo2 = max(lo, earliest)
        cands = {lo2}
        for wlo, _ in inst.windows[first]:
            d = int(wlo - t0)
            if lo2 <= d <= hi:
                cands.add(d)
        cands.update(g for g, _ in gaps if lo2 <= g <= hi)
        out.append(sorted(cands))
    return out


def best_schedule(
    inst: IntInstance, nodes: list[int] | tuple[int, ...], earliest: int = 0
) -> Schedule | None:
    """The schedule of ``nodes`` departing at or after ``earliest`` that returns first.

    Departures tried: each departure window's opening (or ``earliest``) and the times
    that reach the first stop exactly at one of its openings. One-day schedules (no
    overnight rest) are preferred within a departure window; among equal returns the
    later departure (shorter run) wins.
    """
    if not nodes:
        return None
    for cands in _departures(inst, nodes[0], earliest):
        best = None
        for allow_rest in (False, True):
            for dep in cands:
                s = simulate(inst, nodes, dep, 0, allow_rest)
                if s is None and inst.rules is not None:
                    # returns before the base opens: leave that much later
                    early = simulate(inst, nodes, dep, 0, allow_rest, check_return=False)
                    later = early and _first_start(inst.windows[0], early.ret)
                    if later and later > early.ret and _in(inst.depart, dep + later - early.ret):
                        s = simulate(inst, nodes, dep + later - early.ret, 0, allow_rest)
                if s is not None and (
                    best is None or (s.ret, -s.depart) < (best.ret, -best.depart)
                ):
                    best = s
            if best is not None:
                return best
    return None


def place_breaks(
    inst: IntInstance, sched: Schedule | None, horizon: int, idle_at: int = 0
) -> list[int] | None:
    """Start of every break interval of a vehicle copy around its run (``None``: no room).

    Specs before the run's first duty period go before its departure, the unused ones
    after its return, in the model's order. With ``sched=None`` (an unused copy) all
    are placed from the first departure time on.
    """
    r = inst.rules
    if r is None:
        return []
    specs = r.specs
    starts: list[int | None] = [None] * len(specs)
    if sched is None:
        t = idle_at
        after_from = 0
    else:
        g0 = sched.first_group
        first_in = 0 if g0 == 0 else r.rest_index[g0 - 1] + 1
        for s0, _, k in sched.breaks:
            starts[k] = s0
        after_from = max([k + 1 for _, _, k in sched.breaks], default=first_in)
        t = sched.depart
        for k in range(first_in - 1, -1, -1):  # prefix, backwards from the departure
            st = min(t - specs[k].duration, specs[k].hi)
            if st < specs[k].lo:
                return None
            starts[k] = st
            t = st
        t = sched.ret
    for k in range(after_from, len(specs)):
        st = max(t, specs[k].lo)
        if st > specs[k].hi or st + specs[k].duration > horizon:
            return None
        starts[k] = st
        t = st + specs[k].duration
    if any(s is None for s in starts):
        return None
    return [int(s) for s in starts]  # type: ignore[arg-type]


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


def assign_vehicles(inst: IntInstance, routes: list[list[int]]) -> list[PlannedRun] | None:
    """Give each route a vehicle copy and a schedule; ``None`` if the fleet cannot.

    Routes are taken longest first; each goes to the vehicle (of a type that can carry
    it) on which it returns earliest, after that vehicle's previous run and rest.
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
            key = (s.ret, route_cost(inst, t, nodes), t, v)
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
        route, sched = None, None
        for x in seeds:
            if _legal(inst, [x]):
                sched = best_schedule(inst, [x], earliest)
                if sched is not None:
                    route = [x]
                    break
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


def construct(
    inst: IntInstance, stops: list[int], budget: Budget | None = None
) -> list[PlannedRun] | None:
    """Feasible runs serving ``stops``, or ``None``.

    Two constructions are tried: savings routes given to the fleet by
    :func:`assign_vehicles` (if the fleet cannot take them, each stop alone), and
    :func:`fill_runs`; the cheaper feasible one is kept. With a ``budget`` (of schedule
    checks), its routes are then improved by :func:`improve` (kept if the fleet can still
    run them and they cost less), and the runs polished on their vehicles by
    :func:`improve_runs`, both spending the budget.
    """
    for s in stops:
        if best_schedule(inst, [s]) is None:
            return None
    found: list[list[PlannedRun]] = []
    routes = savings_routes(inst, stops)
    runs = assign_vehicles(inst, routes)
    if runs is None:
        runs = assign_vehicles(inst, [[s] for s in stops])
    if runs is not None:
        found.append(runs)
    filled = fill_runs(inst, stops)
    if filled is not None:
        found.append(filled)
    if not found:
        return None
    runs = min(found, key=lambda rs: _plan_cost(inst, rs))  # first among equals
    if budget is None:
        return runs
    routes = [list(run.nodes) for run in runs]
    better = assign_vehicles(inst, improve(inst, routes, budget))
    if better is not None and _plan_cost(inst, better) < _plan_cost(inst, runs):
        runs = better
    return improve_runs(inst, runs, budget)


def _plan_cost(inst: IntInstance, runs: list[PlannedRun]) -> int:
    return sum(route_cost(inst, r.type_index, r.nodes) for r in runs)


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
    a feasible schedule. Stops at a local optimum, or when the ``budget`` (one unit per
    stop tried and per schedule checked) is spent.
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
    return routes


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
