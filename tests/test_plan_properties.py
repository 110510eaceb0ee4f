"""Random small scenarios always give a plan the independent checker accepts, or a
diagnosed infeasibility — never another exception.

Variants of the tiny scenario: a random subset of its sources with random tonnes and
damaged shares, random fleet sizes and capacities, random rules (duty limit, one-day or
multi-day runs, night ban, restricted road classes), each solved with a short limit.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import revlog
from helpers.scenarios import TINY_DIR, write_variant
from revlog.errors import InfeasibleError

TIME_LIMIT_S = 3.0
SOURCES = list(csv.DictReader(io.StringIO((TINY_DIR / "sources.csv").read_text())))
EXAMPLES: list[str] = []  # outcome of every example run (for the report)


@st.composite
def scenarios(draw) -> dict:
    idx = draw(st.lists(st.integers(0, len(SOURCES) - 1), min_size=1, max_size=6, unique=True))
    rows = []
    for i in sorted(idx):
        row = dict(SOURCES[i])
        row["supply_t_per_year"] = f"{draw(st.floats(0.5, 30.0)):.2f}"
        row["damaged_share"] = f"{draw(st.sampled_from([0.0, 0.0, 0.05, 0.1, 0.3])):.2f}"
        rows.append(row)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(SOURCES[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    fleet = [
        {"id": "van", "base": "outlets", "payload_kg": draw(st.sampled_from([800, 1500, 3000])),
         "damaged_capacity_kg": 0, "fixed_cost_cny_per_run": 300, "cost_cny_per_km": 2.5,
         "count": draw(st.integers(1, 3))},
        {"id": "box-truck", "base": "outlets",
         "payload_kg": draw(st.sampled_from([2000, 3000, 5000])),
         "damaged_capacity_kg": draw(st.sampled_from([0, 300, 600, 1000])),
         "fixed_cost_cny_per_run": 600, "cost_cny_per_km": 4.0,
         "count": draw(st.integers(1, 2))},
        {"id": "plant-truck", "base": "plant", "payload_kg": 10000,
         "damaged_capacity_kg": draw(st.sampled_from([0, 2000])),
         "fixed_cost_cny_per_run": 900, "cost_cny_per_km": 5.5, "count": 1},
    ]  # fmt: skip
    rules = {
        "allow_multi_trip": draw(st.booleans()),
        "duty_h_per_day": draw(st.sampled_from([4.0, 8.0, 10.0, 12.0])),
        "max_days_per_run": draw(st.sampled_from([1, 3])),
        "restricted_road_classes": draw(
            st.lists(st.sampled_from(["expressway", "provincial"]), unique=True, max_size=2)
        ),
    }
    if draw(st.booleans()):
        rules["night_ban"] = {"start_h": 0.0, "end_h": 6.0}
    return {"sources_csv": buf.getvalue(), "fleet": fleet, "rules": rules}


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(scenarios())
def test_random_scenarios_are_solved_and_checked_or_diagnosed(variant):
    """A random tiny variant gives a plan the checker accepts, or an infeasibility with reasons."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_variant(Path(tmp), **variant)
        sc = revlog.load_scenario(path)
        try:
            plan = revlog.solve(sc, time_limit=TIME_LIMIT_S, seed=0)
        except InfeasibleError as exc:
            assert exc.diagnosis and all(isinstance(d, str) and d for d in exc.diagnosis)
            EXAMPLES.append("infeasible")
            return
        assert revlog.check(plan, sc) == []
        assert plan.kpis["served_share"] > 0
        EXAMPLES.append("plan")
