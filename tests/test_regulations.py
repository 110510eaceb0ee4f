"""Each figure of :mod:`revlog.regulations` is a one-line change that reaches solver and checker.

For every constant a subprocess loads ``revlog.regulations`` with a changed value before
anything else of revlog is imported (exactly what editing the constant's one line does),
solves a scenario that does not set the rule itself, and checks the plan. The plan solved
with the changed rule must pass the checker under it (the solver obeyed the new value), and
the plan solved with the shipped value must fail it where the rule binds (the checker reads
the new value too).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import revlog
import revlog.regulations as reg

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FAR = FIXTURES / "far" / "far.yaml"
TINY = FIXTURES / "tiny" / "tiny.yaml"

_PRELUDE = """
import importlib.util, json, sys
from pathlib import Path

spec = importlib.util.find_spec("revlog")
path = Path(spec.submodule_search_locations[0]) / "regulations.py"
reg_spec = importlib.util.spec_from_file_location("revlog.regulations", path)
reg = importlib.util.module_from_spec(reg_spec)
reg_spec.loader.exec_module(reg)
setattr(reg, NAME, VALUE)
sys.modules["revlog.regulations"] = reg  # as if the constant's line had been edited

import revlog
from revlog.errors import ScenarioError
"""

_SOLVE_AND_CHECK = """
sc = revlog.load_scenario(SCENARIO)
out = {"setting": getattr(getattr(sc, SECTION), FIELD)}
plan = revlog.solve(sc, time_limit=20, seed=0)
out["new"] = revlog.check(plan, sc)
out["shipped"] = revlog.check(revlog.Plan.load(SHIPPED), sc)
print(json.dumps(out))
"""

_INPUT_CHECK = """
out = {}
for what, call in (
    ("solve", lambda: revlog.solve(SCENARIO, time_limit=20, seed=0)),
    ("check", lambda: revlog.check(SHIPPED, SCENARIO)),
):
    try:
        call()
        out[what] = []
    except ScenarioError as exc:
        out[what] = [str(p) for p in exc.problems]
print(json.dumps(out))
"""


def _run(name: str, value: float, body: str, **names: object) -> dict:
    """Run ``body`` in a fresh interpreter whose ``revlog.regulations.<name>`` is ``value``."""
    head = f"NAME = {name!r}\nVALUE = {value!r}\n" + "".join(
        f"{k} = {v!r}\n" for k, v in names.items()
    )
    code = head + textwrap.dedent(_PRELUDE) + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def shipped_far(tmp_path_factory) -> Path:
    """The far scenario solved under the shipped regulations."""
    folder = tmp_path_factory.mktemp("far") / "plan"
    plan = revlog.solve(FAR, time_limit=20, seed=0)
    assert revlog.check(plan, FAR) == []
    assert len(plan.breaks) >= 2, "the far runs must drive long enough to take breaks"
    plan.save(folder)
    return folder


@pytest.fixture(scope="module")
def shipped_tiny(tmp_path_factory) -> Path:
    """The tiny scenario solved under the shipped regulations."""
    folder = tmp_path_factory.mktemp("tiny") / "plan"
    revlog.solve(TINY, time_limit=20, seed=0).save(folder)
    return folder


# Rule, new value, scenario field it sets, and what the checker says of the shipped plan.
DRIVER_RULES = {
    "MAX_CONTINUOUS_DRIVING_H": (2.0, "max_driving_h", 2.0, "without a break of"),
    "MIN_DRIVING_BREAK_MIN": (45.0, "break_min", 45.0, "driving break of 0.333 h is shorter"),
    "SPEED_CAP_OTHER_KMH": (45.0, "speed_other_kmh", 45.0, "but the matrix gives"),
    "SPEED_CAP_EXPRESSWAY_KMH": (50.0, "speed_expressway_kmh", 50.0, "but the matrix gives"),
    "DEFAULT_DUTY_H_PER_DAY": (8.0, "duty_h_per_day", 8.0, "exceeds the daily limit 8 h"),
    "DEFAULT_OVERNIGHT_REST_H": (13.0, "overnight_rest_h", 13.0, "is shorter than 13 h"),
    "DEFAULT_MAX_DAYS_PER_RUN": (1, "max_days_per_run", 1, "exceed max_days 1"),
}


@pytest.mark.parametrize("name", list(DRIVER_RULES))
def test_a_changed_driver_rule_reaches_the_solver_and_the_checker(name, shipped_far):
    """A driver-rule constant changed in one line binds the scenario, the runs and the check."""
    value, field, setting, caught = DRIVER_RULES[name]
    assert getattr(reg, name) != value
    got = _run(
        name, value, _SOLVE_AND_CHECK,
        SCENARIO=str(FAR), SHIPPED=str(shipped_far), SECTION="rules", FIELD=field,
    )  # fmt: skip
    assert got["setting"] == setting  # the schema's default is the constant
    assert got["new"] == [], got["new"]  # the solver obeyed the new value
    assert any(caught in v for v in got["shipped"]), got["shipped"]  # the checker reads it


def test_the_collection_stock_limit_reaches_solve_and_check(shipped_far):
    """A collection outlet holds at most COLLECTION_MAX_STOCK_T: 5 t sites fail a 4 t limit."""
    assert reg.COLLECTION_MAX_STOCK_T == 5.0
    got = _run(
        "COLLECTION_MAX_STOCK_T", 4.0, _INPUT_CHECK, SCENARIO=str(FAR), SHIPPED=str(shipped_far)
    )
    for what in ("solve", "check"):
        assert any("holds at most 4 t" in p and "got 5" in p for p in got[what]), got[what]


def test_the_storage_stock_minimum_reaches_solve_and_check(shipped_tiny):
    """A storage outlet holds at least STORAGE_MIN_STOCK_T: a 100 t site fails a 150 t minimum."""
    assert reg.STORAGE_MIN_STOCK_T == 30.0
    got = _run(
        "STORAGE_MIN_STOCK_T", 150.0, _INPUT_CHECK, SCENARIO=str(TINY), SHIPPED=str(shipped_tiny)
    )
    for what in ("solve", "check"):
        assert any("holds at least 150 t" in p and "got 100" in p for p in got[what]), got[what]
