"""Dangerous-goods driver rules turned into plain modelling ingredients (floats, hours).

Nothing here knows a solver: :mod:`revlog.routing.units` turns these numbers into the
engines' integers. How the model reads :class:`~revlog.routing.problem.DrivingRules` (the
independent checker, :mod:`revlog.check.routes`, restates each rule on purpose):

* **driving breaks** (:class:`BreakRule`, the one reading shared by the constructive
  scheduler, OR-Tools, the PyVRP relaxation, the line-haul sizing and the diagnosis):
  between two breaks of at least ``break_h`` (and from the run's start / to its end) at
  most ``max_driving_h`` may elapse. Elapsed time counts service and waiting too, so this
  is a conservative form of "≥ 20 min within every 4 h of driving"
  (:data:`revlog.regulations.MAX_CONTINUOUS_DRIVING_H`, ``MIN_DRIVING_BREAK_MIN``);
* **daily duty**: a one-day run (``max_days == 1``) lasts at most ``duty_h_per_day``
  from departure to return. A multi-day run is split into duty periods by overnight
  rests of at least ``overnight_rest_h``; each duty period lasts at most
  ``duty_h_per_day`` and the run at most ``max_days`` × 24 h;
* **shift start**: a run departs at or after ``shift_start_h`` o'clock of its day;
* **night ban**: during ``night_ban_h`` (hours of day; ``(22, 6)`` wraps past midnight)
  the vehicle does not drive; it may wait at a stop or park en route, but no service
  is done during the ban either (the ban is a mandatory stop of the vehicle);
* **multi-trip**: successive runs of one vehicle are separate duty periods, the next
  one departing at least ``overnight_rest_h`` after the previous one returned.

:func:`diagnose` returns :class:`~revlog.errors.Diagnosis` records whose ``setting`` names
the :class:`~revlog.routing.problem.DrivingRules` field that binds.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from revlog.errors import Diagnosis
from revlog.routing.capacity import fleet_time_limit
from revlog.routing.problem import DrivingRules, Interval, RoutingProblem
from revlog.units import HOURS_PER_DAY


@dataclass(frozen=True)
class BreakRule:
    """The driving-break rule as revlog's model reads it.

    At most :attr:`max_elapsed_h` may elapse between two standstills of at least
    :attr:`break_h` (and from the departure to the first, from the last to the return).
    Elapsed time counts driving, service and waiting alike: stricter than the law, which
    counts driving only (the checker verifies the law's reading on the schedules).

    Attributes
    ----------
    max_elapsed_h
        Longest stretch without a break, h.
    break_h
        Shortest break that ends a stretch, h.
    """

    max_elapsed_h: float
    break_h: float

    @classmethod
    def of(cls, rules: DrivingRules | None) -> BreakRule | None:
        """The rule of ``rules`` (``None`` when there are no rules or no break rule)."""
        if rules is None or rules.max_driving_h is None:
            return None
        return cls(float(rules.max_driving_h), float(rules.break_h))

    def breaks_needed(self, elapsed_h: float) -> int:
        """Fewest breaks in a stretch of ``elapsed_h`` of driving and service."""
        return max(0, math.ceil(elapsed_h / self.max_elapsed_h - 1e-9) - 1)

    def with_breaks_h(self, elapsed_h: float) -> float:
        """Length of a stretch of ``elapsed_h`` once its breaks are taken, h."""
        return elapsed_h + self.breaks_needed(elapsed_h) * self.break_h

    def per_duty(self, duty_h: float) -> int:
        """Break intervals one duty period of ``duty_h`` may need (at least one)."""
        return max(1, math.ceil(duty_h / self.max_elapsed_h - 1e-9))

    @property
    def travel_factor(self) -> float:
        """Factor by which breaks lengthen a long drive on average (for relaxations)."""
        return 1.0 + self.break_h / self.max_elapsed_h


def merge_intervals(intervals: list[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching closed intervals."""
    out: list[list[float]] = []
    for lo, hi in sorted((float(a), float(b)) for a, b in intervals if b >= a):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


def intersect_intervals(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Intersection of two unions of closed intervals, merged and sorted."""
    out: list[Interval] = []
    for lo1, hi1 in merge_intervals(a):
        for lo2, hi2 in merge_intervals(b):
            lo, hi = max(lo1, lo2), min(hi1, hi2)
            if lo <= hi:
                out.append((lo, hi))
    return merge_intervals(out)


def n_days(horizon_h: float) -> int:
    """Number of (started) calendar days in a period of ``horizon_h`` hours."""
    return max(1, math.ceil(horizon_h / HOURS_PER_DAY - 1e-9))


def shift_start_windows_h(rules: DrivingRules | None, horizon_h: float) -> list[Interval]:
    """Intervals in which a run may depart: from ``shift_start_h`` to midnight, each day."""
    if rules is None:
        return [(0.0, horizon_h)]
    out = []
    for d in range(n_days(horizon_h)):
        lo = d * HOURS_PER_DAY + rules.shift_start_h
        hi = min((d + 1) * HOURS_PER_DAY, horizon_h)
        if lo <= hi:
            out.append((lo, hi))
    return out


def night_ban_intervals_h(rules: DrivingRules | None, horizon_h: float) -> list[Interval]:
    """The banned-driving intervals of the period (hours since period start), merged."""
    if rules is None or rules.night_ban_h is None:
        return []
    a, b = (float(x) % HOURS_PER_DAY for x in rules.night_ban_h)
    if a == b:
        return []
    out = []
    for d in range(-1, n_days(horizon_h) + 1):
        base = d * HOURS_PER_DAY
        lo, hi = (base + a, base + b) if a < b else (base + a, base + HOURS_PER_DAY + b)
        lo, hi = max(lo, 0.0), min(hi, horizon_h)
        if lo < hi:
            out.append((lo, hi))
    return merge_intervals(out)


@dataclass(frozen=True)
class BreakPlan:
    """How many break intervals of which length a run may take, and its length limits.

    Attributes
    ----------
    driving
        The driving-break rule (``None``: none).
    n_driving_breaks
        Driving breaks a run may take (an upper bound; unused ones are skipped).
    duty_h
        Longest duty period, h (``None``: no duty limit).
    overnight_rest_h
        Length of an overnight rest, h.
    n_overnight
        Overnight rests a run may take (``max_days - 1``).
    max_run_h
        Longest run from departure to return, h.
    """

    driving: BreakRule | None
    n_driving_breaks: int
    duty_h: float | None
    overnight_rest_h: float
    n_overnight: int
    max_run_h: float

    @property
    def max_driving_h(self) -> float | None:
        """Most time between two driving breaks (``None``: no break rule)."""
        return None if self.driving is None else self.driving.max_elapsed_h

    @property
    def driving_break_h(self) -> float:
        """Length of a driving break, h (0 without a break rule)."""
        return 0.0 if self.driving is None else self.driving.break_h


def break_plan(rules: DrivingRules | None, horizon_h: float) -> BreakPlan:
    """The break and run-length ingredients of ``rules`` for a period of ``horizon_h``."""
    if rules is None:
        return BreakPlan(None, 0, None, 0.0, 0, horizon_h)
    days = max(1, int(rules.max_days))
    duty = rules.duty_h_per_day
    if days == 1:
        max_run = duty if duty is not None else HOURS_PER_DAY
        n_overnight = 0
    else:
        max_run = days * HOURS_PER_DAY
        n_overnight = days - 1 if duty is not None else 0
    max_run = min(max_run, horizon_h)
    rule = BreakRule.of(rules)
    per_duty = duty if duty is not None else HOURS_PER_DAY
    n_drive = 0 if rule is None else days * rule.per_duty(per_duty)
    return BreakPlan(
        driving=rule,
        n_driving_breaks=n_drive,
        duty_h=duty,
        overnight_rest_h=rules.overnight_rest_h,
        n_overnight=n_overnight,
        max_run_h=max_run,
    )


@dataclass(frozen=True)
class BreakSpec:
    """One break a vehicle must place somewhere in the period (before, during or after its run).

    Attributes
    ----------
    kind
        ``"driving"``, ``"overnight"`` or ``"night"``.
    duration_h
        Length, h.
    earliest_h, latest_h
        Bounds on its start, h since period start (equal for a fixed break).
    """

    kind: Literal["driving", "overnight", "night"]
    duration_h: float
    earliest_h: float
    latest_h: float


def break_sequence(rules: DrivingRules | None, horizon_h: float) -> list[BreakSpec]:
    """The breaks of one vehicle, in chronological order.

    OR-Tools' break constraints assume the break intervals of a vehicle are given in
    time order, so their order must be known before solving. All are mandatory: the
    ones a run does not need are placed before its departure or after its return.

    * No night ban: driving breaks; with ``max_days > 1`` groups of driving breaks
      separated by overnight rests (``[drive × k, rest, drive × k, …]``).
    * Night ban, one-day runs: no ban breaks; the model keeps each run inside one
      ban-free stretch (:func:`ban_free_gaps_h`), much cheaper to search.
    * Night ban, ``max_days > 1``: the ban of every night becomes a rest of
      ``max(overnight_rest_h, ban length)`` that covers the ban (kind ``"overnight"``):
      multi-day runs rest at night. Between two nights sit that day's driving breaks.
    """
    plan = break_plan(rules, horizon_h)
    if rules is None:
        return []
    per_duty = plan.duty_h if plan.duty_h is not None else HOURS_PER_DAY
    k_duty = 0 if plan.driving is None else plan.driving.per_duty(per_duty)
    bans = night_ban_intervals_h(rules, horizon_h)
    out: list[BreakSpec] = []

    def drives(lo: float, hi: float, count: int) -> None:
        # breaks with start in [lo, hi - dur], at most as many as fit
        dur = plan.driving_break_h
        count = min(count, int(max(0.0, hi - lo) // dur)) if dur > 0 else count
        for _ in range(count):
            out.append(BreakSpec("driving", dur, lo, max(lo, hi - dur)))

    if not bans or plan.n_overnight == 0:
        # one-day runs under a ban are kept inside one ban-free gap (see ban_free_gaps_h)
        groups = max(1, int(rules.max_days)) if plan.n_overnight else 1
        per_group = k_duty if plan.n_overnight else plan.n_driving_breaks
        rest = plan.overnight_rest_h
        for g in range(groups):
            drives(0.0, horizon_h, per_group)
            if g < groups - 1:
                out.append(BreakSpec("overnight", rest, 0.0, max(0.0, horizon_h - rest)))
        return out
    multi = plan.n_overnight > 0
    nights = []
    for lo, hi in bans:
        length = hi - lo
        if multi and plan.overnight_rest_h > length:
            dur = plan.overnight_rest_h
            nights.append(BreakSpec("overnight", dur, max(0.0, hi - dur), lo))
        else:
            nights.append(BreakSpec("overnight" if multi else "night", length, lo, lo))
    prev_end = 0.0
    for night in nights:
        gap_hi = night.latest_h
        drives(prev_end, gap_hi, min(k_duty, plan.n_driving_breaks))
        out.append(night)
        prev_end = night.earliest_h + night.duration_h
    drives(prev_end, horizon_h, min(k_duty, plan.n_driving_breaks))
    return out


def ban_free_gaps_h(rules: DrivingRules | None, horizon_h: float) -> list[Interval]:
    """The stretches of the period outside the night ban (the whole period without one)."""
    gaps, t = [], 0.0
    for lo, hi in night_ban_intervals_h(rules, horizon_h):
        if lo > t:
            gaps.append((t, lo))
        t = max(t, hi)
    if t < horizon_h:
        gaps.append((t, horizon_h))
    return gaps


def trips_per_vehicle(problem: RoutingProblem) -> int:
    """Runs one vehicle may do in the period (1 unless ``allow_multi_trip``)."""
    rules = problem.rules
    if rules is None or not rules.allow_multi_trip:
        return 1
    n_stops = max(1, problem.n_nodes - 1)
    if rules.max_trips_per_vehicle is not None:
        cap = min(rules.max_trips_per_vehicle, n_stops)
    else:
        cap = min(n_days(problem.horizon_h), n_stops)
    return max(1, min(cap, max_trips_in_horizon(problem)))


def max_trips_in_horizon(problem: RoutingProblem) -> int:
    """Upper bound on the runs one vehicle can do in the period (multi-trip).

    Successive runs of a vehicle serve stops at least ``gap`` apart: the shortest
    service + drive back, the rest between runs, and the shortest drive out. The bound
    is the most points this far apart in the union of the stops' opening windows
    (greedy earliest choice, which is optimal for points in a union of intervals).
    """
    rules = problem.rules
    n = problem.n_nodes
    if n <= 1:
        return 1
    hours = np.asarray(problem.hours, dtype=float)
    service = np.asarray(problem.service_h, dtype=float)
    back = np.where(np.isfinite(hours[1:, 0]), hours[1:, 0], np.inf)
    out = np.where(np.isfinite(hours[0, 1:]), hours[0, 1:], np.inf)
    rest = rules.overnight_rest_h if rules is not None else 0.0
    gap = float(np.min(service[1:] + back) + rest + np.min(out))
    wins = merge_intervals([w for i in range(1, n) for w in problem.time_windows_h[i]] + [])
    wins = intersect_intervals(wins, [(0.0, float(problem.horizon_h))])
    if not wins or not math.isfinite(gap) or gap <= 0:
        return n - 1
    count, t = 0, wins[0][0]
    for lo, hi in wins:
        t = max(t, lo)
        while t <= hi + 1e-9:
            count += 1
            t += gap
    return max(1, count)


def departure_windows_h(problem: RoutingProblem) -> list[Interval]:
    """When a run may leave the base: base opening hours ∩ shift starts ∩ period."""
    wins = intersect_intervals(problem.time_windows_h[0], [(0.0, problem.horizon_h)])
    return intersect_intervals(wins, shift_start_windows_h(problem.rules, problem.horizon_h))


def duty_periods_needed(elapsed_h: float, plan: BreakPlan) -> int:
    """Fewest duty periods a run of ``elapsed_h`` driving and service needs (1 without a
    limit): each lasts at most ``duty_h`` (a lower bound: breaks are left out, since rests
    reset the driving clock)."""
    if plan.duty_h is None or plan.duty_h <= 0:
        return 1
    return max(1, math.ceil(elapsed_h / plan.duty_h - 1e-9))


def min_run_h(elapsed_h: float, plan: BreakPlan) -> float:
    """Lower bound on a run's length whose driving + service lasts ``elapsed_h``.

    Adds the driving breaks and overnight rests the model requires for it.
    """
    total = elapsed_h
    if plan.duty_h is not None and plan.n_overnight > 0:
        rests = max(0, math.ceil(elapsed_h / plan.duty_h - 1e-9) - 1)
        total += rests * plan.overnight_rest_h
    if plan.driving is not None:
        total += plan.driving.breaks_needed(elapsed_h) * plan.driving.break_h
    return total


def validate_shapes(problem: RoutingProblem) -> list[Diagnosis]:
    """Shape and sign errors of a problem's arrays (code ``invalid_problem``; empty if none)."""
    n = problem.n_nodes
    errs = []
    for name in ("km", "hours", "exposure"):
        arr = getattr(problem, name)
        if arr is not None and np.shape(arr) != (n, n):
            errs.append(f"{name} has shape {np.shape(arr)}, expected ({n}, {n})")
    for name in ("pickup_intact_kg", "pickup_damaged_kg", "service_h"):
        arr = np.asarray(getattr(problem, name), dtype=float)
        if arr.shape != (n,):
            errs.append(f"{name} has shape {arr.shape}, expected ({n},)")
        elif (arr < 0).any():
            errs.append(f"{name} has negative entries")
    if len(problem.time_windows_h) != n:
        errs.append(f"time_windows_h has {len(problem.time_windows_h)} entries, expected {n}")
    out = [Diagnosis("invalid_problem", e) for e in errs]
    if not problem.vehicle_types:
        out.append(Diagnosis("no_fleet", "fleet: no vehicle types at the base"))
    return out


#: Codes of :func:`diagnose` that make a problem unusable whatever the drop penalty.
UNUSABLE = frozenset({"invalid_problem", "no_fleet", "no_departure"})


def run_limit_setting(rules: DrivingRules | None) -> str:
    """The :class:`DrivingRules` field that sets a run's length limit."""
    if rules is not None and rules.max_days == 1 and rules.duty_h_per_day is not None:
        return "duty_h_per_day"
    return "max_days"


def diagnose(problem: RoutingProblem) -> list[Diagnosis]:
    """Stops (or the fleet) that cannot be served under the model, found cheaply.

    Each diagnosis names the node (``site`` = its node id) and the limit. An empty list
    does not prove feasibility; it only means none of these quick tests failed: pickup
    larger than every vehicle (``pickup_exceeds_payload``), damaged packs without a
    certified vehicle (``damaged_without_box``, ``damaged_exceeds_box``), no permitted
    road (``no_road``), no opening hours (``no_opening_hours``), a service longer than a
    duty period (``service_exceeds_duty``), more duty periods than days in a run
    (``duty_periods``), a round trip longer than the run limit (``run_limit``), a window
    that closes before the stop can be reached (``window_unreachable``), a return after
    the base closes (``return_after_close``) and the fleet limits of :func:`fleet_limits`
    (``fleet_capacity``, ``fleet_runs``, and ``fleet_time``: fewer vehicle-days than the
    stops' hours need, :mod:`revlog.routing.capacity`). Every diagnosis is a proof of
    infeasibility: the solvers raise on it without searching.
    """
    errs = validate_shapes(problem)
    if errs:
        return errs
    departs = departure_windows_h(problem)
    if not departs:
        return [
            Diagnosis(
                "no_departure",
                "base: no departure possible (base opening hours ∩ shift starts is empty)",
                site=problem.node_ids[0],
                setting="shift_start_h",
            )
        ]
    ctx = _StopContext.of(problem, departs[0][0])
    out: list[Diagnosis] = []
    for i in range(1, problem.n_nodes):
        out.extend(
            Diagnosis(
                code, f"node {i} ({problem.node_ids[i]}): {text}", problem.node_ids[i], setting
            )
            for code, text, setting in _stop_diagnoses(ctx, i)
        )
    out.extend(fleet_limits(problem))
    return out


@dataclass(frozen=True)
class _StopContext:
    """What :func:`_stop_diagnoses` reads of a problem, looked up once."""

    km: np.ndarray
    hours: np.ndarray
    load: np.ndarray
    damaged: np.ndarray
    service: np.ndarray
    windows: list[list[Interval]]
    max_payload: float
    max_damaged: float
    plan: BreakPlan
    first_depart: float
    base_close: float
    run_limit_setting: str

    @classmethod
    def of(cls, problem: RoutingProblem, first_depart: float) -> _StopContext:
        intact = np.asarray(problem.pickup_intact_kg, dtype=float)
        damaged = np.asarray(problem.pickup_damaged_kg, dtype=float)
        return cls(
            km=np.asarray(problem.km, dtype=float),
            hours=np.asarray(problem.hours, dtype=float),
            load=intact + damaged,
            damaged=damaged,
            service=np.asarray(problem.service_h, dtype=float),
            windows=problem.time_windows_h,
            max_payload=max(t.payload_kg for t in problem.vehicle_types),
            max_damaged=max(t.damaged_capacity_kg for t in problem.vehicle_types),
            plan=break_plan(problem.rules, problem.horizon_h),
            first_depart=first_depart,
            base_close=max(hi for _, hi in problem.time_windows_h[0]),
            run_limit_setting=run_limit_setting(problem.rules),
        )


def _capacity_diagnoses(c: _StopContext, i: int) -> list[tuple[str, str, str | None]]:
    """Pickups larger than every vehicle or its certified boxes."""
    out: list[tuple[str, str, str | None]] = []
    if c.load[i] > c.max_payload + 1e-9:
        out.append(
            (
                "pickup_exceeds_payload",
                f"pickup {c.load[i]:g} kg exceeds the largest payload {c.max_payload:g} kg",
                None,
            )
        )
    if c.damaged[i] > 1e-9 and c.damaged[i] > c.max_damaged + 1e-9:
        if c.max_damaged <= 0:
            text = (
                f"{c.damaged[i]:g} kg of damaged packs but no vehicle type at the base carries "
                "certified boxes"
            )
            out.append(("damaged_without_box", text, None))
        else:
            text = (
                f"{c.damaged[i]:g} kg of damaged packs exceed the largest certified-box "
                f"capacity {c.max_damaged:g} kg"
            )
            out.append(("damaged_exceeds_box", text, None))
    return out


def _stop_diagnoses(c: _StopContext, i: int) -> list[tuple[str, str, str | None]]:
    """``(code, text, setting)`` of every quick proof that stop ``i`` cannot be served."""
    out = _capacity_diagnoses(c, i)
    hours, service, plan = c.hours, c.service, c.plan
    if not (np.isfinite(c.km[0, i]) and np.isfinite(hours[0, i])):
        return [*out, ("no_road", "no permitted road from the base", None)]
    if not (np.isfinite(c.km[i, 0]) and np.isfinite(hours[i, 0])):
        return [*out, ("no_road", "no permitted road back to the base", None)]
    wins = merge_intervals(c.windows[i])
    if not wins:
        return [*out, ("no_opening_hours", "no opening hours", None)]
    if plan.duty_h is not None and service[i] > plan.duty_h + 1e-9:
        text = (
            f"its service takes {service[i]:.2f} h, longer than a duty period of "
            f"{plan.duty_h:g} h (duty_h_per_day)"
        )
        return [*out, ("service_exceeds_duty", text, "duty_h_per_day")]
    elapsed = hours[0, i] + service[i] + hours[i, 0]
    periods = duty_periods_needed(elapsed, plan)
    if plan.n_overnight and periods > plan.n_overnight + 1:
        text = (
            f"its round trip needs {elapsed:.2f} h of driving and service, {periods} duty "
            f"periods of at most {plan.duty_h:g} h (duty_h_per_day), more than the "
            f"{plan.n_overnight + 1} days of a run (max_days)"
        )
        return [*out, ("duty_periods", text, "duty_h_per_day")]
    need = min_run_h(elapsed, plan)
    if need > plan.max_run_h + 1e-9:
        text = (
            f"shortest round trip {need:.2f} h (driving {hours[0, i] + hours[i, 0]:.2f} h, "
            f"service {service[i]:.2f} h, breaks and rests) exceeds the run limit "
            f"{plan.max_run_h:.2f} h"
        )
        return [*out, ("run_limit", text, c.run_limit_setting)]
    earliest = c.first_depart + min_run_h(hours[0, i], plan)
    if earliest > wins[-1][1] + 1e-9:
        text = f"earliest arrival {earliest:.2f} h is after its last opening {wins[-1][1]:.2f} h"
        return [*out, ("window_unreachable", text, None)]
    back = wins[0][0] + service[i] + hours[i, 0]
    if back > c.base_close + 1e-9:
        text = (
            f"earliest return to the base {back:.2f} h is after the base's last opening "
            f"{c.base_close:.2f} h"
        )
        return [*out, ("return_after_close", text, None)]
    return out


def _carriers(problem: RoutingProblem) -> list[frozenset[int]]:
    """Per stop (index ``i - 1``), the vehicle types that can carry its pickup alone."""
    intact = np.asarray(problem.pickup_intact_kg, dtype=float)
    damaged = np.asarray(problem.pickup_damaged_kg, dtype=float)
    out = []
    for i in range(1, problem.n_nodes):
        tot, dmg = intact[i] + damaged[i], damaged[i]
        out.append(
            frozenset(
                t
                for t, vt in enumerate(problem.vehicle_types)
                if tot <= vt.payload_kg + 1e-9
                and (dmg <= 1e-12 or dmg <= vt.damaged_capacity_kg + 1e-9)
            )
        )
    return out


def fleet_limits(problem: RoutingProblem) -> list[Diagnosis]:
    """Pickups the fleet cannot carry in the runs it has: one diagnosis per broken limit.

    For every group of vehicle types (all groups up to 8 types, else the whole fleet),
    the stops that only vehicles of that group can carry (e.g. stops with damaged
    packs: only the certified types) must fit into the group's runs of the period
    (``count × trips_per_vehicle`` per type):

    * their total kg and damaged kg within the group's summed payload and certified-box
      capacity over those runs;
    * the stops heavier than half the group's largest payload (or certified-box
      capacity) need a run each: no more of them than runs.

    Each is a necessary condition, so a diagnosis (``fleet_capacity`` or ``fleet_runs``,
    setting ``count``) proves the problem infeasible.
    """
    n_types = len(problem.vehicle_types)
    if problem.n_nodes <= 1 or n_types == 0:
        return []
    types = problem.vehicle_types
    intact = np.asarray(problem.pickup_intact_kg, dtype=float)[1:]
    damaged = np.asarray(problem.pickup_damaged_kg, dtype=float)[1:]
    total = intact + damaged
    carriers = _carriers(problem)
    trips = trips_per_vehicle(problem)
    if n_types <= 8:
        groups = [
            frozenset(c)
            for k in range(1, n_types + 1)
            for c in itertools.combinations(range(n_types), k)
        ]
    else:
        groups = [frozenset(range(n_types))]
    found: dict[str, tuple[float, Diagnosis]] = {}  # limit kind -> (excess share, diagnosis)

    def note(kind: str, excess: float, msg: str) -> None:
        if kind not in found or excess > found[kind][0]:
            code = "fleet_runs" if kind.endswith("runs") else "fleet_capacity"
            found[kind] = (excess, Diagnosis(code, msg, setting="count"))

    for grp in groups:
        mine = [k for k, c in enumerate(carriers) if c and c <= grp]
        if not mine:
            continue
        names = ", ".join(types[t].id for t in sorted(grp))
        whole = len(grp) == n_types
        who = f"the {len(mine)} stops" + ("" if whole else f" only {names} can carry")
        runs = sum(types[t].count for t in grp) * trips
        per = f"{runs} run(s) in the period, {trips} per vehicle"
        for dim, load, cap_of in (
            ("payload", total, lambda vt: vt.payload_kg),
            ("certified-box capacity", damaged, lambda vt: vt.damaged_capacity_kg),
        ):
            what = "" if dim == "payload" else " of damaged packs"
            need = float(load[mine].sum())
            cap = sum(cap_of(types[t]) * types[t].count for t in grp) * trips
            if need > cap + 1e-9:
                note(
                    dim + " kg",
                    (need - cap) / max(cap, 1e-9),
                    f"fleet: {who} pick up {need:g} kg{what}, more than the {dim} of "
                    f"{names} over the period: {cap:g} kg ({per})",
                )
            big_cap = max(cap_of(types[t]) for t in grp)
            big = [k for k in mine if load[k] > big_cap / 2 + 1e-9]
            if len(big) > runs:
                note(
                    dim + " runs",
                    (len(big) - runs) / max(runs, 1),
                    f"fleet: {len(big)} of {who} each fill more than half of the largest "
                    f"{dim} ({big_cap:g} kg{what}) and need a run of their own, but {names} "
                    f"have {per}",
                )
    return [d for _, (_, d) in sorted(found.items())] + fleet_time_limit(problem, carriers)
