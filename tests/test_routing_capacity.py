"""Vehicle-days: a base whose fleet cannot fit its stops' service into the shops' hours."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.routing import daily, make
from revlog.check.routes import check_routes
from revlog.errors import RoutingInfeasibleError
from revlog.routing.capacity import vehicle_days_needed
from revlog.routing.engine import solve_routing
from revlog.routing.problem import DrivingRules, VehicleType
from revlog.routing.rules import diagnose


def _cluster(n: int, vans: int, boxes: int = 0, damaged_every: int = 0):
    """``n`` shops 0.1 h apart, 0.5 h from the base, 1 h service each, open 8-18 on 5 days."""
    hours = np.full((n + 1, n + 1), 0.1)
    hours[0, :] = hours[:, 0] = 0.5
    np.fill_diagonal(hours, 0.0)
    damaged = [0.0] + [50.0 if damaged_every and i % damaged_every == 0 else 0.0 for i in range(n)]
    types = [VehicleType("van", 1500, 0, 100, 1.0, vans)]
    if boxes:
        types.append(VehicleType("box", 3000, 600, 200, 1.5, boxes))
    return make(
        hours,
        intact=[0] + [20] * n,
        damaged=damaged,
        service=[0] + [1.0] * n,
        windows=[daily(0, 24)] + [daily(8, 18, days=5) for _ in range(n)],
        types=types,
        rules=DrivingRules(max_days=1, allow_multi_trip=True),
    )


def test_vehicle_days_needed_counts_service_and_legs_between_stops():
    """60 one-hour services 0.1 h apart, started 8-18 (an 11 h day), need 6 vehicle-days."""
    # 60 × 1.1 h of work, minus the first leg of each vehicle-day, in 11 h days
    assert vehicle_days_needed(_cluster(60, vans=1)) == 6
    assert vehicle_days_needed(_cluster(80, vans=1)) == 8


def test_a_fleet_short_in_time_is_diagnosed_with_the_vehicle_days_it_lacks():
    """One vehicle × 5 days for 8 vehicle-days of work: fleet_time, 3 vehicle-days short."""
    found = [d for d in diagnose(_cluster(80, vans=1)) if d.code == "fleet_time"]
    assert len(found) == 1 and found[0].setting == "count"
    assert "need at least 8 vehicle-days" in found[0].message
    assert "give 5: 3 vehicle-day(s) short (about 1 more vehicle(s))" in found[0].message
    with pytest.raises(RoutingInfeasibleError):
        solve_routing(_cluster(80, vans=1), time_limit_s=5, seed=0)


def test_the_certified_stops_are_counted_against_the_certified_vehicles_alone():
    """Stops with damaged packs need the certified vehicles' days, however many vans there are."""
    rp = _cluster(80, vans=5, boxes=1, damaged_every=1)
    found = [d for d in diagnose(rp) if d.code == "fleet_time"]
    assert found and "the 80 stops box can carry" in found[0].message


def test_a_fleet_with_enough_vehicle_days_is_not_flagged_and_gets_checked_runs():
    """Two vehicles × 5 days for 6 vehicle-days of work: no diagnosis, feasible checked runs."""
    rp = _cluster(60, vans=2)
    assert not [d for d in diagnose(rp) if d.code == "fleet_time"]
    sol = solve_routing(rp, time_limit_s=20, seed=0, work_s=4)
    assert not sol.dropped and check_routes(rp, sol) == []
