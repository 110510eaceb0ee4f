"""Stage 2 of a solve: every base's pickup runs, searched and checked, round by round.

Each base gets its share (by sources) of the stage's work, fixed in advance, with the wall
clock as a safety net; under ``routing.cadence: by_stock`` its rounds share the base's budget
by their stops, and with ``routing.split_pickups`` each round is also searched with the
damaged packs of mixed visits as stops of their own, the cheaper checked runs kept. Every
answer passes the independent route checker before it is handed on
(:func:`revlog.check.routes.check_routes`). :mod:`revlog.parallel` runs the same searches
on Dask.
"""

from __future__ import annotations

import dataclasses
import time

from revlog.check.routes import check_routes
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
from revlog.problems import Geography, has_mixed_visits, problem_label, round_problems
from revlog.progress import Progress, stepped
from revlog.routing.engine import solve_routing
from revlog.routing.interrupts import RoutingInterrupts, quick_runs
from revlog.routing.problem import RoutingProblem
from revlog.routing.solution import RoutingSolution

_clock = time.perf_counter

#: Smallest time limit given to one base's routing search, s.
MIN_BASE_TIME_S = 0.5

#: Smallest time limit given to one round of a base (``routing.cadence: by_stock``), s.
MIN_ROUND_TIME_S = 0.1


def route_bases(
    inputs: Inputs,
    geo: Geography,
    bases: list[Base],
    budget_s: tuple[float, float],
    seed: int,
    interrupted: bool,
    ctrl_c: RoutingInterrupts,
    say: Progress,
) -> tuple[list[BaseRuns], bool]:
    """Stage 2, base by base, every answer checked; all diagnoses raised together.

    ``budget_s`` is the wall-clock deadline of the stage and the seconds of work it gets.
    Each base's work is its share (by number of sources) of the stage's work, fixed in
    advance, so the runs do not depend on how fast the bases before went; its wall-clock
    safety net is its share of what is left of the deadline.
    """
    deadline, work_s = budget_s
    n_all = sum(len(b.sources) for b in bases) or 1
    stops_left = n_all
    found: list[Diagnosis] = []
    routed: list[BaseRuns] = []
    split = inputs.scenario.routing.split_pickups
    polish = inputs.scenario.solver.ortools_polish
    for k, base in enumerate(bases):
        remaining = max(deadline - _clock(), 0.0)
        limit = max(remaining * len(base.sources) / stops_left, MIN_BASE_TIME_S)
        work = base_work_s(work_s, len(base.sources), n_all)
        stops_left -= len(base.sources)
        args = (inputs, geo, base.site_id, base.kind, list(base.sources))
        try:
            rps = round_problems(*args)
            split_rps = round_problems(*args, split=True) if split else [None] * len(rps)
        except KeyboardInterrupt:
            raise SolveInterruptedError("routing", f"base {base.site_id} had no runs yet") from None
        # the rounds of a base (cadence by_stock) share its budget by their stops
        n_stops = sum(rp.n_nodes - 1 for rp in rps) or 1
        t_base, stops_to_do = _clock(), n_stops
        for rp, rp_split in zip(rps, split_rps, strict=True):
            n = rp.n_nodes - 1
            left = max(limit - (_clock() - t_base), 0.0) * n / max(stops_to_do, 1)
            stops_to_do -= n
            budget = (max(left, MIN_ROUND_TIME_S), max(work * n / n_stops, MIN_ROUND_TIME_S))
            problems = quick_diagnosis(base.site_id, base.kind, rp)
            found += problems
            if problems or found:
                continue  # the scenario is infeasible already: only collect the diagnoses
            search = _Searcher(seed, polish, ctrl_c, stepped(say, k, len(bases)))
            runs, why, interrupted = _route_round((rp, rp_split), budget, interrupted, search)
            if runs is None:
                found += explain_routing(base.site_id, rp, why)
                continue
            routed.append(runs)
            sol = runs.solution
            stepped(say, k, len(bases), finished=True)(
                "routing",
                f"base {problem_label(runs.problem)}: {sol.n_runs} runs, "
                f"{sol.distance_km:,.0f} km, {sol.objective_cny:,.0f} CNY/period ({sol.status})"
                + (", damaged packs apart" if runs.problem.meta.get("split") else ""),
            )
    if found:
        raise InfeasibleError(found, stage="routing")
    return routed, interrupted


def base_work_s(stage_work_s: float, n_sources: int, n_all: int) -> float:
    """A base's seconds of routing work: its share by sources of the stage's work."""
    return max(stage_work_s * n_sources / n_all, MIN_BASE_TIME_S)


def _route_round(
    rps: tuple[RoutingProblem, RoutingProblem | None],
    limits: tuple[float, float],
    interrupted: bool,
    search: _Searcher,
) -> tuple[BaseRuns | None, list[Diagnosis], bool]:
    """One routing problem's checked runs (or why there are none) and whether Ctrl-C came.

    With a split variant (``routing.split_pickups``: the damaged packs of a visit a stop
    of their own) that differs, both are searched on half the budget each and the cheaper
    checked runs kept (ties: the joint pickups).
    """
    joint, apart = rps
    variants = [joint] if apart is None or not has_mixed_visits(joint) else [joint, apart]
    per = (limits[0] / len(variants), limits[1] / len(variants))
    best: BaseRuns | None = None
    why: list[Diagnosis] = []
    ctrl_c = search.ctrl_c
    for rp in variants:
        sol, reasons = search(rp, per, interrupted)
        if sol is None and not ctrl_c.pressed and reasons:
            why = why or reasons
            continue
        if ctrl_c.pressed and not interrupted:
            interrupted = True
            search.say("routing", f"interrupted at base {rp.name}: quick runs for the bases left")
        if sol is None and best is not None:
            continue
        sol = sol if sol is not None else quick_runs(rp, search.seed)
        violations = check_routes(rp, sol)
        if violations:
            # The engine's answer failed the independent checker: never hand it on silently.
            raise RoutingCheckError(problem_label(rp), violations)
        if best is None or sol.objective_cny < best.solution.objective_cny - 1e-6:
            best = BaseRuns(rp, sol)
    return best, ([] if best is not None else why), interrupted


@dataclasses.dataclass(frozen=True)
class _Searcher:
    """One problem's search with the solve's seed, polish flag, Ctrl-C state and progress."""

    seed: int
    polish: bool
    ctrl_c: RoutingInterrupts
    say: Progress

    def __call__(
        self, rp: RoutingProblem, limits: tuple[float, float], interrupted: bool
    ) -> tuple[RoutingSolution | None, list[Diagnosis]]:
        """The problem's runs (marked when Ctrl-C stopped them), or why there are none.

        ``limits``: the wall-clock safety net and the seconds of work, s.
        """
        if interrupted:
            return None, []
        limit_s, work_s = limits
        self.say(
            "routing", f"base {problem_label(rp)}: {rp.n_nodes - 1} stops, {work_s:.1f} s of work"
        )
        try:
            sol = solve_routing(
                rp, time_limit_s=limit_s, seed=self.seed, work_s=work_s, polish=self.polish
            )
        except KeyboardInterrupt:  # outside OR-Tools' search: this search is lost
            self.ctrl_c.pressed = True
            return None, []
        except RoutingInfeasibleError as exc:
            return None, ([] if self.ctrl_c.pressed else exc.diagnoses)
        if self.ctrl_c.pressed:  # OR-Tools stopped early and returned its best runs
            sol = dataclasses.replace(sol, status="interrupted")
        return sol, []
