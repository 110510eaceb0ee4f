"""Routing quality: revlog vs plain OR-Tools vs PyVRP vs VROOM on Solomon and X instances.

Every solver gets the same wall-time budget per instance on one core (PyVRP and OR-Tools
are single-threaded; VROOM runs with ``nb_threads=1`` and its ``timeout``), and the
solvers run one after the other *per instance* (interleaved), so they see the same
machine load. Distances follow ``benchmarks/README.md``: Solomon arcs truncated to one
decimal (cost and time), X arcs rounded to integers, fleet unlimited, minimise distance.
Every solution is written as a CVRPLIB ``.sol`` file and verdicts and distances come from
reading that file back with revlog's independent checker
(:func:`revlog.bench.vrp.check_sol_file`). Gaps are to ``distance_only_bks`` (Solomon)
and ``bks`` (X) from the shipped ``bks.csv`` files.

The baselines build their own models straight from the files (``vrplib`` parsing):

* ``pyvrp``: ``pyvrp.solve(data, MaxRuntime(T), seed)`` with PyVRP's default parameters;
* ``ortools``: a plain routing model, ``PATH_CHEAPEST_ARC`` + ``GUIDED_LOCAL_SEARCH``;
* ``vroom``: ``pyvroom``, exploration level 5, one thread, ``timeout=T``.

Usage::

    python bench/routing.py --subset tune --time-limit 10
    python bench/routing.py --subset all --solvers revlog,pyvrp --tag full

Writes ``bench/results/routing[_TAG].csv`` (one row per instance and solver, appended as
it runs), ``..._gaps.csv`` (per instance, solvers side by side), ``..._classes.csv``
(mean gap per class) and ``..._summary.md``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from revlog.bench import benchmarks_dir
from revlog.bench.vrp import check_sol_file, read_instance, write_sol

RESULTS = Path(__file__).resolve().parent / "results"
SOLVERS = ["revlog", "pyvrp", "ortools", "vroom"]
TUNE = [
    "C104", "C206", "R103", "R110", "R202", "R208", "RC103", "RC107", "RC202", "RC206",
    "X-n153-k22", "X-n219-k73", "X-n294-k50", "X-n393-k38",
]  # fmt: skip

Routes = list[list[int]]


# ------------------------------------------------------------------------- instances


def instance_files(subset: str, names: list[str] | None = None) -> list[Path]:
    """Instance files of a subset: ``all``, ``solomon``, ``x``, ``tune`` or explicit names."""
    root = benchmarks_dir()
    solomon = sorted((root / "solomon").glob("*.txt"))
    x_files = []
    for f in sorted((root / "cvrplib" / "X").glob("X-n*.vrp")):
        if int(f.stem.split("-")[1][1:]) <= 400:
            x_files.append(f)
    x_files.sort(key=lambda f: int(f.stem.split("-")[1][1:]))
    pool = {f.stem: f for f in [*solomon, *x_files]}
    if names:
        return [pool[n] for n in names]
    return {
        "all": [*solomon, *x_files],
        "solomon": solomon,
        "x": x_files,
        "tune": [pool[n] for n in TUNE],
    }[subset]


def bks_table() -> pd.DataFrame:
    """Best-known distances: Solomon ``distance_only_bks``, CVRPLIB ``bks``."""
    root = benchmarks_dir()
    sol = pd.read_csv(root / "solomon" / "bks.csv")
    sol = pd.DataFrame({"instance": sol["instance"], "bks": sol["distance_only_bks"]})
    cvrp = pd.read_csv(root / "cvrplib" / "bks.csv")[["instance", "bks"]]
    return pd.concat([sol, cvrp]).set_index("instance")


def instance_class(name: str) -> str:
    """Class of an instance: C1, C2, R1, R2, RC1, RC2 or an X size band."""
    if name.startswith("X-"):
        n = int(name.split("-")[1][1:])
        return "X n101-199" if n < 200 else ("X n200-299" if n < 300 else "X n300-400")
    return name.rstrip("0123456789") + name.lstrip("RC")[0]


# ------------------------------------------------------------------------- baselines


def _raw(path: Path) -> dict:
    import vrplib

    if path.suffix == ".vrp":
        inst = vrplib.read_instance(path)
        inst["int_dist"] = np.floor(np.asarray(inst["edge_weight"]) + 0.5).astype(np.int64)
        inst["scale"] = 1
        inst["tw"] = None
    else:
        inst = vrplib.read_instance(path, instance_format="solomon")
        # DIMACS: truncate to one decimal, in tenths.
        inst["int_dist"] = (10 * np.asarray(inst["edge_weight"])).astype(np.int64)
        inst["scale"] = 10
        inst["tw"] = (10 * np.asarray(inst["time_window"])).astype(np.int64)
        inst["service"] = (10 * np.asarray(inst["service_time"])).astype(np.int64)
    inst["demand"] = np.asarray(inst["demand"]).astype(np.int64)
    return inst


def _fleet(inst: dict) -> int:
    """Vehicles offered to OR-Tools and VROOM: never binding, far fewer than n."""
    n = len(inst["demand"])
    need = math.ceil(inst["demand"].sum() / int(inst["capacity"]))
    return int(min(n - 1, 2 * need + 5))


def solve_pyvrp_baseline(path: Path, time_limit_s: float, seed: int) -> Routes:
    """PyVRP with its default parameters on its own reading of the file."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    if path.suffix == ".vrp":
        data = pyvrp.read(path, "round")
    else:
        inst = _raw(path)
        n = len(inst["demand"])
        tw, st, dist = inst["tw"], inst["service"], inst["int_dist"]
        data = pyvrp.ProblemData(
            [pyvrp.Location(float(x), float(y)) for x, y in inst["node_coord"]],
            [
                pyvrp.Client(
                    i,
                    delivery=[int(inst["demand"][i])],
                    service_duration=int(st[i]),
                    tw_early=int(tw[i, 0]),
                    tw_late=int(tw[i, 1]),
                )
                for i in range(1, n)
            ],
            [pyvrp.Depot(0, tw_early=int(tw[0, 0]), tw_late=int(tw[0, 1]))],
            [
                pyvrp.VehicleType(
                    num_available=n - 1,
                    capacity=[int(inst["capacity"])],
                    tw_early=int(tw[0, 0]),
                    tw_late=int(tw[0, 1]),
                )
            ],
            [dist],
            [dist],
        )
    res = pyvrp.solve(data, MaxRuntime(time_limit_s), seed=seed, collect_stats=False)
    return [[a.idx + 1 for a in r if a.is_client()] for r in res.best.routes()]


def solve_ortools_baseline(path: Path, time_limit_s: float, seed: int) -> Routes:
    """Plain OR-Tools: PATH_CHEAPEST_ARC then GUIDED_LOCAL_SEARCH (no seed in OR-Tools)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    inst = _raw(path)
    dist, demand = inst["int_dist"], inst["demand"]
    n, m = len(demand), _fleet(inst)
    manager = pywrapcp.RoutingIndexManager(n, m, 0)
    routing = pywrapcp.RoutingModel(manager)
    d_list = dist.tolist()

    def arc(i: int, j: int) -> int:
        return d_list[manager.IndexToNode(i)][manager.IndexToNode(j)]

    cb = routing.RegisterTransitCallback(arc)
    routing.SetArcCostEvaluatorOfAllVehicles(cb)
    dem = demand.tolist()
    dcb = routing.RegisterUnaryTransitCallback(lambda i: dem[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(dcb, 0, [int(inst["capacity"])] * m, True, "load")
    if inst["tw"] is not None:
        tw, st = inst["tw"], inst["service"].tolist()

        def tt(i: int, j: int) -> int:
            a = manager.IndexToNode(i)
            return st[a] + d_list[a][manager.IndexToNode(j)]

        tcb = routing.RegisterTransitCallback(tt)
        horizon = int(tw[0, 1])
        routing.AddDimension(tcb, horizon, horizon, False, "time")
        time_dim = routing.GetDimensionOrDie("time")
        for node in range(1, n):
            time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(
                int(tw[node, 0]), int(tw[node, 1])
            )
        for v in range(m):
            time_dim.CumulVar(routing.Start(v)).SetRange(int(tw[0, 0]), horizon)
            time_dim.CumulVar(routing.End(v)).SetRange(int(tw[0, 0]), horizon)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    sol = routing.SolveWithParameters(params)
    if sol is None:
        return []
    routes = []
    for v in range(m):
        idx, r = sol.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(idx):
            r.append(manager.IndexToNode(idx))
            idx = sol.Value(routing.NextVar(idx))
        if r:
            routes.append(r)
    return routes


def solve_vroom_baseline(path: Path, time_limit_s: float, seed: int) -> Routes:
    """VROOM (pyvroom), exploration level 5, one thread, its own timeout (no seed)."""
    import vroom

    inst = _raw(path)
    dist, demand = inst["int_dist"], inst["demand"]
    n = len(demand)
    problem = vroom.Input()
    problem.set_durations_matrix("car", dist)
    tw = inst["tw"]
    vtw = vroom.TimeWindow(int(tw[0, 0]), int(tw[0, 1])) if tw is not None else None
    for v in range(_fleet(inst)):
        problem.add_vehicle(
            vroom.Vehicle(v, start=0, end=0, capacity=[int(inst["capacity"])], time_window=vtw)
        )
    jobs = []
    for i in range(1, n):
        kwargs = {}
        if tw is not None:
            kwargs = {
                "default_service": int(inst["service"][i]),
                "time_windows": [vroom.TimeWindow(int(tw[i, 0]), int(tw[i, 1]))],
            }
        jobs.append(vroom.Job(i, location=i, delivery=[int(demand[i])], **kwargs))
    problem.add_job(jobs)
    sol = problem.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit_s))
    routes: dict[int, list[int]] = {}
    for r in sol.to_dict()["routes"]:
        routes[r["vehicle"]] = [s["id"] for s in r["steps"] if s["type"] == "job"]
    return [routes[v] for v in sorted(routes) if routes[v]]


def solve_revlog(path: Path, time_limit_s: float, seed: int) -> Routes:
    """revlog's engine (:func:`revlog.routing.engine.solve_routing`), file read included."""
    from revlog.routing.engine import solve_routing

    return solve_routing(read_instance(path), time_limit_s, seed=seed).routes


RUNNERS: dict[str, Callable[[Path, float, int], Routes]] = {
    "revlog": solve_revlog,
    "pyvrp": solve_pyvrp_baseline,
    "ortools": solve_ortools_baseline,
    "vroom": solve_vroom_baseline,
}


# ---------------------------------------------------------------------------- runner


def run(
    files: list[Path],
    solvers: list[str],
    time_limit_s: float,
    seed: int,
    raw_csv: Path,
    routes_root: Path,
) -> pd.DataFrame:
    """Run the solvers interleaved per instance; append one row per run to ``raw_csv``."""
    bks = bks_table()
    done = pd.read_csv(raw_csv) if raw_csv.exists() else pd.DataFrame()
    for f in files:
        problem = read_instance(f)
        for solver in solvers:
            if len(done) and ((done.instance == f.stem) & (done.solver == solver)).any():
                continue
            t0 = time.perf_counter()
            try:
                routes = RUNNERS[solver](f, time_limit_s, seed)
                error = ""
            except Exception as exc:  # a crashing baseline is a result, not an abort
                routes, error = [], f"{type(exc).__name__}: {exc}"
            seconds = time.perf_counter() - t0
            sol_dir = routes_root / solver
            sol_dir.mkdir(parents=True, exist_ok=True)
            sol_path = sol_dir / f"{f.stem}.sol"
            from revlog.bench.vrp import check_routes

            distance = check_routes(problem, routes).distance if routes else float("nan")
            write_sol(sol_path, routes, 0.0 if math.isnan(distance) else distance)
            check = check_sol_file(problem, sol_path)
            best = float(bks.loc[f.stem, "bks"])
            row = {
                "instance": f.stem,
                "class": instance_class(f.stem),
                "solver": solver,
                "vehicles": check.vehicles,
                "distance": check.distance,
                "bks": best,
                "gap_pct": round(100 * (check.distance - best) / best, 4),
                "seconds": round(seconds, 2),
                "feasible": check.feasible and bool(routes),
                "error": error or "; ".join(check.violations[:2]),
            }
            pd.DataFrame([row]).to_csv(raw_csv, mode="a", header=not raw_csv.exists(), index=False)
            done = pd.concat([done, pd.DataFrame([row])], ignore_index=True)
            print(
                f"{f.stem:12s} {solver:8s} {check.distance:10.1f} gap {row['gap_pct']:6.2f}% "
                f"{seconds:6.1f}s {'ok' if row['feasible'] else 'INFEASIBLE ' + row['error']}",
                flush=True,
            )
    return done


def summarise(raw: pd.DataFrame, solvers: list[str], time_limit_s: float) -> dict:
    """Per-instance and per-class gap tables (solvers side by side) and a markdown text."""
    raw = raw[raw.solver.isin(solvers)].copy()
    raw.loc[~raw.feasible.astype(bool), "gap_pct"] = np.nan
    wide = raw.pivot_table(index=["instance", "class", "bks"], columns="solver", values="gap_pct")
    wide = wide.reindex(columns=[s for s in solvers if s in wide.columns]).reset_index()
    secs = raw.pivot_table(index="instance", columns="solver", values="seconds")
    classes = wide.groupby("class")[[s for s in solvers if s in wide.columns]].mean()
    classes["instances"] = wide.groupby("class").size()
    wide["family"] = np.where(wide.instance.str.startswith("X-"), "X (n<=400)", "Solomon")
    fam = wide.groupby("family")[[s for s in solvers if s in wide.columns]].agg(["mean", "count"])
    infeasible = raw[~raw.feasible.astype(bool)].groupby("solver").size()
    lines = [
        f"# Routing benchmark: mean gap to best-known (%), {time_limit_s:g} s per instance, "
        "one core, interleaved per instance",
        "",
        "Solomon: DIMACS distances (truncated to 0.1) vs `distance_only_bks`; X: rounded "
        "distances vs `bks`. Feasibility and distances from the `.sol` files by "
        "`revlog.bench.vrp.check_sol_file`.",
        "",
        "## By family",
        "",
        _markdown(fam.round(3)),
        "",
        "## By class",
        "",
        _markdown(classes.round(3)),
        "",
        "## Median seconds per instance",
        "",
        _markdown(secs.median().round(2).to_frame("median_s").T),
        "",
        f"Infeasible or failed runs: {dict(infeasible) if len(infeasible) else 'none'}",
    ]
    return {"wide": wide, "classes": classes, "markdown": "\n".join(lines) + "\n"}


def _markdown(df: pd.DataFrame) -> str:
    df = df.copy()
    if isinstance(df.columns, pd.MultiIndex):
        df.columns = [" ".join(map(str, c)) for c in df.columns]
    head = "| " + " | ".join([str(df.index.name or ""), *map(str, df.columns)]) + " |"
    sep = "|" + "---|" * (len(df.columns) + 1)
    pairs = zip(df.index, df.values, strict=True)
    rows = ["| " + " | ".join([str(i), *map(str, r)]) + " |" for i, r in pairs]
    return "\n".join([head, sep, *rows])


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subset", default="tune", choices=["all", "solomon", "x", "tune"])
    ap.add_argument("--instances", nargs="*", help="explicit instance names")
    ap.add_argument("--solvers", default=",".join(SOLVERS))
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tag", default="", help="suffix of the output files")
    ap.add_argument("--summarise-only", action="store_true")
    args = ap.parse_args(argv)
    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    stem = "routing" + (f"_{args.tag}" if args.tag else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    raw_csv = RESULTS / f"{stem}.csv"
    files = instance_files(args.subset, args.instances)
    if not files or not files[0].exists():
        print(f"no instances under {benchmarks_dir()}", file=sys.stderr)
        return 1
    if args.summarise_only:
        raw = pd.read_csv(raw_csv)
    else:
        raw = run(files, solvers, args.time_limit, args.seed, raw_csv, RESULTS / f"{stem}_routes")
    raw = raw[raw.instance.isin([f.stem for f in files])]
    out = summarise(raw, solvers, args.time_limit)
    out["wide"].to_csv(RESULTS / f"{stem}_gaps.csv", index=False)
    out["classes"].to_csv(RESULTS / f"{stem}_classes.csv")
    (RESULTS / f"{stem}_summary.md").write_text(out["markdown"])
    print(out["markdown"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
