"""One base with hundreds to thousands of stops: routed under every rule, checked, timed.

Generates (seeded) ``N`` synthetic shops of 0.75 t/year spread over the county seats of
Xining, Haidong and Hainan prefectures (normal offsets, σ = 6 km), all served by the
collection outlet C-chengbei with the 2030 scenario's rules (10 h duty, breaks, runs of up to
4 days, multi-trip weeks, monthly rounds) and its outlet fleet (vans without certified boxes,
3 t and 8 t box trucks) times ``--fleet-scale``; routes the base with
:func:`revlog.routing.engine.solve_routing` and verifies the runs with the independent
checker. One CSV row per size::

    python bench/big_base.py --stops 300 1000 2000 --time-limit 60 --fleet-scale 1 4 8
    # writes bench/results/big_base.csv (stops, fleet, seconds, runs, cost, check, status)

The routing problem is built exactly as the pipeline builds it
(:func:`revlog.problems.routing_problem`), only the location stage is skipped: every shop
is assigned to the one base.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261202
BASE_ID = "C-chengbei"
PREFECTURES = ("Xining", "Haidong", "Hainan")
T_PER_YEAR = 0.75
SIGMA_KM = 6.0


def make_sources(n: int, seed: int = SEED) -> pd.DataFrame:
    """``n`` synthetic shops around the county seats of :data:`PREFECTURES` (seeded)."""
    from revlog.geo import load_geodata

    places = load_geodata().places
    seats = places[
        (places["province"] == "Qinghai")
        & (places["level"] == "county")
        & places["prefecture_en"].isin(PREFECTURES)
    ].sort_values("place_id")
    rng = np.random.default_rng(seed)
    pick = rng.integers(len(seats), size=n)
    rows = []
    for k, i in enumerate(pick):
        seat = seats.iloc[int(i)]
        dx, dy = rng.normal(0.0, SIGMA_KM, size=2)
        lat = float(seat["lat"]) + dy / 111.0
        lon = float(seat["lon"]) + dx / (111.0 * np.cos(np.radians(lat)))
        rows.append(
            {
                "source_id": f"G-{k:05d}",
                "name": f"generated shop {k} (synthetic)",
                "kind": "service_shop",
                "place_id": seat["place_id"],
                "province": "Qinghai",
                "prefecture": seat["prefecture_en"],
                "lon": round(lon, 5),
                "lat": round(lat, 5),
                "supply_t_per_year": T_PER_YEAR,
                "damaged_share": round(float(rng.uniform(0.02, 0.10)), 3),
                "synthetic": True,
            }
        )
    return pd.DataFrame(rows)


def build_problem(n: int, folder: Path, fleet_scale: int = 1, seed: int = SEED):
    """The routing problem of :data:`BASE_ID` serving ``n`` generated shops."""
    import yaml

    from revlog.inputs import prepare
    from revlog.problems import build_geography, routing_problem
    from revlog.scenario import load_scenario

    folder.mkdir(parents=True, exist_ok=True)
    make_sources(n, seed).to_csv(folder / "sources.csv", index=False)
    doc = yaml.safe_load((ROOT / "scenarios" / "qinghai-2030.yaml").read_text())
    doc.update(name=f"big-base-{n}", regions=["Qinghai"], sources={"table": "sources.csv"})
    for vt in doc["fleet"]:
        if vt["base"] == "outlets":
            vt["count"] *= fleet_scale
    path = folder / "big-base.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    inputs = prepare(load_scenario(path))
    geo = build_geography(inputs)
    ids = list(inputs.sources["source_id"])
    return routing_problem(inputs, geo, BASE_ID, "collection", ids)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stops", type=int, nargs="+", default=[300, 1000, 2000])
    ap.add_argument("--fleet-scale", type=int, nargs="+", default=None)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "big_base.csv")
    ap.add_argument("--work", type=Path, default=Path("/tmp/revlog-big-base"))
    args = ap.parse_args()
    scales = args.fleet_scale or [1] * len(args.stops)
    from revlog.check.routes import check_routes
    from revlog.errors import RoutingInfeasibleError
    from revlog.routing.engine import solve_routing

    rows = []
    for n, scale in zip(args.stops, scales, strict=True):
        rp = build_problem(n, args.work / str(n), scale)
        vehicles = sum(vt.count for vt in rp.vehicle_types)
        t0 = time.perf_counter()
        row = {"stops": rp.n_nodes - 1, "vehicles": vehicles, "time_limit_s": args.time_limit}
        try:
            sol = solve_routing(rp, time_limit_s=args.time_limit, seed=args.seed)
        except RoutingInfeasibleError as exc:
            row.update(
                seconds=round(time.perf_counter() - t0, 1),
                status="infeasible",
                diagnosis=" | ".join(str(d) for d in exc.diagnoses)[:400],
            )
        else:
            bad = check_routes(rp, sol)
            row.update(
                seconds=round(time.perf_counter() - t0, 1),
                status=sol.status,
                runs=sol.n_runs,
                km=round(sol.distance_km, 1),
                cost_cny=round(sol.objective_cny, 1),
                check="ok" if not bad else f"{len(bad)} violations",
                notes=" | ".join(sol.notes)[-300:],
            )
        print(row, file=sys.stderr, flush=True)
        rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(
        {k for r in rows for k in r}, key=lambda k: list(rows[0]).index(k) if k in rows[0] else 99
    )
    with args.out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
