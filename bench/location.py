"""Stage-1 benchmark: revlog's Pyomo model vs a direct highspy build, on OR-Library ``cap``.

For every instance, in one process and one after the other (one HiGHS thread each):

* **revlog**: ``LocationProblem`` → Pyomo model → HiGHS (``solve_location``), verified by
  ``check_design``;
* **reference**: the textbook strong CFLP (``Σ_i x_ij = 1``, ``x_ij ≤ y_i``,
  ``Σ_j d_j x_ij ≤ s_i y_i``) built straight from the same arrays into ``highspy`` with
  numpy (one ``passModel`` call), no extra cuts.

Build time is from the parsed arrays to a HiGHS instance ready to run; file reading is not
timed. Rows are appended to the CSV as they finish, so a long background run can be watched.

Usage::

    python bench/location.py --set small            # 37 small, multi + single source
    python bench/location.py --set large --time-limit 300
    python bench/location.py --set large --variant single --no-reference --time-limit 600
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from revlog.bench import benchmarks_dir
from revlog.check.design import check_design
from revlog.errors import LocationInfeasibleError, LocationNoSolutionError
from revlog.location.problem import LocationProblem
from revlog.location.solve import solve_location

RESULTS = Path(__file__).resolve().parent / "results"
LARGE_ORDER = [
    "capa-14000", "capc-7250", "capb-8000", "capc-5000", "capa-12000", "capb-5000",
    "capa-8000", "capa-10000", "capb-6000", "capb-7000", "capc-5750", "capc-6500",
]  # fmt: skip
MIP_GAP = 1e-7


def reference_highs(p: LocationProblem, time_limit_s: float) -> tuple[highspy.Highs, float]:
    """Textbook strong CFLP from arrays straight into highspy; return it and the build time."""
    t0 = time.perf_counter()
    n, m, k = p.n_sources, p.n_facilities, p.n_arcs
    arcs = np.arange(k)
    ycol = k + np.arange(m)
    rows = np.concatenate(
        [p.arc_source, n + arcs, n + arcs, n + k + p.arc_facility, n + k + np.arange(m)]
    )
    cols = np.concatenate([arcs, arcs, k + p.arc_facility, arcs, ycol])
    vals = np.concatenate([np.ones(k), np.ones(k), -np.ones(k), p.arc_supply_t, -p.capacity_t])
    a = sp.csc_matrix((vals, (rows, cols)), shape=(n + k + m, k + m))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = k + m, n + k + m
    lp.col_cost_ = np.concatenate([p.arc_cost_cny, p.fixed_cost_cny])
    lp.col_lower_ = np.concatenate([np.zeros(k), p.forced_open.astype(float)])
    lp.col_upper_ = np.ones(k + m)
    lp.row_lower_ = np.concatenate([np.ones(n), np.full(k + m, -np.inf)])
    lp.row_upper_ = np.concatenate([np.ones(n), np.zeros(k + m)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data
    xt = highspy.HighsVarType.kInteger if p.single_source else highspy.HighsVarType.kContinuous
    lp.integrality_ = [xt] * k + [highspy.HighsVarType.kInteger] * m
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", MIP_GAP)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    h.passModel(lp)
    return h, time.perf_counter() - t0


def run_one(row: pd.Series, single: bool, time_limit_s: float, reference: bool) -> dict:
    """Solve one instance with revlog (and the reference); return a result row."""
    cap = None if row["file"] not in ("capa.txt", "capb.txt", "capc.txt") else row["capacity"]
    p = LocationProblem.from_orlib(
        benchmarks_dir() / "orlib-cflp" / row["file"], cap, single_source=single
    )
    published = row["single_source_optimum"] if single else row["optimum"]
    out: dict = {
        "instance": row["instance"],
        "variant": "single" if single else "multi",
        "published": published,
    }
    try:
        d = solve_location(p, time_limit_s=time_limit_s, mip_gap=MIP_GAP, threads=1)
        violations = check_design(p, d)
        out |= {
            "revlog_build_s": d.build_seconds,
            "revlog_solve_s": d.solve_seconds,
            "revlog_objective": d.objective_cny,
            "revlog_bound": d.bound_cny,
            "revlog_gap": d.gap,
            "revlog_status": d.status,
            "revlog_nodes": d.mip_nodes,
            "revlog_lp_iter": d.lp_iterations,
            "check": "ok" if not violations else "; ".join(violations[:3]),
        }
    except LocationInfeasibleError:
        out |= {"revlog_status": "infeasible", "check": "ok"}
    except LocationNoSolutionError as exc:
        out |= {"revlog_status": exc.status, "revlog_bound": exc.bound_cny}
    if published != "infeasible" and "revlog_objective" in out:
        opt = float(published)
        out["revlog_rel_err"] = (out["revlog_objective"] - opt) / opt
    if reference:
        h, build = reference_highs(p, time_limit_s)
        t0 = time.perf_counter()
        h.run()
        solve = time.perf_counter() - t0
        status = h.getModelStatus().name.removeprefix("k")
        info = h.getInfo()
        out |= {
            "ref_build_s": build,
            "ref_solve_s": solve,
            "ref_status": status,
            "ref_objective": info.objective_function_value if status != "Infeasible" else None,
            "ref_gap": info.mip_gap if status != "Infeasible" else None,
            "ref_nodes": int(info.mip_node_count),
            "ref_lp_iter": int(info.simplex_iteration_count),
        }
        if "revlog_build_s" in out:
            out["build_ratio"] = out["revlog_build_s"] / build
    return out


def markdown(frame: pd.DataFrame) -> str:
    """A compact markdown table of the results."""
    cols = [
        "instance",
        "variant",
        "published",
        "revlog_objective",
        "revlog_status",
        "revlog_gap",
        "revlog_build_s",
        "revlog_solve_s",
        "ref_build_s",
        "ref_solve_s",
        "ref_status",
        "revlog_nodes",
        "ref_nodes",
        "build_ratio",
        "check",
    ]
    cols = [c for c in cols if c in frame.columns]
    f = frame[cols].copy()
    for c in f.columns:
        if f[c].dtype.kind == "f":
            f[c] = f[c].map(lambda v: "" if pd.isna(v) else f"{v:.6g}")
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in f.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def summary(frame: pd.DataFrame) -> str:
    """Medians and counts, per variant and size class."""
    lines = []
    for (size, variant), g in frame.groupby(["size", "variant"], sort=False):
        solved = g[g["revlog_status"] != "infeasible"]
        line = f"{size:5s} {variant:6s} n={len(g):2d}"
        if "build_ratio" in g and g["build_ratio"].notna().any():
            line += (
                f"  build median revlog {solved['revlog_build_s'].median():.3f} s vs ref "
                f"{solved['ref_build_s'].median():.3f} s (ratio {g['build_ratio'].median():.1f}x)"
            )
        if len(solved):
            line += f"  solve median revlog {solved['revlog_solve_s'].median():.2f} s" + (
                f" vs ref {solved['ref_solve_s'].median():.2f} s" if "ref_solve_s" in g else ""
            )
            line += f"  optimal {int((solved['revlog_status'] == 'optimal').sum())}/{len(solved)}"
            if "ref_status" in g:
                line += f" (ref {int((solved['ref_status'] == 'Optimal').sum())})"
            if "ref_solve_s" in g:
                faster = int((solved["revlog_solve_s"] < solved["ref_solve_s"]).sum())
                line += f"  revlog solve faster {faster}/{len(solved)}"
                line += (
                    f"  nodes median revlog {solved['revlog_nodes'].median():.0f}"
                    f" vs ref {solved['ref_nodes'].median():.0f}"
                )
            err = solved["revlog_rel_err"].abs().max() if "revlog_rel_err" in solved else np.nan
            line += f"  max |rel err| {err:.2e}"
        inf = int((g["revlog_status"] == "infeasible").sum())
        if inf:
            line += f"  infeasible {inf}"
        bad = int((g["check"].fillna("ok") != "ok").sum())
        line += f"  check failures {bad}"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=["small", "large", "all"], default="all")
    ap.add_argument(
        "--variant",
        choices=["multi", "single", "both"],
        default="both",
        help="for the large set 'both' means multi only unless --large-single",
    )
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--only", nargs="*", default=None, help="instance names")
    ap.add_argument("--out", default=str(RESULTS / "location.csv"))
    args = ap.parse_args(argv)

    table = pd.read_csv(benchmarks_dir() / "orlib-cflp" / "optima.csv", dtype=str)
    table["capacity"] = table["capacity"].astype(float)
    table["optimum"] = table["optimum"].astype(float)
    small = table[~table["file"].isin(["capa.txt", "capb.txt", "capc.txt"])]
    large = table.set_index("instance").loc[LARGE_ORDER].reset_index()
    jobs: list[tuple[str, pd.Series, bool]] = []
    variants = {"multi": [False], "single": [True], "both": [False, True]}[args.variant]
    if args.set in ("small", "all"):
        jobs += [("small", r, v) for v in variants for _, r in small.iterrows()]
    if args.set in ("large", "all"):
        large_variants = [False] if args.variant == "both" else variants
        jobs += [("large", r, v) for v in large_variants for _, r in large.iterrows()]
    if args.only:
        jobs = [j for j in jobs if j[1]["instance"] in args.only]

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for size, r, single in jobs:
        res = run_one(r, single, args.time_limit, reference=not args.no_reference)
        res["size"] = size
        rows.append(res)
        frame = pd.DataFrame(rows)
        frame.to_csv(out, index=False)
        out.with_suffix(".md").write_text(markdown(frame))
        print(
            f"{res['instance']:11s} {res['variant']:6s} revlog {res.get('revlog_status')} "
            f"{res.get('revlog_objective', float('nan')):.3f} "
            f"build {res.get('revlog_build_s', float('nan')):.2f}s solve "
            f"{res.get('revlog_solve_s', float('nan')):.2f}s | ref {res.get('ref_status')} "
            f"build {res.get('ref_build_s', float('nan')):.3f}s solve "
            f"{res.get('ref_solve_s', float('nan')):.2f}s | check {res.get('check')}",
            flush=True,
        )
    frame = pd.DataFrame(rows)
    text = summary(frame)
    with out.with_suffix(".md").open("a") as fh:
        fh.write("\n```\n" + text + "\n```\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
