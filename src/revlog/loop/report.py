"""The closed loop's figures of a solved plan: KPIs and ``plan.meta["loop"]``.

Revenues (when ``loop.revenue``): each second-life user's price on the tonnes line-hauled
to it, the plant's material revenue on the tonnes it receives. Grading: its cost on every
tonne sent to second life. CO2 (:class:`~revlog.loop.co2.PlanCo2`): the routed runs leg by
leg at their load, the line-haul trips, the facilities' electricity by throughput, grading's
electricity, less second life's avoided CO2. ``net_cost_cny_per_year`` = the plan's
``total_cost_cny_per_year`` + grading − revenues + carbon price × net CO2.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import revlog.loop_defaults as loopd
from revlog.inputs import Inputs
from revlog.loop.co2 import (
    FACILITY_KWH_PER_T,
    PlanCo2,
    grid_kg_co2_per_kwh,
    line_haul_kg_co2_per_year,
    pickup_kg_co2_per_period,
    plant_province,
)
from revlog.loop.grades import source_grades
from revlog.loop.network import second_life_users
from revlog.plan.model import Plan
from revlog.problems import Geography, site_of
from revlog.units import KG_PER_T

if TYPE_CHECKING:
    from revlog.location.solve import NetworkDesign


def plan_co2(
    inputs: Inputs, geo: Geography, plan: Plan, second_life_t: dict[str, float]
) -> PlanCo2:
    """A plan's CO2 from its tables, kg/year.

    Parameters
    ----------
    inputs, geo
        The prepared scenario and its geography (road km between stops).
    plan
        The plan (routes, stops, linehauls, outlets).
    second_life_t
        Tonnes per year sent to second life from each storage outlet (graded there).
    """
    sc = inputs.scenario

    def km_between(a: str, b: str) -> float:
        return geo.leg(site_of(a), site_of(b))[0]

    periods = sc.routing.periods_per_year
    pickup = pickup_kg_co2_per_period(sc, plan.routes, plan.stops, km_between) * periods
    line_haul = line_haul_kg_co2_per_year(sc, plan.linehauls)
    plant_prov = plant_province(inputs.plant, inputs.candidates)
    o = plan.outlets
    facility = float(
        sum(
            float(r.throughput_t_per_year)
            * FACILITY_KWH_PER_T[str(r.kind)]
            * grid_kg_co2_per_kwh(plant_prov if r.kind == "plant" else str(r.province))
            for r in o.itertuples(index=False)
        )
    )
    prov = dict(zip(o["site_id"].astype(str), o["province"].astype(str), strict=True))
    grading = float(
        sum(
            t * loopd.GRADING_KWH_PER_T * grid_kg_co2_per_kwh(prov[f])
            for f, t in second_life_t.items()
        )
    )
    avoided = sum(second_life_t.values()) * sc.loop.co2_avoided_kg_per_t
    return PlanCo2(pickup, line_haul, facility, grading, avoided)


def loop_kpis(inputs: Inputs, geo: Geography, plan: Plan) -> dict[str, float]:
    """The loop's KPIs of a plan, computed from its tables (see the module docstring)."""
    sc = inputs.scenario
    lh = plan.linehauls
    kind = dict(
        zip(plan.outlets["site_id"].astype(str), plan.outlets["kind"].astype(str), strict=True)
    )
    to_user = lh[[kind.get(str(t)) == "second_life" for t in lh["to_id"]]]
    by_storage = to_user.groupby("from_id")["t_per_year"].sum()
    graded = {str(f): float(t) for f, t in by_storage.items()}
    sold = float(to_user["t_per_year"].sum())
    users = second_life_users(sc, inputs.geodata)
    price = dict(
        zip(users["user_id"].astype(str), users["price_cny_per_t"].astype(float), strict=True)
    )
    on = sc.loop.revenue
    sl_rev = float(sum(float(r.t_per_year) * price[str(r.to_id)] for r in to_user.itertuples()))
    plant_t = float(
        plan.outlets.loc[plan.outlets["kind"] == "plant", "throughput_t_per_year"].sum()
    )
    plant_rev = plant_t * sc.loop.plant_revenue_cny_per_t
    if not on:
        sl_rev = plant_rev = 0.0
    grading_cost = sold * sc.grading.cost_cny_per_t
    co2 = plan_co2(inputs, geo, plan, graded)
    carbon = sc.loop.carbon_price_cny_per_t_co2 * co2.net_kg / KG_PER_T
    supply = inputs.total_supply_t
    total = float(plan.kpis["total_cost_cny_per_year"])
    return {
        "net_cost_cny_per_year": total + grading_cost - sl_rev - plant_rev + carbon,
        "grading_cost_cny_per_year": grading_cost,
        "second_life_revenue_cny_per_year": sl_rev,
        "plant_revenue_cny_per_year": plant_rev,
        "carbon_cost_cny_per_year": carbon,
        "second_life_t_per_year": sold,
        "co2_kg_per_year": co2.net_kg,
        "co2_kg_per_t": co2.net_kg / supply if supply > 0 else 0.0,
        "co2_emitted_kg_per_year": co2.emitted_kg,
        "co2_avoided_kg_per_year": co2.avoided_kg,
        "co2_pickup_kg_per_year": co2.pickup_kg,
        "co2_line_haul_kg_per_year": co2.line_haul_kg,
        "co2_facility_kg_per_year": co2.facility_kg + co2.grading_kg,
    }


def loop_meta(inputs: Inputs, design: NetworkDesign) -> dict:
    """``plan.meta["loop"]``: the grade totals and the second-life-able tonnes per arc."""
    sc = inputs.scenario
    p = design.problem
    g = source_grades(sc, inputs.geodata, inputs.sources)
    ext = design.extension
    sl = ext.sl_flow_t if ext is not None else np.zeros(p.n_forwarding)
    ids = [str(f) for f in p.facility_ids]
    flows = [
        {"from_id": ids[int(p.fwd_from[i])], "to_id": ids[int(p.fwd_to[i])], "t_per_year": float(t)}
        for i, t in enumerate(sl)
        if t > 0
    ]
    return {
        "carbon_price_cny_per_t_co2": sc.loop.carbon_price_cny_per_t_co2,
        "revenue": sc.loop.revenue,
        "grades_t_per_year": {
            "second_life": float(g["second_life_t_per_year"].sum()),
            "recycle": float(g["recycle_t_per_year"].sum()),
            "damaged": float(g["damaged_t_per_year"].sum()),
        },
        "second_life_flows": flows,
    }


def with_loop(inputs: Inputs, geo: Geography, design: NetworkDesign, plan: Plan) -> Plan:
    """The plan with the loop's KPIs appended and ``meta["loop"]`` set."""
    extra = pd.Series(loop_kpis(inputs, geo, plan), dtype=float)
    kpis = pd.concat([plan.kpis, extra])
    meta = {**plan.meta, "loop": loop_meta(inputs, design)}
    return dataclasses.replace(plan, kpis=kpis, meta=meta)
