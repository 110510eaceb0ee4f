"""Scale benchmark (issue 13): generated sources 250 → 5,000 over Qinghai and its neighbours.

For every size, in a fresh process of its own (so that its peak memory is its own), one
after the other:

* the scenario: the shipped ``qinghai-2030.yaml`` with N generated sources
  (:func:`revlog.bench.scale.write_scale_scenario`, seeded; 0.75 t/year each);
* **geography** (sites snapped, the facility block), **location problem** (arcs within the
  service radius), **location solve** (array build and HiGHS, dominated arcs pruned) timed
  one by one, with the MIP gap reached, and the memory estimate of :mod:`revlog.memory`;
* with ``--end-to-end``: ``revlog.solve`` of the whole scenario (time limit ``--time-limit``)
  and ``revlog.check`` of the plan it returns; a size whose routing fails is reported with
  the stage and the first diagnosis;
* the peak resident memory of the process (``ru_maxrss``).

The growth exponent is the slope of log(time) against log(N) between the smallest and the
largest size measured. Results go to ``bench/results/scale.csv`` and ``scale.md``.

Usage::

    python bench/scale.py                                  # location stages, 250 .. 5000
    python bench/scale.py --sizes 250 500 1000 --end-to-end --time-limit 300
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (250, 500, 1000, 2000, 5000)
MIP_GAP = 0.005  # the 0.5 % of issue 13


def _one(
    n: int,
    seed: int,
    time_limit_s: float,
    end_to_end: bool,
    folder: Path,
    method: str | None = None,
) -> dict:
    """Measure one size in this process; return its row."""
    import revlog
    from revlog.bench.scale import write_scale_scenario
    from revlog.errors import InfeasibleError
    from revlog.inputs import prepare
    from revlog.location.prune import dominated_arcs
    from revlog.location.solve import solve_location
    from revlog.memory import estimate_memory
    from revlog.problems import build_geography, location_problem
    from revlog.scenario.load import load_scenario

    solver = {"time_limit_s": time_limit_s, "mip_gap": MIP_GAP}
    path = write_scale_scenario(folder, n, seed, method=method, solver=solver)
    sc = load_scenario(path)
    row: dict = {"sources": n, "seed": seed}
    t0 = time.perf_counter()
    inputs = prepare(sc)
    t1 = time.perf_counter()
    est = estimate_memory(inputs)
    geo = build_geography(inputs)
    t2 = time.perf_counter()
    problem = location_problem(inputs, geo)
    t3 = time.perf_counter()
    design = solve_location(
        problem,
        time_limit_s=time_limit_s * sc.solver.location_share,
        mip_gap=sc.solver.mip_gap,
        seed=sc.solver.seed,
        threads=sc.solver.threads,
    )
    t4 = time.perf_counter()
    row.update(
        prepare_s=t1 - t0,
        geography_s=t2 - t1,
        location_problem_s=t3 - t2,
        location_build_s=design.build_seconds,
        location_solve_s=design.solve_seconds,
        location_total_s=t4 - t3,
        arcs=problem.n_arcs,
        arcs_pruned=int(dominated_arcs(problem).sum()),
        location_status=design.status,
        location_gap=design.gap,
        outlets_open=int(design.open_mask.sum()) - 1,
        largest_base_stops=max(len(b.sources) for b in design.bases()),
        estimate_gib=est.total_bytes / 2**30,
    )
    if end_to_end:
        t5 = time.perf_counter()
        try:
            plan = revlog.solve(sc, time_limit=time_limit_s, seed=sc.solver.seed)
        except InfeasibleError as exc:
            row.update(solve_s=time.perf_counter() - t5, result=f"{exc.stage} failed")
            row["diagnosis"] = exc.diagnoses[0].message[:160] if exc.diagnoses else ""
        else:
            t6 = time.perf_counter()
            violations = revlog.check(plan, sc)
            row.update(
                solve_s=t6 - t5,
                check_s=time.perf_counter() - t6,
                result="checked" if not violations else f"{len(violations)} violations",
                e2e_location_gap=float(plan.meta["location"]["gap"]),
                runs=int(plan.kpis["runs_per_period"]),
                total_cost_cny_per_year=float(plan.kpis["total_cost_cny_per_year"]),
            )
    row["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def _exponent(df: pd.DataFrame, col: str) -> float:
    d = df.dropna(subset=[col])
    d = d[d[col] > 0]
    if len(d) < 2:
        return math.nan
    a, b = d.iloc[0], d.iloc[-1]
    return math.log(b[col] / a[col]) / math.log(b["sources"] / a["sources"])


def _cell(v: object) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.3g}"
    return str(v)


def _markdown(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |"
    rule = "|" + "---|" * len(df.columns)
    body = ["| " + " | ".join(_cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _report(df: pd.DataFrame, args: argparse.Namespace) -> str:
    cols = [c for c in ("sources", "arcs", "arcs_pruned", "geography_s", "location_build_s",
            "location_solve_s", "location_gap", "location_status", "outlets_open",
            "largest_base_stops", "solve_s", "check_s", "result", "peak_mib", "estimate_gib")
            if c in df.columns]  # fmt: skip
    lines = [
        f"# Scale benchmark (`python bench/scale.py {' '.join(sys.argv[1:])}`)",
        "",
        f"Generated sources (seed {args.seed}, 0.75 t/year each) on the 2030 scenario; "
        f"time limit {args.time_limit:g} s; one process per size, one after the other.",
        "",
        _markdown(df[cols]),
        "",
        "Growth exponents (log time / log N, smallest to largest size): "
        + ", ".join(
            f"{c} {_exponent(df, c):.2f}"
            for c in ("geography_s", "location_total_s", "solve_s", "peak_mib")
            if c in df.columns
        ),
    ]
    if "diagnosis" in df.columns:
        lines += ["", "Failures:", ""]
        lines += [f"- {r.sources}: {r.diagnosis}" for r in df.itertuples() if isinstance(
            r.diagnosis, str) and r.diagnosis]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the sizes one by one in fresh processes; write the CSV and the summary."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--end-to-end", action="store_true")
    ap.add_argument("--method", help="location.method to pin (default: the scenario's)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=RESULTS / "scale")
    args = ap.parse_args()
    if args.one is not None:
        with tempfile.TemporaryDirectory() as tmp:
            row = _one(
                args.one, args.seed, args.time_limit, args.end_to_end, Path(tmp), args.method
            )
        print(json.dumps(row))
        return
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed),
               "--time-limit", str(args.time_limit)] + (["--end-to-end"] if args.end_to_end
               else [])  # fmt: skip
        cmd += ["--method", args.method] if args.method else []
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or [""]
            row = {"sources": n, "result": f"exit {done.returncode}", "diagnosis": tail[0][:160]}
        else:
            row = json.loads(done.stdout.strip().splitlines()[-1])
        row["wall_s"] = time.perf_counter() - t0
        rows.append(row)
        print(json.dumps(row), flush=True)
        df = pd.DataFrame(rows)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(args.out.with_suffix(".csv"), index=False)
        args.out.with_suffix(".md").write_text(_report(df, args), encoding="utf-8")


if __name__ == "__main__":
    main()
