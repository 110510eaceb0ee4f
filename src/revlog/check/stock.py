"""Independent check of the outlets' stock over the year and the line-haul trips (no solver).

The stock profile of every outlet is rebuilt from the plan's tables alone and the rules are
restated here:

* arrivals: every pickup run (``routes``) adds its load to its base when it returns
  (``end_h``), in each of the year's ``periods_per_year`` rounds (round ``k`` starts at
  ``k × 8760 / periods_per_year`` h); every line-haul trip (``shipments``) adds its load to
  its receiving outlet at ``arrive_h``, which must be ``depart_h`` + the loaded leg's
  driving hours;
* vehicles arriving at the same moment (within :data:`SAME_TIME_H`) unload one after
  another, largest load first, :data:`UNLOAD_GAP_H` apart;
* departures: every trip takes its load from its sender at ``depart_h``; at the same moment
  departures come before arrivals;
* the stock never goes below zero, never exceeds the outlet's stock limit after an arrival
  (a collection outlet: its stated capacity and at most
  :data:`revlog.regulations.COLLECTION_MAX_STOCK_T`; a storage outlet: its stated
  capacity), and is zero once the year's trips have left;
* ``outlets.peak_stock_t`` is the largest stock found, ``outlets.stock_capacity_t`` the
  scenario's limit;
* each trip belongs to a ``linehauls`` flow, uses its vehicle type, carries at most its
  payload and its damaged packs within the certified boxes; a flow's trips number
  ``trips_per_year`` and carry its ``t_per_year``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from revlog.check.figures import close
from revlog.problems import Geography, fleet_at
from revlog.regulations import COLLECTION_MAX_STOCK_T
from revlog.units import HOURS_PER_YEAR, KG_PER_T

#: Events closer than this are at the same moment, h.
SAME_TIME_H = 1e-5
#: Vehicles arriving at the same moment unload one after another, this far apart, h.
UNLOAD_GAP_H = 0.01
#: Tonnes within which stock figures agree (the plan files keep 10 significant digits).
TOL_T = 1e-6


def _close(a: float, b: float, tol: float = TOL_T) -> bool:
    return close(a, b, rel=1e-6, abs_tol=tol)


def stock_limits_t(inputs: Any) -> dict[str, float]:
    """Stock limit of each candidate site, t: stated capacity, capped for collection outlets."""
    c = inputs.candidates
    return {
        str(s): min(float(cap), COLLECTION_MAX_STOCK_T) if k == "collection" else float(cap)
        for s, k, cap in zip(c["site_id"], c["kind"], c["stock_capacity_t"], strict=True)
    }


def check_stock(plan: Any, inputs: Any, geo: Geography) -> list[str]:
    """Every violation of the stock rules and of the trips' figures, one line each.

    Parameters
    ----------
    plan
        The plan (``outlets``, ``routes``, ``linehauls``, ``shipments`` tables).
    inputs
        The prepared scenario.
    geo
        Its geography (driving hours of the loaded legs).

    Returns
    -------
    list of str
        Empty when the stock profile and the trips are right.
    """
    errs = _check_trips(plan, inputs, geo)
    limits = stock_limits_t(inputs)
    periods = int(inputs.scenario.routing.periods_per_year)
    # (time, 0 = departure | 1 = arrival, tonnes)
    events: dict[str, list[tuple[float, int, float]]] = defaultdict(list)
    arrivals: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in plan.routes.itertuples(index=False):
        load = (float(r.intact_kg) + float(r.damaged_kg)) / KG_PER_T
        # a run is driven every round, or (cadence by_stock) in its own round only
        rounds = range(periods) if int(r.times_per_year) >= periods else [int(r.round)]
        for k in rounds:
            arrivals[str(r.base_id)].append((k * HOURS_PER_YEAR / periods + float(r.end_h), load))
    for s in plan.shipments.itertuples(index=False):
        load = (float(s.intact_kg) + float(s.damaged_kg)) / KG_PER_T
        events[str(s.from_id)].append((float(s.depart_h), 0, load))
        arrivals[str(s.to_id)].append((float(s.arrive_h), load))
    for site, got in arrivals.items():
        events[site] += [(t, 1, load) for t, load in _one_after_another(got)]
    peaks: dict[str, float] = {}
    for site in sorted(events):
        if site not in limits:
            continue  # the plant keeps no stock
        peak, site_errs = _profile(site, events[site], limits[site])
        peaks[site] = peak
        errs += site_errs
    for o in plan.outlets.itertuples(index=False):
        sid = str(o.site_id)
        if sid not in limits:
            continue
        stated = float(inputs.candidates.set_index("site_id").loc[sid, "stock_capacity_t"])
        if not _close(float(o.stock_capacity_t), stated):
            errs.append(
                f"outlet {sid}: stock capacity {float(o.stock_capacity_t):g} t, the scenario "
                f"gives {stated:g} t"
            )
        want = peaks.get(sid, 0.0)
        if not _close(float(o.peak_stock_t), want):
            errs.append(
                f"outlet {sid}: peak stock {float(o.peak_stock_t):.6g} t in the plan, the "
                f"stock profile reaches {want:.6g} t"
            )
    return errs


def _one_after_another(arrivals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``(time, t)`` arrivals; those at one moment moved apart, largest first."""
    out = []
    start = -float("inf")
    k = 0
    for time_h, load in sorted(arrivals, key=lambda a: (a[0], -a[1])):
        if time_h - start <= SAME_TIME_H:
            k += 1
            out.append((start + k * UNLOAD_GAP_H, load))
        else:
            start, k = time_h, 0
            out.append((time_h, load))
    return out


def _instants(events: list[tuple[float, int, float]]) -> list[list[tuple[float, int, float]]]:
    """Events grouped into moments (gaps ≤ :data:`SAME_TIME_H`), departures first in each."""
    groups: list[list[tuple[float, int, float]]] = []
    for e in sorted(events):
        if groups and e[0] - groups[-1][-1][0] <= SAME_TIME_H:
            groups[-1].append(e)
        else:
            groups.append([e])
    return [sorted(g, key=lambda e: e[1]) for g in groups]


def _profile(
    site: str, events: list[tuple[float, int, float]], limit_t: float
) -> tuple[float, list[str]]:
    """Peak stock of one outlet and the violations of its profile."""
    errs: list[str] = []
    stock = peak = 0.0
    for moment in _instants(events):
        for time_h, kind, load in moment:
            if kind == 0:
                stock -= load
                if stock < -TOL_T:
                    errs.append(
                        f"outlet {site}: a trip at {time_h:.4f} h takes {load:.6g} t, the stock "
                        f"holds {stock + load:.6g} t"
                    )
                    stock = 0.0
            else:
                stock += load
                peak = max(peak, stock)
                if stock > limit_t + TOL_T:
                    errs.append(
                        f"outlet {site}: stock {stock:.6g} t at {time_h:.4f} h exceeds its "
                        f"limit {limit_t:g} t"
                    )
    if abs(stock) > TOL_T:
        errs.append(f"outlet {site}: {stock:.6g} t still in stock after the year's last trip")
    return peak, errs


def _check_trips(plan: Any, inputs: Any, geo: Geography) -> list[str]:
    """Each trip on a flow of the plan, in its vehicle, within payload and boxes; counts."""
    sc = inputs.scenario
    o = plan.outlets
    kinds = {str(s): str(k) for s, k in zip(o["site_id"], o["kind"], strict=True)}
    flows = {(str(r.from_id), str(r.to_id)): r for r in plan.linehauls.itertuples(index=False)}
    errs: list[str] = []
    count: dict[tuple[str, str], int] = defaultdict(int)
    tonnes: dict[tuple[str, str], float] = defaultdict(float)
    for s in plan.shipments.itertuples(index=False):
        key = (str(s.from_id), str(s.to_id))
        tag = f"trip {key[0]} -> {key[1]} at {float(s.depart_h):.4f} h"
        flow = flows.get(key)
        if flow is None:
            errs.append(f"{tag}: no such line-haul flow in the plan")
            continue
        count[key] += 1
        intact, damaged = float(s.intact_kg), float(s.damaged_kg)
        tonnes[key] += (intact + damaged) / KG_PER_T
        if str(s.vehicle_type) != str(flow.vehicle_type):
            errs.append(f"{tag}: vehicle {s.vehicle_type}, the flow uses {flow.vehicle_type}")
        fleet = {v.id: v for v in fleet_at(sc, key[1], kinds.get(key[1], ""))}
        fleet.update({v.id: v for v in fleet_at(sc, key[0], kinds.get(key[0], ""))})
        vt = fleet.get(str(s.vehicle_type))
        if vt is not None:
            if intact + damaged > vt.payload_kg + TOL_T * KG_PER_T:
                errs.append(
                    f"{tag}: {intact + damaged:.6g} kg exceed the payload {vt.payload_kg:g}"
                )
            if damaged > vt.damaged_capacity_kg + TOL_T * KG_PER_T:
                errs.append(
                    f"{tag}: {damaged:.6g} kg of damaged packs exceed the certified boxes "
                    f"({vt.damaged_capacity_kg:g} kg)"
                )
        if min(intact, damaged) < -TOL_T:
            errs.append(f"{tag}: negative load")
        hours = geo.leg(key[0], key[1])[1]
        if abs(float(s.arrive_h) - float(s.depart_h) - hours) > SAME_TIME_H:
            errs.append(f"{tag}: arrives at {float(s.arrive_h):.4f} h, the leg takes {hours:.4f} h")
    for key, flow in flows.items():
        if count[key] != int(flow.trips_per_year):
            errs.append(
                f"line-haul {key[0]} -> {key[1]}: {int(flow.trips_per_year)} trips a year, "
                f"the shipments list {count[key]}"
            )
        if not _close(tonnes[key], float(flow.t_per_year), tol=1e-5):
            errs.append(
                f"line-haul {key[0]} -> {key[1]}: {float(flow.t_per_year):.6g} t/year, its "
                f"trips carry {tonnes[key]:.6g} t"
            )
    return errs
