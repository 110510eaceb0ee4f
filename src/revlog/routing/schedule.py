"""The exact scheduler of a run under the driver rules, in the model's integers.

:func:`simulate` times a run's stops from a departure: driving, driving breaks, overnight
rests, night-ban standstills, waits for opening hours and service, every one placed so
that the run obeys the rules as the model reads them (:class:`~revlog.routing.rules.
BreakRule`: at most ``drive_max`` of elapsed time — driving, waiting and service — between
two breaks of at least ``drive_break``; at most ``duty_max`` between overnight rests of at
least ``rest``; at most ``max_days`` duty periods; no driving and no service during a night
ban). :func:`best_schedule` tries the departures that can matter and keeps the schedule
that returns first. Everything here is integer (seconds, from
:func:`revlog.routing.ortools.int_break_rules`), so a schedule that passes satisfies the
model exactly.

Where a vehicle stops: a driving break may be taken anywhere (a lay-by); an overnight rest
and a night-ban standstill only at a *place* — a stop of the run, the base, or a town on
the road between two stops (:attr:`IntInstance.rest_points`). When the duty limit or a ban
would overtake the vehicle between two places, it stops at the last place it can reach
(or where it is) and rests there ("stopping early"). Breaks are otherwise lazy: taken as
late as the rules allow, a wait at a stop hosting them when it is long enough.

All choices are deterministic.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

INF = 1 << 60

IntInterval = tuple[int, int]
#: A break taken: ``(start, duration, kind, place)``; ``place`` is where the vehicle
#: stands (a node id or a town on the road), ``""`` for a driving break on the road.
TakenBreak = tuple[int, int, str, str]


@dataclass(frozen=True)
class SpecInt:
    """One break interval of a vehicle copy in the OR-Tools model: duration and start
    bounds, seconds."""

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
        Longest duty period between overnight rests (``None``: no rests, one-day runs).
    rest
        Length of an overnight rest.
    specs
        The break intervals of each vehicle copy in the OR-Tools model, chronological.
    max_span
        Longest run, departure to return.
    trip_rest
        Least time between a vehicle's return and its next departure.
    gaps
        One-day runs under a night ban: the ban-free stretches a run must stay in.
    bans
        Multi-day runs under a night ban: the ban intervals, in which the vehicle stands
        at a place (resting, when a rest is left).
    max_rests
        Overnight rests a run may take (``max_days - 1``).
    """

    drive_max: int | None
    drive_break: int
    duty_max: int | None
    rest: int
    specs: tuple[SpecInt, ...]
    max_span: int
    trip_rest: int
    gaps: tuple[IntInterval, ...] | None = None
    bans: tuple[IntInterval, ...] = ()
    max_rests: int = 0

    @property
    def driving_specs(self) -> list[int]:
        """Spec indices of the driving breaks (one-day runs take them in this order)."""
        return [k for k, s in enumerate(self.specs) if s.kind == "driving"]


RestPoints = Callable[[int, int], Sequence[tuple[int, str]]]


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
    labels
        Node ids (where a vehicle rests at a stop).
    rest_points
        ``rest_points(i, j)``: the places on the road from node ``i`` to ``j`` where a
        vehicle may rest, as ``(offset s from i, place id)`` sorted, strictly inside the
        leg (``None``: none).
    crew_per_unit
        Per vehicle type, the crew's cost per time unit on duty, cost units (the arc costs
        hold the crew's driving and service; :func:`schedule_extra` adds the rest).
    rest_cost
        Per vehicle type, the cost of an overnight rest, cost units.
    ownership
        Per vehicle type, what one vehicle in use costs in the period (paid once, however
        many runs it does), cost units; empty: nothing.
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
    labels: Sequence[str] = ()
    rest_points: RestPoints | None = None
    crew_per_unit: Sequence[float] = ()
    rest_cost: Sequence[int] = ()
    ownership: Sequence[int] = ()
    _travel_list: list[list[int]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._travel_list = np.asarray(self.travel, dtype=np.int64).tolist()

    @property
    def n(self) -> int:
        """Number of nodes including the base."""
        return len(self.service)

    def owning(self, type_index: int) -> int:
        """What one vehicle of a type costs to have in use in the period, cost units."""
        return int(self.ownership[type_index]) if self.ownership else 0

    def label(self, node: int) -> str:
        """The id of ``node`` (its index when no labels are given)."""
        return str(self.labels[node]) if node < len(self.labels) else f"node {node}"


@dataclass(frozen=True)
class Schedule:
    """The timing of one run, model units: departure, service starts, return, and the
    breaks taken between departure and return (:data:`TakenBreak`)."""

    depart: int
    starts: tuple[int, ...]
    ret: int
    breaks: tuple[TakenBreak, ...]


def schedule_extra(inst: IntInstance, type_index: int, nodes: Sequence[int], s: Schedule) -> int:
    """What a schedule costs beyond its arc and fixed costs, cost units: the crew's time
    on duty that is neither driving nor service (waits, driving breaks, night standstills)
    and the overnight rests."""
    crew = inst.crew_per_unit[type_index] if type_index < len(inst.crew_per_unit) else 0.0
    rest = inst.rest_cost[type_index] if type_index < len(inst.rest_cost) else 0
    if not crew and not rest:
        return 0
    nights = [b for b in s.breaks if b[2] == "overnight"]
    duty = s.ret - s.depart - sum(b[1] for b in nights)
    seq = [0, *nodes, 0]
    busy = sum(inst._travel_list[a][b] for a, b in itertools.pairwise(seq))
    busy += sum(inst.service[j] for j in nodes)
    return round(crew * max(0, duty - busy)) + rest * len(nights)


def _first_start(windows: list[IntInterval], t: int) -> int | None:
    for lo, hi in windows:
        if t <= hi:
            return max(lo, t)
    return None


def _in(windows: list[IntInterval], t: int) -> bool:
    return any(lo <= t <= hi for lo, hi in windows)


@dataclass
class _Drive:
    """The state after a planned stretch of driving (see :meth:`_Clock.plan_drive`)."""

    t: int
    since: int
    duty: int
    used: int
    breaks: list[TakenBreak]


class _Clock:
    """A run being scheduled: the time, the time since the last break (``since``), the
    duty period's elapsed time (``duty``), its driving breaks (``used``), the rests left,
    and the breaks taken."""

    def __init__(
        self, r: BreakRules, dep: int, allow_rest: bool, extra: Sequence[int] = ()
    ) -> None:
        self.D = r.drive_max if r.drive_max is not None else INF
        self.B, self.R = r.drive_break, r.rest
        self.L = r.duty_max if r.duty_max is not None else INF
        self.bans = r.bans
        self.rests_left = r.max_rests if allow_rest and r.duty_max is not None else 0
        # one-day runs may be loaded into OR-Tools: at most its number of break intervals
        self.cap = None if r.duty_max is not None else len(r.driving_specs)
        self.t, self.since, self.duty, self.used = dep, 0, 0, 0
        self.brks: list[TakenBreak] = []
        self.extra = extra  # per overnight rest, how much longer than ``rest`` it lasts
        self.rests = 0
        # per overnight rest taken (1, 2, ...): the first wait for opening hours after it
        self.waits: dict[int, int] = {}

    def _ban_after(self, t: int) -> IntInterval | None:
        """The first ban that ends after ``t``."""
        return next(((lo, hi) for lo, hi in self.bans if hi > t), None)

    def _clear(self, t: int, d: int) -> bool:
        """Whether driving from ``t`` for ``d`` meets no ban."""
        b = self._ban_after(t)
        return b is None or b[0] >= t + d

    def plan_drive(self, tau: int) -> _Drive | None:
        """Driving ``tau`` from now with lazy driving breaks; ``None`` if the duty limit, a
        ban or the model's number of breaks would stop it first."""
        t, since, duty, used = self.t, self.since, self.duty, self.used
        brks: list[TakenBreak] = []
        rem = tau
        while True:
            room = self.D - since
            if rem <= room:
                if duty + rem > self.L or not self._clear(t, rem):
                    return None
                return _Drive(t + rem, since + rem, duty + rem, used, brks)
            d = max(0, room)
            if duty + d + self.B > self.L or not self._clear(t, d):
                return None
            if self.cap is not None and used >= self.cap:
                return None
            t, since, duty, rem = t + d, since + d, duty + d, rem - d
            brks.append((t, self.B, "driving", ""))
            t, duty, since, used = t + self.B, duty + self.B, 0, used + 1

    def commit(self, d: _Drive) -> None:
        self.t, self.since, self.duty, self.used = d.t, d.since, d.duty, d.used
        self.brks.extend(d.breaks)

    def rest(self, place: str, at_least: int = 0) -> bool:
        """An overnight rest here, of ``at_least`` if that is longer than the rule's rest,
        extended over any ban it meets."""
        if self.rests_left <= 0:
            return False
        start = self.t
        end = start + self.R + (self.extra[self.rests] if self.rests < len(self.extra) else 0)
        end = max(end, start + at_least)
        b = self._ban_after(start)
        while b is not None and b[0] < end:
            end = max(end, b[1])
            b = self._ban_after(end)
        self.brks.append((start, end - start, "overnight", place))
        self.t, self.since, self.duty, self.used = end, 0, 0, 0
        self.rests_left -= 1
        self.rests += 1
        return True

    def stand_through_ban(self, place: str) -> bool:
        """Stand here through the coming ban (no rest left): duty time goes on."""
        b = self._ban_after(self.t)
        if b is None:
            return False
        end = max(self.t, b[1])
        if self.duty + (end - self.t) > self.L:
            return False
        self.brks.append((self.t, end - self.t, "night", place))
        self.duty += end - self.t
        self.t, self.since = end, 0
        return True

    def stop(self, place: str) -> bool:
        """Stop here because driving on is not allowed: a rest, or standing through a ban."""
        return self.rest(place) or self.stand_through_ban(place)

    def travel(self, tau: int, points: Sequence[tuple[int, str]], here: str) -> bool:
        """Drive a leg of ``tau``; stop at the last place reachable when the duty limit or a
        ban comes first (``points``: places on the road, offsets from the leg's start)."""
        pos, place = 0, here
        for _ in range(2 + 2 * (self.rests_left + len(self.bans))):
            done = self.plan_drive(tau - pos)
            if done is not None:
                self.commit(done)
                return True
            best = None
            for off, name in points:
                if off <= pos or off >= tau:
                    continue
                part = self.plan_drive(off - pos)
                if part is None:
                    break  # a longer stretch cannot fit either
                best = (off, name, part)
            if best is not None:
                pos, place = best[0], best[1]
                self.commit(best[2])
            if not self.stop(place):
                return False
        return False

    def wait_and_serve(self, wins: list[IntInterval], sv: int, place: str) -> int | None:
        """Wait at ``place`` for the next opening of ``wins`` clear of any ban (breaks and
        rests in the wait), then serve for ``sv``; the start of service, or ``None``."""
        B, R = self.B, self.R
        first = _first_start(wins, self.t)
        if self.rests and first is not None and first > self.t:
            self.waits.setdefault(self.rests, first - self.t)
        for _ in range(4 + 4 * (self.rests_left + len(self.bans)) + 64):
            s = _first_start(wins, self.t)
            if s is None:
                return None
            b = self._ban_after(s)
            if b is not None and b[0] < s + sv:  # no service during a ban
                s = _first_start(wins, b[1])
                if s is None:
                    return None
            wait = s - self.t
            room_s, room_d = self.D - self.since, self.L - self.duty
            if wait + sv <= min(room_s, room_d):
                self.since += wait + sv
                self.duty += wait + sv
                self.t = s + sv
                return s
            if self.rests_left > 0 and (wait + sv > room_d or wait >= R):
                # rest now, through the whole wait: the crew is off duty until it opens
                self.rest(place, at_least=wait)
                continue
            if wait + sv > room_d:
                return None
            if self.cap is not None and self.used >= self.cap:
                return None
            x = max(0, min(wait - B, room_s, room_d - B))
            self.t, self.since, self.duty = self.t + x, self.since + x, self.duty + x
            if self.duty + B > self.L:
                return None
            self.brks.append((self.t, B, "driving", place))
            self.t, self.duty, self.since, self.used = self.t + B, self.duty + B, 0, self.used + 1
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
    return Schedule(dep, tuple(starts), ret, ())


def simulate(
    inst: IntInstance,
    nodes: Sequence[int],
    dep: int,
    allow_rest: bool = True,
    check_return: bool = True,
    extra: tuple[int, ...] = (),
    _tries: int | None = None,
) -> Schedule | None:
    """Schedule ``nodes`` leaving the base at ``dep``; ``None`` if a rule is broken.

    When a rule breaks after a wait for opening hours that followed an overnight rest,
    the first such wait is moved into its rest, which then lasts longer (waiting on duty
    is what a longer rest saves): the vehicle stays where it rested and arrives when the
    place opens. Up to ``max_rests + 2`` such retries. Where the crew is paid per hour on
    duty, the same move is made on a feasible schedule too, kept when it still returns
    as early.

    Parameters
    ----------
    inst
        The instance.
    nodes
        Stops in visiting order.
    dep
        Departure from the base (not checked against the departure windows).
    allow_rest
        Whether overnight rests may be taken (``False``: one duty period).
    check_return
        Whether the return must fall in the base's windows (``False``: to find how
        much later to leave).
    extra
        Per overnight rest, how much longer than the rule's rest it lasts.

    Returns
    -------
    Schedule or None
    """
    r = inst.rules
    if r is None:
        return _simulate_free(inst, nodes, dep)
    if _tries is None:
        _tries = r.max_rests + 2
    travel, service, windows = inst._travel_list, inst.service, inst.windows
    clock = _Clock(r, dep, allow_rest, extra)
    if not clock._clear(dep, 0):
        return None  # leaving during a ban
    points = inst.rest_points
    prev = 0
    starts: list[int] = []

    def longer_rest() -> Schedule | None:
        # a rule broke: move the first wait after a rest into that rest (the earliest
        # such rest, as it shifts everything after it), and try again
        if not clock.waits or _tries <= 0:
            return None
        k = min(clock.waits)
        more = list(extra) + [0] * (k - len(extra))
        more[k - 1] += clock.waits[k]
        return simulate(inst, nodes, dep, allow_rest, check_return, tuple(more), _tries - 1)

    for j in nodes:
        on_road = points(prev, j) if points is not None else ()
        if not clock.travel(travel[prev][j], on_road, inst.label(prev)):
            return longer_rest()
        s = clock.wait_and_serve(windows[j], service[j], inst.label(j))
        if s is None:
            return longer_rest()
        starts.append(s)
        prev = j
    on_road = points(prev, 0) if points is not None else ()
    if not clock.travel(travel[prev][0], on_road, inst.label(prev)):
        return longer_rest()
    if check_return:
        # arriving before the base opens, the vehicle waits at the gate (its breaks, or
        # an overnight rest, may fall in that wait); the run ends when the base opens
        ret = clock.wait_and_serve(windows[0], 0, inst.label(0))
        if ret is None:
            return longer_rest()
    else:
        ret = clock.t
    if ret - dep > r.max_span:
        return None
    if r.gaps is not None and not any(lo <= dep and ret <= hi for lo, hi in r.gaps):
        return None
    found = Schedule(dep, tuple(starts), ret, tuple(clock.brks))
    if clock.waits and _tries > 0 and any(inst.crew_per_unit):
        # the crew is paid on duty: a wait for opening hours after a rest is better spent
        # in that rest, where the same arrivals stay possible
        longer = longer_rest()
        if longer is not None and longer.ret <= ret:
            return longer
    return found


def _departures(inst: IntInstance, first: int, earliest: int) -> list[list[int]]:
    """Candidate departures grouped by departure window (chronological): the window's
    opening, the times that reach the first stop as it opens, and the end of every night
    ban (and start of every ban-free stretch)."""
    out = []
    t0 = inst.travel[0, first]
    r = inst.rules
    ends = [hi for _, hi in r.bans] if r is not None else []
    if r is not None and r.gaps:
        ends += [g for g, _ in r.gaps]
    for lo, hi in inst.depart:
        if hi < earliest:
            continue
        lo2 = max(lo, earliest)
        cands = {lo2}
        for wlo, _ in inst.windows[first]:
            d = int(wlo - t0)
            if lo2 <= d <= hi:
                cands.add(d)
        cands.update(g for g in ends if lo2 <= g <= hi)
        out.append(sorted(cands))
    return out


def best_schedule(inst: IntInstance, nodes: Sequence[int], earliest: int = 0) -> Schedule | None:
    """The schedule of ``nodes`` departing at or after ``earliest`` that returns first.

    Departures tried: see :func:`_departures`. One-day schedules (no overnight rest) are
    preferred within a departure window; among equal returns the later departure (shorter
    run) wins.
    """
    if not nodes:
        return None
    for cands in _departures(inst, nodes[0], earliest):
        best = None
        for allow_rest in (False, True):
            for dep in cands:
                s = simulate(inst, nodes, dep, allow_rest)
                if s is None and inst.rules is not None:
                    # returns before the base opens: leave that much later
                    early = simulate(inst, nodes, dep, allow_rest, check_return=False)
                    later = early and _first_start(inst.windows[0], early.ret)
                    if later and later > early.ret and _in(inst.depart, dep + later - early.ret):
                        s = simulate(inst, nodes, dep + later - early.ret, allow_rest)
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
    """Start of every break interval of a vehicle copy of a one-day run in the OR-Tools
    model (``None``: no room, or a schedule the model's intervals cannot hold).

    The run's driving breaks take the driving specs in order; the specs left over lie
    after its return. With ``sched=None`` (an unused copy) all are placed from
    ``idle_at`` on.
    """
    r = inst.rules
    if r is None:
        return []
    specs = r.specs
    starts: list[int | None] = [None] * len(specs)
    if sched is not None and any(kind != "driving" for _, _, kind, _ in sched.breaks):
        return None
    taken = [] if sched is None else [b for b in sched.breaks]
    driving = r.driving_specs
    if len(taken) > len(driving):
        return None
    for (s0, _, _, _), k in zip(taken, driving, strict=False):
        if not specs[k].lo <= s0 <= specs[k].hi:
            return None
        starts[k] = s0
    t = idle_at if sched is None else sched.ret
    for k in range(len(specs)):
        if starts[k] is not None:
            continue
        st = max(t, specs[k].lo)
        if st > specs[k].hi or st + specs[k].duration > horizon:
            return None
        starts[k] = st
        t = st + specs[k].duration
    return [int(s) for s in starts]  # type: ignore[arg-type]
