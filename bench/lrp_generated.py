"""Larger unseen CLRP instances (issue 12): seeded Prodhon-style generator, solved and checked.

Usage: ``.venv/bin/python bench/lrp_generated.py --sizes 100,300,600 --time-limit 60``.
Writes ``bench/results/lrp_generated.csv``: instance, customers, depots, limit, CPU and
wall seconds, cost, open depots, routes, the independent checker's verdict.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from revlog.bench.lrp import generate_clrp
from revlog.check.lrp import check_lrp
from revlog.location.lrp.clrp import solve_clrp

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    """Generate, solve and check one instance per size; one CSV row each."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,300,600")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "lrp_generated.csv"
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "instance",
                "n",
                "m",
                "limit_s",
                "cpu_s",
                "wall_s",
                "cost",
                "open",
                "routes",
                "violations",
            ]
        )
        for n in (int(s) for s in args.sizes.split(",")):
            m = 10 if n <= 200 else 20
            inst = generate_clrp(n, m, seed=args.seed, clustered=n % 200 == 0)
            c0, w0 = time.process_time(), time.perf_counter()
            sol = solve_clrp(inst, args.time_limit, seed=args.seed).solution
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            bad = check_lrp(inst, sol.to_json())
            w.writerow(
                [
                    inst.name,
                    n,
                    m,
                    args.time_limit,
                    f"{cpu:.1f}",
                    f"{wall:.1f}",
                    f"{sol.cost:.0f}",
                    len(sol.open),
                    len(sol.routes),
                    len(bad),
                ]
            )
            fh.flush()
            print(
                inst.name,
                f"cpu {cpu:.1f}s wall {wall:.1f}s cost {sol.cost:.0f}",
                bad[:2],
                flush=True,
            )


if __name__ == "__main__":
    main()
