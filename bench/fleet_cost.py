"""Vehicle ownership (``fleet[].cost_cny_per_year``, issue 12): the fleet the routing sizes.

Usage: ``.venv/bin/python bench/fleet_cost.py [--scenarios qinghai-baseline,qinghai-2030]``.

Each shipped scenario is solved twice with seed 0 and its default time limit: as shipped
(no ownership cost) and with an assumed yearly cost per vehicle type (:data:`OWN_CNY`, not
a sourced figure); the first plan's runs are then priced with the same ownership, so that
the two totals compare under one cost model. Every plan is checked. Prints a table and
writes ``bench/results/fleet_cost.csv``.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import yaml

from revlog.check.plan import check
from revlog.inputs import prepare
from revlog.pipeline import solve_inputs
from revlog.plan.build import fleet_cost_cny_per_year
from revlog.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
#: Assumed yearly ownership per vehicle type of the shipped fleets, CNY/year.
OWN_CNY = {"van-1.5t": 30000, "truck-3t-box": 45000, "truck-8t-box": 70000, "truck-10t-box": 80000}


def _with_ownership(src: Path) -> Path:
    """A copy of a shipped scenario (beside it, so its relative paths hold) with OWN_CNY."""
    doc = yaml.safe_load(src.read_text(encoding="utf-8"))
    for vt in doc["fleet"]:
        vt["cost_cny_per_year"] = OWN_CNY[vt["id"]]
    out = src.parent / f".fleet-cost-bench-{src.name}"
    out.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return out


def main() -> None:
    """Solve, price and check each scenario both ways; one CSV row per solve."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", default="qinghai-baseline,qinghai-2030")
    args = ap.parse_args()
    RESULTS.mkdir(exist_ok=True)
    rows = []
    for name in args.scenarios.split(","):
        src = ROOT / "scenarios" / f"{name}.yaml"
        owned_path = _with_ownership(src)
        try:
            owned_sc = load_scenario(owned_path)
            for label, sc in (("without", load_scenario(src)), ("with", owned_sc)):
                t0 = time.perf_counter()
                plan = solve_inputs(prepare(sc), seed=0)
                wall = time.perf_counter() - t0
                k = plan.kpis
                fleet = fleet_cost_cny_per_year(owned_sc, plan.routes)
                total = float(k["total_cost_cny_per_year"]) - float(k["fleet_cost_cny_per_year"])
                rows.append(
                    {
                        "scenario": name,
                        "solved": f"{label} ownership",
                        "vehicles": int(k["vehicles_used"]),
                        "pickups_cny_per_year": round(float(k["pickup_cost_cny_per_year"])),
                        "fleet_cny_per_year": round(fleet),
                        "total_cny_per_year": round(total + fleet),
                        "checked": "ok" if not check(plan, sc) else "FAILED",
                        "wall_s": round(wall, 1),
                    }
                )
                print(rows[-1], flush=True)
        finally:
            owned_path.unlink()
    out = RESULTS / "fleet_cost.csv"
    with out.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"\n{'scenario':<18} {'solved':<18} {'vehicles':>8} {'fleet':>12} {'total':>12}")
    for r in rows:
        print(
            f"{r['scenario']:<18} {r['solved']:<18} {r['vehicles']:>8} "
            f"{r['fleet_cny_per_year']:>12,} {r['total_cny_per_year']:>12,}"
        )
    print(f"written {out}")


if __name__ == "__main__":
    main()
