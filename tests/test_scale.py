"""Scale (issue 13): no dense all-sites matrix, the memory guard, generated scale scenarios."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.plans import run_cli
from revlog.bench.scale import generate_sources, write_scale_scenario
from revlog.geo.matrix import RoadTravel, road_matrix
from revlog.inputs import prepare
from revlog.memory import MEMORY_LIMIT_ENV, estimate_memory
from revlog.problems import build_geography, location_problem
from revlog.scenario.load import load_scenario


def _finite_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(np.isfinite(a), np.isfinite(b))) and np.allclose(
        np.where(np.isfinite(a), a, 0.0), np.where(np.isfinite(b), b, 0.0), rtol=1e-12, atol=1e-9
    )


def test_generated_sources_are_seeded_and_in_the_study_area():
    """The same (n, seed) gives the same table; another seed another; ids unique."""
    a, b, c = generate_sources(300, 1), generate_sources(300, 1), generate_sources(300, 2)
    assert a.equals(b) and not a.equals(c)
    assert a["source_id"].is_unique and len(a) == 300
    assert a["lon"].between(79, 107).all() and a["lat"].between(26, 42.5).all()
    assert set(a["province"]) <= {"Qinghai", "Gansu", "Xizang", "Xinjiang", "Sichuan"}


@pytest.fixture(scope="module")
def scale_300(tmp_path_factory):
    """A generated 300-source scenario, prepared, with its geography."""
    folder = tmp_path_factory.mktemp("scale")
    inputs = prepare(load_scenario(write_scale_scenario(folder, 300, seed=3)))
    return inputs, build_geography(inputs)


def test_blocks_agree_with_the_dense_matrix(scale_300):
    """Facility block and a base's square matrix equal the dense all-sites matrix's entries."""
    inputs, geo = scale_300
    dense = road_matrix(
        geo.network,
        geo.sites.rename(columns={"site_id": "id"}),
        restricted_classes=tuple(inputs.scenario.rules.restricted_road_classes),
    )
    fac = geo.facilities
    rows = [dense.index(f) for f in fac.ids]
    assert _finite_equal(fac.km, dense.km[rows])
    stops = [geo.facility_ids[5], *inputs.sources["source_id"].iloc[::7]]
    base = geo.matrix_for(stops)
    ix = [dense.index(s) for s in stops]
    for what in ("km", "hours", "exposure"):
        assert _finite_equal(getattr(base, what), getattr(dense, what)[np.ix_(ix, ix)])
    s, f = stops[1], stops[0]
    assert base.path_nodes(s, f) == dense.path_nodes(s, f)
    # the dense path also passes the snap points of other sites on the same links
    mine, full = list(base.geometry(s, f).coords), list(dense.geometry(s, f).coords)
    assert mine[0] == full[0] and mine[-1] == full[-1] and set(mine) <= set(full)


def test_source_to_facility_legs_read_the_facility_search_turned(scale_300):
    """A source → facility leg has the km of the dense matrix (undirected network)."""
    inputs, geo = scale_300
    p = location_problem(inputs, geo)
    dense = RoadTravel(
        geo.network,
        geo.sites.rename(columns={"site_id": "id"}),
        restricted_classes=tuple(inputs.scenario.rules.restricted_road_classes),
    )
    srcs = [str(p.source_ids[s]) for s in p.arc_source[:50]]
    facs = [str(p.facility_ids[f]) for f in p.arc_facility[:50]]
    exact = dense.matrix(list(dict.fromkeys(srcs)), list(geo.facility_ids))
    for s, f in zip(srcs, facs, strict=True):
        assert geo.leg(s, f)[0] == pytest.approx(exact.km[exact.index(s), exact.col(f)], rel=1e-12)


def test_no_matrix_over_every_site_is_built(scale_300):
    """The stages hold the facility block (facilities x sites), not an all-sites square."""
    inputs, geo = scale_300
    location_problem(inputs, geo)
    assert geo.facilities.km.shape == (len(geo.facility_ids), len(geo.sites))
    assert all(len(m.ids) < len(geo.sites) for m in geo._bases.values())


def test_a_size_beyond_memory_is_refused_before_solving(tmp_path, monkeypatch, capsys):
    """Too little memory: `revlog solve` exits 3 with 'not enough memory for N sources', no plan."""
    sc = write_scale_scenario(tmp_path, 400, seed=1)
    est = estimate_memory(prepare(load_scenario(sc)))
    monkeypatch.setenv(MEMORY_LIMIT_ENV, str(est.total_bytes // 2))
    code, _, err = run_cli(["solve", sc, "-o", tmp_path / "out", "--quiet"], capsys)
    assert code == 3
    assert "not enough memory for 400 sources:" in err and "GiB available" in err
    assert not (tmp_path / "out").exists()


def test_pruning_dominated_arcs_keeps_the_optimum(scale_300):
    """Arcs dominated by the direct delivery to the plant go; the optimum stays the same."""
    from revlog.location.prune import dominated_arcs
    from revlog.location.solve import solve_location

    inputs, geo = scale_300
    p = location_problem(inputs, geo)
    drop = dominated_arcs(p)
    assert 0 < drop.sum() < p.n_arcs
    pruned = solve_location(p, mip_gap=0.0, time_limit_s=120)
    full = solve_location(p, mip_gap=0.0, time_limit_s=120, prune=False)
    assert pruned.proven_optimal and full.proven_optimal
    assert pruned.objective_cny == pytest.approx(full.objective_cny, rel=1e-9)
    assert pruned.assignment[drop].sum() == 0 and len(pruned.assignment) == p.n_arcs


def test_the_scale_scenario_pins_the_design_method_in_one_field(tmp_path):
    """`method=` sets only location.method; None leaves the base scenario's location section."""
    import yaml

    plain = yaml.safe_load(write_scale_scenario(tmp_path / "a", 50, seed=1).read_text())
    pinned = write_scale_scenario(tmp_path / "b", 50, seed=1, method="two-stage")
    doc = yaml.safe_load(pinned.read_text())
    assert doc["location"] == {**(plain.get("location") or {}), "method": "two-stage"}
    assert "method" not in (plain.get("location") or {})
    doc.pop("location"), plain.pop("location", None)
    assert doc == plain
