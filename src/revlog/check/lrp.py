"""Independent checker of CLRP solutions (no solver import).

Recomputes every figure of a solution JSON ``{"open", "routes", "cost"}`` from the
instance data: indices in range, every customer served exactly once, routes only from
open depots, vehicle and depot capacities, and the cost (opening of the open depots +
fixed cost per route + arc costs: ``ceil(100 × Euclidean)`` on integer instances, the
Euclidean distance otherwise).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from revlog.location.lrp.instance import CLRPInstance

#: Relative tolerance on capacities and on the stated cost.
TOL = 1e-6


def _arc(inst: CLRPInstance, a: tuple[float, float], b: tuple[float, float]) -> float:
    d = math.hypot(a[0] - b[0], a[1] - b[1])
    return float(math.ceil(100.0 * d)) if inst.integer_costs else d


def lrp_cost(inst: CLRPInstance, solution: dict[str, Any]) -> float:
    """Recompute the cost of a (structurally valid) solution from the instance data.

    Parameters
    ----------
    inst
        The instance.
    solution
        ``{"open": [...], "routes": [{"depot": j, "customers": [...]}]}``.

    Returns
    -------
    float
        Opening + route fixed + arc costs.
    """
    total = sum(float(inst.opening_cost[j]) for j in solution["open"])
    for r in solution["routes"]:
        depot = tuple(inst.depot_xy[r["depot"]])
        points = [depot] + [tuple(inst.customer_xy[i]) for i in r["customers"]] + [depot]
        total += float(inst.route_cost)
        total += sum(_arc(inst, points[k], points[k + 1]) for k in range(len(points) - 1))
    return total


def check_lrp(inst: CLRPInstance, solution: dict[str, Any]) -> list[str]:
    """Every violation of a CLRP solution, one sentence each (empty when feasible).

    Parameters
    ----------
    inst
        The instance.
    solution
        The solution JSON as a dict.

    Returns
    -------
    list of str
    """
    out: list[str] = []
    m, n = inst.n_depots, inst.n_customers
    try:
        open_ = [int(j) for j in solution["open"]]
        routes = [(int(r["depot"]), [int(i) for i in r["customers"]]) for r in solution["routes"]]
        stated = float(solution["cost"])
    except (KeyError, TypeError, ValueError) as exc:
        return [f"malformed solution: {exc}"]
    bad_open = [j for j in open_ if not 0 <= j < m]
    out += [f"open depot {j} does not exist (0..{m - 1})" for j in bad_open]
    if len(set(open_)) != len(open_):
        out.append("a depot is listed open twice")
    seen: Counter[int] = Counter()
    load_at: Counter[int] = Counter()
    for k, (d, cust) in enumerate(routes):
        if d not in open_:
            out.append(f"route {k} starts at depot {d}, which is not open")
        if not cust:
            out.append(f"route {k} visits no customer")
        wrong = [i for i in cust if not 0 <= i < n]
        out += [f"route {k} visits customer {i}, which does not exist" for i in wrong]
        cust = [i for i in cust if 0 <= i < n]
        seen.update(cust)
        load = sum(float(inst.demand[i]) for i in cust)
        if load > inst.vehicle_capacity * (1 + TOL):
            out.append(
                f"route {k} carries {load:g}, above the vehicle capacity {inst.vehicle_capacity:g}"
            )
        load_at[d] += load
    for i in range(n):
        if seen[i] == 0:
            out.append(f"customer {i} is not served")
        elif seen[i] > 1:
            out.append(f"customer {i} is served {seen[i]} times")
    for d, load in sorted(load_at.items()):
        if 0 <= d < m and load > float(inst.depot_capacity[d]) * (1 + TOL):
            out.append(f"depot {d} serves {load:g}, above its capacity {inst.depot_capacity[d]:g}")
    if out:
        return out
    real = lrp_cost(inst, {"open": open_, "routes": solution["routes"]})
    if abs(real - stated) > TOL * max(1.0, abs(real)):
        out.append(f"stated cost {stated:.6f} differs from the recomputed cost {real:.6f}")
    return out
