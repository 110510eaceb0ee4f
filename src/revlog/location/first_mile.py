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
  per extra duty day of the run, shared by its stops.

The arc costs ``visits ×`` the cheapest vehicle type's cost per visit. An arc to a facility
without vehicles keeps the t·km price (``costs.first_mile_cny_per_t_km``). Solver-free and
deterministic.
"""

from __future__ import annotations

import math

import numpy as np

from revlog.cadence import visits_per_year
from revlog.inputs import Inputs
from revlog.problems import base_stock_kg, fleet_at, within_stock
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


def fleet_arc_costs_cny(
    inputs: Inputs,
    fac_ids: list[str],
    fac_kind: list[str],
    arc_source: np.ndarray,
    arc_facility: np.ndarray,
    km: np.ndarray,
    hours: np.ndarray,
) -> np.ndarray:
    """Yearly first-mile cost of every assignment arc, estimated from the fleet.

    Parameters
    ----------
    inputs
        The prepared scenario.
    fac_ids, fac_kind
        Facility ids and kinds (the location problem's facility order).
    arc_source, arc_facility
        The arcs (indices into the sources table and the facilities).
    km, hours
        Road km and hours, sources (rows) × facilities (columns).

    Returns
    -------
    numpy.ndarray
        CNY/year per arc.
    """
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
        best = math.inf
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
            run_cost = (
                vt.fixed_cost_cny
                + vt.cost_cny_per_km * (2 * stem_km + n * loc_km)
                + vt.cost_cny_per_h * duty
                + vt.cost_cny_per_rest * rests
            )
            best = min(best, runs * run_cost / n)
        if math.isfinite(best):
            out[a] = v * best
        else:
            out[a] = supply_kg[s] / KG_PER_T * stem_km * sc.costs.first_mile_cny_per_t_km
    return out
