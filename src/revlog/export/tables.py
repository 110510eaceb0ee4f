"""Plan tables as CSV (geometry as WKT) and as one GeoPackage with a layer per table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from shapely import wkt

from revlog.plan import FLOAT_FORMAT, GEO_TABLES, TABLES


def write_csv_tables(plan: Any, folder: str | Path) -> list[Path]:
    """Write each table of a plan as ``<table>.csv`` and the KPIs as ``kpis.csv``.

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan`.
    folder
        Output folder (created if missing).

    Returns
    -------
    list of Path
        The files written. Geometry, where present, is a WKT column ``geometry`` in
        EPSG:4326 (longitude first, 6 decimals); numbers carry 10 significant digits.
    """
    from revlog.plan import KPI_UNITS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in TABLES:
        frame = pd.DataFrame(getattr(plan, name)).copy()
        if "geometry" in frame.columns:
            frame["geometry"] = [
                wkt.dumps(g, rounding_precision=6) if g is not None else ""
                for g in frame["geometry"]
            ]
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
        paths.append(path)
    kpis = pd.DataFrame(
        {
            "kpi": list(plan.kpis.index),
            "value": list(plan.kpis.values),
            "unit": [KPI_UNITS.get(str(k), "") for k in plan.kpis.index],
        }
    )
    path = folder / "kpis.csv"
    kpis.to_csv(path, index=False, lineterminator="\n")
    paths.append(path)
    return paths


def write_geopackage(plan: Any, path: str | Path) -> Path:
    """Write the geographic tables of a plan as layers of one GeoPackage (via pyogrio).

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan`.
    path
        The ``.gpkg`` file (replaced if it exists).

    Returns
    -------
    Path
        ``path``; layers ``outlets, assignments, linehauls, routes, stops`` in EPSG:4326,
        and the ``breaks`` table as a layer without geometry.
    """
    import pyogrio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    for name in GEO_TABLES:
        table = getattr(plan, name)
        pyogrio.write_dataframe(table, path, layer=name, driver="GPKG", append=path.exists())
    breaks = pd.DataFrame(plan.breaks)
    if len(breaks):
        pyogrio.write_dataframe(breaks, path, layer="breaks", driver="GPKG", append=True)
    return path
