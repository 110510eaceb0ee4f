"""Stage 2 on Dask: the independent bases of one plan routed in parallel.

:func:`route_bases_on_dask` is the parallel counterpart of the pipeline's base-by-base
loop (``revlog solve --workers N`` or ``--scheduler ADDRESS``). It gives the same plan as
the serial solve for the same input and seed: every base's search gets the same work
budget (its share by sources of the stage's work, :func:`revlog.routing_stage.base_work_s`,
fixed in advance) and the searches stop on work, not on the clock
(:mod:`revlog.routing.budget`). The wall clock is only the safety net: each base's search
may take, from when it starts on a worker, its share by sources of the stage's time times
the number of workers (so the searches together still fit the stage's time), counted from
when the cluster is ready: a local cluster's start-up (a few seconds) comes on top of the
time limit and never cuts a search short. The routing problems are built, pre-diagnosed and
their runs checked by the independent checker in this process; only the searches run on
the workers. The travel matrix behind the problems' places on the road
(:class:`revlog.problems.LegPlaces`) is sent to the workers once, not with every base.

Ctrl-C while waiting: the bases whose runs have arrived keep them, every other base gets
quick constructive runs (:func:`revlog.routing.interrupts.quick_runs`), as in the serial
solve.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from revlog.check.routes import check_routes
from revlog.distributed import DaskTarget, dask_client, results_as_completed, safe_key
from revlog.errors import (
    Diagnosis,
    InfeasibleError,
    RoutingCheckError,
    RoutingInfeasibleError,
    SolveInterruptedError,
)
from revlog.explain import explain_routing, quick_diagnosis
from revlog.inputs import Inputs
from revlog.location.solve import Base
from revlog.plan.build import BaseRuns
from revlog.problems import Geography, LegPlaces, routing_problem
from revlog.progress import Progress, stepped
from revlog.routing.interrupts import RoutingInterrupts, quick_runs
from revlog.routing.problem import RoutingProblem
from revlog.routing.solution import RoutingSolution

#: Smallest wall-clock safety net of one base's search on a worker, s.
MIN_REMOTE_LIMIT_S = 0.5


def search_remote(
    rp: RoutingProblem,
    places: tuple[Any, tuple[str, ...]] | None,
    work_s: float,
    limit_s: float,
    seed: int,
    polish: bool,
) -> tuple[RoutingSolution | None, list[Diagnosis]]:
    """Worker task: one base's search; its runs, or why there are none.

    Parameters
    ----------
    rp
        The base's routing problem (without its places on the road when ``places`` is
        given).
    places
        ``(travel matrix, site id of each node)`` to rebuild ``rp.rest_points`` from.
    work_s
        The base's seconds of work (:func:`revlog.routing_stage.base_work_s`).
    limit_s
        The search's wall-clock safety net from its start on the worker, s.
    seed, polish
        As for :func:`revlog.routing.engine.solve_routing`.
    """
    from revlog.routing.engine import solve_routing

    if places is not None:
        rp = dataclasses.replace(rp, rest_points=LegPlaces(places[0], places[1]))
    try:
        sol = solve_routing(rp, time_limit_s=limit_s, seed=seed, work_s=work_s, polish=polish)
    except RoutingInfeasibleError as exc:
        return None, exc.diagnoses
    return sol, []


def route_bases_on_dask(
    inputs: Inputs,
    geo: Geography,
    bases: list[Base],
    budget_s: tuple[float, float],
    seed: int,
    interrupted: bool,
    ctrl_c: RoutingInterrupts,
    say: Progress,
    target: DaskTarget,
) -> tuple[list[BaseRuns], bool]:
    """Stage 2 with the bases' searches on Dask; every answer checked here.

    Parameters
    ----------
    inputs, geo, bases
        The prepared inputs, their geography and stage 1's bases.
    budget_s
        The stage's deadline (``time.perf_counter`` clock) and its seconds of work.
    seed
        Random seed of every base's search.
    interrupted
        Whether Ctrl-C came during stage 1 (then every base gets quick runs, no Dask).
    ctrl_c
        The stage's Ctrl-C state.
    say
        Progress callback.
    target
        The Dask cluster.

    Returns
    -------
    list of BaseRuns, bool
        The bases' runs in the order of ``bases``, and whether Ctrl-C cut the search.

    Raises
    ------
    InfeasibleError
        With every base's diagnosis (pre-checks first: no search runs when one fails).
    RoutingCheckError
        If a search's runs fail the independent checker.
    """
    from revlog.routing_stage import _clock, base_work_s

    deadline, work_s = budget_s
    n_all = sum(len(b.sources) for b in bases) or 1
    problems: list[RoutingProblem] = []
    found: list[Diagnosis] = []
    for base in bases:
        rp = routing_problem(inputs, geo, base.site_id, base.kind, list(base.sources))
        problems.append(rp)
        found += quick_diagnosis(base.site_id, base.kind, rp)
    if found:
        raise InfeasibleError(found, stage="routing")
    sols: dict[int, tuple[RoutingSolution | None, list[Diagnosis]]] = {}
    if not interrupted:
        stage_s = max(deadline - _clock(), 0.0)
        polish = inputs.scenario.solver.ortools_polish
        works = [base_work_s(work_s, len(b.sources), n_all) for b in bases]
        shares = [len(b.sources) / n_all for b in bases]
        say("routing", f"{len(bases)} bases on Dask ({_where(target)})")
        try:
            sols = _search_all(problems, works, (stage_s, shares), seed, polish, target, say)
        except KeyboardInterrupt:
            ctrl_c.pressed = True
    if ctrl_c.pressed and not interrupted:
        interrupted = True
        say("routing", f"interrupted: quick runs for the {len(bases) - len(sols)} bases left")
    routed: list[BaseRuns] = []
    for k, (base, rp) in enumerate(zip(bases, problems, strict=True)):
        sol, why = sols.get(k, (None, []))
        if sol is None and why:
            found += explain_routing(base.site_id, rp, why)
            continue
        if sol is None:
            try:
                sol = quick_runs(rp, seed)
            except KeyboardInterrupt:
                raise SolveInterruptedError("routing", f"base {base.site_id} had no runs") from None
        violations = check_routes(rp, sol)
        if violations:
            raise RoutingCheckError(base.site_id, violations)
        routed.append(BaseRuns(rp, sol))
    if found:
        raise InfeasibleError(found, stage="routing")
    return routed, interrupted


def _search_all(
    problems: list[RoutingProblem],
    works: list[float],
    time_s: tuple[float, list[float]],
    seed: int,
    polish: bool,
    target: DaskTarget,
    say: Progress,
) -> dict[int, tuple[RoutingSolution | None, list[Diagnosis]]]:
    """Every base's search on the cluster (the largest first); results by base index.

    ``time_s``: the stage's seconds and each base's share of them (see the module doc).
    """
    out: dict[int, tuple[RoutingSolution | None, list[Diagnosis]]] = {}
    with dask_client(target) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        stage_s, shares = time_s
        shared: dict[int, Any] = {}  # one copy of each travel matrix on the cluster
        calls = []
        for k, rp in enumerate(problems):
            places = None
            if isinstance(rp.rest_points, LegPlaces):
                m = rp.rest_points.matrix
                if id(m) not in shared:
                    shared[id(m)] = client.scatter(m, broadcast=False, hash=False)
                places = (shared[id(m)], rp.rest_points.site_ids)
                rp = dataclasses.replace(rp, rest_points=None)
            limit = max(min(stage_s, n_workers * stage_s * shares[k]), MIN_REMOTE_LIMIT_S)
            args = (rp, places, works[k], limit, seed, polish)
            calls.append((f"revlog-route-{k}-{safe_key(rp.name)}", args))
        sizes = [rp.n_nodes for rp in problems]
        finished = results_as_completed(client, search_remote, calls, sizes)
        for done, (k, result) in enumerate(finished):
            out[k] = result
            sol = result[0]
            what = (
                f"{sol.n_runs} runs, {sol.distance_km:,.0f} km, "
                f"{sol.objective_cny:,.0f} CNY/period ({sol.status})"
                if sol is not None
                else "no runs"
            )
            stepped(say, done, len(problems), finished=True)(
                "routing", f"base {problems[k].name}: {what}"
            )
    return out


def _where(target: DaskTarget) -> str:
    if target.scheduler is not None:
        return f"scheduler {target.scheduler}"
    return f"local cluster of {target.n_workers} workers"
