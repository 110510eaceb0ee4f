"""A solved plan: the network design, the pickup runs and their KPIs, as tables.

A :class:`Plan` holds plain pandas / GeoPandas tables (EPSG:4326) so that analysts can
filter, join and plot them; the tables, columns, dtypes and KPIs are described in
:mod:`revlog.plan.schema`, and :mod:`revlog.plan.io` saves and loads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from revlog.plan.schema import CRS, GEO_TABLES, INTEGER_KPIS, KPI_GROUPS, KPI_UNITS, SOLVER_FIELDS

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure


def empty_table(name: str) -> pd.DataFrame:
    """An empty table ``name`` with its documented columns and dtypes."""
    from revlog.plan.build import typed_frame

    frame = typed_frame(name, [])
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
    shipments
        DataFrame of the year's line-haul trips (times from the start of the year).
    kpis
        KPI Series of numbers (``float64``; units in
        :data:`revlog.plan.schema.KPI_UNITS`, also :meth:`kpi_table`).
    meta
        Scenario file, seed, time limits, solver figures (``meta["solver"]``, also
        :attr:`solver`), notes on what was dropped.

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
    shipments: pd.DataFrame
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
                lines.append(f"    {key:<36} {format_kpi(key, k[key])} {unit}".rstrip())
        if self.solver:
            lines.append("  solver")
            for key, v in self.solver.items():
                lines.append(f"    {key:<36} {format_value(v)}")
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
                parts.append(f"{label}={format_kpi(key, k[key])}")
        return ", ".join(parts) + ")"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{key}</td><td style='text-align:right'>{format_kpi(str(key), v)}</td>"
            f"<td>{KPI_UNITS.get(str(key), '')}</td></tr>"
            for key, v in self.kpis.items()
        )
        return f"<b>Plan '{self.name}'</b><table>{rows}</table>"

    @property
    def solver(self) -> dict[str, Any]:
        """Solver figures: stage-1 status and gap, the routing statuses."""
        found = self.meta.get("solver") or {}
        return {k: found[k] for k in SOLVER_FIELDS if k in found}

    def kpi_table(self) -> pd.DataFrame:
        """The KPIs as a table: ``value`` (float) and ``unit`` per KPI."""
        return pd.DataFrame(
            {
                "value": self.kpis.astype(float),
                "unit": [KPI_UNITS.get(str(k), "") for k in self.kpis.index],
            },
            index=pd.Index(self.kpis.index, name="kpi"),
        )

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
            "kpis": {k: _plain(int(v) if k in INTEGER_KPIS else v) for k, v in self.kpis.items()},
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
        """Write the plan to ``folder`` (see :func:`revlog.plan.io.save_plan`)."""
        from revlog.plan.io import save_plan

        return save_plan(self, folder)

    @classmethod
    def load(cls, folder: str | Path) -> Plan:
        """Read a plan written by :meth:`save` (see :func:`revlog.plan.io.read_plan_files`)."""
        from revlog.plan.io import read_plan_files

        return cls(**read_plan_files(folder))

    def to_geojson(self, folder: str | Path) -> list[Path]:
        """Write the geographic tables as RFC 7946 GeoJSON files; return their paths."""
        from revlog.plan.io import write_plan_geojson

        return write_plan_geojson(self, folder)


def format_kpi(key: str, v: Any) -> str:
    """A KPI value as text: counts without decimals, other numbers as :func:`format_value`."""
    if key in INTEGER_KPIS and isinstance(v, int | float) and v == v:
        return f"{int(v):,d}"
    return format_value(v)


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
