"""A :class:`~revlog.plan.model.Plan` from the stages' results: one function per table.

The tables and their columns are described once, in :mod:`revlog.plan.schema`; each builder
here fills one table from the stage that decides it, and :func:`assemble_plan` puts them
together with the KPIs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString, Point

from revlog.errors import Diagnosis, InfeasibleError
from revlog.inputs import Inputs
from revlog.location.solve import NetworkDesign
from revlog.plan.model import Plan
from revlog.plan.schema import COLUMNS, CRS, PANDAS_DTYPES, SCHEMA
from revlog.problems import Geography, driving_rules, linehaul_vehicle, site_of
from revlog.routing.linehaul import LinehaulFlow, LinehaulPlan, size_linehauls
from revlog.routing.problem import RoutingProblem
from revlog.routing.solution import RoutingSolution, run_records
from revlog.units import KG_PER_T


@dataclass(frozen=True)
class BaseRuns:
    """One base's routing problem and the runs that solve it."""

    problem: RoutingProblem
    solution: RoutingSolution


def typed_frame(table: str, rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """The rows as a DataFrame with the schema's columns, in order, and dtypes."""
    frame = pd.DataFrame(rows, columns=COLUMNS[table])
    return frame.astype({c: PANDAS_DTYPES[t] for c, t in SCHEMA[table].items()})


def _geo(table: str, rows: list[dict] | pd.DataFrame, geoms: list) -> gpd.GeoDataFrame:
    frame = typed_frame(table, rows)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)


def road_line(geo: Geography, ids: Sequence[str]) -> LineString:
    """The road-following LineString through the sites ``ids`` (EPSG:4326)."""
    coords: list[tuple[float, float]] = []
    for a, b in itertools.pairwise(ids):
        seg = list(geo.geometry(a, b).coords)
        coords.extend(seg if not coords else seg[1:])
    if len(coords) < 2:
        coords = coords * 2
    return LineString(coords)


def outlets_table(inputs: Inputs, geo: Geography, design: NetworkDesign) -> gpd.GeoDataFrame:
    """Every candidate site and the plant: open or not, throughput, capacity, fixed cost."""
    fac = design.to_frames()["facilities"]
    sites = geo.sites.set_index("site_id")
    cand = inputs.candidates.set_index("site_id")
    ids = fac["id"].tolist()
    cap = fac["capacity_t"].to_numpy(float)
    rows = pd.DataFrame(
        {
            "site_id": ids,
            "name": [sites.loc[i, "name"] for i in ids],
            "kind": fac["kind"],
            "prefecture": fac["prefecture"],
            "province": [sites.loc[i, "province"] for i in ids],
            "open": fac["open"].astype(bool),
            "existing": [bool(cand.loc[i, "existing"]) if i in cand.index else True for i in ids],
            "throughput_t_per_year": fac["throughput_t"],
            "capacity_t_per_year": cap,
            "utilisation": np.where(cap > 0, fac["throughput_t"] / np.where(cap > 0, cap, 1), 0.0),
            "fixed_cost_cny_per_year": fac["fixed_cost_cny"],
        }
    )
    return _geo("outlets", rows, [Point(sites.loc[i, "lon"], sites.loc[i, "lat"]) for i in ids])


def assignments_table(inputs: Inputs, geo: Geography, design: NetworkDesign) -> gpd.GeoDataFrame:
    """Each source's first-stop facility, its tonnes and stage 1's first-mile estimate."""
    a = design.to_frames()["assignments"]
    src = inputs.sources.set_index("source_id")
    pairs = list(zip(a["source_id"], a["facility_id"], strict=True))
    rows = pd.DataFrame(
        {
            "source_id": a["source_id"],
            "source_name": [src.loc[s, "name"] for s in a["source_id"]],
            "source_kind": [src.loc[s, "kind"] for s in a["source_id"]],
            "facility_id": a["facility_id"],
            "share": a["fraction"],
            "supply_t_per_year": a["tonnes_t"],
            "damaged_t_per_year": [
                src.loc[s, "damaged_t_per_year"] * f
                for s, f in zip(a["source_id"], a["fraction"], strict=True)
            ],
            "km": [geo.leg(s, f)[0] for s, f in pairs],
            "cost_cny_per_year": a["cost_cny"],
        }
    )
    return _geo("assignments", rows, [road_line(geo, p) for p in pairs])


def damaged_t_by_facility(inputs: Inputs, design: NetworkDesign) -> dict[str, float]:
    """Damaged tonnes per year passing each facility (first mile and forwarded), t."""
    frames = design.to_frames()
    a, flows = frames["assignments"], frames["flows"]
    src = inputs.sources.set_index("source_id")
    damaged: dict[str, float] = {}
    for s, f, share in zip(a["source_id"], a["facility_id"], a["fraction"], strict=True):
        damaged[f] = damaged.get(f, 0.0) + float(src.loc[s, "damaged_t_per_year"]) * share
    total = dict(zip(frames["facilities"]["id"], frames["facilities"]["throughput_t"], strict=True))
    # collection → storage → plant: forward in that order so inbound shares are known
    order = {"collection": 0, "storage": 1, "plant": 2}
    kinds = dict(zip(frames["facilities"]["id"], frames["facilities"]["kind"], strict=True))
    for row in sorted(flows.itertuples(index=False), key=lambda r: order[kinds[r.from_id]]):
        share = damaged.get(row.from_id, 0.0) / total[row.from_id] if total[row.from_id] else 0.0
        damaged[row.to_id] = damaged.get(row.to_id, 0.0) + share * float(row.tonnes_t)
    return damaged


def linehaul_plan(inputs: Inputs, geo: Geography, design: NetworkDesign) -> LinehaulPlan:
    """The line-haul runs of a design's forwarded flows, with vehicles from the fleet.

    Raises
    ------
    InfeasibleError
        If a flow has no vehicle type, or damaged packs and no certified-box vehicle.
    """
    sc = inputs.scenario
    frames = design.to_frames()
    kinds = dict(zip(frames["facilities"]["id"], frames["facilities"]["kind"], strict=True))
    total = dict(zip(frames["facilities"]["id"], frames["facilities"]["throughput_t"], strict=True))
    damaged = damaged_t_by_facility(inputs, design)
    flows = []
    for r in frames["flows"].itertuples(index=False):
        a, b = str(r.from_id), str(r.to_id)
        truck = linehaul_vehicle(sc, a, kinds[a], b, kinds[b])
        if truck is None:
            raise InfeasibleError(
                [
                    Diagnosis(
                        "linehaul_without_vehicle",
                        f"line-haul {a} -> {b}: no vehicle type is stationed at either end "
                        "(fleet.*.base)",
                        site=a,
                        setting="fleet.*.base",
                    )
                ],
                stage="line-haul",
            )
        t = float(r.tonnes_t)
        share = damaged.get(a, 0.0) / total[a] if total[a] else 0.0
        flows.append(LinehaulFlow(a, b, t, share * t, truck, *geo.leg(a, b)))
    try:
        return size_linehauls(flows, rules=driving_rules(sc))
    except ValueError as exc:
        raise InfeasibleError(
            [Diagnosis("linehaul_without_box", str(exc), setting="fleet.*.damaged_capacity_kg")],
            stage="line-haul",
        ) from None


def linehauls_table(geo: Geography, plan: LinehaulPlan) -> gpd.GeoDataFrame:
    """One row per forwarded flow: tonnes, km, the vehicle, its trips, cost and exposure."""
    rows = [
        {
            "from_id": leg.flow.origin_id,
            "to_id": leg.flow.destination_id,
            "t_per_year": leg.flow.t_per_year,
            "km": leg.flow.km_one_way,
            "vehicle_type": leg.flow.vehicle.id,
            "trips_per_year": leg.runs_per_year,
            "payload_t": leg.flow.vehicle.payload_kg / KG_PER_T,
            "days_per_trip": leg.days_per_run,
            "duty_h_per_trip": leg.duty_h_per_run,
            "cost_cny_per_year": leg.cost_cny_per_year,
            "exposure_persons_per_year": leg.exposure_per_year,
        }
        for leg in plan.legs
    ]
    geoms = [road_line(geo, [leg.flow.origin_id, leg.flow.destination_id]) for leg in plan.legs]
    return _geo("linehauls", rows, geoms)


def run_tables(
    geo: Geography, bases: Sequence[BaseRuns]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """The ``routes``, ``stops`` and ``breaks`` tables of every base's runs."""
    names = geo.sites.set_index("site_id")["name"]
    lonlat = geo.sites.set_index("site_id")[["lon", "lat"]]
    routes, stops, breaks, run_geoms, stop_geoms = [], [], [], [], []
    for b in bases:
        rr, ss, bb = run_records(b.problem, b.solution)
        routes += rr
        breaks += bb
        for s in ss:
            s["name"] = names[site_of(s["node_id"])]
            stop_geoms.append(Point(*lonlat.loc[site_of(s["node_id"])]))
        stops += ss
        for run in b.solution.runs:
            run_geoms.append(road_line(geo, [site_of(s.node_id) for s in run.stops]))
    return (
        _geo("routes", routes, run_geoms),
        _geo("stops", stops, stop_geoms),
        typed_frame("breaks", breaks),
    )


def plan_kpis(
    inputs: Inputs,
    design: NetworkDesign,
    lh: gpd.GeoDataFrame,
    routes: gpd.GeoDataFrame,
    outlets: gpd.GeoDataFrame,
    assignments: gpd.GeoDataFrame,
    bases: Sequence[BaseRuns],
) -> pd.Series:
    """The plan's KPIs (see :data:`revlog.plan.schema.KPI_UNITS`), all numbers."""
    sc = inputs.scenario
    periods = sc.routing.periods_per_year
    pickup_period = float(
        sum(
            b.solution.fixed_cny
            + b.solution.distance_cny
            + b.solution.crew_cny
            + b.solution.overnight_cny
            for b in bases
        )
    )
    route_exposure = float(routes["exposure_persons"].sum())
    risk_year = float(sc.solver.risk_weight_cny_per_person) * (
        route_exposure * periods + float(lh["exposure_persons_per_year"].sum())
    )
    line_haul = float(lh["cost_cny_per_year"].sum())
    served_t = float((routes["intact_kg"] + routes["damaged_kg"]).sum()) / KG_PER_T
    supply = inputs.total_supply_t
    collected = served_t * periods
    dropped = sum(len(b.solution.dropped) for b in bases)
    values = {
        "total_cost_cny_per_year": design.cost_fixed_cny
        + pickup_period * periods
        + line_haul
        + risk_year,
        "fixed_cost_cny_per_year": design.cost_fixed_cny,
        "pickup_cost_cny_per_year": pickup_period * periods,
        "line_haul_cost_cny_per_year": line_haul,
        "risk_cost_cny_per_year": risk_year,
        "pickup_cost_cny_per_period": pickup_period,
        "location_objective_cny_per_year": design.objective_cny,
        "supply_t_per_year": supply,
        "collected_t_per_year": collected,
        "served_share": (collected / supply) if supply > 0 else 1.0,
        "t_km_per_year": float(
            (assignments["supply_t_per_year"] * assignments["km"]).sum()
            + (lh["t_per_year"] * lh["km"]).sum()
        ),
        "vehicle_km_per_period": float(routes["km"].sum()),
        "vehicle_km_per_year": float(routes["km"].sum()) * periods,
        "runs_per_period": len(routes),
        "vehicles_used": routes[["base_id", "vehicle_type", "vehicle"]].drop_duplicates().shape[0],
        "route_exposure_persons_per_period": route_exposure,
        "outlets_open": int((outlets["open"] & (outlets["kind"] != "plant")).sum()),
        "dropped_stops": dropped,
    }
    return pd.Series(values, dtype=float)


def plan_meta(
    inputs: Inputs, geo: Geography, design: NetworkDesign, bases: Sequence[BaseRuns]
) -> dict:
    """The plan's metadata: scenario, period, stage-1 figures, per-base routing figures."""
    sc = inputs.scenario
    routing = {}
    dropped: list[str] = []
    for b in bases:
        rp, sol = b.problem, b.solution
        gone = [rp.node_ids[i] for i in sol.dropped]
        dropped += gone
        routing[rp.name] = {
            "stops": rp.n_nodes - 1,
            "runs": sol.n_runs,
            "dropped": gone,
            "objective_cny": sol.objective_cny,
            "fixed_cny": sol.fixed_cny,
            "distance_cny": sol.distance_cny,
            "crew_cny": sol.crew_cny,
            "overnight_cny": sol.overnight_cny,
            "risk_cny": sol.risk_cny,
            "penalty_cny": sol.penalty_cny,
            "status": sol.status,
            "engine": sol.engine,
            "clock_hit": sol.clock_hit,
        }
    return {
        "scenario": sc.name,
        "scenario_file": str(sc.path) if sc.path else "",
        "planning_year": sc.planning_year,
        "periods_per_year": sc.routing.periods_per_year,
        "days_per_period": sc.routing.days_per_period,
        "matrix_provider": geo.provider,
        "geometry": "road alignment" if geo.follows_roads else "schematic",
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
        "solver": {
            # stopped by work budgets alone: the same input and seed give the same plan
            "deterministic": design.status == "optimal"
            and not any(b.solution.clock_hit for b in bases),
            "location_status": design.status,
            "location_gap": float(design.gap),
            "routing_status": ",".join(sorted({b.solution.status for b in bases})) or "none",
        },
        "routing": routing,
        "dropped_stops": sorted(dropped),
        "timings_s": {
            "location build": design.build_seconds,
            "location solve": design.solve_seconds,
            "geography": geo.seconds,
            **{f"routing {b.problem.name}": b.solution.seconds for b in bases},
        },
    }


def assemble_plan(
    inputs: Inputs,
    geo: Geography,
    design: NetworkDesign,
    bases: Sequence[BaseRuns],
    meta: dict | None = None,
) -> Plan:
    """Turn the stages' results into a :class:`Plan` (tables, geometries, KPIs).

    Parameters
    ----------
    inputs, geo
        The prepared scenario and its geography.
    design
        Stage 1's network design.
    bases
        Stage 2's problem and runs of every base.
    meta
        Extra metadata (seed, time limits, interruption) merged into ``plan.meta``.

    Returns
    -------
    Plan
        Tables as documented in :mod:`revlog.plan.schema`.
    """
    outlets = outlets_table(inputs, geo, design)
    assignments = assignments_table(inputs, geo, design)
    linehauls = linehauls_table(geo, linehaul_plan(inputs, geo, design))
    routes, stops, breaks = run_tables(geo, bases)
    kpis = plan_kpis(inputs, design, linehauls, routes, outlets, assignments, bases)
    return Plan(
        name=inputs.scenario.name,
        outlets=outlets,
        assignments=assignments,
        linehauls=linehauls,
        routes=routes,
        stops=stops,
        breaks=breaks,
        kpis=kpis,
        meta={**plan_meta(inputs, geo, design, bases), **(meta or {})},
    )
