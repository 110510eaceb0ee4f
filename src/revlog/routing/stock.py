"""Stock over the year at the outlets, and the line-haul trips it sets off.

The plan is periodic: the year has ``periods_per_year`` pickup rounds, round ``k`` starting
at ``k * HOURS_PER_YEAR / periods_per_year`` h, and every round repeats the routed runs of
one period. A run adds its load to its base's stock when it returns (its ``end_h``); a
line-haul trip arriving from a collection outlet adds its load to a storage outlet's stock
when it arrives (departure + the loaded leg's driving hours).

Line-hauls follow the stock (:func:`ship_stock`): just before each arrival, full trucks
leave while the stock fills one (payload, and damaged packs within its certified boxes), and
a line-haul vehicle takes the whole stock away if the arrival would lift it above the
outlet's stock limit (MIIT 2019: :data:`revlog.regulations.COLLECTION_MAX_STOCK_T` for a
collection outlet, a storage outlet's stated capacity); what is left at the end of the year
leaves then (or an hour after the last arrival, when a collection outlet's last trip reaches
a storage outlet after the year's end).
So the trips per year follow from the inflow and the stock limit: a 5 t collection outlet
sends trips of at most 5 t, however large the truck; a storage outlet sends full truckloads.
Line-haul vehicles are assumed to be there when the stock calls for them (their number is
not limited). No solver is involved; :mod:`revlog.check.stock` verifies the result from the
plan's tables.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from revlog.routing.linehaul import (
    LinehaulFlow,
    LinehaulLeg,
    LinehaulPlan,
    round_trip_days,
    round_trip_duty_h,
    runs_needed,
)
from revlog.routing.problem import DrivingRules
from revlog.units import HOURS_PER_YEAR, KG_PER_T

#: Tonnes below which a stock counts as empty.
EMPTY_T = 1e-9
#: The year's last trip leaves at the year's end, or this long after the last arrival when
#: that is later (a collection outlet's last trip reaching a storage outlet), h.
LAST_TRIP_AFTER_H = 1.0
#: Arrivals closer than this are at the same moment, h.
SAME_TIME_H = 1e-5
#: Vehicles arriving at the same moment unload one after another, this far apart, h.
UNLOAD_GAP_H = 0.01


@dataclass(frozen=True)
class Arrival:
    """Packs reaching an outlet: when (h from the start of the year) and how many t."""

    time_h: float
    intact_t: float
    damaged_t: float


@dataclass(frozen=True)
class Trip:
    """One line-haul trip: its flow, when it loads and arrives (h from the start of the
    year), and its load, t."""

    origin_id: str
    destination_id: str
    vehicle_id: str
    depart_h: float
    arrive_h: float
    intact_t: float
    damaged_t: float

    @property
    def load_t(self) -> float:
        """Load of the trip, t."""
        return self.intact_t + self.damaged_t


@dataclass(frozen=True)
class OutletStock:
    """An outlet's stock over the year: its limit, its peak and the tonnes it received."""

    site_id: str
    limit_t: float
    peak_t: float
    inflow_t: float


@dataclass(frozen=True)
class StockPlan:
    """The stock of every outlet that forwards tonnes, and the line-haul trips of the year."""

    outlets: tuple[OutletStock, ...]
    trips: tuple[Trip, ...]

    def peak_t(self, site_id: str) -> float:
        """Peak stock of an outlet over the year, t (0 for a site with no stock)."""
        return next((o.peak_t for o in self.outlets if o.site_id == site_id), 0.0)


def round_start_h(k: int, periods_per_year: int) -> float:
    """Start of pickup round ``k`` (0-based), h from the start of the year."""
    return k * HOURS_PER_YEAR / periods_per_year


def run_arrivals(
    runs: Iterable[tuple[float, float, float, int, int]], periods_per_year: int
) -> list[Arrival]:
    """Arrivals at a base over the year from its runs.

    Parameters
    ----------
    runs
        ``(end_h, intact_kg, damaged_kg, round, times_per_year)`` of each run: when it
        returns to the base (h from the start of its round), what it brings, its round and
        how often a year it is driven (every round when ``times_per_year`` is the rounds a
        year, as under cadence ``every_round``; else only in its own round).
    periods_per_year
        Pickup rounds per year.

    Returns
    -------
    list of Arrival
        In time order.
    """
    out = [
        Arrival(round_start_h(k, periods_per_year) + float(e), i_kg / KG_PER_T, d_kg / KG_PER_T)
        for e, i_kg, d_kg, rnd, times in runs
        for k in (range(periods_per_year) if times >= periods_per_year else [int(rnd)])
        if i_kg + d_kg > 0
    ]
    return sorted(out, key=lambda a: a.time_h)


def _truck_t(intact_t: float, damaged_t: float, payload_t: float, box_t: float) -> float:
    """Most one truck takes of a stock whose damaged share it keeps, t."""
    total = intact_t + damaged_t
    if damaged_t <= EMPTY_T:
        return payload_t
    if box_t <= 0:
        raise ValueError(f"{damaged_t * KG_PER_T:g} kg of damaged packs but no certified boxes")
    return min(payload_t, box_t * total / damaged_t)


def unloading_order(arrivals: Sequence[Arrival]) -> list[Arrival]:
    """Arrivals in time order; those at the same moment (within :data:`SAME_TIME_H`) unload
    one after another, largest first, :data:`UNLOAD_GAP_H` apart."""
    out: list[Arrival] = []
    start, k = -math.inf, 0
    for a in sorted(arrivals, key=lambda a: (a.time_h, -(a.intact_t + a.damaged_t))):
        if a.time_h - start <= SAME_TIME_H:
            k += 1
            a = Arrival(start + k * UNLOAD_GAP_H, a.intact_t, a.damaged_t)
        else:
            start, k = a.time_h, 0
        out.append(a)
    return sorted(out, key=lambda a: a.time_h)


def ship_stock(
    arrivals: Sequence[Arrival], limit_t: float, payload_t: float, box_t: float
) -> tuple[list[tuple[float, float, float]], float]:
    """The line-hauls that keep one outlet's stock within its limit over the year.

    Just before each arrival (at its time), full trucks leave while the stock fills one,
    then the whole stock leaves if the arrival would lift it above ``limit_t``; what is
    left at the end of the year leaves then. Every departure therefore comes before the
    arrival of the same moment (simultaneous arrivals unload one after another,
    :func:`unloading_order`); the last trip leaves
    at the year's end or :data:`LAST_TRIP_AFTER_H` after the last arrival.

    Parameters
    ----------
    arrivals
        What reaches the outlet.
    limit_t
        Stock limit, t.
    payload_t, box_t
        What one line-haul truck carries: payload and certified-box capacity, t.

    Returns
    -------
    shipments : list of tuple
        ``(time_h, intact_t, damaged_t)`` of each truckload, in time order.
    peak_t : float
        Largest stock over the year (right after an arrival), t. Above ``limit_t`` only
        when one arrival alone exceeds it.

    Raises
    ------
    ValueError
        If the stock holds damaged packs and the truck has no certified boxes.
    """
    intact = damaged = peak = 0.0
    out: list[tuple[float, float, float]] = []

    def ship(time_h: float, only_full: bool) -> None:
        nonlocal intact, damaged
        while intact + damaged > EMPTY_T:
            x = _truck_t(intact, damaged, payload_t, box_t)
            total = intact + damaged
            if only_full and total < x - EMPTY_T:
                return
            share = min(1.0, x / total)
            out.append((time_h, intact * share, damaged * share))
            if share >= 1.0:
                intact = damaged = 0.0
            else:
                intact, damaged = intact * (1.0 - share), damaged * (1.0 - share)

    last = 0.0
    for a in unloading_order(arrivals):
        ship(a.time_h, only_full=True)
        if intact + damaged + a.intact_t + a.damaged_t > limit_t + EMPTY_T:
            ship(a.time_h, only_full=False)  # make room before the packs come in
        intact += a.intact_t
        damaged += a.damaged_t
        peak = max(peak, intact + damaged)
        last = a.time_h
    ship(max(HOURS_PER_YEAR, last + LAST_TRIP_AFTER_H), only_full=False)
    return out, peak


def stock_linehauls(
    flows: Sequence[LinehaulFlow],
    arrivals: Mapping[str, Sequence[Arrival]],
    limits_t: Mapping[str, float],
    rules: DrivingRules | None = None,
) -> tuple[LinehaulPlan, StockPlan]:
    """Line-haul trips of a design from the outlets' stock over the year.

    Outlets are taken in flow order (an outlet once every flow into it is known). Each
    shipment of an outlet (:func:`ship_stock`, with the smallest payload and box among its
    outgoing flows' vehicles) is shared among its outgoing flows in proportion to their
    tonnes, one trip per flow.

    Parameters
    ----------
    flows
        The design's forwarded flows with their vehicles and legs (zero flows skipped).
    arrivals
        Pickup-run arrivals per base (:func:`run_arrivals`).
    limits_t
        Stock limit per outlet, t (sites absent: no stock, e.g. the plant).
    rules
        Driver rules (days and hours on duty of a round trip).

    Returns
    -------
    LinehaulPlan
        One leg per flow, ``runs_per_year`` = its trips.
    StockPlan
        Peak stock per outlet and every trip.

    Raises
    ------
    ValueError
        If a flow has damaged packs but its vehicle carries none.
    """
    moving = [f for f in flows if f.t_per_year > 0]
    for f in moving:
        try:
            runs_needed(f.t_per_year, f.damaged_t_per_year, f.vehicle)
        except ValueError as exc:
            raise ValueError(f"line-haul {f.origin_id}->{f.destination_id}: {exc}") from None
    out_of: dict[str, list[LinehaulFlow]] = defaultdict(list)
    for f in moving:
        out_of[f.origin_id].append(f)
    inbox: dict[str, list[Arrival]] = {k: list(v) for k, v in arrivals.items()}
    todo = list(out_of)
    trips: list[Trip] = []
    stocks: list[OutletStock] = []
    while todo:
        feeding = {f.destination_id for f in moving if f.origin_id in todo}
        ready = [o for o in todo if o not in feeding]
        if not ready:  # a cycle cannot come from the allowed echelons; take them in order
            ready = todo[:1]
        for origin in ready:
            todo.remove(origin)
            legs = out_of[origin]
            got = sorted(inbox.get(origin, []), key=lambda a: a.time_h)
            limit = float(limits_t.get(origin, float("inf")))
            payload = min(f.vehicle.payload_kg for f in legs) / KG_PER_T
            box = min(f.vehicle.damaged_capacity_kg for f in legs) / KG_PER_T
            loads, peak = ship_stock(got, limit, payload, box)
            total = sum(f.t_per_year for f in legs)
            stocks.append(
                OutletStock(origin, limit, peak, sum(a.intact_t + a.damaged_t for a in got))
            )
            for time_h, i, d in loads:
                for f in legs:
                    share = f.t_per_year / total
                    trip = Trip(
                        origin, f.destination_id, f.vehicle.id, time_h,
                        time_h + f.hours_one_way, i * share, d * share,
                    )  # fmt: skip
                    trips.append(trip)
                    inbox.setdefault(f.destination_id, []).append(
                        Arrival(trip.arrive_h, trip.intact_t, trip.damaged_t)
                    )
    count: dict[tuple[str, str], int] = defaultdict(int)
    for t in trips:
        count[(t.origin_id, t.destination_id)] += 1
    legs_out = tuple(
        LinehaulLeg(
            f,
            count[(f.origin_id, f.destination_id)],
            round_trip_days(f.hours_one_way, rules),
            round_trip_duty_h(f.hours_one_way, rules),
        )
        for f in moving
    )
    return LinehaulPlan(legs_out), StockPlan(tuple(stocks), tuple(trips))
