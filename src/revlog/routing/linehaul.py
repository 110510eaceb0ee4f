"""Line-hauls between echelons, sized from the stage-1 flows and the fleet.

A line-haul is a shuttle: the truck drives empty to the sending outlet, loads, and
hauls the stock to the receiving facility (plant or storage outlet). Over a year a flow
of ``F`` t, of which ``F_d`` damaged, needs ``max(ceil(F / payload), ceil(F_d / box))``
runs of its vehicle type (``box`` = certified-box capacity); each run costs what any run
of the type costs (:meth:`~revlog.routing.problem.VehicleType.run_cost_cny`): its fixed
cost, the round trip's km, the crew's hours on duty (the round trip's driving and its
breaks) and an overnight rest for each day after the first. No solver is involved.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from revlog.routing.problem import DrivingRules, VehicleType
from revlog.routing.rules import BreakRule
from revlog.units import KG_PER_T


@dataclass(frozen=True)
class LinehaulFlow:
    """One origin → destination flow of a network design, with the vehicle that hauls it.

    Attributes
    ----------
    origin_id, destination_id
        Sending outlet and receiving facility.
    t_per_year, damaged_t_per_year
        Tonnes forwarded per year, and of those damaged.
    vehicle
        The line-haul vehicle type.
    km_one_way, hours_one_way, exposure_one_way
        Road distance, hazmat driving time and population exposure of the loaded leg.
    """

    origin_id: str
    destination_id: str
    t_per_year: float
    damaged_t_per_year: float
    vehicle: VehicleType
    km_one_way: float
    hours_one_way: float
    exposure_one_way: float = 0.0


@dataclass(frozen=True)
class LinehaulLeg:
    """The line-haul runs of one flow over a year.

    Attributes
    ----------
    flow
        The flow hauled.
    runs_per_year
        Runs (all full but possibly the last).
    days_per_run
        Calendar days a round trip takes under the driver rules (1 without rules).
    duty_h_per_run
        Hours on duty of a round trip: driving both ways and its driving breaks, h.
    """

    flow: LinehaulFlow
    runs_per_year: int
    days_per_run: int
    duty_h_per_run: float = 0.0

    @property
    def load_kg_per_run(self) -> float:
        """Average load per run, kg."""
        return self.flow.t_per_year * KG_PER_T / self.runs_per_year if self.runs_per_year else 0.0

    @property
    def damaged_kg_per_run(self) -> float:
        """Average damaged load per run, kg."""
        f = self.flow
        return f.damaged_t_per_year * KG_PER_T / self.runs_per_year if self.runs_per_year else 0.0

    @property
    def km_per_year(self) -> float:
        """Round-trip km over the year's runs."""
        return self.runs_per_year * 2.0 * self.flow.km_one_way

    @property
    def cost_cny_per_run(self) -> float:
        """One round trip: fixed, km both ways, crew hours, overnight rests, CNY."""
        return self.flow.vehicle.run_cost_cny(
            2.0 * self.flow.km_one_way, self.duty_h_per_run, self.days_per_run - 1
        )

    @property
    def cost_cny_per_year(self) -> float:
        """The year's runs, CNY."""
        return self.runs_per_year * self.cost_cny_per_run

    @property
    def exposure_per_year(self) -> float:
        """Population exposure of the loaded legs over the year's runs (persons)."""
        return self.runs_per_year * self.flow.exposure_one_way


@dataclass(frozen=True)
class LinehaulPlan:
    """All line-hauls of a network design."""

    legs: tuple[LinehaulLeg, ...]

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
        """One row per leg: the flow's fields, the vehicle type id, runs, days, km, cost."""
        rows = []
        for leg in self.legs:
            f = leg.flow
            rows.append(
                {
                    "origin_id": f.origin_id,
                    "destination_id": f.destination_id,
                    "t_per_year": f.t_per_year,
                    "damaged_t_per_year": f.damaged_t_per_year,
                    "vehicle_type": f.vehicle.id,
                    "runs_per_year": leg.runs_per_year,
                    "days_per_run": leg.days_per_run,
                    "km_per_year": leg.km_per_year,
                    "cost_cny_per_year": leg.cost_cny_per_year,
                    "exposure_per_year": leg.exposure_per_year,
                }
            )
        return pd.DataFrame(rows)


def runs_needed(t_per_year: float, damaged_t_per_year: float, vehicle: VehicleType) -> int:
    """Runs of ``vehicle`` that carry a yearly flow (payload and certified boxes).

    Raises
    ------
    ValueError
        If the flow has damaged packs but the vehicle carries no certified boxes.
    """
    flow_kg, dmg_kg = t_per_year * KG_PER_T, damaged_t_per_year * KG_PER_T
    if dmg_kg > 1e-9 and vehicle.damaged_capacity_kg <= 0:
        raise ValueError(
            f"{dmg_kg:g} kg/year of damaged packs but vehicle type {vehicle.id!r} carries no "
            "certified boxes"
        )
    runs = math.ceil(flow_kg / vehicle.payload_kg - 1e-9) if flow_kg > 0 else 0
    if dmg_kg > 1e-9:
        runs = max(runs, math.ceil(dmg_kg / vehicle.damaged_capacity_kg - 1e-9))
    return runs


def round_trip_duty_h(hours_one_way: float, rules: DrivingRules | None) -> float:
    """Hours on duty of a line-haul round trip: driving both ways and its breaks, h."""
    need = 2.0 * hours_one_way
    rule = BreakRule.of(rules) if rules is not None else None
    return rule.with_breaks_h(need) if rule is not None else need


def round_trip_days(hours_one_way: float, rules: DrivingRules | None) -> int:
    """Calendar days of a line-haul round trip under the duty limit (its breaks included)."""
    if rules is None or rules.duty_h_per_day is None:
        return 1
    need = round_trip_duty_h(hours_one_way, rules)
    return max(1, math.ceil(need / rules.duty_h_per_day - 1e-9))


def trip_cost_cny(
    vehicle: VehicleType, km_one_way: float, hours_one_way: float, rules: DrivingRules | None
) -> float:
    """What one line-haul round trip costs: fixed, km both ways, crew hours, rests, CNY."""
    return vehicle.run_cost_cny(
        2.0 * km_one_way,
        round_trip_duty_h(hours_one_way, rules),
        round_trip_days(hours_one_way, rules) - 1,
    )


def size_linehauls(
    flows: Iterable[LinehaulFlow], rules: DrivingRules | None = None
) -> LinehaulPlan:
    """Size the line-hauls of the stage-1 flows (zero flows are skipped).

    Parameters
    ----------
    flows
        The flows with their vehicles and legs.
    rules
        Driver rules; a round trip longer than the duty limit spans several days.

    Returns
    -------
    LinehaulPlan

    Raises
    ------
    ValueError
        If a flow has damaged packs but its vehicle carries none.
    """
    legs = []
    for f in flows:
        if f.t_per_year <= 0:
            continue
        try:
            runs = runs_needed(f.t_per_year, f.damaged_t_per_year, f.vehicle)
        except ValueError as exc:
            raise ValueError(f"line-haul {f.origin_id}->{f.destination_id}: {exc}") from None
        legs.append(
            LinehaulLeg(
                f,
                runs,
                round_trip_days(f.hours_one_way, rules),
                round_trip_duty_h(f.hours_one_way, rules),
            )
        )
    return LinehaulPlan(tuple(legs))
