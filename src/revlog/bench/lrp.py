"""CLRP benchmark instances (Prodhon, Tuzun-Burke, Barreto): reader and runner.

The format (each set's ``FORMAT.txt``; ``benchmarks/lrp/README.md``) is whitespace
separated: ``n``, ``m``; ``m`` depot ``x y``; ``n`` customer ``x y``; the vehicle
capacity; ``m`` depot capacities; ``n`` demands; ``m`` opening costs; the fixed cost of a
route; a flag, ``0`` = integer costs (an arc costs ``ceil(100 × Euclidean)``, the
convention of the published BKS although FORMAT.txt says "truncated") and ``1`` = real
Euclidean costs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from revlog.errors import BenchmarkFileError
from revlog.location.lrp.clrp import CLRPResult, solve_clrp, two_stage
from revlog.location.lrp.instance import CLRPInstance


def read_clrp(path: str | Path) -> CLRPInstance:
    """Read a CLRP instance in the Prodhon format.

    Parameters
    ----------
    path
        The ``.dat`` file.

    Returns
    -------
    CLRPInstance

    Raises
    ------
    BenchmarkFileError
        When the file does not hold exactly the fields of the format
        (``file:field: reason``).
    """
    path = Path(path)
    try:
        tokens = path.read_text(errors="replace").split()
    except OSError as exc:
        raise BenchmarkFileError(f"{path}:file: {exc.strerror or exc}") from exc
    try:
        n, m = int(tokens[0]), int(tokens[1])
    except (IndexError, ValueError) as exc:
        raise BenchmarkFileError(f"{path}:n: the first two fields must be n and m") from exc
    expected = 2 + 2 * m + 2 * n + 1 + m + n + m + 1 + 1
    if n < 1 or m < 1:
        raise BenchmarkFileError(f"{path}:n: n and m must be at least 1, got {n} and {m}")
    if len(tokens) != expected:
        raise BenchmarkFileError(
            f"{path}:fields: expected {expected} numbers for n={n}, m={m}, got {len(tokens)}"
        )
    try:
        v = np.array(tokens[2:], dtype=float)
    except ValueError as exc:
        raise BenchmarkFileError(f"{path}:fields: a field is not a number ({exc})") from exc
    at = 0

    def take(k: int) -> np.ndarray:
        nonlocal at
        out = v[at : at + k]
        at += k
        return out

    depot_xy = take(2 * m).reshape(m, 2)
    customer_xy = take(2 * n).reshape(n, 2)
    (q,) = take(1)
    capacity = take(m)
    demand = take(n)
    opening = take(m)
    (route_cost,) = take(1)
    (flag,) = take(1)
    if flag not in (0.0, 1.0):
        raise BenchmarkFileError(f"{path}:flag: must be 0 (integer costs) or 1 (real costs)")
    return CLRPInstance(
        name=path.stem,
        depot_xy=depot_xy,
        customer_xy=customer_xy,
        vehicle_capacity=float(q),
        depot_capacity=capacity,
        demand=demand,
        opening_cost=opening,
        route_cost=float(route_cost),
        integer_costs=flag == 0.0,
    )


def generate_clrp(
    n: int, m: int, seed: int = 0, *, clustered: bool = False, vehicle_capacity: float = 150.0
) -> CLRPInstance:
    """A seeded CLRP in the style of Prodhon's generator (no benchmark data copied).

    Customers uniform on a 50 × 50 square, or around ``m // 2`` cluster centres when
    ``clustered``; demands uniform in 11..20; a route fixed cost of 1000; depot capacities
    so that about a third of the depots must open; opening costs uniform in 5000..12000
    (the ranges of the published 20- to 200-customer files); integer arc costs.

    Parameters
    ----------
    n, m
        Customers and candidate depots.
    seed
        Random seed (same seed, same instance).
    clustered
        Clustered instead of uniform customers.
    vehicle_capacity
        Capacity of every vehicle.

    Returns
    -------
    CLRPInstance
    """
    rng = np.random.default_rng(seed)
    if clustered:
        centres = rng.uniform(5.0, 45.0, (max(m // 2, 1), 2))
        pick = rng.integers(0, len(centres), n)
        xy = np.clip(centres[pick] + rng.normal(0.0, 4.0, (n, 2)), 0.0, 50.0).round()
    else:
        xy = rng.integers(0, 51, (n, 2)).astype(float)
    demand = rng.integers(11, 21, n).astype(float)
    capacity = math.ceil(float(demand.sum()) / max(math.ceil(m / 3), 1) * 1.1)
    return CLRPInstance(
        name=f"gen{n}-{m}-{seed}{'c' if clustered else ''}",
        depot_xy=rng.integers(0, 51, (m, 2)).astype(float),
        customer_xy=xy,
        vehicle_capacity=vehicle_capacity,
        depot_capacity=np.full(m, float(capacity)),
        demand=demand,
        opening_cost=rng.integers(5000, 12001, m).astype(float),
        route_cost=1000.0,
        integer_costs=True,
    )


def run_lrp(
    path: str | Path,
    time_limit_s: float,
    seed: int = 0,
    *,
    method: str = "lrp",
    solution_path: str | Path | None = None,
    on_step=None,
) -> tuple[CLRPInstance, CLRPResult]:
    """Solve one CLRP file; optionally write its solution JSON.

    Parameters
    ----------
    path
        The instance file.
    time_limit_s
        Budget, s.
    seed
        Random seed.
    method
        ``"lrp"`` (routed design search) or ``"two-stage"``.
    solution_path
        Where to write ``{"open", "routes", "cost"}`` (0-based indices).
    on_step
        Progress callback of the design search.

    Returns
    -------
    (CLRPInstance, CLRPResult)
    """
    inst = read_clrp(path)
    if method == "two-stage":
        result = two_stage(inst, time_limit_s, seed)
    else:
        result = solve_clrp(inst, time_limit_s, seed, on_step=on_step)
    if solution_path is not None:
        Path(solution_path).write_text(json.dumps(result.solution.to_json(), indent=1) + "\n")
    return inst, result
