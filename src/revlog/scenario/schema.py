"""The scenario file as pydantic v2 models.

A planner writes one YAML (or TOML / JSON) file per scenario. Every number carries its
unit in its name, every field has a documented default, and unknown keys are errors, so
that a minimal scenario is a few lines::

    name: qinghai-baseline
    planning_year: 2025

Relative paths are resolved against the scenario file by :mod:`revlog.scenario.load`.
"""

from __future__ import annotations

import itertools
import math
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

import revlog.loop_defaults as loopd
import revlog.regulations as reg

RoadClass = Literal["expressway", "national", "provincial"]
Province = Literal["Qinghai", "Gansu", "Xizang", "Xinjiang", "Sichuan", "Ningxia"]

# Upper limits that catch absurd values (a unit mix-up, a typo of a few zeros).
MAX_T_PER_YEAR = 1e6  # far above China's whole yearly volume of retired packs
MAX_PAYLOAD_KG = 49_000.0  # GB 1589-2016 gross-mass limit of a road vehicle combination
MAX_SCALE = 1000.0
MAX_CNY_PER_KM = 1000.0

#: Default crew (escort) cost per hour on duty, CNY/h: an assumption (about 70,000 CNY a
#: year with social charges over 2,000 working hours; no sourced figure).
DEFAULT_ESCORT_COST_CNY_PER_H = 35.0
#: Default cost of an overnight rest away from the base, CNY: an assumption, driver and
#: escort at 180 CNY county-town lodging + 120 CNY meals each (no sourced figure).
DEFAULT_OVERNIGHT_COST_CNY_PER_REST = 600.0
MAX_CNY = 1e12
MAX_TIME_LIMIT_S = 7 * 86400.0  # a week
MAX_SEED = 2**31 - 1  # the solvers' seeds are 32-bit signed integers

NonNeg = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Pos = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
HourOfDay = Annotated[float, Field(ge=0.0, le=24.0, allow_inf_nan=False)]


class _Model(BaseModel):
    """Base: unknown keys are errors, assignments are validated, NaN/inf rejected."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic's lax mode reads true/false as 1/0; for a quantity that is a typo.
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and _numeric(field.annotation):
                raise ValueError(f"expected a number, got {str(value).lower()}")
        return value


def _numeric(annotation: Any) -> bool:
    """Whether a field annotation is a number (possibly optional or annotated)."""
    if annotation is float or annotation is int:
        return True
    return any(_numeric(a) for a in typing.get_args(annotation))


class PlantConfig(_Model):
    """The recycling plant (the final sink of every flow)."""

    id: str | None = Field(
        None, description="Plant id in the geodata's plant table; None takes its first row."
    )
    lon: float | None = Field(
        None, description="Override longitude, WGS84 degrees (must lie in the study area)."
    )
    lat: float | None = Field(
        None, description="Override latitude, WGS84 degrees (must lie in the study area)."
    )
    capacity_t_per_year: Pos | None = Field(
        None,
        le=MAX_T_PER_YEAR,
        description="Yearly treatment capacity, t/year; None takes the geodata value.",
    )

    @model_validator(mode="after")
    def _both_coordinates(self) -> PlantConfig:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("give both lon and lat, or neither")
        return self


class SourcesConfig(_Model):
    """Dealers (4S shops) and service shops that hand over retired packs."""

    table: Path | None = Field(
        None,
        description=(
            "CSV or GeoJSON table of sources (columns source_id, name, kind, lon, lat, prefecture, "
            "province, supply_t_per_year, damaged_share); None uses the embedded synthetic set."
        ),
    )
    supply_scale: Pos = Field(
        1.0,
        le=MAX_SCALE,
        description="Factor applied to every source's yearly tonnes (volume growth).",
    )
    damaged_share: Share | None = Field(
        None, description="Override of every source's damaged share (0-1); None keeps the table's."
    )


class ExistingOutletConfig(_Model):
    """What the planner decides about an existing outlet (overrides the table's flag)."""

    site_id: str = Field(min_length=1, max_length=200, description="Candidate site id.")
    decision: Literal["keep", "close", "candidate"] = Field(
        "candidate",
        description=(
            "'keep': it exists and stays open; 'close': it exists and is shut (it may not "
            "open); 'candidate': the location model keeps or closes it, whichever is cheaper."
        ),
    )
    closing_cost_cny_per_year: float = Field(
        0.0,
        ge=-MAX_CNY,
        le=MAX_CNY,
        description=(
            "Annualised cost of closing it (lease break, severance, site clean-up), CNY/year; "
            "negative for a closing saving (a site sold). Counted when it ends up closed."
        ),
    )


class CandidatesConfig(_Model):
    """Candidate outlet sites (collection-type and centralized-storage-type)."""

    table: Path | None = Field(
        None,
        description=(
            "CSV or GeoJSON table of candidate sites (columns site_id, name, kind, lon, lat, "
            "prefecture, province, fixed_cost_cny_per_year, stock_capacity_t, existing); "
            "None uses the embedded candidates."
        ),
    )
    existing: list[str] = Field(
        default_factory=list,
        description=(
            "Site ids of outlets that already exist and are forced open, besides those the "
            "table flags (use existing_outlets to close or free the table's)."
        ),
    )
    existing_outlets: list[ExistingOutletConfig] = Field(
        default_factory=list,
        description=(
            "Existing outlets the planner decides about: keep, close or treat as a candidate "
            "(with a closing cost or saving), overriding the table's existing flag."
        ),
    )
    fixed_cost_scale: Pos = Field(
        1.0, le=MAX_SCALE, description="Factor applied to every fixed cost."
    )


class RoadNetworkConfig(_Model):
    """The road network from an OpenStreetMap file instead of the geodata's ``roads.csv``.

    The file is read by :func:`revlog.geo.osm.road_network_from_osm` (highway tags → road
    classes, ``hazmat=*`` and tunnel tags → closed links, ``place=*`` nodes → population).
    """

    osm: Path = Field(
        description=(
            "OSM XML (.osm) or PBF (.osm.pbf) file of the study area's roads, relative to the "
            "scenario file."
        )
    )


class VehicleTypeConfig(_Model):
    """A hazmat vehicle type stationed at one or more bases."""

    id: str = Field(
        min_length=1, max_length=100, description="Vehicle type id, unique in the fleet."
    )
    base: str = Field(
        "outlets",
        description=(
            "Where it is stationed: 'plant', 'outlets' (every opened outlet), "
            "or a candidate site id."
        ),
    )
    payload_kg: Pos = Field(
        le=MAX_PAYLOAD_KG, description="Total payload limit, kg (intact + damaged packs)."
    )
    damaged_capacity_kg: NonNeg = Field(
        0.0, description="Certified-box capacity for damaged packs, kg (0: carries none)."
    )
    fixed_cost_cny_per_run: NonNeg = Field(
        0.0, le=1e6, description="Cost of dispatching the vehicle for one run, CNY."
    )
    cost_cny_per_km: NonNeg = Field(3.0, le=MAX_CNY_PER_KM, description="Running cost, CNY per km.")
    count: int = Field(1, ge=1, le=1000, description="Vehicles of this type at each such base.")
    cost_cny_per_year: NonNeg = Field(
        0.0,
        le=MAX_CNY,
        description=(
            "Yearly ownership cost of one vehicle (depreciation, insurance, dangerous-goods "
            "licence, parking), CNY; paid for each vehicle a base uses, so that the solver "
            "sizes the fleet within count (0: a vehicle costs only by the run)."
        ),
    )
    escort_cost_cny_per_h: NonNeg = Field(
        DEFAULT_ESCORT_COST_CNY_PER_H,
        le=1e4,
        description=(
            "Cost of the escort every dangerous-goods vehicle carries, CNY per hour on duty "
            "(departure to return, overnight rests excepted). The default is an assumption."
        ),
    )
    overnight_cost_cny_per_rest: NonNeg = Field(
        DEFAULT_OVERNIGHT_COST_CNY_PER_REST,
        le=1e5,
        description=(
            "Cost of one overnight rest away from the base (lodging and meals of driver and "
            "escort), CNY. The default is an assumption."
        ),
    )
    co2_kg_per_km_empty: NonNeg | None = Field(
        None,
        le=100.0,
        description=(
            "CO2 of the vehicle running empty, kg/km (closed loop); None: the diesel truck "
            "class of its payload (revlog.loop_defaults)."
        ),
    )
    co2_kg_per_km_loaded: NonNeg | None = Field(
        None,
        le=100.0,
        description=(
            "CO2 of the vehicle fully loaded, kg/km (linear in load in between); None: the "
            "diesel truck class of its payload (revlog.loop_defaults)."
        ),
    )

    @model_validator(mode="after")
    def _damaged_within_payload(self) -> VehicleTypeConfig:
        if self.damaged_capacity_kg > self.payload_kg:
            raise ValueError("damaged_capacity_kg exceeds payload_kg")
        return self


class NightBan(_Model):
    """Hours of the day in which hazmat vehicles may not drive."""

    start_h: HourOfDay = Field(0.0, description="Start of the ban, hour of day.")
    end_h: HourOfDay = Field(6.0, description="End of the ban, hour of day (may wrap past 24).")

    @model_validator(mode="after")
    def _some_hours(self) -> NightBan:
        # Hours are taken modulo 24 (22-6 wraps past midnight), so 5-5 and 0-24 ban nothing.
        if self.start_h % 24.0 == self.end_h % 24.0:
            raise ValueError(
                f"a ban from {self.start_h:g} h to {self.end_h:g} h has no length (hours of "
                "day wrap at 24); give the hours in which driving is banned, e.g. 22 to 6, "
                "or remove rules.night_ban"
            )
        return self


class RulesConfig(_Model):
    """Dangerous-goods road rules (defaults: :mod:`revlog.regulations`, with their sources)."""

    speed_expressway_kmh: Pos = Field(
        reg.SPEED_CAP_EXPRESSWAY_KMH, le=120.0, description="Hazmat cap on expressways, km/h."
    )
    speed_other_kmh: Pos = Field(
        reg.SPEED_CAP_OTHER_KMH, le=120.0, description="Hazmat cap on other roads, km/h."
    )
    max_driving_h: Pos = Field(
        reg.MAX_CONTINUOUS_DRIVING_H,
        le=24.0,
        description="Longest driving stretch before a break, h.",
    )
    break_min: Pos = Field(
        reg.MIN_DRIVING_BREAK_MIN, le=720.0, description="Minimum break after that stretch, min."
    )
    duty_h_per_day: Pos = Field(
        reg.DEFAULT_DUTY_H_PER_DAY, le=24.0, description="Daily duty limit, h."
    )
    shift_start_h: HourOfDay = Field(
        reg.DEFAULT_SHIFT_START_H, description="Hour of day a shift may start."
    )
    night_ban: NightBan | None = Field(
        None, description="Optional night-driving ban (none is known for Qinghai)."
    )
    restricted_road_classes: list[RoadClass] = Field(
        default_factory=list, description="Road classes hazmat vehicles may not use."
    )
    max_days_per_run: int = Field(
        reg.DEFAULT_MAX_DAYS_PER_RUN, ge=1, le=7, description="Longest multi-day run, days."
    )
    overnight_rest_h: Pos = Field(
        reg.DEFAULT_OVERNIGHT_REST_H, le=24.0, description="Minimum overnight rest, h."
    )
    allow_multi_trip: bool = Field(
        False, description="Whether a vehicle may make several runs from its base in a period."
    )


class CostsConfig(_Model):
    """Transport costs by echelon (CNY per tonne-km)."""

    first_mile_cny_per_t_km: NonNeg = Field(
        2.0, le=MAX_CNY_PER_KM, description="Source → first-stop facility (pickup runs), CNY/t·km."
    )
    collection_line_haul_cny_per_t_km: NonNeg = Field(
        1.0, le=MAX_CNY_PER_KM, description="Collection outlet → storage outlet or plant, CNY/t·km."
    )
    storage_line_haul_cny_per_t_km: NonNeg = Field(
        0.6, le=MAX_CNY_PER_KM, description="Storage outlet → plant (full truckloads), CNY/t·km."
    )


class LocationConfig(_Model):
    """Stage-1 settings: which outlets to open."""

    method: Literal["lrp", "two-stage"] = Field(
        "lrp",
        description=(
            "How outlets are chosen: 'lrp' (the first mile priced by the fleet's runs, "
            "revlog.location.first_mile; that design and the two-stage one both routed and "
            "the lower realised total kept) or 'two-stage' (the first mile at "
            "costs.first_mile_cny_per_t_km, then routed)."
        ),
    )
    service_radius_km: Pos = Field(
        500.0,
        le=5000.0,
        description="Longest road distance from a source to its first-stop facility, km.",
    )
    collection_turns_per_year: Pos = Field(
        52.0,
        le=365.0,
        description="Pickups per year emptying a collection outlet (stock → throughput).",
    )
    storage_turns_per_year: Pos = Field(
        12.0,
        le=365.0,
        description="Line-hauls per year emptying a storage outlet (stock → throughput).",
    )
    collection_per_prefecture: bool = Field(
        True, description="At least one collection outlet in every prefecture with sources."
    )
    direct_to_plant: bool = Field(True, description="Whether sources may deliver to the plant.")
    linehaul_cost: Literal["per_trip", "per_t_km"] = Field(
        "per_t_km",
        description=(
            "How the location model prices line-hauls: 'per_t_km' (the "
            "costs.*_line_haul_cny_per_t_km rates) or 'per_trip' (integer trips of the fleet's "
            "line-haul vehicle, each carrying at most the sender's stock limit or the payload, "
            "priced like the plan's trips). per_trip is not the default while the first mile "
            "is priced per t·km: against that underestimate, honest line-hauls send most "
            "sources straight to the plant."
        ),
    )
    budget_cny_per_year: Pos | None = Field(
        None, le=MAX_CNY, description="Cap on yearly fixed costs, CNY."
    )
    max_outlets: int | None = Field(
        None, ge=1, le=100_000, description="Cap on the number of open outlets."
    )


class GradingConfig(_Model):
    """Grades of the retired packs and their testing at centralized-storage outlets (issue 15).

    Every source's intact tonnes split into second-life-able and recycle-only by the
    shares of ``geodata/grading.csv`` for its kind, a ``second_life_share`` column of the
    sources table, or :attr:`second_life_share` here (in that order of precedence, the
    scenario's first); damaged tonnes are recycle-only.
    """

    second_life_share: Share | None = Field(
        None,
        description=(
            "Share of every source's intact tonnes that is second-life-able; None: the "
            "sources table's second_life_share column, else geodata/grading.csv by kind."
        ),
    )
    cost_cny_per_t: NonNeg = Field(
        loopd.GRADING_COST_CNY_PER_T,
        le=1e6,
        description="Cost of testing and grading one tonne at a storage outlet, CNY/t.",
    )
    throughput_t_per_year: NonNeg = Field(
        loopd.GRADING_THROUGHPUT_T_PER_YEAR,
        le=MAX_T_PER_YEAR,
        description="Tonnes one storage outlet can grade per year, t/year.",
    )


class LoopConfig(_Model):
    """The closed loop: graded packs to second-life users or the plant, revenues, CO2."""

    enabled: bool = Field(
        False, description="Plan the closed loop (off: every tonne goes to the plant, no CO2)."
    )
    revenue: bool = Field(
        True,
        description="Count second-life sales and the plant's material revenue in the objective.",
    )
    carbon_price_cny_per_t_co2: NonNeg = Field(
        0.0, le=1e5, description="Carbon price in the objective, CNY per tonne of CO2."
    )
    users: list[str] | None = Field(
        None,
        description=(
            "Second-life user ids (geodata second_life.csv) that take part; None: every user "
            "in the scenario's regions; []: none."
        ),
    )
    plant_revenue_cny_per_t: NonNeg = Field(
        loopd.PLANT_REVENUE_CNY_PER_T,
        le=1e6,
        description="The plant's revenue from the material of one tonne of packs, CNY/t.",
    )
    second_life_price_scale: NonNeg = Field(
        1.0, le=MAX_SCALE, description="Factor applied to every second-life user's price."
    )
    co2_avoided_kg_per_t: NonNeg = Field(
        loopd.SECOND_LIFE_AVOIDED_KG_CO2E_PER_T,
        le=1e6,
        description="CO2 avoided per tonne put to second life, kg/t.",
    )


class TimeWindow(_Model):
    """Daily opening hours."""

    open_h: HourOfDay = 8.0
    close_h: HourOfDay = 18.0

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.close_h <= self.open_h:
            raise ValueError("close_h must be after open_h")
        return self


class RoutingConfig(_Model):
    """Stage-2 settings: the pickup runs of one planning period."""

    periods_per_year: int = Field(
        52, ge=1, le=365, description="Planning periods per year (52: weekly pickups)."
    )
    days_per_period: int = Field(7, ge=1, le=31, description="Length of a period, days.")
    working_days: int = Field(
        5, ge=1, le=7, description="Days of the period on which shops hand over packs."
    )
    shop_hours: TimeWindow = Field(default_factory=TimeWindow, description="Shop opening hours.")
    service_ends_by_closing: bool = Field(
        True,
        description=(
            "Loading must end by the shop's closing hour (false: it may start until closing "
            "and run past it)."
        ),
    )
    base_hours: TimeWindow = Field(
        default_factory=lambda: TimeWindow(open_h=6.0, close_h=22.0),
        description="Hours in which a base dispatches and receives vehicles.",
    )
    service_fixed_min: NonNeg = Field(
        20.0, le=720.0, description="Fixed service time per stop, min."
    )
    service_min_per_pack: NonNeg = Field(6.0, le=720.0, description="Loading time per pack, min.")
    pack_mass_kg: Pos = Field(300.0, le=5000.0, description="Mean mass of a retired pack, kg.")
    drop_penalty_cny: Pos | None = Field(
        None,
        le=MAX_CNY,
        description="Penalty for leaving a stop unserved; None: every stop must be served.",
    )
    cadence: Literal["every_round", "by_stock"] = Field(
        "every_round",
        description=(
            "How often a source is visited: every_round (every period, the period's share of "
            "its tonnes) or by_stock (whole packs, as rarely as its storage_kg and "
            "max_holding_days allow; the year's periods routed one by one)."
        ),
    )
    max_holding_days: Pos = Field(
        reg.DEFAULT_MAX_HOLDING_DAYS,
        le=3650.0,
        description="by_stock: longest a pack waits at its source for the pickup, days.",
    )
    source_storage_kg: Pos = Field(
        reg.DEFAULT_SOURCE_STORAGE_KG,
        le=MAX_PAYLOAD_KG,
        description=(
            "by_stock: packs a source can store, kg (the sources table's storage_kg column "
            "overrides it per source)."
        ),
    )
    split_pickups: bool = Field(
        False,
        description=(
            "Let the intact and the damaged packs of a visit go on different vehicles (a "
            "van without certified box takes the intact ones) where that is cheaper."
        ),
    )


class SolverConfig(_Model):
    """Solver settings."""

    time_limit_s: Pos = Field(
        120.0, le=MAX_TIME_LIMIT_S, description="Total time limit of a solve, s (at most a week)."
    )
    location_share: float = Field(
        0.4, gt=0.0, lt=1.0, description="Share of the time limit given to stage 1."
    )
    mip_gap: NonNeg = Field(1e-4, le=1.0, description="Relative MIP gap at which stage 1 stops.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Random seed (same seed, same plan).")
    risk_weight_cny_per_person: NonNeg = Field(
        0.0, le=1e6, description="Weight of population exposure in both objectives, CNY per person."
    )
    threads: int = Field(1, ge=1, le=64, description="Solver threads (1 is deterministic).")
    ortools_polish: bool = Field(
        False,
        description=(
            "Let OR-Tools' guided local search polish the constructed pickup runs (one-day "
            "rules). Off: on the shipped scenarios it never improved them and used the whole "
            "time limit."
        ),
    )


#: Social discount rate of China's project appraisal rules (NDRC & Ministry of Construction,
#: "Economic Evaluation Methods and Parameters for Construction Projects", 3rd ed., 2006: 8 %).
DEFAULT_DISCOUNT_RATE = 0.08
#: Growth factors key every province at once with this name.
ALL_REGIONS = "*"


class CapacityModulesConfig(_Model):
    """Stock modules a centralized-storage outlet may add over the horizon."""

    stock_t: float = Field(
        reg.STORAGE_MIN_STOCK_T,
        ge=reg.STORAGE_MIN_STOCK_T,
        le=1e5,
        allow_inf_nan=False,
        description="Stock one module adds, t (MIIT 2019: a storage outlet holds at least 30 t).",
    )
    cost_cny: NonNeg = Field(0.0, le=MAX_CNY, description="One-off cost of one module, CNY.")
    fixed_cost_cny_per_year: NonNeg = Field(
        0.0, le=MAX_CNY, description="Yearly operating cost of one installed module, CNY/year."
    )
    max_per_site: int = Field(2, ge=0, le=100, description="Most modules one outlet may add.")


class HorizonConfig(_Model):
    """A multi-year plan: which outlets to open in which year (one MILP over all years).

    Each listed year stands for the calendar years up to the next listed one (the last for
    the years up to ``end_year``); its yearly cost is discounted over them.
    """

    years: list[int] = Field(
        min_length=1,
        max_length=50,
        description="Years planned, strictly increasing (the first at or after planning_year).",
    )
    end_year: int | None = Field(
        None, ge=2000, le=2200, description="Last calendar year of the horizon; None: last year."
    )
    growth: dict[int, dict[str, Pos]] = Field(
        default_factory=dict,
        description=(
            "Supply factor per year and province on the sources' planning_year tonnes "
            "(after sources.supply_scale); '*' keys every province. Every listed year but "
            "planning_year needs an entry, unless the sources table has a column "
            "supply_t_per_year_YEAR (that year's tonnes per source, also scaled)."
        ),
    )
    discount_rate: float = Field(
        DEFAULT_DISCOUNT_RATE,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="Yearly discount rate of future costs (default: China's 8 % social rate).",
    )
    opening_cost_years_of_fixed: NonNeg = Field(
        0.0,
        le=100.0,
        description=(
            "One-off opening cost of a new outlet as years of its yearly fixed cost "
            "(0: none); existing outlets have none."
        ),
    )
    opening_cost_cny: dict[str, NonNeg] = Field(
        default_factory=dict, description="One-off opening cost per candidate site id, CNY."
    )
    closing_allowed: bool = Field(
        False, description="Whether an opened outlet may close later (existing ones never)."
    )
    closing_cost_cny: NonNeg = Field(
        0.0, le=MAX_CNY, description="One-off cost of closing an outlet, CNY."
    )
    modules: CapacityModulesConfig | None = Field(
        None, description="Stock modules storage outlets may add; None: capacities fixed."
    )
    myopic: bool = Field(
        True,
        description="Also solve year by year (earlier openings kept): what planning saves.",
    )

    @model_validator(mode="after")
    def _consistent_years(self) -> HorizonConfig:
        ys = self.years
        if any(not 2000 <= y <= 2100 for y in ys):
            raise ValueError("years must lie in 2000-2100")
        if any(b <= a for a, b in itertools.pairwise(ys)):
            raise ValueError(f"years must be strictly increasing, got {ys}")
        if self.end_year is not None and self.end_year < ys[-1]:
            raise ValueError(f"end_year {self.end_year} is before the last year {ys[-1]}")
        extra = sorted(set(self.growth) - set(ys))
        if extra:
            raise ValueError(f"growth given for years not in years: {extra}")
        for y, by_region in self.growth.items():
            bad = sorted(set(by_region) - set(typing.get_args(Province)) - {ALL_REGIONS})
            if bad:
                raise ValueError(f"growth.{y}: unknown province(s) {bad}")
        return self


class Scenario(_Model):
    """One planning scenario.

    Attributes
    ----------
    path
        The file it was loaded from (set by the loader, not written by the planner).
    """

    name: str = Field(min_length=1, max_length=200, description="Scenario name (used in outputs).")
    planning_year: int = Field(ge=2000, le=2100, description="Year the volumes refer to.")
    description: str = ""
    geodata: Path | None = Field(None, description="Geodata folder; None: the embedded default.")
    road_network: RoadNetworkConfig | None = Field(
        None,
        description=(
            "Road network from an OpenStreetMap file; None: the geodata's roads.csv (the "
            "embedded network by default)."
        ),
    )
    allow_external_paths: bool = Field(
        False,
        description=(
            "Whether the geodata folder, the tables and the OSM file may lie outside the "
            "scenario file's folder (and its subfolders). Off by default, so that a scenario "
            "folder is self-contained and a scenario handed on cannot read other files on the "
            "machine."
        ),
    )
    regions: list[Province] = Field(
        default_factory=lambda: ["Qinghai"],
        description="Provinces whose sources and candidate sites take part.",
    )
    plant: PlantConfig = Field(default_factory=PlantConfig)
    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    candidates: CandidatesConfig = Field(default_factory=CandidatesConfig)
    fleet: list[VehicleTypeConfig] = Field(
        default_factory=lambda: [
            VehicleTypeConfig(
                id="van-1.5t",
                base="outlets",
                payload_kg=1500.0,
                damaged_capacity_kg=0.0,
                fixed_cost_cny_per_run=300.0,
                cost_cny_per_km=2.5,
                count=2,
            ),
            VehicleTypeConfig(
                id="truck-5t-box",
                base="outlets",
                payload_kg=5000.0,
                damaged_capacity_kg=1000.0,
                fixed_cost_cny_per_run=600.0,
                cost_cny_per_km=4.0,
                count=1,
            ),
            VehicleTypeConfig(
                id="truck-10t-box",
                base="plant",
                payload_kg=10000.0,
                damaged_capacity_kg=2000.0,
                fixed_cost_cny_per_run=900.0,
                cost_cny_per_km=5.5,
                count=3,
            ),
        ],
        description="Vehicle types per base.",
    )
    rules: RulesConfig = Field(default_factory=RulesConfig)
    costs: CostsConfig = Field(default_factory=CostsConfig)
    location: LocationConfig = Field(default_factory=LocationConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    solver: SolverConfig = Field(default_factory=SolverConfig)
    grading: GradingConfig = Field(default_factory=GradingConfig)
    loop: LoopConfig = Field(default_factory=LoopConfig)
    horizon: HorizonConfig | None = Field(
        None, description="Multi-year plan (revlog.horizon); None: one year, planning_year."
    )
    path: Path | None = Field(None, exclude=True, description="File the scenario was read from.")

    @field_validator("fleet")
    @classmethod
    def _fleet_not_empty(cls, v: list[VehicleTypeConfig]) -> list[VehicleTypeConfig]:
        if not v:
            raise ValueError("the fleet is empty: give at least one vehicle type")
        ids = [t.id for t in v]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate vehicle type id(s): {', '.join(dup)}")
        return v

    @model_validator(mode="after")
    def _horizon_from_planning_year(self) -> Scenario:
        h = self.horizon
        if h is not None and h.years[0] < self.planning_year:
            raise ValueError(
                f"horizon.years start in {h.years[0]}, before planning_year "
                f"{self.planning_year} (the year the sources' tonnes refer to)"
            )
        return self

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("give at least one region")
        return sorted(set(v), key=v.index)


def finite(x: float) -> bool:
    """Return whether ``x`` is a finite float."""
    return isinstance(x, (int, float)) and math.isfinite(x)
