"""Tuning PyVRP's search for short budgets: granular neighbourhood size, side by side.

revlog's engine runs PyVRP's iterated local search on the model built by
:func:`revlog.routing.pyvrp_engine.to_pyvrp`. PyVRP's default parameters were tuned by
its authors for long runs; at revlog's benchmark budget (10 s for 100 to 400 clients) the
search is far from converged, and the number of iterations matters more. This script
measures parameter configurations against PyVRP's default on the same instances, seeds
and budget: each (instance, seed) runs every configuration back to back (``--workers``
processes, one core each), and the table reports, per size band, the mean relative cost
difference to the default (negative = better), wins and losses, and median iterations.

Usage::

    python bench/tune_routing.py --instances X-n256-k16 C101 --seeds 0 1 \\
        --configs default hist100 nb20 nb30 --time-limit 10 --workers 2 --tag round1
    python bench/tune_routing.py --summarise-only --tag round1

Writes ``bench/results/routing_tuning[_TAG].csv`` (one row per run, appended as it goes,
resumable) and prints the summary as Markdown.
"""

from __future__ import annotations

import argparse
import sys
from multiprocessing import Pool
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent))

#: Configurations: PyVRP parameters that differ from its defaults.
CONFIGS: dict[str, dict[str, int]] = {
    "default": {},
    "hist100": {"history_length": 100},
    "hist1000": {"history_length": 1000},
    "pert10": {"max_perturbations": 10},
    "nb10": {"num_neighbours": 10},
    "nb15": {"num_neighbours": 15},
    "nb20": {"num_neighbours": 20},
    "nb25": {"num_neighbours": 25},
    "nb30": {"num_neighbours": 30},
    "nb40": {"num_neighbours": 40},
}

COLUMNS = ["instance", "seed", "config", "cost", "iterations"]


def params_of(config: str):
    """PyVRP ``SolveParams`` of a named configuration."""
    import pyvrp
    from pyvrp.IteratedLocalSearch import IteratedLocalSearchParams
    from pyvrp.search import NeighbourhoodParams, PerturbationParams

    c = CONFIGS[config]
    return pyvrp.SolveParams(
        ils=IteratedLocalSearchParams(history_length=c.get("history_length", 300)),
        neighbourhood=NeighbourhoodParams(num_neighbours=c.get("num_neighbours", 50)),
        perturbation=PerturbationParams(1, c.get("max_perturbations", 25)),
    )


def run_one(job: tuple[str, int, str, float]) -> dict:
    """One search: PyVRP on revlog's model of the instance, with a configuration."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    from revlog.bench.vrp import read_instance
    from revlog.routing.pyvrp_engine import to_pyvrp
    from routing import instance_files

    name, seed, config, time_limit_s = job
    model = to_pyvrp(read_instance(instance_files("all", [name])[0]))
    res = pyvrp.solve(
        model.data,
        MaxRuntime(time_limit_s),
        seed=seed,
        collect_stats=False,
        params=params_of(config),
    )
    cost = int(res.cost()) if res.is_feasible() else None
    return {"instance": name, "seed": seed, "config": config, "cost": cost,
            "iterations": int(res.num_iterations)}  # fmt: skip


def size_band(name: str) -> str:
    """Solomon class (C1 … RC2) or X size band of an instance."""
    from routing import instance_class

    return ("" if name.startswith("X-") else "Solomon ") + instance_class(name)


def summarise(raw: pd.DataFrame) -> str:
    """Markdown summary: cost relative to ``default`` (%) per band, wins, iterations."""
    from routing import _markdown

    cost = raw.pivot_table(index=["instance", "seed"], columns="config", values="cost")
    cost = cost.dropna(subset=["default"])
    rel = (cost.div(cost["default"], axis=0) - 1.0) * 100.0
    rel = rel.drop(columns="default")
    band = pd.Series([size_band(i) for i, _ in rel.index], index=rel.index, name="band")
    by_band = rel.groupby(band).mean().round(3)
    by_band = by_band.astype(object)
    by_band["runs"] = rel.groupby(band).size().astype(int)
    overall = rel.mean().round(3).to_frame("mean %").T
    wins = pd.DataFrame({"better": (rel < 0).sum(), "equal": (rel == 0).sum(),
                         "worse": (rel > 0).sum()}).T  # fmt: skip
    iters = raw.pivot_table(index="instance", columns="config", values="iterations")
    ratio = iters.div(iters["default"], axis=0).median().round(2).to_frame("x default").T
    parts = [
        "Cost relative to PyVRP's default parameters, % (negative = better), same "
        "instances, seeds and budget.",
        "", "## By band", "", _markdown(by_band),
        "", "## Overall", "", _markdown(overall),
        "", "## Runs better / equal / worse than the default", "", _markdown(wins),
        "", "## Median iterations relative to the default", "", _markdown(ratio), "",
    ]  # fmt: skip
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", nargs="*", default=[], help="instance names")
    ap.add_argument("--seeds", nargs="*", type=int, default=[0])
    ap.add_argument("--configs", nargs="*", default=["default", "nb20"], choices=list(CONFIGS))
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--tag", default="")
    ap.add_argument("--summarise-only", action="store_true")
    args = ap.parse_args(argv)
    if not args.instances and not args.summarise_only:
        ap.error("name the instances to run (--instances), or pass --summarise-only")
    out = RESULTS / ("routing_tuning" + (f"_{args.tag}" if args.tag else "") + ".csv")
    done = pd.read_csv(out) if out.exists() else pd.DataFrame(columns=COLUMNS)
    if not args.summarise_only:
        seen = set(zip(done.instance, done.seed, done.config, strict=True))
        jobs = [
            (name, seed, config, args.time_limit)
            for name in args.instances
            for seed in args.seeds
            for config in args.configs
            if (name, seed, config) not in seen
        ]
        with Pool(args.workers) as pool:
            for row in pool.imap_unordered(run_one, jobs):
                pd.DataFrame([row], columns=COLUMNS).to_csv(
                    out, mode="a", header=not out.exists(), index=False
                )
        done = pd.read_csv(out)
    print(summarise(done))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
