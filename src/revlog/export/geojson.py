"""RFC 7946 GeoJSON: longitude first, WGS84, 6 decimals, no ``crs`` member, stable bytes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import mapping

DECIMALS = 6


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, DECIMALS)
    if isinstance(obj, list | tuple):
        return [_round_coords(x) for x in obj]
    return obj


def _value(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float):
        return None if not math.isfinite(v) else round(v, DECIMALS)
    if v is None or isinstance(v, bool | int | str):
        return v
    return str(v)


def feature_collection(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return an RFC 7946 FeatureCollection dict for a GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    gdf
        The table; non-geometry columns become properties (NaN → null).

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...]}`` with coordinates rounded to
        6 decimals (about 0.1 m), longitude first.
    """
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    features = []
    for row, geom in zip(gdf[cols].itertuples(index=False, name=None), gdf.geometry, strict=True):
        g = None
        if geom is not None and not geom.is_empty:
            m = mapping(geom)
            g = {"type": m["type"], "coordinates": _round_coords(m["coordinates"])}
        features.append(
            {
                "type": "Feature",
                "properties": {c: _value(v) for c, v in zip(cols, row, strict=True)},
                "geometry": g,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a GeoDataFrame as an RFC 7946 GeoJSON file (UTF-8, stable key order)."""
    path = Path(path)
    text = json.dumps(feature_collection(gdf), ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path


def write_plan_geojson(plan: Any, folder: str | Path) -> list[Path]:
    """Write every geographic table of a plan as ``<table>.geojson`` in ``folder``.

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan`.
    folder
        Output folder (created if missing).

    Returns
    -------
    list of Path
        ``outlets`` (Points, the plant included), ``assignments`` (source → first-stop
        facility, road-following LineStrings), ``linehauls`` (LineStrings), ``routes``
        (one road-following LineString per run), ``stops`` (Points).
    """
    from revlog.plan import GEO_TABLES

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_geojson(getattr(plan, n), folder / f"{n}.geojson") for n in GEO_TABLES]
