"""The CLRP solver: location MILP proposals, a routed design search, PyVRP as evaluator.

Method (``method="lrp"``):

1. **Proposals from the MILP.** The capacitated facility-location MILP of
   :mod:`revlog.location` (single sourcing, HiGHS) is solved with a first-mile estimate
   per customer and depot, ``factor × 2 d(j, i) q_i / Q + route_cost × q_i / Q`` (a share
   of a round trip and of a route's fixed cost), for each factor of
   :data:`PROPOSAL_FACTORS`; the distinct designs are the search's starts.
2. **Routed design search** (:func:`~revlog.location.lrp.search.design_search`): open /
   close / swap moves over the depots, each candidate evaluated by routing it: a
   multi-depot VRP over its open depots (PyVRP, one vehicle type per depot with the fixed
   route cost, unlimited vehicles) on a short iteration budget; when a depot ends over its
   capacity, the MILP is re-solved on the open depots with per-customer costs learnt
   from the routes (removal saving at its depot, cheapest insertion at the others) to
   move the fewest, cheapest customers, and each depot is re-routed.
3. **Polish.** The best design found gets most of the remaining budget, and the MILP's
   own design (or the second best) the rest: a longer multi-depot run warm-started from
   its routes with the same capacity repair, one CVRP per depot on the MILP's
   assignment (the MILP's design), then relocate / exchange moves between depots and a
   CVRP per depot again; the cheaper is returned.

``method="two-stage"``: the MILP with factor 1, then one CVRP per open depot at the full
budget — the decomposition the issue measured, kept for comparison.

Budgets are iteration counts derived from the time limit by a fixed rate
(:data:`ITERATIONS_PER_S_PER_CLIENT`), so a run is deterministic for a seed and a time
limit; a wall-clock cap per PyVRP call and for the search is a safety stop only.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyvrp
from pyvrp.search import NeighbourhoodParams
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from revlog.errors import LocationNoSolutionError
from revlog.location.lrp.instance import CLRPInstance, LRPRoute, LRPSolution
from revlog.location.lrp.search import Evaluated, OpenSet, Step, design_search
from revlog.location.problem import LocationProblem
from revlog.location.solve import solve_location
from revlog.routing.pyvrp_engine import SHORT_BUDGET_NEIGHBOURS

#: First-mile factors of the MILP proposals (× the radial round-trip share).
PROPOSAL_FACTORS = (1.0, 0.5, 1.5)

#: PyVRP iterations per second per client assumed when turning a time limit into an
#: iteration budget (measured on the shared 2-core machine: about 450 it/s at 200
#: clients with a 20-neighbour granular neighbourhood).
ITERATIONS_PER_S_PER_CLIENT = 90_000.0

#: Share of the time limit spent on the design search (the rest polishes the best).
SEARCH_SHARE = 0.5

#: Budget of one candidate's evaluation, as a share of the time limit.
EVALUATION_SHARE = 0.01

#: Time limit of each proposal MILP: this share of the time limit, at least MILP_MIN_S
#: (a proposal cut short on a loaded machine is a poor start; 1 s was too little for
#: ten depots there).
MILP_SHARE = 0.05
MILP_MIN_S = 3.0

#: Relative MIP gap of the proposal MILPs (their costs are estimates: 1 % is enough, and
#: it ends within the limit on ten depots).
PROPOSAL_GAP = 1e-2

#: Cap on the number of designs routed in the search.
MAX_EVALUATIONS = 50

#: Largest integer arc cost handed to PyVRP for real-valued instances (they are scaled).
_INT_SPAN = 10_000_000

Routes = list[LRPRoute]


@dataclass
class CLRPResult:
    """A CLRP solution with the search's record.

    Attributes
    ----------
    solution
        The best solution (cost recomputed from the instance's arc costs).
    method
        ``"lrp"`` or ``"two-stage"``.
    seconds
        Wall time, s.
    history
        The design search's steps (empty for two-stage).
    start_cost
        Realised cost of the MILP's factor-1 design at the search's budget (lrp only).
    """

    solution: LRPSolution
    method: str
    seconds: float
    history: list[Step] = field(default_factory=list)
    start_cost: float | None = None


class _Context:
    """An instance prepared for routing: float and integer arc costs, integer demands."""

    def __init__(self, inst: CLRPInstance, seed: int) -> None:
        self.inst = inst
        self.seed = seed
        self.m = inst.n_depots
        self.n = inst.n_customers
        self.cost = inst.arc_costs()
        if inst.integer_costs:
            self.scale = 1.0
        else:
            top = float(self.cost.max()) or 1.0
            self.scale = 10.0 ** math.floor(math.log10(_INT_SPAN / top))
        self.int_cost = np.rint(self.cost * self.scale).astype(np.int64)
        dem = np.asarray(inst.demand, float)
        self.load_scale = 1.0 if np.allclose(dem, np.rint(dem)) else 1000.0
        self.int_demand = np.rint(dem * self.load_scale).astype(np.int64)
        self.int_q = math.floor(inst.vehicle_capacity * self.load_scale + 1e-9)

    def node(self, customer: int) -> int:
        """Row of a customer in the arc cost matrices."""
        return self.m + customer

    def iterations(self, seconds: float, clients: int) -> int:
        """Iteration budget worth ``seconds`` for ``clients`` clients."""
        return max(20, int(seconds * ITERATIONS_PER_S_PER_CLIENT / max(clients, 1)))

    def route_distance(self, depot: int, customers: Sequence[int]) -> float:
        """Arc cost of one route (float)."""
        nodes = [depot] + [self.node(i) for i in customers] + [depot]
        return float(sum(self.cost[a, b] for a, b in itertools.pairwise(nodes)))

    def total(self, routes: Routes) -> float:
        """Opening + route fixed + distance cost of a set of routes."""
        depots = sorted({r.depot for r in routes})
        opening = float(np.sum(self.inst.opening_cost[depots])) if depots else 0.0
        dist = sum(self.route_distance(r.depot, r.customers) for r in routes)
        return opening + self.inst.route_cost * len(routes) + dist

    def loads(self, routes: Routes) -> dict[int, float]:
        """Demand served from each depot."""
        out: dict[int, float] = {}
        for r in routes:
            out[r.depot] = out.get(r.depot, 0.0) + float(self.inst.demand[list(r.customers)].sum())
        return out


# ------------------------------------------------------------------------------ PyVRP


def _pyvrp_route(
    ctx: _Context,
    depots: Sequence[int],
    customers: Sequence[int],
    iterations: int,
    *,
    initial: Routes | None = None,
    cap_s: float = 60.0,
) -> Routes:
    """Routes of a multi-depot VRP over ``depots`` and ``customers`` (PyVRP)."""
    if not customers:
        return []
    depots = list(depots)
    customers = list(customers)
    rows = depots + [ctx.node(i) for i in customers]
    matrix = ctx.int_cost[np.ix_(rows, rows)].copy()
    np.fill_diagonal(matrix, 0)
    locations = [pyvrp.Location(0, 0) for _ in rows]
    k = len(depots)
    clients = [
        pyvrp.Client(k + c, delivery=[int(ctx.int_demand[i])]) for c, i in enumerate(customers)
    ]
    fixed = round(ctx.inst.route_cost * ctx.scale)
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=len(customers),
            capacity=[ctx.int_q],
            start_depot=d,
            end_depot=d,
            fixed_cost=fixed,
        )
        for d in range(k)
    ]
    data = pyvrp.ProblemData(
        locations,
        clients,
        [pyvrp.Depot(d) for d in range(k)],
        vehicle_types,
        [matrix],
        [matrix * 0],
    )
    warm = None
    if initial:
        pos = {i: c for c, i in enumerate(customers)}
        slot = {d: p for p, d in enumerate(depots)}
        warm = pyvrp.Solution(
            data,
            [
                pyvrp.Route(data, [pos[i] for i in r.customers], slot[r.depot])
                for r in initial
                if r.customers
            ],
        )
    params = pyvrp.SolveParams(
        neighbourhood=NeighbourhoodParams(num_neighbours=SHORT_BUDGET_NEIGHBOURS)
    )
    stop = MultipleCriteria([MaxIterations(int(iterations)), MaxRuntime(max(cap_s, 0.05))])
    result = pyvrp.solve(
        data, stop, seed=ctx.seed, collect_stats=False, display=False, params=params,
        initial_solution=warm,
    )  # fmt: skip
    out: Routes = []
    for route in result.best.routes():
        visits = tuple(customers[a.idx] for a in route if a.is_client())
        if visits:
            out.append(LRPRoute(depots[int(route.vehicle_type())], visits))
    return out


# ---------------------------------------------------------------- capacity and the MILP


def _milp_assign(
    ctx: _Context, depots: Sequence[int], cost: np.ndarray, limit_s: float
) -> np.ndarray | None:
    """Single-sourcing assignment of every customer to ``depots`` under their capacities
    minimising ``cost`` (``(n, len(depots))``) — the location MILP with the depots open."""
    inst = ctx.inst
    lp = LocationProblem.from_cost_matrix(
        cost,
        inst.demand,
        np.zeros(len(depots)),
        inst.depot_capacity[list(depots)],
        forced_open=np.ones(len(depots), bool),
        single_source=True,
        name=f"{inst.name}-assign",
    )
    try:
        design = solve_location(lp, time_limit_s=limit_s, mip_gap=1e-6, seed=ctx.seed)
    except Exception:
        return None
    out = np.full(ctx.n, -1)
    for a in np.nonzero(design.assignment > 0.5)[0]:
        out[int(lp.arc_source[a])] = int(depots[int(lp.arc_facility[a])])
    return out if (out >= 0).all() else None


def _learnt_costs(ctx: _Context, routes: Routes, depots: Sequence[int]) -> np.ndarray:
    """Per customer and depot: what serving the customer there costs, learnt from routes.

    At its own depot, the saving of removing it from its route (the whole route's cost
    when it is alone); at another depot, the cheapest insertion into one of that depot's
    routes with room, or a new route from it.
    """
    c = ctx.cost
    q = ctx.inst.demand
    out = np.zeros((ctx.n, len(depots)))
    col = {d: p for p, d in enumerate(depots)}
    by_depot: dict[int, list[LRPRoute]] = {d: [] for d in depots}
    for r in routes:
        by_depot[r.depot].append(r)
    for p, d in enumerate(depots):
        out[:, p] = ctx.inst.route_cost + 2.0 * c[d, ctx.m :]
        for r in by_depot[d]:
            load = float(q[list(r.customers)].sum())
            nodes = [d] + [ctx.node(i) for i in r.customers] + [d]
            a, b = np.array(nodes[:-1]), np.array(nodes[1:])
            cols = ctx.m + np.arange(ctx.n)
            delta = c[np.ix_(a, cols)] + c[np.ix_(b, cols)] - c[a, b][:, None]
            best = delta.min(axis=0)
            room = load + q <= ctx.inst.vehicle_capacity + 1e-9
            out[:, p] = np.where(room, np.minimum(out[:, p], best), out[:, p])
    for r in routes:
        nodes = [r.depot] + [ctx.node(i) for i in r.customers] + [r.depot]
        for k, i in enumerate(r.customers, start=1):
            if len(r.customers) == 1:
                saving = ctx.inst.route_cost + c[nodes[0], nodes[1]] * 2.0
            else:
                prev, this, nxt = nodes[k - 1], nodes[k], nodes[k + 1]
                saving = c[prev, this] + c[this, nxt] - c[prev, nxt]
            out[i, col[r.depot]] = saving
    return out


def _within_capacity(ctx: _Context, routes: Routes) -> bool:
    cap = ctx.inst.depot_capacity
    return all(load <= cap[d] + 1e-9 for d, load in ctx.loads(routes).items())


def _repair(
    ctx: _Context, routes: Routes, depots: Sequence[int], iterations: int, cap_s: float
) -> Routes | None:
    """Routes within every depot's capacity (``None`` when impossible): the MILP assigns
    the customers to the depots once at costs learnt from the routes and once at the
    first-mile estimate, each depot is re-routed from its kept routes, the cheaper kept."""
    if _within_capacity(ctx, routes):
        return routes
    learnt = _learnt_costs(ctx, routes, depots)
    proxy = _proposal_costs(ctx, 1.0)[:, list(depots)]
    found: list[Routes] = []
    for cost in (learnt, proxy):
        assign = _milp_assign(ctx, depots, cost, min(cap_s, 10.0))
        if assign is not None:
            found.append(_per_depot(ctx, routes, assign, depots, iterations, cap_s / 2))
    return min(found, key=ctx.total) if found else None


def _per_depot(
    ctx: _Context,
    routes: Routes,
    assign: np.ndarray,
    depots: Sequence[int],
    iterations: int,
    cap_s: float,
) -> Routes:
    """One CVRP per depot over its assigned customers, warm-started from ``routes``."""
    out: Routes = []
    t_end = time.perf_counter() + cap_s
    for d in depots:
        mine = [int(i) for i in np.nonzero(assign == d)[0]]
        if not mine:
            continue
        kept = [
            LRPRoute(d, tuple(i for i in r.customers if assign[i] == d))
            for r in routes
            if r.depot == d
        ]
        covered = {i for r in kept for i in r.customers}
        kept = [r for r in kept if r.customers] + [
            LRPRoute(d, (i,)) for i in mine if i not in covered
        ]
        share = max(iterations * len(mine) // max(ctx.n, 1), 20)
        left = max(t_end - time.perf_counter(), 0.05)
        out += _pyvrp_route(ctx, [d], mine, share, initial=kept, cap_s=left)
    return out


def _relocate(
    ctx: _Context, routes: Routes, depots: Sequence[int], t_end: float = math.inf
) -> Routes:
    """Move single customers to the cheapest position at another depot while that saves,
    within vehicle and depot capacities (the reassignment move between depots)."""
    c = ctx.cost
    q = ctx.inst.demand
    cap = ctx.inst.depot_capacity
    tours = [[r.depot, list(r.customers)] for r in routes]
    depot_load = {d: 0.0 for d in depots}
    for d, cust in tours:
        depot_load[d] += float(q[cust].sum())
    for _ in range(4 * ctx.n):  # each pass moves one customer; bounded
        if time.perf_counter() > t_end:
            break
        best = (-1e-9, None)
        for t, (d, cust) in enumerate(tours):
            for pos, i in enumerate(cust):
                nodes = [d] + [ctx.node(x) for x in cust] + [d]
                prev, this, nxt = nodes[pos], nodes[pos + 1], nodes[pos + 2]
                saving = c[prev, this] + c[this, nxt] - c[prev, nxt]
                if len(cust) == 1:
                    saving += ctx.inst.route_cost
                for u, (e, other) in enumerate(tours):
                    if e == d or depot_load[e] + q[i] > cap[e] + 1e-9:
                        continue
                    if float(q[other].sum()) + q[i] > ctx.inst.vehicle_capacity + 1e-9:
                        continue
                    seq = [e] + [ctx.node(x) for x in other] + [e]
                    a, b = np.array(seq[:-1]), np.array(seq[1:])
                    ins = c[a, this] + c[this, b] - c[a, b]
                    k = int(np.argmin(ins))
                    gain = float(ins[k]) - saving
                    if gain < best[0]:
                        best = (gain, (t, pos, u, k))
                for e in depots:
                    if e == d or depot_load[e] + q[i] > cap[e] + 1e-9:
                        continue
                    gain = ctx.inst.route_cost + 2.0 * c[e, this] - saving
                    if gain < best[0]:
                        best = (gain, (t, pos, e, None))
        if best[1] is None:
            break
        t, pos, u, k = best[1]
        d, cust = tours[t]
        i = cust.pop(pos)
        depot_load[d] -= q[i]
        if k is None:
            tours.append([u, [i]])
            depot_load[u] += q[i]
        else:
            tours[u][1].insert(k, i)
            depot_load[tours[u][0]] += q[i]
        tours = [tr for tr in tours if tr[1]]
    return [LRPRoute(d, tuple(cust)) for d, cust in tours]


def _exchange(ctx: _Context, routes: Routes, t_end: float = math.inf) -> Routes:
    """Swap two customers of different depots in place while that saves, within vehicle
    and depot capacities (the move that frees a full depot; vectorised over all pairs)."""
    c = ctx.cost
    q = np.asarray(ctx.inst.demand, float)
    cap = ctx.inst.depot_capacity
    tours = [[r.depot, list(r.customers)] for r in routes]
    for _ in range(2 * ctx.n):
        if time.perf_counter() > t_end:
            break
        cust, prev, nxt, tour, depot = [], [], [], [], []
        for t, (d, seq) in enumerate(tours):
            nodes = [d] + [ctx.node(x) for x in seq] + [d]
            for k, i in enumerate(seq):
                cust.append(i), prev.append(nodes[k]), nxt.append(nodes[k + 2])
                tour.append(t), depot.append(d)
        ci, p, x = np.array(cust), np.array(prev), np.array(nxt)
        tr, dp = np.array(tour), np.array(depot)
        node = ctx.m + ci
        qi = q[ci]
        t_load = np.array([q[seq].sum() for _, seq in tours])[tr]
        d_load = np.zeros(ctx.m)
        np.add.at(d_load, dp, qi)
        out_i = c[p, node] + c[node, x]  # arcs around i now
        put = c[p[:, None], node[None, :]] + c[node[None, :], x[:, None]]  # h at i's place
        delta = put - out_i[:, None]
        delta = delta + delta.T
        dq = qi[None, :] - qi[:, None]  # load change of i's side when h replaces i
        ok = dp[:, None] != dp[None, :]
        ok &= t_load[:, None] + dq <= ctx.inst.vehicle_capacity + 1e-9
        ok &= t_load[None, :] - dq <= ctx.inst.vehicle_capacity + 1e-9
        ok &= d_load[dp][:, None] + dq <= cap[dp][:, None] + 1e-9
        ok &= d_load[dp][None, :] - dq <= cap[dp][None, :] + 1e-9
        delta = np.where(ok, delta, np.inf)
        a, b = np.unravel_index(int(np.argmin(delta)), delta.shape)
        if not delta[a, b] < -1e-9:
            break
        ta, tb = tours[tr[a]][1], tours[tr[b]][1]
        ka, kb = ta.index(int(ci[a])), tb.index(int(ci[b]))
        ta[ka], tb[kb] = int(ci[b]), int(ci[a])
    return [LRPRoute(d, tuple(seq)) for d, seq in tours if seq]


def _reassign(
    ctx: _Context, routes: Routes, depots: Sequence[int], iterations: int, cap_s: float
) -> Routes:
    """Relocate and exchange customers between depots, then re-route every depot; kept
    while it saves (at most three rounds)."""
    best = routes
    t_end = time.perf_counter() + cap_s
    for _ in range(3):
        moved = _exchange(ctx, _relocate(ctx, best, depots, t_end), t_end)
        assign = np.full(ctx.n, -1)
        for r in moved:
            assign[list(r.customers)] = r.depot
        left = max(t_end - time.perf_counter(), 0.05)
        routed = _per_depot(ctx, moved, assign, depots, iterations, left)
        cand = min([moved, routed], key=ctx.total)
        if ctx.total(cand) >= ctx.total(best) - 1e-9:
            break
        best = cand
    return best


# ------------------------------------------------------------------------ proposals


def _proposal_costs(ctx: _Context, factor: float) -> np.ndarray:
    """``(n, m)`` first-mile estimate: a share of a round trip and of a route's cost."""
    inst = ctx.inst
    share = np.asarray(inst.demand, float)[:, None] / inst.vehicle_capacity
    radial = ctx.cost[ctx.m :, : ctx.m]
    return factor * 2.0 * radial * share + inst.route_cost * share


def _milp_design(ctx: _Context, factor: float, limit_s: float) -> tuple[OpenSet, np.ndarray]:
    """The location MILP's design (open depots, assignment) at a first-mile factor."""
    inst = ctx.inst
    lp = LocationProblem.from_cost_matrix(
        _proposal_costs(ctx, factor),
        inst.demand,
        inst.opening_cost,
        inst.depot_capacity,
        single_source=True,
        name=f"{inst.name}-x{factor:g}",
    )
    design = solve_location(lp, time_limit_s=limit_s, mip_gap=PROPOSAL_GAP, seed=ctx.seed)
    assign = np.full(ctx.n, -1)
    for a in np.nonzero(design.assignment > 0.5)[0]:
        assign[int(lp.arc_source[a])] = int(lp.arc_facility[a])
    return frozenset(int(j) for j in np.nonzero(design.open_mask)[0]), assign


def _estimate(ctx: _Context) -> Callable[[OpenSet], float]:
    """Cheap estimate of a design: opening + each customer's nearest open depot share."""
    est = _proposal_costs(ctx, 1.0)

    def value(design: OpenSet) -> float:
        cols = sorted(design)
        return float(ctx.inst.opening_cost[cols].sum() + est[:, cols].min(axis=1).sum())

    return value


# ---------------------------------------------------------------------------- solvers


def _to_solution(ctx: _Context, routes: Routes) -> LRPSolution:
    routes = sorted(routes, key=lambda r: (r.depot, r.customers))
    return LRPSolution(
        open=tuple(sorted({r.depot for r in routes})),
        routes=tuple(routes),
        cost=ctx.total(routes),
    )


def two_stage(inst: CLRPInstance, time_limit_s: float = 60.0, seed: int = 0) -> CLRPResult:
    """Location MILP (first-mile factor 1) then one CVRP per open depot (PyVRP).

    Parameters
    ----------
    inst
        The instance.
    time_limit_s
        Budget, s (MILP at most a fifth of it, the rest routing).
    seed
        Random seed of HiGHS and PyVRP.

    Returns
    -------
    CLRPResult
    """
    t0 = time.perf_counter()
    ctx = _Context(inst, seed)
    design, assign = _milp_design(ctx, 1.0, max(time_limit_s * 0.2, 1.0))
    left = max(time_limit_s - (time.perf_counter() - t0), 0.5)
    routes = _per_depot(ctx, [], assign, sorted(design), ctx.iterations(left, ctx.n), left)
    return CLRPResult(_to_solution(ctx, routes), "two-stage", time.perf_counter() - t0)


def _polish(
    ctx: _Context, ev: Evaluated, seconds: float, assign: np.ndarray | None = None
) -> Routes:
    """A design's routes improved for ``seconds``: a long multi-depot run from its routes
    with the capacity repair, one CVRP per depot on the MILP's assignment when given,
    then reassignment between depots."""
    t_end = time.perf_counter() + seconds
    depots = sorted(ev.open)
    everyone = list(range(ctx.n))
    long = ctx.iterations(seconds * 0.5, ctx.n)
    routes = _pyvrp_route(ctx, depots, everyone, long, initial=ev.detail, cap_s=seconds * 0.6)
    left = max(t_end - time.perf_counter(), 0.1)
    candidates = [ev.detail]
    fixed = _repair(ctx, routes, depots, long // 2, left * 0.5)
    if fixed is not None:
        candidates.append(fixed)
    if assign is not None:
        left = max(t_end - time.perf_counter(), 0.1)
        iters = ctx.iterations(left * 0.5, ctx.n)
        candidates.append(_per_depot(ctx, [], assign, depots, iters, left * 0.5))
    final = min(candidates, key=ctx.total)
    left = max(t_end - time.perf_counter(), 0.1)
    return _reassign(ctx, final, depots, ctx.iterations(left / 3, ctx.n), left)


def solve_clrp(
    inst: CLRPInstance,
    time_limit_s: float = 60.0,
    seed: int = 0,
    *,
    on_step: Callable[[Step], None] | None = None,
) -> CLRPResult:
    """Solve a CLRP by the routed design search (see the module docstring).

    Parameters
    ----------
    inst
        The instance.
    time_limit_s
        Budget, s.
    seed
        Random seed (HiGHS and PyVRP); same seed and limit, same solution unless the
        wall-clock safety caps bind.
    on_step
        Progress callback, called after each design evaluated.

    Returns
    -------
    CLRPResult

    Raises
    ------
    ValueError
        When the depots' total capacity is below the total demand.
    """
    t0 = time.perf_counter()
    if float(inst.depot_capacity.sum()) < float(inst.demand.sum()) - 1e-9:
        raise ValueError(f"{inst.name}: total depot capacity is below total demand")
    ctx = _Context(inst, seed)
    total_demand = float(inst.demand.sum())
    everyone = list(range(ctx.n))
    quick = ctx.iterations(time_limit_s * EVALUATION_SHARE, ctx.n)
    cap_each = time_limit_s * EVALUATION_SHARE * 3

    def evaluate(design: OpenSet) -> Evaluated | None:
        depots = sorted(design)
        routes = _pyvrp_route(ctx, depots, everyone, quick, cap_s=cap_each)
        repaired = _repair(ctx, routes, depots, quick, cap_each)
        if repaired is None:
            return None
        if repaired is not routes:  # capacities bind: reassign between depots
            repaired = _reassign(ctx, repaired, depots, quick, cap_each)
        routes = repaired
        return Evaluated(design, ctx.total(routes), routes)

    def admissible(design: OpenSet) -> bool:
        return bool(design) and float(inst.depot_capacity[sorted(design)].sum()) >= total_demand

    milp_s = max(time_limit_s * MILP_SHARE, MILP_MIN_S)
    proposals = []
    for f in PROPOSAL_FACTORS:
        try:
            proposals.append(_milp_design(ctx, f, milp_s))
        except LocationNoSolutionError:  # no incumbent within the limit: skip this one
            continue
    if not proposals:  # every depot open is admissible (total capacity checked above)
        proposals.append((frozenset(range(ctx.m)), None))
    starts = [design for design, _ in proposals]
    start_assign = proposals[0][1]
    deadline = t0 + time_limit_s * SEARCH_SHARE
    result = design_search(
        starts,
        ctx.m,
        evaluate,
        admissible=admissible,
        estimate=_estimate(ctx),
        max_evaluations=MAX_EVALUATIONS,
        deadline=deadline,
        on_step=on_step,
    )
    start_eval = result.evaluated.get(starts[0])
    # Polish the best design with what is left, and the MILP's own design beside it (a
    # short evaluation may misjudge it): the cheaper polished one is returned.
    targets = [(result.best, None)]
    if start_eval is not None and start_eval.open != result.best.open:
        targets.append((start_eval, start_assign))
    elif len(ranked := result.ranked()) > 1:
        targets.append((ranked[1], None))
    shares = (1.0,) if len(targets) == 1 else (0.6, 1.0)
    polished = []
    for (ev, hint), share in zip(targets, shares, strict=False):
        left = max(time_limit_s - (time.perf_counter() - t0), 0.5)
        polished.append(_polish(ctx, ev, left * share, hint))
    final = min(polished, key=ctx.total)
    return CLRPResult(
        _to_solution(ctx, final),
        "lrp",
        time.perf_counter() - t0,
        history=result.history,
        start_cost=None if start_eval is None else start_eval.total,
    )
