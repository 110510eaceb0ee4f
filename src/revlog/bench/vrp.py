"""Solomon and VRPLIB benchmark instances: readers, ``.sol`` files, an independent checker.

Conventions follow ``benchmarks/README.md``:

* **Solomon** (``.txt``): Euclidean distances truncated to one decimal,
  ``floor(10 d) / 10`` (the DIMACS / CVRPLIB convention of ``distance_only_bks``), used as
  both cost and travel time; service may start in ``[READY, DUE]``; every route is back at
  the depot by the depot's due date; fleet unlimited, minimise distance.
* **VRPLIB** (``.vrp``, e.g. the Uchoa X set): ``EUC_2D`` distances rounded to the nearest
  integer, ``nint(d) = floor(d + 0.5)``; no time windows; fleet unlimited.

In both formats the customers of a solution file are numbered by their node index: the
Solomon ``CUST NO.`` (depot 0) and, for VRPLIB, the node id minus one. A
:class:`~revlog.routing.problem.RoutingProblem` read here keeps that numbering: node ``i``
of the problem is customer number ``i`` of the ``.sol`` file.

The checker (:func:`check_routes`, :func:`check_sol_file`) recomputes everything from the
instance data alone and trusts no solver.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from revlog.routing.problem import RoutingProblem, VehicleType

#: Relative/absolute tolerance of the time-window and capacity checks.
CHECK_TOL = 1e-6

#: Columns of the table returned by :func:`run_vrp`.
RUN_COLUMNS = ["instance", "vehicles", "distance", "seconds", "feasible"]


# --------------------------------------------------------------------------- readers


def _euclidean(xy: np.ndarray) -> np.ndarray:
    diff = xy[:, None, :] - xy[None, :, :]
    return np.sqrt((diff**2).sum(axis=-1))


def read_solomon(path: str | Path) -> RoutingProblem:
    """Read a Solomon VRPTW instance (``.txt``) into a routing problem.

    Parameters
    ----------
    path
        The instance file (the usual Solomon text layout, CRLF or LF line endings).

    Returns
    -------
    RoutingProblem
        Node 0 is the depot. ``km`` and ``hours`` both hold the truncated distances
        ``floor(10 d) / 10`` (instance units); one vehicle type with the file's capacity
        and ``count`` equal to the number of customers (fleet unlimited); the depot's due
        date is the horizon. ``meta`` holds ``format="solomon"``, ``decimals=1`` and the
        file's vehicle number.

    Raises
    ------
    ValueError
        When the file does not have the Solomon layout.
    """
    path = Path(path)
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    name = lines[0] if lines and lines[0] else path.stem
    try:
        v_at = next(i for i, ln in enumerate(lines) if ln.upper().startswith("VEHICLE"))
        number, capacity = (int(float(t)) for t in lines[v_at + 2].split()[:2])
        c_at = next(i for i, ln in enumerate(lines) if ln.upper().startswith("CUSTOMER"))
    except (StopIteration, ValueError, IndexError) as exc:
        raise ValueError(f"{path}: not a Solomon instance (VEHICLE/CUSTOMER blocks)") from exc
    rows = []
    for ln in lines[c_at + 1 :]:
        tokens = ln.split()
        if len(tokens) != 7:
            continue
        try:
            rows.append([float(t) for t in tokens])
        except ValueError:
            continue  # the column header
    if len(rows) < 2:
        raise ValueError(f"{path}: no customer rows")
    data = np.array(rows)
    if not np.array_equal(data[:, 0], np.arange(len(data))):
        raise ValueError(f"{path}: customer numbers must run 0..n-1 (depot 0)")
    km = np.trunc(10.0 * _euclidean(data[:, 1:3])) / 10.0
    n = len(data)
    horizon = float(data[0, 5])
    windows = [[(float(r[4]), float(r[5]))] for r in data]
    windows[0] = [(float(data[0, 4]), horizon)]
    return RoutingProblem(
        name=name,
        node_ids=[str(int(c)) for c in data[:, 0]],
        km=km,
        hours=km.copy(),
        pickup_intact_kg=data[:, 3].copy(),
        pickup_damaged_kg=np.zeros(n),
        service_h=data[:, 6].copy(),
        time_windows_h=windows,
        vehicle_types=[VehicleType(id="vehicle", payload_kg=float(capacity), count=n - 1)],
        rules=None,
        horizon_h=horizon,
        meta={"format": "solomon", "decimals": 1, "file_vehicles": number},
    )


def read_vrplib(path: str | Path) -> RoutingProblem:
    """Read a CVRPLIB / TSPLIB95 ``.vrp`` instance (e.g. the Uchoa X set).

    Parameters
    ----------
    path
        The instance file. ``EUC_2D`` distances are rounded to the nearest integer
        (``nint``, the CVRPLIB convention); explicit edge weights are used as given.

    Returns
    -------
    RoutingProblem
        Node 0 is the depot (node id 1 of the file). No time windows (one window over an
        unbounded horizon), travel time = distance, one vehicle type with the file's
        capacity and ``count`` equal to the number of customers (fleet unlimited).

    Raises
    ------
    ValueError
        When the instance has more than one depot or its depot is not its first node.
    """
    import vrplib  # installed with pyvrp

    path = Path(path)
    inst = vrplib.read_instance(path, instance_format="vrplib", compute_edge_weights=True)
    depots = np.atleast_1d(inst.get("depot", [0]))
    if len(depots) != 1 or int(depots[0]) != 0:
        raise ValueError(f"{path}: one depot, the first node, is supported")
    weights = np.asarray(inst["edge_weight"], dtype=float)
    if str(inst.get("edge_weight_type", "")).upper() == "EUC_2D":
        weights = np.floor(weights + 0.5)
    n = weights.shape[0]
    demand = np.asarray(inst.get("demand", np.zeros(n)), dtype=float)
    if demand.ndim > 1:
        demand = demand[:, 0]
    horizon = float(np.sum(weights.max(axis=1)) * 2 + 1.0)
    service = np.asarray(inst.get("service_time", np.zeros(n)), dtype=float) * np.ones(n)
    return RoutingProblem(
        name=str(inst.get("name", path.stem)),
        node_ids=[str(i + 1) for i in range(n)],
        km=weights,
        hours=weights.copy(),
        pickup_intact_kg=demand.copy(),
        pickup_damaged_kg=np.zeros(n),
        service_h=service,
        time_windows_h=[[(0.0, horizon)] for _ in range(n)],
        vehicle_types=[VehicleType(id="vehicle", payload_kg=float(inst["capacity"]), count=n - 1)],
        rules=None,
        horizon_h=horizon,
        meta={"format": "vrplib", "decimals": 0, "time_windows": False},
    )


def read_instance(path: str | Path) -> RoutingProblem:
    """Read a Solomon ``.txt`` or a VRPLIB ``.vrp`` instance by its suffix.

    Parameters
    ----------
    path
        The instance file.

    Returns
    -------
    RoutingProblem
        See :func:`read_solomon` and :func:`read_vrplib`.
    """
    path = Path(path)
    if path.suffix.lower() == ".vrp":
        return read_vrplib(path)
    return read_solomon(path)


# ------------------------------------------------------------------------ .sol files


def format_sol(routes: Sequence[Sequence[int]], cost: float) -> str:
    """Format routes in the CVRPLIB solution layout.

    Parameters
    ----------
    routes
        One list of customer numbers (node indices, depot omitted) per route; empty
        routes are skipped.
    cost
        The total distance, written on the final ``Cost`` line.

    Returns
    -------
    str
        ``Route #k: c1 c2 …`` lines, then ``Cost <cost>``.
    """
    lines = []
    for route in (r for r in routes if len(r) > 0):
        lines.append(f"Route #{len(lines) + 1}: " + " ".join(str(int(c)) for c in route))
    cost_txt = f"{cost:.0f}" if float(cost).is_integer() else f"{cost:.4f}".rstrip("0")
    lines.append(f"Cost {cost_txt}")
    return "\n".join(lines) + "\n"


def write_sol(path: str | Path, routes: Sequence[Sequence[int]], cost: float) -> Path:
    """Write routes as a CVRPLIB ``.sol`` file (see :func:`format_sol`).

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    path.write_text(format_sol(routes, cost))
    return path


def read_sol(path: str | Path) -> tuple[list[list[int]], float | None]:
    """Read a CVRPLIB ``.sol`` file.

    Parameters
    ----------
    path
        The solution file.

    Returns
    -------
    routes, cost
        The routes (customer numbers) in file order, and the ``Cost`` value (``None``
        when the file has no ``Cost`` line).

    Raises
    ------
    ValueError
        On a line that is neither a route, a cost nor blank.
    """
    routes: list[list[int]] = []
    cost: float | None = None
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line:
            continue
        head, _, rest = line.partition(":")
        if head.lower().startswith("route"):
            routes.append([int(t) for t in rest.split()])
        elif line.lower().startswith("cost"):
            cost = float(line.split()[1])
        else:
            raise ValueError(f"{path}: unexpected line {line!r}")
    return routes, cost


# --------------------------------------------------------------------------- checker


@dataclass
class RouteCheck:
    """Result of checking a set of routes against an instance.

    Attributes
    ----------
    feasible
        ``True`` when no rule is broken.
    distance
        Total distance recomputed from the instance (rounded to the instance's decimals).
    vehicles
        Number of non-empty routes.
    violations
        Human-readable description of each broken rule.
    """

    feasible: bool
    distance: float
    vehicles: int
    violations: list[str] = field(default_factory=list)


def route_distance(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> float:
    """Total distance of routes that start and end at node 0.

    Parameters
    ----------
    problem
        The instance.
    routes
        Node indices of each route, base omitted.

    Returns
    -------
    float
        The sum of ``km`` over all legs, rounded to ``problem.meta["decimals"]`` when set
        (exact for the Solomon tenths and the integer VRPLIB distances).
    """
    total = 0.0
    for route in routes:
        if len(route) == 0:
            continue
        path = [0, *route, 0]
        total += float(sum(problem.km[a, b] for a, b in itertools.pairwise(path)))
    decimals = problem.meta.get("decimals")
    return round(total, int(decimals)) if decimals is not None else total


def check_routes(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> RouteCheck:
    """Check routes against an instance without trusting any solver.

    Every customer (node ``1..n-1``) must be visited exactly once when stops may not be
    dropped; each route must respect the capacity of the problem's largest vehicle type
    (total and damaged kg), every service start must fall inside one of the node's time
    windows (arriving early waits), and every route must be back at the base within the
    base's window and the horizon. The routes start at the opening of the base's window.

    Parameters
    ----------
    problem
        The instance (a single-type fleet, as read by :func:`read_instance`).
    routes
        Node indices of each route, base omitted.

    Returns
    -------
    RouteCheck
        Feasibility, recomputed distance, number of routes and the violations found.
    """
    n = problem.n_nodes
    violations: list[str] = []
    seen: dict[int, int] = {}
    for k, route in enumerate(routes):
        for c in route:
            if not 1 <= int(c) < n:
                violations.append(f"route {k + 1}: node {c} is not a customer")
            elif int(c) in seen:
                violations.append(f"customer {c} visited twice (routes {seen[c] + 1}, {k + 1})")
            else:
                seen[int(c)] = k
    if problem.drop_penalty_cny is None:
        missing = sorted(set(range(1, n)) - set(seen))
        if missing:
            violations.append(f"{len(missing)} customers unserved, e.g. {missing[:5]}")
    used = [r for r in routes if len(r) > 0]
    if violations:
        return RouteCheck(False, float("nan"), len(used), violations)

    payload = max(v.payload_kg for v in problem.vehicle_types)
    damaged_cap = max(v.damaged_capacity_kg for v in problem.vehicle_types)
    fleet = sum(v.count for v in problem.vehicle_types)
    if len(used) > fleet:
        violations.append(f"{len(used)} routes but only {fleet} vehicles")
    intact = problem.pickup_intact_kg
    damaged = problem.pickup_damaged_kg
    base_open, base_close = problem.time_windows_h[0][0][0], problem.time_windows_h[0][-1][1]
    base_close = min(base_close, problem.horizon_h)
    for k, route in enumerate(used):
        load = float(sum(intact[c] + damaged[c] for c in route))
        if load > payload * (1 + CHECK_TOL) + CHECK_TOL:
            violations.append(f"route {k + 1}: load {load:g} > capacity {payload:g}")
        dmg = float(sum(damaged[c] for c in route))
        if dmg > damaged_cap * (1 + CHECK_TOL) + CHECK_TOL:
            violations.append(f"route {k + 1}: damaged {dmg:g} > box capacity {damaged_cap:g}")
        t = base_open
        prev = 0
        for c in route:
            arrive = t + float(problem.hours[prev, c])
            start = _earliest_start(problem.time_windows_h[c], arrive)
            if start is None:
                violations.append(f"route {k + 1}: customer {c} reached at {arrive:g}, too late")
                break
            t = start + float(problem.service_h[c])
            prev = c
        else:
            back = t + float(problem.hours[prev, 0])
            if back > base_close + CHECK_TOL * max(1.0, abs(base_close)):
                violations.append(f"route {k + 1}: back at {back:g} after {base_close:g}")
    distance = route_distance(problem, used)
    return RouteCheck(not violations, distance, len(used), violations)


def _earliest_start(windows: Sequence[tuple[float, float]], arrive: float) -> float | None:
    for lo, hi in windows:
        if arrive <= hi + CHECK_TOL * max(1.0, abs(hi)):
            return max(arrive, lo)
    return None


def check_sol_file(instance: str | Path | RoutingProblem, sol_path: str | Path) -> RouteCheck:
    """Check a ``.sol`` file against its instance, and its ``Cost`` line.

    Parameters
    ----------
    instance
        The instance file (read with :func:`read_instance`) or an already read problem.
    sol_path
        The solution file.

    Returns
    -------
    RouteCheck
        As :func:`check_routes`; a ``Cost`` line that differs from the recomputed
        distance is reported as a violation.
    """
    problem = instance if isinstance(instance, RoutingProblem) else read_instance(instance)
    routes, cost = read_sol(sol_path)
    result = check_routes(problem, routes)
    if (
        cost is not None
        and result.violations == []
        and not math.isclose(cost, result.distance, rel_tol=1e-9, abs_tol=1e-6)
    ):
        result.violations.append(f"Cost line {cost:g} but the routes measure {result.distance:g}")
        result.feasible = False
    return result


# ---------------------------------------------------------------------------- runner


def instance_name(path: str | Path) -> str:
    """Name of an instance file: its file name without the suffix (``R101``, ``X-n101-k25``)."""
    return Path(path).stem


def run_vrp(
    files: Sequence[str | Path],
    time_limit_s: float,
    seed: int = 0,
    routes_dir: Path | None = None,
    solver: Callable[[RoutingProblem, float, int], list[list[int]]] | None = None,
) -> pd.DataFrame:
    """Solve benchmark instances with revlog's routing engine and check every result.

    Parameters
    ----------
    files
        Solomon ``.txt`` and VRPLIB ``.vrp`` instance files.
    time_limit_s
        Time budget per instance, s.
    seed
        Random seed of the search.
    routes_dir
        When given, each solution is written to ``routes_dir/<instance>.sol`` and the
        feasibility verdict comes from reading that file back with the checker.
    solver
        ``solver(problem, time_limit_s, seed) -> routes``; defaults to
        :func:`revlog.routing.engine.solve_routing` (tests and benchmarks may pass others).

    Returns
    -------
    pandas.DataFrame
        One row per file with columns ``instance, vehicles, distance, seconds, feasible``
        (distance recomputed by the checker; ``seconds`` is wall time including reading).
    """
    if solver is None:
        solver = _engine_routes
    if routes_dir is not None:
        Path(routes_dir).mkdir(parents=True, exist_ok=True)
    rows = []
    for file in files:
        start = time.perf_counter()
        problem = read_instance(file)
        routes = [list(r) for r in solver(problem, time_limit_s, seed) if len(r) > 0]
        seconds = time.perf_counter() - start
        result = check_routes(problem, routes)
        if routes_dir is not None:
            sol_path = Path(routes_dir) / f"{instance_name(file)}.sol"
            result = check_sol_file(problem, write_sol(sol_path, routes, result.distance))
        rows.append(
            {
                "instance": instance_name(file),
                "vehicles": result.vehicles,
                "distance": result.distance,
                "seconds": round(seconds, 2),
                "feasible": result.feasible,
            }
        )
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def _engine_routes(problem: RoutingProblem, time_limit_s: float, seed: int) -> list[list[int]]:
    from revlog.routing.engine import solve_routing

    return [list(r) for r in solve_routing(problem, time_limit_s, seed=seed).routes]


def format_csv(table: pd.DataFrame) -> str:
    """Format a :func:`run_vrp` table as CSV text (what ``revlog bench vrp`` prints).

    Parameters
    ----------
    table
        The table.

    Returns
    -------
    str
        CSV with a header line and no index.
    """
    return table.to_csv(index=False, lineterminator="\n")
