"""The stage-2 routing model and search with OR-Tools.

:func:`solve_ortools` builds a ``pywrapcp.RoutingModel`` from a
:class:`~revlog.routing.problem.RoutingProblem` and returns a
:class:`~revlog.routing.solution.RoutingSolution`.

Model
-----
* **Vehicles**: one OR-Tools vehicle per physical vehicle and trip. Without
  multi-trip a vehicle does one run (possibly over several days); with
  ``allow_multi_trip`` each vehicle gets ``trips_per_vehicle`` copies whose runs are
  chained in time (the next one departs ≥ ``overnight_rest_h`` after the previous
  returned, and trip ``k+1`` is used only if trip ``k`` is). Each run pays its type's
  fixed cost; arcs cost ``cost_cny_per_km × km + risk_weight × exposure``.
* **Capacity**: a ``total`` dimension (intact + damaged kg ≤ payload) and, when any
  stop has damaged packs, a ``damaged`` dimension (≤ certified-box capacity; 0 for
  types that carry none).
* **Time**: a ``time`` dimension (service at the node + travel), cumul = start of
  service, node domains = opening windows (gaps removed with ``RemoveInterval``),
  waiting allowed. Driver rules (see :mod:`revlog.routing.rules`) become break
  intervals on it: optional driving breaks and overnight rests with
  ``SetBreakDistanceDurationOfVehicle`` (4 h / 20 min and duty / rest), a span limit
  per run, and the night ban: one-day runs stay within one ban-free stretch of the
  day; multi-day runs take a fixed standstill (or their overnight rest) over it.
* **Drops**: with a drop penalty, each stop is a disjunction of itself with that penalty.

Scaling: :data:`revlog.routing.units.ORTOOLS_SCALES` (seconds, metres, grams, 1e-5 CNY),
rounded so that every integer-feasible solution is feasible in the float data; the driver
rules are scaled once (:func:`int_break_rules`) for the model and the constructive search.

Constructive start (:mod:`revlog.routing.construct`): with driver rules,
:func:`solve_ortools` first builds runs with their full schedules (savings and a
vehicle-by-vehicle fill, improved by relocate descents) and schedules the given
``initial_routes`` (PyVRP's) the same way; the cheaper start wins. With multi-day rules
those runs are the answer (OR-Tools' finalizer cannot place the overnight-rest intervals:
``docs/design.md``); otherwise they are loaded as a complete assignment and OR-Tools
improves them, its own first-solution strategies being the fallback (and the path for
rule-free problems and multi-day runs under a night ban). Vehicle types that can carry no
stop are dropped, and the trips per vehicle capped to what the stops' windows and the rest
between runs allow (:func:`~revlog.routing.rules.max_trips_in_horizon`).

Determinism: the constructive start is deterministic and stops at a local optimum (its
share of the time limit, :data:`CONSTRUCT_SHARE`, is only a cap). The routing search is
single-threaded and has no random seed: the result is reproducible when the search ends by
``solution_limit`` or at a local optimum (``metaheuristic="greedy_descent"``); when the
time limit ends the guided local search, how far it got depends on the machine's speed.
``seed`` is recorded for symmetry with the PyVRP engine.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from revlog.errors import Diagnosis, RoutingInfeasibleError
from revlog.routing.budget import Budget, ortools_solutions
from revlog.routing.construct import PlannedRun, assign_vehicles, construct, improve_runs
from revlog.routing.problem import Interval, RoutingProblem
from revlog.routing.rules import (
    UNUSABLE,
    BreakPlan,
    ban_free_gaps_h,
    break_plan,
    break_sequence,
    departure_windows_h,
    diagnose,
    intersect_intervals,
    merge_intervals,
    night_ban_intervals_h,
    trips_per_vehicle,
)
from revlog.routing.schedule import (
    BreakRules,
    IntInstance,
    SpecInt,
    best_schedule,
    place_breaks,
)
from revlog.routing.solution import Break, BreakKind, RoutingSolution, Run, Stop
from revlog.routing.units import ORTOOLS_SCALES, down, near, up, up_array

TIME_UNITS_PER_H = ORTOOLS_SCALES.time_per_h
LOAD_UNITS_PER_KG = ORTOOLS_SCALES.load_per_kg
COST_UNITS_PER_CNY = ORTOOLS_SCALES.cost_per_cny
# With driver rules, each second of a run costs one cost unit (0.036 CNY/h): a tie-breaker
# that keeps runs compact (no needless waiting or rests); not part of the reported cost.
SPAN_COST_UNITS_PER_S = 1
#: Share of the time limit the constructive start (savings + relocate descent) may use.
CONSTRUCT_SHARE = 0.5

_STATUS = {
    0: "not_solved",
    1: "feasible",
    2: "feasible_local_optimum_not_reached",
    3: "fail",
    4: "fail_timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}


def _enum(enum_type, name: str | None, default: str) -> int:
    key = (name or default).upper()
    wrapper = enum_type.Value  # the nested enum of the protobuf message
    try:
        return wrapper.Value(key)
    except ValueError as exc:
        choices = ", ".join(n.lower() for n in wrapper)
        raise ValueError(f"unknown OR-Tools strategy {name!r}; choose one of {choices}") from exc


@dataclass(frozen=True)
class _Slot:
    """An OR-Tools vehicle: a physical vehicle of a type, on one of its trips."""

    type_index: int
    vehicle: int
    trip: int


@dataclass(frozen=True)
class _BreakVar:
    interval: object
    kind: BreakKind


def int_break_rules(
    problem: RoutingProblem, plan: BreakPlan, trips: int, horizon_h: float
) -> BreakRules | None:
    """The driver rules of ``problem`` in model units: the one place they are scaled.

    Used by the OR-Tools model (break intervals, break-distance rules) and by the
    constructive scheduler (:mod:`revlog.routing.construct`) alike.

    Parameters
    ----------
    problem
        The routing problem (``None`` rules give ``None``).
    plan
        Its :func:`~revlog.routing.rules.break_plan`.
    trips
        Runs per vehicle (a rest separates successive runs when > 1).
    horizon_h
        The period's length, h.
    """
    rules = problem.rules
    if rules is None:
        return None
    S = TIME_UNITS_PER_H
    horizon = down(horizon_h, S)
    specs = tuple(
        SpecInt(
            spec.kind,
            up(spec.duration_h, S),
            down(spec.earliest_h, S),
            max(down(spec.earliest_h, S), down(spec.latest_h, S)),
        )
        for spec in break_sequence(rules, horizon_h)
    )
    gaps, bans = None, ()
    if night_ban_intervals_h(rules, horizon_h):
        if plan.n_overnight == 0:
            # one-day runs under a night ban stay inside one ban-free stretch
            gaps = tuple((up(lo, S), down(hi, S)) for lo, hi in ban_free_gaps_h(rules, horizon_h))
        else:
            # multi-day runs stand at a place through every ban (resting, if they may)
            bans = tuple(
                (down(lo, S), up(hi, S)) for lo, hi in night_ban_intervals_h(rules, horizon_h)
            )
    return BreakRules(
        drive_max=None if plan.driving is None else down(plan.driving.max_elapsed_h, S),
        drive_break=up(plan.driving_break_h, S),
        duty_max=down(plan.duty_h, S) if plan.duty_h is not None and plan.n_overnight else None,
        rest=up(plan.overnight_rest_h, S),
        specs=specs,
        max_span=min(horizon, down(plan.max_run_h, S)),
        trip_rest=up(rules.overnight_rest_h, S) if trips > 1 else 0,
        gaps=gaps,
        bans=bans,
        max_rests=plan.n_overnight,
    )


def _int_rest_points(p: RoutingProblem):
    """The problem's places on the road in model units (cached per leg), or ``None``."""
    if p.rest_points is None:
        return None
    found = p.rest_points
    cache: dict[tuple[int, int], list[tuple[int, str]]] = {}

    def points(i: int, j: int) -> list[tuple[int, str]]:
        if (i, j) not in cache:
            cache[(i, j)] = [(down(h, TIME_UNITS_PER_H), name) for h, name in found(i, j)]
        return cache[(i, j)]

    return points


class _OrToolsModel:
    """Builds the routing model; keeps what extraction needs."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.p = problem
        n = problem.n_nodes
        self.km = np.asarray(problem.km, dtype=float)
        self.hours = np.asarray(problem.hours, dtype=float)
        self.intact = np.asarray(problem.pickup_intact_kg, dtype=float)
        self.damaged = np.asarray(problem.pickup_damaged_kg, dtype=float)
        self.service = np.asarray(problem.service_h, dtype=float)
        self.exposure = (
            np.zeros((n, n)) if problem.exposure is None else np.asarray(problem.exposure, float)
        )
        self.forbidden = ~(np.isfinite(self.km) & np.isfinite(self.hours))
        np.fill_diagonal(self.forbidden, False)
        self.plan = break_plan(problem.rules, self._horizon_h())
        self.trips = trips_per_vehicle(problem)
        self.usable = [self._carries_a_stop(vt) for vt in problem.vehicle_types]
        self.slots = [
            _Slot(t, v, k)
            for t, vt in enumerate(problem.vehicle_types)
            if self.usable[t]
            for v in range(vt.count)
            for k in range(self.trips)
        ]
        if not self.slots:
            raise RoutingInfeasibleError(
                [Diagnosis("no_vehicle_type", "fleet: no vehicle type can carry any stop")]
            )
        S = TIME_UNITS_PER_H
        self.serv_units = up_array(self.service, S)
        travel = np.zeros((n, n), dtype=np.int64)
        ok = ~self.forbidden
        travel[ok] = up_array(self.hours[ok], S)
        np.fill_diagonal(travel, 0)
        self.travel_units = travel
        self.int_rules = int_break_rules(problem, self.plan, self.trips, self._horizon_h())
        self.cost_units: dict[int, np.ndarray] = {}
        self.manager = pywrapcp.RoutingIndexManager(n, len(self.slots), 0)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.breaks: dict[int, list[_BreakVar]] = {}
        self.time = None
        self._add_costs()
        self._add_capacities()
        self._add_time()
        self._add_forbidden_arcs()
        self._add_drops()

    # -- helpers -------------------------------------------------------------------------
    def _carries_a_stop(self, vt) -> bool:
        """Whether a vehicle type can carry at least one stop's pickup alone.

        Types that carry none (e.g. vans without certified boxes when every stop has
        damaged packs) get no OR-Tools vehicles: they only enlarge the model.
        """
        if self.p.n_nodes <= 1:
            return True
        tot, dmg = (self.intact + self.damaged)[1:], self.damaged[1:]
        fits = (tot <= vt.payload_kg + 1e-9) & (
            (dmg <= 1e-12) | (dmg <= vt.damaged_capacity_kg + 1e-9)
        )
        return bool(fits.any())

    def _horizon_h(self) -> float:
        h = float(self.p.horizon_h)
        if math.isfinite(h):
            return h
        finite = np.where(np.isfinite(self.hours), self.hours, 0.0)
        return float(finite.max(axis=1).sum() + self.service.sum() + 1.0)

    def _matrix(self, values: np.ndarray) -> list[list[int]]:
        vals = np.where(self.forbidden, 0, values)
        return vals.astype(np.int64).tolist()

    # -- objective -----------------------------------------------------------------------
    def _add_costs(self) -> None:
        p, routing = self.p, self.routing
        cache: dict[tuple[float, float], tuple[int, np.ndarray]] = {}
        for v, slot in enumerate(self.slots):
            vt = p.vehicle_types[slot.type_index]
            rate = (float(vt.cost_cny_per_km), float(vt.cost_cny_per_h))
            if rate not in cache:
                cny = p.arc_cost_cny(vt)
                cny = np.where(self.forbidden | ~np.isfinite(cny), 0.0, cny)
                cost = np.where(self.forbidden, 0, np.rint(cny * COST_UNITS_PER_CNY))
                cost = cost.astype(np.int64)
                cache[rate] = (routing.RegisterTransitMatrix(cost.tolist()), cost)
            self.cost_units[slot.type_index] = cache[rate][1]
            routing.SetArcCostEvaluatorOfVehicle(cache[rate][0], v)
            # a vehicle's ownership is paid on its first trip (trip k+1 needs trip k)
            own = float(vt.ownership_cost_cny) if slot.trip == 0 else 0.0
            fixed = float(vt.fixed_cost_cny) + own
            routing.SetFixedCostOfVehicle(near(fixed, COST_UNITS_PER_CNY), v)

    # -- capacities ----------------------------------------------------------------------
    def _add_capacities(self) -> None:
        p, routing = self.p, self.routing
        total = [up(x, LOAD_UNITS_PER_KG) for x in self.intact + self.damaged]
        total[0] = 0
        cb = routing.RegisterUnaryTransitVector(total)
        caps = [
            down(p.vehicle_types[s.type_index].payload_kg, LOAD_UNITS_PER_KG) for s in self.slots
        ]
        routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "total")
        if (self.damaged[1:] > 0).any():
            dmg = [up(x, LOAD_UNITS_PER_KG) for x in self.damaged]
            dmg[0] = 0
            cb = routing.RegisterUnaryTransitVector(dmg)
            caps = [
                down(p.vehicle_types[s.type_index].damaged_capacity_kg, LOAD_UNITS_PER_KG)
                for s in self.slots
            ]
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, "damaged")

    # -- time ----------------------------------------------------------------------------
    def _time_is_free(self) -> bool:
        """True when no time constraint can bind (plain CVRP): skip the dimension."""
        p = self.p
        if p.rules is not None:
            return False
        horizon = float(p.horizon_h)
        for wins in p.time_windows_h:
            if not any(lo <= 0.0 and hi >= horizon for lo, hi in wins):
                return False
        if not math.isfinite(horizon):
            return True
        finite = np.where(np.isfinite(self.hours), self.hours, 0.0)
        return float(finite.max(axis=1).sum() + self.service.sum()) <= horizon

    @staticmethod
    def _domain(intervals: list[Interval], horizon: int) -> list[tuple[int, int]]:
        """The union of ``intervals`` in time units, clipped to ``[0, horizon]``."""
        ints = []
        for lo, hi in merge_intervals(intervals):
            a = max(0, up(max(lo, 0.0), TIME_UNITS_PER_H))
            b = min(horizon, down(hi, TIME_UNITS_PER_H) if math.isfinite(hi) else horizon)
            if a <= b:
                ints.append((a, b))
        return ints

    def _set_domain(self, var, intervals: list[Interval], horizon: int) -> bool:
        """Restrict ``var`` to the union of ``intervals``; False if that union is empty."""
        ints = self._domain(intervals, horizon)
        if not ints:
            return False
        var.SetRange(ints[0][0], ints[-1][1])
        for (_, b), (a, _) in itertools.pairwise(ints):
            if a - b > 1:
                var.RemoveInterval(b + 1, a - 1)
        return True

    def _add_time(self) -> None:
        if self._time_is_free():
            return
        p, routing, manager = self.p, self.routing, self.manager
        S = TIME_UNITS_PER_H
        horizon = down(self._horizon_h(), S)
        n = p.n_nodes
        serv = self.serv_units
        transit = self.travel_units + serv[:, None]
        cb = routing.RegisterTransitMatrix(self._matrix(transit))
        routing.AddDimension(cb, horizon, horizon, False, "time")
        dim = routing.GetDimensionOrDie("time")
        self.time = dim
        for node in range(1, n):
            idx = manager.NodeToIndex(node)
            if not self._set_domain(dim.CumulVar(idx), p.time_windows_h[node], horizon):
                routing.ActiveVar(idx).SetMax(0)  # never open: can only be dropped
        departs = departure_windows_h(p)
        returns = intersect_intervals(p.time_windows_h[0], [(0.0, self._horizon_h())])
        max_run = down(self.plan.max_run_h, S)
        for v in range(len(self.slots)):
            ok_start = self._set_domain(dim.CumulVar(routing.Start(v)), departs, horizon)
            ok_end = self._set_domain(dim.CumulVar(routing.End(v)), returns, horizon)
            if not (ok_start and ok_end):
                raise RoutingInfeasibleError(
                    [
                        Diagnosis(
                            "no_departure",
                            f"base {p.node_ids[0]}: no departure or return time within the period",
                            site=p.node_ids[0],
                        )
                    ]
                )
            if max_run < horizon:
                dim.SetSpanUpperBoundForVehicle(max_run, v)
        if p.rules is not None:
            dim.SetSpanCostCoefficientForAllVehicles(SPAN_COST_UNITS_PER_S * 3600 // S)
            self._add_breaks(dim, serv)
            self._keep_in_ban_free_gap(dim)
            self._chain_trips(dim)

    def _add_breaks(self, dim, serv: np.ndarray) -> None:
        r, routing = self.int_rules, self.routing
        if r is None or not r.specs:
            return
        solver = routing.solver()
        visit = [int(serv[self.manager.IndexToNode(i)]) for i in range(routing.Size())]
        for v in range(len(self.slots)):
            # Mandatory and in chronological order (OR-Tools assumes the break vector is
            # sorted in time); unneeded breaks lie before the departure or after the
            # return. Optional breaks made the first-solution finalizer time out.
            bvars: list[_BreakVar] = []
            for k, spec in enumerate(r.specs):
                iv = solver.FixedDurationIntervalVar(
                    spec.lo, spec.hi, spec.duration, False, f"v{v}_{spec.kind}_{k}"
                )
                if bvars:
                    solver.Add(iv.StartsAfterEnd(bvars[-1].interval))
                bvars.append(_BreakVar(iv, spec.kind))  # type: ignore[arg-type]
            dim.SetBreakIntervalsOfVehicle([b.interval for b in bvars], v, visit)
            if r.drive_max:
                dim.SetBreakDistanceDurationOfVehicle(r.drive_max, r.drive_break, v)
            if r.duty_max is not None:
                dim.SetBreakDistanceDurationOfVehicle(r.duty_max, r.rest, v)
            self.breaks[v] = bvars

    def _keep_in_ban_free_gap(self, dim) -> None:
        """One-day runs under a night ban: departure and return in the same ban-free gap."""
        p = self.p
        if p.rules.night_ban_h is None or self.plan.n_overnight > 0:
            return
        S = TIME_UNITS_PER_H
        bans = [
            (down(lo, S), up(hi, S)) for lo, hi in night_ban_intervals_h(p.rules, self._horizon_h())
        ]
        routing = self.routing
        solver = routing.solver()
        for v in range(len(self.slots)):
            start = dim.CumulVar(routing.Start(v))
            end = dim.CumulVar(routing.End(v))
            for lo, hi in bans:  # the run ends before the ban or starts after it
                solver.Add((end <= lo) + (start >= hi) >= 1)

    def _chain_trips(self, dim) -> None:
        if self.trips <= 1:
            return
        routing = self.routing
        solver = routing.solver()
        rest = up(self.p.rules.overnight_rest_h, TIME_UNITS_PER_H)
        big = down(self._horizon_h(), TIME_UNITS_PER_H) + rest + 1
        for v in range(1, len(self.slots)):
            prev, cur = self.slots[v - 1], self.slots[v]
            if (prev.type_index, prev.vehicle) != (cur.type_index, cur.vehicle):
                continue
            act_prev = routing.ActiveVehicleVar(v - 1)
            act = routing.ActiveVehicleVar(v)
            solver.Add(act <= act_prev)
            start = dim.CumulVar(routing.Start(v))
            end_prev = dim.CumulVar(routing.End(v - 1))
            solver.Add(start + (1 - act) * big >= end_prev + rest)

    # -- arcs and drops ------------------------------------------------------------------
    def _add_forbidden_arcs(self) -> None:
        if not self.forbidden.any():
            return
        routing, manager = self.routing, self.manager
        n_veh = len(self.slots)
        for i, j in zip(*np.nonzero(self.forbidden), strict=True):
            froms = [routing.Start(v) for v in range(n_veh)] if i == 0 else [manager.NodeToIndex(i)]
            tos = [routing.End(v) for v in range(n_veh)] if j == 0 else [manager.NodeToIndex(j)]
            for a in froms:
                for b in tos:
                    routing.NextVar(a).RemoveValue(b)

    def _add_drops(self) -> None:
        if self.p.drop_penalty_cny is None:
            return
        pen = near(self.p.drop_penalty_cny, COST_UNITS_PER_CNY)
        for node in range(1, self.p.n_nodes):
            self.routing.AddDisjunction([self.manager.NodeToIndex(node)], pen)

    # -- initial routes ------------------------------------------------------------------
    def vehicle_routes(self, routes: list[list[int]]) -> tuple[list[list[int]] | None, str]:
        """Map node-index routes onto OR-Tools vehicles (first slot whose type fits)."""
        p = self.p
        n = p.n_nodes
        seen: set[int] = set()
        out: list[list[int]] = [[] for _ in self.slots]
        free = list(range(len(self.slots)))
        for r in routes:
            nodes = [int(x) for x in r]
            if not nodes:
                continue
            if any(x <= 0 or x >= n or x in seen for x in nodes):
                return None, "initial routes ignored: a node is out of range or repeated"
            seen.update(nodes)
            tot = float(self.intact[nodes].sum() + self.damaged[nodes].sum())
            dmg = float(self.damaged[nodes].sum())
            for pos, v in enumerate(free):
                vt = p.vehicle_types[self.slots[v].type_index]
                if tot <= vt.payload_kg + 1e-9 and dmg <= vt.damaged_capacity_kg + 1e-9:
                    out[v] = [self.manager.NodeToIndex(x) for x in nodes]
                    free.pop(pos)
                    break
            else:
                return None, "initial routes ignored: no free vehicle can carry a route"
        if p.drop_penalty_cny is None and len(seen) != n - 1:
            return None, "initial routes ignored: they do not visit every stop"
        return out, ""

    # -- constructive start ----------------------------------------------------------------
    def int_instance(self) -> IntInstance | None:
        """The model's integer data for :mod:`revlog.routing.construct` (``None`` without a
        time dimension)."""
        p = self.p
        if self.time is None:
            return None
        horizon = down(self._horizon_h(), TIME_UNITS_PER_H)
        returns = intersect_intervals(p.time_windows_h[0], [(0.0, self._horizon_h())])
        windows = [self._domain(returns, horizon)]
        windows += [self._domain(p.time_windows_h[i], horizon) for i in range(1, p.n_nodes)]
        load = [[up(x, LOAD_UNITS_PER_KG) for x in self.intact + self.damaged]]
        caps = [[down(vt.payload_kg, LOAD_UNITS_PER_KG) for vt in p.vehicle_types]]
        if (self.damaged[1:] > 0).any():
            load.append([up(x, LOAD_UNITS_PER_KG) for x in self.damaged])
            caps.append([down(vt.damaged_capacity_kg, LOAD_UNITS_PER_KG) for vt in p.vehicle_types])
        load_arr = np.array(load, dtype=np.int64).T
        load_arr[0] = 0
        zero = np.zeros((p.n_nodes, p.n_nodes), dtype=np.int64)
        return IntInstance(
            travel=self.travel_units,
            forbidden=self.forbidden,
            service=[int(x) for x in self.serv_units],
            windows=windows,
            depart=self._domain(departure_windows_h(p), horizon),
            load=load_arr,
            caps=np.array(caps, dtype=np.int64).T,
            arc_cost=[self.cost_units.get(t, zero) for t in range(len(p.vehicle_types))],
            fixed=[near(vt.fixed_cost_cny, COST_UNITS_PER_CNY) for vt in p.vehicle_types],
            counts=[vt.count if self.usable[t] else 0 for t, vt in enumerate(p.vehicle_types)],
            trips=self.trips,
            rules=self.int_rules,
            labels=tuple(p.node_ids),
            rest_points=_int_rest_points(p),
            crew_per_unit=[
                float(vt.cost_cny_per_h) * COST_UNITS_PER_CNY / TIME_UNITS_PER_H
                for vt in p.vehicle_types
            ],
            rest_cost=[near(vt.cost_cny_per_rest, COST_UNITS_PER_CNY) for vt in p.vehicle_types],
            ownership=[near(vt.ownership_cost_cny, COST_UNITS_PER_CNY) for vt in p.vehicle_types],
        )

    def assignment_from_runs(self, inst: IntInstance, runs: list[PlannedRun]):
        """A complete OR-Tools assignment (routes, times, every break) or ``None``."""
        routing, manager, dim = self.routing, self.manager, self.time
        horizon = down(self._horizon_h(), TIME_UNITS_PER_H)
        slot_of = {(s.type_index, s.vehicle, s.trip): v for v, s in enumerate(self.slots)}
        by_slot = {}
        for run in runs:
            v = slot_of.get((run.type_index, run.vehicle, run.trip))
            if v is None or v in by_slot:
                return None
            by_slot[v] = run
        idle = [
            t
            for lo, hi in inst.depart
            for t in (lo, hi)
            if any(a <= t <= b for a, b in inst.windows[0])
        ]
        if not idle:
            return None
        a = routing.solver().Assignment()
        served = set()
        for v in range(len(self.slots)):
            run = by_slot.get(v)
            seq = [routing.Start(v)]
            if run is not None:
                seq += [manager.NodeToIndex(x) for x in run.nodes]
                served.update(run.nodes)
                sched = run.schedule
                times = [sched.depart, *sched.starts, sched.ret]
            else:
                sched = None
                times = [idle[0], idle[0]]
            seq.append(routing.End(v))
            for i, j in itertools.pairwise(seq):
                a.Add(routing.NextVar(i))
                a.SetValue(routing.NextVar(i), j)
            for idx, val in zip(seq, times, strict=True):
                a.Add(dim.CumulVar(idx))
                a.SetValue(dim.CumulVar(idx), int(val))
            if self.breaks.get(v):
                starts = place_breaks(inst, sched, horizon, idle[0])
                if starts is None or len(starts) != len(self.breaks[v]):
                    return None
                for bv, st in zip(self.breaks[v], starts, strict=True):
                    iv = bv.interval
                    dur = iv.DurationMin()
                    a.Add(iv)
                    a.SetStartValue(iv, st)
                    a.SetDurationValue(iv, dur)
                    a.SetEndValue(iv, st + dur)
                    a.SetPerformedValue(iv, 1)
        for node in range(1, self.p.n_nodes):
            if node not in served:
                idx = manager.NodeToIndex(node)
                a.Add(routing.NextVar(idx))
                a.SetValue(routing.NextVar(idx), idx)
        return a


def _status_name(routing, elapsed_s: float, time_limit_s: float) -> str:
    code = routing.status()
    name = _STATUS.get(int(code), f"status_{int(code)}")
    if name == "feasible" and elapsed_s >= 0.95 * time_limit_s:
        return "time_limit"
    return name


def _drive_arrival(depart_h: float, travel_h: float, breaks: list[Break]) -> float:
    """Arrival when driving ``travel_h`` from ``depart_h``, pausing for every break met."""
    t, remaining = depart_h, travel_h
    for b in breaks:
        if b.end_h <= t + 1e-12:
            continue
        if remaining <= 1e-12 or b.start_h >= t + remaining:
            break
        remaining -= max(0.0, b.start_h - t)
        t = max(t, b.end_h)
    return t + remaining


def _extract(model: _OrToolsModel, assignment, status: str, seconds: float) -> RoutingSolution:
    routing, manager = model.routing, model.manager
    S = TIME_UNITS_PER_H
    ivs = assignment.IntervalVarContainer()
    by_name = {ivs.Element(k).Var().Name(): ivs.Element(k) for k in range(ivs.Size())}
    found = []
    for v, slot in enumerate(model.slots):
        if not routing.IsVehicleUsed(assignment, v):
            continue
        idx = routing.Start(v)
        seq: list[tuple[int, float | None]] = []
        while True:
            node = manager.IndexToNode(idx)
            cum = None
            if model.time is not None:
                cum = assignment.Min(model.time.CumulVar(idx)) / S
            seq.append((node, cum))
            if routing.IsEnd(idx):
                break
            idx = assignment.Value(routing.NextVar(idx))
        brks = []
        for bv in model.breaks.get(v, []):
            iv = by_name.get(bv.interval.Name())
            if iv is not None and iv.PerformedValue() == 1:
                brks.append(Break(iv.StartValue() / S, iv.DurationValue() / S, bv.kind))
        found.append((slot, seq, brks))
    dropped = [
        node
        for node in range(1, model.p.n_nodes)
        if assignment.Value(routing.NextVar(manager.NodeToIndex(node))) == manager.NodeToIndex(node)
    ]
    return _solution(model, found, dropped, status, seconds)


def _from_plan(
    model: _OrToolsModel, runs: list[PlannedRun], status: str, seconds: float
) -> RoutingSolution:
    """The solution of constructed runs (their exact integer schedules, in hours)."""
    S = TIME_UNITS_PER_H
    found = []
    for run in sorted(runs, key=lambda r: (r.type_index, r.vehicle, r.trip)):
        sc = run.schedule
        seq = [
            (0, sc.depart / S),
            *((n, st / S) for n, st in zip(run.nodes, sc.starts, strict=True)),
        ]
        seq.append((0, sc.ret / S))
        brks = [Break(b0 / S, d / S, kind, place) for b0, d, kind, place in sc.breaks]  # type: ignore[arg-type]
        found.append((_Slot(run.type_index, run.vehicle, run.trip), seq, brks))
    served = {x for run in runs for x in run.nodes}
    dropped = [x for x in range(1, model.p.n_nodes) if x not in served]
    return _solution(model, found, dropped, status, seconds)


def _solution(model: _OrToolsModel, found, dropped: list[int], status: str, seconds: float):
    """Runs with stops, loads, breaks and costs from ``(slot, [(node, time_h)], breaks)``."""
    p = model.p
    runs: list[Run] = []
    for slot, seq, brks in found:
        vt = p.vehicle_types[slot.type_index]
        brks = sorted(brks, key=lambda b: b.start_h)
        stops: list[Stop] = []
        load_i = load_d = 0.0
        t = seq[0][1] if seq[0][1] is not None else 0.0
        stops.append(Stop(0, p.node_ids[0], t, t, t, 0.0, 0.0, int(t // 24)))
        km = expo = 0.0
        for (i, _), (j, cum) in itertools.pairwise(seq):
            km += float(model.km[i, j])
            expo += float(model.exposure[i, j])
            arrival = _drive_arrival(t, float(model.hours[i, j]), brks)
            if j == 0:
                # the run ends at the end cumul (it may wait at the gate until the base opens)
                arrival = arrival if cum is None else max(arrival, cum)
                stops.append(
                    Stop(0, p.node_ids[0], arrival, arrival, arrival, load_i, load_d,
                         int(arrival // 24))
                )  # fmt: skip
                break
            start = cum if cum is not None else arrival
            start = max(start, arrival) if cum is None else start
            load_i += float(model.intact[j])
            load_d += float(model.damaged[j])
            t = start + float(model.service[j])
            stops.append(
                Stop(j, p.node_ids[j], arrival, start, t, load_i, load_d, int(start // 24))
            )
        end = stops[-1].arrival_h
        in_run = [b for b in brks if b.start_h >= stops[0].departure_h - 1e-9 and b.end_h <= end]
        run = Run(
            vehicle_type=vt.id,
            vehicle=slot.vehicle,
            trip=slot.trip,
            stops=stops,
            breaks=in_run,
            km=km,
            hours=end - stops[0].departure_h,
            exposure=expo,
        )
        runs.append(dataclasses.replace(run, cost_cny=vt.run_cost_cny(km, run.duty_h, run.rests)))
    return RoutingSolution.from_parts(
        p, runs, dropped, status=status, seconds=seconds, engine="ortools"
    )


def solve_ortools(
    problem: RoutingProblem,
    time_limit_s: float,
    seed: int = 0,
    initial_routes: list[list[int]] | None = None,
    first_solution: str | None = None,
    metaheuristic: str | None = None,
    solution_limit: int | None = None,
    work_s: float | None = None,
    polish: bool = False,
) -> RoutingSolution:
    """Plan the runs of one base with OR-Tools.

    Parameters
    ----------
    problem
        The base, its stops and fleet (rich scenario problem or a benchmark instance
        with ``rules=None``).
    time_limit_s
        Wall-time limit of the search, s: the safety net.
    seed
        Recorded only: the OR-Tools routing search has no random seed (see module doc).
    work_s
        Seconds the work budgets are derived from (default ``time_limit_s``):
        :data:`CONSTRUCT_SHARE` of them for the constructive start's improvement moves, the
        rest for the OR-Tools search's solution limit (:mod:`revlog.routing.budget`).
    polish
        Whether OR-Tools' local search also runs from constructed runs (one-day rules).
        Off by default: on the shipped scenarios' one-day bases it never improved them.
    initial_routes
        Node-index routes (without the base) to start from, e.g. PyVRP's. Mapped onto
        the first free vehicle whose type can carry each route, then loaded with
        ``ReadAssignmentFromRoutes``; if that fails the routes are ignored and a note
        says so.
    first_solution
        OR-Tools first-solution strategy name (e.g. ``"path_cheapest_arc"``,
        ``"parallel_cheapest_insertion"``); default ``"automatic"`` without driver
        rules, ``"parallel_cheapest_insertion"`` with them.
    metaheuristic
        Local-search metaheuristic name (``"guided_local_search"`` by default,
        ``"greedy_descent"``, ``"simulated_annealing"``, ``"tabu_search"``…).
    solution_limit
        Stop after this many solutions (default: what :func:`~revlog.routing.budget.
        ortools_solutions` allows for the time left after the constructive start); the
        result is then independent of the machine's speed unless the time limit, the
        safety net, binds first.

    Returns
    -------
    RoutingSolution
        Runs with schedules, loads and breaks; dropped stops; objective and parts.

    Raises
    ------
    RoutingInfeasibleError
        If a stop cannot be served (diagnosed before solving, only when no drop
        penalty is set) or the search finds no solution.
    """
    t0 = time.perf_counter()
    diag = diagnose(problem)
    notes: list[str] = []
    unusable = [d for d in diag if d.code in UNUSABLE]
    if unusable or (diag and problem.drop_penalty_cny is None):
        raise RoutingInfeasibleError(diag)
    notes.extend(f"expected drop: {d}" for d in diag)
    model = _OrToolsModel(problem)
    if problem.drop_penalty_cny is None:
        alone = _unschedulable(model)
        if alone:
            raise RoutingInfeasibleError(alone)
    routing = model.routing
    params = pywrapcp.DefaultRoutingSearchParameters()
    # Small problems fall back to CP-SAT, whose own SIGINT handler would swallow Ctrl-C.
    params.sat_parameters.catch_sigint_signal = False
    # Path-cheapest-arc (what "automatic" picks) often finds no first solution once
    # break intervals are on; insertion heuristics do.
    default_first = "automatic" if problem.rules is None else "parallel_cheapest_insertion"
    params.first_solution_strategy = _enum(
        routing_enums_pb2.FirstSolutionStrategy, first_solution, default_first
    )
    params.local_search_metaheuristic = _enum(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic, "guided_local_search"
    )
    params.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    routing.CloseModelWithParameters(params)
    start_assignment = None
    work = time_limit_s if work_s is None else work_s
    construct_budget = Budget.schedule_checks(
        CONSTRUCT_SHARE * work, safety_s=CONSTRUCT_SHARE * time_limit_s
    )
    plan_runs, plan_sol, start, rejected = _constructive_start(
        model, initial_routes, notes, t0, construct_budget, seed
    )
    if plan_runs is not None:
        if model.plan.n_overnight == 0:  # multi-day runs never go to OR-Tools' search
            start_assignment = model.assignment_from_runs(model.int_instance(), plan_runs)
            if start_assignment is None:
                notes.append("constructed runs could not be loaded into OR-Tools")
    elif initial_routes is not None and not rejected:
        vroutes, why = model.vehicle_routes(initial_routes)
        if vroutes is not None:
            start_assignment = routing.ReadAssignmentFromRoutes(vroutes, True)
            if start_assignment is None:
                why = "initial routes ignored: infeasible under the OR-Tools model"
        if start_assignment is None:
            notes.append(why)
        else:
            notes.append("started from the given initial routes")
            start = "given"

    def constructed(why: str) -> RoutingSolution:
        assert plan_sol is not None
        return dataclasses.replace(
            plan_sol,
            seconds=time.perf_counter() - t0,
            notes=[*notes, why],
            start=start,
            clock_hit=construct_budget.clock_hit,
        )

    left_s = time_limit_s - (time.perf_counter() - t0)
    if plan_sol is not None and model.plan.n_overnight > 0:
        # OR-Tools' finalizer cannot place the overnight-rest break intervals (it fails
        # even on this complete start): its search would only burn the budget.
        return constructed("multi-day rules: constructed runs, no OR-Tools search")
    if plan_sol is not None and not polish:
        # measured on the shipped scenarios' one-day bases: the guided local search never
        # improved the constructed runs, in up to 60 s a base (docs/design.md)
        return constructed("constructed runs; OR-Tools polish off")
    if plan_sol is not None and (start_assignment is None or left_s <= 0):
        return constructed("OR-Tools search skipped: no time left or start not loadable")
    params.time_limit.FromMilliseconds(max(1, round(max(left_s, 0.0) * 1000)))
    params.solution_limit = int(solution_limit or ortools_solutions((1 - CONSTRUCT_SHARE) * work))
    if start_assignment is not None:
        assignment = routing.SolveFromAssignmentWithParameters(start_assignment, params)
    else:
        assignment = routing.SolveWithParameters(params)
    seconds = time.perf_counter() - t0
    if assignment is None and plan_sol is not None:
        return constructed("OR-Tools returned no solution from the start: constructed runs")
    if assignment is None:
        status = _STATUS.get(int(routing.status()), routing.status())
        raise RoutingInfeasibleError(
            [
                Diagnosis(
                    "search_failed",
                    f"{problem.name}: OR-Tools found no feasible solution in {seconds:.1f} s "
                    f"(status {status})",
                ),
                *diag,
            ]
        )
    status = _status_name(routing, seconds, time_limit_s)
    sol = _extract(model, assignment, status, seconds)
    if plan_sol is not None and plan_sol.objective_cny < sol.objective_cny - 1e-6:
        return constructed("OR-Tools search ended worse than its start: constructed runs")
    clock_hit = construct_budget.clock_hit or status == "time_limit"
    return dataclasses.replace(sol, notes=notes, start=start, clock_hit=clock_hit)


def _hours(windows: list[Interval]) -> str:
    """Opening windows as clock times, e.g. ``03:00-04:00 on days 0-4``."""
    if not windows:
        return "never"
    if any(hi - lo >= 24 for lo, hi in windows):
        return "around the clock"
    spans = sorted({(lo % 24, hi - lo) for lo, hi in windows})
    days = sorted({int(lo // 24) for lo, _ in windows})
    lo, length = spans[0]
    hi = lo + length

    def clock(h: float) -> str:
        return f"{int(h % 24):02d}:{round(h % 1 * 60):02d}" if h < 24 else "24:00"

    when = f"day {days[0]}" if len(days) == 1 else f"days {days[0]}-{days[-1]}"
    more = "" if len(spans) == 1 else f" (and {len(spans) - 1} other window(s))"
    return f"{clock(lo)}-{clock(hi)} on {when}{more}"


def _unschedulable(model: _OrToolsModel) -> list[Diagnosis]:
    """Stops that no run of their own can serve under the driver rules, found exactly.

    The constructive scheduler's exact simulation (:func:`~revlog.routing.construct.
    best_schedule`) tries every departure that reaches the stop at an opening of its
    windows: when none works, the stop's opening hours, the shift start, the base's hours,
    the duty limit and the days of a run rule it out together, whatever the search.
    """
    p, inst = model.p, model.int_instance()
    if inst is None or p.rules is None:
        return []
    r = p.rules
    out = []
    for i in range(1, p.n_nodes):
        if best_schedule(inst, [i]) is not None:
            continue
        nid = p.node_ids[i]
        duty = "no duty limit" if r.duty_h_per_day is None else f"a {r.duty_h_per_day:g} h duty"
        out.append(
            Diagnosis(
                "no_schedule",
                f"node {i} ({nid}): no run can serve it, not even a run of its own: driving "
                f"{p.hours[0, i]:.2f} h out and {p.hours[i, 0]:.2f} h back, its "
                f"{p.service_h[i]:.2f} h service can start {_hours(p.time_windows_h[i])}, "
                f"runs leave from {r.shift_start_h:g}:00 "
                f"(shift start) within the base's hours {_hours(p.time_windows_h[0])} and last "
                f"at most {r.max_days} day(s) with {duty} a day",
                site=nid,
            )
        )
    return out


def sweep_order(p: RoutingProblem, stops: list[int]) -> list[int] | None:
    """``stops`` by angle around the base (ties by index), ``None`` without coordinates."""
    if p.lonlat is None:
        return None
    xy = np.asarray(p.lonlat, dtype=float)
    lon0, lat0 = xy[0]
    dx = (xy[:, 0] - lon0) * math.cos(math.radians(lat0))
    angle = np.arctan2(xy[:, 1] - lat0, dx)
    return sorted(stops, key=lambda i: (float(angle[i]), i))


def _constructive_start(
    model: _OrToolsModel,
    initial_routes: list[list[int]] | None,
    notes: list[str],
    t0: float,
    budget: Budget,
    seed: int = 0,
) -> tuple[list[PlannedRun] | None, RoutingSolution | None, str, bool]:
    """The cheaper of the scheduled ``initial_routes`` and the constructed runs.

    Returns the runs, their solution, what they came from (``"given"`` or
    ``"constructed"``) and whether the given routes were rejected; ``(None, None, "",
    False)`` when the construction does not apply (no driver rules, or a case
    :meth:`_OrToolsModel.int_instance` excludes) or finds nothing (OR-Tools' own
    first-solution strategies are used then).
    """
    p = model.p
    nothing: tuple[None, None, str, bool] = (None, None, "", False)
    if p.rules is None:
        return nothing
    inst = model.int_instance()
    if inst is None:
        return nothing
    n = p.n_nodes
    stops = [i for i in range(1, n) if best_schedule(inst, [i]) is not None]
    if len(stops) < n - 1 and p.drop_penalty_cny is None:
        return nothing
    candidates: list[tuple[str, str, list[PlannedRun]]] = []
    rejected = False
    own = construct(inst, stops, budget, seed, order=sweep_order(p, stops))
    if initial_routes is not None:
        routes = [[int(x) for x in r] for r in initial_routes if len(r)]
        flat = [x for r in routes for x in r]
        ok = all(0 < x < n for x in flat) and len(set(flat)) == len(flat)
        ok = ok and (p.drop_penalty_cny is not None or len(flat) == n - 1)
        given = assign_vehicles(inst, routes) if ok else None
        if given is None:
            rejected = True
            notes.append("initial routes ignored: no schedule or vehicle for them under the rules")
        else:
            given = improve_runs(inst, given, budget)
            candidates.append(("given", "the given initial routes", given))
    if own is not None:
        label = "constructed runs (savings or vehicle-by-vehicle fill, exact schedules)"
        candidates.append(("constructed", label, own))
    if not candidates:
        return None, None, "", rejected
    best = None
    for kind, label, runs in candidates:
        sol = _from_plan(model, runs, "feasible", time.perf_counter() - t0)
        if best is None or sol.objective_cny < best[3].objective_cny - 1e-6:
            best = (kind, label, runs, sol)
    kind, label, runs, sol = best
    notes.append(f"started from {label}")
    return runs, sol, kind, rejected
