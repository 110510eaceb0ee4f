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
from revlog.plan.schema import COLUMNS, CRS, OUTLET_KINDS, PANDAS_DTYPES, SCHEMA
from revlog.problems import (
    Geography,
    driving_rules,
    dropped_label,
    linehaul_vehicle,
    problem_label,
    site_of,
)
from revlog.routing.linehaul import LinehaulFlow, LinehaulPlan
from revlog.routing.problem import RoutingProblem
from revlog.routing.solution import RoutingSolution, run_records
from revlog.routing.stock import StockPlan, run_arrivals, stock_linehauls
from revlog.scenario.schema import Scenario
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


def outlets_table(
    inputs: Inputs,
    geo: Geography,
    design: NetworkDesign,
    stock: StockPlan | None = None,
    keep_costs: dict[str, float] | None = None,
) -> gpd.GeoDataFrame:
    """Every candidate site and the plant: open or not, throughput, capacity, fixed cost,
    stock limit, the peak stock over the year (``stock``; 0 without) and what keeping an
    open existing outlet costs against closing it (``keep_costs``; 0 where not priced)."""
    keep = {k: v for k, v in (keep_costs or {}).items() if np.isfinite(v)}
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
            "decision": [str(cand.loc[i, "decision"]) if i in cand.index else "" for i in ids],
            "stock_capacity_t": [
                float(cand.loc[i, "stock_capacity_t"]) if i in cand.index else 0.0 for i in ids
            ],
            "peak_stock_t": [stock.peak_t(i) if stock is not None else 0.0 for i in ids],
            "keep_cost_cny_per_year": [keep.get(i, 0.0) for i in ids],
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


def _not_graded_t(frames: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Tonnes per year through each facility less those sent to second-life users."""
    kinds = dict(zip(frames["facilities"]["id"], frames["facilities"]["kind"], strict=True))
    rest = dict(zip(frames["facilities"]["id"], frames["facilities"]["throughput_t"], strict=True))
    for r in frames["flows"].itertuples(index=False):
        if kinds[r.to_id] == "second_life":
            rest[r.from_id] -= float(r.tonnes_t)
    return rest


def _damaged_share(
    damaged: dict[str, float], rest: dict[str, float], a: str, to_kind: str
) -> float:
    """Damaged share of what facility ``a`` forwards to a facility of kind ``to_kind``.

    Second-life users take graded (intact) packs only; the damaged packs are spread over
    the rest of ``a``'s outflow.
    """
    if to_kind == "second_life":
        return 0.0
    return damaged.get(a, 0.0) / rest[a] if rest.get(a, 0.0) > 1e-12 else 0.0


def damaged_t_by_facility(inputs: Inputs, design: NetworkDesign) -> dict[str, float]:
    """Damaged tonnes per year passing each facility (first mile and forwarded), t."""
    frames = design.to_frames()
    a, flows = frames["assignments"], frames["flows"]
    src = inputs.sources.set_index("source_id")
    damaged: dict[str, float] = {}
    for s, f, share in zip(a["source_id"], a["facility_id"], a["fraction"], strict=True):
        damaged[f] = damaged.get(f, 0.0) + float(src.loc[s, "damaged_t_per_year"]) * share
    rest = _not_graded_t(frames)
    # collection → storage → plant: forward in that order so inbound shares are known
    order = {"collection": 0, "storage": 1, "plant": 2, "second_life": 2}
    kinds = dict(zip(frames["facilities"]["id"], frames["facilities"]["kind"], strict=True))
    for row in sorted(flows.itertuples(index=False), key=lambda r: order[kinds[r.from_id]]):
        share = _damaged_share(damaged, rest, row.from_id, kinds[row.to_id])
        damaged[row.to_id] = damaged.get(row.to_id, 0.0) + share * float(row.tonnes_t)
    return damaged


def linehaul_plan(
    inputs: Inputs, geo: Geography, design: NetworkDesign, routes: pd.DataFrame
) -> tuple[LinehaulPlan, StockPlan]:
    """The line-haul trips of a design's forwarded flows, with vehicles from the fleet, and
    the outlets' stock over the year that sets them off (:mod:`revlog.routing.stock`).

    ``routes`` is the plan's run table: each run adds its load to its base's stock when it
    returns, in every round of the year.

    Raises
    ------
    InfeasibleError
        If a flow has no vehicle type, or damaged packs and no certified-box vehicle.
    """
    sc = inputs.scenario
    frames = design.to_frames()
    kinds = dict(zip(frames["facilities"]["id"], frames["facilities"]["kind"], strict=True))
    rest = _not_graded_t(frames)
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
        share = _damaged_share(damaged, rest, a, kinds[b])
        flows.append(LinehaulFlow(a, b, t, share * t, truck, *geo.leg(a, b)))
    periods = sc.routing.periods_per_year
    arrivals = {
        str(base): run_arrivals(
            zip(
                g["end_h"],
                g["intact_kg"],
                g["damaged_kg"],
                g["round"],
                g["times_per_year"],
                strict=True,
            ),
            periods,
        )
        for base, g in routes.groupby("base_id", sort=True)
    }
    limits = dict(
        zip(inputs.candidates["site_id"], inputs.candidates["stock_capacity_t"], strict=True)
    )
    try:
        return stock_linehauls(flows, arrivals, limits, rules=driving_rules(sc))
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


def shipments_table(stock: StockPlan) -> pd.DataFrame:
    """Every line-haul trip of the year: flow, vehicle, loading and arrival times, load."""
    rows = [
        {
            "from_id": t.origin_id,
            "to_id": t.destination_id,
            "vehicle_type": t.vehicle_id,
            "depart_h": t.depart_h,
            "arrive_h": t.arrive_h,
            "intact_kg": t.intact_t * KG_PER_T,
            "damaged_kg": t.damaged_t * KG_PER_T,
        }
        for t in stock.trips
    ]
    return typed_frame("shipments", rows)


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


def fleet_cost_cny_per_year(sc: Scenario, routes: pd.DataFrame) -> float:
    """Yearly ownership of the vehicles the runs use, CNY/year.

    Per base and vehicle type, the most vehicles used in one round (``every_round``: the
    period's, driven all year; ``by_stock``: the busiest round) are owned, each at its
    type's ``fleet[].cost_cny_per_year``.
    """
    cost = {vt.id: float(vt.cost_cny_per_year) for vt in sc.fleet}
    if not len(routes) or not any(cost.values()):
        return 0.0
    per_round = routes.groupby(["base_id", "vehicle_type", "round"])["vehicle"].nunique()
    owned = per_round.groupby(level=[0, 1]).max()
    return float(sum(int(n) * cost.get(str(t), 0.0) for (_, t), n in owned.items()))


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
    # each round's runs are driven times_per_year a year (every period, or once a year)
    times = routes["times_per_year"].to_numpy(float)
    pickup_year = float(
        sum(
            b.problem.meta.get("times_per_year", periods)
            * (
                b.solution.fixed_cny
                + b.solution.distance_cny
                + b.solution.crew_cny
                + b.solution.overnight_cny
            )
            for b in bases
        )
    )
    exposure_year = float((routes["exposure_persons"] * times).sum())
    risk_year = float(sc.solver.risk_weight_cny_per_person) * (
        exposure_year + float(lh["exposure_persons_per_year"].sum())
    )
    line_haul = float(lh["cost_cny_per_year"].sum())
    fleet_year = fleet_cost_cny_per_year(sc, routes)
    supply = inputs.total_supply_t
    collected = float(((routes["intact_kg"] + routes["damaged_kg"]) * times).sum()) / KG_PER_T
    km_year = float((routes["km"] * times).sum())
    dropped = sum(len(b.solution.dropped) for b in bases)
    values = {
        "total_cost_cny_per_year": design.cost_fixed_cny
        + pickup_year
        + line_haul
        + risk_year
        + fleet_year,
        "fixed_cost_cny_per_year": design.cost_fixed_cny,
        "pickup_cost_cny_per_year": pickup_year,
        "line_haul_cost_cny_per_year": line_haul,
        "risk_cost_cny_per_year": risk_year,
        "fleet_cost_cny_per_year": fleet_year,
        "pickup_cost_cny_per_period": pickup_year / periods,
        "location_objective_cny_per_year": design.objective_cny,
        "supply_t_per_year": supply,
        "collected_t_per_year": collected,
        "served_share": (collected / supply) if supply > 0 else 1.0,
        "t_km_per_year": float(
            (assignments["supply_t_per_year"] * assignments["km"]).sum()
            + (lh["t_per_year"] * lh["km"]).sum()
        ),
        "vehicle_km_per_period": km_year / periods,
        "vehicle_km_per_year": km_year,
        "runs_per_period": float(times.sum()) / periods,
        "visits_per_year": float((routes["stops"] * times).sum()),
        "vehicles_used": routes[["base_id", "vehicle_type", "vehicle"]].drop_duplicates().shape[0],
        "route_exposure_persons_per_period": exposure_year / periods,
        "outlets_open": int((outlets["open"] & outlets["kind"].isin(OUTLET_KINDS)).sum()),
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
        label = problem_label(rp)
        gone = [dropped_label(rp, i) for i in sol.dropped]
        dropped += gone
        routing[label] = {
            "stops": rp.n_nodes - 1,
            "split": bool(rp.meta.get("split", False)),
            "runs": sol.n_runs,
            "dropped": gone,
            "objective_cny": sol.objective_cny,
            "fixed_cny": sol.fixed_cny,
            "distance_cny": sol.distance_cny,
            "crew_cny": sol.crew_cny,
            "overnight_cny": sol.overnight_cny,
            "ownership_cny": sol.ownership_cny,
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
        "cadence": sc.routing.cadence,
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
            **{f"routing {problem_label(b.problem)}": b.solution.seconds for b in bases},
        },
    }


def assemble_plan(
    inputs: Inputs,
    geo: Geography,
    design: NetworkDesign,
    bases: Sequence[BaseRuns],
    meta: dict | None = None,
    keep_costs: dict[str, float] | None = None,
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
    keep_costs
        Stage-1 cost of keeping each open existing outlet against closing it, CNY/year
        (:func:`revlog.location.existing.keep_costs_cny`; ``nan``: it cannot be closed,
        listed in ``meta["existing_outlets_not_priced"]``).

    Returns
    -------
    Plan
        Tables as documented in :mod:`revlog.plan.schema`.
    """
    routes, stops, breaks = run_tables(geo, bases)
    haul, stock = linehaul_plan(inputs, geo, design, routes)
    outlets = outlets_table(inputs, geo, design, stock, keep_costs)
    assignments = assignments_table(inputs, geo, design)
    linehauls = linehauls_table(geo, haul)
    kpis = plan_kpis(inputs, design, linehauls, routes, outlets, assignments, bases)
    return Plan(
        name=inputs.scenario.name,
        outlets=outlets,
        assignments=assignments,
        linehauls=linehauls,
        routes=routes,
        stops=stops,
        breaks=breaks,
        shipments=shipments_table(stock),
        kpis=kpis,
        meta={
            **plan_meta(inputs, geo, design, bases),
            "existing_outlets_not_priced": sorted(
                k for k, v in (keep_costs or {}).items() if not np.isfinite(v)
            ),
            **(meta or {}),
        },
    )
