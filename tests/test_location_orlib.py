"""Correctness anchor: all 37 small OR-Library ``cap`` instances, multi- and single-source.

The default run covers the whole small set (about 5 s): every multi-source optimum, every
single-source optimum, and the 13 single-source instances that are infeasible. The heavy
capa/capb/capc instances are run by ``bench/location.py`` only.
"""

from __future__ import annotations

import pandas as pd
import pytest

from revlog.bench import benchmarks_dir
from revlog.check.design import check_design
from revlog.location import LocationInfeasibleError, LocationProblem, solve_location

ORLIB = benchmarks_dir() / "orlib-cflp"
if not (ORLIB / "optima.csv").is_file():
    pytest.skip(
        f"OR-Library cflp instances not found in {ORLIB} (set REVLOG_BENCHMARKS)",
        allow_module_level=True,
    )

TABLE = pd.read_csv(ORLIB / "optima.csv", dtype=str)
SMALL = TABLE[~TABLE["file"].isin(["capa.txt", "capb.txt", "capc.txt"])].to_dict("records")


@pytest.mark.parametrize("row", SMALL, ids=[r["instance"] for r in SMALL])
def test_multi_source_optimum(row):
    """Every small OR-Library cap instance solves multi-source to its published optimum."""
    p = LocationProblem.from_orlib(ORLIB / row["file"], single_source=False)
    d = solve_location(p, mip_gap=1e-9)
    assert check_design(p, d) == []
    assert d.proven_optimal
    opt = float(row["optimum"])
    assert abs(d.objective_cny - opt) <= 1e-6 * opt


@pytest.mark.parametrize("row", SMALL, ids=[r["instance"] for r in SMALL])
def test_single_source_optimum_or_infeasible(row):
    """Single-source cap instances reach the published optimum, or are infeasible as published."""
    p = LocationProblem.from_orlib(ORLIB / row["file"], single_source=True)
    if row["single_source_optimum"] == "infeasible":
        with pytest.raises(LocationInfeasibleError) as err:
            solve_location(p)
        assert any("single sourcing" in d for d in err.value.diagnosis)
        return
    d = solve_location(p, mip_gap=1e-9)
    assert check_design(p, d) == []
    assert d.proven_optimal
    assert all(fr == 1.0 for _, _, fr in d.assignments())
    opt = float(row["single_source_optimum"])  # published to 2 decimals
    assert abs(d.objective_cny - opt) <= max(1e-6 * opt, 0.006)


def test_reader_shape_and_symbolic_capacity():
    """The OR-Library reader gives each instance's shape; symbolic capacities need a value."""
    p = LocationProblem.from_orlib(ORLIB / "cap41.txt")
    assert (p.n_sources, p.n_facilities, p.n_arcs) == (50, 16, 800)
    assert p.is_sink.all() and p.n_forwarding == 0
    with pytest.raises(ValueError, match="capacity"):
        LocationProblem.from_orlib(ORLIB / "capa.txt")
    big = LocationProblem.from_orlib(ORLIB / "capa.txt", 8000)
    assert big.name == "capa-8000" and (big.capacity_t == 8000).all()
    assert (big.n_sources, big.n_facilities, big.n_arcs) == (1000, 100, 100_000)


def test_same_input_and_seed_give_the_same_design():
    """The same instance and seed give the same design; its tables cover every source."""
    p = LocationProblem.from_orlib(ORLIB / "cap64.txt", single_source=True)
    a, b = solve_location(p, seed=3), solve_location(p, seed=3)
    assert (a.open_mask == b.open_mask).all()
    assert (a.assignment == b.assignment).all()
    assert a.objective_cny == b.objective_cny
    frames = a.to_frames()
    assert len(frames["assignments"]) == p.n_sources
    assert frames["facilities"]["open"].sum() == a.open_mask.sum()
