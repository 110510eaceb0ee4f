"""The plan's tables, columns, dtypes and KPIs: the one description every reader and writer uses.

A leaf module: it imports nothing of revlog, so the plan builder, persistence, the exports,
the checker and the comparison all describe a plan the same way.

Tables and their columns (units in the names; times in hours from the start of the planning
period, which is ``meta["days_per_period"]`` days long; ``day`` counts from 0, the first day
of the period):

``outlets`` (GeoDataFrame, Points)
    Every candidate site and the plant: whether it is open, its throughput and capacity, the
    planner's ``decision`` on an existing outlet (keep | close | candidate; empty for a new
    site), its stock limit ``stock_capacity_t`` (0 for the plant: no stock limit) and
    ``peak_stock_t``, the largest stock it holds at any moment of the year, and for an open
    existing outlet ``keep_cost_cny_per_year``: stage 1's objective with it minus without it
    (positive: closing it would save that much; 0 for the others).
``assignments`` (GeoDataFrame, road-following LineStrings)
    Each source's first-stop facility (``cost_cny_per_year`` is stage 1's first-mile estimate).
``linehauls`` (GeoDataFrame, road-following LineStrings)
    Forwarding of stock between echelons: trips of the line-haul vehicle type (``vehicle_type``,
    its ``payload_t``) that carry the yearly flow; a trip's calendar days and hours on duty
    (both ways' driving and breaks); its cost = fixed + round-trip km + crew hours + a rest
    per day after the first.
``routes`` (GeoDataFrame, road-following LineStrings)
    One row per pickup run in one planning period (``cost_cny`` = fixed cost + distance cost +
    crew cost of ``duty_h``, the hours on duty without overnight rests + overnight rests);
    ``round`` is the period of the year it belongs to (0-based) and ``times_per_year`` how
    often it is driven: every period (periods per year) under ``routing.cadence:
    every_round``, once under ``by_stock``, where each round of the year has its own runs.
``stops`` (GeoDataFrame, Points)
    Every visit of every run, the base first (``seq`` 0) and last; loads are on board after
    the stop.
``breaks`` (DataFrame)
    Driving breaks, overnight rests and night-ban standstills of the runs, with the place
    the vehicle stands at (a stop, a town on the road; empty for a driving break).
``shipments`` (DataFrame)
    Every line-haul trip of the year (one row per trip of the ``linehauls`` table's flows):
    when it loads at the sender and arrives, in h from the start of the *year* (pickup round
    ``k`` starts at ``k × 8760 / periods_per_year`` h), and its load.
"""

from __future__ import annotations

#: Coordinate reference system of every geographic table.
CRS = "EPSG:4326"

#: Column name → dtype of every table, in column order (``str``, ``bool``, ``int``, ``float``).
SCHEMA: dict[str, dict[str, str]] = {
    "outlets": {
        "site_id": "str",
        "name": "str",
        "kind": "str",
        "prefecture": "str",
        "province": "str",
        "open": "bool",
        "existing": "bool",
        "throughput_t_per_year": "float",
        "capacity_t_per_year": "float",
        "utilisation": "float",
        "fixed_cost_cny_per_year": "float",
        "decision": "str",
        "stock_capacity_t": "float",
        "peak_stock_t": "float",
        "keep_cost_cny_per_year": "float",
    },
    "assignments": {
        "source_id": "str",
        "source_name": "str",
        "source_kind": "str",
        "facility_id": "str",
        "share": "float",
        "supply_t_per_year": "float",
        "damaged_t_per_year": "float",
        "km": "float",
        "cost_cny_per_year": "float",
    },
    "linehauls": {
        "from_id": "str",
        "to_id": "str",
        "t_per_year": "float",
        "km": "float",
        "vehicle_type": "str",
        "trips_per_year": "int",
        "payload_t": "float",
        "days_per_trip": "int",
        "duty_h_per_trip": "float",
        "cost_cny_per_year": "float",
        "exposure_persons_per_year": "float",
    },
    "routes": {
        "run_id": "str",
        "base_id": "str",
        "round": "int",
        "times_per_year": "int",
        "vehicle_type": "str",
        "vehicle": "int",
        "trip": "int",
        "days": "int",
        "stops": "int",
        "start_h": "float",
        "end_h": "float",
        "km": "float",
        "drive_h": "float",
        "duty_h": "float",
        "intact_kg": "float",
        "damaged_kg": "float",
        "cost_cny": "float",
        "exposure_persons": "float",
    },
    "stops": {
        "run_id": "str",
        "seq": "int",
        "node_id": "str",
        "name": "str",
        "day": "int",
        "arrival_h": "float",
        "start_h": "float",
        "departure_h": "float",
        "pickup_intact_kg": "float",
        "pickup_damaged_kg": "float",
        "load_intact_kg": "float",
        "load_damaged_kg": "float",
    },
    "breaks": {
        "run_id": "str",
        "start_h": "float",
        "duration_h": "float",
        "kind": "str",
        "place": "str",
    },
    "shipments": {
        "from_id": "str",
        "to_id": "str",
        "vehicle_type": "str",
        "depart_h": "float",
        "arrive_h": "float",
        "intact_kg": "float",
        "damaged_kg": "float",
    },
}
#: ``outlets.kind`` values that are outlets (the table also lists the plant and, with the
#: closed loop on, the second-life users of kind ``second_life``).
OUTLET_KINDS = ("collection", "storage")
#: Table names, in the order they are written.
TABLES = tuple(SCHEMA)
#: The tables with a geometry column.
GEO_TABLES = ("outlets", "assignments", "linehauls", "routes", "stops")
#: Column names of every table, in order.
COLUMNS: dict[str, list[str]] = {t: list(cols) for t, cols in SCHEMA.items()}
#: pandas dtypes of the schema's type names.
PANDAS_DTYPES = {"str": "object", "bool": "bool", "int": "int64", "float": "float64"}
#: CSV number format: 10 significant digits keep times within 1e-7 h and costs within 1e-3
#: CNY; GeoJSON properties carry the same digits, so a plan re-read writes the same bytes.
FLOAT_FORMAT = "%.10g"
#: Decimals of coordinates in GeoJSON and WKT (about 0.1 m).
COORD_DECIMALS = 6

#: The KPIs of a plan (all numbers) and their units.
KPI_UNITS: dict[str, str] = {
    "total_cost_cny_per_year": "CNY/year",
    "fixed_cost_cny_per_year": "CNY/year",
    "pickup_cost_cny_per_year": "CNY/year",
    "pickup_cost_estimate_cny_per_year": "CNY/year",
    "line_haul_cost_cny_per_year": "CNY/year",
    "risk_cost_cny_per_year": "CNY/year",
    "fleet_cost_cny_per_year": "CNY/year",
    "pickup_cost_cny_per_period": "CNY/period",
    "location_objective_cny_per_year": "CNY/year",
    "supply_t_per_year": "t/year",
    "collected_t_per_year": "t/year",
    "served_share": "of supply",
    "t_km_per_year": "t·km/year",
    "vehicle_km_per_period": "km/period",
    "vehicle_km_per_year": "km/year",
    "runs_per_period": "runs/period",
    "visits_per_year": "visits/year",
    "vehicles_used": "vehicles",
    "route_exposure_persons_per_period": "persons/period",
    "outlets_open": "outlets",
    "dropped_stops": "stops",
    # closed loop (scenario loop.enabled; revlog.loop.report)
    "net_cost_cny_per_year": "CNY/year",
    "grading_cost_cny_per_year": "CNY/year",
    "second_life_revenue_cny_per_year": "CNY/year",
    "plant_revenue_cny_per_year": "CNY/year",
    "carbon_cost_cny_per_year": "CNY/year",
    "second_life_t_per_year": "t/year",
    "co2_kg_per_year": "kg CO2/year",
    "co2_kg_per_t": "kg CO2/t",
    "co2_emitted_kg_per_year": "kg CO2/year",
    "co2_avoided_kg_per_year": "kg CO2/year",
    "co2_pickup_kg_per_year": "kg CO2/year",
    "co2_line_haul_kg_per_year": "kg CO2/year",
    "co2_facility_kg_per_year": "kg CO2/year",
}
"""``total_cost_cny_per_year`` = ``fixed_cost`` (open outlets, annualised) + ``pickup_cost``
(the routed runs' costs × the times a year each is driven) + ``line_haul_cost``
(forwarding, CNY/t·km) + ``risk_cost`` (``risk_weight`` × exposure of the runs and of the
line-hauls) + ``fleet_cost`` (ownership, ``fleet[].cost_cny_per_year``, of the vehicles each
base uses: per base and vehicle type the most vehicles used in one round).
``pickup_cost_estimate_cny_per_year`` is stage 1's estimate of the routed
pickup cost of the chosen design (``location.method: lrp``: from the fleet,
:mod:`revlog.location.first_mile`; ``two-stage``: per t·km).
``location_objective_cny_per_year`` is stage 1's own objective (its first-mile part that
estimate). ``collected_t_per_year`` counts what
the runs pick up in a year; the ``_per_period`` KPIs are means over the periods of the
year; ``visits_per_year`` counts the pickup stops served in a year; ``t_km_per_year`` is
tonnes × road km of the assignments and line-hauls."""
KPI_ORDER = list(KPI_UNITS)
#: KPIs that count things (shown without decimals).
INTEGER_KPIS = ("vehicles_used", "outlets_open", "dropped_stops")
KPI_GROUPS: dict[str, list[str]] = {
    "cost": [
        "total_cost_cny_per_year",
        "fixed_cost_cny_per_year",
        "pickup_cost_cny_per_year",
        "pickup_cost_estimate_cny_per_year",
        "line_haul_cost_cny_per_year",
        "risk_cost_cny_per_year",
        "fleet_cost_cny_per_year",
        "pickup_cost_cny_per_period",
        "location_objective_cny_per_year",
    ],
    "volume": ["supply_t_per_year", "collected_t_per_year", "served_share", "t_km_per_year"],
    "fleet": [
        "vehicle_km_per_period",
        "vehicle_km_per_year",
        "runs_per_period",
        "visits_per_year",
        "vehicles_used",
        "route_exposure_persons_per_period",
    ],
    "network": ["outlets_open", "dropped_stops"],
    "loop": [
        "net_cost_cny_per_year",
        "grading_cost_cny_per_year",
        "second_life_revenue_cny_per_year",
        "plant_revenue_cny_per_year",
        "carbon_cost_cny_per_year",
        "second_life_t_per_year",
        "co2_kg_per_year",
        "co2_kg_per_t",
        "co2_emitted_kg_per_year",
        "co2_avoided_kg_per_year",
        "co2_pickup_kg_per_year",
        "co2_line_haul_kg_per_year",
        "co2_facility_kg_per_year",
    ],
}
#: The solver figures of a plan (``plan.solver``): statuses and gaps, not KPIs.
SOLVER_FIELDS = ("location_status", "location_gap", "routing_status", "deterministic")
