"""The files a GIS user loads from a plan folder, checked against the plan's tables.

A plan folder holds each geographic table twice: as CSV (what :meth:`Plan.load
<revlog.plan.model.Plan.load>` reads back, and what the rest of the checker verifies) and as
RFC 7946 GeoJSON (what QGIS and other GIS tools load). :func:`check_geojson_files` reads
every GeoJSON file on its own — plain JSON, no GeoPandas — and reports any feature whose
properties or coordinates differ from its table row, so an outlet moved in
``outlets.geojson`` cannot pass.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

from revlog.plan.schema import COORD_DECIMALS, GEO_TABLES, SCHEMA

_COORD_TOL = 1.5 * 10.0**-COORD_DECIMALS
_REL_TOL = 1e-9


def _flat(coords: Any) -> list[float]:
    if isinstance(coords, int | float):
        return [float(coords)]
    return [x for c in coords for x in _flat(c)]


def _same_value(kind: str, got: Any, want: Any) -> bool:
    if kind == "float":
        if got is None:
            return want is None or not math.isfinite(float(want))
        if not isinstance(got, int | float) or isinstance(got, bool):
            return False
        w = float(want)
        return abs(float(got) - w) <= _REL_TOL * max(1.0, abs(w)) + 1e-12
    if kind == "int":
        return isinstance(got, int) and not isinstance(got, bool) and got == int(want)
    if kind == "bool":
        return isinstance(got, bool) and got == bool(want)
    return got == str(want)


def _check_feature(table: str, k: int, feat: Any, row: Any, geom: Any) -> list[str]:
    tag = f"{table}.geojson feature {k}"
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        return [f"{tag}: not a GeoJSON Feature"]
    errs = []
    props = feat.get("properties") or {}
    for col, kind in SCHEMA[table].items():
        if col not in props:
            errs.append(f"{tag}: property {col} missing")
        elif not _same_value(kind, props[col], getattr(row, col)):
            errs.append(f"{tag}: {col} is {props[col]!r}, the table says {getattr(row, col)!r}")
    g = feat.get("geometry")
    if geom is None or geom.is_empty:
        if g is not None:
            errs.append(f"{tag}: has a geometry, the table row has none")
        return errs
    if not isinstance(g, dict) or g.get("type") != geom.geom_type:
        errs.append(
            f"{tag}: geometry type {None if g is None else g.get('type')}, the table "
            f"has a {geom.geom_type}"
        )
        return errs
    got, want = _flat(g.get("coordinates", [])), _flat(mapping(geom)["coordinates"])
    if len(got) != len(want) or any(
        abs(a - b) > _COORD_TOL for a, b in zip(got, want, strict=False)
    ):
        errs.append(f"{tag}: coordinates differ from the table's geometry")
    return errs


def check_geojson_files(plan: Any, folder: str | Path) -> list[str]:
    """Every GeoJSON file of a plan folder against the plan's tables.

    Parameters
    ----------
    plan
        The :class:`revlog.plan.Plan` read from ``folder``'s CSV files.
    folder
        The plan folder.

    Returns
    -------
    list of str
        One message per missing file, unreadable file, feature count or differing
        feature (properties in the table's dtypes, coordinates to the files' precision).
    """
    folder = Path(folder)
    errs: list[str] = []
    for table in GEO_TABLES:
        path = folder / f"{table}.geojson"
        if not path.is_file():
            errs.append(f"{table}.geojson is missing")
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            errs.append(f"{table}.geojson cannot be read: {exc}")
            continue
        features = doc.get("features") if isinstance(doc, dict) else None
        if doc.get("type") != "FeatureCollection" or not isinstance(features, list):
            errs.append(f"{table}.geojson is not a GeoJSON FeatureCollection")
            continue
        frame = getattr(plan, table)
        if len(features) != len(frame):
            errs.append(
                f"{table}.geojson has {len(features)} features, the table {len(frame)} rows"
            )
            continue
        rows = frame.itertuples(index=False)
        for k, (feat, row, geom) in enumerate(zip(features, rows, frame.geometry, strict=True)):
            errs += _check_feature(table, k, feat, row, geom)
    return errs
