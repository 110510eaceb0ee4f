"""Generate ``geodata/candidates.csv``: candidate outlet sites (collection and storage type).

Deterministic (seeded); re-running reproduces the committed file byte for byte::

    python scripts/make_candidates.py            # writes geodata/candidates.csv
    python scripts/make_candidates.py --out x.csv

Rules (all costs are ASSUMPTIONS, documented in geodata/SOURCES.md):

* a collection-type candidate (收集型, stock ≤ 5 t, MIIT 2019 guideline) near every Qinghai
  county-level seat and every neighbour hub, 0.5–2.5 km from the seat point (town outskirts);
* a centralized-storage candidate (集中贮存型, stock ≥ 30 t) near every prefecture seat and the
  main hubs, 3–6 km from the seat point (industrial fringe);
* yearly fixed cost = base × size factor × altitude factor (see ``fixed_cost``);
* three outlets marked ``existing`` (plausible, not sourced).
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEED = 20250101

COLLECTION_BASE_CNY = 60_000.0  # rent ~30 m², discharge kit, part-time staff, per year
STORAGE_BASE_CNY = 350_000.0  # ~300 m² fire-class-II store, 24 h monitoring, 2 staff, per year
STORAGE_HUBS = ["golmud", "lanzhou", "zhangye", "dunhuang", "lhasa", "chengdu", "korla", "yinchuan"]
STORAGE_CAPACITY_T = {"xining": 100, "lanzhou": 100, "chengdu": 100, "golmud": 60,
                      "haidong": 60, "lhasa": 60, "yinchuan": 60}  # fmt: skip
DEFAULT_STORAGE_CAPACITY_T = 40
EXISTING = {"S-xining", "C-chengbei", "C-golmud"}
HIGH_ALTITUDE_PREFECTURES = {"Golog", "Yushu", "Nagqu"}


def fixed_cost(pop: float, prefecture: str, province: str, base: float) -> float:
    size = 1.4 if pop >= 1_000_000 else (1.2 if pop >= 300_000 else 1.0)
    alt = 1.2 if (prefecture in HIGH_ALTITUDE_PREFECTURES or province == "Xizang") else 1.0
    return round(base * size * alt, -3)


def offset(rng: np.random.Generator, lon: float, lat: float, r_min: float, r_max: float):
    r = rng.uniform(r_min, r_max)
    t = rng.uniform(0.0, 2.0 * math.pi)
    dlat = r * math.sin(t) / 110.574
    dlon = r * math.cos(t) / (111.320 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--places", type=Path, default=ROOT / "geodata" / "places.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "geodata" / "candidates.csv")
    args = ap.parse_args()
    places = pd.read_csv(args.places, dtype={"adcode": str})
    rng = np.random.default_rng(SEED)
    pref_pop = places.groupby("prefecture_en")["node_population"].sum()
    rows = []

    def add(site_id: str, kind: str, p, pop: float) -> None:
        if kind == "collection":
            lon, lat = offset(rng, p.lon, p.lat, 0.5, 2.5)
            cost = fixed_cost(pop, p.prefecture_en, p.province, COLLECTION_BASE_CNY)
            cap = 5
            name = f"Collection outlet {p.name_en}"
        else:
            lon, lat = offset(rng, p.lon, p.lat, 3.0, 6.0)
            cost = fixed_cost(pop, p.prefecture_en, p.province, STORAGE_BASE_CNY)
            cap = STORAGE_CAPACITY_T.get(p.place_id, DEFAULT_STORAGE_CAPACITY_T)
            name = f"Centralized storage outlet {p.name_en}"
        rows.append(
            {
                "site_id": site_id,
                "name": name,
                "kind": kind,
                "place_id": p.place_id,
                "province": p.province,
                "prefecture": p.prefecture_en,
                "lon": f"{lon:.5f}",
                "lat": f"{lat:.5f}",
                "fixed_cost_cny_per_year": f"{cost:.0f}",
                "stock_capacity_t": f"{cap:d}",
                "existing": str(site_id in EXISTING),
            }
        )

    for p in places.itertuples(index=False):
        if (p.province == "Qinghai" and p.level == "county") or p.level == "hub":
            add(f"C-{p.place_id}", "collection", p, float(p.node_population))
    for p in places.itertuples(index=False):
        if p.level == "prefecture":
            add(f"S-{p.place_id}", "storage", p, float(pref_pop.get(p.prefecture_en, 0.0)))
        elif p.place_id in STORAGE_HUBS:
            add(f"S-{p.place_id}", "storage", p, float(p.node_population))
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
