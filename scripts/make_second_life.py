"""Generate ``geodata/second_life.csv``: echelon-utilisation (second-life) users, demand SYNTHETIC.

No public list of second-life buyers, their yearly demand or the prices they pay exists for
Qinghai, so this script draws a plausible set, seeded and reproducible byte for byte::

    python scripts/make_second_life.py               # writes geodata/second_life.csv
    python scripts/make_second_life.py --out x.csv   # (the test compares the two)

Sites (real places, see geodata/SOURCES.md):

* ``telecom_backup`` — base-station backup batteries, one user at each of Qinghai's 8
  prefecture seats and at every neighbour hub of ``places.csv`` with a population figure; the
  point is the seat point (the operator's depot in the seat town; no address is sourced);
* ``solar_storage`` — storage at three solar parks with sourced coordinates: Golmud (Huanghe
  Hydropower Golmud Solar Park), Delingha (the solar park west of the city, SUPCON 50 MW tower
  site) and, in Gansu, Dunhuang (Gansu Dunhuang Solar Park).

Demand (t of graded packs per year):

* telecom: persons × China Tower sites per person (2.1 M sites, CCTV 2022; 1,412.6 M people,
  NBS 2021) × battery groups per site (3.5 M groups / 2.1 M sites, CCTV 2022) ×
  ``KWH_PER_BATTERY_GROUP`` ÷ ``SECOND_LIFE_KWH_PER_T`` (revlog.loop_defaults) ÷
  ``BACKUP_REPLACEMENT_YEARS`` × ``SECOND_LIFE_ADOPTION_SHARE``, times a seeded jitter in
  ``DEMAND_JITTER``. Persons: a Qinghai prefecture's county populations (``node_population``);
  a neighbour hub's GeoNames population × ``NEIGHBOUR_CATCHMENT_SHARE`` (as in
  ``make_sources.py``: the share a Qinghai-based network might serve);
* solar storage: a pilot of ``SOLAR_PILOT_MWH_PER_YEAR`` (uniform) MWh of second-life capacity
  a year, ÷ ``SECOND_LIFE_KWH_PER_T``. Kept small on purpose: the NEA has barred second-life
  EV packs from new medium and large storage stations since 2021 (domain caveat in SOURCES.md).

Price (CNY/t): uniform share in ``SECOND_LIFE_PRICE_RANGE_SHARE`` (30–50 % of the new price) ×
``NEW_LFP_CELL_CNY_PER_WH`` × ``SECOND_LIFE_KWH_PER_T`` × 1000, rounded to 10 CNY.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import pandas as pd

from revlog.loop_defaults import (
    NEW_LFP_CELL_CNY_PER_WH,
    SECOND_LIFE_KWH_PER_T,
    SECOND_LIFE_PRICE_RANGE_SHARE,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = 20250615
STUDY_AREA_BOUNDS = (79.0, 29.0, 107.0, 42.5)

# sourced
CHINA_TOWER_SITES = 2.1e6  # tower sites, CCTV 2022-06-15 (taiwan.cn copy)
CHINA_TOWER_BATTERY_GROUPS = 3.5e6  # backup battery groups at those sites, same source
CHINA_POPULATION = 1.4126e9  # NBS, end of 2021
# assumptions
KWH_PER_BATTERY_GROUP = 4.8  # one −48 V × 100 Ah group
BACKUP_REPLACEMENT_YEARS = 8.0  # backup batteries replaced every ~8 years
SECOND_LIFE_ADOPTION_SHARE = 0.5  # share of replacements made with second-life packs
NEIGHBOUR_CATCHMENT_SHARE = 0.15  # as make_sources.py
DEMAND_JITTER = (0.8, 1.25)
SOLAR_PILOT_MWH_PER_YEAR = (2.0, 6.0)

SOLAR_PARKS = [
    {
        "key": "golmud",
        "name": "Golmud solar park storage (Huanghe Hydropower Golmud Solar Park)",
        "place_id": "golmud",
        "lon": 95.12500,
        "lat": 36.40000,
        "coord_source": "Wikipedia 'Huanghe Hydropower Golmud Solar Park' infobox, "
        "36°24′00″N 95°07′30″E",
    },
    {
        "key": "delingha",
        "name": "Delingha solar park storage (SUPCON Delingha 50 MW tower CSP site)",
        "place_id": "delingha",
        "lon": 97.29278,
        "lat": 37.36639,
        "coord_source": "NREL SolarPACES 'SUPCON Delingha 50 MW Tower', 37°21′59″N 97°17′34″E",
    },
    {
        "key": "dunhuang",
        "name": "Dunhuang solar park storage (Gansu Dunhuang Solar Park)",
        "place_id": "dunhuang",
        "lon": 94.50000,
        "lat": 40.06700,
        "coord_source": "Wikipedia 'Gansu Dunhuang Solar Park' infobox, 40°04′N 94°30′E",
    },
]


def _price(rng: np.random.Generator) -> float:
    share = rng.uniform(*SECOND_LIFE_PRICE_RANGE_SHARE)
    return round(share * NEW_LFP_CELL_CNY_PER_WH * SECOND_LIFE_KWH_PER_T * 1000.0, -1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--places", type=Path, default=ROOT / "geodata" / "places.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "geodata" / "second_life.csv")
    args = ap.parse_args()
    places = pd.read_csv(args.places, dtype={"adcode": str})
    rng = np.random.default_rng(SEED)

    t_per_person_year = (
        CHINA_TOWER_SITES
        / CHINA_POPULATION
        * (CHINA_TOWER_BATTERY_GROUPS / CHINA_TOWER_SITES)
        * KWH_PER_BATTERY_GROUP
        / SECOND_LIFE_KWH_PER_T
        / BACKUP_REPLACEMENT_YEARS
        * SECOND_LIFE_ADOPTION_SHARE
    )
    counties = places[(places["province"] == "Qinghai") & (places["level"] == "county")]
    persons_of_prefecture = counties.groupby("prefecture_en")["node_population"].sum()
    seats = places[(places["province"] == "Qinghai") & (places["level"] == "prefecture")]
    hubs = places[(places["level"] == "hub") & (places["node_population"] > 0)]

    rows = []
    for p in pd.concat([seats, hubs]).itertuples(index=False):
        if p.province == "Qinghai":
            persons = float(persons_of_prefecture[p.prefecture_en])
            basis = f"{persons:.0f} persons (prefecture county total)"
        else:
            persons = float(p.node_population) * NEIGHBOUR_CATCHMENT_SHARE
            basis = f"{persons:.0f} persons (GeoNames × {NEIGHBOUR_CATCHMENT_SHARE:g} catchment)"
        demand = persons * t_per_person_year * rng.uniform(*DEMAND_JITTER)
        rows.append(
            {
                "user_id": f"SL-tel-{p.place_id}",
                "name": f"Telecom base-station backup, {p.name_en} (synthetic demand)",
                "kind": "telecom_backup",
                "place_id": p.place_id,
                "province": p.province,
                "prefecture": p.prefecture_en,
                "lon": f"{p.lon:.5f}",
                "lat": f"{p.lat:.5f}",
                "demand_t_per_year": f"{demand:.3f}",
                "price_cny_per_t": f"{_price(rng):.0f}",
                "synthetic": "True",
                "coord_source": f"seat point of places.csv '{p.place_id}'",
                "demand_basis": f"telecom backup: {basis}",
            }
        )
    by_id = places.set_index("place_id")
    for park in SOLAR_PARKS:
        host = by_id.loc[park["place_id"]]
        mwh = rng.uniform(*SOLAR_PILOT_MWH_PER_YEAR)
        rows.append(
            {
                "user_id": f"SL-pv-{park['key']}",
                "name": f"{park['name']} (synthetic demand)",
                "kind": "solar_storage",
                "place_id": park["place_id"],
                "province": host["province"],
                "prefecture": host["prefecture_en"],
                "lon": f"{park['lon']:.5f}",
                "lat": f"{park['lat']:.5f}",
                "demand_t_per_year": f"{mwh * 1000.0 / SECOND_LIFE_KWH_PER_T:.3f}",
                "price_cny_per_t": f"{_price(rng):.0f}",
                "synthetic": "True",
                "coord_source": park["coord_source"],
                "demand_basis": f"solar storage pilot: {mwh:.2f} MWh/yr of second-life capacity",
            }
        )
    for r in rows:
        lon, lat = float(r["lon"]), float(r["lat"])
        assert STUDY_AREA_BOUNDS[0] <= lon <= STUDY_AREA_BOUNDS[2], r["user_id"]
        assert STUDY_AREA_BOUNDS[1] <= lat <= STUDY_AREA_BOUNDS[3], r["user_id"]
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
