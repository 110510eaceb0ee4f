"""The embedded geodata: completeness, ids, coordinates, provenance, reproducible generators."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from revlog.geo.geodata import (
    QINGHAI_BOUNDS,
    STUDY_AREA_BOUNDS,
    default_geodata_dir,
    gcj02_to_wgs84,
    in_bounds,
    load_geodata,
    wgs84_to_gcj02,
)
from revlog.geo.roads import geodesic_km

ROOT = Path(__file__).resolve().parents[1]

# The 44 county-level divisions of Qinghai (current adcodes) plus the Da Qaidam committee.
QINGHAI_COUNTY_NAMES_ZH = {
    "城东区", "城中区", "城西区", "城北区", "湟中区", "大通回族土族自治县", "湟源县",
    "乐都区", "平安区", "民和回族土族自治县", "互助土族自治县", "化隆回族自治县",
    "循化撒拉族自治县", "门源回族自治县", "祁连县", "海晏县", "刚察县", "同仁市", "尖扎县",
    "泽库县", "河南蒙古族自治县", "共和县", "同德县", "贵德县", "兴海县", "贵南县", "玛沁县",
    "班玛县", "甘德县", "达日县", "久治县", "玛多县", "玉树市", "杂多县", "称多县", "治多县",
    "囊谦县", "曲麻莱县", "格尔木市", "德令哈市", "茫崖市", "乌兰县", "都兰县", "天峻县",
    "大柴旦行政委员会",
}  # fmt: skip
QINGHAI_PREFECTURES_ZH = {
    "西宁市", "海东市", "海北藏族自治州", "黄南藏族自治州", "海南藏族自治州",
    "果洛藏族自治州", "玉树藏族自治州", "海西蒙古族藏族自治州",
}  # fmt: skip
HUBS = {"lanzhou", "zhangye", "jiuquan", "dunhuang", "lhasa", "nagqu", "chengdu", "maerkang",
        "ruoqiang", "hotan", "korla", "yinchuan"}  # fmt: skip


def test_default_dir_and_env_override(monkeypatch, tmp_path):
    """Geodata comes from the shipped folder unless REVLOG_GEODATA points elsewhere."""
    assert (default_geodata_dir() / "places.csv").is_file()
    monkeypatch.setenv("REVLOG_GEODATA", str(tmp_path))
    assert default_geodata_dir() == tmp_path
    with pytest.raises(FileNotFoundError):
        load_geodata()


def test_every_qinghai_seat_present(gd):
    """All 45 county-level seats and 8 prefectures of Qinghai and the outside hubs are present."""
    p = gd.places
    qh = p[p["province"] == "Qinghai"]
    counties = qh[qh["level"] == "county"]
    assert len(counties) == 45
    assert set(counties["name_zh"]) == QINGHAI_COUNTY_NAMES_ZH
    prefs = qh[qh["level"] == "prefecture"]
    assert len(prefs) == 8
    assert set(prefs["name_zh"]) == QINGHAI_PREFECTURES_ZH
    assert set(p["place_id"]) >= HUBS
    assert set(p["province"]) == {"Qinghai", "Gansu", "Xizang", "Xinjiang", "Sichuan", "Ningxia"}


def test_ids_unique_and_crs(gd):
    """Every table's ids are unique; point tables are WGS84 with geometry equal to lon/lat."""
    for df, col in [(gd.places, "place_id"), (gd.roads, "road_id"), (gd.plant, "plant_id"),
                    (gd.candidates, "site_id"), (gd.sources, "source_id")]:  # fmt: skip
        assert df[col].is_unique, col
    for df in (gd.places, gd.plant, gd.candidates, gd.sources):
        assert df.crs.to_epsg() == 4326
        assert np.allclose(df.geometry.x, df["lon"]) and np.allclose(df.geometry.y, df["lat"])


def test_coordinates_inside_bounds(gd):
    """Qinghai places lie in Qinghai's bounds, all sites in the study area, the plant in Qinghai."""
    p = gd.places
    qh = p[p["province"] == "Qinghai"]
    assert in_bounds(qh["lon"], qh["lat"], QINGHAI_BOUNDS).all()
    other = p[p["province"] != "Qinghai"]
    assert not in_bounds(other["lon"], other["lat"], (89.4, 31.6, 103.1, 39.2)).all()
    for df in (p, gd.plant, gd.candidates, gd.sources):
        assert in_bounds(df["lon"], df["lat"], STUDY_AREA_BOUNDS).all()
    assert in_bounds(gd.plant["lon"], gd.plant["lat"], QINGHAI_BOUNDS).all()


def test_seats_close_to_geonames_where_checked(gd):
    """Checked seats lie within 30 km of their GeoNames town, all but two within 11 km."""
    # coord_check records the distance to a GeoNames town of the same name; all but the two known
    # quirks (Haidong offices in Ping'an, coarse GeoNames Qagan Us) are within 11 km
    chk = gd.places["coord_check"].dropna().str.extract(r"^([\d.]+) km")[0].astype(float)
    assert (chk <= 30).all()
    assert (chk > 11).sum() <= 2


def test_roads_table(gd):
    """Roads join two different known places, with a known class, a positive length and a source."""
    r = gd.roads
    ids = set(gd.places["place_id"])
    assert set(r["from"]) <= ids and set(r["to"]) <= ids
    assert set(r["road_class"]) == {"expressway", "national", "provincial"}
    assert set(r["km_basis"]) <= {"sourced", "derived", "estimated"}
    assert (r["length_km"] > 0).all() and r["source"].notna().all()
    assert (r["from"] != r["to"]).all()
    # parallel expressway links exist as their own rows
    pairs = r.groupby([r[["from", "to"]].min(axis=1), r[["from", "to"]].max(axis=1)])
    classes = pairs["road_class"].agg(frozenset)
    assert sum("expressway" in c and len(c) > 1 for c in classes) >= 15


def test_candidates_rules(gd):
    """Collection sites hold at most 5 t, storage 30 t or more; every county seat has a site."""
    c = gd.candidates
    assert set(c["kind"]) == {"collection", "storage"}
    col, sto = c[c["kind"] == "collection"], c[c["kind"] == "storage"]
    assert (col["stock_capacity_t"] <= 5).all() and (sto["stock_capacity_t"] >= 30).all()
    qh_counties = gd.places[(gd.places["province"] == "Qinghai") & (gd.places["level"] == "county")]
    assert set(qh_counties["place_id"]) <= set(col["place_id"])
    for pid in ["xining", "golmud", "haixi", "yushu_pref", "lanzhou", "lhasa", "chengdu"]:
        assert pid in set(sto["place_id"])
    assert 2 <= c["existing"].sum() <= 3
    assert (c["fixed_cost_cny_per_year"] > 0).all()
    # every candidate within 7 km of its seat
    seat = gd.places.set_index("place_id").loc[c["place_id"]]
    d = geodesic_km(c["lon"].to_numpy(), c["lat"].to_numpy(), seat["lon"], seat["lat"])
    assert d.max() < 7.0


def test_sources_plausible(gd):
    """Sources: 150-300 synthetic dealers and shops, 2-10 % damaged, 300-1000 t/year in Qinghai."""
    s = gd.sources
    assert 150 <= len(s) <= 300
    assert set(s["kind"]) == {"dealer", "service_shop"}
    assert s["synthetic"].all()
    assert s["damaged_share"].between(0.02, 0.10).all()
    assert (s["supply_t_per_year"] > 0).all()
    qh = s.loc[s["province"] == "Qinghai", "supply_t_per_year"].sum()
    assert 300 <= qh <= 1000
    assert set(s["prefecture"][s["province"] == "Qinghai"]) == {
        "Xining", "Haidong", "Haibei", "Huangnan", "Hainan", "Golog", "Yushu", "Haixi"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("script", "target"),
    [("make_sources.py", "sources.csv"), ("make_candidates.py", "candidates.csv")],
)
def test_generators_reproduce_committed_bytes(tmp_path, script, target):
    """The generator scripts reproduce the committed sources and candidates byte for byte."""
    out = tmp_path / target
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == (ROOT / "geodata" / target).read_bytes()


def test_gcj02_conversion_matches_independent_implementation():
    """GCJ-02 to WGS84 matches fast-geocn within 2e-5°, round-trips, and shifts 50-700 m."""
    # cpca GCJ-02 seat points and their WGS84 conversions by fast-geocn (shared reference table)
    gcj = np.array([[101.778223, 36.617134], [91.172148, 29.652341], [94.928453, 36.406367]])
    wgs_ref = np.array([[101.77629, 36.61721], [91.17068, 29.65513], [94.92754, 36.40683]])
    lon, lat = gcj02_to_wgs84(gcj[:, 0], gcj[:, 1])
    assert np.abs(lon - wgs_ref[:, 0]).max() < 2e-5
    assert np.abs(lat - wgs_ref[:, 1]).max() < 2e-5
    # round trip and plausible offset size (100-700 m in western China)
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert np.abs(glon - gcj[:, 0]).max() < 1e-9 and np.abs(glat - gcj[:, 1]).max() < 1e-9
    shift = geodesic_km(lon, lat, gcj[:, 0], gcj[:, 1])
    assert ((shift > 0.05) & (shift < 0.7)).all()
    # scalars work
    x, y = gcj02_to_wgs84(101.778223, 36.617134)
    assert (float(x), float(y)) == pytest.approx((101.77629, 36.61721), abs=2e-5)
