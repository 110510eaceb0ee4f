"""A solved plan: the network design, the pickup runs and their KPIs, as tables.

A :class:`Plan` holds plain pandas / GeoPandas tables (EPSG:4326) so that analysts can
filter, join and plot them, and saves to / loads from a folder of CSV and GeoJSON files.

Tables and their columns (units in the names):

``outlets`` (GeoDataFrame, Points)
    ``site_id, name, kind`` (collection | storage | plant) ``, prefecture, province, open,
    existing, throughput_t_per_year, capacity_t_per_year, utilisation,
    fixed_cost_cny_per_year`` — every candidate site and the plant.
``assignments`` (GeoDataFrame, road-following LineStrings)
    ``source_id, source_name, source_kind, facility_id, share, supply_t_per_year,
    damaged_t_per_year, km, cost_cny_per_year`` — each source's first-stop facility.
``linehauls`` (GeoDataFrame, LineStrings)
    ``from_id, to_id, t_per_year, km, trips_per_year, payload_t, cost_cny_per_year`` —
    forwarding of stock between echelons (full truckloads).
``routes`` (GeoDataFrame, LineStrings)
    ``run_id, base_id, vehicle_type, vehicle, trip, days, stops, km, drive_h, duty_h,
    intact_kg, damaged_kg, cost_cny, exposure_persons`` — one row per pickup run per period.
``stops`` (GeoDataFrame, Points)
    ``run_id, seq, node_id, day, arrival_h, start_h, departure_h, pickup_intact_kg,
    pickup_damaged_kg, load_intact_kg, load_damaged_kg`` (times in hours from the start of
    the planning period).
``breaks`` (DataFrame)
    ``run_id, start_h, duration_h, kind``.
``kpis`` (Series)
    costs in CNY per year and per period, tonnes, t·km, vehicle-km, runs, vehicles,
    exposure, share of supply served, solver statuses and gaps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely import wkt

TABLES = ("outlets", "assignments", "linehauls", "routes", "stops", "breaks")
GEO_TABLES = ("outlets", "assignments", "linehauls", "routes", "stops")
CRS = "EPSG:4326"


def _empty_gdf(columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=CRS)


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
        Scenario file, seed, time limits, solver statuses, notes on what was dropped.
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
        """Return a readable multi-line summary of the plan's KPIs."""
        k = self.kpis
        lines = [f"Plan '{self.name}'"]
        for key in KPI_ORDER:
            if key in k.index:
                v = k[key]
                unit = KPI_UNITS.get(key, "")
                txt = f"{v:,.2f}" if isinstance(v, float) else str(v)
                lines.append(f"  {key:<34} {txt} {unit}".rstrip())
        dropped = self.meta.get("dropped_stops") or []
        if dropped:
            lines.append(f"  dropped stops: {', '.join(dropped)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        k = self.kpis
        parts = [f"Plan({self.name!r}"]
        for key in ("total_cost_cny_per_year", "outlets_open", "runs_per_period"):
            if key in k.index:
                parts.append(
                    f"{key}={k[key]:,.6g}" if isinstance(k[key], float) else f"{key}={k[key]}"
                )
        return ", ".join(parts) + ")"

    def summary_dict(self) -> dict[str, Any]:
        """Return the KPIs and metadata as plain JSON-ready values."""
        return {
            "name": self.name,
            "kpis": {k: _plain(v) for k, v in self.kpis.items()},
            "meta": {k: _plain(v) for k, v in self.meta.items()},
        }

    # ------------------------------------------------------------------ files
    def save(self, folder: str | Path) -> Path:
        """Write the plan to ``folder``: ``plan.json``, one CSV and one GeoJSON per table.

        CSV tables carry geometry as WKT in a ``geometry`` column; GeoJSON files follow
        RFC 7946 (longitude first, 6 decimals, no CRS member).
        """
        from revlog.export.geojson import write_geojson

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "plan.json").write_text(
            json.dumps(self.summary_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
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
                folder / f"{name}.csv", index=False, float_format="%.6f", lineterminator="\n"
            )
        for name in GEO_TABLES:
            write_geojson(getattr(self, name), folder / f"{name}.geojson")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Plan:
        """Read a plan written by :meth:`save`."""
        folder = Path(folder)
        info = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        tables: dict[str, Any] = {}
        for name in TABLES:
            frame = pd.read_csv(
                folder / f"{name}.csv",
                keep_default_na=False,
                na_values=[""],
                dtype={"site_id": str, "run_id": str},
            )
            if name in GEO_TABLES:
                geoms = (
                    [
                        wkt.loads(g) if isinstance(g, str) and g else None
                        for g in frame.pop("geometry")
                    ]
                    if "geometry" in frame
                    else []
                )
                tables[name] = gpd.GeoDataFrame(frame, geometry=geoms or None, crs=CRS)
            else:
                tables[name] = frame
        kpis = pd.Series(info["kpis"], dtype=object)
        kpis = kpis.map(
            lambda v: float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
        )
        return cls(name=info["name"], kpis=kpis, meta=info.get("meta", {}), **tables)

    def to_geojson(self, folder: str | Path) -> list[Path]:
        """Write the geographic tables as RFC 7946 GeoJSON files; return their paths."""
        from revlog.export.geojson import write_geojson

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in GEO_TABLES:
            p = folder / f"{name}.geojson"
            write_geojson(getattr(self, name), p)
            paths.append(p)
        return paths


def _plain(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float):
        return round(v, 6)
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
    "first_mile_cost_cny_per_year": "CNY/year (MILP estimate, t·km rate)",
    "line_haul_cost_cny_per_year": "CNY/year",
    "risk_cost_cny_per_year": "CNY/year",
    "pickup_cost_cny_per_year": "CNY/year (routed runs × periods)",
    "pickup_cost_cny_per_period": "CNY/period",
    "supply_t_per_year": "t/year",
    "collected_t_per_year": "t/year",
    "served_share": "",
    "t_km_per_year": "t·km/year",
    "vehicle_km_per_period": "km/period",
    "runs_per_period": "runs",
    "vehicles_used": "vehicles",
    "route_exposure_persons_per_period": "persons/period",
    "outlets_open": "outlets",
    "location_status": "",
    "location_gap": "",
    "routing_status": "",
}
KPI_ORDER = list(KPI_UNITS)
