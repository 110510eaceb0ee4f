"""Solve the stage-1 model with HiGHS and return a :class:`NetworkDesign`.

The model is built straight into sparse arrays (:mod:`revlog.location.arrays`, the same
arrays as the Pyomo formulation of :mod:`revlog.location.model` read back by
:mod:`revlog.location.bridge`, which stays available as ``builder="pyomo"``) and handed to
HiGHS (``highspy``) in one ``passModel`` call (why: ``docs/design.md``).

Infeasible problems are explained: cheap pre-checks (:func:`diagnose_infeasibility`) run
before the solver, and a solver-proved infeasibility states what was checked.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd

from revlog.errors import Diagnosis, LocationInfeasibleError, LocationNoSolutionError
from revlog.location.arrays import array_form
from revlog.location.bridge import linear_form, to_highs
from revlog.location.model import (
    ModelOptions,
    build_model,
    group_indices,
)
from revlog.location.problem import LocationProblem
from revlog.location.prune import beyond_nearest, dominated_arcs, without_arcs
from revlog.outputs import solver_log, solver_output

_PRECHECKS = (
    "every source with supply has at least one assignment arc",
    "every source fits the capacity it can reach (one facility under single sourcing)",
    "every prefecture with sources has a collection candidate (when the rule is on)",
    "total sink and first-stop capacity covers the total supply",
    "forced openings (and the prefecture rule) fit the budget and the outlet limit",
)


@dataclass(frozen=True)
class Base:
    """An open facility that receives sources: a base of the pickup runs.

    Attributes
    ----------
    site_id, kind
        The facility and its kind (``collection``, ``storage`` or ``plant``).
    sources
        The sources assigned to it, sorted.
    """

    site_id: str
    kind: str
    sources: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class NetworkDesign:
    """Outcome of stage 1: which facilities are open and where the tonnes go (immutable).

    All arrays are aligned with the arrays of :attr:`problem`.

    Attributes
    ----------
    problem
        The problem this design answers.
    open_mask
        ``(n_facilities,)`` open facilities.
    assignment
        ``(n_arcs,)`` share of each arc's source supply sent over the arc (0/1 under single
        sourcing).
    flow_t
        ``(n_forwarding,)`` tonnes/year line-hauled over each forwarding arc.
    objective_cny
        Total cost, recomputed from the arrays: the sum of the four parts below, CNY/year.
    cost_fixed_cny, cost_first_mile_cny, cost_line_haul_cny, cost_risk_cny
        Parts of the objective (risk is ``risk_weight`` × exposure).
    bound_cny
        Best proven lower bound on the optimum, CNY/year.
    gap
        Relative gap ``(objective - bound) / objective`` reported by the solver.
    status
        ``optimal`` (proven within the MIP gap setting) or ``time_limit`` (or another stop
        reason) with a feasible incumbent.
    proven_optimal
        Whether optimality was proven (within ``mip_gap``).
    build_seconds, solve_seconds
        Wall time to build the model and hand it to HiGHS, and to solve it.
    mip_nodes, lp_iterations
        Branch-and-bound nodes and simplex iterations HiGHS used (a machine-independent
        measure of solver effort, unlike the times on a shared machine).
    extension
        What the ``extension`` of :func:`solve_location` read back (None without one).
    """

    problem: LocationProblem = field(repr=False)
    open_mask: np.ndarray = field(repr=False)
    assignment: np.ndarray = field(repr=False)
    flow_t: np.ndarray = field(repr=False)
    objective_cny: float
    cost_fixed_cny: float
    cost_first_mile_cny: float
    cost_line_haul_cny: float
    cost_risk_cny: float
    bound_cny: float
    gap: float
    status: str
    proven_optimal: bool
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    mip_nodes: int = 0
    lp_iterations: int = 0
    extension: Any = field(default=None, repr=False)

    @property
    def open_facility_ids(self) -> list[str]:
        """Identifiers of the open facilities, in problem order."""
        return [str(f) for f in self.problem.facility_ids[self.open_mask]]

    def assignments(self, tol: float = 1e-9) -> list[tuple[str, str, float]]:
        """``(source_id, facility_id, fraction)`` for every arc carrying supply.

        Parameters
        ----------
        tol
            Shares at or below this are left out.

        Returns
        -------
        list of tuple
        """
        p = self.problem
        used = np.flatnonzero(self.assignment > tol)
        return [
            (
                str(p.source_ids[p.arc_source[a]]),
                str(p.facility_ids[p.arc_facility[a]]),
                float(self.assignment[a]),
            )
            for a in used
        ]

    def bases(self) -> list[Base]:
        """The facilities that receive sources, in problem order."""
        p = self.problem
        used = np.flatnonzero(self.assignment > 1e-9)
        by_facility: dict[int, list[str]] = {}
        for a in used:
            by_facility.setdefault(int(p.arc_facility[a]), []).append(
                str(p.source_ids[p.arc_source[a]])
            )
        return [
            Base(str(p.facility_ids[f]), str(p.facility_kind[f]), tuple(sorted(srcs)))
            for f, srcs in sorted(by_facility.items())
        ]

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The design as tables.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``facilities`` (id, kind, prefecture, open, throughput_t, capacity_t,
            fixed_cost_cny), ``assignments`` (source_id, facility_id, fraction, tonnes_t,
            cost_cny, exposure), ``flows`` (from_id, to_id, tonnes_t, cost_cny, trips, exposure) and
            ``summary`` (one row: objective and its parts, bound, gap, status, times).
        """
        p = self.problem
        inbound = facility_throughput_t(p, self.assignment, self.flow_t)
        facilities = pd.DataFrame(
            {
                "id": p.facility_ids.astype(str),
                "kind": p.facility_kind.astype(str),
                "prefecture": p.facility_prefecture.astype(str),
                "open": self.open_mask.astype(bool),
                "throughput_t": inbound,
                "capacity_t": p.capacity_t,
                "fixed_cost_cny": p.fixed_cost_cny,
            }
        )
        used = np.flatnonzero(self.assignment > 1e-9)
        share = self.assignment[used]
        assignments = pd.DataFrame(
            {
                "source_id": p.source_ids[p.arc_source[used]].astype(str),
                "facility_id": p.facility_ids[p.arc_facility[used]].astype(str),
                "fraction": share,
                "tonnes_t": share * p.arc_supply_t[used],
                "cost_cny": share * p.arc_cost_cny[used],
                "exposure": share * p.arc_exposure[used],
            }
        )
        moving = np.flatnonzero(self.flow_t > 1e-9)
        tonnes = self.flow_t[moving]
        trips = p.trips(self.flow_t)[moving]
        flows = pd.DataFrame(
            {
                "from_id": p.facility_ids[p.fwd_from[moving]].astype(str),
                "to_id": p.facility_ids[p.fwd_to[moving]].astype(str),
                "tonnes_t": tonnes,
                "cost_cny": tonnes * p.fwd_cost_cny_per_t[moving]
                + trips * p.fwd_trip_cost_cny[moving],
                "trips": trips,
                "exposure": tonnes * p.fwd_exposure_per_t[moving],
            }
        )
        summary = pd.DataFrame(
            [
                {
                    "name": p.name,
                    "objective_cny": self.objective_cny,
                    "fixed_cny": self.cost_fixed_cny,
                    "first_mile_cny": self.cost_first_mile_cny,
                    "line_haul_cny": self.cost_line_haul_cny,
                    "risk_cny": self.cost_risk_cny,
                    "bound_cny": self.bound_cny,
                    "gap": self.gap,
                    "status": self.status,
                    "proven_optimal": self.proven_optimal,
                    "open_outlets": int((self.open_mask & p.is_outlet).sum()),
                    "build_seconds": self.build_seconds,
                    "solve_seconds": self.solve_seconds,
                }
            ]
        )
        return {
            "facilities": facilities,
            "assignments": assignments,
            "flows": flows,
            "summary": summary,
        }

    def summary(self) -> str:
        """A short readable account of the design.

        Returns
        -------
        str
        """
        p = self.problem
        proof = "proven optimal" if self.proven_optimal else f"not proven optimal ({self.status})"
        return (
            f"{p.name or 'location'}: {int(self.open_mask.sum())} of {p.n_facilities} facilities "
            f"open, cost {self.objective_cny:,.2f} CNY/year (fixed {self.cost_fixed_cny:,.2f}, "
            f"first mile {self.cost_first_mile_cny:,.2f}, line haul "
            f"{self.cost_line_haul_cny:,.2f}, risk {self.cost_risk_cny:,.2f}); bound "
            f"{self.bound_cny:,.2f}, gap {self.gap:.2e}, {proof}; build "
            f"{self.build_seconds:.2f} s, solve {self.solve_seconds:.2f} s"
        )


def facility_throughput_t(
    problem: LocationProblem, assignment: np.ndarray, flow_t: np.ndarray
) -> np.ndarray:
    """Tonnes/year entering each facility (first-mile plus forwarded).

    Parameters
    ----------
    problem
        The problem.
    assignment
        Share of supply per assignment arc.
    flow_t
        Tonnes/year per forwarding arc.

    Returns
    -------
    numpy.ndarray
        One value per facility.
    """
    m = problem.n_facilities
    first = np.bincount(
        problem.arc_facility, weights=assignment * problem.arc_supply_t, minlength=m
    )
    fwd = np.bincount(problem.fwd_to, weights=flow_t, minlength=m) if problem.n_forwarding else 0.0
    return first + fwd


def diagnose_infeasibility(problem: LocationProblem) -> list[Diagnosis]:
    """Cheap necessary conditions for feasibility; each violated one is explained.

    Parameters
    ----------
    problem
        The problem.

    Returns
    -------
    list of Diagnosis
        Empty when no pre-check fails (the problem may still be infeasible). Codes:
        ``no_arc`` (a source reaches no facility; ``site`` = the source),
        ``source_too_large`` (a source beyond the capacity it reaches),
        ``prefecture_without_collection`` (``site`` = the prefecture), ``sink_capacity``,
        ``first_stop_capacity``, ``budget``, ``max_outlets``.
    """
    p = problem
    total = p.total_supply_t
    cap = np.minimum(p.capacity_t, total) if total > 0 else p.capacity_t.copy()
    cap[p.forced_closed] = 0.0  # existing outlets the scenario closes take nothing
    usable = cap.copy()
    if p.n_forwarding:
        # an outlet that cannot forward its tonnes cannot take any
        can_forward = np.zeros(p.n_facilities, dtype=bool)
        can_forward[p.fwd_from] = True
        usable[~p.is_sink & ~can_forward] = 0.0
    prefs_needed = _prefectures_with_supply(p) if p.require_collection_per_prefecture else []
    return [
        *_reach_diagnoses(p, usable),
        *_prefecture_diagnoses(p, prefs_needed),
        *_capacity_diagnoses(p, cap, usable),
        *_limit_diagnoses(p, prefs_needed),
    ]


def _prefectures_with_supply(p: LocationProblem) -> list[str]:
    return sorted({str(q) for q, w in zip(p.source_prefecture, p.supply_t, strict=True) if w > 0})


def _reach_diagnoses(p: LocationProblem, usable: np.ndarray) -> list[Diagnosis]:
    """Sources that reach no facility, or no facility that can take their supply."""
    out: list[Diagnosis] = []
    by_source = group_indices(p.arc_source, p.n_sources)
    for s in range(p.n_sources):
        w = p.supply_t[s]
        if w <= 0:
            continue
        sid = p.source_ids[s]
        facs = p.arc_facility[by_source[s]]
        if facs.size == 0:
            out.append(
                Diagnosis(
                    "no_arc",
                    f"source {sid} ({w:g} t/year) has no facility within the service radius "
                    "(no assignment arc)",
                    site=str(sid),
                    setting="service_radius_km",
                )
            )
            continue
        reach = usable[facs]
        if p.single_source and reach.max() < w:
            out.append(
                Diagnosis(
                    "source_too_large",
                    f"source {sid} supplies {w:g} t/year but the largest usable capacity among "
                    f"its {facs.size} reachable facilities is {reach.max():g} t/year "
                    "(single sourcing)",
                    site=str(sid),
                )
            )
        elif not p.single_source and reach.sum() < w:
            out.append(
                Diagnosis(
                    "source_too_large",
                    f"source {sid} supplies {w:g} t/year but its {facs.size} reachable "
                    f"facilities hold only {reach.sum():g} t/year together",
                    site=str(sid),
                )
            )
    return out


def _prefecture_diagnoses(p: LocationProblem, prefs_needed: list[str]) -> list[Diagnosis]:
    """Prefectures with sources but no collection candidate (when the rule is on)."""
    kinds = p.facility_kind
    prefecture = p.facility_prefecture.astype(str)
    return [
        Diagnosis(
            "prefecture_without_collection",
            f"prefecture {q} has sources but no collection-outlet candidate "
            "(rule: one collection outlet per prefecture; existing outlets the scenario "
            "closes do not count)",
            site=q,
            setting="collection_per_prefecture",
        )
        for q in prefs_needed
        if not np.any((kinds == "collection") & (prefecture == q) & ~p.forced_closed)
    ]


def _capacity_diagnoses(p: LocationProblem, cap: np.ndarray, usable: np.ndarray) -> list[Diagnosis]:
    """Final destinations and first-stop facilities with too little capacity together."""
    out: list[Diagnosis] = []
    total = p.total_supply_t
    sink_cap = float(cap[p.is_sink].sum())
    if sink_cap < total:
        out.append(
            Diagnosis(
                "sink_capacity",
                f"total capacity of the final destinations is {sink_cap:g} t/year, below the "
                f"total supply of {total:g} t/year: {total - sink_cap:g} t/year missing",
            )
        )
    first = np.unique(p.arc_facility)
    first_cap = float(usable[first].sum()) if first.size else 0.0
    if first_cap < total and sink_cap >= total:
        out.append(
            Diagnosis(
                "first_stop_capacity",
                f"total usable capacity of the first-stop facilities is {first_cap:g} t/year, "
                f"below the total supply of {total:g} t/year: {total - first_cap:g} t/year "
                "missing",
            )
        )
    return out


def must_open(p: LocationProblem) -> dict[int, str]:
    """Outlets every feasible design opens, and why.

    An existing outlet is forced open; an outlet that is the only facility a source with
    supply can reach (within the service radius) must be open to serve it.
    """
    out = {int(f): "existing, forced open" for f in np.flatnonzero(p.forced_open & p.is_outlet)}
    by_source = group_indices(p.arc_source, p.n_sources)
    for s in range(p.n_sources):
        facs = np.unique(p.arc_facility[by_source[s]])
        if p.supply_t[s] > 0 and facs.size == 1 and p.is_outlet[facs[0]]:
            why = f"the only facility within reach of source {p.source_ids[s]}"
            out.setdefault(int(facs[0]), why)
    return out


def _limit_diagnoses(p: LocationProblem, prefs_needed: list[str]) -> list[Diagnosis]:
    """Outlets every design opens (existing, sole reach of a source, one per prefecture)
    against the budget and the outlet cap."""
    out: list[Diagnosis] = []
    needed = must_open(p)
    kinds, prefecture = p.facility_kind, p.facility_prefecture.astype(str)
    uncovered = [
        q
        for q in prefs_needed
        if not any(kinds[f] == "collection" and prefecture[f] == q for f in needed)
    ]
    named = ", ".join(
        f"{p.facility_ids[f]} ({why}, {p.fixed_cost_cny[f]:,.0f} CNY/year)"
        for f, why in sorted(needed.items(), key=lambda kv: -p.fixed_cost_cny[kv[0]])[:5]
    )
    site = str(p.facility_ids[max(needed, key=lambda f: p.fixed_cost_cny[f])]) if needed else None
    if p.budget_cny is not None:
        need = float(p.fixed_cost_cny[list(needed)].sum()) if needed else 0.0
        for q in uncovered:
            mask = (kinds == "collection") & (prefecture == q)
            if mask.any():
                need += float(p.fixed_cost_cny[mask].min())
        if need > p.budget_cny:
            parts = [named] if named else []
            if uncovered:
                parts.append(f"the cheapest collection outlet in {len(uncovered)} prefecture(s)")
            out.append(
                Diagnosis(
                    "budget",
                    f"the outlets every design must open cost at least {need:,.0f} CNY/year, "
                    f"above the budget of {p.budget_cny:,.0f} CNY/year: " + "; ".join(parts),
                    site=site,
                    setting="budget_cny",
                )
            )
    if p.max_outlets is not None:
        need_n = len(needed) + sum(
            1 for q in uncovered if np.any((kinds == "collection") & (prefecture == q))
        )
        if need_n > p.max_outlets:
            out.append(
                Diagnosis(
                    "max_outlets",
                    f"at least {need_n} outlets must be open ({named or 'none forced'}; and "
                    f"one collection outlet per prefecture with sources), above the limit of "
                    f"{p.max_outlets}",
                    site=site,
                    setting="max_outlets",
                )
            )
    return out


_STATUS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnboundedOrInfeasible": "infeasible",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "iteration_limit",
    "kSolutionLimit": "solution_limit",
    "kInterrupt": "interrupted",
    "kObjectiveBound": "objective_bound",
    "kObjectiveTarget": "objective_target",
}


def _run_interruptible(h: Any) -> bool:
    """Run HiGHS in a worker thread; on Ctrl-C ask it to stop and keep its incumbent.

    HiGHS holds no Python lock while it solves, so the main thread stays free to receive
    ``KeyboardInterrupt`` (SIGINT); it then sets HiGHS's user-interrupt flag, and HiGHS
    stops at its next check with status ``kInterrupt`` and the best design found so far.
    Further Ctrl-C presses while HiGHS winds down are absorbed.

    Returns
    -------
    bool
        Whether the run was interrupted.
    """
    h.HandleUserInterrupt = True
    interrupted = False
    h.startSolve()
    while True:
        try:
            done, _ = h.wait(0.05)
        except KeyboardInterrupt:
            interrupted = True
            h.cancelSolve()
            continue
        if done:
            return interrupted


def _compile_to_highs(model: Any, options: dict[str, Any]) -> tuple[Any, dict[int, int]]:
    """Hand a linear Pyomo model to HiGHS; return it and the var id → column map."""
    form = linear_form(model)
    h = to_highs(form, options)
    return h, {id(v): j for j, v in enumerate(form.columns)}


def _values(var_component: Any, size: int, col_of: dict[int, int], col: np.ndarray) -> np.ndarray:
    out = np.zeros(size)
    for i in range(size):
        v = var_component[i]
        j = col_of.get(id(v))
        out[i] = col[j] if j is not None else (v.value if v.value is not None else v.lb or 0.0)
    return out


def design_from_solution(
    problem: LocationProblem,
    open_mask: np.ndarray,
    assignment: np.ndarray,
    flow_t: np.ndarray,
    *,
    bound_cny: float = float("nan"),
    gap: float = float("nan"),
    status: str = "feasible",
    proven_optimal: bool = False,
    build_seconds: float = 0.0,
    solve_seconds: float = 0.0,
    mip_nodes: int = 0,
    lp_iterations: int = 0,
) -> NetworkDesign:
    """Assemble a :class:`NetworkDesign` and compute its cost parts from the arrays.

    Parameters
    ----------
    problem
        The problem.
    open_mask, assignment, flow_t
        The decisions (see :class:`NetworkDesign`).
    bound_cny, gap, status, proven_optimal, build_seconds, solve_seconds, mip_nodes, lp_iterations
        Solver information (a finite bound is capped at the objective).

    Returns
    -------
    NetworkDesign
    """
    p = problem
    fixed = p.fixed_cost_of(open_mask)
    first = float(p.arc_cost_cny @ assignment)
    haul = p.line_haul_cost_cny(flow_t)
    exposure = float(p.arc_exposure @ assignment)
    if p.n_forwarding:
        exposure += float(p.fwd_exposure_per_t @ flow_t)
    risk = float(p.risk_weight) * exposure
    objective = fixed + first + haul + risk
    if np.isfinite(bound_cny):
        bound_cny = min(float(bound_cny), objective)
    return NetworkDesign(
        problem=p,
        open_mask=open_mask.astype(bool),
        assignment=assignment,
        flow_t=flow_t,
        objective_cny=objective,
        cost_fixed_cny=fixed,
        cost_first_mile_cny=first,
        cost_line_haul_cny=haul,
        cost_risk_cny=risk,
        bound_cny=bound_cny,
        gap=gap,
        status=status,
        proven_optimal=proven_optimal,
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        mip_nodes=mip_nodes,
        lp_iterations=lp_iterations,
    )


def _cheapest(p: LocationProblem, weights: np.ndarray, limit_s: float, seed: int):
    """The design minimising ``weights · open`` under every rule but budget and outlet cap."""
    zero_arc, zero_fwd = np.zeros(p.n_arcs), np.zeros(p.n_forwarding)
    relaxed = p.with_policy(
        budget_cny=None,
        max_outlets=None,
        fixed_cost_cny=weights,
        arc_cost_cny=zero_arc,
        fwd_cost_cny_per_t=zero_fwd,
        fwd_trip_cost_cny=zero_fwd,
        closing_cost_cny=np.zeros(p.n_facilities),
        arc_exposure=zero_arc,
        fwd_exposure_per_t=zero_fwd,
    )
    try:
        return solve_location(relaxed, time_limit_s=limit_s, mip_gap=0.0, seed=seed)
    except (LocationInfeasibleError, LocationNoSolutionError):
        return None


def explain_infeasible(p: LocationProblem, limit_s: float, seed: int = 0) -> list[Diagnosis]:
    """Why HiGHS proved a problem infeasible although the pre-checks passed.

    The rules are relaxed one at a time: without the budget and the outlet cap, the design
    with the least fixed cost (and the one with the fewest outlets) is solved for; if it
    costs more than the budget (or opens more outlets than the cap), that limit binds and
    the diagnosis names the outlets that design opens. Otherwise capacities and
    forwarding arcs conflict by themselves.
    """
    found: list[Diagnosis] = []
    if p.budget_cny is not None:
        d = _cheapest(p, p.fixed_cost_cny, limit_s, seed)
        if d is not None and d.objective_cny > p.budget_cny * (1 + 1e-9):
            opened = [f for f in np.flatnonzero(d.open_mask & p.is_outlet)]
            names = ", ".join(str(p.facility_ids[f]) for f in opened[:8])
            found.append(
                Diagnosis(
                    "budget",
                    f"the cheapest design that serves every source within the service radius "
                    f"and the capacities costs {d.objective_cny:,.0f} CNY/year in fixed costs "
                    f"(HiGHS, proven), above the budget of {p.budget_cny:,.0f} CNY/year; it "
                    f"opens {len(opened)} outlets: {names}",
                    site=str(p.facility_ids[opened[0]]) if opened else None,
                    setting="budget_cny",
                )
            )
    if p.max_outlets is not None:
        d = _cheapest(p, p.is_outlet.astype(float), limit_s, seed)
        if d is not None and d.objective_cny > p.max_outlets + 1e-9:
            found.append(
                Diagnosis(
                    "max_outlets",
                    f"every design that serves all sources within the service radius and the "
                    f"capacities opens at least {d.objective_cny:.0f} outlets (HiGHS, proven), "
                    f"above the limit of {p.max_outlets}",
                    setting="max_outlets",
                )
            )
    if found:
        return found
    return [
        Diagnosis(
            "solver_infeasible",
            "HiGHS proved the model infeasible although the cheap pre-checks passed",
        ),
        Diagnosis("solver_infeasible", "checked: " + "; ".join(_PRECHECKS)),
        Diagnosis(
            "solver_infeasible",
            "even without the budget and the outlet limit: the conflict lies in the "
            "capacities and the forwarding arcs",
        ),
    ]


#: Arcs above which stage 1 is warm-started from the problem on each source's nearest arcs.
WARM_START_MIN_ARCS = 20_000

#: Cheapest arcs per source kept in the warm-start problem.
WARM_START_NEAREST = 5

#: Share of stage 1's time limit the warm-start solve may take.
WARM_START_SHARE = 0.25


def _warm_start(
    p: LocationProblem,
    limit_s: float,
    mip_gap: float,
    seed: int,
    threads: int,
    options: ModelOptions | None,
) -> tuple[np.ndarray | None, bool]:
    """Column values (x, y, flow) of the design solved on each source's nearest arcs, and
    whether Ctrl-C stopped that solve (the whole solve then stops with it)."""
    drop = beyond_nearest(p, WARM_START_NEAREST)
    small, keep = without_arcs(p, drop)
    try:
        d = solve_location(
            small, time_limit_s=limit_s, mip_gap=mip_gap, seed=seed, threads=threads,
            options=options, prune=False, warm_start=False,
        )  # fmt: skip
    except LocationNoSolutionError as exc:
        return None, exc.status == "interrupted"
    except LocationInfeasibleError:
        return None, False
    x = np.zeros(p.n_arcs)
    x[keep] = d.assignment
    return np.concatenate([x, d.open_mask.astype(float), d.flow_t]), d.status == "interrupted"


def _interrupted_at_start(
    full: LocationProblem, keep: np.ndarray, start: np.ndarray | None, seconds: float
) -> NetworkDesign:
    """The design of a solve that Ctrl-C stopped in its warm start: the warm start's."""
    if start is None:
        raise LocationNoSolutionError("interrupted", float("nan"))
    k = len(keep)
    m = full.n_facilities
    x_full = np.zeros(full.n_arcs)
    x_full[keep] = start[:k]
    return design_from_solution(
        full, start[k : k + m] > 0.5, x_full, start[k + m :], status="interrupted",
        build_seconds=seconds,
    )  # fmt: skip


def solve_location(
    problem: LocationProblem,
    time_limit_s: float = 60.0,
    mip_gap: float = 1e-6,
    seed: int = 0,
    threads: int = 1,
    options: ModelOptions | None = None,
    extension: Any = None,
    builder: str = "arrays",
    prune: bool = True,
    warm_start: bool = True,
) -> NetworkDesign:
    """Solve a location problem to (proven) optimality or until the time limit.

    Parameters
    ----------
    problem
        The arrays.
    time_limit_s
        Wall-time limit for HiGHS, s.
    mip_gap
        Relative MIP gap at which HiGHS stops and reports ``optimal``.
    seed
        HiGHS random seed (same input and seed → same design on the same machine).
    threads
        HiGHS threads (HiGHS fixes its thread pool at the first solve of a process).
    options
        Model strengthening switches.
    extension
        Optional object adding rows, columns and objective terms to the built model
        (``extension.add(model, problem)``) and reading its own decisions back
        (``extension.read(values, model)``, stored in :attr:`NetworkDesign.extension`),
        e.g. :class:`revlog.loop.model.LoopExtension`. Its objective terms are not part of
        the design's cost parts.
    builder
        ``"arrays"`` (default: :func:`revlog.location.arrays.array_form`, numpy straight
        into HiGHS) or ``"pyomo"`` (:func:`revlog.location.model.build_model` read back by
        :mod:`revlog.location.bridge`); both give the same arrays, the first in a fraction
        of the time on large problems.
    prune
        Remove the assignment arcs dominated by the direct delivery to the plant before
        solving (:mod:`revlog.location.prune`; exact: the optimum is kept).
    warm_start
        On problems with more than :data:`WARM_START_MIN_ARCS` arcs, first solve the
        problem restricted to each source's :data:`WARM_START_NEAREST` cheapest arcs (with
        :data:`WARM_START_SHARE` of the time) and start HiGHS from that design.
        The array form and the pruning know the plain model: with an extension, trips priced
        per trip, closing costs or outlets closed by the scenario, the Pyomo model is solved
        whole.

    Returns
    -------
    NetworkDesign
        The best design found, with bound, gap, status and times.

    Raises
    ------
    LocationInfeasibleError
        If a pre-check fails or HiGHS proves the model infeasible; the diagnosis explains why.
    LocationNoSolutionError
        If HiGHS stops before finding any feasible design.
    """
    diagnosis = diagnose_infeasibility(problem)
    if diagnosis:
        raise LocationInfeasibleError(diagnosis)
    if builder not in ("arrays", "pyomo"):
        raise ValueError("builder must be 'arrays' or 'pyomo'")
    t0 = time.perf_counter()
    plain = not (
        extension is not None
        or len(problem.trip_arcs)
        or problem.closing_cost_cny.any()
        or problem.forced_closed.any()
    )
    if not plain:
        builder, prune = "pyomo", False
    hopts = {
        "time_limit": float(time_limit_s),
        "mip_rel_gap": float(mip_gap),
        "random_seed": int(seed),
        "threads": int(threads),
        "output_flag": solver_log(),
    }
    full = problem
    keep = np.arange(full.n_arcs)
    if prune:
        drop = dominated_arcs(full)
        if drop.any():
            problem, keep = without_arcs(full, drop)
    p = problem
    k, m = p.n_arcs, p.n_facilities
    start = None
    if warm_start and builder == "arrays" and k > WARM_START_MIN_ARCS:
        start, stopped = _warm_start(
            p, time_limit_s * WARM_START_SHARE, mip_gap, seed, threads, options
        )
        if stopped:  # Ctrl-C during the warm start: its design is the incumbent
            return _interrupted_at_start(full, keep, start, time.perf_counter() - t0)
        hopts["time_limit"] = max(1.0, time_limit_s - (time.perf_counter() - t0))
    with solver_output():  # HiGHS prints its banner when the first Highs object is made
        if builder == "arrays":
            h = to_highs(array_form(problem, options), hopts)
            if start is not None:
                sol = highspy.HighsSolution()
                sol.col_value = start.tolist()
                sol.value_valid = True
                h.setSolution(sol)
        else:
            model = build_model(problem, options)
            if extension is not None:
                extension.add(model, problem)
            h, col_of = _compile_to_highs(model, hopts)
    t1 = time.perf_counter()
    _run_interruptible(h)
    t2 = time.perf_counter()
    status = _STATUS.get(h.getModelStatus().name, h.getModelStatus().name)
    info = h.getInfo()
    bound = float(info.mip_dual_bound)
    if status == "infeasible":
        raise LocationInfeasibleError(explain_infeasible(full, time_limit_s, seed))
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        raise LocationNoSolutionError(status, bound)
    col = np.asarray(h.getSolution().col_value, dtype=float)
    if builder == "arrays":
        x, y, flow = col[:k].copy(), col[k : k + m].copy(), col[k + m :].copy()
    else:
        x = _values(model.x, p.n_arcs, col_of, col)
        y = _values(model.y, p.n_facilities, col_of, col)
        flow = _values(model.flow, p.n_forwarding, col_of, col)
    x = np.clip(x, 0.0, 1.0)
    if p.single_source:
        x = np.round(x)
    x[x < 1e-12] = 0.0
    open_mask = y > 0.5
    flow = np.maximum(flow, 0.0)
    flow[flow < 1e-9] = 0.0
    x_full = np.zeros(full.n_arcs)
    x_full[keep] = x
    design = design_from_solution(
        full,
        open_mask,
        x_full,
        flow,
        bound_cny=bound,
        gap=float(info.mip_gap),
        status=status,
        proven_optimal=status == "optimal",
        build_seconds=t1 - t0,
        solve_seconds=t2 - t1,
        mip_nodes=int(info.mip_node_count),
        lp_iterations=int(info.simplex_iteration_count),
    )
    if extension is None:
        return design
    read = extension.read(lambda comp, n: _values(comp, n, col_of, col), model)
    return dataclasses.replace(design, extension=read)
