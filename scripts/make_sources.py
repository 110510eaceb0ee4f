"""Generate ``geodata/sources.csv``: a SYNTHETIC default set of NEV dealers and service shops.

Real dealer (4S shop) and service-shop addresses are not public here, so this script draws a
plausible set, seeded and reproducible byte for byte::

    python scripts/make_sources.py               # writes geodata/sources.csv
    python scripts/make_sources.py --out x.csv   # (the test compares the two)

Assumptions (documented in geodata/SOURCES.md):

* Retired-pack supply of Qinghai today: ``QINGHAI_SUPPLY_T_PER_YEAR`` = 560 t/yr
  (≈ 1,200 passenger-car packs × 0.35 t + ≈ 60 bus packs × 2 t, plus ≈ 4 % accident/warranty
  returns), spread over the county-level places in proportion to their population;
* neighbour hubs: the same per-capita rate × ``NEIGHBOUR_CATCHMENT_SHARE`` (the share of their
  retired packs that might be routed to a Qinghai plant), on their GeoNames town population;
* counts per place from the effective population (population × catchment share): dealers only in
  places with ≥ 40,000 effective persons (1 per 80,000, at most 6), service shops everywhere
  (1 per 50,000, at least 1, at most 8);
* dealers take ``DEALER_SHARE`` of a place's tonnes (warranty swaps, trade-ins), service shops the
  rest; within a kind, tonnes split by Dirichlet(2) weights;
* positions: the seat point plus a normal offset with σ = 1 + 3·√(persons / 10⁶) km (≤ 4 km),
  truncated at 2.5 σ — town streets, close to the road network;
* damaged share uniform in [0.02, 0.10].
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEED = 20250601
QINGHAI_SUPPLY_T_PER_YEAR = 560.0
NEIGHBOUR_CATCHMENT_SHARE = 0.15
DEALER_SHARE = 0.4
DEALER_MIN_PERSONS = 40_000
PERSONS_PER_DEALER = 80_000
PERSONS_PER_SHOP = 50_000
STUDY_AREA_BOUNDS = (79.0, 29.0, 107.0, 42.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--places", type=Path, default=ROOT / "geodata" / "places.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "geodata" / "sources.csv")
    args = ap.parse_args()
    places = pd.read_csv(args.places, dtype={"adcode": str})
    rng = np.random.default_rng(SEED)

    qh = places[(places["province"] == "Qinghai") & (places["level"] == "county")]
    rate_t_per_person = QINGHAI_SUPPLY_T_PER_YEAR / float(qh["node_population"].sum())
    hubs = places[(places["level"] == "hub") & (places["node_population"] > 0)]

    rows = []
    for p in pd.concat([qh, hubs]).itertuples(index=False):
        share = 1.0 if p.province == "Qinghai" else NEIGHBOUR_CATCHMENT_SHARE
        persons = float(p.node_population) * share
        tonnes = rate_t_per_person * persons
        n_d = (
            0
            if persons < DEALER_MIN_PERSONS
            else min(6, max(1, round(persons / PERSONS_PER_DEALER)))
        )
        n_s = min(8, max(1, round(persons / PERSONS_PER_SHOP)))
        sigma = min(4.0, 1.0 + 3.0 * math.sqrt(persons / 1e6))
        kinds = [("dealer", n_d, DEALER_SHARE if n_d else 0.0), ("service_shop", n_s, 0.0)]
        kinds[1] = ("service_shop", n_s, 1.0 - kinds[0][2])
        for kind, n, kshare in kinds:
            if n == 0:
                continue
            w = rng.dirichlet(np.full(n, 2.0))
            for k in range(n):
                while True:
                    dx, dy = rng.normal(0.0, sigma, 2)
                    if math.hypot(dx, dy) <= 2.5 * sigma:
                        break
                lat = p.lat + dy / 110.574
                lon = p.lon + dx / (111.320 * math.cos(math.radians(p.lat)))
                assert STUDY_AREA_BOUNDS[0] <= lon <= STUDY_AREA_BOUNDS[2]
                assert STUDY_AREA_BOUNDS[1] <= lat <= STUDY_AREA_BOUNDS[3]
                prefix = "D" if kind == "dealer" else "W"
                label = "NEV dealer (4S)" if kind == "dealer" else "service shop"
                rows.append(
                    {
                        "source_id": f"{prefix}-{p.place_id}-{k + 1:02d}",
                        "name": f"{p.name_en} {label} {k + 1} (synthetic)",
                        "kind": kind,
                        "place_id": p.place_id,
                        "province": p.province,
                        "prefecture": p.prefecture_en,
                        "lon": f"{lon:.5f}",
                        "lat": f"{lat:.5f}",
                        "supply_t_per_year": f"{tonnes * kshare * w[k]:.3f}",
                        "damaged_share": f"{rng.uniform(0.02, 0.10):.3f}",
                        "synthetic": "True",
                    }
                )
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
