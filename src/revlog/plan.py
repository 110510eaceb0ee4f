"""A solved plan: the network design, the pickup runs and their KPIs, as tables.

A :class:`Plan` holds plain pandas / GeoPandas tables (EPSG:4326) so that analysts can
filter, join and plot them, and saves to / loads from a folder of CSV and GeoJSON files.

Tables and their columns (units in the names; times in hours from the start of the
planning period, which is ``meta["days_per_period"]`` days long):

``outlets`` (GeoDataFrame, Points)
    ``site_id, name, kind`` (collection | storage | plant) ``, prefecture, province, open,
    existing, throughput_t_per_year, capacity_t_per_year, utilisation,
    fixed_cost_cny_per_year`` — every candidate site and the plant.
``assignments`` (GeoDataFrame, road-following LineStrings)
    ``source_id, source_name, source_kind, facility_id, share, supply_t_per_year,
    damaged_t_per_year, km, cost_cny_per_year`` — each source's first-stop facility
    (``cost_cny_per_year`` is stage 1's first-mile estimate at the CNY/t·km rate).
``linehauls`` (GeoDataFrame, road-following LineStrings)
    ``from_id, to_id, t_per_year, km, trips_per_year, payload_t, cost_cny_per_year,
    exposure_persons_per_year`` — forwarding of stock between echelons (full truckloads).
``routes`` (GeoDataFrame, road-following LineStrings)
    ``run_id, base_id, vehicle_type, vehicle, trip, days, stops, start_h, end_h, km,
    drive_h, duty_h, intact_kg, damaged_kg, cost_cny, exposure_persons`` — one row per
    pickup run in one planning period (``cost_cny`` = fixed cost + distance cost).
``stops`` (GeoDataFrame, Points)
    ``run_id, seq, node_id, name, day, arrival_h, start_h, departure_h, pickup_intact_kg,
    pickup_damaged_kg, load_intact_kg, load_damaged_kg`` — every visit of every run, the
    base first (``seq`` 0) and last; loads are on board after the stop.
``breaks`` (DataFrame)
    ``run_id, start_h, duration_h, kind`` (driving | overnight | night).
``kpis`` (Series, see :data:`KPI_UNITS`)
    Total cost in CNY/year and its parts (they add up), tonnes, t·km, vehicle-km, runs,
    vehicles, route exposure, share of supply served, solver statuses and gaps.
``meta`` (dict)
    Scenario name and file, seed, time limits, period definition, stage-1 objective
    parts (``meta["location"]``), per-base routing figures (``meta["routing"]``), the
    dropped stops.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely import wkt

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

TABLES = ("outlets", "assignments", "linehauls", "routes", "stops", "breaks")
GEO_TABLES = ("outlets", "assignments", "linehauls", "routes", "stops")
CRS = "EPSG:4326"
#: Columns read back as text whatever they look like (ids such as ``"007"``).
ID_COLUMNS = (
    "site_id",
    "source_id",
    "facility_id",
    "from_id",
    "to_id",
    "run_id",
    "base_id",
    "node_id",
    "vehicle_type",
    "name",
    "source_name",
    "prefecture",
    "province",
)
#: CSV number format: 10 significant digits keep times within 1e-7 h and costs within 1e-3 CNY.
FLOAT_FORMAT = "%.10g"

COLUMNS: dict[str, list[str]] = {
    "outlets": [
        "site_id",
        "name",
        "kind",
        "prefecture",
        "province",
        "open",
        "existing",
        "throughput_t_per_year",
        "capacity_t_per_year",
        "utilisation",
        "fixed_cost_cny_per_year",
    ],
    "assignments": [
        "source_id",
        "source_name",
        "source_kind",
        "facility_id",
        "share",
        "supply_t_per_year",
        "damaged_t_per_year",
        "km",
        "cost_cny_per_year",
    ],
    "linehauls": [
        "from_id",
        "to_id",
        "t_per_year",
        "km",
        "trips_per_year",
        "payload_t",
        "cost_cny_per_year",
        "exposure_persons_per_year",
    ],
    "routes": [
        "run_id",
        "base_id",
        "vehicle_type",
        "vehicle",
        "trip",
        "days",
        "stops",
        "start_h",
        "end_h",
        "km",
        "drive_h",
        "duty_h",
        "intact_kg",
        "damaged_kg",
        "cost_cny",
        "exposure_persons",
    ],
    "stops": [
        "run_id",
        "seq",
        "node_id",
        "name",
        "day",
        "arrival_h",
        "start_h",
        "departure_h",
        "pickup_intact_kg",
        "pickup_damaged_kg",
        "load_intact_kg",
        "load_damaged_kg",
    ],
    "breaks": ["run_id", "start_h", "duration_h", "kind"],
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty table ``name`` with its documented columns (a GeoDataFrame if geographic)."""
    frame = pd.DataFrame({c: [] for c in COLUMNS[name]})
    if name in GEO_TABLES:
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    return frame


@dataclass
class Plan:
    """A solved scenario.

    Attributes
    ----------
    name
        Scenario name.
    outlets, assignments, linehauls, routes, stops
        GeoDataFrames in EPSG:4326 (see the module docstring for their columns).
    breaks
        DataFrame of driver breaks and overnight rests.
    kpis
        KPI Series (see :data:`KPI_UNITS`).
    meta
        Scenario file, seed, time limits, solver figures, notes on what was dropped.

    Examples
    --------
    >>> plan = revlog.solve("scenarios/qinghai-baseline.yaml", time_limit=60)  # doctest: +SKIP
    >>> print(plan.summary())  # doctest: +SKIP
    >>> plan.save("out/baseline")  # doctest: +SKIP
    >>> plan.explore()  # doctest: +SKIP
    """

    name: str
    outlets: gpd.GeoDataFrame
    assignments: gpd.GeoDataFrame
    linehauls: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    stops: gpd.GeoDataFrame
    breaks: pd.DataFrame
    kpis: pd.Series
    meta: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ display
    def summary(self) -> str:
        """Return a readable multi-line summary: KPIs with units, grouped, and notes."""
        k = self.kpis
        lines = [f"Plan '{self.name}'"]
        for title, keys in KPI_GROUPS.items():
            shown = [key for key in keys if key in k.index]
            if not shown:
                continue
            lines.append(f"  {title}")
            for key in shown:
                unit = KPI_UNITS.get(key, "")
                lines.append(f"    {key:<36} {format_value(k[key])} {unit}".rstrip())
        dropped = self.meta.get("dropped_stops") or []
        if dropped:
            lines.append(f"  dropped stops: {', '.join(map(str, dropped))}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        k = self.kpis
        parts = [f"Plan({self.name!r}"]
        for key, label in (
            ("total_cost_cny_per_year", "cost_cny_per_year"),
            ("outlets_open", "outlets"),
            ("runs_per_period", "runs"),
            ("served_share", "served"),
        ):
            if key in k.index:
                parts.append(f"{label}={format_value(k[key])}")
        return ", ".join(parts) + ")"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{key}</td><td style='text-align:right'>{format_value(v)}</td>"
            f"<td>{KPI_UNITS.get(str(key), '')}</td></tr>"
            for key, v in self.kpis.items()
        )
        return f"<b>Plan '{self.name}'</b><table>{rows}</table>"

    def summary_dict(self, timings: bool = True) -> dict[str, Any]:
        """Return the name, KPIs and metadata as plain JSON-ready values.

        Parameters
        ----------
        timings
            Include ``meta["timings_s"]`` (wall times: they differ from run to run, so
            saved plans leave them out and stay byte-identical for the same input and seed).
        """
        return {
            "name": self.name,
            "kpis": {k: _plain(v) for k, v in self.kpis.items()},
            "meta": {k: _plain(v) for k, v in self.meta.items() if timings or k != "timings_s"},
        }

    # ------------------------------------------------------------------ views
    def explore(self, **kwargs: Any) -> folium.Map:
        """Return an interactive folium map (see :func:`revlog.export.maps.plan_map`)."""
        from revlog.export.maps import plan_map

        return plan_map(self, **kwargs)

    def plot(self, **kwargs: Any) -> Figure:
        """Return a static matplotlib overview (see :func:`revlog.export.maps.overview_figure`)."""
        from revlog.export.maps import overview_figure

        return overview_figure(self, **kwargs)

    def stop_schedule(self, run_id: str) -> pd.DataFrame:
        """The stops of one run in order, with place names where known."""
        s = self.stops[self.stops["run_id"] == run_id].sort_values("seq")
        return pd.DataFrame(s.drop(columns=s.geometry.name)).reset_index(drop=True)

    # ------------------------------------------------------------------ files
    def save(self, folder: str | Path) -> Path:
        """Write the plan to ``folder``: ``plan.json``, one CSV and one GeoJSON per table.

        CSV tables carry geometry as WKT (6 decimals) in a ``geometry`` column and numbers
        with 10 significant digits; GeoJSON files follow RFC 7946 (longitude first, 6
        decimals, no CRS member).

        Returns
        -------
        Path
            ``folder``.
        """
        from revlog.export.geojson import write_plan_geojson

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "plan.json").write_text(
            json.dumps(
                self.summary_dict(timings=False), indent=2, sort_keys=True, ensure_ascii=False
            )
            + "\n",
            encoding="utf-8",
        )
        for name in TABLES:
            table = getattr(self, name)
            frame = pd.DataFrame(table).copy()
            if "geometry" in frame.columns:
                frame["geometry"] = [
                    wkt.dumps(g, rounding_precision=6) if g is not None else ""
                    for g in frame["geometry"]
                ]
            frame.to_csv(
                folder / f"{name}.csv", index=False, float_format=FLOAT_FORMAT, lineterminator="\n"
            )
        write_plan_geojson(self, folder)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Plan:
        """Read a plan written by :meth:`save`.

        Raises
        ------
        FileNotFoundError
            If ``folder`` has no ``plan.json`` or misses a table.
        """
        folder = Path(folder)
        info = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        tables: dict[str, Any] = {}
        for name in TABLES:
            frame = pd.read_csv(
                folder / f"{name}.csv",
                keep_default_na=False,
                na_values=[""],
                dtype=dict.fromkeys(ID_COLUMNS, str),
            )
            if name in GEO_TABLES:
                geoms = (
                    [
                        wkt.loads(g) if isinstance(g, str) and g else None
                        for g in frame.pop("geometry")
                    ]
                    if "geometry" in frame
                    else [None] * len(frame)
                )
                tables[name] = gpd.GeoDataFrame(
                    frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs=CRS), crs=CRS
                )
            else:
                tables[name] = frame
        values: dict[str, Any] = {}
        for key, v in info["kpis"].items():
            if isinstance(v, int | float) and not isinstance(v, bool):
                v = int(v) if key in INTEGER_KPIS else float(v)
            values[key] = v
        kpis = pd.Series(values, dtype=object)
        return cls(name=info["name"], kpis=kpis, meta=info.get("meta", {}), **tables)

    def to_geojson(self, folder: str | Path) -> list[Path]:
        """Write the geographic tables as RFC 7946 GeoJSON files; return their paths."""
        from revlog.export.geojson import write_plan_geojson

        return write_plan_geojson(self, folder)


def format_value(v: Any) -> str:
    """A KPI value as text: thousands separators, 2 decimals for floats, shares as %."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, int):
        return f"{v:,d}"
    if isinstance(v, float):
        if v != v:  # NaN
            return "nan"
        if v == 0 or abs(v) >= 1:
            return f"{v:,.2f}" if abs(v) < 1e15 else f"{v:.6g}"
        return f"{v:.4g}"
    return str(v)


def _plain(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float):
        return round(v, 6) if abs(v) < 1e9 else v
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(a): _plain(b) for a, b in v.items()}
    return v


KPI_UNITS: dict[str, str] = {
    "total_cost_cny_per_year": "CNY/year",
    "fixed_cost_cny_per_year": "CNY/year",
    "pickup_cost_cny_per_year": "CNY/year",
    "line_haul_cost_cny_per_year": "CNY/year",
    "risk_cost_cny_per_year": "CNY/year",
    "pickup_cost_cny_per_period": "CNY/period",
    "location_objective_cny_per_year": "CNY/year",
    "supply_t_per_year": "t/year",
    "collected_t_per_year": "t/year",
    "served_share": "of supply",
    "t_km_per_year": "t·km/year",
    "vehicle_km_per_period": "km/period",
    "vehicle_km_per_year": "km/year",
    "runs_per_period": "runs/period",
    "vehicles_used": "vehicles",
    "route_exposure_persons_per_period": "persons/period",
    "outlets_open": "outlets",
    "dropped_stops": "stops",
    "location_status": "",
    "location_gap": "",
    "routing_status": "",
}
"""The KPIs of a plan and their units.

``total_cost_cny_per_year`` = ``fixed_cost`` (open outlets, annualised) + ``pickup_cost``
(the routed runs' fixed and distance costs × periods per year) + ``line_haul_cost``
(forwarding, CNY/t·km) + ``risk_cost`` (``risk_weight`` × exposure of the runs and of the
line-hauls). ``location_objective_cny_per_year`` is stage 1's own objective, whose
first-mile part is a CNY/t·km estimate instead of the routed runs.
``collected_t_per_year`` counts what the runs pick up (× periods per year); ``t_km_per_year``
is tonnes × road km of the assignments and line-hauls.
"""
KPI_ORDER = list(KPI_UNITS)
KPI_GROUPS: dict[str, list[str]] = {
    "cost": [
        "total_cost_cny_per_year",
        "fixed_cost_cny_per_year",
        "pickup_cost_cny_per_year",
        "line_haul_cost_cny_per_year",
        "risk_cost_cny_per_year",
        "pickup_cost_cny_per_period",
        "location_objective_cny_per_year",
    ],
    "volume": ["supply_t_per_year", "collected_t_per_year", "served_share", "t_km_per_year"],
    "fleet": [
        "vehicle_km_per_period",
        "vehicle_km_per_year",
        "runs_per_period",
        "vehicles_used",
        "route_exposure_persons_per_period",
    ],
    "network": ["outlets_open", "dropped_stops"],
    "solver": ["location_status", "location_gap", "routing_status"],
}
INTEGER_KPIS = ("runs_per_period", "vehicles_used", "outlets_open", "dropped_stops")
