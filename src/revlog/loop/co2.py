"""CO2 of the closed loop: vehicle and facility factors, and a plan's CO2 from its tables.

Vehicles burn diesel linearly in their load between empty and full
(:func:`revlog.loop_defaults.truck_kg_co2_per_km`, or a fleet entry's
``co2_kg_per_km_empty`` / ``co2_kg_per_km_loaded``); facilities use electricity per tonne
handled (:data:`FACILITY_KWH_PER_T`) at their province's grid factor; grading adds
:data:`~revlog.loop_defaults.GRADING_KWH_PER_T` per graded tonne; second life avoids
``loop.co2_avoided_kg_per_t`` per tonne. No solver is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import revlog.loop_defaults as loopd
from revlog.scenario.schema import Scenario, VehicleTypeConfig
from revlog.units import KG_PER_T

#: Electricity per tonne passing each kind of facility, kWh/t (grading excluded).
FACILITY_KWH_PER_T: dict[str, float] = {
    "collection": loopd.COLLECTION_KWH_PER_T,
    "storage": loopd.STORAGE_KWH_PER_T,
    "plant": loopd.PLANT_KWH_PER_T,
    "second_life": 0.0,
}


def vehicle_kg_co2_per_km(vt: VehicleTypeConfig, load_kg: float) -> float:
    """CO2 of a vehicle type per km with ``load_kg`` on board, kg/km (linear in load).

    The fleet entry's ``co2_kg_per_km_empty`` / ``co2_kg_per_km_loaded`` override the
    diesel class of its payload (:func:`revlog.loop_defaults.truck_kg_co2_per_km`).
    """
    empty = vt.co2_kg_per_km_empty
    full = vt.co2_kg_per_km_loaded
    if empty is None:
        empty = loopd.truck_kg_co2_per_km(vt.payload_kg, 0.0)
    if full is None:
        full = loopd.truck_kg_co2_per_km(vt.payload_kg, vt.payload_kg)
    share = min(max(load_kg / vt.payload_kg, 0.0), 1.0)
    return float(empty + (full - empty) * share)


def round_trip_kg_co2_per_t_km(vt: VehicleTypeConfig) -> float:
    """CO2 per tonne-km of a vehicle that goes out full and comes back empty, kg/(t·km)."""
    return (vehicle_kg_co2_per_km(vt, vt.payload_kg) + vehicle_kg_co2_per_km(vt, 0.0)) / (
        vt.payload_kg / KG_PER_T
    )


def grid_kg_co2_per_kwh(province: str) -> float:
    """Grid CO2 factor of a province, kg/kWh (the national factor for one not listed)."""
    return loopd.GRID_KG_CO2_PER_KWH.get(province, loopd.NATIONAL_GRID_KG_CO2_PER_KWH)


def plant_province(plant: pd.DataFrame, candidates: pd.DataFrame) -> str:
    """The plant's province: that of the candidate site nearest to it ('' without any)."""
    if candidates.empty:
        return ""
    d2 = (candidates["lon"].to_numpy(float) - float(plant["lon"].iloc[0])) ** 2 + (
        candidates["lat"].to_numpy(float) - float(plant["lat"].iloc[0])
    ) ** 2
    return str(candidates["province"].iloc[int(np.argmin(d2))])


@dataclass(frozen=True)
class PlanCo2:
    """A plan's CO2 by source, kg/year."""

    pickup_kg: float
    line_haul_kg: float
    facility_kg: float
    grading_kg: float
    avoided_kg: float

    @property
    def emitted_kg(self) -> float:
        """Vehicles and facilities, kg/year."""
        return self.pickup_kg + self.line_haul_kg + self.facility_kg + self.grading_kg

    @property
    def net_kg(self) -> float:
        """Emitted less avoided by second life, kg/year."""
        return self.emitted_kg - self.avoided_kg


def fleet_by_id(sc: Scenario) -> dict[str, VehicleTypeConfig]:
    """The scenario's vehicle types by id."""
    return {vt.id: vt for vt in sc.fleet}


def pickup_kg_co2_per_period(
    sc: Scenario, routes: pd.DataFrame, stops: pd.DataFrame, km_between
) -> float:
    """CO2 of the pickup runs of one period, kg: every leg at the load on board.

    ``km_between(a, b)`` gives the road km between two stops' node ids.
    """
    fleet = fleet_by_id(sc)
    vtype = dict(zip(routes["run_id"], routes["vehicle_type"], strict=True))
    total = 0.0
    for run_id, st in stops.sort_values(["run_id", "seq"]).groupby("run_id", sort=True):
        vt = fleet[str(vtype[run_id])]
        nodes = st["node_id"].astype(str).tolist()
        load = (st["load_intact_kg"] + st["load_damaged_kg"]).to_numpy(float)
        for i in range(len(nodes) - 1):
            total += km_between(nodes[i], nodes[i + 1]) * vehicle_kg_co2_per_km(vt, load[i])
    return total


def line_haul_kg_co2_per_year(sc: Scenario, linehauls: pd.DataFrame) -> float:
    """CO2 of the line-hauls over a year, kg: each trip back empty and out at its mean load."""
    fleet = fleet_by_id(sc)
    total = 0.0
    for r in linehauls.itertuples(index=False):
        trips = int(r.trips_per_year)
        if trips <= 0:
            continue
        vt = fleet[str(r.vehicle_type)]
        load = float(r.t_per_year) * KG_PER_T / trips
        total += (
            trips * float(r.km) * (vehicle_kg_co2_per_km(vt, load) + vehicle_kg_co2_per_km(vt, 0.0))
        )
    return total
