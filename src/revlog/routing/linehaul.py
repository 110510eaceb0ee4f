"""Full-truckload line-hauls from outlets to the plant, sized from the stage-1 flows.

A line-haul is a shuttle: the truck leaves the outlet full, drives to the plant and
returns empty. Over a year an outlet forwarding ``F`` t (of which a share is damaged)
needs ``max(ceil(F / payload), ceil(F_damaged / certified_box))`` runs; the runs are
spread evenly over the periods. No solver is involved.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from revlog.routing.problem import DrivingRules, VehicleType


@dataclass(frozen=True)
class LinehaulLeg:
    """The line-haul runs of one origin → destination flow over a year.

    Attributes
    ----------
    origin_id, destination_id
        Outlet and receiving facility (plant or storage outlet).
    flow_t_per_year, damaged_t_per_year
        Tonnes forwarded per year, and of those damaged.
    vehicle_type, payload_kg, damaged_capacity_kg, fixed_cost_cny, cost_cny_per_km
        The truck used.
    runs_per_year
        Full-truckload runs (the last one may be partial).
    runs_per_period
        Average runs per planning period.
    load_kg_per_run, damaged_kg_per_run
        Average load per run, kg.
    km_one_way, hours_one_way
        Road distance and hazmat driving time, origin to destination.
    days_per_run
        Calendar days a round trip takes under the driver rules (1 without rules).
    km_per_year, cost_cny_per_year, exposure_per_year
        Round-trip km, cost (fixed + km) and exposure summed over the year's runs.
    """

    origin_id: str
    destination_id: str
    flow_t_per_year: float
    damaged_t_per_year: float
    vehicle_type: str
    payload_kg: float
    damaged_capacity_kg: float
    fixed_cost_cny: float
    cost_cny_per_km: float
    runs_per_year: int
    runs_per_period: float
    load_kg_per_run: float
    damaged_kg_per_run: float
    km_one_way: float
    hours_one_way: float
    days_per_run: int
    km_per_year: float
    cost_cny_per_year: float
    exposure_per_year: float


@dataclass
class LinehaulPlan:
    """All line-hauls of a network design."""

    legs: list[LinehaulLeg]

    @property
    def runs_per_year(self) -> int:
        """Total runs per year."""
        return sum(leg.runs_per_year for leg in self.legs)

    @property
    def km_per_year(self) -> float:
        """Total km per year."""
        return float(sum(leg.km_per_year for leg in self.legs))

    @property
    def cost_cny_per_year(self) -> float:
        """Total cost per year, CNY."""
        return float(sum(leg.cost_cny_per_year for leg in self.legs))

    def to_frame(self) -> pd.DataFrame:
        """One row per leg, columns as the :class:`LinehaulLeg` attributes."""
        cols = list(LinehaulLeg.__dataclass_fields__)
        return pd.DataFrame([leg.__dict__ for leg in self.legs], columns=cols)


def size_linehauls(
    flows_t_per_year: Iterable[tuple[str, str, float]],
    km: Mapping[tuple[str, str], float],
    hours: Mapping[tuple[str, str], float],
    vehicle: VehicleType,
    damaged_share: float | Mapping[str, float] = 0.0,
    periods_per_year: int = 52,
    rules: DrivingRules | None = None,
    exposure: Mapping[tuple[str, str], float] | None = None,
) -> LinehaulPlan:
    """Size the full-truckload line-hauls of the stage-1 flows.

    Parameters
    ----------
    flows_t_per_year
        ``(origin_id, destination_id, tonnes per year)`` per forwarded flow; zero
        flows are skipped.
    km, hours
        One-way road distance (km) and hazmat driving time (h) per ``(origin,
        destination)``.
    vehicle
        The line-haul truck type.
    damaged_share
        Damaged share of the flow (one value, or per origin id).
    periods_per_year
        Planning periods per year (52 for weekly).
    rules
        Driver rules; a round trip longer than the duty limit spans several days.
    exposure
        One-way population exposure per ``(origin, destination)`` (0 if absent).

    Returns
    -------
    LinehaulPlan

    Raises
    ------
    ValueError
        If a flow has damaged packs but the truck carries none, or a leg has no
        distance or time.
    """
    legs = []
    for origin, dest, tonnes in flows_t_per_year:
        if tonnes <= 0:
            continue
        share = (
            damaged_share.get(origin, 0.0)
            if isinstance(damaged_share, Mapping)
            else float(damaged_share)
        )
        flow_kg = tonnes * 1000.0
        dmg_kg = flow_kg * share
        if dmg_kg > 0 and vehicle.damaged_capacity_kg <= 0:
            raise ValueError(
                f"line-haul {origin}->{dest}: {dmg_kg:g} kg/yr damaged packs but vehicle "
                f"{vehicle.id!r} carries no certified boxes"
            )
        if (origin, dest) not in km or (origin, dest) not in hours:
            raise ValueError(f"line-haul {origin}->{dest}: no distance or travel time")
        runs = math.ceil(flow_kg / vehicle.payload_kg - 1e-9)
        if dmg_kg > 0:
            runs = max(runs, math.ceil(dmg_kg / vehicle.damaged_capacity_kg - 1e-9))
        d_km = float(km[(origin, dest)])
        d_h = float(hours[(origin, dest)])
        days = 1
        if rules is not None and rules.duty_h_per_day is not None:
            need = 2.0 * d_h
            if rules.max_driving_h is not None:
                need += max(0, math.ceil(need / rules.max_driving_h - 1e-9) - 1) * rules.break_h
            days = max(1, math.ceil(need / rules.duty_h_per_day - 1e-9))
        expo = float(exposure.get((origin, dest), 0.0)) if exposure is not None else 0.0
        legs.append(
            LinehaulLeg(
                origin_id=origin,
                destination_id=dest,
                flow_t_per_year=float(tonnes),
                damaged_t_per_year=dmg_kg / 1000.0,
                vehicle_type=vehicle.id,
                payload_kg=vehicle.payload_kg,
                damaged_capacity_kg=vehicle.damaged_capacity_kg,
                fixed_cost_cny=vehicle.fixed_cost_cny,
                cost_cny_per_km=vehicle.cost_cny_per_km,
                runs_per_year=runs,
                runs_per_period=runs / periods_per_year,
                load_kg_per_run=flow_kg / runs,
                damaged_kg_per_run=dmg_kg / runs,
                km_one_way=d_km,
                hours_one_way=d_h,
                days_per_run=days,
                km_per_year=runs * 2.0 * d_km,
                cost_cny_per_year=runs
                * (vehicle.fixed_cost_cny + 2.0 * d_km * vehicle.cost_cny_per_km),
                exposure_per_year=runs * 2.0 * expo,
            )
        )
    return LinehaulPlan(legs)
