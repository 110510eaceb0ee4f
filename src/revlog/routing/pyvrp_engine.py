"""PyVRP as revlog's core search: a :class:`RoutingProblem` as a ``pyvrp.ProblemData``.

PyVRP (Wouters et al., iterated local search with late-acceptance hill climbing) works on
integers: :func:`to_pyvrp` takes its scales from :func:`revlog.routing.units.exact_scales`
(exact for the benchmark instances, 0.01 CNY / 1 s / 0.1 kg for real problems).

What PyVRP expresses exactly: pickups in two load dimensions (total kg against the
payload, damaged kg against the certified boxes), one time window per stop, service
times, a horizon, heterogeneous vehicle types (fixed cost, per-km cost, count), the
exposure term of the objective (folded into one cost matrix per per-km cost), and
droppable stops (a prize equal to the drop penalty). What it does not: several windows
per stop (modelled by their hull), and the dangerous-goods driver rules (breaks, duty
limits, night bans, multi-day and multi-trip runs; modelled by a shift-duration bound at
most). The model records these relaxations in :attr:`PyVRPModel.relaxations`; the
engine then hands PyVRP's routes to OR-Tools, which enforces the full rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyvrp
from pyvrp.search import NeighbourhoodParams
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement

from revlog.routing.problem import RoutingProblem, VehicleType
from revlog.routing.rules import BreakRule, departure_windows_h
from revlog.routing.units import IntScales, exact_scales, to_int

#: Granular neighbourhood (nearest clients each client's moves are tried with) on short
#: budgets. PyVRP's default, 50, was tuned by its authors for long runs; at 10 s for 100
#: to 400 clients a narrower one buys 1.7 to 1.9x the iterations, which is worth more
#: than the breadth (measured side by side, see ``bench/results/routing_tuning.md``).
SHORT_BUDGET_NEIGHBOURS = 20

#: A budget below this many seconds per client counts as short (10 s for 100 clients is
#: 0.1 s per client; longer budgets were not measured and keep PyVRP's defaults).
SHORT_BUDGET_S_PER_CLIENT = 0.25


@dataclass
class PyVRPModel:
    """A routing problem translated for PyVRP.

    Attributes
    ----------
    data
        The PyVRP problem data (client ``i`` is node ``i + 1``; depot 0 is node 0).
    scales
        The integer scales used.
    vehicle_type_of
        Index in ``problem.vehicle_types`` of each PyVRP vehicle type.
    relaxations
        What the model does not express exactly (empty when it is exact).
    """

    data: pyvrp.ProblemData
    scales: IntScales
    vehicle_type_of: list[int]
    relaxations: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """Whether PyVRP's feasible solutions are exactly the problem's feasible ones."""
        return not self.relaxations


@dataclass
class PyVRPRoutes:
    """Routes found by PyVRP, in problem terms.

    Attributes
    ----------
    routes
        Node indices of each route (base omitted).
    vehicle_types
        Index in ``problem.vehicle_types`` of the vehicle of each route.
    cost
        PyVRP's objective in integer cost units (see ``PyVRPModel.scales``).
    feasible
        PyVRP's own verdict under the (possibly relaxed) model.
    iterations
        Iterations of the iterated local search.
    runtime_s
        Time spent in the search, s.
    """

    routes: list[list[int]]
    vehicle_types: list[int]
    cost: int
    feasible: bool
    iterations: int
    runtime_s: float


def _finite(matrix: np.ndarray, forbidden: np.ndarray) -> np.ndarray:
    """The matrix with forbidden entries set to a prohibitive finite value."""
    out = np.array(matrix, dtype=float)
    if forbidden.any():
        ok = out[~forbidden]
        big = float(np.abs(ok).max()) if ok.size else 1.0
        out[forbidden] = max(big, 1.0) * out.shape[0] * 10
    return out


def windows_bind(problem: RoutingProblem, hulls: list[tuple[float, float]]) -> bool:
    """Whether any time window can constrain a route of ``problem``.

    With no driver rules, windows cannot bind when every window opens no later than the
    base and closes after the latest possible return: leaving the base when it opens and
    taking the longest arc out of every node plus every service time.
    """
    if problem.rules is not None:
        return True
    hours = np.where(np.isfinite(problem.hours), problem.hours, 0.0)
    start = hulls[0][0]
    latest = start + float(hours.max(axis=1).sum()) + float(np.sum(problem.service_h))
    return any(lo > start or hi < latest for lo, hi in hulls)


@dataclass(frozen=True)
class _Relaxed:
    """How the driver rules are approximated in PyVRP (integer time units)."""

    travel_factor: float = 1.0
    shift: int | None = None
    depart_early: int | None = None


def _relax_rules(problem: RoutingProblem, time_scale: int, relaxations: list[str]) -> _Relaxed:
    """Driver rules are not expressible in PyVRP; approximated conservatively so that its
    routes tend to survive them: travel inflated by the driving breaks it needs, runs leave
    at the first shift start, a one-day run lasts at most the daily duty limit."""
    rules = problem.rules
    if rules is None:
        return _Relaxed()
    relaxations.append("dangerous-goods driver rules (breaks, duty, bans) approximated")
    rule = BreakRule.of(rules)
    shift = None
    if rules.duty_h_per_day is not None and rules.max_days == 1 and not rules.allow_multi_trip:
        shift = int(to_int(rules.duty_h_per_day, time_scale))
    departures = departure_windows_h(problem)
    return _Relaxed(
        travel_factor=rule.travel_factor if rule is not None else 1.0,
        shift=shift,
        depart_early=int(to_int(departures[0][0], time_scale)) if departures else None,
    )


def _hulls(problem: RoutingProblem, relaxations: list[str]) -> list[tuple[float, float]]:
    """One window per node: the hull of its windows (the base's period when it has none)."""
    base_open = min(lo for lo, _ in problem.time_windows_h[0])
    base_close = min(max(hi for _, hi in problem.time_windows_h[0]), problem.horizon_h)
    if any(len(w) > 1 for w in problem.time_windows_h[1:]):
        relaxations.append("several time windows per stop (hull used)")
    return [
        (min(lo for lo, _ in w), max(hi for _, hi in w)) if w else (base_open, base_close)
        for w in problem.time_windows_h
    ]


def _route_fixed_cny(vt: VehicleType) -> float:
    """A PyVRP route's fixed cost: the run's, and the vehicle's ownership (the relaxed
    search has one route per vehicle, so ownership is paid per route there)."""
    return float(vt.fixed_cost_cny) + float(vt.ownership_cost_cny)


def _scales(
    problem: RoutingProblem,
    costs: dict[tuple[float, float], np.ndarray],
    hulls: list[tuple[float, float]],
) -> IntScales:
    """Exact integer scales of every cost, time and load of the problem."""
    money = [m.ravel() for m in costs.values()]
    money.append(np.array([_route_fixed_cny(vt) for vt in problem.vehicle_types], dtype=float))
    if problem.drop_penalty_cny is not None:
        money.append(np.array([problem.drop_penalty_cny], dtype=float))
    times = np.concatenate(
        [
            np.asarray(problem.hours, float).ravel(),
            np.asarray(problem.service_h, float),
            np.array([t for h in hulls for t in h], dtype=float),
        ]
    )
    intact = np.asarray(problem.pickup_intact_kg, float)
    damaged = np.asarray(problem.pickup_damaged_kg, float)
    loads = np.concatenate(
        [
            intact + damaged,
            damaged,
            [vt.payload_kg for vt in problem.vehicle_types],
            [vt.damaged_capacity_kg for vt in problem.vehicle_types],
        ]
    )
    return exact_scales(np.concatenate(money), times, loads)


def to_pyvrp(problem: RoutingProblem) -> PyVRPModel:
    """Translate a routing problem into PyVRP problem data.

    Parameters
    ----------
    problem
        The routing problem (node 0 is the base).

    Returns
    -------
    PyVRPModel
        The data, the scales and the list of relaxations (see the module docstring).
    """
    n = problem.n_nodes
    relaxations: list[str] = []
    # Cost: one matrix ("profile") per distinct (per-km, per-hour) cost, unit distance cost 1.
    rates = sorted({(vt.cost_cny_per_km, vt.cost_cny_per_h) for vt in problem.vehicle_types})
    by_rate = {(vt.cost_cny_per_km, vt.cost_cny_per_h): vt for vt in problem.vehicle_types}
    costs = {c: problem.arc_cost_cny(by_rate[c]) for c in rates}
    forbidden = ~(np.isfinite(problem.km) & np.isfinite(problem.hours))
    np.fill_diagonal(forbidden, False)
    if forbidden.any():
        relaxations.append("forbidden arcs (modelled by a prohibitive cost)")
    hulls = _hulls(problem, relaxations)
    scales = _scales(problem, costs, hulls)
    relaxed = _relax_rules(problem, scales.time_per_h, relaxations)
    tw = to_int(np.array(hulls, dtype=float), scales.time_per_h)
    # Windows that no route can reach are left out: PyVRP then skips time-window
    # bookkeeping in every move evaluation (about 40 % more iterations on CVRP).
    loose = relaxed.depart_early is None and not windows_bind(problem, hulls)

    def window(lo: int, hi: int) -> dict[str, int]:
        return {} if loose else {"tw_early": lo, "tw_late": hi}

    depot = pyvrp.Depot(0, **window(int(tw[0, 0]), int(tw[0, 1])))
    two_dims = bool(np.any(np.asarray(problem.pickup_damaged_kg, float)[1:] > 0))
    clients = _clients(problem, scales, tw, window, two_dims)
    start = int(tw[0, 0]) if relaxed.depart_early is None else relaxed.depart_early
    vehicle_types = []
    for vt in problem.vehicle_types:
        capacity = [int(to_int(vt.payload_kg, scales.load_per_kg))]
        if two_dims:
            capacity.append(int(to_int(vt.damaged_capacity_kg, scales.load_per_kg)))
        kwargs = {} if relaxed.shift is None else {"shift_duration": relaxed.shift}
        kwargs.update(window(start, int(tw[0, 1])))
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=int(vt.count),
                capacity=capacity,
                fixed_cost=int(to_int(_route_fixed_cny(vt), scales.cost_per_cny)),
                unit_distance_cost=1,
                profile=rates.index((vt.cost_cny_per_km, vt.cost_cny_per_h)),
                name=vt.id,
                **kwargs,
            )
        )
    durations = to_int(relaxed.travel_factor * _finite(problem.hours, forbidden), scales.time_per_h)
    np.fill_diagonal(durations, 0)
    matrices = []
    for c in rates:
        m = to_int(_finite(costs[c], forbidden), scales.cost_per_cny)
        np.fill_diagonal(m, 0)
        matrices.append(m)
    locations = [pyvrp.Location(0.0, 0.0) for _ in range(n)]
    data = pyvrp.ProblemData(
        locations, clients, [depot], vehicle_types, matrices, [durations] * len(matrices)
    )
    return PyVRPModel(
        data=data,
        scales=scales,
        vehicle_type_of=list(range(len(problem.vehicle_types))),
        relaxations=relaxations,
    )


def _clients(
    problem: RoutingProblem, scales: IntScales, tw: np.ndarray, window, two_dims: bool
) -> list:
    """PyVRP clients: pickups in one or two load dimensions (total kg, damaged kg)."""
    intact = np.asarray(problem.pickup_intact_kg, float)
    damaged = np.asarray(problem.pickup_damaged_kg, float)
    total_int = to_int(intact + damaged, scales.load_per_kg)
    damaged_int = to_int(damaged, scales.load_per_kg)
    service = to_int(problem.service_h, scales.time_per_h)
    required = problem.drop_penalty_cny is None
    prize = 0 if required else int(to_int(problem.drop_penalty_cny, scales.cost_per_cny))
    clients = []
    for i in range(1, problem.n_nodes):
        pickup = [int(total_int[i]), int(damaged_int[i])] if two_dims else [int(total_int[i])]
        clients.append(
            pyvrp.Client(
                i,
                pickup=pickup,
                service_duration=int(service[i]),
                **window(int(tw[i, 0]), int(tw[i, 1])),
                prize=prize,
                required=required,
                name=str(problem.node_ids[i]),
            )
        )
    return clients


def routes_of(solution: pyvrp.Solution) -> tuple[list[list[int]], list[int]]:
    """Node-index routes and vehicle types of a PyVRP solution.

    Parameters
    ----------
    solution
        A PyVRP solution of data built by :func:`to_pyvrp`.

    Returns
    -------
    routes, vehicle_types
        Node indices of each non-empty route (base omitted) and its PyVRP vehicle type.
    """
    routes, types = [], []
    for route in solution.routes():
        visits = [act.idx + 1 for act in route if act.is_client()]
        if visits:
            routes.append(visits)
            types.append(int(route.vehicle_type()))
    return routes, types


def search_params(num_clients: int, time_limit_s: float) -> pyvrp.SolveParams:
    """PyVRP's parameters for a budget: a narrower neighbourhood when the budget is short.

    Parameters
    ----------
    num_clients
        Number of stops of the problem.
    time_limit_s
        Time budget of the search, s.

    Returns
    -------
    pyvrp.SolveParams
        PyVRP's defaults, except ``num_neighbours`` = :data:`SHORT_BUDGET_NEIGHBOURS`
        when the budget is below :data:`SHORT_BUDGET_S_PER_CLIENT` per client.
    """
    if num_clients > 0 and time_limit_s / num_clients < SHORT_BUDGET_S_PER_CLIENT:
        return pyvrp.SolveParams(
            neighbourhood=NeighbourhoodParams(num_neighbours=SHORT_BUDGET_NEIGHBOURS)
        )
    return pyvrp.SolveParams()


def solve_pyvrp(
    model: PyVRPModel,
    time_limit_s: float,
    seed: int = 0,
    *,
    max_iterations: int | None = None,
    no_improvement: int | None = None,
    initial: pyvrp.Solution | None = None,
    params: pyvrp.SolveParams | None = None,
) -> PyVRPRoutes:
    """Run PyVRP's iterated local search on a model.

    Parameters
    ----------
    model
        From :func:`to_pyvrp`.
    time_limit_s
        Time budget, s.
    seed
        Random seed.
    max_iterations
        Optional iteration cap (with it, and without a binding time limit, the run is
        deterministic).
    no_improvement
        Optional: stop after this many iterations without a new best solution.
    initial
        Optional warm start.
    params
        PyVRP solver parameters; :func:`search_params` for the budget when ``None``.

    Returns
    -------
    PyVRPRoutes
        The best solution found, in problem terms.
    """
    stops = [MaxRuntime(max(time_limit_s, 0.0))]
    if max_iterations is not None:
        stops.append(MaxIterations(max_iterations))
    if no_improvement is not None:
        stops.append(NoImprovement(no_improvement))
    stop = stops[0] if len(stops) == 1 else MultipleCriteria(stops)
    result = pyvrp.solve(
        model.data,
        stop,
        seed=seed,
        collect_stats=False,
        display=False,
        params=params
        if params is not None
        else search_params(model.data.num_clients, time_limit_s),
        initial_solution=initial,
    )
    routes, types = routes_of(result.best)
    return PyVRPRoutes(
        routes=routes,
        vehicle_types=[model.vehicle_type_of[t] for t in types],
        cost=int(result.cost()) if result.is_feasible() else int(result.best.distance_cost()),
        feasible=bool(result.is_feasible()),
        iterations=int(result.num_iterations),
        runtime_s=float(result.runtime),
    )
