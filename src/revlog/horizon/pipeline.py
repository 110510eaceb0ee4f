"""``solve_horizon_inputs`` = geography → one multi-year MILP → pickup runs per year → plan.

The time limit is split like the single-year solve's: ``solver.location_share`` goes to
stage 1 (a third of it to the myopic plan when ``horizon.myopic`` is on, the rest to the
multi-year MILP, which starts from the myopic plan), the rest to the pickup runs, an equal
share per year. Each year is routed and assembled exactly like a single-year plan from the
year's inputs (:func:`revlog.horizon.problem.year_inputs`), every run checked.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from revlog.errors import (
    InfeasibleError,
    LocationInfeasibleError,
    LocationNoSolutionError,
    SolveInterruptedError,
)
from revlog.explain import explain_location
from revlog.horizon.plan import HORIZON_SCHEMA, HorizonPlan, modules_column
from revlog.horizon.problem import HorizonProblem, horizon_problem, year_inputs, year_supply
from revlog.horizon.solve import HorizonDesign, solve_horizon, solve_myopic
from revlog.inputs import Inputs, prepare
from revlog.location.solve import NetworkDesign, design_from_solution
from revlog.pipeline import ASSEMBLY_RESERVE_SHARE, Progress
from revlog.plan import Plan
from revlog.plan.build import assemble_plan
from revlog.problems import Geography, build_geography, location_problem
from revlog.routing.interrupts import RoutingInterrupts
from revlog.routing_stage import route_bases
from revlog.scenario.load import load_scenario
from revlog.scenario.schema import Scenario

_clock = time.perf_counter


def solve_horizon_scenario(
    scenario: Scenario | str | Path,
    time_limit: float | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> HorizonPlan:
    """Solve a scenario file (or :class:`Scenario`) with a ``horizon`` section end to end.

    See :func:`solve_horizon_inputs`.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return solve_horizon_inputs(prepare(sc), time_limit, seed, progress)


def solve_horizon_inputs(
    inputs: Inputs,
    time_limit_s: float | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> HorizonPlan:
    """Solve a scenario with a ``horizon`` section end to end.

    Parameters
    ----------
    inputs
        The prepared scenario (its ``horizon`` set).
    time_limit_s, seed, progress
        As :func:`revlog.pipeline.solve_inputs`.

    Returns
    -------
    HorizonPlan

    Raises
    ------
    InfeasibleError
        A year's location or routing diagnosis (naming the year, the site and the limit).
    SolveInterruptedError
        On Ctrl-C (a multi-year plan is all or nothing).
    """
    sc = inputs.scenario
    cfg = sc.horizon
    if cfg is None:
        raise ValueError(f"scenario {sc.name!r} has no horizon section")
    total = time_limit_s if time_limit_s is not None else sc.solver.time_limit_s
    seed = sc.solver.seed if seed is None else seed
    say = progress or (lambda stage, msg: None)
    t_start = _clock()
    loc_s = total * sc.solver.location_share
    geo = build_geography(inputs)
    say("geography", f"{geo.provider} travel, {len(geo.sites)} sites, in {geo.seconds:.2f} s")
    hp = horizon_problem(inputs, geo)
    say(
        "location",
        f"{hp.n_years} years, {sum(p.n_arcs for p in hp.problems)} arcs; time limit {loc_s:.0f} s",
    )
    try:
        myopic, planned = _location(inputs, geo, hp, loc_s, seed, say)
    except KeyboardInterrupt:
        raise SolveInterruptedError("location", "no multi-year design yet") from None
    supply_t = year_supply(inputs)
    deadline = t_start + total * (1.0 - ASSEMBLY_RESERVE_SHARE)
    plans: dict[int, Plan] = {}
    ids = [str(f) for f in hp.facility_ids]
    for t, hy in enumerate(hp.years):
        mods = {f: int(n) for f, n in zip(ids, planned.modules[t], strict=True) if n}
        yi = year_inputs(inputs, hy.year, supply_t[hy.year], mods)
        design = _installed_design(yi, geo, planned, t)
        left = max(deadline - _clock(), 0.0)
        share = 1.0 / (hp.n_years - t)
        work = max(total * (1.0 - sc.solver.location_share - ASSEMBLY_RESERVE_SHARE), 0.0)
        say("routing", f"{hy.year}: {len(design.bases())} bases")
        with RoutingInterrupts() as ctrl_c:
            bases, interrupted = route_bases(
                yi, geo, design.bases(), (_clock() + left * share, work / hp.n_years), seed,
                False, ctrl_c, say,
            )  # fmt: skip
        if interrupted:
            raise SolveInterruptedError("routing", f"year {hy.year} was being routed")
        meta = {"seed": seed, "time_limit_s": total, "horizon_year": hy.year}
        plans[hy.year] = assemble_plan(yi, geo, design, bases, meta=meta)
    return _horizon_plan(inputs, hp, planned, myopic, plans, seed, total)


def _location(
    inputs: Inputs, geo: Geography, hp: HorizonProblem, limit_s: float, seed: int, say: Progress
) -> tuple[HorizonDesign | None, HorizonDesign]:
    """The myopic plan (when asked for) and the multi-year design, started from it."""
    sc = inputs.scenario
    gap, threads = sc.solver.mip_gap, sc.solver.threads
    try:
        myopic = None
        if sc.horizon is not None and sc.horizon.myopic:
            myopic = solve_myopic(hp, limit_s / 3, gap, seed, threads)
            say("location", f"myopic: {myopic.objective_cny:,.0f} CNY discounted")
            limit_s -= limit_s / 3
        planned = solve_horizon(hp, limit_s, gap, seed, threads, start=myopic)
    except LocationInfeasibleError as exc:
        found = explain_location(inputs, geo, hp.problems[0], exc.diagnoses)
        raise InfeasibleError(found, stage="location") from None
    except LocationNoSolutionError as exc:
        raise InfeasibleError([], stage=f"location ({exc.status})") from None
    say(
        "location",
        f"planned: {planned.objective_cny:,.0f} CNY discounted ({planned.status}, gap "
        f"{planned.gap:.2e})",
    )
    return myopic, planned


def _installed_design(yi: Inputs, geo: Geography, hd: HorizonDesign, t: int) -> NetworkDesign:
    """Year ``t``'s design over the year's problem with its modules installed."""
    d = hd.designs[t]
    p = location_problem(yi, geo)  # the arcs are those of hd's year problem: same order
    return design_from_solution(
        p,
        d.open_mask,
        d.assignment,
        d.flow_t,
        bound_cny=float("nan"),
        gap=hd.gap,
        status=hd.status,
        proven_optimal=hd.proven_optimal,
    )


def _open_years(hp: HorizonProblem, open_: np.ndarray) -> tuple[list, list]:
    """First year each facility is open in, and the year it closes (``pd.NA``: never)."""
    years = [y.year for y in hp.years]
    first, closed = [], []
    for f in range(open_.shape[1]):
        on = np.flatnonzero(open_[:, f])
        first.append(years[on[0]] if on.size else pd.NA)
        off = [t for t in range(1, len(years)) if open_[t - 1, f] and not open_[t, f]]
        closed.append(years[off[0]] if off else pd.NA)
    return first, closed


def _horizon_plan(
    inputs: Inputs,
    hp: HorizonProblem,
    planned: HorizonDesign,
    myopic: HorizonDesign | None,
    plans: dict[int, Plan],
    seed: int,
    total_s: float,
) -> HorizonPlan:
    """The phasing tables, the KPIs and the metadata."""
    p0 = hp.problems[0]
    open_ = planned.open_matrix
    first, closed = _open_years(hp, open_)
    cand = inputs.candidates.set_index("site_id")
    ids = [str(f) for f in p0.facility_ids]
    outlets = pd.DataFrame(
        {
            "site_id": ids,
            "name": [str(cand.loc[i, "name"]) if i in cand.index else "plant" for i in ids],
            "kind": p0.facility_kind.astype(str),
            "prefecture": p0.facility_prefecture.astype(str),
            "existing": hp.initial_open,
            "open_from_year": pd.array(first, dtype="Int64"),
            "closed_from_year": pd.array(closed, dtype="Int64"),
            "opening_cost_cny": hp.opening_cost_cny,
        }
    )
    for t, y in enumerate(hp.years):
        outlets[modules_column(y.year)] = planned.modules[t]
    outlets.loc[0, "name"] = str(inputs.plant["name"].iloc[0])
    routed = np.array([float(plans[y.year].kpis["total_cost_cny_per_year"]) for y in hp.years])
    weight = np.array([y.weight for y in hp.years])
    discount = np.array([y.discount for y in hp.years])
    mine = myopic if myopic is not None else planned
    years = pd.DataFrame(
        {
            "year": [y.year for y in hp.years],
            "calendar_years": [y.calendar_years for y in hp.years],
            "weight": weight,
            "discount": discount,
            "supply_t_per_year": [p.total_supply_t for p in hp.problems],
            "outlets_open": (open_ & p0.is_outlet).sum(axis=1),
            "modules": planned.modules.sum(axis=1),
            "location_cost_cny_per_year": planned.yearly_cny,
            "myopic_location_cost_cny_per_year": mine.yearly_cny,
            "total_cost_cny_per_year": routed,
            "one_off_cost_cny": planned.one_off_cny,
            "myopic_one_off_cost_cny": mine.one_off_cny,
            "discounted_cost_cny": weight * routed + discount * planned.one_off_cny,
        }
    ).astype(HORIZON_SCHEMA["years"])
    saves = mine.objective_cny - planned.objective_cny
    prev = np.vstack([hp.initial_open[None, :], open_[:-1]])
    kpis = pd.Series(
        {
            "discounted_total_cny": float(years["discounted_cost_cny"].sum()),
            "discounted_location_cny": planned.objective_cny,
            "myopic_discounted_location_cny": mine.objective_cny,
            "planning_saves_cny": saves,
            "planning_saves_share": saves / mine.objective_cny if mine.objective_cny else 0.0,
            "one_off_cost_cny": float(planned.one_off_cny.sum()),
            "outlets_opened": float((open_ & ~prev & p0.is_outlet).sum()),
            "modules_installed": float(planned.modules[-1].sum()),
        },
        dtype=float,
    )
    meta = {
        "scenario": inputs.scenario.name,
        "scenario_file": str(inputs.scenario.path or ""),
        "seed": seed,
        "time_limit_s": total_s,
        "myopic_computed": myopic is not None,
        "location": {
            "status": planned.status,
            "gap": planned.gap,
            "bound_cny": planned.bound_cny,
            "objective_cny": planned.objective_cny,
        },
        "myopic": {
            "status": mine.status,
            "objective_cny": mine.objective_cny,
            "outlets_open": [int(n) for n in (mine.open_matrix & p0.is_outlet).sum(axis=1)],
        },
    }
    return HorizonPlan(inputs.scenario.name, plans, outlets, years, kpis, meta)
