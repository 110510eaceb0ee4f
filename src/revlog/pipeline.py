"""``solve(scenario)`` = geography → location → routing → :class:`~revlog.plan.Plan`.

Each stage takes plain data in and hands immutable results on: the scenario's prepared
:class:`~revlog.inputs.Inputs`, its :class:`~revlog.problems.Geography`, stage 1's
:class:`~revlog.location.solve.NetworkDesign`, stage 2's
:class:`~revlog.plan.build.BaseRuns` per base; :func:`revlog.plan.build.assemble_plan`
makes the plan. This module only sequences the stages, splits the time limit between them,
checks every routing answer with the independent checker and turns failures into
diagnoses (:mod:`revlog.explain`).
"""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path

import numpy as np

from revlog.distributed import DaskTarget
from revlog.errors import (
    Diagnosis,
    InfeasibleError,
    LocationInfeasibleError,
    LocationNoSolutionError,
    SolveInterruptedError,
)
from revlog.explain import explain_location
from revlog.inputs import Inputs, prepare
from revlog.location.existing import keep_costs_cny
from revlog.location.first_mile import FleetFirstMile, FleetHours, fleet_first_mile
from revlog.location.problem import LocationProblem
from revlog.location.route_aware import Proposal, pickup_estimate_cny, route_cached
from revlog.location.solve import NetworkDesign, design_from_solution, solve_location
from revlog.loop.model import LoopExtension
from revlog.loop.problem import loop_problem
from revlog.loop.report import with_loop
from revlog.plan import Plan
from revlog.plan.build import assemble_plan
from revlog.problems import (
    Geography,
    build_geography,
    location_problem,
    routing_problem,  # noqa: F401  (re-exported: tests build base problems through here)
)
from revlog.progress import Progress
from revlog.routing.interrupts import RoutingInterrupts
from revlog.routing_stage import route_bases
from revlog.scenario.load import load_scenario
from revlog.scenario.schema import Scenario

_clock = time.perf_counter

#: ``location.method: lrp`` with ``collection_per_prefecture: false``: the proposals of the
#: rule-abiding solve are made too (label + this suffix), so relaxing the rule never loses them.
#: The location time and the routing work are shared by the other proposals only, so these
#: are solved and routed exactly as in the rule-abiding solve (same seed and time limit);
#: their work is over the budget, the wall clock still the safety net.
STRICT_SUFFIX = "-prefecture"
#: Share of the total time limit kept back for checking and assembling the plan.
ASSEMBLY_RESERVE_SHARE = 0.02


def solve(
    scenario: Scenario | str | Path,
    time_limit: float | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    dask: DaskTarget | None = None,
) -> Plan:
    """Solve a scenario end to end.

    Parameters
    ----------
    scenario
        A :class:`Scenario` or the path of a scenario file.
    time_limit
        Total time limit, s (default: the scenario's ``solver.time_limit_s``).
    seed
        Random seed (default: the scenario's ``solver.seed``).
    progress
        Optional callback ``progress(stage, message)`` for long solves.
    dask
        Route the bases in parallel on this Dask cluster (:mod:`revlog.parallel`; the same
        plan as the serial solve); ``None``: one base after the other in this process.

    Returns
    -------
    Plan
        The plan (see :mod:`revlog.plan`).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return solve_inputs(
        prepare(sc), time_limit_s=time_limit, seed=seed, progress=progress, dask=dask
    )


def solve_inputs(
    inputs: Inputs,
    time_limit_s: float | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    dask: DaskTarget | None = None,
) -> Plan:
    """Solve prepared inputs (see :func:`solve`).

    Time limit: the clock starts on entry. Stage 1 gets ``solver.location_share`` of it;
    stage 2 the rest but :data:`ASSEMBLY_RESERVE_SHARE`, as work fixed in advance (each
    base its share by sources, :mod:`revlog.routing.budget`) with the wall clock as the
    safety net, so that the same input and seed give the same plan on any machine load.

    Ctrl-C: HiGHS stops with its incumbent design; the base being searched and every base
    after it get quick constructive runs (:func:`revlog.routing.interrupts.quick_runs`);
    the plan is checked like any other and marked ``meta["interrupted"] = True``. A second
    Ctrl-C during that fallback, or one before stage 1 has a design, gives up.

    Raises
    ------
    InfeasibleError
        With diagnoses naming the site and the limit.
    SolveInterruptedError
        If Ctrl-C came when no complete plan could be put together.
    """
    sc = inputs.scenario
    total = time_limit_s if time_limit_s is not None else sc.solver.time_limit_s
    seed = sc.solver.seed if seed is None else seed
    loc_s = total * sc.solver.location_share
    say = progress or (lambda stage, msg: None)
    t_start = _clock()
    geo, proposals = _design(inputs, loc_s, seed, say)
    interrupted = proposals[0].design.status == "interrupted"
    if interrupted:
        say("location", "interrupted: keeping the incumbent design; quick runs for every base")
    # what each kept existing outlet costs against closing it (stage 1 re-solved without
    # it), within what is left of stage 1's time
    existing = np.zeros(proposals[0].design.problem.n_facilities, dtype=bool)  # plant, ...
    existing[1 : 1 + len(inputs.candidates)] = inputs.candidates["existing"].astype(bool)
    deadline = t_start + total * (1.0 - ASSEMBLY_RESERVE_SHARE)
    routing_work_s = total * max(0.0, 1.0 - sc.solver.location_share - ASSEMBLY_RESERVE_SHARE)
    route = route_bases
    rt = sc.routing
    if dask is not None and (rt.cadence != "every_round" or rt.split_pickups):
        # the Dask path routes one problem per base: rounds and split variants run serially
        say("routing", "cadence by rounds or split pickups: routing serially, not on Dask")
        dask = None
    if dask is not None:
        from revlog.parallel import route_bases_on_dask

        route = functools.partial(route_bases_on_dask, target=dask)
    meta = {
        "seed": seed,
        "time_limit_s": total,
        "location_time_limit_s": loc_s,
        "interrupted": interrupted,
        "warnings": [str(w) for w in inputs.warnings],
    }
    n = len(proposals)
    per_design_s = routing_work_s / sum(not p.label.endswith(STRICT_SUFFIX) for p in proposals)
    cache: dict = {}
    best: tuple[float, Plan, NetworkDesign] | None = None
    failed: InfeasibleError | None = None
    realised: dict[str, dict[str, float]] = {}
    for prop in proposals:
        design = prop.design
        left_s = max(0.0, t_start + loc_s - _clock())
        keep = {} if interrupted else keep_costs_cny(design, existing, left_s / n, seed)
        budget = (deadline, per_design_s)
        with RoutingInterrupts() as ctrl_c:
            try:
                if n == 1:
                    bases, interrupted = route(
                        inputs, geo, design.bases(), budget, seed, interrupted, ctrl_c, say
                    )
                else:
                    bases, interrupted = route_cached(
                        route, inputs, geo, design.bases(), cache, budget, seed, interrupted,
                        ctrl_c, say,
                    )  # fmt: skip
            except InfeasibleError as exc:
                if n == 1:
                    raise
                say("location", f"design {prop.label}: cannot be routed")
                # none routable: the two-stage design's diagnoses (the last proposal) explain
                # it, as under location.method: two-stage
                failed = exc
                continue
        meta["interrupted"] = interrupted
        try:
            plan = assemble_plan(inputs, geo, design, bases, meta=dict(meta), keep_costs=keep)
        except KeyboardInterrupt:
            raise SolveInterruptedError("output", "the plan was being assembled") from None
        plan.kpis["pickup_cost_estimate_cny_per_year"] = prop.estimate_cny
        total_cny = float(plan.kpis["total_cost_cny_per_year"])
        say(
            "location",
            f"design {prop.label}: realised total {total_cny:,.0f} CNY/year (pickups "
            f"{float(plan.kpis['pickup_cost_cny_per_year']):,.0f}, estimated "
            f"{prop.estimate_cny:,.0f})",
        )
        realised[prop.label] = {
            "total_cny_per_year": total_cny,
            "pickup_cny_per_year": float(plan.kpis["pickup_cost_cny_per_year"]),
            "pickup_estimate_cny_per_year": prop.estimate_cny,
            "location_objective_cny_per_year": prop.design.objective_cny,
        }
        if best is None or total_cny < best[0] - 1e-6:
            best = (total_cny, plan, design)
    if best is None:
        assert failed is not None
        raise failed
    _, plan, design = best
    # a Ctrl-C during a later proposal cut the search short even if an earlier plan is kept
    plan.meta["interrupted"] = interrupted
    if n > 1:
        # every design routed: its realised total, pickups, estimate, stage-1 objective
        plan.meta["designs"] = realised
        kept = next(p for p in proposals if p.design is design)
        plan.meta["location_design"] = kept.label
        plan.meta["location_arcs"] = "fleet" if kept.fleet_priced else "per_t_km"
    return with_loop(inputs, geo, design, plan) if sc.loop.enabled else plan


def _design(
    inputs: Inputs, limit_s: float, seed: int, say: Progress
) -> tuple[Geography, list[Proposal]]:
    """Geography and stage 1's designs to route; Ctrl-C before a design exists gives up.

    ``location.method: two-stage``: the MILP with the first mile per t·km; ``lrp``: first the
    MILP with the first mile priced by the fleet, then the two-stage one (each on half the
    time), both to be routed (:mod:`revlog.location.route_aware`); with the prefecture rule
    relaxed, both again with the rule (:data:`STRICT_SUFFIX`).
    """
    stage = "geography"
    lrp = inputs.scenario.location.method == "lrp"
    proposals: list[Proposal] = []
    try:
        say("geography", f"{len(inputs.sources)} sources, {len(inputs.candidates)} candidate sites")
        geo = build_geography(inputs)
        say(
            "geography",
            f"{geo.provider} travel: {len(geo.facility_ids)} facilities × {len(geo.sites)} "
            f"sites in {geo.seconds:.2f} s (per-base matrices as routed)",
        )
        stage = "location"
        two_stage = location_problem(inputs, geo)
        problems: list[tuple[str, LocationProblem, FleetFirstMile | None]] = [
            ("two-stage", two_stage, None)
        ]
        fm = fleet_first_mile(inputs, geo, two_stage) if lrp else None
        if fm is not None:
            fleet = dataclasses.replace(two_stage, arc_cost_cny=fm.arc_cost_cny)
            problems.insert(0, ("lrp", fleet, fm))
        share_s = limit_s / len(problems)
        if lrp and not two_stage.require_collection_per_prefecture:
            # relaxing the prefecture rule must not lose the designs that keep it
            problems += [
                (label + STRICT_SUFFIX,
                 dataclasses.replace(problem, require_collection_per_prefecture=True), hours)
                for label, problem, hours in problems
            ]  # fmt: skip
        for label, problem, hours in problems:
            say(
                "location",
                f"{label}: {problem.n_sources} sources, {problem.n_facilities} facilities, "
                f"{len(problem.arc_source)} arcs; time limit {share_s:.0f} s",
            )
            try:
                design = _solve_location_stage(inputs, geo, problem, share_s, seed, hours)
            except InfeasibleError:
                if not label.endswith(STRICT_SUFFIX):
                    raise
                # the rule cannot be kept: the rule-abiding solve has no plan to lose
                say("location", f"{label}: no design keeps the prefecture rule")
                continue
            if label.endswith(STRICT_SUFFIX):  # a feasible design of the relaxed problem
                design = dataclasses.replace(
                    design_from_solution(
                        dataclasses.replace(problem, require_collection_per_prefecture=False),
                        design.open_mask, design.assignment, design.flow_t,
                    ),
                    build_seconds=design.build_seconds, solve_seconds=design.solve_seconds,
                )  # fmt: skip
            estimate = design.cost_first_mile_cny
            if fm is not None:
                estimate = pickup_estimate_cny(design, fm.arc_cost_cny)
            proposals.append(Proposal(label, design, estimate, fleet_priced=hours is not None))
            say(
                "location",
                f"{label} {design.status}: {int(design.open_mask.sum()) - 1} outlets open, "
                f"{design.objective_cny:,.0f} CNY/year, gap {design.gap:.2e}",
            )
            if design.status == "interrupted":
                break
    except KeyboardInterrupt:
        if stage == "location" and proposals:
            return geo, proposals
        raise SolveInterruptedError(stage, "no outlet design found yet") from None
    return geo, proposals


def _solve_location_stage(
    inputs: Inputs,
    geo: Geography,
    problem: LocationProblem,
    limit_s: float,
    seed: int,
    fleet: FleetFirstMile | None = None,
) -> NetworkDesign:
    """Stage 1 with its failures turned into :class:`InfeasibleError` diagnoses.

    ``fleet``: the fleet's hours per base are rows of the MILP (:class:`FleetHours`).
    """
    sc = inputs.scenario
    loop = LoopExtension(loop_problem(inputs, geo, problem)) if sc.loop.enabled else None
    if fleet is not None:
        loop = FleetHours(fleet, loop)
    try:
        return solve_location(
            problem,
            time_limit_s=limit_s,
            mip_gap=sc.solver.mip_gap,
            seed=seed,
            threads=sc.solver.threads,
            extension=loop,
        )
    except LocationInfeasibleError as exc:
        found = explain_location(inputs, geo, problem, exc.diagnoses)
        raise InfeasibleError(found, stage="location") from None
    except LocationNoSolutionError as exc:
        if exc.status == "interrupted":
            raise KeyboardInterrupt from None
        text = (
            f"no feasible outlet design found within {limit_s:.0f} s ({exc.status}); "
            "raise solver.time_limit_s or solver.location_share"
        )
        raise InfeasibleError(
            [Diagnosis("location_time_limit", text, setting="solver.time_limit_s")],
            stage="location",
        ) from None
