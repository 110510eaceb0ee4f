"""Stage 2 on the shipped baseline scenario: real per-base problems, checked independently.

The problems are built through the pipeline's own steps (scenario → geography →
location design → one routing problem per base), for a small, a middle and the largest
base. These are the problems on which OR-Tools alone found no first solution (multi-day
runs, multi-trip, 4 h / 20 min breaks, 10 h duty, damaged packs on every stop): every one
must now be solved, pass :func:`revlog.check.routes.check_routes`, and be reproducible.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from revlog import pipeline
from revlog.check.routes import check_routes
from revlog.routing.ortools import solve_ortools

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "qinghai-baseline.yaml"


@pytest.fixture(scope="module")
def base_problems():
    """Routing problems of the smallest, a middle and the largest base of the baseline."""
    if not SCENARIO.exists():
        pytest.skip(f"scenario file {SCENARIO} not shipped")
    inputs = pipeline.prepare(pipeline.load_scenario(SCENARIO))
    geo = pipeline.build_geography(inputs)
    lp = pipeline.location_problem(inputs, geo)
    design = pipeline.solve_location(lp, time_limit_s=20.0, seed=0)
    assign = design.to_frames()["assignments"]
    kinds = dict(zip(lp.facility_ids.astype(str), lp.facility_kind.astype(str), strict=True))
    bases = sorted(
        (
            (fid, sorted(assign.loc[assign["facility_id"] == fid, "source_id"]))
            for fid in lp.facility_ids.astype(str)
            if (assign["facility_id"] == fid).any()
        ),
        key=lambda b: (len(b[1]), b[0]),
    )
    picks = [bases[0], bases[len(bases) // 2], bases[-1]]
    return [pipeline.routing_problem(inputs, geo, fid, kinds[fid], srcs) for fid, srcs in picks]


def test_scenario_bases_get_feasible_checked_runs(base_problems):
    """Baseline bases get checked runs of certified vehicles serving all stops, within the limit."""
    for prob in base_problems:
        assert prob.rules is not None and prob.rules.max_days > 1  # the hard case
        limit = max(1.0, 0.2 * (prob.n_nodes - 1))
        sol = solve_ortools(prob, limit)
        assert check_routes(prob, sol) == [], prob.name
        assert not sol.dropped
        served = sorted(n for run in sol.runs for n in run.nodes)
        assert served == list(range(1, prob.n_nodes))
        # damaged packs on every stop: only certified vehicles may run
        certified = {t.id for t in prob.vehicle_types if t.damaged_capacity_kg > 0}
        assert {run.vehicle_type for run in sol.runs} <= certified
        # at least as many runs as the certified payload requires
        payload = max(t.payload_kg for t in prob.vehicle_types if t.id in certified)
        total = float(np.sum(prob.pickup_intact_kg) + np.sum(prob.pickup_damaged_kg))
        assert sol.n_runs >= int(np.ceil(total / payload - 1e-9))
        assert sol.seconds <= limit + 1.0


def test_scenario_runs_are_reproducible(base_problems):
    """The largest baseline base gets the same runs twice with one seed."""
    prob = base_problems[-1]
    a = solve_ortools(prob, 5.0, seed=0)
    b = solve_ortools(prob, 5.0, seed=0)
    assert a.routes == b.routes
    assert [r.start_h for r in a.runs] == [r.start_h for r in b.runs]
    assert a.objective_cny == pytest.approx(b.objective_cny)
