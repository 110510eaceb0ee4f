"""The embedded default geodata (``geodata/`` at the repository root) and coordinate helpers.

All tables are WGS84 (EPSG:4326) longitude/latitude in decimal degrees. ``load_geodata`` reads the
five CSV files (and the two optional closed-loop tables) and returns them as (Geo)DataFrames; it
does no network access and no validation beyond the columns it needs. Provenance and licences of
every file are in ``geodata/SOURCES.md``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from revlog.geo.roads import RoadNetwork

__all__ = [
    "CRS",
    "DEFAULT_GEODATA_DIR",
    "OPTIONAL_COLUMNS",
    "OPTIONAL_FILES",
    "QINGHAI_BOUNDS",
    "STUDY_AREA_BOUNDS",
    "Geodata",
    "default_geodata_dir",
    "gcj02_to_wgs84",
    "in_bounds",
    "load_geodata",
    "wgs84_to_gcj02",
]

CRS = "EPSG:4326"

#: Repository-root ``geodata/`` (``src/revlog/geo/geodata.py`` → three levels up).
DEFAULT_GEODATA_DIR: Path = Path(__file__).resolve().parents[3] / "geodata"

#: (lon_min, lat_min, lon_max, lat_max) of Qinghai province, rounded outwards to 0.5°.
#: Qinghai spans about 89.4–103.1 °E and 31.6–39.2 °N.
QINGHAI_BOUNDS: tuple[float, float, float, float] = (89.0, 31.5, 103.5, 39.5)

#: (lon_min, lat_min, lon_max, lat_max) of the study area: Qinghai plus the neighbour hubs of the
#: embedded road network (Hotan in the west, Yinchuan in the east, Lhasa and Chengdu in the south,
#: Korla in the north), with a margin.
STUDY_AREA_BOUNDS: tuple[float, float, float, float] = (79.0, 29.0, 107.0, 42.5)

_FILES = {
    "places": "places.csv",
    "roads": "roads.csv",
    "plant": "plant.csv",
    "candidates": "candidates.csv",
    "sources": "sources.csv",
}
#: Optional tables of the closed loop (issue 15): absent from a geodata folder, they load as None.
OPTIONAL_FILES = {
    "second_life": "second_life.csv",
    "grading": "grading.csv",
}
#: Columns an optional table must have when present (others are kept as they are).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "second_life": (
        "user_id",
        "kind",
        "lon",
        "lat",
        "prefecture",
        "province",
        "demand_t_per_year",
        "price_cny_per_t",
    ),
    "grading": ("kind", "min_soh", "second_life_share_of_intact", "recycle_share_of_intact"),
}
_OPTIONAL_DTYPES: dict[str, dict[str, str]] = {
    "second_life": {
        "user_id": "str",
        "place_id": "str",
        "kind": "str",
        "prefecture": "str",
        "province": "str",
        "lon": "float64",
        "lat": "float64",
        "demand_t_per_year": "float64",
        "price_cny_per_t": "float64",
    },
    "grading": {
        "kind": "str",
        "min_soh": "float64",
        "second_life_share_of_intact": "float64",
        "recycle_share_of_intact": "float64",
    },
}


def default_geodata_dir() -> Path:
    """Return the geodata directory: ``$REVLOG_GEODATA`` if set, else :data:`DEFAULT_GEODATA_DIR`.

    Returns
    -------
    Path
        Directory holding ``places.csv``, ``roads.csv``, ``plant.csv``, ``candidates.csv`` and
        ``sources.csv``.
    """
    env = os.environ.get("REVLOG_GEODATA")
    return Path(env).expanduser() if env else DEFAULT_GEODATA_DIR


@dataclass
class Geodata:
    """The embedded default geography: places, road links, plant, candidate outlets, sources.

    Attributes
    ----------
    places : GeoDataFrame
        One row per place (prefecture seats, county-level seats, neighbour hubs, junctions);
        ``place_id`` unique; EPSG:4326 points.
    roads : DataFrame
        Undirected road links ``road_id, from, to, road, road_class, length_km, km_basis, …``.
    plant : GeoDataFrame
        The recycling plant(s), ``plant_id, name, capacity_t_per_year, …``.
    candidates : GeoDataFrame
        Candidate outlet sites, ``site_id, kind`` (``collection`` | ``storage``), fixed cost,
        stock capacity, ``existing``.
    sources : GeoDataFrame
        Dealers and service shops (synthetic), ``source_id, kind, supply_t_per_year,
        damaged_share``.
    path : Path
        Directory the tables were read from.
    osm : Path or None
        OpenStreetMap file whose roads replace ``roads`` (a scenario's ``road_network.osm``);
        None keeps the ``roads`` table.
    second_life : GeoDataFrame or None
        Second-life (echelon-utilisation) users, ``user_id, kind`` (``telecom_backup`` |
        ``solar_storage``), ``demand_t_per_year, price_cny_per_t`` (synthetic); EPSG:4326
        points. None when the folder has no ``second_life.csv``.
    grading : DataFrame or None
        Grade shares per source kind: ``kind, min_soh, second_life_share_of_intact,
        recycle_share_of_intact`` (shares of the intact, i.e. not damaged, tonnes; they sum to
        1). None when the folder has no ``grading.csv``.
    """

    places: gpd.GeoDataFrame
    roads: pd.DataFrame
    plant: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    sources: gpd.GeoDataFrame
    path: Path
    osm: Path | None = None
    second_life: gpd.GeoDataFrame | None = None
    grading: pd.DataFrame | None = None
    _osm_network: RoadNetwork | None = field(default=None, init=False, repr=False, compare=False)

    def road_network(self) -> RoadNetwork | None:
        """The road network: from :attr:`osm` if set (read once), else from the tables.

        Returns
        -------
        RoadNetwork or None
            None when there is no OSM file and the road table is empty.

        Raises
        ------
        ScenarioError
            When the OSM file cannot be used (see :func:`revlog.geo.osm.road_network_from_osm`).
        """
        from revlog.geo.roads import RoadNetwork

        if self.osm is not None:
            if self._osm_network is None:
                from revlog.geo.osm import road_network_from_osm

                self._osm_network = road_network_from_osm(self.osm)
            return self._osm_network
        if self.roads is None or not len(self.roads):
            return None
        return RoadNetwork.from_geodata(self)


def _points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=CRS
    ).reset_index(drop=True)


def _optional_table(root: Path, key: str) -> pd.DataFrame | None:
    """An optional table of ``root`` with its required columns and dtypes, or None if absent."""
    f = root / OPTIONAL_FILES[key]
    if not f.exists():
        return None
    if not f.is_file():
        raise ValueError(f"geodata file is not a regular file: {f}")
    df = pd.read_csv(f, keep_default_na=True)
    lacking = [c for c in OPTIONAL_COLUMNS[key] if c not in df.columns]
    if lacking:
        raise ValueError(f"{f}: required column(s) missing: {', '.join(lacking)}")
    dtypes = {c: t for c, t in _OPTIONAL_DTYPES[key].items() if c in df.columns}
    try:
        df = df.astype(dtypes)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{f}: {exc}") from None
    if "synthetic" in df.columns:
        df["synthetic"] = df["synthetic"].astype(bool)
    return df.reset_index(drop=True)


def load_geodata(path: Path | str | None = None) -> Geodata:
    """Read the geodata tables from a directory.

    Parameters
    ----------
    path : Path or str, optional
        Directory with the five CSV files (and optionally ``second_life.csv`` and
        ``grading.csv``). Defaults to :func:`default_geodata_dir` (``$REVLOG_GEODATA`` or the
        repository's ``geodata/``).

    Returns
    -------
    Geodata
        Point tables as GeoDataFrames in EPSG:4326 built from their ``lon``/``lat`` columns; the
        road and grading tables as plain DataFrames; ``second_life`` and ``grading`` None when
        their file is absent.

    Raises
    ------
    FileNotFoundError
        If the directory or one of the five required files is missing.
    ValueError
        If an optional table is present but not a regular file or lacks a required column
        (:data:`OPTIONAL_COLUMNS`).
    """
    root = Path(path) if path is not None else default_geodata_dir()
    if not root.is_dir():
        raise FileNotFoundError(f"geodata directory not found: {root}")
    frames: dict[str, pd.DataFrame] = {}
    for key, name in _FILES.items():
        f = root / name
        if not f.is_file():
            raise FileNotFoundError(f"geodata file not found: {f}")
        frames[key] = pd.read_csv(
            f,
            dtype={"adcode": "string", "place_id": str, "from": str, "to": str},
            keep_default_na=True,
        )
    for key in ("candidates", "plant"):
        if "existing" in frames[key].columns:
            frames[key]["existing"] = frames[key]["existing"].astype(bool)
    second_life = _optional_table(root, "second_life")
    return Geodata(
        places=_points(frames["places"]),
        roads=frames["roads"].reset_index(drop=True),
        plant=_points(frames["plant"]),
        candidates=_points(frames["candidates"]),
        sources=_points(frames["sources"]),
        path=root,
        second_life=_points(second_life) if second_life is not None else None,
        grading=_optional_table(root, "grading"),
    )


def in_bounds(
    lon: ArrayLike, lat: ArrayLike, bounds: tuple[float, float, float, float]
) -> NDArray[np.bool_]:
    """Element-wise test that points lie inside ``bounds`` = (lon_min, lat_min, lon_max, lat_max).

    Parameters
    ----------
    lon, lat : array_like
        Coordinates in degrees.
    bounds : tuple of float
        Bounding box, e.g. :data:`QINGHAI_BOUNDS`.

    Returns
    -------
    ndarray of bool
    """
    lo = np.asarray(lon, dtype=float)
    la = np.asarray(lat, dtype=float)
    return (lo >= bounds[0]) & (lo <= bounds[2]) & (la >= bounds[1]) & (la <= bounds[3])


# --- GCJ-02 ("Mars coordinates") ---------------------------------------------------------------
# The published forward obfuscation (WGS84 → GCJ-02) on the Krasovsky 1940 ellipsoid; the inverse
# is computed by fixed-point iteration of the forward map, which converges to well below a
# millimetre in a handful of steps because the offset field is smooth (a few hundred metres).
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _transform_lat(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _GCJ_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert WGS84 lon/lat (degrees) to GCJ-02 (the obfuscated datum of Amap/Tencent maps).

    Parameters
    ----------
    lon, lat : array_like
        WGS84 degrees (points inside China; no out-of-China passthrough is applied).

    Returns
    -------
    (ndarray, ndarray)
        GCJ-02 longitude and latitude in degrees.
    """
    lo = np.asarray(lon, dtype=float)
    la = np.asarray(lat, dtype=float)
    dlon, dlat = _gcj_offset(lo, la)
    return lo + dlon, la + dlat


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, iterations: int = 8
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert GCJ-02 lon/lat (degrees) to WGS84 by inverting :func:`wgs84_to_gcj02`.

    Fixed-point iteration ``w ← w − (f(w) − g)`` starting from ``w = g``; the residual after the
    default 8 iterations is below 1e-9° (≈ 0.1 mm) anywhere in China.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 degrees (vectorised; scalars allowed).
    iterations : int, default 8
        Number of fixed-point steps.

    Returns
    -------
    (ndarray, ndarray)
        WGS84 longitude and latitude in degrees.
    """
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(iterations):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        w_lon = w_lon - (f_lon - g_lon)
        w_lat = w_lat - (f_lat - g_lat)
    return w_lon, w_lat
