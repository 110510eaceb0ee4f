"""RFC 7946 GeoJSON: longitude first, WGS84, 6 decimals, no ``crs`` member, stable bytes.

A plan's files also carry a ``"revlog"`` foreign member (RFC 7946 §6.1) on the
FeatureCollection, :func:`table_metadata`: which table it is, what its geometry shows and
how to read the columns — the line geometries are schematic (straight segments between
the places of the road links used, since no road alignments are available offline), so
they are shorter than the road km in the ``km`` columns, and the stops' ``day`` is
counted from 0.
"""

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
#: Name of the foreign member of a plan's FeatureCollections.
FOREIGN_MEMBER = "revlog"
#: What the line geometries of a plan are (the map's legend says the same).
SCHEMATIC_NOTE = (
    "schematic: straight segments between the places (towns, junctions, sites) of the road "
    "links used, not the road alignment; the drawn lines are shorter than the roads"
)
ALIGNED_NOTE = "along the road alignment of the road network's links"
KM_NOTE = "km columns are road km (lengths of the road network links), not the drawn length"
DAY_NOTE = "day counts from 0: day 0 is the first day of the planning period"
TIME_NOTE = "times (*_h) are hours from the start of the planning period"
_LINE_TABLES = ("assignments", "linehauls", "routes")


def drawn_share(gdf: gpd.GeoDataFrame, km_column: str = "km") -> float | None:
    """Geodesic length of the drawn lines over the road km of ``km_column`` (WGS84).

    Parameters
    ----------
    gdf
        A line table of a plan (EPSG:4326).
    km_column
        Its road-km column.

    Returns
    -------
    float or None
        About 0.8 for the embedded road network; ``None`` if there is nothing to compare.
    """
    from pyproj import Geod

    if km_column not in gdf.columns or not len(gdf):
        return None
    geod = Geod(ellps="WGS84")
    drawn = sum(geod.geometry_length(g) for g in gdf.geometry if g is not None and not g.is_empty)
    road = float(gdf[km_column].astype(float).sum())
    if road <= 0 or not math.isfinite(road):
        return None
    return round(drawn / 1000.0 / road, 3)


def table_metadata(name: str, gdf: gpd.GeoDataFrame, schematic: bool = True) -> dict[str, Any]:
    """The ``"revlog"`` foreign member of the GeoJSON file of plan table ``name``.

    Parameters
    ----------
    name, gdf
        The table's name and the table.
    schematic
        Whether the lines are straight segments between places (the embedded network)
        rather than the road alignment (a network read from OpenStreetMap).

    Returns
    -------
    dict
        ``table``, ``crs`` and, for line tables, ``geometry`` (:data:`SCHEMATIC_NOTE` or
        :data:`ALIGNED_NOTE`), ``km`` (:data:`KM_NOTE`) and ``drawn_to_road_km``
        (:func:`drawn_share`); for the stops, ``day`` (:data:`DAY_NOTE`); ``times`` where
        the table has times.
    """
    meta: dict[str, Any] = {"table": name, "crs": "EPSG:4326 (longitude, latitude)"}
    if name in _LINE_TABLES:
        meta["geometry"] = SCHEMATIC_NOTE if schematic else ALIGNED_NOTE
        meta["km"] = KM_NOTE
        meta["drawn_to_road_km"] = drawn_share(gdf)
    if name == "stops":
        meta["day"] = DAY_NOTE
    if any(str(c).endswith("_h") for c in gdf.columns):
        meta["times"] = TIME_NOTE
    return meta


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


def feature_collection(
    gdf: gpd.GeoDataFrame, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return an RFC 7946 FeatureCollection dict for a GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    gdf
        The table; non-geometry columns become properties (NaN → null, numbers with
        :data:`SIGNIFICANT_DIGITS` significant digits).
    metadata
        If given, added as the foreign member :data:`FOREIGN_MEMBER` (``"revlog"``).

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
    doc: dict[str, Any] = {"type": "FeatureCollection"}
    if metadata is not None:
        doc[FOREIGN_MEMBER] = metadata
    doc["features"] = features
    return doc


def write_geojson(
    gdf: gpd.GeoDataFrame, path: str | Path, metadata: dict[str, Any] | None = None
) -> Path:
    """Write a GeoDataFrame as an RFC 7946 GeoJSON file (UTF-8, stable key order).

    ``metadata``: see :func:`feature_collection`.
    """
    path = Path(path)
    text = json.dumps(feature_collection(gdf, metadata), ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path
