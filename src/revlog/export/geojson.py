"""RFC 7946 GeoJSON: longitude first, WGS84, 6 decimals, no ``crs`` member, stable bytes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import mapping

#: Decimals of coordinates (about 0.1 m).
DECIMALS = 6
#: Significant digits of number properties (as in the plan's CSV files, so a plan read back
#: from its CSV files writes the same GeoJSON).
SIGNIFICANT_DIGITS = 10


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
        return None if not math.isfinite(v) else float(f"{v:.{SIGNIFICANT_DIGITS}g}")
    if v is None or isinstance(v, bool | int | str):
        return v
    return str(v)


def feature_collection(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return an RFC 7946 FeatureCollection dict for a GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    gdf
        The table; non-geometry columns become properties (NaN → null, numbers with
        :data:`SIGNIFICANT_DIGITS` significant digits).

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
