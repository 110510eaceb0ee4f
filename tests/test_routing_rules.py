"""Driver rules as modelling ingredients, and the solution's geometry."""

from __future__ import annotations

import pytest

from helpers.routing import WEEK, make, sym
from revlog.routing.problem import DrivingRules
from revlog.routing.rules import (
    break_plan,
    break_sequence,
    diagnose,
    intersect_intervals,
    night_ban_intervals_h,
    shift_start_windows_h,
)


def test_night_ban_wraps_midnight_and_is_clipped_to_the_period():
    """A 22-6 night ban wraps midnight and is clipped to the period; no ban, no intervals."""
    bans = night_ban_intervals_h(DrivingRules(night_ban_h=(22.0, 6.0)), 48.0)
    assert bans == [(0.0, 6.0), (22.0, 30.0), (46.0, 48.0)]
    assert night_ban_intervals_h(DrivingRules(max_days=1), 48.0) == []


def test_shift_starts_and_interval_algebra():
    """Runs may start from shift_start_h until midnight each day; intervals intersect piecewise."""
    assert shift_start_windows_h(DrivingRules(shift_start_h=8.0, max_days=1), 48.0) == [
        (8, 24),
        (32, 48),
    ]
    assert intersect_intervals([(0, 10), (20, 30)], [(5, 25)]) == [(5, 10), (20, 25)]


@pytest.mark.parametrize(
    "rules",
    [
        DrivingRules(max_days=1),
        DrivingRules(max_days=3),
        DrivingRules(night_ban_h=(22.0, 6.0), max_days=1),
        DrivingRules(night_ban_h=(0.0, 6.0), max_days=2),
        DrivingRules(max_driving_h=None, night_ban_h=(23.0, 5.0), max_days=2),
    ],
)
def test_break_sequence_is_chronologically_feasible(rules):
    """Every rule set's breaks can be taken one after another, each within its time window."""
    seq = break_sequence(rules, 168.0)
    # placing each break at its earliest start after the previous one's end must fit
    t = 0.0
    for spec in seq:
        start = max(t, spec.earliest_h)
        assert start <= spec.latest_h + 1e-9, spec
        t = start + spec.duration_h
    kinds = {s.kind for s in seq}
    if rules.night_ban_h is None:
        assert sum(s.kind == "overnight" for s in seq) == rules.max_days - 1
    else:
        assert ("overnight" in kinds) == (rules.max_days > 1)
    plan = break_plan(rules, 168.0)
    if rules.max_days == 1:
        assert plan.max_run_h == rules.duty_h_per_day


def test_diagnose_names_node_and_limit():
    """A stop beyond the run limit, or without opening hours, is diagnosed by node and setting."""
    prob = make(sym([[0, 1.0, 30.0], [0, 0, 30.0], [0, 0, 0]]), rules=DrivingRules(max_days=1))
    (d,) = diagnose(prob)
    assert (d.code, d.site, d.setting) == ("run_limit", "s2", "duty_h_per_day")
    assert d.message.startswith("node 2 (s2): shortest round trip")
    assert "run limit 10.00 h" in d.message
    assert [str(d) for d in diagnose(make(sym([[0, 1.0], [0, 0]]), windows=[WEEK, []]))] == [
        "node 1 (s1): no opening hours"
    ]
