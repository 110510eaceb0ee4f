"""The closed loop's arrays, aligned with stage 1's location problem.

Solver-free, so the checker can rebuild what the model was given. Every term the loop adds
to stage 1's objective is linear in the assignment shares ``x`` and the forwarded tonnes
``flow``, so it is stored as one coefficient per assignment arc and per forwarding arc:

* revenue (``loop.revenue``): the plant's material revenue on every tonne reaching the
  plant, the user's price on every tonne line-hauled to a second-life user;
* grading: ``grading.cost_cny_per_t`` on every tonne sent to a second-life user;
* carbon price × CO2 estimate: first mile at the receiving facility's largest vehicle's
  round-trip kg/(t·km), line-hauls at the line-haul vehicle's, the receiving facility's
  electricity, grading's electricity, less the CO2 avoided by second life.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import revlog.loop_defaults as loopd
from revlog.inputs import Inputs
from revlog.location.problem import LocationProblem
from revlog.loop.co2 import (
    FACILITY_KWH_PER_T,
    fleet_by_id,
    grid_kg_co2_per_kwh,
    plant_province,
    round_trip_kg_co2_per_t_km,
)
from revlog.loop.grades import source_grades
from revlog.loop.network import second_life_users
from revlog.problems import Geography, fleet_at, linehaul_vehicle
from revlog.units import KG_PER_T


@dataclass(frozen=True, eq=False)
class LoopProblem:
    """The loop's data for stage 1.

    Attributes
    ----------
    second_life_t
        ``(n_sources,)`` second-life-able tonnes per year of each source.
    is_sl_arc
        ``(n_forwarding,)`` forwarding arcs into a second-life user.
    arc_co2_kg, fwd_co2_kg_per_t
        CO2 estimate of sending a source's whole supply over an assignment arc, kg/year, and
        of one tonne over a forwarding arc, kg/t (facility electricity included, second
        life's avoided CO2 subtracted).
    arc_money_cny, fwd_money_cny_per_t
        Revenues (negative) and grading cost of the same, CNY/year and CNY/t.
    grading_t_per_year
        Grading throughput of a storage outlet, t/year.
    carbon_cny_per_kg
        Carbon price, CNY per kg of CO2.
    """

    second_life_t: np.ndarray
    is_sl_arc: np.ndarray
    arc_co2_kg: np.ndarray
    fwd_co2_kg_per_t: np.ndarray
    arc_money_cny: np.ndarray
    fwd_money_cny_per_t: np.ndarray
    grading_t_per_year: float
    carbon_cny_per_kg: float

    @property
    def has_second_life(self) -> bool:
        """Whether any storage outlet can reach a second-life user."""
        return bool(self.is_sl_arc.any())

    @property
    def arc_objective(self) -> np.ndarray:
        """What the loop adds to the objective per assignment arc, CNY/year."""
        return self.arc_money_cny + self.carbon_cny_per_kg * self.arc_co2_kg

    @property
    def fwd_objective(self) -> np.ndarray:
        """What the loop adds to the objective per forwarded tonne, CNY/t."""
        return self.fwd_money_cny_per_t + self.carbon_cny_per_kg * self.fwd_co2_kg_per_t


def facility_provinces(inputs: Inputs, geo: Geography, p: LocationProblem) -> np.ndarray:
    """The province of each facility of ``p`` (the plant's from its nearest candidate)."""
    prov = geo.sites.set_index("site_id")["province"]
    plant = plant_province(inputs.plant, inputs.candidates)
    return np.array(
        [
            plant if k == "plant" else str(prov[f])
            for f, k in zip(p.facility_ids, p.facility_kind, strict=True)
        ],
        dtype=object,
    )


def facility_kg_co2_per_t(inputs: Inputs, geo: Geography, p: LocationProblem) -> np.ndarray:
    """Electricity CO2 of one tonne entering each facility, kg/t."""
    prov = facility_provinces(inputs, geo, p)
    return np.array(
        [
            FACILITY_KWH_PER_T[str(k)] * grid_kg_co2_per_kwh(str(q))
            for k, q in zip(p.facility_kind, prov, strict=True)
        ]
    )


def loop_problem(inputs: Inputs, geo: Geography, p: LocationProblem) -> LoopProblem:
    """Build the loop's arrays for a location problem (see the module docstring)."""
    sc = inputs.scenario
    fleet = fleet_by_id(sc)
    grades = source_grades(sc, inputs.geodata, inputs.sources).set_index("source_id")
    sl_t = grades.loc[list(p.source_ids), "second_life_t_per_year"].to_numpy(float)
    kinds = p.facility_kind
    ids = [str(f) for f in p.facility_ids]
    fac_co2 = facility_kg_co2_per_t(inputs, geo, p)
    prov = facility_provinces(inputs, geo, p)

    # first mile: the receiving facility's largest vehicle out full, back empty
    fm = []
    for f, k in zip(ids, kinds, strict=True):
        here = fleet_at(sc, f, str(k))
        biggest = max(here, key=lambda v: (v.payload_kg, v.id)) if here else None
        fm.append(round_trip_kg_co2_per_t_km(fleet[biggest.id]) if biggest else 0.0)
    fm_t_km = np.array(fm)
    km_arc = np.array(
        [geo.leg(str(p.source_ids[s]), ids[f])[0] for s, f in
         zip(p.arc_source, p.arc_facility, strict=True)]
    )  # fmt: skip
    supply = p.arc_supply_t
    arc_co2 = supply * (km_arc * fm_t_km[p.arc_facility] + fac_co2[p.arc_facility])

    is_sl = kinds[p.fwd_to] == "second_life" if p.n_forwarding else np.zeros(0, dtype=bool)
    fwd_co2 = np.zeros(p.n_forwarding)
    for i, (a, b) in enumerate(zip(p.fwd_from, p.fwd_to, strict=True)):
        truck = linehaul_vehicle(sc, ids[a], str(kinds[a]), ids[b], str(kinds[b]))
        rate = round_trip_kg_co2_per_t_km(fleet[truck.id]) if truck is not None else 0.0
        fwd_co2[i] = geo.leg(ids[a], ids[b])[0] * rate + fac_co2[b]
        if is_sl[i]:
            grading = loopd.GRADING_KWH_PER_T * grid_kg_co2_per_kwh(str(prov[a]))
            fwd_co2[i] += grading - sc.loop.co2_avoided_kg_per_t

    to_plant = kinds == "plant"
    arc_money = np.zeros(p.n_arcs)
    fwd_money = np.where(is_sl, sc.grading.cost_cny_per_t, 0.0)
    if sc.loop.revenue:
        rev = sc.loop.plant_revenue_cny_per_t
        arc_money -= np.where(to_plant[p.arc_facility], rev * supply, 0.0)
        price = _user_prices(inputs, ids)
        fwd_money -= np.where(to_plant[p.fwd_to], rev, 0.0) + price[p.fwd_to]
    return LoopProblem(
        second_life_t=sl_t,
        is_sl_arc=np.asarray(is_sl, dtype=bool),
        arc_co2_kg=arc_co2,
        fwd_co2_kg_per_t=fwd_co2,
        arc_money_cny=arc_money,
        fwd_money_cny_per_t=fwd_money,
        grading_t_per_year=sc.grading.throughput_t_per_year,
        carbon_cny_per_kg=sc.loop.carbon_price_cny_per_t_co2 / KG_PER_T,
    )


def _user_prices(inputs: Inputs, ids: list[str]) -> np.ndarray:
    users = second_life_users(inputs.scenario, inputs.geodata)
    price = dict(zip(users["user_id"], users["price_cny_per_t"], strict=True))
    return np.array([float(price.get(f, 0.0)) for f in ids])
