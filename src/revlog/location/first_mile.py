"""A first-mile cost estimate per source → first-stop arc that follows from the fleet.

Stage 1 of ``location.method: lrp`` prices an assignment arc at what its pickups will cost
the base's vehicles a year, instead of a typed-in CNY/t·km (issue 12). For a source ``s``
sent to a facility ``f`` and each vehicle type stationed at ``f`` (within its stock limit;
one with certified boxes when the source hands over damaged packs):

* ``visits`` a year (the cadence, :func:`revlog.cadence.visits_per_year`), each picking up
  ``q = supply / visits``;
* stops per run ``n``: as many visits as the payload holds (``floor(payload / q)``) and the
  duty hours of one run allow (``max_days_per_run × duty_h_per_day`` less the stem driven
  twice, over the time per stop), at least 1; a visit larger than the payload takes
  ``ceil(q / payload)`` runs;
* per visit: the run's fixed cost, the stem (``2 × km``) and its hours shared by ``n``
  stops, plus the local tour: :data:`LOCAL_TOUR_FACTOR` × the distance from ``s`` to its
  nearest other source (great circle × :data:`ROAD_DETOUR`), driven at the stem's speed;
  escort cost per hour on duty (stem share + local leg + service), and one overnight rest
  per extra duty day of the run, shared by its stops;
* the vehicle's ownership (``fleet[].cost_cny_per_year``) per hour on duty: its yearly
  cost over the hours one vehicle can give in a year (:data:`USABLE_HOURS_SHARE` of its
  duty hours), so that a design pays for the fleet it keeps busy — the fleet sized
  continuously here, in whole vehicles by the routing stage.

The arc costs ``visits ×`` the cheapest vehicle type's cost per visit. An arc to a facility
without vehicles keeps the t·km price (``costs.first_mile_cny_per_t_km``). Solver-free and
deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from revlog.cadence import visits_per_year
from revlog.inputs import Inputs
from revlog.location.model import group_indices
from revlog.location.problem import LocationProblem
from revlog.problems import Geography, base_stock_kg, fleet_at, within_stock
from revlog.units import KG_PER_T, MIN_PER_H

#: Local-tour km per stop as a multiple of the distance to the nearest other source
#: (calibrated on the two shipped scenarios against their routed pickup cost).
LOCAL_TOUR_FACTOR = 3.0

#: Local-tour km per stop as a multiple of the stem (stops far from the base lie farther
#: apart: the area a base serves grows with its reach; calibrated like the factor above).
LOCAL_TOUR_STEM_FACTOR = 0.15

#: Road km per great-circle km for the local-tour term (the geography's detour).
ROAD_DETOUR = 1.3

#: Speed of the local tour when the stem has no length to take one from, km/h.
LOCAL_SPEED_KMH = 50.0

#: Share of the fleet's duty hours stage 1 may plan for (the rest: slack for shop hours,
#: breaks and the routing's detours).
USABLE_HOURS_SHARE = 0.8

_EARTH_KM = 6371.0


def nearest_source_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Great-circle km from each source to its nearest other source (0 when alone)."""
    n = len(lon)
    if n < 2:
        return np.zeros(n)
    la, lo = np.radians(lat), np.radians(lon)
    out = np.empty(n)
    for i in range(n):
        h = (
            np.sin((la - la[i]) / 2) ** 2
            + np.cos(la[i]) * np.cos(la) * np.sin((lo - lo[i]) / 2) ** 2
        )
        d = 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        d[i] = math.inf
        out[i] = float(d.min())
    return out


@dataclass(frozen=True)
class FleetFirstMile:
    """The fleet's view of stage 1's assignment arcs.

    Attributes
    ----------
    arc_cost_cny
        Estimated pickup cost per year of each arc, CNY/year.
    arc_vehicle_h
        Vehicle hours on duty per year the arc's visits take, h/year.
    facility_vehicle_h
        Vehicle hours per year the fleet stationed at each facility can give
        (``count × working_days × duty_h_per_day × periods_per_year`` ×
        :data:`USABLE_HOURS_SHARE`), h/year; ``inf`` at a facility without vehicles.
    """

    arc_cost_cny: np.ndarray
    arc_vehicle_h: np.ndarray
    facility_vehicle_h: np.ndarray


def fleet_first_mile(inputs: Inputs, geo: Geography, p: LocationProblem) -> FleetFirstMile:
    """Yearly cost and vehicle hours of every assignment arc, estimated from the fleet.

    Parameters
    ----------
    inputs, geo
        The prepared scenario and its geography.
    p
        Stage 1's problem (:func:`revlog.problems.location_problem`): its arcs.

    Returns
    -------
    FleetFirstMile
    """
    fac_ids = [str(f) for f in p.facility_ids]
    fac_kind = [str(k) for k in p.facility_kind]
    arc_source, arc_facility = p.arc_source, p.arc_facility
    first = geo.to_facilities(inputs.sources["source_id"].astype(str).tolist())
    km, hours = first.km, first.hours
    sc = inputs.scenario
    rt, rules = sc.routing, sc.rules
    src = inputs.sources
    supply_kg = src["supply_t_per_year"].to_numpy(float) * KG_PER_T
    damaged_kg = src["damaged_t_per_year"].to_numpy(float) * KG_PER_T
    per_year = visits_per_year(sc, src)
    visits = np.array([per_year[str(s)] for s in src["source_id"]], dtype=float)
    nn_km = nearest_source_km(src["lon"].to_numpy(float), src["lat"].to_numpy(float))
    local_km = LOCAL_TOUR_FACTOR * ROAD_DETOUR * nn_km
    run_h = rules.duty_h_per_day * rules.max_days_per_run
    fleets = {
        f: within_stock(fleet_at(sc, fac_ids[f], fac_kind[f]), base_stock_kg(inputs, fac_ids[f]))
        for f in sorted(set(int(f) for f in arc_facility))
    }
    out = np.empty(len(arc_source))
    out_h = np.zeros(len(arc_source))
    avail = np.full(len(fac_ids), math.inf)
    # hours one vehicle can give in a year, and so its ownership per hour on duty
    per_vehicle_h = USABLE_HOURS_SHARE * rt.working_days * rules.duty_h_per_day
    per_vehicle_h *= rt.periods_per_year
    for f, fleet in fleets.items():
        if fleet:
            avail[f] = per_vehicle_h * sum(vt.count for vt in fleet)
    for a, (s, f) in enumerate(zip(arc_source.tolist(), arc_facility.tolist(), strict=True)):
        v = visits[s]
        stem_km, stem_h = float(km[s, f]), float(hours[s, f])
        if v <= 0:
            out[a] = 0.0
            continue
        q = supply_kg[s] / v
        q_dmg = damaged_kg[s] / v
        speed = stem_km / stem_h if stem_h > 0 else LOCAL_SPEED_KMH
        # a stop never adds more than the base's round trip to it
        loc_km = min(float(local_km[s]) + LOCAL_TOUR_STEM_FACTOR * stem_km, 2 * stem_km)
        loc_h = loc_km / speed
        packs = math.ceil(q / rt.pack_mass_kg) if q > 0 else 0
        service_h = (rt.service_fixed_min + rt.service_min_per_pack * packs) / MIN_PER_H
        best, best_h = math.inf, 0.0
        for vt in fleets[f]:
            if q_dmg > 0 and vt.damaged_capacity_kg <= 0 and not rt.split_pickups:
                continue
            runs = max(1, math.ceil(q / vt.payload_kg))
            by_load = max(1, math.floor(vt.payload_kg / q)) if q > 0 else 1
            per_stop_h = service_h + loc_h
            by_time = max(1, math.floor((run_h - 2 * stem_h) / per_stop_h)) if per_stop_h else 1
            n = 1 if runs > 1 else min(by_load, by_time)
            duty = 2 * stem_h + n * per_stop_h
            rests = max(0, math.ceil(duty / rules.duty_h_per_day) - 1)
            own_per_h = vt.ownership_cost_cny * rt.periods_per_year / per_vehicle_h
            run_cost = (
                vt.fixed_cost_cny
                + vt.cost_cny_per_km * (2 * stem_km + n * loc_km)
                + (vt.cost_cny_per_h + own_per_h) * duty
                + vt.cost_cny_per_rest * rests
            )
            if runs * run_cost / n < best:
                best, best_h = runs * run_cost / n, runs * duty / n
        if math.isfinite(best):
            out[a], out_h[a] = v * best, v * best_h
        else:
            out[a] = supply_kg[s] / KG_PER_T * stem_km * sc.costs.first_mile_cny_per_t_km
    return FleetFirstMile(out, out_h, avail)


class FleetHours:
    """A stage-1 extension: the arcs' vehicle hours at a facility within what its fleet gives.

    One row per facility with vehicles, ``Σ arc_vehicle_h × x ≤ facility_vehicle_h × y``, so
    that the MILP does not send a base more visits than its vehicles can drive. Wraps an
    inner extension (the closed loop's), whose decisions it reads back.
    """

    def __init__(self, fm: FleetFirstMile, inner: Any = None) -> None:
        self.fm = fm
        self.inner = inner

    def add(self, mdl: Any, p: LocationProblem) -> None:
        """Add the fleet-hours rows (and the inner extension's) to a built model."""
        import pyomo.environ as pyo

        x = list(mdl.x.values())
        y = list(mdl.y.values())
        arcs_in = group_indices(p.arc_facility, p.n_facilities)
        rows = [f for f in range(p.n_facilities) if math.isfinite(self.fm.facility_vehicle_h[f])]

        def hours(_: Any, f: int) -> Any:
            used = [float(self.fm.arc_vehicle_h[a]) * x[a] for a in arcs_in[f]]
            if not used:
                return pyo.Constraint.Skip
            return sum(used) <= float(self.fm.facility_vehicle_h[f]) * y[f]

        mdl.fleet_hours = pyo.Constraint(rows, rule=hours)
        if self.inner is not None:
            self.inner.add(mdl, p)

    def read(self, values: Any, mdl: Any) -> Any:
        """The inner extension's decisions (``None`` without one)."""
        return None if self.inner is None else self.inner.read(values, mdl)
