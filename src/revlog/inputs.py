"""A scenario's full input: the file, its tables and the geodata, checked together.

:func:`prepare` reads the source and candidate tables (CSV or GeoJSON, or the embedded
defaults), checks every row and the cross references, and returns :class:`Inputs`: plain
DataFrames the stages work from. Every problem is reported as ``file:field: reason``,
all at once, through :class:`revlog.errors.ScenarioError`.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import re
import stat
import typing
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from revlog.errors import NotReadable, Problem, ScenarioError, ScenarioWarning
from revlog.geo.geodata import _FILES as GEODATA_FILES
from revlog.geo.geodata import STUDY_AREA_BOUNDS, Geodata, load_geodata
from revlog.location.problem import yearly_capacity_t
from revlog.loop.network import loop_input_problems
from revlog.regulations import COLLECTION_MAX_STOCK_T, STORAGE_MIN_STOCK_T
from revlog.scenario.load import _stem, _unit_words, file_kind, read_regular_file
from revlog.scenario.schema import MAX_CNY, Province, Scenario

# column -> (kind, required); kinds: id, str, province, lon, lat, nonneg, pos, share, bool,
# enum:<a|b>
SOURCE_COLUMNS: dict[str, tuple[str, bool]] = {
    "source_id": ("id", True),
    "name": ("str", False),
    "kind": ("enum:dealer|service_shop", True),
    "lon": ("lon", True),
    "lat": ("lat", True),
    "prefecture": ("str", True),
    "province": ("province", True),
    "supply_t_per_year": ("nonneg", True),
    "damaged_share": ("share", True),
    # closed loop: second-life-able share of the intact tonnes (revlog.loop.grades)
    "second_life_share": ("share", False),
    "storage_kg": ("pos", False),
}
CANDIDATE_COLUMNS: dict[str, tuple[str, bool]] = {
    "site_id": ("id", True),
    "name": ("str", False),
    "kind": ("enum:collection|storage", True),
    "lon": ("lon", True),
    "lat": ("lat", True),
    "prefecture": ("str", True),
    "province": ("province", True),
    "fixed_cost_cny_per_year": ("nonneg", True),
    "stock_capacity_t": ("pos", True),
    "existing": ("bool", False),
}
#: A sources column giving a source's tonnes in one year of a horizon
#: (``supply_t_per_year_2030``); it replaces the growth factors for that year.
YEAR_SUPPLY_COLUMN = re.compile(r"^supply_t_per_year_(\d{4})$")


def year_supply_column(year: int) -> str:
    """Name of the sources column holding the tonnes of ``year`` (:data:`YEAR_SUPPLY_COLUMN`)."""
    return f"supply_t_per_year_{int(year)}"


def _with_year_columns(
    columns: dict[str, tuple[str, bool]], header: list[str]
) -> dict[str, tuple[str, bool]]:
    """The sources spec plus the header's per-year supply columns (non-negative tonnes)."""
    years = {str(c): ("nonneg", True) for c in header if YEAR_SUPPLY_COLUMN.match(str(c))}
    return {**columns, **years}


#: Columns the embedded geodata carries that revlog reads past without a warning.
KNOWN_EXTRA_COLUMNS = frozenset({"place_id", "synthetic"})
#: Other names planners give the coordinate columns.
COLUMN_ALIASES = {"lng": "lon", "long": "lon", "longitude": "lon", "latitude": "lat"}
MAX_ABSURD_T_PER_YEAR = 1e6


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
    warnings
        What looks unintended but is not an error (a column revlog does not read), as
        ``file:field: reason`` records; also issued as :class:`~revlog.errors.ScenarioWarning`.
    """

    scenario: Scenario
    geodata: Geodata
    plant: pd.DataFrame
    sources: pd.DataFrame
    candidates: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)

    @property
    def total_supply_t(self) -> float:
        """Total yearly supply of the sources, t/year."""
        return float(self.sources["supply_t_per_year"].sum())


def _in_box(lon: float, lat: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def _outside_reason(lon: float, lat: float) -> str | None:
    """Why a point is not in the study area (with a hint when lat/lon look swapped), or None."""
    box = STUDY_AREA_BOUNDS
    if _in_box(lon, lat, box):
        return None
    hint = (
        " (lat and lon look swapped)"
        if _in_box(lat, lon, box)
        else f" (study area lon {box[0]:g}..{box[2]:g}, lat {box[1]:g}..{box[3]:g})"
    )
    return f"point ({lon:g}, {lat:g}) is outside the study area{hint}"


MAX_TABLE_BYTES = 50_000_000
PROVINCES: tuple[str, ...] = typing.get_args(Province)


def _read_text(path: Path) -> str:
    """Read a table file as UTF-8 text; refuse missing, huge, binary or empty files and
    anything but a regular file (a FIFO or a device is never opened for reading)."""
    name = str(path)

    def fail(reason: str) -> ScenarioError:
        return ScenarioError([Problem(name, "(file)", reason)])

    try:
        raw = read_regular_file(path, MAX_TABLE_BYTES, what="table")
    except NotReadable as exc:
        raise fail(str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(
            f"not UTF-8 text (byte {exc.start}); is it a binary file? Save tables as UTF-8"
        ) from None
    if "\x00" in text:
        raise fail("contains NUL bytes; is it a binary file?")
    if not text.strip():
        raise fail("the table is empty")
    return text


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV table as strings, keeping each row's line number in ``attrs``."""
    name = str(path)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    labels: list[str] = []
    problems: list[Problem] = []
    last_line = 0
    try:
        for record in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not any(c.strip() for c in record):
                continue  # blank line
            if header is None:
                header = [c.strip() for c in record]
                continue
            if len(record) != len(header):
                problems.append(
                    Problem(
                        name,
                        f"line {line}",
                        f"{len(record)} fields, but the header has {len(header)}",
                    )
                )
                continue
            rows.append(record)
            labels.append(f"line {line}")
    except csv.Error as exc:
        problems.append(
            Problem(name, f"line {reader.line_num}", f"unreadable CSV: {_clip(str(exc), 200)}")
        )
    assert header is not None  # the text is not blank
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "';'" if ";" in header[0] else "tabs"
        problems.insert(0, Problem(name, "line 1", f"columns are separated by {sep}; use commas"))
        raise ScenarioError(problems[:1])
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.insert(0, Problem(name, "line 1", f"column '{_clip(col)}' appears twice"))
        seen.add(col)
    if problems:
        raise ScenarioError(problems)
    df = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header)
    df.attrs["row_labels"] = labels
    return df


def _cell(value: Any) -> str:
    """A GeoJSON property value as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _read_geojson(path: Path) -> pd.DataFrame:
    """Read a GeoJSON FeatureCollection of points as string columns plus ``lon``/``lat``."""
    name = str(path)
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [Problem(name, f"line {exc.lineno}", f"invalid JSON: {exc.msg}")]
        ) from None
    except (RecursionError, ValueError) as exc:
        raise ScenarioError(
            [Problem(name, "(file)", f"unreadable JSON: {_clip(str(exc), 200)}")]
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ScenarioError([Problem(name, "(top level)", "expected a GeoJSON FeatureCollection")])
    features = data.get("features")
    if not isinstance(features, list):
        raise ScenarioError([Problem(name, "features", "expected a list of features")])
    transform = _crs_transform(data.get("crs"), name)
    problems: list[Problem] = []
    records: list[dict[str, str]] = []
    labels: list[str] = []
    for i, feat in enumerate(features):
        where = f"feature {i}"
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            problems.append(Problem(name, where, "expected a GeoJSON Feature"))
            continue
        geom = feat.get("geometry")
        if not isinstance(geom, dict) or geom.get("type") != "Point":
            problems.append(Problem(name, f"{where}.geometry", "must be a Point"))
            continue
        xy = geom.get("coordinates")
        if not (isinstance(xy, list) and len(xy) in (2, 3) and all(_is_number(v) for v in xy)):
            problems.append(
                Problem(name, f"{where}.geometry.coordinates", "expected [lon, lat] numbers")
            )
            continue
        props = feat.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            problems.append(Problem(name, f"{where}.properties", "expected a mapping"))
            continue
        lon, lat = float(xy[0]), float(xy[1])
        if transform is not None:
            lon, lat = transform(lon, lat)
        row = {str(k): _cell(v) for k, v in props.items()}
        row["lon"], row["lat"] = repr(lon), repr(lat)
        records.append(row)
        labels.append(where)
    if problems:
        raise ScenarioError(problems)
    columns: list[str] = []
    for r in records:
        columns.extend(k for k in r if k not in columns)
    df = pd.DataFrame(
        [[r.get(c, "") for c in columns] for r in records], columns=columns, dtype=str
    )
    df.attrs["row_labels"] = labels
    return df


def _crs_transform(crs: Any, name: str) -> Any:
    """A lon/lat transform from a legacy GeoJSON ``crs`` member, or None for WGS84."""
    if crs is None:
        return None
    crs_name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(crs_name, str):
        raise ScenarioError([Problem(name, "crs", "expected a named coordinate system")])
    if any(k in crs_name.upper() for k in ("CRS84", "4326", "4490")):
        return None
    try:
        from pyproj import Transformer

        tr = Transformer.from_crs(crs_name, 4326, always_xy=True)
    except Exception:
        raise ScenarioError(
            [Problem(name, "crs", f"unknown coordinate system '{crs_name[:80]}'")]
        ) from None
    return lambda x, y: tuple(float(v) for v in tr.transform(x, y))


def read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """Read a CSV or GeoJSON table; return the frame and how rows are named (line/feature).

    Every cell is read as text (:func:`check_table` converts and checks it). GeoJSON point
    geometries become ``lon``/``lat`` columns (reprojected to WGS84 when the file names
    another coordinate system). ``frame.attrs["row_labels"]`` names each row as the user
    sees it (``line 7`` in a CSV file, blank lines included; ``feature 3`` in GeoJSON).

    Parameters
    ----------
    path
        A ``.csv``, ``.geojson`` or ``.json`` file.

    Returns
    -------
    (DataFrame, str)
        The string table and ``"line"`` or ``"feature"``.

    Raises
    ------
    ScenarioError
        When the file cannot be read as a table (with the line or feature at fault).
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path), "line"
    if suffix in (".geojson", ".json"):
        return _read_geojson(path), "feature"
    raise ScenarioError([Problem(str(path), "(file)", "unknown table type; use .csv or .geojson")])


def _row_label(style: str, i: int) -> str:
    # CSV: header is line 1, so data row i (0-based) is line i + 2.
    return f"line {i + 2}" if style == "line" else f"feature {i}"


def check_table(
    df: pd.DataFrame,
    columns: dict[str, tuple[str, bool]],
    file: str,
    style: str,
    warnings: list[Problem] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check and convert a string table against a column spec.

    Parameters
    ----------
    df
        The table, every cell as text; ``df.attrs["row_labels"]`` (if set) names the rows.
    columns
        Column name → (kind, required).
    file
        The file name for the problems.
    style
        ``"line"`` or ``"feature"``: how rows are named when ``row_labels`` is not set.
    warnings
        If given, columns revlog does not read (and that are no near miss of one it reads)
        are appended to it; a near miss (``existing_outlet`` for ``existing``) is a problem.

    Returns
    -------
    (DataFrame, list of Problem)
        The typed table (only when there are no problems; ``attrs["row_labels"]`` names
        its rows) and the problems found.
    """
    labels: list[str] = list(df.attrs.get("row_labels") or [])
    if len(labels) != len(df):
        labels = [_row_label(style, i) for i in range(len(df))]
    header, unknown = _column_problems(list(df.columns), columns, file)
    if warnings is not None:
        warnings.extend(unknown)
    if any(p.reason.startswith("required column") for p in header):
        return df, header
    if df.empty:
        return df, [*header, Problem(file, "(table)", "the table has no rows")]
    out, problems, bad_point = _convert_columns(df, columns, file, labels)
    problems = header + problems
    typed = pd.DataFrame(out)
    for extra in df.columns:
        if extra not in typed.columns:
            typed[extra] = df[extra].tolist()
    problems += _duplicate_ids(typed, columns, file, labels)
    problems += _points_outside(typed, file, labels, bad_point)
    problems += _stock_limits(typed, file, labels)
    # Report row by row (in file order), each row's problems in column order.
    order = {label: i for i, label in enumerate(labels)}
    problems.sort(key=lambda p: order.get(p.field.split(".")[0], -1))
    typed.attrs["row_labels"] = labels
    return typed, problems


def _norm(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def _near_column(name: str, columns: dict[str, tuple[str, bool]]) -> str | None:
    """The column of the spec that ``name`` looks like a slip for, or None.

    A slip: the same letters in another case or spacing (``Site ID``), a usual other name
    (``lng``), the same quantity in another unit (``stock_capacity_kg``), a known column
    with a word added or dropped (``existing_outlet``, ``supply``; not for free-text
    columns, so ``name_zh`` stays the user's own), or a typo (close spelling).
    """
    known = list(columns)
    low = name.strip().lower()
    for k in known:
        if _norm(k) == _norm(name):
            return k
    if COLUMN_ALIASES.get(low) in columns:
        return COLUMN_ALIASES[low]
    for k in known:
        if _stem(k) != k and _stem(k) == _stem(low):
            return k
    for k in known:
        if columns[k][0] == "str":
            continue
        if low.startswith(k + "_") or low.endswith("_" + k) or k.startswith(low + "_"):
            return k
    close = difflib.get_close_matches(low, known, n=1, cutoff=0.8)
    return close[0] if close else None


def _column_problems(
    header: list[str], columns: dict[str, tuple[str, bool]], file: str
) -> tuple[list[Problem], list[Problem]]:
    """Missing required columns and near misses of known ones (problems); other unknown
    columns (warnings: they are read past)."""
    present = set(header)
    unknown = [
        c for c in header if c not in columns and c not in KNOWN_EXTRA_COLUMNS and c != "geometry"
    ]
    near = {c: _near_column(c, columns) for c in unknown}
    slips: dict[str, str] = {}  # known column -> the header's slip for it
    for c in unknown:
        k = near[c]
        if k is not None and k not in present:
            slips.setdefault(k, c)
    problems: list[Problem] = []
    for c, (_, req) in columns.items():
        if req and c not in present:
            hint = f"; the table has '{_clip(slips[c])}': rename it '{c}'" if c in slips else ""
            problems.append(Problem(file, c, f"required column is missing{hint}"))
    warnings: list[Problem] = []
    for c in unknown:
        k = near[c]
        if k is not None and slips.get(k) == c:
            if not columns[k][1]:
                unit = _unit_words(k)
                given = f" (it is given in {unit})" if unit and _stem(k) == _stem(c) else ""
                problems.append(
                    Problem(file, _clip(c), f"unknown column; did you mean '{k}'?{given}")
                )
        else:
            also = f" (the table has '{k}' too)" if k is not None else ""
            warnings.append(Problem(file, _clip(c), f"unknown column, ignored{also}"))
    return problems, warnings


def _convert_columns(
    df: pd.DataFrame, columns: dict[str, tuple[str, bool]], file: str, labels: list[str]
) -> tuple[dict[str, list[Any]], list[Problem], set[int]]:
    """Every cell of the spec's columns converted to its kind.

    Returns
    -------
    (dict, list of Problem, set of int)
        Column → converted values, the problems, and the rows whose lon or lat is invalid.
    """
    problems: list[Problem] = []
    out: dict[str, list[Any]] = {}
    bad_point: set[int] = set()
    for col, (kind, req) in columns.items():
        if col not in df.columns:
            continue
        vals: list[Any] = []
        for i, raw in enumerate(df[col].tolist()):
            text = "" if raw is None else str(raw).strip()
            value, reason = _convert_cell(kind, req, col, text)
            if reason is not None:
                problems.append(Problem(file, f"{labels[i]}.{col}", reason))
                if kind in ("lon", "lat"):
                    bad_point.add(i)
            vals.append(value)
        out[col] = vals
    return out, problems, bad_point


def _convert_cell(kind: str, req: bool, col: str, text: str) -> tuple[Any, str | None]:
    """One cell's value of ``kind`` and why it is invalid (None when it is valid)."""
    if kind in ("id", "str"):
        if req and not text:
            return text, "empty id" if kind == "id" else "missing value"
        return text, None
    if kind.startswith("enum:"):
        allowed = kind[5:].split("|")
        if text not in allowed:
            return text, f"'{_clip(text)}' is not one of {', '.join(allowed)}"
        return text, None
    if kind == "province":
        if text not in PROVINCES:
            close = difflib.get_close_matches(text, PROVINCES, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            return text, f"'{_clip(text)}' is not one of {', '.join(PROVINCES)}{hint}"
        return text, None
    if kind == "bool":
        low = text.lower()
        if low in ("true", "1", "yes"):
            return True, None
        if low in ("false", "0", "no", ""):
            return False, None
        return False, f"'{_clip(text)}' is not true/false"
    if not req and not text:  # an optional number left blank: the scenario's default
        return math.nan, None
    x = _number(text)
    return x, _number_problem(kind, col, text, x)


def _duplicate_ids(
    typed: pd.DataFrame, columns: dict[str, tuple[str, bool]], file: str, labels: list[str]
) -> list[Problem]:
    """Every repeated id, naming the row it was first given on."""
    problems: list[Problem] = []
    id_col = next(c for c, (k, _) in columns.items() if k == "id")
    first: dict[str, str] = {}
    for i, v in enumerate(typed[id_col].tolist()):
        if not v:
            continue
        if v in first:
            problems.append(
                Problem(
                    file,
                    f"{labels[i]}.{id_col}",
                    f"duplicate id '{_clip(v)}' (first on {first[v]})",
                )
            )
        else:
            first[v] = labels[i]
    return problems


def _points_outside(
    typed: pd.DataFrame, file: str, labels: list[str], bad_point: set[int]
) -> list[Problem]:
    """Every valid point outside the study area (rows with an invalid lon or lat skipped)."""
    problems: list[Problem] = []
    for i, (lon, lat) in enumerate(zip(typed["lon"], typed["lat"], strict=True)):
        if i in bad_point:
            continue
        reason = _outside_reason(lon, lat)
        if reason is not None:
            problems.append(Problem(file, f"{labels[i]}.lon/lat", reason))
    return problems


def _stock_limits(typed: pd.DataFrame, file: str, labels: list[str]) -> list[Problem]:
    """Stock capacities outside the MIIT 2019 limits of their outlet kind."""
    if "stock_capacity_t" not in typed.columns or "kind" not in typed.columns:
        return []
    problems: list[Problem] = []
    for i, (kind, stock) in enumerate(zip(typed["kind"], typed["stock_capacity_t"], strict=True)):
        where = f"{labels[i]}.stock_capacity_t"
        if kind == "collection" and stock > COLLECTION_MAX_STOCK_T:
            problems.append(
                Problem(
                    file,
                    where,
                    f"a collection outlet holds at most {COLLECTION_MAX_STOCK_T:g} t "
                    f"(MIIT 2019 guideline), got {stock:g}",
                )
            )
        elif kind == "storage" and stock < STORAGE_MIN_STOCK_T:
            problems.append(
                Problem(
                    file,
                    where,
                    f"a centralized storage outlet holds at least {STORAGE_MIN_STOCK_T:g} t "
                    f"(MIIT 2019 guideline), got {stock:g}",
                )
            )
    return problems


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _number_problem(kind: str, col: str, text: str, x: float) -> str | None:
    """Why a numeric cell is invalid, or None."""
    if not text:
        return "missing value"
    if math.isnan(x) and text.lower() not in ("nan", "+nan", "-nan"):
        return f"'{_clip(text)}' is not a number"
    if not math.isfinite(x):
        return f"must be a finite number, got {_clip(text)}"
    if kind in ("nonneg", "pos", "share") and x < 0:
        return f"must not be negative, got {text}"
    if kind == "pos" and x == 0:
        return "must be positive, got 0"
    if kind == "share" and x > 1:
        return f"is a share in 0-1, got {text}"
    per_year = col.endswith("_t_per_year") or YEAR_SUPPLY_COLUMN.match(col)
    if kind in ("nonneg", "pos") and per_year and x > MAX_ABSURD_T_PER_YEAR:
        return f"absurd quantity {text} t/year (limit {MAX_ABSURD_T_PER_YEAR:,.0f})"
    if kind in ("nonneg", "pos") and col.endswith("_t") and x > MAX_ABSURD_T_PER_YEAR:
        return f"absurd quantity {text} t (limit {MAX_ABSURD_T_PER_YEAR:,.0f})"
    if kind in ("nonneg", "pos") and col.endswith("_cny_per_year") and x > MAX_CNY:
        return f"absurd amount {text} CNY/year (limit {MAX_CNY:,.0f})"
    if kind == "lon" and not -180 <= x <= 180:
        return f"longitude {text} is not in -180..180"
    if kind == "lat" and not -90 <= x <= 90:
        hint = " (lat and lon look swapped?)" if -180 <= x <= 180 else ""
        return f"latitude {text} is not in -90..90{hint}"
    return None


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split()) if not text.isprintable() else text
    if not text.isprintable():
        text = json.dumps(text, ensure_ascii=False)[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _table(
    path: Path | None,
    default: pd.DataFrame,
    columns: dict[str, tuple[str, bool]],
    label: str,
    warnings: list[Problem],
) -> tuple[pd.DataFrame, list[Problem]]:
    if path is None:
        frame = pd.DataFrame(default.drop(columns="geometry", errors="ignore")).astype(str)
        if columns is SOURCE_COLUMNS:
            columns = _with_year_columns(columns, list(frame.columns))
        return check_table(frame, columns, label, "line", warnings)
    try:
        df, style = read_table(path)
    except ScenarioError as exc:
        return pd.DataFrame(), exc.problems
    if columns is SOURCE_COLUMNS:
        columns = _with_year_columns(columns, list(df.columns))
    return check_table(df, columns, str(path), style, warnings)


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
    geo = _load_geodata(sc, scfile)
    warned: list[Problem] = []
    sources, cands, problems = _read_tables(sc, geo, warned)
    if problems:
        raise ScenarioError(problems)
    src_file = _source_file(sc, geo)

    regions = set(sc.regions)
    site_province = dict(zip(cands["site_id"], cands["province"], strict=True))
    in_regions = sources["province"].isin(regions)
    problems += _prefecture_slips(sc, sources[in_regions], cands, src_file)
    sources = _scaled_sources(sc, sources[in_regions], scfile, problems)
    cands = _candidate_sites(
        sc, cands[cands["province"].isin(regions)], site_province, scfile, problems
    )
    plant = _plant(sc, geo, scfile, problems)
    problems += _fleet_problems(sc, set(cands["site_id"]), site_province, scfile)
    problems += _capacity_problems(sc, sources, cands, plant, scfile)
    problems += _road_problems(sc, geo, scfile)
    problems += loop_input_problems(sc, geo, scfile)
    if sc.horizon is not None and not problems:
        from revlog.horizon.problem import year_supply_problems

        problems += year_supply_problems(sc, sources, src_file)
    if problems:
        raise ScenarioError(problems)
    warned += _idle_sources(sources, src_file)
    for w in warned:
        _warnings.warn(ScenarioWarning(str(w)), stacklevel=2)
    return Inputs(
        scenario=sc, geodata=geo, plant=plant, sources=sources, candidates=cands, warnings=warned
    )


def _road_problems(sc: Scenario, geo: Geodata, file: str) -> list[Problem]:
    """A restriction that leaves no road to drive dangerous goods on at all."""
    banned = set(sc.rules.restricted_road_classes)
    net = geo.road_network() if banned else None
    if net is None:
        return []
    open_links = {
        d["road_class"]
        for _, _, d in net.graph.edges(data=True)
        if not d.get("hazmat_restricted", False)
    }
    if open_links - banned:
        return []
    classes = ", ".join(sorted(open_links)) or "none"
    return [
        Problem(
            file,
            "rules.restricted_road_classes",
            f"every road class the network has ({classes}) is restricted: no road is left for "
            "dangerous goods; allow at least one class",
        )
    ]


def _prefecture_slips(
    sc: Scenario, sources: pd.DataFrame, cands: pd.DataFrame, file: str
) -> list[Problem]:
    """Source prefectures that look like misspellings of a candidate's prefecture.

    Only under ``location.collection_per_prefecture`` (the one rule that reads prefectures):
    a prefecture with sources but no collection candidate makes the scenario infeasible,
    and when its name is a near miss of a prefecture that has candidates, the table is
    what is wrong. (Without a near miss, the stage-1 pre-check explains the infeasibility.)
    """
    if not sc.location.collection_per_prefecture or sources.empty:
        return []
    regions = set(sc.regions)
    in_regions = cands[cands["province"].isin(regions)]
    with_collection = set(in_regions.loc[in_regions["kind"] == "collection", "prefecture"])
    known = sorted(set(cands["prefecture"]))
    labels = list(sources.attrs.get("row_labels") or [])
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, q, w in zip(
        sources.index, sources["prefecture"], sources["supply_t_per_year"], strict=True
    ):
        if q in with_collection or q in seen or not w > 0:
            continue
        seen.add(q)
        close = difflib.get_close_matches(q, [k for k in known if k != q], n=1, cutoff=0.8)
        if not close or close[0] not in with_collection:
            continue
        label = labels[i] if i < len(labels) else _row_label("line", int(i))
        problems.append(
            Problem(
                file,
                f"{label}.prefecture",
                f"no candidate site lies in prefecture '{_clip(q)}'; did you mean "
                f"'{close[0]}'? (location.collection_per_prefecture asks for a collection "
                "outlet in every prefecture with sources)",
            )
        )
    return problems


def table_problems(sc: Scenario) -> list[Problem]:
    """The problems of the scenario's tables alone (reading and checking every row).

    :func:`revlog.scenario.load.load_scenario` calls it when the scenario file itself is
    invalid, so that a schema error does not hide the tables' problems.
    """
    scfile = str(sc.path) if sc.path else "(scenario)"
    try:
        geo = _load_geodata(sc, scfile)
    except ScenarioError:
        return []
    return _read_tables(sc, geo, [])[2]


def _source_file(sc: Scenario, geo: Geodata) -> str:
    return str(sc.sources.table or f"{geo.path}/sources.csv")


def _read_tables(
    sc: Scenario, geo: Geodata, warned: list[Problem]
) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """The checked source and candidate tables, and their problems; warnings appended."""
    sources, problems = _table(
        sc.sources.table, geo.sources, SOURCE_COLUMNS, _source_file(sc, geo), warned
    )
    cands, p = _table(
        sc.candidates.table, geo.candidates, CANDIDATE_COLUMNS, f"{geo.path}/candidates.csv", warned
    )
    return sources, cands, problems + p


def _idle_sources(sources: pd.DataFrame, file: str) -> list[Problem]:
    """Warnings for sources that supply nothing (valid, but they are not visited)."""
    supply = sources["supply_t_per_year"]
    if len(supply) and float(supply.sum()) <= 0:
        reason = (
            f"no source supplies anything (all {len(supply)} supply 0 t/year): nothing to "
            "collect, no pickup runs planned"
        )
        return [Problem(file, "supply_t_per_year", reason)]
    idle = int((supply <= 0).sum())
    if idle:
        reason = f"{idle} of {len(supply)} sources supply 0 t/year: they are not visited"
        return [Problem(file, "supply_t_per_year", reason)]
    return []


def _load_geodata(sc: Scenario, scfile: str) -> Geodata:
    """The scenario's geodata; any failure to load it is a problem of ``geodata``.

    A geodata folder of the scenario's own is untrusted like its tables: a file in it that
    is not a regular file (a FIFO would block the reader) or larger than
    :data:`MAX_TABLE_BYTES` is refused before anything reads it.
    """
    if sc.geodata is not None:
        found = []
        for name in GEODATA_FILES.values():
            try:
                st = (Path(sc.geodata) / name).stat()
            except OSError:
                continue  # missing: load_geodata says so
            if not stat.S_ISREG(st.st_mode):
                found.append(f"{name} is {file_kind(st.st_mode)}, not a regular file")
            elif st.st_size > MAX_TABLE_BYTES:
                found.append(f"{name} is too large ({st.st_size} bytes, limit {MAX_TABLE_BYTES})")
        if found:
            raise ScenarioError([Problem(scfile, "geodata", reason) for reason in found])
    try:
        geo = load_geodata(sc.geodata)
        if sc.road_network is not None:  # read (and check) the OSM file now, not mid-solve
            geo.osm = sc.road_network.osm
            geo.road_network()
        return geo
    except ScenarioError:
        raise
    except Exception as exc:
        raise ScenarioError(
            [Problem(scfile, "geodata", f"cannot load geodata: {_clip(str(exc), 300)}")]
        ) from None


def _scaled_sources(
    sc: Scenario, sources: pd.DataFrame, scfile: str, problems: list[Problem]
) -> pd.DataFrame:
    """The sources of the regions with scaled supply and their damaged / intact tonnes."""
    sources = sources.reset_index(drop=True)
    if sources.empty:
        problems.append(
            Problem(scfile, "regions", f"no sources in regions {sorted(set(sc.regions))}")
        )
    sources["supply_t_per_year"] = sources["supply_t_per_year"] * sc.sources.supply_scale
    for c in [c for c in sources.columns if YEAR_SUPPLY_COLUMN.match(str(c))]:
        sources[c] = pd.to_numeric(sources[c]) * sc.sources.supply_scale
    if sc.sources.damaged_share is not None:
        sources["damaged_share"] = sc.sources.damaged_share
    sources["damaged_t_per_year"] = sources["supply_t_per_year"] * sources["damaged_share"]
    sources["intact_t_per_year"] = sources["supply_t_per_year"] - sources["damaged_t_per_year"]
    return sources


def _candidate_sites(
    sc: Scenario,
    cands: pd.DataFrame,
    site_province: dict[str, str],
    scfile: str,
    problems: list[Problem],
) -> pd.DataFrame:
    """The candidates of the regions: existing outlets marked, costs scaled, yearly capacity."""
    cands = cands.reset_index(drop=True)
    regions = set(sc.regions)
    if "existing" not in cands.columns:
        cands["existing"] = False
    cands["existing"] = cands["existing"].astype(bool)
    known = set(cands["site_id"])
    for i, sid in enumerate(sc.candidates.existing):
        where = f"candidates.existing.{i}"
        if sid in sc.candidates.existing[:i]:
            problems.append(Problem(scfile, where, f"site '{_clip(sid)}' is listed twice"))
        elif sid not in known:
            problems.append(Problem(scfile, where, _unknown_site(sid, site_province, regions)))
        else:
            cands.loc[cands["site_id"] == sid, "existing"] = True
    _existing_decisions(sc, cands, known, site_province, scfile, problems)
    cands["fixed_cost_cny_per_year"] = (
        cands["fixed_cost_cny_per_year"] * sc.candidates.fixed_cost_scale
    )
    turns = {
        "collection": sc.location.collection_turns_per_year,
        "storage": sc.location.storage_turns_per_year,
    }
    cands["capacity_t_per_year"] = [
        yearly_capacity_t(stock, turns[kind])
        for stock, kind in zip(cands["stock_capacity_t"], cands["kind"], strict=True)
    ]
    return cands


def _existing_decisions(
    sc: Scenario,
    cands: pd.DataFrame,
    known: set[str],
    site_province: dict[str, str],
    scfile: str,
    problems: list[Problem],
) -> None:
    """``decision`` (keep | close | candidate; keep for the table's existing outlets, empty
    for new sites) and ``closing_cost_cny_per_year`` columns from
    ``candidates.existing_outlets``, which overrides the table's ``existing`` flag."""
    regions = set(sc.regions)
    cands["decision"] = ["keep" if e else "" for e in cands["existing"]]
    cands["closing_cost_cny_per_year"] = 0.0
    seen: set[str] = set()
    for i, item in enumerate(sc.candidates.existing_outlets):
        where = f"candidates.existing_outlets.{i}.site_id"
        sid = item.site_id
        if sid in seen:
            problems.append(Problem(scfile, where, f"site '{_clip(sid)}' is listed twice"))
        elif sid not in known:
            problems.append(Problem(scfile, where, _unknown_site(sid, site_province, regions)))
        else:
            row = cands["site_id"] == sid
            cands.loc[row, "existing"] = True
            cands.loc[row, "decision"] = item.decision
            cands.loc[row, "closing_cost_cny_per_year"] = (
                item.closing_cost_cny_per_year if item.decision == "candidate" else 0.0
            )
        seen.add(sid)


def _fleet_problems(
    sc: Scenario, known: set[str], site_province: dict[str, str], scfile: str
) -> list[Problem]:
    """Vehicle types at unknown bases, and bases that sources reach but no vehicle serves."""
    regions = set(sc.regions)
    problems: list[Problem] = []
    for i, vt in enumerate(sc.fleet):
        if vt.base not in ("plant", "outlets") and vt.base not in known:
            problems.append(
                Problem(
                    scfile,
                    f"fleet.{i}.base",
                    _unknown_site(vt.base, site_province, regions, what="base")
                    + ": use 'plant', 'outlets' or a candidate site id",
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
    return problems


def _capacity_problems(
    sc: Scenario, sources: pd.DataFrame, cands: pd.DataFrame, plant: pd.DataFrame, scfile: str
) -> list[Problem]:
    """Total supply above the plant's capacity, or above what the first stops can take."""
    if sources.empty:
        return []
    problems: list[Problem] = []
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
    return problems


def _unknown_site(
    sid: str, site_province: dict[str, str], regions: set[str], what: str = "candidate site"
) -> str:
    """Explain why a site id is not among the scenario's candidates."""
    if sid in site_province:
        return (
            f"{what} '{_clip(sid)}' is in {site_province[sid]}, outside the scenario's regions "
            f"({', '.join(sorted(regions))})"
        )
    close = difflib.get_close_matches(sid, list(site_province), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {what} '{_clip(sid)}'{hint}"


def _plant(sc: Scenario, geo: Geodata, scfile: str, problems: list[Problem]) -> pd.DataFrame:
    """The plant row (geodata row, scenario overrides applied); problems appended."""
    cols = ["plant_id", "name", "lon", "lat", "capacity_t_per_year"]
    fallback = pd.DataFrame(
        {
            "plant_id": [sc.plant.id or ""],
            "name": [""],
            "lon": [sc.plant.lon if sc.plant.lon is not None else math.nan],
            "lat": [sc.plant.lat if sc.plant.lat is not None else math.nan],
            "capacity_t_per_year": [sc.plant.capacity_t_per_year or math.inf],
        }
    )
    table = pd.DataFrame(geo.plant.drop(columns="geometry", errors="ignore"))
    label = f"{geo.path}/plant.csv"
    lacking = [c for c in cols if c not in table.columns]
    if lacking:
        problems.extend(Problem(label, c, "required column is missing") for c in lacking)
        return fallback
    table["plant_id"] = table["plant_id"].astype(str)
    if sc.plant.id is not None:
        table = table[table["plant_id"] == sc.plant.id]
        if table.empty:
            known = sorted(geo.plant["plant_id"].astype(str))
            problems.append(
                Problem(
                    scfile,
                    "plant.id",
                    f"unknown plant '{_clip(sc.plant.id)}' (known: {', '.join(known) or 'none'})",
                )
            )
            return fallback
    if table.empty:
        problems.append(Problem(label, "(table)", "the table has no rows"))
        return fallback
    row = table.iloc[[0]].copy().reset_index(drop=True)[cols]
    for c in ("lon", "lat", "capacity_t_per_year"):
        x = pd.to_numeric(row[c], errors="coerce").astype(float)
        if not math.isfinite(float(x.iloc[0])):
            overridden = (c == "capacity_t_per_year" and sc.plant.capacity_t_per_year) or (
                c in ("lon", "lat") and sc.plant.lon is not None
            )
            if not overridden:
                problems.append(Problem(label, f"line 2.{c}", "missing or not a number"))
        row[c] = x
    if sc.plant.lon is not None and sc.plant.lat is not None:
        reason = _outside_reason(sc.plant.lon, sc.plant.lat)
        if reason is not None:
            problems.append(Problem(scfile, "plant.lon/lat", reason))
        row.loc[0, "lon"] = sc.plant.lon
        row.loc[0, "lat"] = sc.plant.lat
    if sc.plant.capacity_t_per_year is not None:
        row.loc[0, "capacity_t_per_year"] = sc.plant.capacity_t_per_year
    return row
