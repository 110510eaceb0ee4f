"""``solve(scenario)`` = geography → location → routing → :class:`~revlog.plan.Plan`.

Each stage takes plain data in and hands plain data on; this module is the only place
that knows both the scenario and the solvers' array inputs.
"""

from __future__ import annotations

import itertools
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString, Point

from revlog.check.routes import check_routes
from revlog.errors import InfeasibleError, RevlogError, SolveInterruptedError
from revlog.inputs import Inputs, prepare
from revlog.location.problem import LocationProblem
from revlog.location.solve import (
    LocationInfeasibleError,
    LocationNoSolutionError,
    NetworkDesign,
    solve_location,
)
from revlog.plan import COLUMNS as PLAN_COLUMNS
from revlog.plan import CRS, Plan
from revlog.problems import (
    LINE_HAUL_PAYLOAD_T,
    Geography,
    build_geography,
    location_problem,
    routing_problem,
    site_of,
)
from revlog.routing.engine import solve_routing
from revlog.routing.ortools import solve_ortools
from revlog.routing.problem import RoutingInfeasibleError, RoutingProblem
from revlog.routing.rules import diagnose
from revlog.routing.solution import RoutingSolution
from revlog.scenario.load import load_scenario
from revlog.scenario.schema import Scenario

Progress = Callable[[str, str], None]

#: Smallest time limit given to one base's routing search, s.
MIN_BASE_TIME_S = 0.5

#: Share of the total time limit kept back for checking and assembling the plan.
ASSEMBLY_RESERVE_SHARE = 0.02

#: Time limit of the quick constructive runs a base gets after Ctrl-C, s.
INTERRUPTED_BASE_TIME_S = 1.0


class RoutingCheckError(RevlogError):
    """A routing engine returned runs that the independent checker rejects (a bug)."""

    def __init__(self, base_id: str, violations: list[str]):
        self.base_id = base_id
        self.violations = violations
        head = f"internal error: runs of base {base_id} fail the independent checker"
        super().__init__(head + ":\n" + "\n".join(f"- {v}" for v in violations[:20]))


def solve(
    scenario: Scenario | str | Path,
    time_limit: float | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Solve a scenario end to end.

    Parameters
    ----------
    scenario
        A :class:`Scenario` or the path of a scenario file.
    time_limit
        Total time limit, s (default: the scenario's ``solver.time_limit_s``).
    seed
        Random seed (default: the scenario's ``solver.seed``).
    progress
        Optional callback ``progress(stage, message)`` for long solves.

    Returns
    -------
    Plan
        The plan (see :mod:`revlog.plan`).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return solve_inputs(prepare(sc), time_limit_s=time_limit, seed=seed, progress=progress)


def solve_inputs(
    inputs: Inputs,
    time_limit_s: float | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Solve prepared inputs (see :func:`solve`).

    Time limit: the clock starts on entry, so building the geography counts. Stage 1 gets
    ``solver.location_share`` of the total; each base of stage 2 gets, when its turn
    comes, its share (by number of stops) of what is left of the total after
    :data:`ASSEMBLY_RESERVE_SHARE` is kept back for checking and assembling the plan.
    What stage 1 leaves unused goes to stage 2, so the stages add up to the total.

    Ctrl-C (``KeyboardInterrupt``): HiGHS stops with its incumbent design; a base whose
    search is interrupted, and every base after it, gets quick constructive runs
    (:data:`INTERRUPTED_BASE_TIME_S` each); the plan is complete, checked like any other,
    and marked ``meta["interrupted"] = True`` (statuses ``interrupted``). A second Ctrl-C
    during that fallback, or one before stage 1 has a design, gives up.

    Raises
    ------
    InfeasibleError
        With a diagnosis naming the site and the limit.
    SolveInterruptedError
        If Ctrl-C came when no complete plan could be put together.
    """
    sc = inputs.scenario
    total = time_limit_s if time_limit_s is not None else sc.solver.time_limit_s
    seed = sc.solver.seed if seed is None else seed
    loc_s = total * sc.solver.location_share
    say = progress or (lambda stage, msg: None)
    t_start = time.perf_counter()
    stage = "geography"
    try:
        say("geography", f"{len(inputs.sources)} sources, {len(inputs.candidates)} candidate sites")
        geo = build_geography(inputs)
        say("geography", f"{geo.matrix.provider} matrix {len(geo.sites)}² in {geo.seconds:.2f} s")

        stage = "location"
        problem = location_problem(inputs, geo)
        say(
            "location",
            f"{problem.n_sources} sources, {problem.n_facilities} facilities, "
            f"{len(problem.arc_source)} arcs; time limit {loc_s:.0f} s",
        )
        design = _solve_location_stage(inputs, geo, problem, loc_s, seed)
    except KeyboardInterrupt:
        raise SolveInterruptedError(stage, "no outlet design found yet") from None
    interrupted = design.status == "interrupted"
    say(
        "location",
        f"{design.status}: {int(design.open_mask.sum()) - 1} outlets open, "
        f"{design.objective_cny:,.0f} CNY/year, gap {design.gap:.2e}",
    )
    if interrupted:
        say("location", "interrupted: keeping the incumbent design; quick runs for every base")

    frames = design.to_frames()
    assign = frames["assignments"]
    kinds = dict(
        zip(problem.facility_ids.astype(str), problem.facility_kind.astype(str), strict=True)
    )
    bases = [
        (fid, kinds[fid], sorted(assign.loc[assign["facility_id"] == fid, "source_id"]))
        for fid in problem.facility_ids.astype(str)
        if (assign["facility_id"] == fid).any()
    ]
    diagnosis: list[str] = []
    with _RoutingInterrupts() as ctrl_c:
        solutions, interrupted = _route_bases(
            inputs, geo, bases, t_start, total, seed, interrupted, ctrl_c, say, diagnosis
        )
    if diagnosis:
        raise InfeasibleError(diagnosis, stage="routing")
    try:
        plan = assemble_plan(inputs, geo, design, solutions)
    except KeyboardInterrupt:
        raise SolveInterruptedError("output", "the plan was being assembled") from None
    plan.meta.update(
        {
            "seed": seed,
            "time_limit_s": total,
            "location_time_limit_s": loc_s,
            "interrupted": interrupted,
        }
    )
    return plan


def _route_bases(
    inputs: Inputs,
    geo: Geography,
    bases: list[tuple[str, str, list[str]]],
    t_start: float,
    total: float,
    seed: int,
    interrupted: bool,
    ctrl_c: _RoutingInterrupts,
    say: Progress,
    diagnosis: list[str],
) -> tuple[list[tuple[RoutingProblem, RoutingSolution]], bool]:
    """Stage 2, base by base; diagnoses are appended to ``diagnosis``."""
    stops_left = sum(len(s) for _, _, s in bases) or 1
    reserve_s = ASSEMBLY_RESERVE_SHARE * total
    solutions = []
    for fid, kind, srcs in bases:
        # Each base gets its share of what is left, so the stages add up to the total.
        remaining = max(total - reserve_s - (time.perf_counter() - t_start), 0.0)
        limit = max(remaining * len(srcs) / stops_left, MIN_BASE_TIME_S)
        stops_left -= len(srcs)
        try:
            rp = routing_problem(inputs, geo, fid, kind, srcs)
        except KeyboardInterrupt:
            raise SolveInterruptedError("routing", f"base {fid} had no runs yet") from None
        if not rp.vehicle_types:
            diagnosis.append(
                f"base {fid} ({kind}) receives {len(srcs)} sources but no vehicle "
                "type is stationed there (fleet.*.base)"
            )
            continue
        if rp.drop_penalty_cny is None:
            found = [_name_the_limit(d, rp) for d in diagnose(rp)]
            if found:  # a stop no vehicle can serve: say so without searching
                diagnosis.extend(f"base {fid}: {d}" for d in found)
                continue
        if diagnosis:
            continue  # the scenario is infeasible already: only collect the diagnosis
        sol: RoutingSolution | None = None
        if not interrupted:
            say("routing", f"base {fid}: {len(srcs)} stops, time limit {limit:.1f} s")
            try:
                sol = solve_routing(rp, time_limit_s=limit, seed=seed)
            except KeyboardInterrupt:  # outside OR-Tools' search: this base's search is lost
                ctrl_c.pressed = True
            except RoutingInfeasibleError as exc:
                if not ctrl_c.pressed:
                    diagnosis.extend(_routing_diagnosis(fid, rp, limit, exc.diagnosis))
                    continue
            if ctrl_c.pressed:
                interrupted = True
                say("routing", f"interrupted at base {fid}: quick runs for the bases left")
                if sol is not None:  # OR-Tools stopped early and returned its best runs
                    sol.status = "interrupted"
        if sol is None:
            try:
                sol = _quick_runs(rp, seed)
            except RoutingInfeasibleError as exc:
                raise SolveInterruptedError(
                    "routing", f"the quick runs of base {fid} failed: {exc}"
                ) from None
            except KeyboardInterrupt:
                raise SolveInterruptedError(
                    "routing", f"interrupted again while base {fid} got its quick runs"
                ) from None
        violations = check_routes(rp, sol)
        if violations:
            # The engine's answer failed the independent checker: never hand it on silently.
            raise RoutingCheckError(fid, violations)
        solutions.append((rp, sol))
        say(
            "routing",
            f"base {fid}: {sol.n_runs} runs, {sol.distance_km:,.0f} km, "
            f"{sol.objective_cny:,.0f} CNY/period ({sol.status})",
        )
    return solutions, interrupted


def _solve_location_stage(
    inputs: Inputs, geo: Geography, problem: LocationProblem, limit_s: float, seed: int
) -> NetworkDesign:
    """Stage 1 with its failures turned into :class:`InfeasibleError` diagnoses."""
    sc = inputs.scenario
    try:
        return solve_location(
            problem,
            time_limit_s=limit_s,
            mip_gap=sc.solver.mip_gap,
            seed=seed,
            threads=sc.solver.threads,
        )
    except LocationInfeasibleError as exc:
        raise InfeasibleError(
            _explain_unreachable(inputs, geo, problem, exc.diagnosis), stage="location"
        ) from None
    except LocationNoSolutionError as exc:
        if exc.status == "interrupted":
            raise KeyboardInterrupt from None
        raise InfeasibleError(
            [
                f"no feasible outlet design found within {limit_s:.0f} s ({exc.status}); "
                "raise solver.time_limit_s or solver.location_share"
            ],
            stage="location",
        ) from None


def _explain_unreachable(
    inputs: Inputs, geo: Geography, problem: LocationProblem, diagnosis: list[str]
) -> list[str]:
    """Replace stage 1's "no assignment arc" lines by why: distance, radius, closed roads."""
    sc = inputs.scenario
    radius = sc.location.service_radius_km
    restricted = list(sc.rules.restricted_road_classes)
    m = geo.matrix
    fac = [str(f) for f in problem.facility_ids]
    if not sc.location.direct_to_plant:
        fac = fac[1:]
    closed = (
        f" (road classes closed to hazmat vehicles: {', '.join(restricted)}; "
        "rules.restricted_road_classes)"
        if restricted
        else ""
    )
    reached = set(problem.arc_source.tolist())
    why: dict[str, str] = {}
    for s, sid in enumerate(problem.source_ids.astype(str)):
        w = float(problem.supply_t[s])
        if s in reached or w <= 0 or not fac:
            continue
        km = np.array([m.km[m.index(sid), m.index(f)] for f in fac], dtype=float)
        head = f"source {sid} ({w:g} t/year)"
        if not np.isfinite(km).any():
            why[sid] = (
                f"{head} cannot be reached on the road network: no permitted road leads from "
                f"it to any outlet candidate or the plant{closed}"
            )
            continue
        j = int(np.nanargmin(np.where(np.isfinite(km), km, np.nan)))
        text = (
            f"{head} is farther than the service radius of {radius:g} km "
            f"(location.service_radius_km) from every candidate: the nearest, {fac[j]}, "
            f"is {km[j]:.1f} km away by road"
        )
        access = _access_km(geo, sid, restricted)
        if access is not None and restricted and access[1] > access[0] + 1.0:
            text += (
                f"; the roads near it are closed to hazmat vehicles ({', '.join(restricted)}; "
                f"rules.restricted_road_classes), so it is joined to the nearest permitted "
                f"road by a {access[1]:.1f} km access leg (without the restriction "
                f"{access[0]:.1f} km)"
            )
        why[sid] = text
    out: list[str] = []
    for line in diagnosis:
        sid = next(
            (k for k in why if line.startswith(f"source {k} (") and "no assignment arc" in line),
            None,
        )
        out.append(why.pop(sid) if sid is not None else line)
    return [*why.values(), *out]


def _access_km(geo: Geography, site_id: str, restricted: list[str]) -> tuple[float, float] | None:
    """Access leg of a site to the open and to the permitted road network, km."""
    if geo.network is None:
        return None
    row = geo.sites.loc[geo.sites["site_id"] == site_id, ["site_id", "lon", "lat"]]
    frame = row.rename(columns={"site_id": "id"})
    try:
        full = float(geo.network.snap(frame)["access_km"].iloc[0])
        allowed = (
            float(geo.network.restricted(restricted).snap(frame)["access_km"].iloc[0])
            if restricted
            else full
        )
    except (KeyError, ValueError, IndexError):
        return None
    return full, allowed


def _routing_diagnosis(fid: str, rp: RoutingProblem, limit_s: float, found: list[str]) -> list[str]:
    """The engine's reasons for a base, with the rules in force when no stop is to blame."""
    out = [f"base {fid}: {d.removeprefix(f'{fid}: ')}" for d in found]
    if all("no feasible solution" in d for d in found):
        r = rp.rules
        rules = []
        if r is not None:
            if r.duty_h_per_day is not None:
                rules.append(f"daily duty limit {r.duty_h_per_day:g} h (rules.duty_h_per_day)")
            rules.append(f"runs of at most {r.max_days} day(s) (rules.max_days_per_run)")
            if r.night_ban_h is not None:
                rules.append(f"night ban {r.night_ban_h[0]:g}-{r.night_ban_h[1]:g} h")
        out.append(
            f"base {fid}: every one of its {rp.n_nodes - 1} stops passes the quick checks "
            f"alone, but no runs serving them all were found in {limit_s:.1f} s under "
            + (", ".join(rules) if rules else "the fleet's capacities and the time windows")
            + f" with {sum(t.count for t in rp.vehicle_types)} vehicle(s); a longer time limit "
            "may find some, or those limits are too tight together"
        )
    return out


def _name_the_limit(line: str, rp: RoutingProblem) -> str:
    """Say which scenario setting a routing diagnosis's "run limit" comes from."""
    r = rp.rules
    if "the run limit" not in line or r is None:
        return line
    if r.max_days == 1 and r.duty_h_per_day is not None:
        src = (
            f"the daily duty limit rules.duty_h_per_day = {r.duty_h_per_day:g} h, as runs "
            "last one day (rules.max_days_per_run = 1)"
        )
    else:
        src = f"rules.max_days_per_run = {r.max_days} day(s)"
    return f"{line} ({src})"


class _RoutingInterrupts:
    """Ctrl-C during stage 2: OR-Tools' search stops with its best runs, others raise.

    OR-Tools holds the interpreter lock while it searches, so Python sees a SIGINT only
    when OR-Tools calls back into it. Inside this block every OR-Tools routing search
    calls back at each solution it finds (``AddAtSolutionCallback``), and the SIGINT
    handler, which then runs, asks the search to stop (``RoutingModel.CancelSearch``):
    OR-Tools returns its best solution so far. Outside an OR-Tools search (PyVRP's loop,
    the construction heuristics) the handler raises ``KeyboardInterrupt`` as usual.
    :attr:`pressed` says whether Ctrl-C came. Off the main thread (a Dask worker) signals
    cannot be caught and the block does nothing.
    """

    def __init__(self) -> None:
        self.pressed = False
        self._searching = 0
        self._saved: dict[str, Any] = {}
        self._handler: Any = None

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.pressed = True
        if not self._searching:
            raise KeyboardInterrupt

    def _wrap(self, solve: Callable[..., Any]) -> Callable[..., Any]:
        state = self

        def stoppable(model: Any, *args: Any) -> Any:
            model.AddAtSolutionCallback(lambda: state.pressed and model.CancelSearch())
            state._searching += 1
            try:
                return solve(model, *args)
            finally:
                state._searching -= 1

        return stoppable

    def __enter__(self) -> _RoutingInterrupts:
        if threading.current_thread() is not threading.main_thread():
            return self
        from ortools.constraint_solver import pywrapcp

        cls = pywrapcp.RoutingModel
        for name in ("SolveWithParameters", "SolveFromAssignmentWithParameters"):
            self._saved[name] = cls.__dict__[name]
            setattr(cls, name, self._wrap(self._saved[name]))
        self._handler = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handler is not None:
            signal.signal(signal.SIGINT, self._handler)
            self._handler = None
        if self._saved:
            from ortools.constraint_solver import pywrapcp

            for name, fn in self._saved.items():
                setattr(pywrapcp.RoutingModel, name, fn)
            self._saved.clear()


def _quick_runs(rp: RoutingProblem, seed: int) -> RoutingSolution:
    """Constructive runs for a base after Ctrl-C (OR-Tools' start, a short search)."""
    sol = solve_ortools(rp, time_limit_s=INTERRUPTED_BASE_TIME_S, seed=seed)
    sol.status = "interrupted"
    sol.notes = [*sol.notes, "Ctrl-C: quick constructive runs instead of the full search"]
    return sol


def _line(geo: Geography, ids: list[str]) -> LineString:
    coords: list[tuple[float, float]] = []
    for a, b in itertools.pairwise(ids):
        seg = list(geo.matrix.geometry(a, b).coords)
        coords.extend(seg if not coords else seg[1:])
    if len(coords) < 2:
        coords = coords * 2
    return LineString(coords)


def assemble_plan(
    inputs: Inputs,
    geo: Geography,
    design: NetworkDesign,
    solutions: list[tuple[RoutingProblem, RoutingSolution]],
) -> Plan:
    """Turn the stages' results into a :class:`Plan` (tables, geometries, KPIs).

    Parameters
    ----------
    inputs, geo
        The prepared scenario and its geography.
    design
        Stage 1's network design.
    solutions
        Stage 2's ``(problem, solution)`` of every base.

    Returns
    -------
    Plan
        Tables as documented in :mod:`revlog.plan`; KPIs as in :data:`revlog.plan.KPI_UNITS`.
    """
    sc = inputs.scenario
    periods = sc.routing.periods_per_year
    risk_weight = float(sc.solver.risk_weight_cny_per_person)
    frames = design.to_frames()
    sites = geo.sites.set_index("site_id")
    m = geo.matrix

    fac = frames["facilities"].rename(columns={"id": "site_id"})
    cand = inputs.candidates.set_index("site_id")
    fac["name"] = [sites.loc[i, "name"] for i in fac["site_id"]]
    fac["province"] = [sites.loc[i, "province"] for i in fac["site_id"]]
    fac["existing"] = [
        bool(cand.loc[i, "existing"]) if i in cand.index else True for i in fac["site_id"]
    ]
    fac["utilisation"] = np.where(
        fac["capacity_t"] > 0, fac["throughput_t"] / fac["capacity_t"], 0.0
    )
    outlets = gpd.GeoDataFrame(
        {
            "site_id": fac["site_id"],
            "name": fac["name"],
            "kind": fac["kind"],
            "prefecture": fac["prefecture"],
            "province": fac["province"],
            "open": fac["open"].astype(bool),
            "existing": fac["existing"],
            "throughput_t_per_year": fac["throughput_t"],
            "capacity_t_per_year": fac["capacity_t"],
            "utilisation": fac["utilisation"],
            "fixed_cost_cny_per_year": fac["fixed_cost_cny"],
        },
        geometry=[Point(sites.loc[i, "lon"], sites.loc[i, "lat"]) for i in fac["site_id"]],
        crs=CRS,
    )

    a = frames["assignments"]
    src = inputs.sources.set_index("source_id")
    assignments = gpd.GeoDataFrame(
        {
            "source_id": a["source_id"],
            "source_name": [src.loc[s, "name"] for s in a["source_id"]],
            "source_kind": [src.loc[s, "kind"] for s in a["source_id"]],
            "facility_id": a["facility_id"],
            "share": a["fraction"],
            "supply_t_per_year": a["tonnes_t"],
            "damaged_t_per_year": [src.loc[s, "damaged_t_per_year"] for s in a["source_id"]],
            "km": [
                m.km[m.index(s), m.index(f)]
                for s, f in zip(a["source_id"], a["facility_id"], strict=True)
            ],
            "cost_cny_per_year": a["cost_cny"],
        },
        geometry=[
            _line(geo, [s, f]) for s, f in zip(a["source_id"], a["facility_id"], strict=True)
        ],
        crs=CRS,
    )

    f = frames["flows"]
    payload_t = LINE_HAUL_PAYLOAD_T
    lh_t = f["tonnes_t"].to_numpy(float)
    pairs = list(zip(f["from_id"], f["to_id"], strict=True))
    linehauls = gpd.GeoDataFrame(
        {
            "from_id": f["from_id"],
            "to_id": f["to_id"],
            "t_per_year": lh_t,
            "km": [m.km[m.index(x), m.index(y)] for x, y in pairs],
            "trips_per_year": np.ceil(lh_t / payload_t - 1e-9),
            "payload_t": payload_t,
            "cost_cny_per_year": f["cost_cny"],
            "exposure_persons_per_year": [
                m.exposure[m.index(x), m.index(y)] / payload_t * t
                for (x, y), t in zip(pairs, lh_t, strict=True)
            ],
        },
        geometry=[_line(geo, [x, y]) for x, y in pairs],
        crs=CRS,
    )

    run_rows, stop_rows, break_rows, run_geoms, stop_geoms = [], [], [], [], []
    dropped: list[str] = []
    routing_meta: dict[str, dict] = {}
    timings: dict[str, float] = {
        "location build": design.build_seconds,
        "location solve": design.solve_seconds,
        "geography": geo.seconds,
    }
    served_t = 0.0
    for rp, sol in solutions:
        dropped.extend(rp.node_ids[i] for i in sol.dropped)
        routing_meta[rp.name] = {
            "stops": rp.n_nodes - 1,
            "runs": sol.n_runs,
            "dropped": [rp.node_ids[i] for i in sol.dropped],
            "objective_cny": sol.objective_cny,
            "fixed_cny": sol.fixed_cny,
            "distance_cny": sol.distance_cny,
            "risk_cny": sol.risk_cny,
            "penalty_cny": sol.penalty_cny,
            "status": sol.status,
            "engine": sol.engine,
        }
        timings[f"routing {rp.name}"] = sol.seconds
        for r, run in enumerate(sol.runs):
            run_id = f"{rp.name}/{r + 1:03d}"
            ids = [site_of(s.node_id) for s in run.stops]
            last = run.stops[-1]
            served_t += (last.load_intact_kg + last.load_damaged_kg) / 1000.0
            drive_h = float(
                sum(rp.hours[i, j] for i, j in itertools.pairwise([s.node for s in run.stops]))
            )
            run_rows.append(
                {
                    "run_id": run_id,
                    "base_id": rp.name,
                    "vehicle_type": run.vehicle_type,
                    "vehicle": run.vehicle,
                    "trip": run.trip,
                    "days": int(run.stops[-1].day - run.stops[0].day + 1),
                    "stops": len(run.stops) - 2,
                    "start_h": run.start_h,
                    "end_h": run.end_h,
                    "km": run.km,
                    "drive_h": drive_h,
                    "duty_h": run.hours,
                    "intact_kg": last.load_intact_kg,
                    "damaged_kg": last.load_damaged_kg,
                    "cost_cny": run.cost_cny,
                    "exposure_persons": run.exposure,
                }
            )
            run_geoms.append(_line(geo, ids))
            prev_i = prev_d = 0.0
            for seq, s in enumerate(run.stops):
                inner = 0 < seq < len(run.stops) - 1
                stop_rows.append(
                    {
                        "run_id": run_id,
                        "seq": seq,
                        "node_id": s.node_id,
                        "name": sites.loc[site_of(s.node_id), "name"],
                        "day": s.day,
                        "arrival_h": s.arrival_h,
                        "start_h": s.start_h,
                        "departure_h": s.departure_h,
                        "pickup_intact_kg": s.load_intact_kg - prev_i if inner else 0.0,
                        "pickup_damaged_kg": s.load_damaged_kg - prev_d if inner else 0.0,
                        "load_intact_kg": s.load_intact_kg,
                        "load_damaged_kg": s.load_damaged_kg,
                    }
                )
                prev_i, prev_d = s.load_intact_kg, s.load_damaged_kg
                stop_geoms.append(Point(*sites.loc[site_of(s.node_id), ["lon", "lat"]]))
            for b in run.breaks:
                break_rows.append(
                    {
                        "run_id": run_id,
                        "start_h": b.start_h,
                        "duration_h": b.duration_h,
                        "kind": b.kind,
                    }
                )
    routes = gpd.GeoDataFrame(
        pd.DataFrame(run_rows, columns=PLAN_COLUMNS["routes"]),
        geometry=gpd.GeoSeries(run_geoms, crs=CRS),
        crs=CRS,
    )
    stops = gpd.GeoDataFrame(
        pd.DataFrame(stop_rows, columns=PLAN_COLUMNS["stops"]),
        geometry=gpd.GeoSeries(stop_geoms, crs=CRS),
        crs=CRS,
    )
    breaks = pd.DataFrame(break_rows, columns=PLAN_COLUMNS["breaks"])

    pickup_period = float(sum(s.fixed_cny + s.distance_cny for _, s in solutions))
    route_exposure = float(routes["exposure_persons"].sum())
    line_haul_exposure = float(linehauls["exposure_persons_per_year"].sum())
    risk_year = risk_weight * (route_exposure * periods + line_haul_exposure)
    supply = inputs.total_supply_t
    collected = served_t * periods
    kpis = pd.Series(
        {
            "total_cost_cny_per_year": design.cost_fixed_cny
            + pickup_period * periods
            + design.cost_line_haul_cny
            + risk_year,
            "fixed_cost_cny_per_year": design.cost_fixed_cny,
            "pickup_cost_cny_per_year": pickup_period * periods,
            "line_haul_cost_cny_per_year": design.cost_line_haul_cny,
            "risk_cost_cny_per_year": risk_year,
            "pickup_cost_cny_per_period": pickup_period,
            "location_objective_cny_per_year": design.objective_cny,
            "supply_t_per_year": supply,
            "collected_t_per_year": collected,
            "served_share": (collected / supply) if supply > 0 else 1.0,
            "t_km_per_year": float(
                (assignments["supply_t_per_year"] * assignments["km"]).sum()
                + (linehauls["t_per_year"] * linehauls["km"]).sum()
            ),
            "vehicle_km_per_period": float(routes["km"].sum()),
            "vehicle_km_per_year": float(routes["km"].sum()) * periods,
            "runs_per_period": len(routes),
            "vehicles_used": int(
                routes[["base_id", "vehicle_type", "vehicle"]].drop_duplicates().shape[0]
            ),
            "route_exposure_persons_per_period": route_exposure,
            "outlets_open": int((outlets["open"] & (outlets["kind"] != "plant")).sum()),
            "dropped_stops": len(dropped),
            "location_status": design.status,
            "location_gap": float(design.gap),
            "routing_status": ",".join(sorted({s.status for _, s in solutions})) or "none",
        },
        dtype=object,
    )
    meta = {
        "scenario": sc.name,
        "scenario_file": str(sc.path) if sc.path else "",
        "planning_year": sc.planning_year,
        "periods_per_year": periods,
        "days_per_period": sc.routing.days_per_period,
        "matrix_provider": geo.matrix.provider,
        "location": {
            "status": design.status,
            "proven_optimal": bool(design.proven_optimal),
            "objective_cny": design.objective_cny,
            "cost_fixed_cny": design.cost_fixed_cny,
            "cost_first_mile_cny": design.cost_first_mile_cny,
            "cost_line_haul_cny": design.cost_line_haul_cny,
            "cost_risk_cny": design.cost_risk_cny,
            "bound_cny": float(design.bound_cny),
            "gap": float(design.gap),
        },
        "routing": routing_meta,
        "dropped_stops": sorted(dropped),
        "timings_s": timings,
    }
    return Plan(
        name=sc.name,
        outlets=outlets,
        assignments=assignments,
        linehauls=linehauls,
        routes=routes,
        stops=stops,
        breaks=breaks,
        kpis=kpis,
        meta=meta,
    )
