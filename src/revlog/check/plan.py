"""Independent check of a saved plan against its scenario, without any solver.

The scenario is prepared again (:func:`revlog.inputs.prepare`), the geography, the
location problem and every base's routing problem are rebuilt with the solver-free
builders of :mod:`revlog.problems`, and the plan's tables are read back into the stages'
decisions:

* stage 1 — the outlets opened, each source's facility and the forwarded tonnes — is
  checked by :func:`revlog.check.design.check_design` (single sourcing, only open
  facilities, capacities, flow balance, forced openings, one collection outlet per
  prefecture, budget, outlet limit, objective parts recomputed), and the tables' own
  figures (km, costs, throughputs) are recomputed from the matrix;
* line-hauls — the rules restated here: the vehicle type is stationed at one end of the
  flow, its trips carry the tonnes within its payload and the damaged tonnes within its
  certified boxes, cost and exposure recomputed from the fleet and the matrix;
* stock — every outlet's stock over the year rebuilt from the runs and the line-haul trips
  (``shipments``): within its limit at every moment, empty at the year's end, its peak as
  stated (:func:`revlog.check.stock.check_stock`);
* stage 2 — each base's runs, stops and breaks — is checked by
  :func:`revlog.check.routes.check_routes` (coverage, loads, capacities, windows, service
  times, drivable legs, breaks, the 4 h rule, the night ban, duty limits, multi-trip
  rests, km, exposure and costs recomputed), and the run table's totals against the stops;
* the KPIs are recomputed from the checked figures.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from revlog.check.cadence import check_cadence
from revlog.check.design import check_design
from revlog.check.figures import close as _close
from revlog.check.figures import kpi_errors
from revlog.check.files import check_geojson_files
from revlog.check.loop import check_loop
from revlog.check.routes import check_routes, run_cost_parts
from revlog.check.stock import check_stock
from revlog.inputs import Inputs, prepare
from revlog.location.problem import LocationProblem
from revlog.plan.schema import OUTLET_KINDS
from revlog.problems import (
    Geography,
    build_geography,
    dropped_label,
    fleet_at,
    location_problem,
    problem_label,
    round_problems,
    site_of,
)
from revlog.routing.solution import Break, RoutingSolution, Run, Stop
from revlog.scenario.load import load_scenario
from revlog.scenario.schema import Scenario
from revlog.units import KG_PER_T, MIN_PER_H

_REL = 1e-6


def check(
    plan: Any, scenario: Scenario | str | Path, folder: str | Path | None = None
) -> list[str]:
    """List every way in which a plan violates its scenario.

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan` (typically read back with ``Plan.load``) or the path
        of a plan folder.
    scenario
        The :class:`~revlog.scenario.schema.Scenario` it was solved from, or its file.
    folder
        The plan folder ``plan`` was read from (implied when ``plan`` is a path): its
        GeoJSON files are checked against the tables too
        (:func:`revlog.check.files.check_geojson_files`).

    Returns
    -------
    list of str
        One line per violation, each starting with the stage (``stage 1:``,
        ``line-hauls:``, ``stage 2: base X:``, ``kpis:``, ``tables:``, ``files:``); empty
        when the plan is feasible, its figures are right and its files agree.

    Raises
    ------
    revlog.errors.ScenarioError
        If the scenario itself is invalid.
    """
    from revlog.plan import Plan

    if isinstance(plan, str | Path):
        folder = plan
        plan = Plan.load(plan)
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    inputs = prepare(sc)
    return check_prepared(plan, inputs, build_geography(inputs), folder)


def check_prepared(
    plan: Any, inputs: Inputs, geo: Geography, folder: str | Path | None = None
) -> list[str]:
    """:func:`check` against prepared inputs and their geography (one year of a horizon).

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan`.
    inputs, geo
        The scenario's inputs (:func:`revlog.inputs.prepare`, or a year's inputs of
        :func:`revlog.horizon.problem.year_inputs`) and :func:`build_geography` of them.
    folder
        As :func:`check`.

    Returns
    -------
    list of str
        As :func:`check`.
    """
    errs = [f"tables: {e}" for e in _check_tables(plan)]
    if errs:
        return errs
    if folder is not None:
        errs += [f"files: {e}" for e in check_geojson_files(plan, folder)]
    p = location_problem(inputs, geo)
    if plan.meta.get("location_arcs") == "fleet":  # a design on arcs priced by the fleet
        from revlog.location.first_mile import fleet_first_mile

        p = dataclasses.replace(p, arc_cost_cny=fleet_first_mile(inputs, geo, p).arc_cost_cny)
    open_mask, e_out = _check_outlets(plan, p)
    x, e_asg = _check_assignments(plan, inputs, geo, p)
    flow, e_lh = _check_linehauls(plan, inputs, geo, p)
    errs += [f"stage 1: {e}" for e in e_out + e_asg + _check_design(plan, p, open_mask, x, flow)]
    errs += [f"line-hauls: {e}" for e in e_lh]
    errs += [f"stock: {e}" for e in check_stock(plan, inputs, geo)]
    stage2, recomputed = _check_stage2(plan, inputs, geo)
    errs += [f"stage 2: {e}" for e in stage2]
    errs += [f"cadence: {e}" for e in check_cadence(plan, inputs)]
    errs += [f"kpis: {e}" for e in _check_kpis(plan, inputs, recomputed)]
    if inputs.scenario.loop.enabled:
        errs += [f"loop: {e}" for e in check_loop(plan, inputs, geo, p)]
    return errs


# ---------------------------------------------------------------------------- tables
def _check_tables(plan: Any) -> list[str]:
    from revlog.plan import COLUMNS

    errs = []
    for name, cols in COLUMNS.items():
        table = getattr(plan, name, None)
        if table is None:
            errs.append(f"missing column: no {name} table")
            continue
        missing = [c for c in cols if c not in table.columns and c != "name"]
        if missing:
            errs.append(f"missing column: {name} lacks {', '.join(missing)}")
    return errs


# ---------------------------------------------------------------------------- stage 1
def _truthy(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    return bool(v)


def _check_outlets(plan: Any, p: LocationProblem) -> tuple[np.ndarray, list[str]]:
    """The open facilities of the outlets table; its kinds, capacities and costs checked."""
    errs: list[str] = []
    fid = [str(f) for f in p.facility_ids]
    fpos = {f: i for i, f in enumerate(fid)}
    open_mask = np.zeros(p.n_facilities, dtype=bool)
    seen = set()
    for o in plan.outlets.itertuples(index=False):
        sid = str(o.site_id)
        if sid not in fpos:
            errs.append(f"outlet {sid} is not a candidate site or the plant of the scenario")
            continue
        if sid in seen:
            errs.append(f"outlet {sid} listed twice")
        seen.add(sid)
        i = fpos[sid]
        open_mask[i] = _truthy(o.open)
        if str(o.kind) != str(p.facility_kind[i]):
            errs.append(f"outlet {sid} has kind {o.kind}, the scenario says {p.facility_kind[i]}")
        if not _close(o.capacity_t_per_year, p.capacity_t[i]):
            errs.append(
                f"outlet {sid}: capacity {float(o.capacity_t_per_year):.6g} t/year, the "
                f"scenario gives {p.capacity_t[i]:.6g}"
            )
        if not _close(o.fixed_cost_cny_per_year, p.fixed_cost_cny[i]):
            errs.append(
                f"outlet {sid}: fixed cost {float(o.fixed_cost_cny_per_year):.6g} CNY/year, "
                f"the scenario gives {p.fixed_cost_cny[i]:.6g}"
            )
    errs += [f"site {f} missing from the outlets table" for f in sorted(set(fid) - seen)]
    return open_mask, errs


def _check_assignments(
    plan: Any, inputs: Inputs, geo: Geography, p: LocationProblem
) -> tuple[np.ndarray, list[str]]:
    """Shares per assignment arc; single sourcing, permitted arcs, km and costs checked."""
    sc = inputs.scenario
    errs: list[str] = []
    fpos = {str(f): i for i, f in enumerate(p.facility_ids)}
    spos = {str(s): i for i, s in enumerate(p.source_ids)}
    arc_of = {
        (int(s), int(f)): a
        for a, (s, f) in enumerate(zip(p.arc_source, p.arc_facility, strict=True))
    }
    x = np.zeros(p.n_arcs)
    count: dict[str, int] = defaultdict(int)
    for r in plan.assignments.itertuples(index=False):
        s, f = str(r.source_id), str(r.facility_id)
        count[s] += 1
        if s not in spos or f not in fpos:
            errs.append(f"assignment of {s} to {f}: unknown source or facility")
            continue
        a = arc_of.get((spos[s], fpos[f]))
        km = geo.leg(s, f)[0]
        if a is None:
            errs.append(
                f"source {s} assigned to {f}, which is not a permitted arc ({km:.1f} km by "
                f"permitted roads, service radius {sc.location.service_radius_km:g} km"
                f"{'' if sc.location.direct_to_plant else ', no direct delivery to the plant'})"
            )
            continue
        share = float(r.share)
        x[a] += share
        supply = p.supply_t[spos[s]]
        if not _close(r.supply_t_per_year, supply * share):
            errs.append(
                f"source {s}: {float(r.supply_t_per_year):.6g} t/year in the plan, the "
                f"scenario gives {supply * share:.6g}"
            )
        if not _close(r.km, km):
            errs.append(f"assignment {s} -> {f}: {float(r.km):.6g} km, matrix {km:.6g} km")
        if not _close(r.cost_cny_per_year, p.arc_cost_cny[a] * share):
            errs.append(
                f"assignment {s} -> {f}: cost {float(r.cost_cny_per_year):.6g} CNY/year, "
                f"recomputed {p.arc_cost_cny[a] * share:.6g}"
            )
    errs += [
        f"single sourcing: source {s} appears in {c} assignments" for s, c in count.items() if c > 1
    ]
    errs += [
        f"source {s} is not assigned to any facility"
        for s in p.source_ids
        if count.get(str(s), 0) == 0 and p.supply_t[spos[str(s)]] > 0
    ]
    return x, errs


def _inbound_t(
    plan: Any, inputs: Inputs, kinds: dict[str, str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Damaged tonnes per year entering each facility, and all tonnes less those it sends
    on to second-life users (which carry no damaged packs), from the sources and flows."""
    src = inputs.sources.set_index("source_id")["damaged_t_per_year"]
    damaged: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for r in plan.assignments.itertuples(index=False):
        damaged[str(r.facility_id)] += float(src.get(str(r.source_id), 0.0)) * float(r.share)
        total[str(r.facility_id)] += float(r.supply_t_per_year)
    graded: dict[str, float] = defaultdict(float)  # tonnes sent on to second-life users
    for r in plan.linehauls.itertuples(index=False):
        if kinds.get(str(r.to_id)) == "second_life":
            graded[str(r.from_id)] += float(r.t_per_year)
    rank = {"collection": 0, "storage": 1, "plant": 2}
    order = sorted(
        plan.linehauls.itertuples(index=False),
        key=lambda r: rank.get(kinds.get(str(r.from_id), ""), 3),
    )
    for r in order:  # collection -> storage -> plant: a flow's origin is complete first
        a, b, t = str(r.from_id), str(r.to_id), float(r.t_per_year)
        if kinds.get(b) != "second_life":  # second-life users take no damaged packs
            kept = total[a] - graded[a]
            damaged[b] += damaged[a] / kept * t if kept > 1e-12 else 0.0
        total[b] += t
    return damaged, {f: total[f] - graded[f] for f in total}


def _check_linehauls(
    plan: Any, inputs: Inputs, geo: Geography, p: LocationProblem
) -> tuple[np.ndarray, list[str]]:
    """Tonnes per forwarding arc; the line-haul rules restated on every row."""
    sc = inputs.scenario
    errs: list[str] = []
    fpos = {str(f): i for i, f in enumerate(p.facility_ids)}
    kinds = {str(f): str(k) for f, k in zip(p.facility_ids, p.facility_kind, strict=True)}
    fwd_of = {
        (int(a), int(b)): i for i, (a, b) in enumerate(zip(p.fwd_from, p.fwd_to, strict=True))
    }
    damaged_in, total_in = _inbound_t(plan, inputs, kinds)
    flow = np.zeros(p.n_forwarding)
    for r in plan.linehauls.itertuples(index=False):
        a, b = str(r.from_id), str(r.to_id)
        tag = f"{a} -> {b}"
        i = fwd_of.get((fpos[a], fpos[b])) if a in fpos and b in fpos else None
        if i is None:
            errs.append(f"{tag}: not a permitted forwarding arc")
            continue
        t = float(r.t_per_year)
        flow[i] += t
        km, leg_h, leg_exposure = geo.leg(a, b)
        if not _close(r.km, km):
            errs.append(f"{tag}: {float(r.km):.6g} km, matrix {km:.6g} km")
        fleet = {v.id: v for v in fleet_at(sc, b, kinds[b]) + fleet_at(sc, a, kinds[a])}
        vt = fleet.get(str(r.vehicle_type))
        if vt is None:
            errs.append(f"{tag}: vehicle type {r.vehicle_type} is stationed at neither end")
            continue
        if not _close(r.payload_t, vt.payload_kg / KG_PER_T):
            errs.append(
                f"{tag}: payload {float(r.payload_t):g} t, {vt.id} carries {vt.payload_kg:g} kg"
            )
        trips = int(r.trips_per_year)
        need_kg = t * KG_PER_T
        if trips * vt.payload_kg < need_kg - 1e-6 * max(1.0, need_kg):
            errs.append(f"{tag}: {trips} trips of {vt.payload_kg:g} kg cannot carry {t:.6g} t/year")
        dmg_kg = damaged_in[a] / total_in[a] * need_kg if total_in[a] > 1e-12 else 0.0
        if kinds[b] == "second_life":
            dmg_kg = 0.0
        if dmg_kg > 1e-6 and trips * vt.damaged_capacity_kg < dmg_kg - 1e-6 * max(1.0, dmg_kg):
            errs.append(
                f"{tag}: {dmg_kg:.6g} kg/year of damaged packs exceed {trips} trips of "
                f"{vt.damaged_capacity_kg:g} kg of certified boxes"
            )
        errs += _linehaul_trip(tag, r, leg_h, sc.rules)
        # a line-haul drives empty to the sender and back loaded: fixed cost + round trip,
        # the crew's hours on duty and a rest for every day after the first
        days, duty = int(r.days_per_trip), float(r.duty_h_per_trip)
        cost = trips * (
            vt.fixed_cost_cny
            + 2.0 * km * vt.cost_cny_per_km
            + duty * vt.cost_cny_per_h
            + (days - 1) * vt.cost_cny_per_rest
        )
        if not _close(r.cost_cny_per_year, cost):
            errs.append(
                f"{tag}: cost {float(r.cost_cny_per_year):.6g} CNY/year, recomputed {cost:.6g}"
            )
        want_exp = trips * leg_exposure
        if not _close(r.exposure_persons_per_year, want_exp):
            errs.append(
                f"{tag}: exposure {float(r.exposure_persons_per_year):.6g} persons/year, "
                f"recomputed {want_exp:.6g}"
            )
    return flow, errs


def _linehaul_trip(tag: str, r: Any, hours_one_way: float, rules: Any) -> list[str]:
    """A line-haul trip's duty: both ways' driving and a break after every full stretch
    of continuous driving; its days: as many duty periods as that takes."""
    drive = 2.0 * float(hours_one_way)
    duty = drive
    if rules.max_driving_h is not None and drive > 0:
        duty += (math.ceil(drive / rules.max_driving_h - 1e-9) - 1) * rules.break_min / MIN_PER_H
    days = (
        1 if rules.duty_h_per_day is None else max(1, math.ceil(duty / rules.duty_h_per_day - 1e-9))
    )
    errs = []
    if not _close(r.duty_h_per_trip, duty):
        errs.append(
            f"{tag}: {float(r.duty_h_per_trip):.6g} h on duty a trip, recomputed {duty:.6g}"
        )
    if int(r.days_per_trip) != days:
        errs.append(f"{tag}: {int(r.days_per_trip)} days a trip, recomputed {days}")
    return errs


def _check_design(
    plan: Any, p: LocationProblem, open_mask: np.ndarray, x: np.ndarray, flow: np.ndarray
) -> list[str]:
    """The outlets' throughputs and the design as stage 1's checker sees it."""
    errs = []
    fid = [str(f) for f in p.facility_ids]
    fpos = {f: i for i, f in enumerate(fid)}
    inbound = np.bincount(p.arc_facility, weights=x * p.supply_t[p.arc_source], minlength=len(fid))
    if p.n_forwarding:
        inbound = inbound + np.bincount(p.fwd_to, weights=flow, minlength=len(fid))
    for o in plan.outlets.itertuples(index=False):
        i = fpos.get(str(o.site_id))
        if i is not None and not _close(o.throughput_t_per_year, inbound[i], abs_tol=1e-5):
            errs.append(
                f"outlet {o.site_id}: throughput {float(o.throughput_t_per_year):.6g} t/year, "
                f"recomputed {inbound[i]:.6g}"
            )
    loc = dict(plan.meta.get("location") or {})
    design = SimpleNamespace(
        open_mask=open_mask,
        assignment=x,
        flow_t=flow,
        objective_cny=float(loc.get("objective_cny", np.nan)),
        cost_fixed_cny=float(loc.get("cost_fixed_cny", np.nan)),
        cost_first_mile_cny=float(loc.get("cost_first_mile_cny", np.nan)),
        cost_line_haul_cny=float(loc.get("cost_line_haul_cny", np.nan)),
        cost_risk_cny=float(loc.get("cost_risk_cny", np.nan)),
        bound_cny=float(loc.get("bound_cny", -math.inf)),
        status=str(loc.get("status", "")),
        proven_optimal=bool(loc.get("proven_optimal", False)),
    )
    return errs + check_design(p, design)


# ---------------------------------------------------------------------------- stage 2
def _run_of(r: Any, st: pd.DataFrame, brk: pd.DataFrame | None, node: dict[str, int]) -> Run:
    """A run rebuilt from its row in ``routes``, its ``stops`` and its ``breaks``."""
    stops = [
        Stop(
            node=node[str(s.node_id)],
            node_id=str(s.node_id),
            arrival_h=float(s.arrival_h),
            start_h=float(s.start_h),
            departure_h=float(s.departure_h),
            load_intact_kg=float(s.load_intact_kg),
            load_damaged_kg=float(s.load_damaged_kg),
            day=int(s.day),
        )
        for s in st.itertuples(index=False)
    ]
    breaks = (
        [
            Break(float(b.start_h), float(b.duration_h), str(b.kind), str(b.place))
            for b in brk.itertuples(index=False)
        ]  # type: ignore[arg-type]
        if brk is not None
        else []
    )
    return Run(
        vehicle_type=str(r.vehicle_type),
        vehicle=int(r.vehicle),
        trip=int(r.trip),
        stops=stops,
        breaks=sorted(breaks, key=lambda b: b.start_h),
        km=float(r.km),
        hours=float(r.end_h) - float(r.start_h),
        exposure=float(r.exposure_persons),
        cost_cny=float(r.cost_cny),
    )


def _check_stage2(plan: Any, inputs: Inputs, geo: Geography) -> tuple[list[str], dict[str, float]]:
    """Every base's runs rebuilt and checked; the totals recomputed for the KPIs."""
    errs: list[str] = []
    kinds = {str(o.site_id): str(o.kind) for o in plan.outlets.itertuples(index=False)}
    by_base: dict[str, list[str]] = defaultdict(list)
    for r in plan.assignments.itertuples(index=False):
        by_base[str(r.facility_id)].append(str(r.source_id))
    routes, stops = plan.routes, plan.stops
    dropped_all = set(map(str, plan.meta.get("dropped_stops") or []))
    # per year: each run counted as often as it is driven
    totals = dict.fromkeys(("cost", "risk", "exposure", "served_kg", "visits", "runs", "km"), 0.0)
    for base in sorted(set(routes["base_id"].astype(str)) - set(by_base)):
        errs.append(f"runs from {base}, which has no sources assigned")
    for rid in sorted(set(stops["run_id"].astype(str)) - set(routes["run_id"].astype(str))):
        errs.append(f"stops of run {rid}, which is not in the routes table")
    stops_of = {str(k): g.sort_values("seq") for k, g in stops.groupby("run_id", sort=False)}
    breaks_of = {str(k): g for k, g in plan.breaks.groupby("run_id", sort=False)}
    info = plan.meta.get("routing") or {}
    labels_seen: set[str] = set()
    for base in sorted(b for b in by_base if b in kinds):
        args = (inputs, geo, base, kinds[base], sorted(set(by_base[base])))
        joint = round_problems(*args)
        split = None
        for k, rp in enumerate(joint):
            label = problem_label(rp)
            labels_seen.add(label)
            if (info.get(label) or {}).get("split"):
                split = split if split is not None else round_problems(*args, split=True)
                rp = split[k]
            errs += [
                f"base {label}: {e}"
                for e in _check_base(plan, rp, stops_of, breaks_of, dropped_all, totals)
            ]
    run_labels = {
        f"{b}/r{int(r) + 1:02d}" if t == 1 and inputs.scenario.routing.cadence == "by_stock" else b
        for b, r, t in zip(
            routes["base_id"], routes["round"], routes["times_per_year"], strict=True
        )
    }
    for label in sorted(run_labels - labels_seen):
        errs.append(f"runs of {label}, a base or round with no visits")
    dropped_all = {d.split("@", 1)[0] for d in dropped_all}
    for d in sorted({site_of(d) for d in dropped_all} - {s for v in by_base.values() for s in v}):
        errs.append(f"dropped stop {d} is not an assigned source")
    errs += _check_shop_hours(stops, inputs.scenario)
    return errs, totals


def _check_shop_hours(stops: pd.DataFrame, sc: Scenario) -> list[str]:
    """Every pickup starts on a working day while the shop is open and, unless
    ``routing.service_ends_by_closing`` is off, ends by its closing hour."""
    rt = sc.routing
    lo, hi = rt.shop_hours.open_h, rt.shop_hours.close_h
    errs = []
    inner = stops[stops["pickup_intact_kg"] + stops["pickup_damaged_kg"] > 0]
    for s in inner.itertuples(index=False):
        day = math.floor(float(s.start_h) / 24.0)
        start, end = float(s.start_h) - 24.0 * day, float(s.departure_h) - 24.0 * day
        where = f"run {s.run_id}: stop {s.node_id}"
        if day >= rt.working_days or not lo - 1e-6 <= start <= hi + 1e-6:
            errs.append(f"{where} served from {start:.2f} h on day {day}, outside shop hours")
        elif rt.service_ends_by_closing and end > hi + 1e-6:
            errs.append(f"{where} served until {end:.2f} h, after the shop closes at {hi:g} h")
    return errs


def _check_base(
    plan: Any,
    rp: Any,
    stops_of: dict[str, pd.DataFrame],
    breaks_of: dict[str, pd.DataFrame],
    dropped_all: set[str],
    totals: dict[str, float],
) -> list[str]:
    """One base's runs against its rebuilt routing problem (and added to ``totals``)."""
    if not rp.vehicle_types:
        return [f"{rp.n_nodes - 1} sources assigned but no vehicle stationed there"]
    errs: list[str] = []
    node = {nid: i for i, nid in enumerate(rp.node_ids)}
    label = problem_label(rp)
    base_runs = plan.routes[plan.routes["base_id"].astype(str) == rp.name]
    if "round" in rp.meta:
        base_runs = base_runs[base_runs["round"].astype(int) == int(rp.meta["round"])]
    base_runs = base_runs.sort_values("run_id")
    weight = int(rp.meta["times_per_year"])
    for r in base_runs.itertuples(index=False):
        if int(r.times_per_year) != weight:
            errs.append(
                f"run {r.run_id} is driven {int(r.times_per_year)} times a year, not {weight}"
            )
    runs: list[Run] = []
    unreadable = False  # a run that cannot be rebuilt: its base's runs are not checked further
    for r in base_runs.itertuples(index=False):
        rid = str(r.run_id)
        st = stops_of.get(rid)
        if st is None or len(st) == 0:
            errs.append(f"run {rid} has no stops")
            unreadable = True
            continue
        seqs = list(st["seq"].astype(int))
        if seqs != list(range(len(seqs))):
            errs.append(f"run {rid} stop sequence {seqs} is not 0, 1, 2, …")
        strangers = sorted(set(st["node_id"].astype(str)) - set(node))
        if strangers:
            errs.append(f"run {rid} visits {', '.join(strangers)}, not assigned to {rp.name}")
            unreadable = True
            continue
        run = _run_of(r, st, breaks_of.get(rid), node)
        runs.append(run)
        errs += [f"run {rid}: {e}" for e in _run_row(r, st, run, rp)]
    if unreadable:
        return errs
    named = {dropped_label(rp, i): i for i in range(1, rp.n_nodes)}
    dropped = sorted(named[d] for d in dropped_all if d in named)
    info = (plan.meta.get("routing") or {}).get(label, {})
    types = {v.id: v for v in rp.vehicle_types}
    fixed = distance = crew = overnight = expo = 0.0
    for run in runs:
        legs = list(itertools.pairwise([s.node for s in run.stops]))
        vt = types.get(run.vehicle_type)
        if vt is not None:
            parts = run_cost_parts(vt, run, float(sum(rp.km[i, j] for i, j in legs)))
            fixed, distance = fixed + parts[0], distance + parts[1]
            crew, overnight = crew + parts[2], overnight + parts[3]
        if rp.exposure is not None:
            expo += float(sum(rp.exposure[i, j] for i, j in legs))
        totals["served_kg"] += weight * (
            run.stops[-1].load_intact_kg + run.stops[-1].load_damaged_kg
        )
        totals["visits"] += weight * (len(run.stops) - 2)
    risk = rp.risk_weight_cny_per_person * expo
    penalty = float(rp.drop_penalty_cny or 0.0) * len(dropped)
    used = {(run.vehicle_type, run.vehicle) for run in runs if run.vehicle_type in types}
    owned = sum(float(types[t].ownership_cost_cny) for t, _ in used)
    sol = RoutingSolution(
        runs=runs,
        dropped=dropped,
        fixed_cny=float(info.get("fixed_cny", fixed)),
        distance_cny=float(info.get("distance_cny", distance)),
        crew_cny=float(info.get("crew_cny", crew)),
        overnight_cny=float(info.get("overnight_cny", overnight)),
        risk_cny=float(info.get("risk_cny", risk)),
        penalty_cny=float(info.get("penalty_cny", penalty)),
        ownership_cny=float(info.get("ownership_cny", owned)),
        objective_cny=float(
            info.get("objective_cny", fixed + distance + crew + overnight + owned + risk + penalty)
        ),
    )
    labels = [str(x) for x in base_runs["run_id"]]
    errs += check_routes(rp, sol, labels=labels)
    totals["cost"] += weight * (fixed + distance + crew + overnight)
    totals["risk"] += weight * risk
    totals["exposure"] += weight * expo
    totals["runs"] += weight * len(runs)
    totals["km"] += weight * float(base_runs["km"].sum())
    return errs


def _run_row(r: Any, st: pd.DataFrame, run: Run, rp: Any) -> list[str]:
    """The routes table's per-run totals and the stops table's pickups, against the stops."""
    errs = []
    if len(run.stops) < 2:
        return errs
    last = run.stops[-1]
    n_inner = len(run.stops) - 2
    if int(r.stops) != n_inner:
        errs.append(f"routes table says {int(r.stops)} stops, the stops table has {n_inner}")
    for col, want in (
        ("intact_kg", last.load_intact_kg),
        ("damaged_kg", last.load_damaged_kg),
        ("start_h", run.start_h),
        ("end_h", run.end_h),
        (  # on duty: departure to return without the overnight rests
            "duty_h",
            run.end_h
            - run.start_h
            - sum(b.duration_h for b in run.breaks if b.kind == "overnight"),
        ),
    ):
        if not _close(getattr(r, col), want, abs_tol=1e-5):
            errs.append(f"{col} {float(getattr(r, col)):.6g} but the stops give {want:.6g}")
    legs = list(itertools.pairwise([s.node for s in run.stops]))
    drive = float(sum(rp.hours[i, j] for i, j in legs))
    if not _close(r.drive_h, drive, abs_tol=1e-5):
        errs.append(f"drive_h {float(r.drive_h):.6g} but the matrix gives {drive:.6g}")
    days = int(run.stops[-1].day - run.stops[0].day + 1)
    if int(r.days) != days:
        errs.append(f"days {int(r.days)} but the stops span {days}")
    prev_i = prev_d = 0.0
    for k, s in enumerate(st.itertuples(index=False)):
        inner = 0 < k < len(st) - 1
        want_i = float(s.load_intact_kg) - prev_i if inner else 0.0
        want_d = float(s.load_damaged_kg) - prev_d if inner else 0.0
        if not (
            _close(s.pickup_intact_kg, want_i, abs_tol=1e-5)
            and _close(s.pickup_damaged_kg, want_d, abs_tol=1e-5)
        ):
            errs.append(f"stop {k} ({s.node_id}): pickups disagree with the change in load")
        prev_i, prev_d = float(s.load_intact_kg), float(s.load_damaged_kg)
    return errs


# ---------------------------------------------------------------------------- KPIs
def _owned_fleet_cny(sc: Any, routes: pd.DataFrame) -> float:
    """Ownership restated: for every base and vehicle type, the vehicles of the busiest
    round (distinct vehicle numbers in it) × the type's yearly cost."""
    cost = {vt.id: float(vt.cost_cny_per_year) for vt in sc.fleet}
    busiest: dict[tuple[str, str], int] = {}
    vehicles: dict[tuple[str, str, int], set[int]] = defaultdict(set)
    for r in routes.itertuples(index=False):
        vehicles[(str(r.base_id), str(r.vehicle_type), int(r.round))].add(int(r.vehicle))
    for (base, vtype, _), used in vehicles.items():
        busiest[(base, vtype)] = max(busiest.get((base, vtype), 0), len(used))
    return float(sum(n * cost.get(vtype, 0.0) for (_, vtype), n in busiest.items()))


def _check_kpis(plan: Any, inputs: Inputs, t: dict[str, float]) -> list[str]:
    sc = inputs.scenario
    k = plan.kpis
    periods = sc.routing.periods_per_year
    open_ = plan.outlets["open"].map(_truthy)
    fixed_year = float(plan.outlets.loc[open_, "fixed_cost_cny_per_year"].sum())
    line_haul = float(plan.linehauls["cost_cny_per_year"].sum())
    lh_exposure = float(plan.linehauls["exposure_persons_per_year"].sum())
    risk_year = float(sc.solver.risk_weight_cny_per_person) * (t["exposure"] + lh_exposure)
    supply = inputs.total_supply_t
    collected = t["served_kg"] / KG_PER_T
    fleet_year = _owned_fleet_cny(sc, plan.routes)
    want = {
        "total_cost_cny_per_year": fixed_year + t["cost"] + line_haul + risk_year + fleet_year,
        "fleet_cost_cny_per_year": fleet_year,
        "fixed_cost_cny_per_year": fixed_year,
        "pickup_cost_cny_per_year": t["cost"],
        "line_haul_cost_cny_per_year": line_haul,
        "risk_cost_cny_per_year": risk_year,
        "pickup_cost_cny_per_period": t["cost"] / periods,
        "supply_t_per_year": supply,
        "collected_t_per_year": collected,
        "served_share": collected / supply if supply > 0 else 1.0,
        "vehicle_km_per_period": t["km"] / periods,
        "vehicle_km_per_year": t["km"],
        "runs_per_period": t["runs"] / periods,
        "visits_per_year": t["visits"],
        "route_exposure_persons_per_period": t["exposure"] / periods,
        "outlets_open": float((open_ & plan.outlets["kind"].isin(OUTLET_KINDS)).sum()),
        "dropped_stops": float(len(plan.meta.get("dropped_stops") or [])),
    }
    errs = kpi_errors(k, want, _REL, 1e-4)
    short = "served_share" in k.index and float(k["served_share"]) < 1.0 - 1e-6
    if short and not plan.meta.get("dropped_stops"):
        errs.append(
            f"only {float(k['served_share']):.4%} of the supply is collected but no stop "
            "is reported dropped"
        )
    return errs
