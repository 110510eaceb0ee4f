"""Persistence of a plan: the one place that writes and reads its files.

:meth:`Plan.save <revlog.plan.model.Plan.save>`, :meth:`Plan.load
<revlog.plan.model.Plan.load>` and ``revlog export`` all go through here:

* ``plan.json``: name, KPIs and metadata (wall times left out, so the same input and seed
  give the same bytes);
* one CSV per table (:func:`write_table_csv`): geometry as WKT with
  :data:`~revlog.plan.schema.COORD_DECIMALS` decimals, numbers with
  :data:`~revlog.plan.schema.FLOAT_FORMAT`; read back by :func:`read_table_csv` into the
  schema's dtypes exactly (text stays text, ``""`` stays ``""``), so save → load → save
  writes the same bytes;
* one RFC 7946 GeoJSON file per geographic table (:mod:`revlog.export.geojson`);
* on request a ``kpis.csv`` and a GeoPackage with a layer per table and a ``kpis`` layer.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely import wkt

from revlog.export.geojson import table_metadata, write_geojson
from revlog.plan.schema import (
    COLUMNS,
    COORD_DECIMALS,
    CRS,
    FLOAT_FORMAT,
    GEO_TABLES,
    KPI_UNITS,
    SCHEMA,
    TABLES,
)

if TYPE_CHECKING:
    from revlog.plan.model import Plan

#: The marker file of a plan folder (``--force`` only ever replaces such folders).
PLAN_FILE = "plan.json"


def _cells(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the text a CSV file holds (WKT geometry, schema number format)."""
    frame = pd.DataFrame(table).copy()
    if "geometry" in frame.columns:
        frame["geometry"] = [
            wkt.dumps(g, rounding_precision=COORD_DECIMALS) if g is not None else ""
            for g in frame["geometry"]
        ]
    return frame


def write_table_csv(table: pd.DataFrame, path: Path) -> Path:
    """Write one plan table as CSV (``\\n`` line ends, numbers as the schema formats them)."""
    _cells(table).to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path


def _convert(values: list[str], kind: str, where: str) -> list[Any]:
    if kind == "str":
        return values
    if kind == "bool":
        out = []
        for v in values:
            low = v.strip().lower()
            if low not in ("true", "false", "1", "0"):
                raise ValueError(f"{where}: {v!r} is not true/false")
            out.append(low in ("true", "1"))
        return out
    if kind == "int":
        return [int(float(v)) for v in values]
    return [float(v) if v != "" else float("nan") for v in values]


def read_table_csv(path: Path, table: str) -> pd.DataFrame:
    """Read one plan table written by :func:`write_table_csv`, in the schema's dtypes.

    Raises
    ------
    ValueError
        If a column of the schema is missing or a cell does not fit its dtype.
    """
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise ValueError(f"{path}: empty file")
    header, body = rows[0], rows[1:]
    data = {c: [r[k] if k < len(r) else "" for r in body] for k, c in enumerate(header)}
    missing = [c for c in COLUMNS[table] if c not in data]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    frame = pd.DataFrame(
        {c: _convert(data[c], SCHEMA[table].get(c, "str"), f"{path}:{c}") for c in header}
    )
    for c, kind in SCHEMA[table].items():
        if kind == "str":
            frame[c] = frame[c].astype(object)
    if table in GEO_TABLES:
        geoms = (
            [wkt.loads(g) if g else None for g in frame.pop("geometry")]
            if "geometry" in frame
            else [None] * len(frame)
        )
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)
    return frame


def write_plan_json(plan: Plan, folder: Path) -> Path:
    """Write ``plan.json`` (KPIs and metadata, no wall times)."""
    path = folder / PLAN_FILE
    text = json.dumps(
        plan.summary_dict(timings=False), indent=2, sort_keys=True, ensure_ascii=False
    )
    path.write_text(text + "\n", encoding="utf-8")
    return path


def write_plan_geojson(plan: Plan, folder: str | Path) -> list[Path]:
    """Write every geographic table as ``<table>.geojson`` (RFC 7946) in ``folder``.

    ``outlets`` (Points, the plant included), ``assignments`` (source → first-stop
    facility), ``linehauls``, ``routes`` (one per run) — LineStrings through the places of
    the road links used — and ``stops`` (Points); each with its
    :func:`~revlog.export.geojson.table_metadata` as the ``"revlog"`` member.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    schematic = plan.meta.get("geometry", "schematic") == "schematic"
    paths = []
    for name in GEO_TABLES:
        table = getattr(plan, name)
        meta = table_metadata(name, table, schematic=schematic)
        paths.append(write_geojson(table, folder / f"{name}.geojson", meta))
    return paths


def write_csv_tables(plan: Plan, folder: str | Path, kpis: bool = True) -> list[Path]:
    """Write each table as ``<table>.csv`` and (with ``kpis``) the KPIs as ``kpis.csv``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [write_table_csv(getattr(plan, n), folder / f"{n}.csv") for n in TABLES]
    if kpis:
        path = folder / "kpis.csv"
        kpi_frame(plan).to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        paths.append(path)
    return paths


def kpi_frame(plan: Plan) -> pd.DataFrame:
    """The KPIs as a flat table: ``kpi``, ``value`` (float), ``unit``."""
    return pd.DataFrame(
        {
            "kpi": [str(k) for k in plan.kpis.index],
            "value": plan.kpis.astype(float).to_numpy(),
            "unit": [KPI_UNITS.get(str(k), "") for k in plan.kpis.index],
        }
    )


def write_geopackage(plan: Plan, path: str | Path) -> Path:
    """Write the tables as layers of one GeoPackage (via pyogrio), replacing ``path``.

    Layers ``outlets, assignments, linehauls, routes, stops`` in EPSG:4326, and ``breaks``,
    ``shipments`` and ``kpis`` as layers without geometry; field types follow the schema's
    dtypes, so they equal those GDAL reads from the GeoJSON files.
    """
    import pyogrio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    for name in GEO_TABLES:
        pyogrio.write_dataframe(
            getattr(plan, name), path, layer=name, driver="GPKG", append=path.exists()
        )
    tables = (("breaks", pd.DataFrame(plan.breaks)), ("shipments", pd.DataFrame(plan.shipments)))
    for name, frame in (*tables, ("kpis", kpi_frame(plan))):
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=True)
    return path


def save_plan(plan: Plan, folder: str | Path) -> Path:
    """Write ``plan.json``, one CSV and one GeoJSON file per table to ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_plan_json(plan, folder)
    write_csv_tables(plan, folder, kpis=False)
    write_plan_geojson(plan, folder)
    return folder


def read_plan_files(folder: str | Path) -> dict[str, Any]:
    """The parts of a plan written by :func:`save_plan`, with the dtypes they were written with.

    Returns
    -------
    dict
        ``name``, ``kpis`` (float Series), ``meta`` and one entry per table: the keyword
        arguments of :class:`~revlog.plan.model.Plan`.

    Raises
    ------
    FileNotFoundError
        If ``folder`` has no ``plan.json`` or misses a table.
    ValueError
        If a table lacks a column or a cell does not fit its dtype.
    """
    folder = Path(folder)
    info = json.loads((folder / PLAN_FILE).read_text(encoding="utf-8"))
    tables = {name: read_table_csv(folder / f"{name}.csv", name) for name in TABLES}
    kpis = pd.Series({k: float(v) for k, v in info["kpis"].items()}, dtype=float)
    return {"name": info["name"], "kpis": kpis, "meta": info.get("meta", {}), **tables}
