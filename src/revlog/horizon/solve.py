"""Solve the multi-year MILP with HiGHS; the myopic (year by year, stitched) plan beside it.

The myopic plan solves each year on its own, from what the years before left open (every
outlet kept open once opened, the modules kept), each step minimising the terms of the
multi-year objective that belong to its year. It is a feasible answer of the multi-year
model, so it is handed to HiGHS as a start: the planned cost is never above it.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from revlog.errors import LocationInfeasibleError, LocationNoSolutionError
from revlog.horizon.model import build_horizon_model
from revlog.horizon.problem import HorizonProblem
from revlog.location.bridge import linear_form, to_highs
from revlog.location.solve import (
    _STATUS,
    NetworkDesign,
    _run_interruptible,
    design_from_solution,
    diagnose_infeasibility,
    explain_infeasible,
)
from revlog.outputs import solver_log, solver_output


@dataclass(frozen=True, eq=False)
class HorizonDesign:
    """Outcome of the multi-year location stage.

    Attributes
    ----------
    problem
        The multi-year problem.
    designs
        Each year's :class:`~revlog.location.solve.NetworkDesign` (over the year's problem,
        base capacities; its objective leaves the modules out).
    modules
        ``(n_years, n_facilities)`` modules installed in each year.
    yearly_cny
        Each year's yearly cost: its design's objective + the modules' yearly cost, CNY/year.
    one_off_cny
        Each year's one-off costs (opening, closing, new modules), CNY, undiscounted.
    objective_cny
        ``Σ weight · yearly + Σ discount · one-off``, CNY (recomputed from the decisions).
    bound_cny, gap, status, proven_optimal, seconds
        Solver figures.
    """

    problem: HorizonProblem = field(repr=False)
    designs: tuple[NetworkDesign, ...] = field(repr=False)
    modules: np.ndarray = field(repr=False)
    yearly_cny: np.ndarray
    one_off_cny: np.ndarray
    objective_cny: float
    bound_cny: float = float("nan")
    gap: float = float("nan")
    status: str = "feasible"
    proven_optimal: bool = False
    seconds: float = 0.0

    @property
    def open_matrix(self) -> np.ndarray:
        """``(n_years, n_facilities)`` open facilities per year."""
        return np.array([d.open_mask for d in self.designs], dtype=bool)


def one_off_costs(hp: HorizonProblem, open_: np.ndarray, modules: np.ndarray) -> np.ndarray:
    """Each year's one-off costs (opening, closing, new modules) of given decisions, CNY."""
    prev_open = np.vstack([hp.initial_open[None, :], open_[:-1]])
    prev_mod = np.vstack([hp.initial_modules[None, :], modules[:-1]])
    opened = open_ & ~prev_open
    closed = prev_open & ~open_ & hp.problems[0].is_outlet
    new = np.maximum(modules - prev_mod, 0)
    return (
        opened.astype(float) @ hp.opening_cost_cny
        + closed.sum(axis=1) * hp.closing_cost_cny
        + new.sum(axis=1) * hp.module_cost_cny
    )


def horizon_design(
    hp: HorizonProblem,
    designs: list[NetworkDesign],
    modules: np.ndarray,
    **solver: object,
) -> HorizonDesign:
    """Assemble a :class:`HorizonDesign` and its costs from the years' decisions."""
    modules = np.asarray(modules, dtype=np.int64)
    open_ = np.array([d.open_mask for d in designs], dtype=bool)
    yearly = np.array(
        [d.objective_cny + hp.module_fixed_cny_per_year * modules[t].sum() for t, d in
         enumerate(designs)]
    )  # fmt: skip
    one_off = one_off_costs(hp, open_, modules)
    weights = np.array([y.weight for y in hp.years])
    discounts = np.array([y.discount for y in hp.years])
    objective = float(weights @ yearly + discounts @ one_off)
    bound = solver.pop("bound_cny", float("nan"))
    if np.isfinite(bound):
        bound = min(float(bound), objective)
    return HorizonDesign(
        problem=hp,
        designs=tuple(designs),
        modules=modules,
        yearly_cny=yearly,
        one_off_cny=one_off,
        objective_cny=objective,
        bound_cny=float(bound),
        **solver,  # type: ignore[arg-type]
    )


def _start_vector(model: object, form: object, start: HorizonDesign) -> np.ndarray:
    """Column values of the model for the decisions of ``start`` (a MIP start)."""
    hp = start.problem
    for t, d in enumerate(start.designs):
        blk = model.year[t]  # type: ignore[attr-defined]
        for i, v in enumerate(blk.x.values()):
            v.value = float(d.assignment[i])
        for i, v in enumerate(blk.y.values()):
            v.value = float(d.open_mask[i])
        for i, v in enumerate(blk.flow.values()):
            v.value = float(d.flow_t[i])
    open_ = start.open_matrix
    prev_open = np.vstack([hp.initial_open[None, :], open_[:-1]]).astype(float)
    prev_mod = np.vstack([hp.initial_modules[None, :], start.modules[:-1]])
    for (t, f), v in model.z.items():  # type: ignore[attr-defined]
        v.value = float(start.modules[t, f])
    for (t, f), v in model.opened.items():  # type: ignore[attr-defined]
        v.value = max(0.0, float(open_[t, f]) - prev_open[t, f])
    if hasattr(model, "closed"):
        for (t, f), v in model.closed.items():
            v.value = max(0.0, prev_open[t, f] - float(open_[t, f]))
    if hasattr(model, "new"):
        for (t, f), v in model.new.items():
            v.value = float(max(0, start.modules[t, f] - prev_mod[t, f]))
    return np.array([v.value if v.value is not None else 0.0 for v in form.columns])  # type: ignore[attr-defined]


def solve_horizon(
    hp: HorizonProblem,
    time_limit_s: float = 60.0,
    mip_gap: float = 1e-4,
    seed: int = 0,
    threads: int = 1,
    start: HorizonDesign | None = None,
) -> HorizonDesign:
    """Solve the multi-year MILP (one model over all years).

    Parameters
    ----------
    hp
        The problem.
    time_limit_s, mip_gap, seed, threads
        HiGHS settings (as :func:`revlog.location.solve.solve_location`).
    start
        A feasible design handed to HiGHS as its first incumbent (the myopic plan).

    Returns
    -------
    HorizonDesign

    Raises
    ------
    LocationInfeasibleError
        If a year fails the single-year pre-checks (the diagnosis names the year) or HiGHS
        proves the model infeasible.
    LocationNoSolutionError
        If HiGHS stops before finding a feasible design.
    """
    most = hp.module_capacity_t * hp.max_modules  # the pre-checks with every module allowed
    for y, p in zip(hp.years, hp.problems, strict=True):
        found = diagnose_infeasibility(dataclasses.replace(p, capacity_t=p.capacity_t + most))
        if found:
            raise LocationInfeasibleError([_in_year(d, y.year) for d in found])
    t0 = time.perf_counter()
    model = build_horizon_model(hp)
    form = linear_form(model)
    options = {
        "time_limit": float(time_limit_s),
        "mip_rel_gap": float(mip_gap),
        "random_seed": int(seed),
        "threads": int(threads),
        "output_flag": solver_log(),
    }
    with solver_output():
        h = to_highs(form, options)
    if start is not None:
        import highspy

        sol = highspy.HighsSolution()
        sol.col_value = _start_vector(model, form, start).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    _run_interruptible(h)
    status = _STATUS.get(h.getModelStatus().name, h.getModelStatus().name)
    info = h.getInfo()
    if status == "infeasible":
        raise LocationInfeasibleError(
            [
                _in_year(d, hp.years[0].year)
                for d in explain_infeasible(hp.problems[0], time_limit_s, seed)
            ]
        )
    if info.primal_solution_status != 2:
        raise LocationNoSolutionError(status, float(info.mip_dual_bound))
    col = np.asarray(h.getSolution().col_value, dtype=float)
    col_of = {id(v): j for j, v in enumerate(form.columns)}

    def values(component: object, size: int) -> np.ndarray:
        out = np.zeros(size)
        for i, v in enumerate(component.values()):  # type: ignore[attr-defined]
            j = col_of.get(id(v))
            out[i] = col[j] if j is not None else (v.value if v.value is not None else v.lb or 0)
        return out

    designs = []
    for t, p in enumerate(hp.problems):
        blk = model.year[t]
        x = np.clip(values(blk.x, p.n_arcs), 0.0, 1.0)
        x = np.round(x) if p.single_source else np.where(x < 1e-12, 0.0, x)
        flow = np.maximum(values(blk.flow, p.n_forwarding), 0.0)
        flow[flow < 1e-9] = 0.0
        designs.append(design_from_solution(p, values(blk.y, p.n_facilities) > 0.5, x, flow))
    modules = np.zeros((hp.n_years, hp.problems[0].n_facilities), dtype=np.int64)
    for (t, f), v in model.z.items():
        j = col_of.get(id(v))
        modules[t, f] = round(col[j]) if j is not None else round(v.lb or 0)
    return horizon_design(
        hp,
        designs,
        modules,
        bound_cny=float(info.mip_dual_bound),
        gap=float(info.mip_gap),
        status=status,
        proven_optimal=status == "optimal",
        seconds=time.perf_counter() - t0,
    )


def _in_year(d: object, year: int) -> object:
    return dataclasses.replace(d, message=f"{year}: {d.message}")  # type: ignore[call-overload]


def solve_myopic(
    hp: HorizonProblem, time_limit_s: float = 60.0, mip_gap: float = 1e-4, seed: int = 0,
    threads: int = 1,
) -> HorizonDesign:  # fmt: skip
    """The myopic plan: each year solved on its own from what the years before left open.

    Each step solves year ``t`` alone (the multi-year model over one year, its weight and
    discount, every outlet opened before kept open, the modules kept), with an equal share
    of ``time_limit_s``. The stitched designs are priced with the multi-year objective.
    """
    m = hp.problems[0].n_facilities
    state_open, state_mod = hp.initial_open.copy(), hp.initial_modules.copy()
    designs, modules = [], np.zeros((hp.n_years, m), dtype=np.int64)
    status, t0 = "optimal", time.perf_counter()
    for t in range(hp.n_years):
        step = solve_horizon(
            hp.sub(t, state_open, state_mod),
            time_limit_s=time_limit_s / hp.n_years,
            mip_gap=mip_gap,
            seed=seed,
            threads=threads,
        )
        designs.append(step.designs[0])
        modules[t] = step.modules[0]
        state_open, state_mod = step.designs[0].open_mask.copy(), step.modules[0].copy()
        if step.status != "optimal":
            status = step.status
    return horizon_design(
        hp, designs, modules, status=status, proven_optimal=False,
        seconds=time.perf_counter() - t0,
    )  # fmt: skip
