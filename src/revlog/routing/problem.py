"""The routing problem of one base: plain arrays in, no file formats, no solver.

A :class:`RoutingProblem` is what stage 2 hands to the search engine. Node 0 is the
base (the depot: an outlet or the plant); nodes ``1..n-1`` are pickup stops. All
quantities carry their unit in their name; times are hours since the start of the
planning period (for the benchmark readers the "hours" are the instance's abstract
time units, and "km" its distance units).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import revlog.regulations as reg
from revlog.units import MIN_PER_H

Interval = tuple[float, float]


@dataclass(frozen=True)
class VehicleType:
    """A kind of hazmat vehicle stationed at the base.

    Parameters
    ----------
    id
        Identifier, unique within the problem.
    payload_kg
        Total load limit (intact + damaged packs), kg.
    damaged_capacity_kg
        Certified-box capacity for damaged packs, kg (0: carries no damaged packs).
        Damaged kg also count against ``payload_kg``.
    fixed_cost_cny
        Cost of using one vehicle of this type for a run, CNY.
    cost_cny_per_km
        Distance cost, CNY per km.
    count
        Number of vehicles of this type available at the base.
    cost_cny_per_h
        Crew cost (the escort every dangerous-goods vehicle carries) per hour on duty:
        departure to return, overnight rests excepted, CNY per h.
    cost_cny_per_rest
        Cost of an overnight rest away from the base (lodging and meals of the crew), CNY.
    ownership_cost_cny
        Cost of having one vehicle of this type in use in the period solved, CNY: its
        yearly ownership cost spread over the periods of the year
        (:func:`revlog.problems.fleet_at`); paid once per vehicle used, whatever its runs.
    """

    id: str
    payload_kg: float
    damaged_capacity_kg: float = 0.0
    fixed_cost_cny: float = 0.0
    cost_cny_per_km: float = 1.0
    count: int = 1
    cost_cny_per_h: float = 0.0
    cost_cny_per_rest: float = 0.0
    ownership_cost_cny: float = 0.0

    def run_cost_cny(self, km: float, duty_h: float = 0.0, rests: int = 0) -> float:
        """What one run costs: fixed + per km + crew hours on duty + overnight rests, CNY.

        Parameters
        ----------
        km
            Distance driven, km.
        duty_h
            Hours on duty (departure to return without the overnight rests), h.
        rests
            Overnight rests taken.

        Returns
        -------
        float
        """
        return (
            float(self.fixed_cost_cny)
            + float(self.cost_cny_per_km) * km
            + float(self.cost_cny_per_h) * duty_h
            + float(self.cost_cny_per_rest) * rests
        )


@dataclass(frozen=True)
class DrivingRules:
    """Dangerous-goods driver rules (all optional; ``None`` switches a rule off).

    Parameters
    ----------
    max_driving_h
        Longest stretch of driving without a break, h
        (:data:`revlog.regulations.MAX_CONTINUOUS_DRIVING_H`); how the model reads it:
        :class:`revlog.routing.rules.BreakRule`.
    break_h
        Minimum length of that break, h (:data:`revlog.regulations.MIN_DRIVING_BREAK_MIN`).
    duty_h_per_day
        Daily duty limit (driving + service + breaks), h.
    shift_start_h
        Hour of day at which a shift may start (0-24).
    night_ban_h
        ``(start, end)`` hours of day during which the vehicle may not drive, e.g.
        ``(0.0, 6.0)``; ``None`` for no ban.
    max_days
        Longest run in days; runs over more than one day take an overnight rest.
    overnight_rest_h
        Minimum overnight rest between two days of a multi-day run, h.
    allow_multi_trip
        Whether a vehicle may do several runs from the base within the period.
        Successive runs of one vehicle are separate duty periods: each starts at
        least ``overnight_rest_h`` after the previous one returned.
    max_trips_per_vehicle
        With ``allow_multi_trip``, the most runs one vehicle may do in the period;
        ``None``: one per calendar day of the period (capped by the number of stops).
    """

    max_driving_h: float | None = reg.MAX_CONTINUOUS_DRIVING_H
    break_h: float = reg.MIN_DRIVING_BREAK_MIN / MIN_PER_H
    duty_h_per_day: float | None = reg.DEFAULT_DUTY_H_PER_DAY
    shift_start_h: float = reg.DEFAULT_SHIFT_START_H
    night_ban_h: Interval | None = None
    max_days: int = reg.DEFAULT_MAX_DAYS_PER_RUN
    overnight_rest_h: float = reg.DEFAULT_OVERNIGHT_REST_H
    allow_multi_trip: bool = False
    max_trips_per_vehicle: int | None = None


@dataclass
class RoutingProblem:
    """One base, its pickup stops and its fleet, for one planning period.

    Parameters
    ----------
    name
        Name of the problem (base id, or benchmark instance name).
    node_ids
        Node identifiers; ``node_ids[0]`` is the base.
    km
        ``(n, n)`` road distance matrix, km (asymmetric allowed).
    hours
        ``(n, n)`` travel-time matrix at hazmat speed caps, h.
    pickup_intact_kg, pickup_damaged_kg
        ``(n,)`` quantities to pick up at each node (0 at the base), kg.
    service_h
        ``(n,)`` service time at each node, h.
    time_windows_h
        Per node, the intervals (hours since period start) in which service may
        *start*; the base's intervals bound departure and return.
    vehicle_types
        The fleet stationed at the base.
    rules
        Driver rules; ``None`` for none (benchmarks).
    exposure
        ``(n, n)`` population exposure of each leg (persons), or ``None``.
    risk_weight_cny_per_person
        Weight of exposure in the objective, CNY per exposed person.
    drop_penalty_cny
        Penalty for leaving a stop unserved; ``None`` means every stop must be served.
    horizon_h
        Length of the planning period, h.
    lonlat
        ``(n, 2)`` WGS84 coordinates (lon, lat) for output geometry, or ``None``.
    rest_points
        ``rest_points(i, j)``: the places (towns) on the road from node ``i`` to node ``j``
        where a vehicle may rest overnight, as ``(hours of driving from i, place id)`` in
        order, strictly inside the leg; ``None``: only at the stops.
    """

    name: str
    node_ids: list[str]
    km: np.ndarray
    hours: np.ndarray
    pickup_intact_kg: np.ndarray
    pickup_damaged_kg: np.ndarray
    service_h: np.ndarray
    time_windows_h: list[list[Interval]]
    vehicle_types: list[VehicleType]
    rules: DrivingRules | None = None
    exposure: np.ndarray | None = None
    risk_weight_cny_per_person: float = 0.0
    drop_penalty_cny: float | None = None
    horizon_h: float = 168.0
    lonlat: np.ndarray | None = None
    meta: dict = field(default_factory=dict)
    rest_points: Callable[[int, int], list[tuple[float, str]]] | None = None

    def arc_cost_cny(self, vt: VehicleType) -> np.ndarray:
        """What the search prices each arc ``i -> j`` at for a vehicle of type ``vt``, CNY:
        per km, the crew's hours of driving and of service at ``j``, and the risk term.

        The crew's waits, breaks and rests are not in it (they follow from a run's
        schedule); the runs' reported costs are exact (:meth:`VehicleType.run_cost_cny`).
        Arcs without a road are ``inf``.
        """
        km, hours = np.asarray(self.km, dtype=float), np.asarray(self.hours, dtype=float)
        road = np.isfinite(km) & np.isfinite(hours)
        cost = float(vt.cost_cny_per_km) * np.where(road, km, 0.0)
        if vt.cost_cny_per_h:
            crew_h = np.where(road, hours, 0.0) + np.asarray(self.service_h, float)[None, :]
            cost = cost + float(vt.cost_cny_per_h) * crew_h
        if self.exposure is not None and self.risk_weight_cny_per_person:
            expo = np.nan_to_num(np.asarray(self.exposure, float), posinf=0.0)
            cost = cost + self.risk_weight_cny_per_person * expo
        return np.where(road, cost, np.inf)

    def __post_init__(self) -> None:
        ids = [vt.id for vt in self.vehicle_types]
        if len(set(ids)) != len(ids):
            # Runs name their vehicle type by id (solutions, checker, plan tables).
            raise ValueError(f"{self.name}: vehicle type ids are not unique: {ids}")

    @property
    def n_nodes(self) -> int:
        """Number of nodes including the base."""
        return len(self.node_ids)
