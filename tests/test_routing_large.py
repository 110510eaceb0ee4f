"""Large bases: hundreds of stops get feasible, checked runs from the sweep construction."""

from __future__ import annotations

import numpy as np

from helpers.routing import daily, make
from revlog.check.routes import check_routes
from revlog.routing.construct import sweep_runs
from revlog.routing.engine import solve_routing
from revlog.routing.ortools import _OrToolsModel, sweep_order
from revlog.routing.problem import DrivingRules, VehicleType


def _big(n: int = 220, seed: int = 0, vehicles: int = 6):
    """``n`` shops in four towns 20-90 km from the base, 25 min service, open 8-18 on 5 days,
    two-day runs allowed, multi-trip weeks; every shop has some damaged kg (boxes only)."""
    rng = np.random.default_rng(seed)
    towns = np.array([[20.0, 0.0], [0.0, 45.0], [-70.0, -10.0], [30.0, -90.0]])
    xy = np.vstack([[0.0, 0.0], towns[rng.integers(4, size=n)] + rng.normal(0, 4, (n, 2))])
    km = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) * 1.2
    lon = 101.8 + xy[:, 0] / 90.0
    lat = 36.6 + xy[:, 1] / 111.0
    return make(
        km / 60.0,
        km=km,
        intact=[0] + [60] * n,
        damaged=[0] + [5] * n,
        service=[0] + [25 / 60] * n,
        windows=[daily(6, 22)] + [daily(8, 18, days=5) for _ in range(n)],
        types=[VehicleType("box", 3000, 600, 600, 4.0, vehicles, cost_cny_per_h=30.0)],
        rules=DrivingRules(max_days=2, duty_h_per_day=10, allow_multi_trip=True),
        lonlat=np.c_[lon, lat],
    )


def test_sweep_construction_serves_every_stop_of_a_large_base():
    """The sweep construction builds schedulable runs for all stops of a 220-stop base."""
    rp = _big()
    assert rp.n_nodes - 1 > 200
    model = _OrToolsModel(rp)
    inst = model.int_instance()
    stops = list(range(1, rp.n_nodes))
    runs, left = sweep_runs(inst, stops, sweep_order(rp, stops), day=3 * 3600)
    assert left == []
    assert sorted(x for r in runs for x in r.nodes) == stops


def test_a_large_base_gets_feasible_checked_runs_deterministically():
    """A 220-stop base is routed within its budget, every rule checked, the same runs twice."""
    rp = _big()
    sols = [solve_routing(rp, time_limit_s=60, seed=0, work_s=2) for _ in range(2)]
    for sol in sols:
        assert not sol.dropped
        assert check_routes(rp, sol) == []
    assert [r.stops for r in sols[0].runs] == [r.stops for r in sols[1].runs]
