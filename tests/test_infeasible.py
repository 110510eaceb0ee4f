"""Infeasible scenarios are explained: the site and the limit, in the API and the CLI.

Each case is a small variant of the tiny scenario. The Python API raises
:class:`revlog.errors.InfeasibleError` (or :class:`ScenarioError` for what the input
checks catch) with one line per cause; ``revlog solve`` prints those lines, exits 3
(2 for input problems), shows no traceback and creates no output folder.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import revlog
from helpers.plans import run_cli
from helpers.scenarios import write_variant
from revlog.errors import InfeasibleError, LocationInfeasibleError, ScenarioError

#: A dealer in Golmud, about 750 km by road from the tiny scenario's sites.
GOLMUD = "G1,Golmud dealer,dealer,Qinghai,Haixi,94.9,36.4,3.0,0.0"


def _cli_fails(scenario: Path, tmp_path: Path, capsys, code: int) -> str:
    out = tmp_path / "out"
    rc, _, err = run_cli(["solve", scenario, "-o", out, "--time-limit", 5, "-q"], capsys)
    assert rc == code, err
    assert "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    return err


def _diagnosis(scenario: Path) -> tuple[str, list[str]]:
    with pytest.raises(InfeasibleError) as exc:
        revlog.solve(scenario, time_limit=5)
    assert exc.value.diagnosis, "an infeasibility must come with a diagnosis"
    return exc.value.stage, exc.value.diagnosis


def test_supply_above_total_capacity_names_the_plant_and_both_figures(tmp_path, capsys):
    """Supply above the plant's capacity is an input error naming both figures; solve exits 2."""
    sc = write_variant(tmp_path, plant={"capacity_t_per_year": 20})
    with pytest.raises(ScenarioError) as exc:
        revlog.solve(sc, time_limit=5)
    lines = [str(p) for p in exc.value.problems]
    assert any(
        "plant.capacity_t_per_year" in line and "20.0 t/year" in line and "44.0 t/year" in line
        for line in lines
    ), lines
    err = _cli_fails(sc, tmp_path, capsys, code=2)
    assert "plant capacity 20.0 t/year is below total supply 44.0 t/year" in err


def test_source_beyond_the_service_radius_names_source_radius_and_distance(tmp_path, capsys):
    """A source beyond the service radius is named with radius and road km; solve exits 3."""
    sc = write_variant(tmp_path, extra_sources=[GOLMUD], location={"service_radius_km": 300})
    stage, lines = _diagnosis(sc)
    assert stage == "location"
    (line,) = [d for d in lines if d.startswith("source G1 ")]
    assert "service radius of 300 km" in line and "location.service_radius_km" in line
    assert "km away by road" in line
    err = _cli_fails(sc, tmp_path, capsys, code=3)
    assert line in err
    assert "location stage infeasible" in err


def test_location_errors_are_infeasible_errors():
    """A location infeasibility is an InfeasibleError of stage location with its diagnosis."""
    assert issubclass(LocationInfeasibleError, InfeasibleError)
    exc = LocationInfeasibleError(["x"])
    assert exc.stage == "location" and exc.diagnosis == ["x"]


def test_source_cut_off_by_restricted_roads_says_why(tmp_path, capsys):
    """A source pushed beyond the radius by closed road classes is named with those classes."""
    # Huzhu (S2) lies on the S101 expressway and a provincial road; with both classes
    # closed it is joined to the nearest national road by a long access leg, and the
    # nearest candidate then lies beyond a 48 km radius (43.6 km without the restriction).
    radius = {"service_radius_km": 48}
    closed = {"restricted_road_classes": ["provincial", "expressway"]}
    ok = write_variant(tmp_path / "open", location=radius)
    plan = revlog.solve(ok, time_limit=5)
    assert not revlog.check(plan, revlog.load_scenario(ok))
    sc = write_variant(tmp_path / "closed", location=radius, rules=closed)
    stage, lines = _diagnosis(sc)
    assert stage == "location"
    (line,) = [d for d in lines if d.startswith("source S2 ")]
    for part in ("service radius of 48 km", "closed to hazmat vehicles", "provincial, expressway",
                 "rules.restricted_road_classes", "access leg"):  # fmt: skip
        assert part in line, line
    assert line in _cli_fails(sc, tmp_path / "closed", capsys, code=3)


def test_stop_beyond_the_daily_duty_limit_names_stop_and_limit(tmp_path, capsys):
    """A stop beyond the daily duty limit is named with the run limit and its setting; exit 3."""
    sc = write_variant(tmp_path, rules={"duty_h_per_day": 1.0, "max_days_per_run": 1})
    stage, lines = _diagnosis(sc)
    assert stage == "routing"
    d3 = [d for d in lines if "(D3)" in d]
    assert d3, lines
    assert "exceeds the run limit 1.00 h" in d3[0]
    assert "rules.duty_h_per_day = 1 h" in d3[0]
    err = _cli_fails(sc, tmp_path, capsys, code=3)
    assert d3[0] in err


def test_damaged_packs_without_a_certified_vehicle_name_the_stops(tmp_path, capsys):
    """Without a certified vehicle each stop with damaged packs is named with its base; exit 3."""
    doc_fleet = [
        {"id": "van", "base": "outlets", "payload_kg": 1500, "damaged_capacity_kg": 0,
         "fixed_cost_cny_per_run": 300, "cost_cny_per_km": 2.5, "count": 1},
        {"id": "plant-truck", "base": "plant", "payload_kg": 10000, "damaged_capacity_kg": 0,
         "fixed_cost_cny_per_run": 900, "cost_cny_per_km": 5.5, "count": 1},
    ]  # fmt: skip
    sc = write_variant(tmp_path, fleet=doc_fleet)
    stage, lines = _diagnosis(sc)
    assert stage == "routing"
    damaged = [d for d in lines if "damaged packs" in d and "certified" in d]
    # D1, S1 and D4 have damaged shares; every one of them is named with its base
    for src in ("(D1)", "(S1)", "(D4)"):
        assert any(src in d and d.startswith("base ") for d in damaged), lines
    err = _cli_fails(sc, tmp_path, capsys, code=3)
    assert damaged[0] in err


@pytest.mark.parametrize(
    ("rules", "code", "setting", "words"),
    [
        (
            {"duty_h_per_day": 0.5},
            "service_exceeds_duty",
            "rules.duty_h_per_day",
            "longer than a duty",
        ),
        ({"duty_h_per_day": 0.6}, "duty_periods", "rules.duty_h_per_day", "more than the 3 days"),
        (
            {"duty_h_per_day": 0.9, "max_days_per_run": 1},
            "run_limit",
            "rules.duty_h_per_day",
            "the daily duty limit rules.duty_h_per_day = 0.9 h",
        ),
    ],
)
def test_a_duty_limit_too_short_is_named_not_the_time_limit(tmp_path, rules, code, setting, words):
    """A duty limit that rules out every run is named as such, never blamed on the time limit."""
    sc = write_variant(tmp_path, name="duty", rules=rules)
    with pytest.raises(InfeasibleError) as exc:
        revlog.solve(sc, time_limit=10)
    found = exc.value.diagnoses
    assert all(d.code != "search_failed" for d in found)
    assert any(d.code == code and d.setting == setting and words in d.message for d in found)
    assert not any("time limit" in d.message for d in found)


def test_a_stop_no_run_can_reach_in_its_hours_is_named(tmp_path):
    """A shop open only when no run can be there is named with its hours, before any search."""
    sc = write_variant(
        tmp_path,
        name="night-shops",
        rules={"max_days_per_run": 1, "shift_start_h": 8.0},
        routing={"shop_hours": {"open_h": 3.0, "close_h": 4.0}},
    )
    t0 = time.perf_counter()
    with pytest.raises(InfeasibleError) as exc:
        revlog.solve(sc, time_limit=30)
    assert time.perf_counter() - t0 < 15  # no search to the time limit
    found = exc.value.diagnoses
    # shops open 03:00-04:00; the service must end by closing, so it can start until 03:28
    assert any(d.code == "no_schedule" and "can start 03:00-03:28" in d.message for d in found)
    assert not any("time limit" in d.message for d in found)
