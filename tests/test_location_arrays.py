"""The array build of the location MILP gives exactly the Pyomo model's arrays."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.location import canonical, small_location_problems
from revlog.location.arrays import array_form
from revlog.location.bridge import linear_form
from revlog.location.model import ModelOptions, build_model
from revlog.location.solve import solve_location


@pytest.mark.parametrize("problem", list(small_location_problems()))
@pytest.mark.parametrize("options", [ModelOptions(), ModelOptions(False, False)])
def test_array_build_matches_pyomo_model(problem, options):
    """Rows, bounds, costs and columns of the array build equal the Pyomo model's."""
    assert canonical(array_form(problem, options)) == canonical(
        linear_form(build_model(problem, options))
    )


@pytest.mark.parametrize("problem", list(small_location_problems()))
def test_array_and_pyomo_builds_solve_to_the_same_design(problem):
    """Both builds reach the same optimum and the same open facilities."""
    a = solve_location(problem, mip_gap=0.0, builder="arrays")
    b = solve_location(problem, mip_gap=0.0, builder="pyomo")
    assert a.objective_cny == pytest.approx(b.objective_cny, rel=1e-9)
    assert np.array_equal(a.open_mask, b.open_mask)
