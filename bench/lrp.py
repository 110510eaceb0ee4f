"""CLRP quality: revlog's location-routing (routed design search) vs its two-stage method.

Both methods get the same budget per instance on one core and run one after the other
per instance (interleaved, so they see the same machine load). Every solution is written
as JSON and re-read by the independent checker (:func:`revlog.check.lrp.check_lrp`);
gaps are to ``bks`` of ``benchmarks/lrp/bks.csv`` (Prodhon: ceil(100 × Euclidean) arcs;
Tuzun, Barreto: real Euclidean).

Usage::

    python bench/lrp.py --sets prodhon --time-limit 20
    python bench/lrp.py --sets prodhon,tuzun,barreto --time-limit 60 --tag full
    # split over two processes (one core each), then one summary of both:
    python bench/lrp.py --time-limit 60 --names coord20-5-1,... --tag p60a &
    python bench/lrp.py --time-limit 60 --names coord50-5-1,... --tag p60b
    python bench/lrp.py --time-limit 60 --merge p60a,p60b --tag prodhon60

Writes ``bench/results/lrp[_TAG].csv`` (one row per instance and method, appended as it
runs), ``..._groups.csv`` (mean/max gap per set and size group) and ``..._summary.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from revlog.bench import benchmarks_dir
from revlog.bench.lrp import read_clrp, run_lrp
from revlog.check.lrp import check_lrp, lrp_cost

RESULTS = Path(__file__).resolve().parent / "results"
METHODS = ("lrp", "two-stage")


def _markdown(df: pd.DataFrame) -> str:
    """A pipe table of a frame (its index as the first columns)."""
    flat = df.reset_index()
    head = "| " + " | ".join(str(c) for c in flat.columns) + " |"
    rule = "|" + "---|" * len(flat.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in flat.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="prodhon")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tag", default="")
    ap.add_argument("--names", default="", help="comma-separated instance names (subset)")
    ap.add_argument("--merge", default="", help="comma-separated tags: summarise their rows")
    args = ap.parse_args()
    tag = f"_{args.tag}" if args.tag else ""
    if args.merge:
        parts = [pd.read_csv(RESULTS / f"lrp_{t}.csv") for t in args.merge.split(",")]
        df = pd.concat(parts, ignore_index=True)
        df.to_csv(RESULTS / f"lrp{tag}.csv", index=False)
        return _summarise(df, tag, args.time_limit, args.seed)
    root = benchmarks_dir() / "lrp"
    bks = pd.read_csv(root / "bks.csv")
    bks = bks[bks["file"].str.split("/").str[0].isin(args.sets.split(","))]
    if args.names:
        bks = bks[bks["instance"].str.removesuffix(".dat").isin(args.names.split(","))]
    out_csv = RESULTS / f"lrp{tag}.csv"
    sols = RESULTS / f"lrp{tag}_solutions"
    sols.mkdir(parents=True, exist_ok=True)
    rows = []
    for rec in bks.itertuples():
        path = root / rec.file
        inst = read_clrp(path)
        for method in METHODS:
            sol_path = sols / f"{inst.name}.{method}.json"
            try:
                _, result = run_lrp(path, args.time_limit, args.seed, method=method,
                                    solution_path=sol_path)  # fmt: skip
                sol = json.loads(sol_path.read_text())
                violations = check_lrp(inst, sol)
                seconds = result.seconds
            except Exception as exc:
                violations, seconds = [f"failed: {exc}"], float("nan")
            cost = lrp_cost(inst, sol) if not violations else float("nan")
            row = {
                "set": rec.file.split("/")[0],
                "instance": inst.name,
                "customers": inst.n_customers,
                "method": method,
                "cost": cost,
                "bks": float(rec.bks),
                "gap_pct": 100.0 * (cost - rec.bks) / rec.bks,
                "seconds": round(seconds, 2),
                "feasible": not violations,
            }
            rows.append(row)
            print(",".join(str(v) for v in row.values()), flush=True)
            pd.DataFrame(rows).to_csv(out_csv, index=False)
    return _summarise(pd.DataFrame(rows), tag, args.time_limit, args.seed)


def _summarise(df: pd.DataFrame, tag: str, time_limit: float, seed: int) -> int:
    """Write the groups CSV and the markdown summary of the rows ``df``; print the overall."""
    groups = (
        df.groupby(["set", "customers", "method"])["gap_pct"]
        .agg(["count", "mean", "max"])
        .round(3)
        .reset_index()
    )
    overall = df.groupby(["set", "method"])["gap_pct"].agg(["count", "mean", "max"]).round(3)
    groups.to_csv(RESULTS / f"lrp{tag}_groups.csv", index=False)
    side = df.pivot(index="instance", columns="method", values="gap_pct").round(3)
    md = [
        f"# CLRP, {time_limit:g} s per instance and method, seed {seed}",
        "",
        "## Mean / max gap to BKS by set",
        "",
        _markdown(overall),
        "",
        "## By set and size",
        "",
        _markdown(groups.set_index(["set", "customers", "method"])),
        "",
        "## Per instance (gap %)",
        "",
        _markdown(side),
        "",
        f"All {int(df['feasible'].sum())} of {len(df)} solutions accepted by the checker.",
    ]
    (RESULTS / f"lrp{tag}_summary.md").write_text("\n".join(md) + "\n")
    print(overall.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
