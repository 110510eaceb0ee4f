"""revlog's routing engine: PyVRP's iterated local search, OR-Tools for the rich rules.

:func:`solve_routing` is the one entry point of stage 2 and of the benchmarks.

* When PyVRP expresses the problem **exactly** (no driver rules, one window per stop, no
  forbidden arcs: the benchmark instances, rule-free scenarios), PyVRP's iterated local
  search (:mod:`revlog.routing.pyvrp_engine`, parameters chosen for the budget by
  :func:`~revlog.routing.pyvrp_engine.search_params`) gets the whole budget and its best
  routes are returned, scheduled at the earliest times (``engine="pyvrp"``).
* Otherwise (driver rules, several windows, forbidden arcs) the problem is first checked
  by :func:`~revlog.routing.rules.diagnose`: when it proves infeasibility the call fails at
  once. Then PyVRP searches the relaxed problem until :data:`RELAXED_NO_IMPROVEMENT`
  iterations bring nothing better (at most :data:`PYVRP_SHARE` of the budget), and
  :func:`~revlog.routing.ortools.solve_ortools` gets the rest: it schedules PyVRP's routes
  exactly under the full rules, builds its own runs, starts from the cheaper that the fleet
  can run and, with one-day rules, improves it by guided local search. ``engine`` is
  ``"pyvrp+ortools"`` when PyVRP's routes were the start, else ``"ortools"``.

Why PyVRP at the core, and what was tried: ``docs/design.md``.

Determinism: PyVRP is seeded by ``seed``; OR-Tools is deterministic given its input. A
search stopped by the time limit depends on the machine's speed; pass ``max_iterations``
to stop PyVRP by iteration count instead. On the rule path the relaxed PyVRP search stops
on iterations (unless its time share binds) and the constructive start is deterministic,
so with multi-day rules the same problem and seed give the same routes; with one-day rules
the guided local search runs to the time limit.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

import numpy as np

from revlog.errors import Diagnosis, RoutingInfeasibleError
from revlog.routing.budget import pyvrp_iterations
from revlog.routing.problem import RoutingProblem
from revlog.routing.pyvrp_engine import PyVRPRoutes, solve_pyvrp, to_pyvrp
from revlog.routing.rules import diagnose
from revlog.routing.solution import RoutingSolution, Run, Stop

#: Share of the time budget given to PyVRP when OR-Tools must enforce rules it lacks.
PYVRP_SHARE = 0.5

#: The relaxed PyVRP search stops after this many iterations without a better solution
#: (or at its share of the budget): it only proposes a start, and stopping on iterations
#: rather than the clock keeps the result independent of the machine's speed.
RELAXED_NO_IMPROVEMENT = 500

#: Time kept back for building the answer, s.
_MARGIN_S = 0.02

#: Least time given to OR-Tools (its constructive start alone), s.
_MIN_ORTOOLS_S = 0.05


def solve_routing(
    problem: RoutingProblem,
    time_limit_s: float,
    seed: int = 0,
    *,
    max_iterations: int | None = None,
    work_s: float | None = None,
    polish: bool = False,
) -> RoutingSolution:
    """Plan the runs of one base: PyVRP's search, OR-Tools for the rich rules.

    Parameters
    ----------
    problem
        The base, its stops and fleet (a scenario's problem or a benchmark instance).
    time_limit_s
        Wall-time budget of the whole call, s: the safety net.
    seed
        Random seed of the PyVRP search.
    max_iterations
        Optional cap on PyVRP's iterations; with it (and a generous time limit) the
        result does not depend on the machine's speed.
    work_s
        With driver rules: the seconds the searches' work budgets are derived from
        (:mod:`revlog.routing.budget`; default ``time_limit_s``). Given a fixed ``work_s``,
        the result does not depend on the machine unless the wall clock cuts in first
        (``clock_hit``). Without rules (the benchmarks) PyVRP runs to ``time_limit_s``.
    polish
        Let OR-Tools' local search polish the constructed runs (see
        :func:`~revlog.routing.ortools.solve_ortools`).

    Returns
    -------
    RoutingSolution
        The best solution found; ``engine`` says which path produced it
        (``"pyvrp"``, ``"pyvrp+ortools"`` or ``"ortools"``) and ``notes`` why.

    Raises
    ------
    RoutingInfeasibleError
        If no feasible solution is found (or a stop cannot be served and no drop
        penalty is set).
    """
    t0 = time.perf_counter()
    model = to_pyvrp(problem)
    notes = [f"pyvrp model relaxes: {r}" for r in model.relaxations]

    def left() -> float:
        return time_limit_s - (time.perf_counter() - t0)

    if model.exact:
        found = solve_pyvrp(model, left() - _MARGIN_S, seed, max_iterations=max_iterations)
        if found.feasible and _serves_all(problem, found):
            sol = solution_from_routes(problem, found.routes, found.vehicle_types)
            return dataclasses.replace(
                sol,
                status="feasible",
                engine="pyvrp",
                seconds=time.perf_counter() - t0,
                notes=[*notes, f"pyvrp: {found.iterations} iterations, seed {seed}"],
            )
        notes.append("pyvrp found no feasible solution: OR-Tools alone")
        return _ortools(problem, left(), seed, None, notes, t0, work_s, polish)

    # Rich rules: fail fast when the quick pre-check proves the problem infeasible.
    diag = diagnose(problem)
    if diag and problem.drop_penalty_cny is None:
        raise RoutingInfeasibleError(diag)
    # A short relaxed PyVRP search (until it stops improving) proposes routes; OR-Tools'
    # module builds its own exact runs too, keeps the cheaper start that the fleet can
    # run under the full rules, and searches from it with the rest of the budget.
    work = time_limit_s if work_s is None else work_s
    iterations = pyvrp_iterations(PYVRP_SHARE * work, problem.n_nodes - 1)
    if max_iterations is not None:
        iterations = min(iterations, max_iterations)
    pyvrp_s = PYVRP_SHARE * left()
    found = solve_pyvrp(
        model, pyvrp_s, seed, max_iterations=iterations, no_improvement=RELAXED_NO_IMPROVEMENT
    )
    notes.append(f"pyvrp (relaxed): {found.iterations} iterations, seed {seed}")
    clock_hit = found.iterations < iterations and found.runtime_s >= pyvrp_s - _MARGIN_S
    routes = None
    if found.feasible and found.routes and _serves_all(problem, found):
        routes = found.routes
    else:
        notes.append("pyvrp found no feasible relaxed solution")
    rest = (1 - PYVRP_SHARE) * work
    sol = _ortools(problem, left() - _MARGIN_S, seed, routes, notes, t0, rest, polish)
    return dataclasses.replace(sol, clock_hit=sol.clock_hit or clock_hit)


def _serves_all(problem: RoutingProblem, found: PyVRPRoutes) -> bool:
    if problem.drop_penalty_cny is not None:
        return True
    return sum(len(r) for r in found.routes) == problem.n_nodes - 1


def _ortools(
    problem: RoutingProblem,
    time_left_s: float,
    seed: int,
    initial: list[list[int]] | None,
    notes: list[str],
    t0: float,
    work_s: float | None,
    polish: bool,
) -> RoutingSolution:
    from revlog.routing.ortools import solve_ortools

    sol = solve_ortools(
        problem,
        max(time_left_s, _MIN_ORTOOLS_S),
        seed=seed,
        initial_routes=initial,
        work_s=None if work_s is None else max(work_s, _MIN_ORTOOLS_S),
        polish=polish,
    )
    return dataclasses.replace(
        sol,
        engine="pyvrp+ortools" if sol.start == "given" else "ortools",
        notes=[*notes, *sol.notes],
        seconds=time.perf_counter() - t0,
    )


def solution_from_routes(
    problem: RoutingProblem,
    routes: Sequence[Sequence[int]],
    vehicle_types: Sequence[int] | None = None,
) -> RoutingSolution:
    """Schedule rule-free routes at their earliest times and cost them.

    For problems without driver rules: each run leaves the base when its window opens,
    waits at a stop until its window opens, and serves every stop at the earliest
    possible time.

    Parameters
    ----------
    problem
        The routing problem (``rules`` is ignored: use OR-Tools when rules apply).
    routes
        Node indices of each route (base omitted).
    vehicle_types
        Index in ``problem.vehicle_types`` of each route's vehicle (default: type 0).

    Returns
    -------
    RoutingSolution
        Runs with stops, loads, km, hours, exposure and costs; stops not visited are
        reported as dropped.

    Raises
    ------
    RoutingInfeasibleError
        If a route reaches a stop after its last window closes.
    """
    if vehicle_types is None:
        vehicle_types = [0] * len(routes)
    km = np.asarray(problem.km, dtype=float)
    hours = np.asarray(problem.hours, dtype=float)
    expo_m = None if problem.exposure is None else np.asarray(problem.exposure, dtype=float)
    intact = np.asarray(problem.pickup_intact_kg, dtype=float)
    damaged = np.asarray(problem.pickup_damaged_kg, dtype=float)
    service = np.asarray(problem.service_h, dtype=float)
    base_open = min(lo for lo, _ in problem.time_windows_h[0])
    used = [0] * len(problem.vehicle_types)
    runs: list[Run] = []
    visited: set[int] = set()
    for route, t_idx in zip(routes, vehicle_types, strict=True):
        if len(route) == 0:
            continue
        vt = problem.vehicle_types[t_idx]
        t = base_open
        stops = [Stop(0, problem.node_ids[0], t, t, t, 0.0, 0.0, int(t // 24))]
        load_i = load_d = run_km = expo = 0.0
        prev = 0
        for j in [*route, 0]:
            j = int(j)
            run_km += float(km[prev, j])
            expo += 0.0 if expo_m is None else float(expo_m[prev, j])
            arrival = t + float(hours[prev, j])
            if j == 0:
                stops.append(
                    Stop(0, problem.node_ids[0], arrival, arrival, arrival, load_i, load_d,
                         int(arrival // 24))
                )  # fmt: skip
                break
            start = next(
                (max(arrival, lo) for lo, hi in problem.time_windows_h[j] if arrival <= hi + 1e-9),
                None,
            )
            if start is None:
                raise RoutingInfeasibleError(
                    [
                        Diagnosis(
                            "window_unreachable",
                            f"{problem.name}: stop {j} reached too late",
                            site=problem.node_ids[j],
                        )
                    ]
                )
            load_i += float(intact[j])
            load_d += float(damaged[j])
            t = start + float(service[j])
            stops.append(
                Stop(j, problem.node_ids[j], arrival, start, t, load_i, load_d, int(start // 24))
            )
            visited.add(j)
            prev = j
        runs.append(
            Run(
                vehicle_type=vt.id,
                vehicle=used[t_idx],
                trip=0,
                stops=stops,
                km=run_km,
                hours=stops[-1].arrival_h - stops[0].departure_h,
                exposure=expo,
                cost_cny=vt.run_cost_cny(run_km, stops[-1].arrival_h - stops[0].departure_h),
            )
        )
        used[t_idx] += 1
    dropped = [i for i in range(1, problem.n_nodes) if i not in visited]
    return RoutingSolution.from_parts(problem, runs, dropped)
