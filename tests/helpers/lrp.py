"""Tiny CLRP instances and their optimum by brute force (for the location-routing tests)."""

from __future__ import annotations

import itertools
import math

import numpy as np

from revlog.location.lrp.instance import CLRPInstance


def tiny_clrp(seed: int = 3, n: int = 7, m: int = 3) -> CLRPInstance:
    """A random integer-cost CLRP small enough to enumerate (binding depot capacities)."""
    rng = np.random.default_rng(seed)
    demand = rng.integers(5, 20, n).astype(float)
    return CLRPInstance(
        name=f"tiny{seed}",
        depot_xy=rng.integers(0, 50, (m, 2)).astype(float),
        customer_xy=rng.integers(0, 50, (n, 2)).astype(float),
        vehicle_capacity=30.0,
        depot_capacity=np.full(m, float(demand.sum()) * 0.6),
        demand=demand,
        opening_cost=rng.integers(500, 1500, m).astype(float),
        route_cost=300.0,
        integer_costs=True,
    )


def brute_force_optimum(inst: CLRPInstance) -> float:
    """The CLRP optimum by enumeration: best route per (depot, subset) by permutations,
    best partition per depot by subset DP, best assignment of subsets to depots."""
    n, m = inst.n_customers, inst.n_depots
    cost = inst.arc_costs()
    full = (1 << n) - 1
    load = [sum(inst.demand[i] for i in range(n) if mask >> i & 1) for mask in range(full + 1)]
    served = np.full((m, full + 1), math.inf)
    for d in range(m):
        route = np.full(full + 1, math.inf)
        for mask in range(1, full + 1):
            if load[mask] > inst.vehicle_capacity:
                continue
            members = [i for i in range(n) if mask >> i & 1]
            for perm in itertools.permutations(members):
                nodes = [d] + [m + i for i in perm] + [d]
                length = sum(cost[a, b] for a, b in itertools.pairwise(nodes))
                route[mask] = min(route[mask], inst.route_cost + length)
        served[d, 0] = 0.0
        for mask in range(1, full + 1):
            low = mask & -mask  # the route holding the lowest customer of the mask
            sub = mask
            while sub:
                if sub & low and route[sub] < math.inf:
                    served[d, mask] = min(served[d, mask], route[sub] + served[d, mask ^ sub])
                sub = (sub - 1) & mask
    best = {0: 0.0}
    for d in range(m):
        nxt = dict(best)
        for done, value in best.items():
            rest = full ^ done
            sub = rest
            while sub:
                if load[sub] <= inst.depot_capacity[d] and served[d, sub] < math.inf:
                    total = value + inst.opening_cost[d] + served[d, sub]
                    key = done | sub
                    nxt[key] = min(nxt.get(key, math.inf), total)
                sub = (sub - 1) & rest
        best = nxt
    return best[full]


def write_clrp(inst: CLRPInstance, path) -> None:
    """Write an instance in the Prodhon file format."""
    rows = [str(inst.n_customers), str(inst.n_depots)]
    rows += [f"{x:g} {y:g}" for x, y in inst.depot_xy]
    rows += [f"{x:g} {y:g}" for x, y in inst.customer_xy]
    rows.append(f"{inst.vehicle_capacity:g}")
    rows += [f"{v:g}" for v in inst.depot_capacity]
    rows += [f"{v:g}" for v in inst.demand]
    rows += [f"{v:g}" for v in inst.opening_cost]
    rows.append(f"{inst.route_cost:g}")
    rows.append("0" if inst.integer_costs else "1")
    path.write_text("\n".join(rows) + "\n")
