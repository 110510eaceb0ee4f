"""GeoJSON (RFC 7946) that GeoPandas/pyogrio and GDAL's ogrinfo read, CSV and GeoPackage."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import shape

from helpers.plans import run_cli, solved_tiny_dir
from revlog.export.geojson import feature_collection
from revlog.plan import GEO_TABLES, TABLES, Plan
from revlog.plan.io import write_csv_tables, write_geopackage

GEOMETRY = {
    "outlets": {"Point"},
    "stops": {"Point"},
    "assignments": {"LineString"},
    "linehauls": {"LineString"},
    "routes": {"LineString"},
}


def tool(name: str) -> str:
    """Path of a command-line tool; fail in CI, skip elsewhere, when it is missing."""
    path = shutil.which(name)
    if path is None:
        msg = f"{name} is not installed (Debian: apt-get install gdal-bin chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg + " — CI must install it (.ci/run)")
        pytest.skip(msg)
    return path


@pytest.fixture(scope="module")
def plan():
    return Plan.load(solved_tiny_dir())


@pytest.fixture(scope="module")
def geojson_dir(plan, tmp_path_factory):
    folder = tmp_path_factory.mktemp("geojson")
    plan.to_geojson(folder)
    return folder


def _coords(obj):
    if isinstance(obj, list) and obj and isinstance(obj[0], int | float):
        yield obj
    elif isinstance(obj, list):
        for x in obj:
            yield from _coords(x)


@pytest.mark.parametrize("name", GEO_TABLES)
def test_geojson_follows_rfc_7946(name, plan, geojson_dir):
    """GeoJSON is RFC 7946: lon-lat, no crs member, valid shapes, every property, ≤ 6 decimals."""
    text = (geojson_dir / f"{name}.geojson").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    table = getattr(plan, name)
    assert len(doc["features"]) == len(table)
    for f, (_, row) in zip(doc["features"], table.iterrows(), strict=True):
        assert f["type"] == "Feature"
        assert f["geometry"]["type"] in GEOMETRY[name]
        geom = shape(f["geometry"])
        assert geom.is_valid and not geom.is_empty
        if f["geometry"]["type"] == "LineString":
            assert len(f["geometry"]["coordinates"]) >= 2
        for lon, lat in _coords(f["geometry"]["coordinates"]):
            assert 89.0 <= lon <= 104.0 and 31.0 <= lat <= 40.0  # Qinghai, longitude first
        # every property (ids, names, tonnes, times, costs with units) is kept
        assert set(f["properties"]) == {c for c in table.columns if c != "geometry"}
        key = table.columns[0]
        assert f["properties"][key] == row[key]
    # at most 6 decimals anywhere in the coordinates
    assert not re.search(r"\d\.\d{7,}", json.dumps([f["geometry"] for f in doc["features"]]))


@pytest.mark.parametrize("name", GEO_TABLES)
def test_geojson_reads_back_with_geopandas_and_pyogrio(name, plan, geojson_dir):
    """GeoJSON reads back with GeoPandas and pyogrio: same rows, WGS84, the same numbers."""
    path = geojson_dir / f"{name}.geojson"
    back = gpd.read_file(path, engine="pyogrio")
    table = getattr(plan, name)
    assert len(back) == len(table)
    assert back.crs.to_epsg() == 4326
    assert back.geometry.is_valid.all()
    info = pyogrio.read_info(path)
    assert info["features"] == len(table)
    for col in table.columns:
        if col == "geometry" or table[col].dtype.kind not in "fi":
            continue
        assert back[col].to_numpy(float) == pytest.approx(table[col].to_numpy(float), abs=1e-6)


@pytest.mark.parametrize("name", GEO_TABLES)
def test_geojson_opens_with_gdal_ogrinfo(name, plan, geojson_dir):
    """GDAL's ogrinfo opens each GeoJSON file cleanly: its feature count, geometry and WGS 84."""
    ogrinfo = tool("ogrinfo")
    path = geojson_dir / f"{name}.geojson"
    res = subprocess.run(
        [ogrinfo, "-ro", "-so", "-al", str(path)], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    assert "ERROR" not in res.stderr
    count = re.search(r"Feature Count: (\d+)", res.stdout)
    assert count and int(count.group(1)) == len(getattr(plan, name))
    geom = re.search(r"Geometry: (.+)", res.stdout).group(1).replace(" ", "")
    assert geom in {"Point", "LineString"}
    assert "WGS 84" in res.stdout or "WGS84" in res.stdout


def test_csv_tables_and_kpis(plan, tmp_path):
    """CSV export writes a file per table plus kpis.csv (kpi, value, unit); geometry as WKT."""
    paths = write_csv_tables(plan, tmp_path)
    assert {p.name for p in paths} == {f"{n}.csv" for n in TABLES} | {"kpis.csv"}
    kpis = pd.read_csv(tmp_path / "kpis.csv")
    assert list(kpis.columns) == ["kpi", "value", "unit"]
    row = kpis.set_index("kpi").loc["total_cost_cny_per_year"]
    assert float(row["value"]) == pytest.approx(plan.kpis["total_cost_cny_per_year"], rel=1e-9)
    assert row["unit"] == "CNY/year"
    routes = pd.read_csv(tmp_path / "routes.csv")
    assert routes["geometry"].str.startswith("LINESTRING").all()


def test_geopackage_has_a_layer_per_table(plan, tmp_path):
    """The GeoPackage has one layer per geo table, with all its rows."""
    path = write_geopackage(plan, tmp_path / "plan.gpkg")
    layers = dict(pyogrio.list_layers(path).tolist())
    for name in GEO_TABLES:
        assert name in layers
        assert len(gpd.read_file(path, layer=name)) == len(getattr(plan, name))


def test_feature_collection_reprojects_other_crs(plan):
    """A table in another CRS is written to GeoJSON reprojected to WGS84 lon-lat."""
    moved = plan.outlets.to_crs(3857)
    doc = feature_collection(moved)
    lon, lat = doc["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(plan.outlets.geometry.iloc[0].x, abs=1e-6)
    assert lat == pytest.approx(plan.outlets.geometry.iloc[0].y, abs=1e-6)


def test_cli_export_every_format(tmp_path, capsys):
    """revlog export writes GeoJSON, CSV and GeoPackage files when asked for all three."""
    out = tmp_path / "out"
    code, text, _ = run_cli(
        ["export", solved_tiny_dir(), "-o", out, "-f", "geojson", "-f", "csv", "-f", "gpkg"],
        capsys,
    )
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {f"{n}.geojson" for n in GEO_TABLES} <= names
    assert {f"{n}.csv" for n in TABLES} <= names
    assert "tiny.gpkg" in names
    assert "written" in text


def test_cli_export_refuses_an_unknown_format(tmp_path, capsys):
    """revlog export refuses an unknown format and exits 2."""
    code, _, err = run_cli(["export", solved_tiny_dir(), "-o", tmp_path, "-f", "shp"], capsys)
    assert code == 2
    assert "unknown shp" in err
