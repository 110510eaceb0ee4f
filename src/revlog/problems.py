"""Stage inputs built from a scenario: sites, travel matrix, location and routing problems.

No solver is imported here, so the independent checker (:mod:`revlog.check`) can rebuild
exactly the problems the solvers were given.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from shapely import LineString

from revlog.cadence import Visit, base_visits, visits_per_year
from revlog.geo.matrix import GreatCircleTravel, RoadTravel, TravelMatrix
from revlog.geo.roads import RoadNetwork
from revlog.inputs import Inputs
from revlog.location.problem import LocationProblem
from revlog.loop.network import second_life_users
from revlog.memory import check_base_memory, check_memory
from revlog.routing.linehaul import round_trip_days, round_trip_duty_h, trip_cost_cny
from revlog.routing.problem import DrivingRules, RoutingProblem, VehicleType
from revlog.scenario.schema import Scenario, VehicleTypeConfig
from revlog.units import KG_PER_T, MIN_PER_H

#: Scenario setting behind each field of the routing and location problems, for diagnoses
#: (:attr:`revlog.errors.Diagnosis.setting`) that name what a planner can change.
SCENARIO_SETTINGS: dict[str, str] = {
    "max_driving_h": "rules.max_driving_h",
    "break_h": "rules.break_min",
    "duty_h_per_day": "rules.duty_h_per_day",
    "shift_start_h": "rules.shift_start_h",
    "night_ban_h": "rules.night_ban",
    "max_days": "rules.max_days_per_run",
    "overnight_rest_h": "rules.overnight_rest_h",
    "count": "fleet.*.count",
    "service_radius_km": "location.service_radius_km",
    "collection_per_prefecture": "location.collection_per_prefecture",
    "budget_cny": "location.budget_cny_per_year",
    "max_outlets": "location.max_outlets",
}


@dataclass
class Geography:
    """Sites of a scenario and the travel between them, computed per stage as needed.

    No dense all-sites matrix is built: the location stage reads :attr:`facilities` (the
    plant and candidate sites × every site), each base's routing :meth:`matrix_for` its own
    stops. The road network is undirected, so a source → facility leg is the facility →
    source path reversed (same km, hours and exposure).

    Attributes
    ----------
    sites
        ``site_id, name, role`` (plant | collection | storage | source) ``, lon, lat,
        prefecture, province``; the plant first, then candidates, then sources.
    travel
        The sites snapped once (:class:`~revlog.geo.matrix.RoadTravel`, or
        :class:`~revlog.geo.matrix.GreatCircleTravel` without a road network).
    network
        The road network used (``None`` for great-circle).
    seconds
        Time taken to snap the sites and build the facility block, s.
    facility_ids
        The plant and candidate site ids (the rows of :attr:`facilities`).
    """

    sites: pd.DataFrame
    travel: RoadTravel | GreatCircleTravel
    network: RoadNetwork | None
    seconds: float
    facility_ids: tuple[str, ...] = ()
    _facilities: TravelMatrix | None = field(default=None, repr=False)
    _bases: dict[tuple[str, ...], TravelMatrix] = field(default_factory=dict, repr=False)

    @property
    def provider(self) -> str:
        """``"road"`` or ``"great_circle"``."""
        return self.travel.provider

    @property
    def follows_roads(self) -> bool:
        """Whether path geometry follows the roads' alignment (see ``TravelMatrix``)."""
        return self.facilities.follows_roads

    @property
    def facilities(self) -> TravelMatrix:
        """Travel from the plant and every candidate site (rows) to every site (columns)."""
        if self._facilities is None:
            self._facilities = self.travel.matrix(self.facility_ids, self.travel.ids)
        return self._facilities

    def matrix_for(self, site_ids: Sequence[str]) -> TravelMatrix:
        """The square travel matrix over ``site_ids`` (one base's stops), kept for reuse."""
        key = tuple(dict.fromkeys(str(s) for s in site_ids))
        if key not in self._bases:
            n_sources = len(self.travel.ids) - len(self.facility_ids)
            check_base_memory(n_sources, key[0], len(key))
            self._bases[key] = self.travel.matrix(key)
        return self._bases[key]

    @property
    def matrix(self) -> TravelMatrix:
        """The dense all-sites matrix: for small scenarios and scripts only (n² cells);
        revlog's stages use :attr:`facilities` and :meth:`matrix_for`."""
        return self.matrix_for(self.travel.ids)

    def _holder(self, a: str, b: str) -> tuple[TravelMatrix, bool]:
        """A matrix holding the leg a → b, and whether it holds it as b → a."""
        fac = self.facilities
        if fac.has(a, b):
            return fac, False
        if fac.has(b, a):
            return fac, True
        for m in self._bases.values():
            if m.has(a, b):
                return m, False
        return self.travel.matrix([a, b]), False

    def leg(self, a: str, b: str) -> tuple[float, float, float]:
        """``(km, hours, exposure)`` from site ``a`` to site ``b``."""
        m, flipped = self._holder(a, b)
        i, j = (m.index(b), m.col(a)) if flipped else (m.index(a), m.col(b))
        return float(m.km[i, j]), float(m.hours[i, j]), float(m.exposure[i, j])

    def geometry(self, a: str, b: str) -> LineString:
        """The path geometry from site ``a`` to site ``b`` (see ``TravelMatrix.geometry``)."""
        m, flipped = self._holder(a, b)
        if not flipped:
            return m.geometry(a, b)
        return LineString(list(m.geometry(b, a).coords)[::-1])

    def to_facilities(self, source_ids: Sequence[str]) -> TravelMatrix:
        """Sources (rows) × the plant and candidates (columns): :attr:`facilities` turned."""
        fac = self.facilities
        cols = np.array([fac.col(s) for s in source_ids], dtype=np.int64)
        return TravelMatrix(
            ids=[str(s) for s in source_ids],
            km=fac.km[:, cols].T,
            hours=fac.hours[:, cols].T,
            exposure=fac.exposure[:, cols].T,
            provider=fac.provider,
            col_ids=list(fac.ids),
        )


def build_geography(inputs: Inputs) -> Geography:
    """Snap the plant, candidate sites and sources to the road network; the facility block.

    Restricted road classes of the scenario's dangerous-goods rules are removed before the
    shortest paths are computed; travel times use the hazmat speed caps. The memory a solve
    will need is estimated first (:func:`revlog.memory.check_memory`): sizes this machine
    cannot hold are refused before anything large is allocated.
    """
    sc = inputs.scenario
    check_memory(inputs)
    plant = inputs.plant.assign(
        site_id=inputs.plant["plant_id"], role="plant", prefecture="", province=""
    )
    cands = inputs.candidates.assign(role=inputs.candidates["kind"])
    srcs = inputs.sources.assign(site_id=inputs.sources["source_id"], role="source")
    users = second_life_users(sc, inputs.geodata)  # closed loop only (else empty)
    users = users.assign(site_id=users["user_id"], role="second_life")
    cols = ["site_id", "name", "role", "lon", "lat", "prefecture", "province"]
    parts = [plant[cols], cands[cols], srcs[cols]] + ([users[cols]] if len(users) else [])
    sites = pd.concat(parts, ignore_index=True)
    t0 = time.perf_counter()
    speeds = {
        "expressway": sc.rules.speed_expressway_kmh,
        "national": sc.rules.speed_other_kmh,
        "provincial": sc.rules.speed_other_kmh,
    }
    frame = sites.rename(columns={"site_id": "id"})[["id", "lon", "lat"]]
    network = inputs.geodata.road_network()  # the OSM file's or the roads table's, or None
    travel: RoadTravel | GreatCircleTravel
    if network is not None:
        travel = RoadTravel(
            network,
            frame,
            speed_kmh_by_class=speeds,
            restricted_classes=tuple(sc.rules.restricted_road_classes),
        )
    else:
        travel = GreatCircleTravel(frame, speed_kmh=sc.rules.speed_other_kmh)
    fac_ids = (
        str(inputs.plant["plant_id"].iloc[0]),
        *cands["site_id"].astype(str),
        *users["user_id"].astype(str),
    )  # the order of location_problem's facilities
    geo = Geography(sites=sites, travel=travel, network=network, seconds=0.0, facility_ids=fac_ids)
    _ = geo.facilities
    geo.seconds = time.perf_counter() - t0
    return geo


def location_problem(inputs: Inputs, geo: Geography) -> LocationProblem:
    """Build stage 1's arrays from the scenario and the travel matrix.

    * assignment arcs: source (with supply) → candidate outlet or plant within
      ``service_radius_km`` on the (restricted) road network; cost = supply × km ×
      first-mile CNY/t·km; exposure = population exposure of the path × the source's
      visits per year (:func:`revlog.cadence.visits_per_year`);
    * forwarding arcs: collection → storage, collection → plant, storage → plant; priced
      per trip of the line-haul vehicle (:func:`linehaul_vehicle`; fixed + round trip + crew
      hours + rests, :func:`~revlog.routing.linehaul.trip_cost_cny`), a trip carrying at
      most the sender's stock limit or the payload (``location.linehaul_cost: per_trip``),
      or at the echelon's CNY/t·km (``per_t_km``, and for an arc without a vehicle);
      exposure per t = path exposure / payload of the line-haul vehicle;
    * the plant is a facility of kind ``plant``, forced open, with its yearly capacity;
    * existing outlets: kept ones forced open, closed ones forced shut, the others
      candidates with their closing cost (``candidates.existing_outlets``);
    * with the closed loop on, every second-life user is a final destination of kind
      ``second_life`` after the candidates, open, its capacity its yearly demand, reached
      only by line-hauls from storage outlets, priced per tonne as a full truckload of the
      line-haul vehicle (fixed cost, round trip, crew hours, rests).
    """
    sc = inputs.scenario
    cands = inputs.candidates
    users = second_life_users(sc, inputs.geodata)
    n_users = len(users)
    fac_ids = [
        str(inputs.plant["plant_id"].iloc[0]),
        *cands["site_id"].astype(str),
        *users["user_id"].astype(str),
    ]
    fac_kind = ["plant", *cands["kind"], *["second_life"] * n_users]
    fac_pref = ["", *cands["prefecture"], *users["prefecture"]]
    fixed = [0.0, *cands["fixed_cost_cny_per_year"], *[0.0] * n_users]
    cap = [
        float(inputs.plant["capacity_t_per_year"].iloc[0]),
        *cands["capacity_t_per_year"],
        *users["demand_t_per_year"].astype(float),
    ]
    decision = ["keep", *cands["decision"], *["keep"] * n_users]
    forced = [d == "keep" for d in decision]
    closing = [0.0, *cands["closing_cost_cny_per_year"], *[0.0] * n_users]
    stock_t = [math.inf, *cands["stock_capacity_t"].astype(float), *[math.inf] * n_users]
    supply = inputs.sources["supply_t_per_year"].to_numpy(float)
    first = geo.to_facilities(inputs.sources["source_id"].astype(str).tolist())
    between = geo.facilities  # facility rows; its first columns are the facilities too
    assert list(first.columns) == fac_ids

    km = first.km
    # a source that hands over nothing is neither assigned nor visited
    ok = np.isfinite(km) & (km <= sc.location.service_radius_km) & (supply[:, None] > 0)
    if not sc.location.direct_to_plant:
        ok[:, 0] = False
    if n_users:
        ok[:, len(fac_ids) - n_users :] = False  # users take graded packs only
    a_s, a_f = np.nonzero(ok)
    per_year = visits_per_year(sc, inputs.sources)  # the cadence's visits a year
    visits = np.array([per_year[str(s)] for s in inputs.sources["source_id"]], dtype=float)
    arc_cost = supply[a_s] * km[a_s, a_f] * sc.costs.first_mile_cny_per_t_km
    arc_exp = first.exposure[a_s, a_f] * visits[a_s]

    kinds = np.array(fac_kind, dtype=object)
    f_from, f_to, f_cost, f_exp, f_trip_cost, f_trip_t = _forwarding_arcs(
        sc, between, fac_ids, kinds, stock_t
    )
    return LocationProblem(
        source_ids=inputs.sources["source_id"].to_numpy(object),
        supply_t=supply,
        source_prefecture=inputs.sources["prefecture"].to_numpy(object),
        facility_ids=np.array(fac_ids, dtype=object),
        facility_kind=kinds,
        facility_prefecture=np.array(fac_pref, dtype=object),
        fixed_cost_cny=np.array(fixed, dtype=float),
        capacity_t=np.array(cap, dtype=float),
        forced_open=np.array(forced, dtype=bool),
        forced_closed=np.array([d == "close" for d in decision], dtype=bool),
        closing_cost_cny=np.array(closing, dtype=float),
        arc_source=a_s,
        arc_facility=a_f,
        arc_cost_cny=arc_cost,
        arc_exposure=arc_exp,
        fwd_from=np.array(f_from, dtype=np.int64),
        fwd_to=np.array(f_to, dtype=np.int64),
        fwd_cost_cny_per_t=np.array(f_cost, dtype=float),
        fwd_exposure_per_t=np.array(f_exp, dtype=float),
        fwd_trip_cost_cny=np.array(f_trip_cost, dtype=float),
        fwd_trip_t=np.array(f_trip_t, dtype=float),
        require_collection_per_prefecture=sc.location.collection_per_prefecture,
        budget_cny=sc.location.budget_cny_per_year,
        max_outlets=sc.location.max_outlets,
        single_source=True,
        risk_weight=sc.solver.risk_weight_cny_per_person,
        name=sc.name,
    )


def _forwarding_arcs(
    sc: Scenario,
    between: TravelMatrix,
    fac_ids: list[str],
    kinds: np.ndarray,
    stock_t: list[float],
) -> tuple[list[int], list[int], list[float], list[float], list[float], list[float]]:
    """Stage 1's line-haul arcs between facilities: from, to, CNY/t, exposure/t, CNY per trip
    and tonnes per trip (inf where the arc is priced per tonne)."""
    rate = {
        ("collection", "storage"): sc.costs.collection_line_haul_cny_per_t_km,
        ("collection", "plant"): sc.costs.collection_line_haul_cny_per_t_km,
        ("storage", "plant"): sc.costs.storage_line_haul_cny_per_t_km,
        ("storage", "second_life"): sc.costs.storage_line_haul_cny_per_t_km,
    }
    per_trip = sc.location.linehaul_cost == "per_trip"
    rules = driving_rules(sc)
    f_from, f_to, f_cost, f_exp, f_trip_cost, f_trip_t = [], [], [], [], [], []
    for a in range(len(fac_ids)):
        for b in range(len(fac_ids)):
            r = rate.get((kinds[a], kinds[b]))
            d = between.km[a, between.col(fac_ids[b])]
            if r is None or a == b or not math.isfinite(d):
                continue
            f_from.append(a)
            f_to.append(b)
            truck = linehaul_vehicle(sc, fac_ids[a], str(kinds[a]), fac_ids[b], str(kinds[b]))
            payload_t = truck.payload_kg / KG_PER_T if truck is not None else math.inf
            col = between.col(fac_ids[b])
            f_exp.append(between.exposure[a, col] / payload_t)
            if kinds[b] == "second_life" and truck is not None:
                # small flows to second-life users: a full truckload's round trip per payload
                f_cost.append(_full_load_cny_per_t(sc, truck, d, between.hours[a, col]))
                f_trip_cost.append(0.0)
                f_trip_t.append(math.inf)
            elif per_trip and truck is not None:
                f_cost.append(0.0)
                f_trip_cost.append(trip_cost_cny(truck, d, between.hours[a, col], rules))
                f_trip_t.append(min(stock_t[a], payload_t))
            else:
                f_cost.append(r * d)
                f_trip_cost.append(0.0)
                f_trip_t.append(math.inf)
    return f_from, f_to, f_cost, f_exp, f_trip_cost, f_trip_t


def _full_load_cny_per_t(sc: Scenario, truck: VehicleType, km: float, hours: float) -> float:
    """Cost per tonne of a full truckload's line-haul round trip (fixed, km, crew, rests)."""
    rules = driving_rules(sc)
    days = round_trip_days(hours, rules)
    cost = truck.run_cost_cny(2.0 * km, round_trip_duty_h(hours, rules), days - 1)
    return cost / (truck.payload_kg / KG_PER_T)


def driving_rules(sc: Scenario) -> DrivingRules:
    """The scenario's dangerous-goods rules as the routing stage's :class:`DrivingRules`."""
    r = sc.rules
    return DrivingRules(
        max_driving_h=r.max_driving_h,
        break_h=r.break_min / MIN_PER_H,
        duty_h_per_day=r.duty_h_per_day,
        shift_start_h=r.shift_start_h,
        night_ban_h=(r.night_ban.start_h, r.night_ban.end_h) if r.night_ban else None,
        max_days=r.max_days_per_run,
        overnight_rest_h=r.overnight_rest_h,
        allow_multi_trip=r.allow_multi_trip,
    )


def _vehicle_type(vt: VehicleTypeConfig, periods_per_year: int = 1) -> VehicleType:
    """The routing stage's vehicle type; its ownership cost spread over the year's periods."""
    return VehicleType(
        id=vt.id,
        payload_kg=vt.payload_kg,
        damaged_capacity_kg=vt.damaged_capacity_kg,
        fixed_cost_cny=vt.fixed_cost_cny_per_run,
        cost_cny_per_km=vt.cost_cny_per_km,
        count=vt.count,
        cost_cny_per_h=vt.escort_cost_cny_per_h,
        cost_cny_per_rest=vt.overnight_cost_cny_per_rest,
        ownership_cost_cny=vt.cost_cny_per_year / periods_per_year,
    )


def fleet_at(sc: Scenario, base_id: str, base_kind: str) -> list[VehicleType]:
    """Vehicle types stationed at a base (``plant`` kind, or an outlet site id).

    A type's ``ownership_cost_cny`` is its ``cost_cny_per_year`` over
    ``routing.periods_per_year``: what one vehicle in use costs per period solved.
    """
    return [
        _vehicle_type(vt, sc.routing.periods_per_year)
        for vt in sc.fleet
        if vt.base == base_id
        or (vt.base == "plant" if base_kind == "plant" else vt.base == "outlets")
    ]


def linehaul_vehicle(
    sc: Scenario, from_id: str, from_kind: str, to_id: str, to_kind: str
) -> VehicleType | None:
    """The vehicle type that hauls stock from one facility to the next.

    The receiving facility sends its trucks to collect (the plant's trucks empty the
    outlets); when none is stationed there, the sending facility's. Among those, types
    with certified boxes come first (line-hauled stock holds damaged packs), then the
    largest payload, then the lowest cost per km.

    Returns
    -------
    VehicleType or None
        ``None`` when neither facility has a vehicle type.
    """
    for fid, kind in ((to_id, to_kind), (from_id, from_kind)):
        fleet = fleet_at(sc, fid, kind)
        if fleet:
            return min(
                fleet,
                key=lambda v: (v.damaged_capacity_kg <= 0, -v.payload_kg, v.cost_cny_per_km, v.id),
            )
    return None


def base_stock_kg(inputs: Inputs, base_id: str) -> float:
    """Stock limit of a base, kg: its ``stock_capacity_t`` (inf for the plant)."""
    c = inputs.candidates
    row = c.loc[c["site_id"] == base_id, "stock_capacity_t"]
    return float(row.iloc[0]) * KG_PER_T if len(row) else math.inf


def within_stock(fleet: list[VehicleType], stock_kg: float) -> list[VehicleType]:
    """The fleet of a base whose stock limit is ``stock_kg``: a run brings back at most that.

    A run's load enters the base's stock when it returns, so a vehicle larger than the
    stock limit (an 8 t truck at a 5 t collection outlet) is loaded to the limit only.
    """
    return [
        dataclasses.replace(
            v,
            payload_kg=min(v.payload_kg, stock_kg),
            damaged_capacity_kg=min(v.damaged_capacity_kg, stock_kg),
        )
        if v.payload_kg > stock_kg
        else v
        for v in fleet
    ]


#: Separator between a source id and its visit number in routing node ids (``D-1~2``).
VISIT_SEP = "~"


def visit_id(source_id: str, visit: int) -> str:
    """Node id of the ``visit``-th (0-based) visit of a source: the first keeps the source id."""
    return source_id if visit == 0 else f"{source_id}{VISIT_SEP}{visit + 1}"


def site_of(node_id: str) -> str:
    """Site id of a routing node id (strips the visit number)."""
    return node_id.split(VISIT_SEP, 1)[0]


def visits_needed(
    intact_kg: np.ndarray, damaged_kg: np.ndarray, fleet: list[VehicleType]
) -> np.ndarray:
    """Visits per period each source needs so that every visit fits one vehicle.

    A pickup larger than the largest payload (or damaged kg beyond the largest
    certified-box capacity) is split into equal visits; with no vehicle at all, one visit
    (the routing stage then explains the problem).
    """
    if not fleet:
        return np.ones(len(intact_kg), dtype=int)
    pay = max(v.payload_kg for v in fleet)
    box = max(v.damaged_capacity_kg for v in fleet)
    k = np.ceil((intact_kg + damaged_kg) / pay - 1e-9)
    if box > 0:
        k = np.maximum(k, np.ceil(damaged_kg / box - 1e-9))
    return np.maximum(k, 1).astype(int)


@dataclass(frozen=True)
class LegPlaces:
    """The places on the road between two stops of a routing problem (its ``rest_points``).

    Parameters
    ----------
    matrix
        The travel matrix the problem was cut from.
    site_ids
        The site id of each node of the problem.
    """

    matrix: TravelMatrix
    site_ids: tuple[str, ...]

    def __call__(self, i: int, j: int) -> list[tuple[float, str]]:
        """``(hours of driving from node i, place id)`` of the towns between nodes i and j."""
        return self.matrix.rest_points(self.site_ids[i], self.site_ids[j])


#: Suffix of the node id of a visit's damaged packs when they are picked up apart (``D-1~d``).
DAMAGED_PART = "d"


def damaged_part_id(node_id: str) -> str:
    """Node id of the damaged packs of a visit picked up apart from its intact ones."""
    return f"{node_id}{VISIT_SEP}{DAMAGED_PART}"


def _stop_rows(
    per_source: list[tuple[str, float, float, int, int]],
    fleet: list[VehicleType],
    split: bool,
    pack_kg: float,
    whole: bool,
) -> list[tuple[str, float, float, int]]:
    """``(node id, intact kg, damaged kg, packs)`` of every stop of the sources' pickups.

    ``per_source`` holds ``(source id, intact kg, damaged kg, intact packs, damaged packs)``
    (``whole``: whole packs of ``pack_kg`` mean mass; else the packs are counted per stop);
    a pickup too big for one vehicle becomes several visits (:func:`visits_needed`), and
    with ``split`` a visit holding both kinds becomes two stops at the site: its intact
    packs and, under :func:`damaged_part_id`, its damaged ones.
    """
    if not per_source:
        return []
    intact = np.array([p[1] for p in per_source])
    damaged = np.array([p[2] for p in per_source])
    rows = []
    for (sid, a, b, pa, pb), k in zip(
        per_source, visits_needed(intact, damaged, fleet), strict=True
    ):
        for v in range(k):
            if whole:  # whole packs spread over the visits, each with its packs' kg
                na = (v + 1) * pa // k - v * pa // k
                nb = (v + 1) * pb // k - v * pb // k
                ka, kb = (a * na / pa if pa else 0.0), (b * nb / pb if pb else 0.0)
            else:  # the period's share of the year: equal kg per visit
                ka, kb = a / k, b / k
                na, nb = math.ceil(ka / pack_kg - 1e-9), math.ceil(kb / pack_kg - 1e-9)
            vid = visit_id(sid, v)
            if split and ka > 0 and kb > 0:
                rows += [(vid, ka, 0.0, na), (damaged_part_id(vid), 0.0, kb, nb)]
            else:
                rows.append((vid, ka, kb, na + nb))
    return rows


def routing_problem(
    inputs: Inputs,
    geo: Geography,
    base_id: str,
    base_kind: str,
    source_ids: list[str],
    visits: list[Visit] | None = None,
    split: bool = False,
) -> RoutingProblem:
    """Build the one-period pickup problem of one base over the sources assigned to it.

    Pickup per period = yearly tonnes / periods per year (intact and damaged separately),
    or, given ``visits`` (one round of :func:`revlog.cadence.base_visits`), the whole packs
    of those visits; the base's vehicles carry at most its stock limit
    (:func:`within_stock`); a pickup larger than any vehicle stationed at the base is split
    into visits (node ids ``SOURCE~2``, ``SOURCE~3``…, see :func:`visits_needed`); with
    ``split`` the damaged packs of a visit are a stop of their own (see :func:`_stop_rows`);
    service time = fixed + per pack (packs = kg / mean pack mass, rounded up, or the visit's
    whole packs); shops open on the working days of the period, the base every day; service
    starts while the shop is open and (unless ``routing.service_ends_by_closing`` is false)
    ends by its closing.
    """
    sc = inputs.scenario
    rt = sc.routing
    fleet = within_stock(fleet_at(sc, base_id, base_kind), base_stock_kg(inputs, base_id))
    if visits is None:
        src = inputs.sources.set_index("source_id").loc[source_ids]
        per = 1000.0 / rt.periods_per_year
        pickups = [
            (sid, a, b, 0, 0)
            for sid, a, b in zip(
                source_ids,
                src["intact_t_per_year"].to_numpy(float) * per,
                src["damaged_t_per_year"].to_numpy(float) * per,
                strict=True,
            )
        ]
        rows = _stop_rows(pickups, fleet, split, rt.pack_mass_kg, whole=False)
        if not split:  # packs of a stop: its kg / mean pack mass, rounded up
            rows = [(n, a, b, math.ceil((a + b) / rt.pack_mass_kg - 1e-9)) for n, a, b, _ in rows]
        meta = {"base_kind": base_kind, "times_per_year": rt.periods_per_year}
    else:
        pickups = [
            (v.source_id, v.intact_kg, v.damaged_kg, v.intact_packs, v.damaged_packs)
            for v in visits
        ]
        rows = _stop_rows(pickups, fleet, split, rt.pack_mass_kg, whole=True)
        meta = {"base_kind": base_kind, "times_per_year": 1}
        if visits:
            meta["round"] = visits[0].round
    meta["split"] = split
    ids = [base_id] + [r[0] for r in rows]
    intact = np.array([0.0] + [r[1] for r in rows])
    damaged = np.array([0.0] + [r[2] for r in rows])
    packs = np.array([0] + [r[3] for r in rows], dtype=float)
    site_ids = [site_of(i) for i in ids]
    m = geo.matrix_for(site_ids)  # this base's stops only
    idx = np.array([m.index(i) for i in site_ids])
    service_h = np.where(
        np.arange(len(ids)) == 0, 0.0, (rt.service_fixed_min + packs * rt.service_min_per_pack) / 60
    )
    shop = [
        (d * 24.0 + rt.shop_hours.open_h, d * 24.0 + rt.shop_hours.close_h)
        for d in range(rt.working_days)
    ]
    base = [
        (d * 24.0 + rt.base_hours.open_h, d * 24.0 + rt.base_hours.close_h)
        for d in range(rt.days_per_period)
    ]
    # service may start while the shop is open; by default it must also end by closing
    ends = rt.service_ends_by_closing
    windows = [base] + [
        [(lo, hi - sv) for lo, hi in shop if hi - sv >= lo] if ends else list(shop)
        for sv in service_h[1:]
    ]
    sites = geo.sites.set_index("site_id").loc[site_ids]
    return RoutingProblem(
        name=base_id,
        node_ids=ids,
        km=m.km[np.ix_(idx, idx)],
        hours=m.hours[np.ix_(idx, idx)],
        pickup_intact_kg=intact,
        pickup_damaged_kg=damaged,
        service_h=service_h,
        time_windows_h=windows,
        vehicle_types=fleet,
        rules=driving_rules(sc),
        exposure=m.exposure[np.ix_(idx, idx)],
        risk_weight_cny_per_person=sc.solver.risk_weight_cny_per_person,
        drop_penalty_cny=rt.drop_penalty_cny,
        horizon_h=rt.days_per_period * 24.0,
        lonlat=sites[["lon", "lat"]].to_numpy(float),
        meta=meta,
        rest_points=LegPlaces(m, tuple(site_ids)),
    )


def round_problems(
    inputs: Inputs,
    geo: Geography,
    base_id: str,
    base_kind: str,
    source_ids: list[str],
    split: bool = False,
) -> list[RoutingProblem]:
    """The routing problems of one base over the year.

    ``routing.cadence: every_round``: one period's problem, its runs driven every period
    (``meta["times_per_year"]`` = periods per year); ``by_stock``: one problem per round of
    the year that has visits (:func:`revlog.cadence.base_visits`; ``meta["round"]``), each
    driven once.
    """
    sc = inputs.scenario
    if sc.routing.cadence == "every_round":
        return [routing_problem(inputs, geo, base_id, base_kind, source_ids, split=split)]
    by_round: dict[int, list[Visit]] = {}
    for v in base_visits(sc, inputs.sources, source_ids):
        by_round.setdefault(v.round, []).append(v)
    return [
        routing_problem(inputs, geo, base_id, base_kind, source_ids, visits=vs, split=split)
        for _, vs in sorted(by_round.items())
    ]


def problem_label(rp: RoutingProblem) -> str:
    """A routing problem's label in plans: the base id, and the round under ``by_stock``
    (``C-pingan/r03``, rounds counted from 1)."""
    r = rp.meta.get("round")
    return rp.name if r is None else f"{rp.name}/r{int(r) + 1:02d}"


def dropped_label(rp: RoutingProblem, node: int) -> str:
    """How a plan names a dropped stop: its node id, and its round under ``by_stock``
    (``D-1@r03``)."""
    r = rp.meta.get("round")
    nid = rp.node_ids[node]
    return nid if r is None else f"{nid}@r{int(r) + 1:02d}"


def has_mixed_visits(rp: RoutingProblem) -> bool:
    """Whether picking up the damaged packs apart (``split``) may pay: a stop holds intact
    and damaged packs, and the base has several vehicle types, one of which cannot take
    that stop's damaged packs (a van without certified box) but could take its intact ones."""
    mixed = (rp.pickup_intact_kg > 0) & (rp.pickup_damaged_kg > 0)
    if not mixed.any() or len(rp.vehicle_types) < 2:
        return False
    need = float(rp.pickup_damaged_kg[mixed].min())
    return any(v.damaged_capacity_kg < need for v in rp.vehicle_types)
