"""Builders of small hand-made routing problems, for the routing model and checker tests.

Matrices are written out (or built from a few coordinates) so the expected effect of each
rule can be worked out on paper.
"""

from __future__ import annotations

import numpy as np

from revlog.routing.problem import DrivingRules, RoutingProblem, VehicleType

WEEK = [(0.0, 168.0)]


def daily(lo: float, hi: float, days: int = 7) -> list[tuple[float, float]]:
    """Opening hours lo..hi o'clock on each day of the period."""
    return [(d * 24 + lo, d * 24 + hi) for d in range(days)]


def make(
    hours,
    *,
    km=None,
    intact=None,
    damaged=None,
    service=None,
    windows=None,
    types=None,
    rules: DrivingRules | None = None,
    penalty=None,
    **kw,
) -> RoutingProblem:
    """A problem from an hours matrix (km = 60 km/h × hours unless given)."""
    hours = np.asarray(hours, dtype=float)
    n = len(hours)
    return RoutingProblem(
        name=kw.pop("name", "case"),
        node_ids=["base"] + [f"s{i}" for i in range(1, n)],
        km=np.asarray(km, dtype=float) if km is not None else hours * 60.0,
        hours=hours,
        pickup_intact_kg=np.asarray(intact if intact is not None else [0] + [100] * (n - 1), float),
        pickup_damaged_kg=np.asarray(damaged if damaged is not None else [0] * n, float),
        service_h=np.asarray(service if service is not None else [0] * n, float),
        time_windows_h=windows if windows is not None else [WEEK] * n,
        vehicle_types=types or [VehicleType("truck", 5000, 0, 500, 1.0, 2)],
        rules=rules,
        drop_penalty_cny=penalty,
        **kw,
    )


def sym(m):
    """The symmetric matrix max(m, mᵀ): write the upper triangle only."""
    m = np.asarray(m, dtype=float)
    return np.maximum(m, m.T)


def random_case(seed: int, n: int = 12) -> RoutingProblem:
    """A random problem: ``n`` nodes on a 150 km square, shops open 8-18 daily, one-day runs,
    two vehicle types (only ``box`` carries damaged packs)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 150, size=(n, 2))
    km = np.round(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)), 1)
    win = [WEEK] + [daily(8, 18) for _ in range(n - 1)]
    intact = np.r_[0, rng.integers(100, 800, n - 1)]
    damaged = np.r_[0, rng.integers(0, 2, n - 1) * 50]
    types = [VehicleType("box", 2500, 150, 400, 2.0, 3), VehicleType("van", 1500, 0, 200, 1.5, 3)]
    return make(
        km / 60,
        km=km,
        intact=intact,
        damaged=damaged,
        service=[0] + [0.25] * (n - 1),
        windows=win,
        types=types,
        rules=DrivingRules(max_days=1),
    )
