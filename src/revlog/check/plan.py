"""Independent check of a saved plan against its scenario, without any solver.

The scenario is prepared again (:func:`revlog.inputs.prepare`), the geography, the
location problem and every base's routing problem are rebuilt with the solver-free
builders of :mod:`revlog.problems`, and the plan's tables are read back into the stages'
decisions:

* stage 1 — the outlets opened, each source's facility and the forwarded tonnes — is
  checked by :func:`revlog.check.design.check_design` (single sourcing, only open
  facilities, capacities, flow balance, forced openings, one collection outlet per
  prefecture, budget, outlet limit, objective parts recomputed), and the tables' own
  figures (km, costs, throughputs, line-haul trips) are recomputed from the matrix;
* stage 2 — each base's runs, stops and breaks — is checked by
  :func:`revlog.check.routes.check_routes` (coverage, loads, capacities, windows, service
  times, drivable legs, breaks, the 4 h rule, the night ban, duty limits, multi-trip
  rests, km, exposure and costs recomputed), and the run table's totals against the stops;
* the KPIs are recomputed from the checked figures.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from revlog.check.design import check_design
from revlog.check.routes import check_routes
from revlog.inputs import Inputs, prepare
from revlog.problems import (
    LINE_HAUL_PAYLOAD_T,
    Geography,
    build_geography,
    location_problem,
    routing_problem,
)
from revlog.routing.solution import Break, RoutingSolution, Run, Stop
from revlog.scenario.load import load_scenario
from revlog.scenario.schema import Scenario

_REL = 1e-6
_RUN_TAG = re.compile(r"run (\d+) ")


def _close(a: float, b: float, rel: float = _REL, abs_tol: float = 1e-6) -> bool:
    return abs(float(a) - float(b)) <= max(abs_tol, rel * max(abs(float(a)), abs(float(b))))


def check(plan: Any, scenario: Scenario | str | Path) -> list[str]:
    """List every way in which a plan violates its scenario.

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan` (typically read back with ``Plan.load``) or the path
        of a plan folder.
    scenario
        The :class:`~revlog.scenario.schema.Scenario` it was solved from, or its file.

    Returns
    -------
    list of str
        One line per violation, each starting with the stage (``stage 1:``,
        ``stage 2: base X:``, ``kpis:``, ``tables:``); empty when the plan is feasible and
        its figures are right.

    Raises
    ------
    revlog.errors.ScenarioError
        If the scenario itself is invalid.
    """
    from revlog.plan import Plan

    if isinstance(plan, str | Path):
        plan = Plan.load(plan)
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    inputs = prepare(sc)
    geo = build_geography(inputs)
    errs: list[str] = []
    errs += [f"tables: {e}" for e in _check_tables(plan)]
    if any(e.startswith("tables: missing column") for e in errs):
        return errs
    stage1 = _check_stage1(plan, inputs, geo)
    errs += [f"stage 1: {e}" for e in stage1]
    stage2, recomputed = _check_stage2(plan, inputs, geo)
    errs += [f"stage 2: {e}" for e in stage2]
    errs += [f"kpis: {e}" for e in _check_kpis(plan, inputs, recomputed)]
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
def _check_stage1(plan: Any, inputs: Inputs, geo: Geography) -> list[str]:
    sc = inputs.scenario
    p = location_problem(inputs, geo)
    m = geo.matrix
    errs: list[str] = []
    fid = [str(f) for f in p.facility_ids]
    fpos = {f: i for i, f in enumerate(fid)}
    spos = {str(s): i for i, s in enumerate(p.source_ids)}

    # outlets opened
    outlets = plan.outlets
    open_mask = np.zeros(p.n_facilities, dtype=bool)
    seen = set()
    for o in outlets.itertuples(index=False):
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
    for f in sorted(set(fid) - seen):
        errs.append(f"site {f} missing from the outlets table")

    # assignments: single sourcing, existing arcs
    arc_of = {
        (int(s), int(f)): a
        for a, (s, f) in enumerate(zip(p.arc_source, p.arc_facility, strict=True))
    }
    x = np.zeros(p.n_arcs)
    count: dict[str, int] = defaultdict(int)
    for r in plan.assignments.itertuples(index=False):
        s, f = str(r.source_id), str(r.facility_id)
        count[s] += 1
        if s not in spos:
            errs.append(f"assignment of unknown source {s}")
            continue
        if f not in fpos:
            errs.append(f"source {s} assigned to unknown facility {f}")
            continue
        a = arc_of.get((spos[s], fpos[f]))
        if a is None:
            km = m.km[m.index(s), m.index(f)]
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
        km = m.km[m.index(s), m.index(f)]
        if not _close(r.km, km):
            errs.append(f"assignment {s} -> {f}: {float(r.km):.6g} km, matrix {km:.6g} km")
        if not _close(r.cost_cny_per_year, p.arc_cost_cny[a] * share):
            errs.append(
                f"assignment {s} -> {f}: cost {float(r.cost_cny_per_year):.6g} CNY/year, "
                f"recomputed {p.arc_cost_cny[a] * share:.6g}"
            )
    for s, c in count.items():
        if c > 1:
            errs.append(f"single sourcing: source {s} appears in {c} assignments")
    for s in p.source_ids:
        if count.get(str(s), 0) == 0 and p.supply_t[spos[str(s)]] > 0:
            errs.append(f"source {s} is not assigned to any facility")

    # line-hauls
    fwd_of = {
        (int(a), int(b)): i for i, (a, b) in enumerate(zip(p.fwd_from, p.fwd_to, strict=True))
    }
    flow = np.zeros(p.n_forwarding)
    for r in plan.linehauls.itertuples(index=False):
        a, b = str(r.from_id), str(r.to_id)
        tag = f"line-haul {a} -> {b}"
        if a not in fpos or b not in fpos:
            errs.append(f"{tag}: unknown facility")
            continue
        i = fwd_of.get((fpos[a], fpos[b]))
        if i is None:
            errs.append(
                f"{tag}: not a permitted forwarding arc ({p.facility_kind[fpos[a]]} -> "
                f"{p.facility_kind[fpos[b]]})"
            )
            continue
        t = float(r.t_per_year)
        flow[i] += t
        km = m.km[m.index(a), m.index(b)]
        if not _close(r.km, km):
            errs.append(f"{tag}: {float(r.km):.6g} km, matrix {km:.6g} km")
        if not _close(r.cost_cny_per_year, p.fwd_cost_cny_per_t[i] * t):
            errs.append(
                f"{tag}: cost {float(r.cost_cny_per_year):.6g} CNY/year, recomputed "
                f"{p.fwd_cost_cny_per_t[i] * t:.6g}"
            )
        payload = float(r.payload_t)
        if payload > LINE_HAUL_PAYLOAD_T + 1e-9:
            errs.append(f"{tag}: payload {payload:g} t exceeds {LINE_HAUL_PAYLOAD_T:g} t")
        if float(r.trips_per_year) * payload < t - 1e-6 * max(1.0, t):
            errs.append(
                f"{tag}: {float(r.trips_per_year):g} trips of {payload:g} t cannot carry "
                f"{t:.6g} t/year"
            )
        want_exp = m.exposure[m.index(a), m.index(b)] / LINE_HAUL_PAYLOAD_T * t
        if "exposure_persons_per_year" in plan.linehauls.columns and not _close(
            r.exposure_persons_per_year, want_exp
        ):
            errs.append(
                f"{tag}: exposure {float(r.exposure_persons_per_year):.6g} persons/year, "
                f"recomputed {want_exp:.6g}"
            )

    # throughputs of the outlets table
    inbound = np.bincount(p.arc_facility, weights=x * p.supply_t[p.arc_source], minlength=len(fid))
    if p.n_forwarding:
        inbound = inbound + np.bincount(p.fwd_to, weights=flow, minlength=len(fid))
    for o in outlets.itertuples(index=False):
        i = fpos.get(str(o.site_id))
        if i is not None and not _close(o.throughput_t_per_year, inbound[i], abs_tol=1e-5):
            errs.append(
                f"outlet {o.site_id}: throughput {float(o.throughput_t_per_year):.6g} t/year, "
                f"recomputed {inbound[i]:.6g}"
            )

    # the design as stage 1's checker sees it
    loc = dict(plan.meta.get("location") or {})
    k = plan.kpis
    design = SimpleNamespace(
        open_mask=open_mask,
        assignment=x,
        flow_t=flow,
        objective_cny=float(loc.get("objective_cny", k.get("location_objective_cny_per_year", 0))),
        cost_fixed_cny=float(loc.get("cost_fixed_cny", k.get("fixed_cost_cny_per_year", 0))),
        cost_first_mile_cny=float(loc.get("cost_first_mile_cny", float(np.dot(p.arc_cost_cny, x)))),
        cost_line_haul_cny=float(
            loc.get("cost_line_haul_cny", k.get("line_haul_cost_cny_per_year", 0))
        ),
        cost_risk_cny=float(loc.get("cost_risk_cny", 0.0)),
        bound_cny=float(loc.get("bound_cny", -math.inf)),
        status=str(loc.get("status", k.get("location_status", ""))),
        proven_optimal=bool(loc.get("proven_optimal", k.get("location_status") == "optimal")),
    )
    errs += check_design(p, design)
    return errs


def _truthy(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    return bool(v)


# ---------------------------------------------------------------------------- stage 2
def _check_stage2(plan: Any, inputs: Inputs, geo: Geography) -> tuple[list[str], dict[str, float]]:
    sc = inputs.scenario
    errs: list[str] = []
    kinds = {str(o.site_id): str(o.kind) for o in plan.outlets.itertuples(index=False)}
    by_base: dict[str, list[str]] = defaultdict(list)
    for r in plan.assignments.itertuples(index=False):
        by_base[str(r.facility_id)].append(str(r.source_id))
    routes = plan.routes
    stops = plan.stops
    breaks = plan.breaks
    routing_meta = plan.meta.get("routing") or {}
    dropped_all = set(map(str, plan.meta.get("dropped_stops") or []))
    totals = {"fixed": 0.0, "distance": 0.0, "risk": 0.0, "exposure": 0.0, "served_kg": 0.0}
    for base in sorted(set(routes["base_id"].astype(str)) - set(by_base)):
        errs.append(f"runs from {base}, which has no sources assigned")
    for rid in sorted(set(stops["run_id"].astype(str)) - set(routes["run_id"].astype(str))):
        errs.append(f"stops of run {rid}, which is not in the routes table")
    stops_of = {str(k): g.sort_values("seq") for k, g in stops.groupby("run_id", sort=False)}
    breaks_of = {str(k): g for k, g in breaks.groupby("run_id", sort=False)}
    for base in sorted(by_base):
        srcs = sorted(set(by_base[base]))
        if base not in kinds:
            continue  # reported by stage 1
        rp = routing_problem(inputs, geo, base, kinds[base], srcs)
        tag = f"base {base}"
        if not rp.vehicle_types:
            errs.append(f"{tag}: {len(srcs)} sources assigned but no vehicle stationed there")
            continue
        node = {nid: i for i, nid in enumerate(rp.node_ids)}
        base_runs = routes[routes["base_id"].astype(str) == base].sort_values("run_id")
        runs: list[Run] = []
        bad = False
        for r in base_runs.itertuples(index=False):
            rid = str(r.run_id)
            st = stops_of.get(rid)
            if st is None or len(st) == 0:
                errs.append(f"{tag}: run {rid} has no stops")
                bad = True
                continue
            seqs = list(st["seq"].astype(int))
            if seqs != list(range(len(seqs))):
                errs.append(f"{tag}: run {rid} stop sequence {seqs} is not 0, 1, 2, …")
            stop_objs = []
            for s in st.itertuples(index=False):
                nid = str(s.node_id)
                if nid not in node:
                    errs.append(f"{tag}: run {rid} visits {nid}, which is not assigned to {base}")
                    bad = True
                    continue
                stop_objs.append(
                    Stop(
                        node=node[nid],
                        node_id=nid,
                        arrival_h=float(s.arrival_h),
                        start_h=float(s.start_h),
                        departure_h=float(s.departure_h),
                        load_intact_kg=float(s.load_intact_kg),
                        load_damaged_kg=float(s.load_damaged_kg),
                        day=int(s.day),
                    )
                )
            brk = breaks_of.get(rid)
            brk_objs = (
                [
                    Break(float(b.start_h), float(b.duration_h), str(b.kind))  # type: ignore[arg-type]
                    for b in brk.itertuples(index=False)
                ]
                if brk is not None
                else []
            )
            run = Run(
                vehicle_type=str(r.vehicle_type),
                vehicle=int(r.vehicle),
                trip=int(r.trip),
                stops=stop_objs,
                breaks=sorted(brk_objs, key=lambda b: b.start_h),
                km=float(r.km),
                hours=float(r.duty_h),
                exposure=float(r.exposure_persons),
                cost_cny=float(r.cost_cny),
            )
            runs.append(run)
            errs += [f"{tag}: run {rid}: {e}" for e in _run_row(r, st, run, rp)]
        if bad:
            continue
        dropped = sorted(node[d] for d in dropped_all if d in node and d != base)
        info = routing_meta.get(base, {})
        # recompute the parts to compare with what the plan reports for this base
        fixed = sum(
            next(v.fixed_cost_cny for v in rp.vehicle_types if v.id == run.vehicle_type)
            for run in runs
            if any(v.id == run.vehicle_type for v in rp.vehicle_types)
        )
        distance = 0.0
        expo = 0.0
        for run in runs:
            vt = next((v for v in rp.vehicle_types if v.id == run.vehicle_type), None)
            legs = list(itertools.pairwise([s.node for s in run.stops]))
            run_km = float(sum(rp.km[i, j] for i, j in legs))
            if vt is not None:
                distance += vt.cost_cny_per_km * run_km
            if rp.exposure is not None:
                expo += float(sum(rp.exposure[i, j] for i, j in legs))
            totals["served_kg"] += run.stops[-1].load_intact_kg + run.stops[-1].load_damaged_kg
        risk = rp.risk_weight_cny_per_person * expo
        penalty = float(rp.drop_penalty_cny or 0.0) * len(dropped)
        sol = RoutingSolution(
            runs=runs,
            dropped=dropped,
            fixed_cny=float(info.get("fixed_cny", fixed)),
            distance_cny=float(info.get("distance_cny", distance)),
            risk_cny=float(info.get("risk_cny", risk)),
            penalty_cny=float(info.get("penalty_cny", penalty)),
            objective_cny=float(info.get("objective_cny", fixed + distance + risk + penalty)),
        )
        run_ids = [str(x) for x in base_runs["run_id"]]
        for e in check_routes(rp, sol):
            hit = _RUN_TAG.match(e)
            if hit and int(hit.group(1)) < len(run_ids):
                e = f"run {run_ids[int(hit.group(1))]} {e[hit.end() :]}"
            errs.append(f"{tag}: {e}")
        totals["fixed"] += fixed
        totals["distance"] += distance
        totals["risk"] += risk
        totals["exposure"] += expo
    unknown_drops = dropped_all - {s for srcs in by_base.values() for s in srcs}
    for d in sorted(unknown_drops):
        errs.append(f"dropped stop {d} is not an assigned source")
    del sc
    return errs, totals


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
        ("duty_h", run.end_h - run.start_h),
    ):
        if not _close(getattr(r, col), want, abs_tol=1e-5):
            errs.append(f"{col} {float(getattr(r, col)):.6g} but the stops give {want:.6g}")
    legs = list(itertools.pairwise([s.node for s in run.stops]))
    if all(0 <= i < rp.n_nodes and 0 <= j < rp.n_nodes for i, j in legs):
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
def _check_kpis(plan: Any, inputs: Inputs, t: dict[str, float]) -> list[str]:
    sc = inputs.scenario
    k = plan.kpis
    periods = sc.routing.periods_per_year
    errs = []
    fixed_year = float(
        plan.outlets.loc[plan.outlets["open"].map(_truthy), "fixed_cost_cny_per_year"].sum()
    )
    line_haul = float(plan.linehauls["cost_cny_per_year"].sum())
    pickup_period = t["fixed"] + t["distance"]
    lh_exposure = (
        float(plan.linehauls["exposure_persons_per_year"].sum())
        if "exposure_persons_per_year" in plan.linehauls.columns
        else 0.0
    )
    risk_year = float(sc.solver.risk_weight_cny_per_person) * (
        t["exposure"] * periods + lh_exposure
    )
    supply = inputs.total_supply_t
    collected = t["served_kg"] / 1000.0 * periods
    want = {
        "total_cost_cny_per_year": fixed_year + pickup_period * periods + line_haul + risk_year,
        "fixed_cost_cny_per_year": fixed_year,
        "pickup_cost_cny_per_year": pickup_period * periods,
        "line_haul_cost_cny_per_year": line_haul,
        "risk_cost_cny_per_year": risk_year,
        "pickup_cost_cny_per_period": pickup_period,
        "supply_t_per_year": supply,
        "collected_t_per_year": collected,
        "served_share": collected / supply if supply > 0 else 1.0,
        "vehicle_km_per_period": float(plan.routes["km"].sum()),
        "runs_per_period": float(len(plan.routes)),
        "route_exposure_persons_per_period": t["exposure"],
        "outlets_open": float(
            (plan.outlets["open"].map(_truthy) & (plan.outlets["kind"] != "plant")).sum()
        ),
        "dropped_stops": float(len(plan.meta.get("dropped_stops") or [])),
    }
    for key, value in want.items():
        if key not in k.index:
            errs.append(f"{key} missing")
        elif not _close(float(k[key]), value, rel=1e-6, abs_tol=1e-4):
            errs.append(f"{key} is {float(k[key]):.10g}, recomputed {value:.10g}")
    if "served_share" in k.index and float(k["served_share"]) < 1.0 - 1e-6:
        dropped = plan.meta.get("dropped_stops") or []
        if not dropped:
            errs.append(
                f"only {float(k['served_share']):.4%} of the supply is collected but no stop "
                "is reported dropped"
            )
    return errs
