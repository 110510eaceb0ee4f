"""The closed loop's cost-CO2 front: a carbon-price sweep of the shipped scenario on Dask.

Solves ``scenarios/qinghai-closed-loop-carbon.yaml`` (the closed-loop scenario at several
carbon prices) with :func:`revlog.sweep.run_sweep`, checks every plan with the independent
checker, marks the non-dominated points (:func:`revlog.loop.front.cost_co2_front`) and
writes ``bench/results/loop_front.csv`` and ``loop_front.png``.

Usage::

    python bench/loop_front.py --workers 2 --time-limit 40
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import revlog
from revlog.loop.front import CO2_COLUMN, COST_COLUMN, cost_co2_front
from revlog.plan import Plan
from revlog.sweep import load_sweep, run_sweep, variant_folder

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "scenarios" / "qinghai-closed-loop-carbon.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
PRICE = "loop.carbon_price_cny_per_t_co2"
SHOWN = [
    PRICE,
    COST_COLUMN,
    CO2_COLUMN,
    "non_dominated",
    "second_life_t_per_year",
    "co2_emitted_kg_per_year",
    "co2_avoided_kg_per_year",
    "total_cost_cny_per_year",
    "net_cost_cny_per_year",
    "outlets_open",
    "check_violations",
]


def main() -> None:
    """Run the sweep, check every plan, write the CSV and the figure, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=40.0)
    args = ap.parse_args()
    variants = load_sweep(SWEEP)
    with tempfile.TemporaryDirectory() as out:
        table = run_sweep(
            variants, n_workers=args.workers, time_limit_s=args.time_limit, out_dir=out
        )
        bad = {}
        for v in variants:
            folder = variant_folder(out, v)
            bad[v.name] = (
                len(revlog.check(Plan.load(folder), v.scenario)) if folder.exists() else -1
            )
    table["check_violations"] = [bad[n] for n in table.index]
    front = cost_co2_front(table)
    for name, r in table[table["status"] != "solved"].iterrows():
        print(f"{name}: {r['status']}: {r.get('diagnosis', '')}")
    RESULTS.mkdir(exist_ok=True)
    front[SHOWN].to_csv(RESULTS / "loop_front.csv", float_format="%.6g")
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    nd = front[front["non_dominated"]]
    ax.plot(
        front[CO2_COLUMN] / 1000, front[COST_COLUMN] / 1e6, "o", color="#bbbbbb", label="dominated"
    )
    ax.plot(
        nd[CO2_COLUMN] / 1000, nd[COST_COLUMN] / 1e6, "o-", color="#1b7837", label="non-dominated"
    )
    for price, co2, cost in zip(front[PRICE], front[CO2_COLUMN], front[COST_COLUMN], strict=True):
        ax.annotate(
            f"{price:g}", (co2 / 1000, cost / 1e6), fontsize=7, textcoords="offset points",
            xytext=(4, 4),
        )  # fmt: skip
    ax.set_xlabel("net CO2, t/year (emitted − avoided by second life)")
    ax.set_ylabel("cost before carbon, M CNY/year (revenues counted)")
    ax.set_title("qinghai-closed-loop: carbon price sweep (labels: CNY/t CO2)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(RESULTS / "loop_front.png", dpi=120)
    print(front[SHOWN].to_string())


if __name__ == "__main__":
    main()
