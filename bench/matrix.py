"""Benchmark: time to build road travel matrices on the embedded network.

Prints a table (sites, median seconds of 3 runs) and writes ``bench/results/matrix.csv``::

    python bench/matrix.py

Cases: the embedded sites (plant + candidates + sources), the same with expressways restricted,
2,000 random sites in the study area, and the great-circle fallback for 2,000 sites.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from revlog.geo import RoadNetwork, great_circle_matrix, load_geodata, road_matrix
from revlog.geo.geodata import STUDY_AREA_BOUNDS

RESULTS = Path(__file__).resolve().parent / "results" / "matrix.csv"
REPEATS = 3


def _median_seconds(fn) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    gd = load_geodata()
    net = RoadNetwork.from_geodata(gd)
    embedded = pd.concat(
        [
            gd.plant.rename(columns={"plant_id": "id"})[["id", "lon", "lat"]],
            gd.candidates.rename(columns={"site_id": "id"})[["id", "lon", "lat"]],
            gd.sources.rename(columns={"source_id": "id"})[["id", "lon", "lat"]],
        ],
        ignore_index=True,
    )
    rng = np.random.default_rng(0)
    lo0, la0, lo1, la1 = STUDY_AREA_BOUNDS
    rand = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(2000)],
            "lon": rng.uniform(lo0, lo1, 2000),
            "lat": rng.uniform(la0, la1, 2000),
        }
    )
    cases = [
        ("embedded sites, road", embedded, lambda s: road_matrix(net, s)),
        (
            "embedded sites, road, no expressway",
            embedded,
            lambda s: road_matrix(net, s, restricted_classes=["expressway"]),
        ),
        ("2000 random sites, road", rand, lambda s: road_matrix(net, s)),
        ("2000 random sites, great circle", rand, lambda s: great_circle_matrix(s)),
    ]
    rows = []
    for name, sites, fn in cases:
        sec = _median_seconds(lambda fn=fn, sites=sites: fn(sites))
        rows.append({"case": name, "sites": len(sites), "seconds_median_of_3": round(sec, 4)})
    df = pd.DataFrame(rows)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(RESULTS, index=False)
    print(f"network: {net}")
    print(df.to_string(index=False))


if __name__ == "__main__":
    main()
