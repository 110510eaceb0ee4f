"""The closed-loop data (issue 15): second-life users, grade shares and the factor defaults."""

from __future__ import annotations

import ast
import csv
import io
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import revlog.loop_defaults as ld
from revlog.geo.geodata import (
    _FILES,
    OPTIONAL_COLUMNS,
    OPTIONAL_FILES,
    STUDY_AREA_BOUNDS,
    in_bounds,
    load_geodata,
)
from revlog.geo.roads import geodesic_km

ROOT = Path(__file__).resolve().parents[1]
LOOP_DEFAULTS = ROOT / "src" / "revlog" / "loop_defaults.py"
#: Words of a constant's name that state its unit (SHARE: a dimensionless fraction).
UNIT_WORDS = {"KG", "T", "KWH", "WH", "CNY", "KM", "L", "SHARE", "YEAR", "CO2", "CO2E"}
#: Words of a constant's comment that state where the figure comes from.
SOURCE_WORDS = ("Source", "Assumption", "Derived")
#: Farthest a user may lie from the place it names, km: telecom users sit at the seat point,
#: solar-park users at the park (Golmud's is 17.7 km from the seat).
MAX_KM_FROM_PLACE = {"telecom_backup": 0.01, "solar_storage": 25.0}


def test_generator_reproduces_committed_bytes(tmp_path):
    """scripts/make_second_life.py reproduces the committed second_life.csv byte for byte."""
    out = tmp_path / "second_life.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_second_life.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == (ROOT / "geodata" / "second_life.csv").read_bytes()


def test_second_life_sites_in_study_area_and_their_place(gd):
    """Every second-life user lies in the study area, in its place's province and prefecture."""
    sl, places = gd.second_life, gd.places.set_index("place_id")
    assert sl is not None and sl["user_id"].is_unique
    assert sl.crs.to_epsg() == 4326
    assert in_bounds(sl["lon"], sl["lat"], STUDY_AREA_BOUNDS).all()
    assert set(sl["place_id"]) <= set(places.index)
    host = places.loc[sl["place_id"]]
    assert (sl["province"].to_numpy() == host["province"].to_numpy()).all()
    assert (sl["prefecture"].to_numpy() == host["prefecture_en"].to_numpy()).all()
    km = geodesic_km(sl["lon"].to_numpy(), sl["lat"].to_numpy(), host["lon"], host["lat"])
    limit = sl["kind"].map(MAX_KM_FROM_PLACE).to_numpy()
    assert (km <= limit).all(), sl.loc[km > limit, "user_id"].tolist()


def test_second_life_covers_seats_hubs_and_solar_parks(gd):
    """Each Qinghai prefecture seat and populated hub has a telecom user; Golmud, Delingha parks."""
    sl, p = gd.second_life, gd.places
    telecom = set(sl.loc[sl["kind"] == "telecom_backup", "place_id"])
    seats = p[(p["province"] == "Qinghai") & (p["level"] == "prefecture")]["place_id"]
    hubs = p[(p["level"] == "hub") & (p["node_population"] > 0)]["place_id"]
    assert len(seats) == 8 and set(seats) <= telecom
    assert set(hubs) <= telecom
    solar = sl[sl["kind"] == "solar_storage"]
    assert {"golmud", "delingha"} <= set(solar["place_id"])
    assert solar["coord_source"].str.contains("Wikipedia|NREL").all()
    assert set(sl["kind"]) == set(MAX_KM_FROM_PLACE)


def test_second_life_demands_and_prices_positive_and_plausible(gd):
    """Demands are positive; prices are positive and within the sourced 30-50 % of a new pack."""
    sl = gd.second_life
    assert (sl["demand_t_per_year"] > 0).all()
    assert sl["synthetic"].all()
    lo, hi = (
        s * ld.NEW_LFP_CELL_CNY_PER_WH * ld.SECOND_LIFE_KWH_PER_T * 1000
        for s in ld.SECOND_LIFE_PRICE_RANGE_SHARE
    )
    assert (sl["price_cny_per_t"] > 0).all()
    assert sl["price_cny_per_t"].between(lo - 10, hi + 10).all()
    # second life pays more than recycling (the same source says so)
    assert (sl["price_cny_per_t"] > ld.LFP_PACK_VALUE_CNY_PER_T).all()


def test_grading_shares_in_unit_interval_and_sum_with_damaged_to_at_most_one(gd):
    """Grade shares lie in [0, 1]; damaged + second-life + recycle tonnes of a source are ≤ 1."""
    g = gd.grading
    assert g is not None and g["kind"].is_unique
    assert set(g["kind"]) == set(gd.sources["kind"])
    s, r = g["second_life_share_of_intact"], g["recycle_share_of_intact"]
    assert s.between(0, 1).all() and r.between(0, 1).all()
    assert ((s + r - 1).abs() < 1e-9).all()
    assert g["min_soh"].between(0, 1, inclusive="neither").all()
    assert (g["min_soh"] < ld.SECOND_LIFE_MEAN_SOH_SHARE).all()
    shares = gd.sources.merge(g, on="kind")
    d = shares["damaged_share"]
    total = d + (1 - d) * shares["second_life_share_of_intact"]
    total += (1 - d) * shares["recycle_share_of_intact"]
    assert len(shares) == len(gd.sources)
    assert d.between(0, 1).all() and (total <= 1 + 1e-9).all()


def _constants() -> list[tuple[str, str]]:
    """(name, comment block above it) of every top-level UPPER_CASE constant of loop_defaults."""
    text = LOOP_DEFAULTS.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.parse(text).body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        for name in targets:
            if not name.isupper():
                continue
            block, i = [], node.lineno - 2
            while i >= 0 and lines[i].startswith("#:"):
                block.insert(0, lines[i])
                i -= 1
            found.append((name, "\n".join(block)))
    return found


def test_every_factor_constant_has_a_source_comment_and_a_unit_in_its_name():
    """Each constant of loop_defaults has a #: comment naming its source and a unit in its name."""
    constants = _constants()
    names = {name for name, _ in constants}
    assert {"GRID_KG_CO2_PER_KWH", "GRADING_COST_CNY_PER_T", "PLANT_REVENUE_CNY_PER_T"} <= names
    for name, comment in constants:
        assert comment, f"{name} has no #: comment"
        assert any(w in comment for w in SOURCE_WORDS), f"{name}: no Source/Assumption/Derived"
        assert set(name.split("_")) & UNIT_WORDS, f"{name} has no unit in its name"


def test_derived_factors_equal_their_formula():
    """Derived factors follow from the figures they are built from; truck CO2 is linear in load."""
    close = math.isclose
    assert close(ld.SECOND_LIFE_KWH_PER_T, ld.PACK_WH_PER_KG * ld.SECOND_LIFE_MEAN_SOH_SHARE)
    kwh_per_t, displaced = ld.SECOND_LIFE_KWH_PER_T, ld.SECOND_LIFE_DISPLACEMENT_SHARE
    avoided = kwh_per_t * ld.NEW_BATTERY_KG_CO2E_PER_KWH * displaced
    assert close(ld.SECOND_LIFE_AVOIDED_KG_CO2E_PER_T, avoided, abs_tol=0.1)
    lfp = ld.RETIRED_LFP_SHARE
    mix = lfp * ld.LFP_PACK_VALUE_CNY_PER_T + (1 - lfp) * ld.NCM_PACK_VALUE_CNY_PER_T
    assert close(ld.PLANT_REVENUE_CNY_PER_T, mix, abs_tol=10)
    for cls, litres in ld.TRUCK_LOADED_L_PER_100KM.items():
        assert ld.TRUCK_EMPTY_L_PER_100KM[cls] < litres
        per_km = litres / 100 * ld.DIESEL_KG_CO2_PER_L
        assert close(ld.TRUCK_LOADED_KG_CO2_PER_KM[cls], per_km, abs_tol=1e-4)
    assert ld.truck_class(1500) == "light" and ld.truck_class(5000) == "medium"
    assert ld.truck_class(10000) == "heavy" and ld.truck_class(40000) == "heavy"
    empty, full = ld.truck_kg_co2_per_km(5000, 0), ld.truck_kg_co2_per_km(5000, 5000)
    assert close(ld.truck_kg_co2_per_km(5000, 2500), (empty + full) / 2)
    assert close(ld.truck_kg_co2_per_km(5000, 9000), full)
    assert set(ld.GRID_KG_CO2_PER_KWH) == {
        "Qinghai", "Gansu", "Xinjiang", "Sichuan", "Ningxia", "Xizang"
    }  # fmt: skip
    assert all(0 < v < 1 for v in ld.GRID_KG_CO2_PER_KWH.values())
    assert ld.LINE_HAUL_KG_CO2_PER_T_KM > 0


def _copy_required(tmp_path: Path) -> Path:
    for name in _FILES.values():
        shutil.copy(ROOT / "geodata" / name, tmp_path / name)
    return tmp_path


def test_geodata_without_loop_tables_loads_them_as_none(tmp_path):
    """A geodata folder without second_life.csv and grading.csv loads; both tables are None."""
    geo = load_geodata(_copy_required(tmp_path))
    assert geo.second_life is None and geo.grading is None
    assert len(geo.sources) > 0


@pytest.mark.parametrize("key", sorted(OPTIONAL_FILES))
def test_loop_table_without_a_required_column_is_refused(tmp_path, key):
    """A second_life or grading table lacking a required column is refused, naming the column."""
    root = _copy_required(tmp_path)
    src = (ROOT / "geodata" / OPTIONAL_FILES[key]).read_text(encoding="utf-8").splitlines()
    header = src[0].split(",")
    dropped = OPTIONAL_COLUMNS[key][-1]
    j = header.index(dropped)
    rows = list(csv.reader(io.StringIO("\n".join(src))))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[:j] + r[j + 1 :] for r in rows])
    (root / OPTIONAL_FILES[key]).write_text(buf.getvalue(), encoding="utf-8")
    with pytest.raises(ValueError, match=dropped):
        load_geodata(root)
