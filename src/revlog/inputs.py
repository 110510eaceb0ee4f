"""A scenario's full input: the file, its tables and the geodata, checked together.

:func:`prepare` reads the source and candidate tables (CSV or GeoJSON, or the embedded
defaults), checks every row and the cross references, and returns :class:`Inputs`: plain
DataFrames the stages work from. Every problem is reported as ``file:field: reason``,
all at once, through :class:`revlog.errors.ScenarioError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from revlog.errors import Problem, ScenarioError
from revlog.geo.geodata import STUDY_AREA_BOUNDS, Geodata, load_geodata
from revlog.scenario.schema import Scenario

# column -> (kind, required); kinds: str, float, share, bool, kind:<a|b>
SOURCE_COLUMNS: dict[str, tuple[str, bool]] = {
    "source_id": ("id", True),
    "name": ("str", False),
    "kind": ("enum:dealer|service_shop", True),
    "lon": ("lon", True),
    "lat": ("lat", True),
    "prefecture": ("str", True),
    "province": ("str", True),
    "supply_t_per_year": ("nonneg", True),
    "damaged_share": ("share", True),
}
CANDIDATE_COLUMNS: dict[str, tuple[str, bool]] = {
    "site_id": ("id", True),
    "name": ("str", False),
    "kind": ("enum:collection|storage", True),
    "lon": ("lon", True),
    "lat": ("lat", True),
    "prefecture": ("str", True),
    "province": ("str", True),
    "fixed_cost_cny_per_year": ("nonneg", True),
    "stock_capacity_t": ("pos", True),
    "existing": ("bool", False),
}
MAX_ABSURD_T_PER_YEAR = 1e6
COLLECTION_MAX_STOCK_T = 5.0
STORAGE_MIN_STOCK_T = 30.0


@dataclass
class Inputs:
    """Everything a solve needs, checked.

    Attributes
    ----------
    scenario
        The scenario.
    geodata
        The geodata (embedded default or the scenario's folder).
    plant
        One-row DataFrame: ``plant_id, name, lon, lat, capacity_t_per_year``.
    sources
        Sources of the scenario's regions, ``supply_t_per_year`` scaled, with
        ``damaged_t_per_year`` and ``intact_t_per_year`` added.
    candidates
        Candidate sites of the scenario's regions, with ``capacity_t_per_year`` (stock ×
        turns per year), ``fixed_cost_cny_per_year`` scaled and ``existing`` as bool.
    """

    scenario: Scenario
    geodata: Geodata
    plant: pd.DataFrame
    sources: pd.DataFrame
    candidates: pd.DataFrame

    @property
    def total_supply_t(self) -> float:
        """Total yearly supply of the sources, t/year."""
        return float(self.sources["supply_t_per_year"].sum())


def _in_box(lon: float, lat: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """Read a CSV or GeoJSON table; return the frame and how rows are named (line/feature).

    GeoJSON point geometries become ``lon``/``lat`` columns.

    Raises
    ------
    ScenarioError
        When the file cannot be read as a table.
    """
    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
            return df, "line"
        if suffix in (".geojson", ".json"):
            import geopandas as gpd

            gdf = gpd.read_file(path)
            if gdf.crs is not None and gdf.crs.to_epsg() not in (4326, 4490):
                gdf = gdf.to_crs(4326)
            bad = [i for i, g in enumerate(gdf.geometry) if g is None or g.geom_type != "Point"]
            if bad:
                raise ScenarioError(
                    [Problem(name, f"feature {i}.geometry", "must be a Point") for i in bad]
                )
            df = pd.DataFrame(gdf.drop(columns="geometry")).astype(str)
            df["lon"] = [str(g.x) for g in gdf.geometry]
            df["lat"] = [str(g.y) for g in gdf.geometry]
            return df, "feature"
    except ScenarioError:
        raise
    except Exception as exc:
        raise ScenarioError([Problem(name, "(file)", f"cannot read table: {exc}")]) from None
    raise ScenarioError([Problem(name, "(file)", "unknown table type; use .csv or .geojson")])


def _row_label(style: str, i: int) -> str:
    # CSV: header is line 1, so data row i (0-based) is line i + 2.
    return f"line {i + 2}" if style == "line" else f"feature {i}"


def check_table(
    df: pd.DataFrame, columns: dict[str, tuple[str, bool]], file: str, style: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check and convert a string table against a column spec.

    Returns
    -------
    (DataFrame, list of Problem)
        The typed table (only when there are no problems) and the problems found.
    """
    problems: list[Problem] = []
    missing = [c for c, (_, req) in columns.items() if req and c not in df.columns]
    for c in missing:
        problems.append(Problem(file, c, "required column is missing"))
    if missing:
        return df, problems
    if df.empty:
        return df, [Problem(file, "(table)", "the table has no rows")]
    out: dict[str, list[Any]] = {}
    for col, (kind, _req) in columns.items():
        if col not in df.columns:
            continue
        vals: list[Any] = []
        for i, raw in enumerate(df[col].tolist()):
            text = str(raw).strip()
            where = f"{_row_label(style, i)}.{col}"
            if kind in ("id", "str"):
                if kind == "id" and not text:
                    problems.append(Problem(file, where, "empty id"))
                vals.append(text)
            elif kind.startswith("enum:"):
                allowed = kind[5:].split("|")
                if text not in allowed:
                    problems.append(
                        Problem(file, where, f"'{text}' is not one of {', '.join(allowed)}")
                    )
                vals.append(text)
            elif kind == "bool":
                low = text.lower()
                if low in ("true", "1", "yes"):
                    vals.append(True)
                elif low in ("false", "0", "no", "", "nan", "none"):
                    vals.append(False)
                else:
                    problems.append(Problem(file, where, f"'{text}' is not true/false"))
                    vals.append(False)
            else:
                try:
                    x = float(text)
                except ValueError:
                    problems.append(Problem(file, where, f"'{text}' is not a number"))
                    vals.append(math.nan)
                    continue
                if not math.isfinite(x):
                    problems.append(Problem(file, where, f"must be finite, got {text}"))
                elif kind in ("nonneg", "pos", "share") and x < 0:
                    problems.append(Problem(file, where, f"must not be negative, got {text}"))
                elif kind == "pos" and x == 0:
                    problems.append(Problem(file, where, "must be positive, got 0"))
                elif kind == "share" and x > 1:
                    problems.append(Problem(file, where, f"is a share in 0-1, got {text}"))
                elif kind in ("nonneg", "pos") and col.endswith("_t_per_year"):
                    if x > MAX_ABSURD_T_PER_YEAR:
                        problems.append(
                            Problem(file, where, f"absurd quantity {text} t/year (limit 1e6)")
                        )
                elif kind == "lon" and not -180 <= x <= 180:
                    problems.append(Problem(file, where, f"longitude {text} is not in -180..180"))
                elif kind == "lat" and not -90 <= x <= 90:
                    problems.append(Problem(file, where, f"latitude {text} is not in -90..90"))
                vals.append(x)
        out[col] = vals
    typed = pd.DataFrame(out)
    for extra in df.columns:
        if extra not in typed.columns:
            typed[extra] = df[extra].tolist()
    id_col = next(c for c, (k, _) in columns.items() if k == "id")
    dup = typed[id_col][typed[id_col].duplicated(keep="first")]
    for i, v in dup.items():
        problems.append(
            Problem(file, f"{_row_label(style, int(i))}.{id_col}", f"duplicate id '{v}'")
        )
    for i, (lon, lat) in enumerate(zip(typed["lon"], typed["lat"], strict=True)):
        if not (math.isfinite(lon) and math.isfinite(lat)):
            continue
        if not _in_box(lon, lat, STUDY_AREA_BOUNDS):
            hint = (
                " (lat and lon look swapped)"
                if _in_box(lat, lon, STUDY_AREA_BOUNDS)
                else f" (study area lon {STUDY_AREA_BOUNDS[0]}..{STUDY_AREA_BOUNDS[2]}, "
                f"lat {STUDY_AREA_BOUNDS[1]}..{STUDY_AREA_BOUNDS[3]})"
            )
            problems.append(
                Problem(
                    file,
                    f"{_row_label(style, i)}.lon/lat",
                    f"point ({lon}, {lat}) is outside the study area{hint}",
                )
            )
    return typed, problems


def _table(
    path: Path | None, default: pd.DataFrame, columns: dict[str, tuple[str, bool]], label: str
) -> tuple[pd.DataFrame, list[Problem]]:
    if path is None:
        frame = pd.DataFrame(default.drop(columns="geometry", errors="ignore")).astype(str)
        return check_table(frame, columns, label, "line")
    df, style = read_table(path)
    return check_table(df, columns, str(path), style)


def prepare(sc: Scenario) -> Inputs:
    """Read and check everything a scenario refers to.

    Parameters
    ----------
    sc
        A loaded scenario (paths already resolved).

    Returns
    -------
    Inputs
        The checked tables, filtered to the scenario's regions.

    Raises
    ------
    ScenarioError
        Listing every problem found in the scenario file and its tables.
    """
    scfile = str(sc.path) if sc.path else "(scenario)"
    try:
        geo = load_geodata(sc.geodata)
    except ScenarioError:
        raise
    except Exception as exc:
        raise ScenarioError([Problem(scfile, "geodata", f"cannot load geodata: {exc}")]) from None
    geo_label = str(geo.path)
    problems: list[Problem] = []

    sources, p = _table(sc.sources.table, geo.sources, SOURCE_COLUMNS, f"{geo_label}/sources.csv")
    problems += p
    cands, p = _table(
        sc.candidates.table, geo.candidates, CANDIDATE_COLUMNS, f"{geo_label}/candidates.csv"
    )
    problems += p
    if problems:
        raise ScenarioError(problems)

    regions = set(sc.regions)
    sources = sources[sources["province"].isin(regions)].reset_index(drop=True)
    cands = cands[cands["province"].isin(regions)].reset_index(drop=True)
    if sources.empty:
        problems.append(Problem(scfile, "regions", f"no sources in regions {sorted(regions)}"))

    sources["supply_t_per_year"] = sources["supply_t_per_year"] * sc.sources.supply_scale
    if sc.sources.damaged_share is not None:
        sources["damaged_share"] = sc.sources.damaged_share
    sources["damaged_t_per_year"] = sources["supply_t_per_year"] * sources["damaged_share"]
    sources["intact_t_per_year"] = sources["supply_t_per_year"] - sources["damaged_t_per_year"]

    if "existing" not in cands.columns:
        cands["existing"] = False
    cands["existing"] = cands["existing"].astype(bool)
    known = set(cands["site_id"])
    for i, sid in enumerate(sc.candidates.existing):
        if sid not in known:
            problems.append(
                Problem(scfile, f"candidates.existing.{i}", f"unknown candidate site '{sid}'")
            )
        else:
            cands.loc[cands["site_id"] == sid, "existing"] = True
    cands["fixed_cost_cny_per_year"] = (
        cands["fixed_cost_cny_per_year"] * sc.candidates.fixed_cost_scale
    )
    for i, row in cands.iterrows():
        if row["kind"] == "collection" and row["stock_capacity_t"] > COLLECTION_MAX_STOCK_T:
            problems.append(
                Problem(
                    str(sc.candidates.table or f"{geo_label}/candidates.csv"),
                    f"{_row_label('line', int(i))}.stock_capacity_t",
                    f"a collection outlet holds at most {COLLECTION_MAX_STOCK_T:g} t "
                    "(MIIT 2019 guideline)",
                )
            )
    turns = np.where(
        cands["kind"] == "collection",
        sc.location.collection_turns_per_year,
        sc.location.storage_turns_per_year,
    )
    cands["capacity_t_per_year"] = cands["stock_capacity_t"] * turns

    plant = _plant(sc, geo, scfile, problems)

    for i, vt in enumerate(sc.fleet):
        if vt.base not in ("plant", "outlets") and vt.base not in known:
            close = [s for s in known if s.startswith(vt.base[:3])][:3]
            hint = f" (similar: {', '.join(sorted(close))})" if close else ""
            problems.append(
                Problem(
                    scfile,
                    f"fleet.{i}.base",
                    f"unknown base '{vt.base}': use 'plant', 'outlets' or a candidate site id"
                    + hint,
                )
            )
    if not any(vt.base in ("plant",) for vt in sc.fleet) and sc.location.direct_to_plant:
        problems.append(
            Problem(
                scfile,
                "fleet",
                "no vehicle type is stationed at the plant, but sources may deliver to it "
                "(location.direct_to_plant); add one with base: plant, or set "
                "location.direct_to_plant: false",
            )
        )
    if not any(vt.base != "plant" for vt in sc.fleet):
        problems.append(
            Problem(scfile, "fleet", "no vehicle type is stationed at the outlets (base: outlets)")
        )

    if not sources.empty:
        supply = float(sources["supply_t_per_year"].sum())
        outlet_cap = float(cands["capacity_t_per_year"].sum())
        plant_cap = float(plant["capacity_t_per_year"].iloc[0])
        if plant_cap < supply:
            problems.append(
                Problem(
                    scfile,
                    "plant.capacity_t_per_year",
                    f"plant capacity {plant_cap:,.1f} t/year is below total supply "
                    f"{supply:,.1f} t/year",
                )
            )
        first_stop = outlet_cap + (plant_cap if sc.location.direct_to_plant else 0.0)
        if first_stop < supply:
            problems.append(
                Problem(
                    scfile,
                    "candidates",
                    f"total outlet + plant capacity {first_stop:,.1f} t/year is below total "
                    f"supply {supply:,.1f} t/year (missing {supply - first_stop:,.1f} t/year)",
                )
            )
    if problems:
        raise ScenarioError(problems)
    return Inputs(scenario=sc, geodata=geo, plant=plant, sources=sources, candidates=cands)


def _plant(sc: Scenario, geo: Geodata, scfile: str, problems: list[Problem]) -> pd.DataFrame:
    table = pd.DataFrame(geo.plant.drop(columns="geometry", errors="ignore"))
    if sc.plant.id is not None:
        table = table[table["plant_id"] == sc.plant.id]
        if table.empty:
            problems.append(Problem(scfile, "plant.id", f"unknown plant '{sc.plant.id}'"))
            return pd.DataFrame(
                {
                    "plant_id": [sc.plant.id],
                    "name": [""],
                    "lon": [0.0],
                    "lat": [0.0],
                    "capacity_t_per_year": [math.inf],
                }
            )
    row = table.iloc[[0]].copy().reset_index(drop=True)
    row = row[["plant_id", "name", "lon", "lat", "capacity_t_per_year"]]
    row[["lon", "lat", "capacity_t_per_year"]] = row[["lon", "lat", "capacity_t_per_year"]].astype(
        float
    )
    if sc.plant.lon is not None and sc.plant.lat is not None:
        if not _in_box(sc.plant.lon, sc.plant.lat, STUDY_AREA_BOUNDS):
            problems.append(Problem(scfile, "plant.lon/lat", "the plant is outside the study area"))
        row.loc[0, "lon"] = sc.plant.lon
        row.loc[0, "lat"] = sc.plant.lat
    if sc.plant.capacity_t_per_year is not None:
        row.loc[0, "capacity_t_per_year"] = sc.plant.capacity_t_per_year
    return row
