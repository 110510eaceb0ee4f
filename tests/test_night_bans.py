"""Night bans on the shipped scenarios' multi-day bases: solved, checked, never cheaper.

Gansu and Ningxia ban dangerous goods on the road 00:00-05:00; other provinces 00:00-06:00.
The multi-day bases of the shipped baseline (0-6 ban) and of the 2030 scenario, which reaches
Gansu (0-5 ban), are built through the pipeline's own steps with the ban added to the
scenario's rules, routed by the engine with a fixed amount of work, and checked by the
independent route checker. A ban only takes hours away: the runs found under the ban, handed
to the search without the ban as its start, never come out cheaper than under the ban, and
the search without the ban from scratch lands no dearer either on these bases (both are
heuristics; the whole shipped plans are compared in the README).
"""

from __future__ import annotations

import pytest

from helpers.scenarios import SCENARIOS
from revlog import pipeline
from revlog.check.routes import check_routes
from revlog.routing.engine import solve_routing
from revlog.routing.ortools import solve_ortools
from revlog.scenario.schema import NightBan

WORK_S = 3.0


def _multi_day_bases(name: str, ban: tuple[float, float], n: int):
    """The ``n`` bases with most sources of scenario ``name`` whose runs may last several days,
    as (problem without the ban, problem with it)."""
    path = SCENARIOS / name
    if not path.exists():
        pytest.skip(f"scenario file {path} not shipped")
    sc = pipeline.load_scenario(path)
    banned = sc.model_copy(
        update={
            "rules": sc.rules.model_copy(
                update={"night_ban": NightBan(start_h=ban[0], end_h=ban[1])}
            )
        }
    )
    assert sc.rules.night_ban is None and sc.rules.max_days_per_run > 1
    inputs, inputs_ban = pipeline.prepare(sc), pipeline.prepare(banned)
    geo = pipeline.build_geography(inputs)
    design = pipeline.solve_location(
        pipeline.location_problem(inputs, geo), time_limit_s=30.0, seed=0
    )
    bases = sorted(design.bases(), key=lambda b: (-len(b.sources), b.site_id))[:n]
    return [
        (
            pipeline.routing_problem(inputs, geo, b.site_id, b.kind, list(b.sources)),
            pipeline.routing_problem(inputs_ban, geo, b.site_id, b.kind, list(b.sources)),
        )
        for b in bases
    ]


@pytest.mark.parametrize(
    ("scenario", "ban"),
    [("qinghai-baseline.yaml", (0.0, 6.0)), ("qinghai-2030.yaml", (0.0, 5.0))],
)
def test_multi_day_runs_under_a_night_ban_are_solved_checked_and_never_cheaper(scenario, ban):
    """Under a night ban multi-day bases get checked runs, none driving in it, costing no less."""
    pairs = _multi_day_bases(scenario, ban, n=3)
    multi_day = 0
    for free, banned in pairs:
        assert banned.rules is not None and banned.rules.night_ban_h == ban
        b = solve_routing(banned, time_limit_s=60.0, seed=0, work_s=WORK_S)
        assert check_routes(banned, b) == [], banned.name  # the checker restates the ban
        assert not b.dropped
        multi_day += sum(run.rests > 0 for run in b.runs)
        a = solve_ortools(free, 60.0, seed=0, initial_routes=b.routes, work_s=WORK_S)
        assert check_routes(free, a) == [], free.name
        assert b.objective_cny >= a.objective_cny - 1e-6, banned.name
        # and the search without the ban, from scratch, lands no dearer than under it
        scratch = solve_routing(free, time_limit_s=60.0, seed=0, work_s=WORK_S)
        assert check_routes(free, scratch) == [], free.name
        assert b.objective_cny >= scratch.objective_cny - 1e-6, banned.name
    assert multi_day > 0  # the ban met runs that rest overnight


def test_the_search_weighs_what_schedules_cost_when_it_recreates_routes():
    """Where crew hours and overnight rests cost, a ruin-and-recreate round keeps the
    recreated routes or their arc-cost descent, whichever costs less with the schedules
    (C-golmud of the 2030 scenario: without the ban the descent alone kept a run of three
    rests, 9,621 CNY a period, where two rests do, 9,242 — the banned search found it)."""
    pairs = _multi_day_bases("qinghai-2030.yaml", (0.0, 5.0), n=30)
    found = [(f, b) for f, b in pairs if f.node_ids[0] == "C-golmud"]
    assert found, "C-golmud is no base of the 2030 design"
    free, banned = found[0]
    a = solve_routing(free, time_limit_s=60.0, seed=0, work_s=WORK_S)
    b = solve_routing(banned, time_limit_s=60.0, seed=0, work_s=WORK_S)
    assert check_routes(free, a) == [] and check_routes(banned, b) == []
    assert a.objective_cny <= b.objective_cny + 1e-6
    assert sum(run.rests for run in a.runs) <= sum(run.rests for run in b.runs)
