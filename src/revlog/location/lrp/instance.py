"""The capacitated location-routing problem (CLRP) as plain arrays, and its solutions.

A :class:`CLRPInstance` is the data of the standard CLRP (Prodhon, Tuzun-Burke and
Barreto benchmark sets): candidate depots with an opening cost and a capacity, customers
with a demand, a vehicle capacity, a fixed cost per route and unlimited vehicles. The
objective is opening costs + route fixed costs + routing distance. An
:class:`LRPSolution` names the open depots and the routes (customers 0-based in file
order, depots 0-based in file order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CLRPInstance:
    """A CLRP instance.

    Attributes
    ----------
    name
        Instance name (the file stem).
    depot_xy, customer_xy
        ``(m, 2)`` and ``(n, 2)`` coordinates.
    vehicle_capacity
        Capacity of every vehicle (demand units).
    depot_capacity
        ``(m,)`` capacity of each depot (demand units served from it).
    demand
        ``(n,)`` demand of each customer.
    opening_cost
        ``(m,)`` cost of opening each depot.
    route_cost
        Fixed cost of each route (one vehicle per route).
    integer_costs
        ``True``: an arc costs ``ceil(100 × Euclidean)`` (Prodhon); ``False``: the plain
        Euclidean distance (Tuzun, Barreto).
    """

    name: str
    depot_xy: np.ndarray
    customer_xy: np.ndarray
    vehicle_capacity: float
    depot_capacity: np.ndarray
    demand: np.ndarray
    opening_cost: np.ndarray
    route_cost: float
    integer_costs: bool

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return len(self.demand)

    @property
    def n_depots(self) -> int:
        """Number of candidate depots."""
        return len(self.opening_cost)

    def arc_costs(self) -> np.ndarray:
        """Arc costs over all points, depots first then customers.

        Returns
        -------
        numpy.ndarray
            ``(m + n, m + n)`` costs: ``ceil(100 d)`` for integer instances, ``d`` otherwise,
            ``d`` the Euclidean distance.
        """
        xy = np.vstack([self.depot_xy, self.customer_xy]).astype(float)
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1))
        return np.ceil(100.0 * d) if self.integer_costs else d


@dataclass(frozen=True)
class LRPRoute:
    """One route: its depot and the customers in visiting order (0-based indices)."""

    depot: int
    customers: tuple[int, ...]


@dataclass(frozen=True)
class LRPSolution:
    """A CLRP solution.

    Attributes
    ----------
    open
        Open depots (0-based, ascending).
    routes
        The routes (each from an open depot, back to it).
    cost
        Opening + route fixed + distance cost, as computed by the solver.
    """

    open: tuple[int, ...]
    routes: tuple[LRPRoute, ...]
    cost: float

    def to_json(self) -> dict:
        """The JSON form ``{"open": [...], "routes": [{"depot", "customers"}], "cost"}``."""
        return {
            "open": [int(j) for j in self.open],
            "routes": [
                {"depot": int(r.depot), "customers": [int(i) for i in r.customers]}
                for r in self.routes
            ],
            "cost": float(self.cost),
        }
