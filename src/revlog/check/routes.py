"""Independent check of stage-2 runs against their routing problem.

Imports no solver and none of the model's rule code (:mod:`revlog.routing.rules` and its
:class:`~revlog.routing.rules.BreakRule`): every rule is restated here, on purpose, on the
problem's arrays and the solution's reported stops and breaks, and every figure
(distance, exposure, cost, objective) is recomputed from the matrices. The checker reads
the 4 h rule as the law states it (driving time only), which the model's reading (elapsed
time) implies.

Driving is reconstructed from the schedule: on each leg the vehicle leaves at the
reported departure, drives whenever it is not on a reported break, and must have
covered the leg's travel time by the reported arrival. The 4 h rule, the night ban
and the duty limits are then checked on that reconstruction.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

_TOL_H = 1e-6
_TOL_KG = 1e-6


def _rel(a: float, b: float, rel: float = 1e-6) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def _in_windows(t: float, windows: list[tuple[float, float]]) -> bool:
    return any(lo - _TOL_H <= t <= hi + _TOL_H for lo, hi in windows)


def _banned(rules: Any, t0: float, t1: float) -> float:
    """Hours of ``[t0, t1]`` that fall into the night-ban hours of day."""
    ban = getattr(rules, "night_ban_h", None) if rules is not None else None
    if ban is None or t1 <= t0:
        return 0.0
    a, b = float(ban[0]) % 24.0, float(ban[1]) % 24.0
    if a == b:
        return 0.0
    total = 0.0
    for d in range(math.floor(t0 / 24.0) - 1, math.floor(t1 / 24.0) + 2):
        lo, hi = (d * 24 + a, d * 24 + b) if a < b else (d * 24 + a, d * 24 + 24 + b)
        total += max(0.0, min(t1, hi) - max(t0, lo))
    return total


def _drive(depart: float, travel: float, breaks: list[tuple[float, float]]):
    """Driving pieces ``[(start, end)]`` of a leg, pausing at every break met."""
    pieces = []
    t, remaining = depart, travel
    for bs, be in breaks:
        if be <= t + 1e-12:
            continue
        if remaining <= 1e-12 or bs >= t + remaining:
            break
        if bs > t:
            pieces.append((t, bs))
            remaining -= bs - t
        t = max(t, be)
    if remaining > 1e-12:
        pieces.append((t, t + remaining))
    return pieces


@dataclass(frozen=True)
class _Arrays:
    """The problem's arrays as floats, looked up once."""

    km: np.ndarray
    hours: np.ndarray
    intact: np.ndarray
    damaged: np.ndarray
    service: np.ndarray
    exposure: np.ndarray | None

    @classmethod
    def of(cls, problem: Any) -> _Arrays:
        return cls(
            km=np.asarray(problem.km, dtype=float),
            hours=np.asarray(problem.hours, dtype=float),
            intact=np.asarray(problem.pickup_intact_kg, dtype=float),
            damaged=np.asarray(problem.pickup_damaged_kg, dtype=float),
            service=np.asarray(problem.service_h, dtype=float),
            exposure=None if problem.exposure is None else np.asarray(problem.exposure, float),
        )


def check_routes(problem: Any, solution: Any, labels: list[str] | None = None) -> list[str]:
    """List every way in which ``solution`` violates ``problem``.

    Parameters
    ----------
    problem
        A :class:`revlog.routing.problem.RoutingProblem`.
    solution
        A :class:`revlog.routing.solution.RoutingSolution` (any engine).
    labels
        How to name each run in the messages (default: its index in ``solution.runs``).

    Returns
    -------
    list of str
        One message per violation, empty when the solution is feasible. Checked: each
        stop served exactly once or reported dropped (only if a drop penalty is set);
        runs start and end at the base; vehicle types, indices and counts; one run per
        vehicle unless multi-trip, then successive runs separated by the overnight rest;
        loads (intact, damaged, total) recomputed and within payload and certified-box
        capacity after every stop; service starts within opening windows, service
        durations, departures from and returns to the base within its windows, shift
        start; every leg on a permitted road (finite matrix entry, and no restricted
        road class when ``meta["path_classes"]`` and ``meta["restricted_classes"]`` are
        given) and drivable between departure and arrival around the breaks; breaks not
        overlapping service or each other and long enough; no more than
        ``max_driving_h`` of driving without a break ≥ ``break_h``; no driving during
        the night ban; overnight rests and night standstills at a place (a stop of the
        run, the base, or a town on the leg's road at the distance driven, from
        ``problem.rest_points``), never on the open road; duty periods (between
        overnight rests) within the daily limit,
        number of days and run length; km, exposure, run cost (fixed, per km, crew hours on
        duty, overnight rests) and every part of the objective recomputed.
    """
    arr = _Arrays.of(problem)
    types = {t.id: t for t in problem.vehicle_types}
    errs = _check_coverage(problem, solution)
    fixed = distance = crew = overnight = expo_total = 0.0
    by_vehicle: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for r, run in enumerate(solution.runs):
        name = labels[r] if labels is not None and r < len(labels) else r
        tag = f"run {name} ({run.vehicle_type}#{run.vehicle}/{run.trip})"
        vt = types.get(run.vehicle_type)
        if vt is None:
            errs.append(f"{tag}: unknown vehicle type")
            continue
        if not 0 <= run.vehicle < vt.count:
            errs.append(f"{tag}: vehicle index outside 0..{vt.count - 1}")
        by_vehicle[(run.vehicle_type, run.vehicle)].append(run)
        shape = _check_run_shape(problem, run, tag)
        errs += shape
        if shape:
            continue
        errs += _check_loads(run, vt, tag, arr)
        leg_errs, run_km, run_expo = _check_legs(problem, run, vt, tag, arr)
        errs += leg_errs
        parts = run_cost_parts(vt, run, run_km)
        if not _rel(run.cost_cny, sum(parts)):
            errs.append(f"{tag}: cost {run.cost_cny:.6g} CNY but recomputed {sum(parts):.6g}")
        fixed += parts[0]
        distance += parts[1]
        crew += parts[2]
        overnight += parts[3]
        expo_total += run_expo
        errs += _check_times(problem, run, tag, arr.service)
        errs += _check_driving(problem.rules, run, tag, arr.hours)
        errs += _check_places(problem, run, tag, arr.hours)
    errs += _check_vehicles(problem.rules, by_vehicle)
    # each vehicle that drives pays its ownership once, however many trips it makes
    owned = sum(float(types[t].ownership_cost_cny) for t, _ in by_vehicle)
    money = (fixed, distance, crew, overnight, owned)
    errs += _check_objective(problem, solution, money, expo_total)
    return errs


def run_cost_parts(vt: Any, run: Any, km: float) -> tuple[float, float, float, float]:
    """What a run costs, restated: fixed, per km (over ``km``), the crew's hours on duty
    (departure to return without the overnight rests) and the overnight rests, CNY."""
    nights = [b.duration_h for b in run.breaks if b.kind == "overnight"]
    duty_h = run.stops[-1].arrival_h - run.stops[0].departure_h - sum(nights)
    return (
        float(vt.fixed_cost_cny),
        float(vt.cost_cny_per_km) * km,
        float(vt.cost_cny_per_h) * duty_h,
        float(vt.cost_cny_per_rest) * len(nights),
    )


def _check_coverage(problem: Any, solution: Any) -> list[str]:
    """Each stop served exactly once, or reported dropped where a drop penalty allows it."""
    errs: list[str] = []
    n = problem.n_nodes
    served: dict[int, int] = defaultdict(int)
    for r, run in enumerate(solution.runs):
        for s in run.stops[1:-1]:
            if s.node == 0:
                errs.append(f"run {r}: visits the base in the middle of the run")
            elif not 0 < s.node < n:
                errs.append(f"run {r}: node {s.node} out of range")
            else:
                served[s.node] += 1
    dropped = list(solution.dropped)
    if len(set(dropped)) != len(dropped):
        errs.append("dropped list has repeated nodes")
    for node in range(1, n):
        c = served.get(node, 0)
        if c > 1:
            errs.append(f"node {node} ({problem.node_ids[node]}) served {c} times")
        if node in dropped:
            if c:
                errs.append(f"node {node} both served and reported dropped")
            if problem.drop_penalty_cny is None:
                errs.append(f"node {node} dropped but the problem sets no drop penalty")
        elif c == 0:
            errs.append(f"node {node} ({problem.node_ids[node]}) neither served nor dropped")
    errs += [f"dropped node {node} out of range" for node in dropped if not 0 < node < n]
    return errs


def _check_run_shape(problem: Any, run: Any, tag: str) -> list[str]:
    """A run leaves the base, visits stops that exist, and returns (nothing else is checked
    on a run that does not)."""
    n = problem.n_nodes
    stops = run.stops
    if len(stops) < 3 or stops[0].node != 0 or stops[-1].node != 0:
        return [f"{tag}: must start and end at the base and visit a stop"]
    errs = [
        f"{tag}: node {s.node} reported as {s.node_id!r}"
        for s in stops
        if 0 <= s.node < n and s.node_id != problem.node_ids[s.node]
    ]
    if any(not 0 <= s.node < n for s in stops):
        errs.append(f"{tag}: a node is out of range")
    return errs


def _check_loads(run: Any, vt: Any, tag: str, arr: _Arrays) -> list[str]:
    """Loads on board recomputed from the pickups, within payload and certified boxes."""
    errs = []
    li = ld = 0.0
    for s in run.stops[1:]:
        if s.node != 0:
            li += arr.intact[s.node]
            ld += arr.damaged[s.node]
        if abs(s.load_intact_kg - li) > _TOL_KG * max(1, li) or abs(
            s.load_damaged_kg - ld
        ) > _TOL_KG * max(1, ld):
            errs.append(f"{tag}: reported load after node {s.node} differs from pickups")
        if li + ld > vt.payload_kg + _TOL_KG:
            errs.append(
                f"{tag}: load {li + ld:g} kg after node {s.node} exceeds payload "
                f"{vt.payload_kg:g} kg"
            )
        if ld > vt.damaged_capacity_kg + _TOL_KG:
            errs.append(
                f"{tag}: damaged load {ld:g} kg after node {s.node} exceeds certified-box "
                f"capacity {vt.damaged_capacity_kg:g} kg"
            )
    return errs


def _check_legs(
    problem: Any, run: Any, vt: Any, tag: str, arr: _Arrays
) -> tuple[list[str], float, float]:
    """Every leg on a permitted road; km and exposure recomputed."""
    errs = []
    path_classes = problem.meta.get("path_classes")
    restricted = set(problem.meta.get("restricted_classes", ()))
    run_km = run_expo = 0.0
    for a, b in itertools.pairwise(run.stops):
        i, j = a.node, b.node
        if not (np.isfinite(arr.km[i, j]) and np.isfinite(arr.hours[i, j])):
            errs.append(f"{tag}: leg {i}->{j} has no permitted road")
            continue
        run_km += arr.km[i, j]
        if arr.exposure is not None:
            run_expo += arr.exposure[i, j]
        if path_classes is not None and restricted:
            bad = set(path_classes.get((i, j), ())) & restricted
            if bad:
                errs.append(f"{tag}: leg {i}->{j} uses restricted road class {sorted(bad)}")
    if not _rel(run.km, run_km):
        errs.append(f"{tag}: km {run.km:.6g} but the matrix gives {run_km:.6g}")
    if not _rel(run.exposure, run_expo):
        errs.append(f"{tag}: exposure {run.exposure:.6g} but the matrix gives {run_expo:.6g}")
    return errs, run_km, run_expo


def _check_vehicles(rules: Any, by_vehicle: dict[tuple[str, int], list[Any]]) -> list[str]:
    """One run per vehicle unless multi-trip; then successive runs a rest apart."""
    errs = []
    multi = rules is not None and rules.allow_multi_trip
    rest_h = rules.overnight_rest_h if rules is not None else 0.0
    for (tid, v), runs in by_vehicle.items():
        if len(runs) > 1 and not multi:
            errs.append(f"vehicle {tid}#{v} does {len(runs)} runs but multi-trip is not allowed")
            continue
        ordered = sorted(runs, key=lambda x: x.start_h)
        if len({x.trip for x in runs}) != len(runs):
            errs.append(f"vehicle {tid}#{v}: repeated trip numbers")
        for a, b in itertools.pairwise(ordered):
            if b.start_h < a.end_h + rest_h - _TOL_H:
                errs.append(
                    f"vehicle {tid}#{v}: run leaving at {b.start_h:.3f} h starts less than "
                    f"{rest_h:g} h after the previous run returned ({a.end_h:.3f} h)"
                )
    return errs


def _check_objective(
    problem: Any, solution: Any, money: tuple[float, float, float, float, float], exposure: float
) -> list[str]:
    """Every part of the objective recomputed (``money``: fixed, distance, crew and
    overnight costs summed over the runs, and the ownership of the vehicles used)."""
    fixed, distance, crew, overnight, owned = money
    risk = float(problem.risk_weight_cny_per_person) * exposure
    penalty = float(problem.drop_penalty_cny or 0.0) * len(solution.dropped)
    total = fixed + distance + crew + overnight + owned + risk + penalty
    return [
        f"{name} {got:.6g} but recomputed {want:.6g}"
        for name, got, want in (
            ("fixed_cny", solution.fixed_cny, fixed),
            ("distance_cny", solution.distance_cny, distance),
            ("crew_cny", solution.crew_cny, crew),
            ("overnight_cny", solution.overnight_cny, overnight),
            ("ownership_cny", solution.ownership_cny, owned),
            ("risk_cny", solution.risk_cny, risk),
            ("penalty_cny", solution.penalty_cny, penalty),
            ("objective_cny", solution.objective_cny, total),
        )
        if not _rel(got, want)
    ]


def _check_times(problem: Any, run: Any, tag: str, service: np.ndarray) -> list[str]:
    """The period, the base's hours, the shift start, service times and windows, breaks."""
    errs: list[str] = []
    rules, horizon = problem.rules, float(problem.horizon_h)
    stops = run.stops
    wins = problem.time_windows_h
    start, end = stops[0].departure_h, stops[-1].arrival_h
    if start < -_TOL_H or end > horizon + _TOL_H:
        errs.append(f"{tag}: runs outside the period [0, {horizon:g}] h")
    if not _in_windows(start, wins[0]):
        errs.append(f"{tag}: leaves the base at {start:.3f} h, outside its opening hours")
    if not _in_windows(end, wins[0]):
        errs.append(f"{tag}: returns to the base at {end:.3f} h, outside its opening hours")
    if rules is not None and (start % 24.0) < rules.shift_start_h - _TOL_H:
        errs.append(
            f"{tag}: leaves at {start % 24.0:.2f} o'clock, before the shift start "
            f"{rules.shift_start_h:g}"
        )
    for s in stops[1:-1]:
        if not (s.arrival_h <= s.start_h + _TOL_H and s.start_h <= s.departure_h + _TOL_H):
            errs.append(f"{tag}: node {s.node} times not ordered arrival ≤ start ≤ departure")
        if s.departure_h - s.start_h < service[s.node] - _TOL_H:
            errs.append(
                f"{tag}: node {s.node} served {s.departure_h - s.start_h:.4f} h < "
                f"{service[s.node]:g} h"
            )
        if not _in_windows(s.start_h, wins[s.node]):
            errs.append(
                f"{tag}: node {s.node} service starts at {s.start_h:.3f} h, outside windows"
            )
        if s.day != int(s.start_h // 24):
            errs.append(f"{tag}: node {s.node} day {s.day} does not match start {s.start_h:.3f} h")
    return errs + _check_breaks(rules, run, tag)


def _check_breaks(rules: Any, run: Any, tag: str) -> list[str]:
    """Breaks inside the run, not overlapping each other or service, long enough."""
    errs: list[str] = []
    start, end = run.stops[0].departure_h, run.stops[-1].arrival_h
    brks = sorted(run.breaks, key=lambda b: b.start_h)
    spans = [(b.start_h, b.start_h + b.duration_h) for b in brks]
    for (a0, a1), (b0, _) in itertools.pairwise(spans):
        if b0 < a1 - _TOL_H:
            errs.append(f"{tag}: breaks at {a0:.3f} h and {b0:.3f} h overlap")
    for b, (b0, b1) in zip(brks, spans, strict=True):
        if b0 < start - _TOL_H or b1 > end + _TOL_H:
            errs.append(f"{tag}: break at {b0:.3f} h lies outside the run")
        for s in run.stops[1:-1]:
            if (
                b0 < s.departure_h - _TOL_H
                and b1 > s.start_h + _TOL_H
                and s.departure_h > s.start_h
            ):
                errs.append(f"{tag}: break at {b0:.3f} h overlaps service at node {s.node}")
        if rules is not None:
            need = {"driving": rules.break_h, "overnight": rules.overnight_rest_h}.get(b.kind, 0.0)
            if b.duration_h < need - _TOL_H:
                errs.append(
                    f"{tag}: {b.kind} break of {b.duration_h:.3f} h is shorter than {need:g} h"
                )
    return errs


def _check_driving(rules: Any, run: Any, tag: str, hours: np.ndarray) -> list[str]:
    """Driving rebuilt from the schedule: legs drivable around the breaks, the night ban,
    the 4 h rule (driving only), duty days and periods."""
    errs: list[str] = []
    stops = run.stops
    start, end = stops[0].departure_h, stops[-1].arrival_h
    spans = sorted((b.start_h, b.start_h + b.duration_h) for b in run.breaks)
    driving: list[tuple[float, float]] = []
    for a, b in itertools.pairwise(stops):
        travel = float(hours[a.node, b.node])
        if not np.isfinite(travel):
            continue
        pieces = _drive(a.departure_h, travel, spans)
        arrive = pieces[-1][1] if pieces else a.departure_h
        if arrive > b.arrival_h + 1e-5:
            errs.append(
                f"{tag}: leg {a.node}->{b.node} needs {travel:.4f} h of driving; cannot arrive "
                f"by {b.arrival_h:.4f} h (earliest {arrive:.4f} h)"
            )
        driving.extend(pieces)
    if rules is None:
        return errs
    if rules.night_ban_h is not None:
        banned = sum(_banned(rules, p0, p1) for p0, p1 in driving)
        if banned > 1e-5:
            errs.append(f"{tag}: drives {banned:.3f} h during the night ban {rules.night_ban_h}")
    if rules.max_driving_h is not None:
        rests = [sp for sp in spans if sp[1] - sp[0] >= rules.break_h - _TOL_H]
        cuts = [start] + [x for sp in rests for x in sp] + [end]
        for k in range(0, len(cuts), 2):
            lo, hi = cuts[k], cuts[k + 1]
            drove = sum(max(0.0, min(hi, p1) - max(lo, p0)) for p0, p1 in driving)
            if drove > rules.max_driving_h + 1e-5:
                errs.append(
                    f"{tag}: {drove:.3f} h of driving between {lo:.3f} h and {hi:.3f} h without "
                    f"a break of {rules.break_h:g} h (limit {rules.max_driving_h:g} h)"
                )
    return errs + _check_duty(rules, tag, start, end, spans)


#: How far (h of driving) a reported resting place may lie from where the reconstruction
#: puts the vehicle: the model rounds each leg to whole seconds.
_PLACE_TOL_H = 2e-3


def _check_places(problem: Any, run: Any, tag: str, hours: np.ndarray) -> list[str]:
    """Overnight rests and night standstills where the vehicle stands at a place: the
    stop it is at, or a town on the road at the driving time covered so far."""
    errs: list[str] = []
    ids = list(problem.node_ids)
    stops = run.stops
    spans = sorted((b.start_h, b.start_h + b.duration_h) for b in run.breaks)
    for b in run.breaks:
        if b.kind == "driving":
            continue
        what = f"{tag}: {b.kind} break at {b.start_h:.3f} h"
        if not b.place:
            errs.append(f"{what} is on the open road (no place)")
            continue
        # the stops the vehicle is at then (two at one site, 0 km apart, share the moment)
        at = [s for s in stops[1:-1] if s.arrival_h - _TOL_H <= b.start_h <= s.departure_h + _TOL_H]
        if at:
            if b.place not in {ids[s.node] for s in at}:
                errs.append(
                    f"{what} is reported at {b.place!r}, but the vehicle is at {ids[at[0].node]!r}"
                )
            continue
        leg = next(
            (
                (a, c)
                for a, c in itertools.pairwise(stops)
                if a.departure_h - _TOL_H <= b.start_h <= c.arrival_h + _TOL_H
            ),
            None,
        )
        if leg is None:
            errs.append(f"{what} lies outside the run")
            continue
        a, c = leg
        travel = float(hours[a.node, c.node])
        driven = sum(
            max(0.0, min(p1, b.start_h) - p0) for p0, p1 in _drive(a.departure_h, travel, spans)
        )
        if driven <= _PLACE_TOL_H:
            ok = b.place == ids[a.node]
        elif driven >= travel - _PLACE_TOL_H:
            ok = b.place == ids[c.node]
        else:
            points = problem.rest_points(a.node, c.node) if problem.rest_points else []
            ok = any(abs(off - driven) <= _PLACE_TOL_H and name == b.place for off, name in points)
        if not ok:
            errs.append(
                f"{what} is reported at {b.place!r}, but after {driven:.3f} h of the "
                f"{travel:.3f} h leg {ids[a.node]}->{ids[c.node]} the vehicle is at no such place"
            )
    return errs


def _check_duty(
    rules: Any, tag: str, start: float, end: float, spans: list[tuple[float, float]]
) -> list[str]:
    """Duty days (split by overnight rests) within ``max_days`` and the daily limit."""
    errs: list[str] = []
    nights = [sp for sp in spans if sp[1] - sp[0] >= rules.overnight_rest_h - _TOL_H]
    days = len(nights) + 1
    if days > max(1, rules.max_days):
        errs.append(f"{tag}: {days} duty days exceed max_days {rules.max_days}")
    if rules.max_days <= 1 or not nights:
        if rules.duty_h_per_day is not None and end - start > rules.duty_h_per_day + _TOL_H:
            errs.append(
                f"{tag}: duty {end - start:.3f} h exceeds the daily limit "
                f"{rules.duty_h_per_day:g} h"
            )
        return errs
    if end - start > rules.max_days * 24.0 + _TOL_H:
        errs.append(f"{tag}: run of {end - start:.3f} h exceeds {rules.max_days} days")
    if rules.duty_h_per_day is not None:
        cuts = [start] + [x for sp in nights for x in sp] + [end]
        for k in range(0, len(cuts), 2):
            if cuts[k + 1] - cuts[k] > rules.duty_h_per_day + _TOL_H:
                errs.append(
                    f"{tag}: duty period {cuts[k]:.3f}-{cuts[k + 1]:.3f} h exceeds the daily "
                    f"limit {rules.duty_h_per_day:g} h"
                )
    return errs
