"""Build ``geodata/roads.csv`` from the reference road table plus the parallel expressway links.

Build-time only; run after ``scripts/build_places.py``::

    python scripts/build_roads.py --reference ../shared/reference/roads.csv

* Reference links keep their length (``approx_km``), ``km_basis`` and source; each gets a
  ``road_class`` (``expressway`` | ``national`` | ``provincial``) from ``CLASS_OF_REFERENCE`` or
  from its road label (a ``G``-number ordinary road is ``national``; urban, local and
  provincial roads are ``provincial``).
* ``ADDED`` lists the links this project adds: the expressways that the reference says run
  parallel to a national road (G6, G0612, G3011, G0613, G30, G75, G4217…) as their own links, and
  ordinary-road parallels of the reference's expressway-only links, so that banning one class
  forces the other. Their lengths are either a sourced corridor total split over the segments in
  proportion to great-circle length (``derived``), or great-circle × ``EXPRESSWAY_FACTOR`` /
  ``ROAD_FACTOR`` (``estimated``).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

#: road length / great-circle length assumed for expressways without a sourced length. Lower
#: than the 1.26 median of the sourced ordinary-road links: expressways are straighter.
EXPRESSWAY_FACTOR = 1.15
#: same for ordinary roads (the reference's median road/straight ratio of its sourced links)
ROAD_FACTOR = 1.26

#: class overrides for reference links whose label alone is ambiguous
CLASS_OF_REFERENCE = {
    ("gonghe", "chaka"): "expressway",  # G6 Gonghe-Chaka expressway
    ("chaka", "wulan"): "expressway",  # G0612 Chaka-Delingha expressway
    ("xining", "huzhu"): "expressway",  # S101 Xining-Huzhu expressway (sourced chainage)
    ("xining", "huangzhong"): "provincial",
    ("pingan", "jianzha"): "provincial",
    ("maerkang", "chengdu"): "national",  # G317; the G4217 expressway is added below
    ("tongde", "maqin"): "provincial",
    ("aba_county", "maerkang"): "provincial",
    ("golmud", "mangya"): "provincial",
    ("henan_qh", "jiuzhi"): "provincial",
}

GY_SRC = (
    "qhnews.com 2017-01-17 (mirror xining.baogaosu.com): Gonghe-Yushu expressway "
    "'全线长约635公里' from Qabqa to Yushu"
)
G6_NOTE = "G6 Beijing-Lhasa expressway; parallel to G109"

#: added links: (from, to, road, road_class, corridor) ; corridor = (total_km, source) or None
ADDED: list[tuple[str, str, str, str, tuple[float, str] | None, str]] = [
    # G6 Lanzhou - Xining - Golmud
    ("lanzhou", "minhe", "G6 expressway", "expressway", None, G6_NOTE),
    ("minhe", "ledu", "G6 expressway", "expressway", None, G6_NOTE),
    ("ledu", "pingan", "G6 expressway", "expressway", None, G6_NOTE),
    ("pingan", "xining", "G6 expressway", "expressway", None, G6_NOTE),
    ("xining", "huangyuan", "G6 expressway", "expressway", None, G6_NOTE),
    ("huangyuan", "daotanghe", "G6 expressway", "expressway", None, G6_NOTE),
    (
        "daotanghe",
        "gonghe",
        "G6 expressway",
        "expressway",
        None,
        "G6 runs Daotanghe-Gonghe-Chaka (the reference Gonghe-Chaka link is G6); G214 parallel",
    ),
    ("chaka", "dulan", "G6 expressway", "expressway", None, G6_NOTE),
    ("dulan", "golmud", "G6 expressway", "expressway", None, G6_NOTE),
    # G0612 Chaka - Wulan - Delingha
    ("wulan", "delingha", "G0612 expressway", "expressway", None, "parallel to G315"),
    (
        "chaka",
        "wulan",
        "Chaka-Xireg ordinary road (number unverified)",
        "provincial",
        None,
        "ordinary-road parallel of the G0612 link",
    ),
    # G3011 Liuyuan - Golmud
    ("aksai", "dachaidan", "G3011 expressway", "expressway", None, "parallel to G215"),
    ("dachaidan", "golmud", "G3011 expressway", "expressway", None, "parallel to G215"),
    # G0613 Gonghe - Yushu (bypasses Xinghai seat via Wenquan)
    ("gonghe", "huashixia", "G0613 Gonghe-Yushu expressway", "expressway", (635.0, GY_SRC), ""),
    ("huashixia", "maduo", "G0613 Gonghe-Yushu expressway", "expressway", (635.0, GY_SRC), ""),
    ("maduo", "yushu", "G0613 Gonghe-Yushu expressway", "expressway", (635.0, GY_SRC), ""),
    # S101 Xining - Huzhu: ordinary-road parallel
    (
        "xining",
        "huzhu",
        "Xining-Huzhu ordinary road",
        "provincial",
        None,
        "ordinary-road parallel of the S101 expressway",
    ),
    # Ping'an - Jianzha expressway (number unverified)
    (
        "pingan",
        "jianzha",
        "Ping'an-Jianzha expressway (number unverified)",
        "expressway",
        None,
        "parallel to the provincial road",
    ),
    # G30 Lianhuo expressway along the Hexi corridor (+ G3011 Guazhou-Dunhuang)
    ("lanzhou", "wuwei", "G30 expressway", "expressway", None, "parallel to G312"),
    ("wuwei", "zhangye", "G30 expressway", "expressway", None, "parallel to G312"),
    ("zhangye", "jiuquan", "G30 expressway", "expressway", None, "parallel to G312"),
    ("jiuquan", "dunhuang", "G30/G3011 expressway via Guazhou", "expressway", None, ""),
    # G75 Lanzhou - Linxia - Hezuo
    ("lanzhou", "linxia", "G75 expressway", "expressway", None, "parallel to G213"),
    ("linxia", "hezuo", "G75 expressway", "expressway", None, "parallel to G213"),
    # G4217 Chengdu - Barkam
    ("maerkang", "chengdu", "G4217 expressway", "expressway", None, "parallel to G317"),
    # Yinchuan - Lanzhou
    (
        "yinchuan",
        "lanzhou",
        "G2012/G6 expressways via Zhongwei, Baiyin",
        "expressway",
        None,
        "parallel to G109",
    ),
]


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def classify(label: str) -> str:
    s = label.strip()
    if "expressway" in s.lower() and not s.startswith("G"):
        return "expressway"
    if s.startswith("G") and len(s) > 1 and s[1].isdigit():
        return "national"
    return "provincial"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", type=Path, required=True, help="reference roads.csv")
    ap.add_argument("--places", type=Path, default=ROOT / "geodata" / "places.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "geodata" / "roads.csv")
    args = ap.parse_args()

    places = pd.read_csv(args.places).set_index("place_id")

    def gc(a: str, b: str) -> float:
        pa, pb = places.loc[a], places.loc[b]
        return haversine_km(pa["lon"], pa["lat"], pb["lon"], pb["lat"])

    ref = pd.read_csv(args.reference)
    rows = []
    for r in ref.itertuples(index=False):
        a, b = r._0, r.to  # "from" is a keyword
        if a not in places.index or b not in places.index:
            print(f"dropped reference link {a}-{b} (endpoint not a place, e.g. the old plant stub)")
            continue
        cls = CLASS_OF_REFERENCE.get((a, b)) or classify(r.road)
        rows.append(
            {
                "from": a,
                "to": b,
                "road": r.road,
                "road_class": cls,
                "length_km": float(r.approx_km),
                "km_basis": r.km_basis,
                "source": r.source,
                "notes": r.notes if isinstance(r.notes, str) else "",
            }
        )
    # corridor totals split by great-circle share
    corridor_gc: dict[tuple[float, str], float] = {}
    for a, b, _road, _cls, corridor, _n in ADDED:
        if corridor is not None:
            corridor_gc[corridor] = corridor_gc.get(corridor, 0.0) + gc(a, b)
    for a, b, road, cls, corridor, note in ADDED:
        g = gc(a, b)
        if corridor is not None:
            total, src = corridor
            km = total * g / corridor_gc[corridor]
            basis = "derived"
            factor = total / corridor_gc[corridor]
            note2 = (
                f"sourced corridor total {total:.0f} km split by great-circle share "
                f"(factor {factor:.2f})"
            )
            source = src
        else:
            f = EXPRESSWAY_FACTOR if cls == "expressway" else ROAD_FACTOR
            km = g * f
            basis = "estimated"
            source = f"great-circle {g:.1f} km x {f:.2f} ({cls} detour factor, revlog assumption)"
            note2 = ""
        rows.append(
            {
                "from": a,
                "to": b,
                "road": road,
                "road_class": cls,
                "length_km": round(km),
                "km_basis": basis,
                "source": source,
                "notes": "; ".join(x for x in (note, note2) if x),
            }
        )
    out_rows = []
    for i, r in enumerate(rows, start=1):
        out_rows.append({"road_id": f"R{i:03d}", **r, "length_km": f"{float(r['length_km']):.0f}"})
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out_rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(out_rows)
    print(f"wrote {len(out_rows)} links to {args.out}")


if __name__ == "__main__":
    main()
