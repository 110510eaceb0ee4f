"""The exact scheduler of a run and the search over runs built on it (``routing.schedule``,
``routing.construct``), on small problems worked out by hand."""

from __future__ import annotations

import pytest

from helpers.routing import daily, make, random_case, sym
from revlog.check.routes import check_routes
from revlog.routing.budget import Budget
from revlog.routing.construct import _total, improve, ruin_and_recreate, savings_routes
from revlog.routing.ortools import _OrToolsModel, solve_ortools
from revlog.routing.problem import DrivingRules


def _inst(prob):
    inst = _OrToolsModel(prob).int_instance()
    assert inst is not None
    return inst


def _late_second_stop(opens_h: float):
    """Stop 1 6 h out, open 8-18 on day 0 only; stop 2 4.5 h further, open only from
    ``opens_h`` for 2 h on day 1, 3 h from the base; two-day runs, one 11 h rest, 10 h
    duty, base open 6-24."""
    return make(
        sym([[0, 6.0, 3.0], [0, 0, 4.5], [0, 0, 0]]),
        service=[0, 0.5, 0.5],
        windows=[daily(6.0, 24.0, days=2), [(8.0, 18.0)], [(opens_h, opens_h + 2.0)]],
        rules=DrivingRules(max_days=2, duty_h_per_day=10.0, shift_start_h=6.0),
        horizon_h=48.0,
    )


@pytest.mark.parametrize("opens_h", [40.0, 32.0])
def test_a_wait_after_the_rest_becomes_a_longer_rest(opens_h):
    """Waiting for opening hours is duty time; a rest may last longer than 11 h. So a run
    whose only rest is behind it, arriving hours before a shop opens, stays at its resting
    place longer instead of waiting on duty (here the only schedule there is): whether
    the wait itself (stop 2 opens at 16:00) or the drive home after it (8:00) would
    overrun the duty period."""
    prob = _late_second_stop(opens_h)
    sol = solve_ortools(prob, 10.0)
    assert check_routes(prob, sol) == []
    (run,) = sol.runs
    assert [s.node for s in run.stops[1:-1]] == [1, 2]
    (rest,) = [b for b in run.breaks if b.kind == "overnight"]
    assert rest.place == "s1" and rest.duration_h > 11.0 + 1.0
    assert run.stops[2].start_h == pytest.approx(opens_h)  # arrives as the shop opens
    assert run.stops[2].arrival_h == pytest.approx(opens_h, abs=1e-3)  # no wait on duty


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ruin_and_recreate_is_never_worse_than_the_descent_and_is_reproducible(seed):
    """Ruin and recreate starts from the descent's local optimum and keeps only cheaper
    plans the fleet can run: never dearer than the descent; the same seed gives the same
    routes."""
    inst = _inst(random_case(seed, n=14))
    start = savings_routes(inst, list(range(1, inst.n)))
    descent = improve(inst, start, Budget(work=20_000))
    found = ruin_and_recreate(inst, start, Budget(work=20_000), seed=seed)
    again = ruin_and_recreate(inst, start, Budget(work=20_000), seed=seed)
    assert _total(inst, found) <= _total(inst, descent)
    assert found == again
    assert sorted(x for r in found for x in r) == list(range(1, inst.n))
