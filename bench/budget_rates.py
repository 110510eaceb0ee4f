"""Measure the work rates behind revlog's deterministic search budgets.

Every base of the shipped scenarios (as shipped, and with one-day runs so that OR-Tools'
guided local search runs too) is routed with a fixed work budget while the three searches
are timed: PyVRP's relaxed search (iterations × clients per second), the constructive
search's improvement moves (exact schedule checks per second) and OR-Tools' local search
(solutions per second). The rates in ``src/revlog/routing/budget.py`` are set well below
the slowest rates measured here, so that a search ends on its work budget, not on its
wall-clock safety net; the script also reports how much the OR-Tools search improved on its
start.

    python bench/budget_rates.py [--work-s 2] [--out bench/results/budget_rates.csv]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from revlog.errors import RoutingInfeasibleError
from revlog.inputs import prepare
from revlog.location.solve import solve_location
from revlog.problems import build_geography, location_problem, routing_problem
from revlog.routing import engine, ortools
from revlog.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ["qinghai-baseline", "qinghai-2030"]


class _Probe:
    """Wrappers that time the three searches of one routing call."""

    def __init__(self) -> None:
        self.reset()
        self._pyvrp, self._improve_runs = engine.solve_pyvrp, ortools.improve_runs
        self._construct = ortools.construct
        self._solve = pywrap_solves()

    def reset(self) -> None:
        self.pyvrp_s = self.pyvrp_it = self.checks = self.construct_s = 0.0
        self.ortools_s = self.solutions = 0.0
        self.start_cost = self.end_cost = None

    def install(self) -> None:
        probe = self

        def pyvrp(model, *a, **k):
            found = probe._pyvrp(model, *a, **k)
            probe.pyvrp_s += found.runtime_s
            probe.pyvrp_it += found.iterations * model.data.num_clients
            return found

        def timed(fn):
            def run(inst, items, budget, *a):
                t = time.perf_counter()
                out = fn(inst, items, budget, *a)
                probe.construct_s += time.perf_counter() - t
                probe.checks += budget.used
                return out

            return run

        engine.solve_pyvrp = pyvrp
        ortools.construct = timed(self._construct)
        ortools.improve_runs = timed(self._improve_runs)
        cls = ortools.pywrapcp.RoutingModel
        original = self._solve

        def solve_from(model, start, params):
            t = time.perf_counter()
            out = original(model, start, params)
            probe.ortools_s += time.perf_counter() - t
            probe.solutions += model.solver().Solutions()
            return out

        cls.SolveFromAssignmentWithParameters = solve_from

    def remove(self) -> None:
        engine.solve_pyvrp, ortools.improve_runs = self._pyvrp, self._improve_runs
        ortools.construct = self._construct
        ortools.pywrapcp.RoutingModel.SolveFromAssignmentWithParameters = self._solve


def pywrap_solves():
    return ortools.pywrapcp.RoutingModel.__dict__["SolveFromAssignmentWithParameters"]


def _problems(name: str, one_day: bool):
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    if one_day:
        sc = sc.model_copy(update={"rules": sc.rules.model_copy(update={"max_days_per_run": 1})})
    inputs = prepare(sc)
    geo = build_geography(inputs)
    design = solve_location(location_problem(inputs, geo), time_limit_s=60)
    for base in design.bases():
        yield routing_problem(inputs, geo, base.site_id, base.kind, list(base.sources))


def measure(work_s: float) -> pd.DataFrame:
    probe = _Probe()
    probe.install()
    rows = []
    try:
        for name in SCENARIOS:
            for one_day in (False, True):
                label = name + (" one-day" if one_day else "")
                for rp in _problems(name, one_day):
                    probe.reset()
                    t0 = time.perf_counter()
                    try:
                        sol = engine.solve_routing(rp, 10 * work_s + 30, seed=0, work_s=work_s)
                    except RoutingInfeasibleError:
                        continue  # e.g. a far stop beyond a one-day run
                    rows.append(
                        {
                            "scenario": label,
                            "base": rp.name,
                            "stops": rp.n_nodes - 1,
                            "work_s": work_s,
                            "wall_s": time.perf_counter() - t0,
                            "pyvrp_s": probe.pyvrp_s,
                            "pyvrp_client_it_per_s": probe.pyvrp_it / max(probe.pyvrp_s, 1e-9),
                            "construct_s": probe.construct_s,
                            "checks_per_s": probe.checks / max(probe.construct_s, 1e-9),
                            "ortools_s": probe.ortools_s,
                            "solutions_per_s": probe.solutions / max(probe.ortools_s, 1e-9),
                            "engine": sol.engine,
                            "objective_cny": sol.objective_cny,
                            "clock_hit": sol.clock_hit,
                        }
                    )
                    print(
                        {
                            k: (round(v, 3) if isinstance(v, float) else v)
                            for k, v in rows[-1].items()
                        },
                        flush=True,
                    )
    finally:
        probe.remove()
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work-s", type=float, default=2.0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "budget_rates.csv")
    args = ap.parse_args()
    df = measure(args.work_s)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out, index=False)
    busy = df[df["ortools_s"] > 0.05]
    print(
        f"\nwork {args.work_s:g} s per base, {len(df)} bases: "
        f"wall median {df.wall_s.median():.2f} s, max {df.wall_s.max():.2f} s; "
        f"clock hits {int(df.clock_hit.sum())}\n"
        f"PyVRP client-iterations/s: median {df.pyvrp_client_it_per_s.median():,.0f}, "
        f"min {df.pyvrp_client_it_per_s.min():,.0f}\n"
        f"schedule checks/s (bases with checks): "
        f"median {df[df.checks_per_s > 0].checks_per_s.median():,.0f}, "
        f"min {df[df.checks_per_s > 0].checks_per_s.min():,.0f}\n"
        f"OR-Tools solutions/s ({len(busy)} bases searched): "
        f"median {busy.solutions_per_s.median():,.1f}, min {busy.solutions_per_s.min():,.1f}"
    )


if __name__ == "__main__":
    main()
