"""RoadNetwork: construction, restrictions, exposure and snapping."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from revlog.geo.roads import (
    ACCESS_DETOUR_FACTOR,
    RoadNetwork,
    geodesic_km,
    link_exposure_persons,
)


def test_embedded_network_connected(net, gd):
    """The embedded network is connected, also without expressways; each place has a plain road."""
    assert net.graph.number_of_nodes() == len(gd.places)
    assert net.graph.number_of_edges() == len(gd.roads)
    assert net.is_connected()
    # without expressways every place is still reachable (hazmat restriction scenario)
    assert net.restricted(["expressway"]).is_connected()
    # every node has an ordinary (non-expressway) link, so it can be snapped to
    g = net.graph
    for n in g.nodes:
        assert any(d["road_class"] != "expressway" for _, _, d in g.edges(n, data=True)), n


def test_restricted_removes_only_that_class(net):
    """Restricting a class removes exactly its links, keeps the original, refuses unknowns."""
    r = net.restricted(["expressway"])
    classes = {d["road_class"] for _, _, d in r.graph.edges(data=True)}
    assert classes == {"national", "provincial"}
    n_exp = sum(d["road_class"] == "expressway" for _, _, d in net.graph.edges(data=True))
    assert r.graph.number_of_edges() == net.graph.number_of_edges() - n_exp
    assert net.graph.number_of_edges() > r.graph.number_of_edges()  # original untouched
    with pytest.raises(ValueError, match="unknown road classes"):
        net.restricted(["motorway"])


def test_bad_tables_rejected():
    """Road tables with an unknown place, an unknown class or a zero length are refused."""
    places = pd.DataFrame({"place_id": ["a", "b"], "lon": [100.0, 101.0], "lat": [36.0, 36.0]})
    roads = pd.DataFrame(
        {"road_id": ["r1"], "from": ["a"], "to": ["c"], "road_class": ["national"],
         "length_km": [10.0]}
    )  # fmt: skip
    with pytest.raises(ValueError, match="unknown place"):
        RoadNetwork.from_tables(places, roads)
    roads.loc[0, "to"] = "b"
    roads.loc[0, "road_class"] = "motorway"
    with pytest.raises(ValueError, match="road_class"):
        RoadNetwork.from_tables(places, roads)
    roads.loc[0, "road_class"] = "national"
    roads.loc[0, "length_km"] = 0.0
    with pytest.raises(ValueError, match="length_km"):
        RoadNetwork.from_tables(places, roads)


def test_exposure_formula(net):
    """Link exposure is 0.5·β·(Pu + Pv) + 2·λ·ρ·L, with a lower β on expressways."""
    # 0.5 * beta * (Pu + Pv) + 2 * lambda * rho * L, beta 0.15 (0.03 on expressways)
    assert link_exposure_persons(100_000, 20_000, 10.0, "national") == pytest.approx(
        0.5 * 0.15 * 120_000 + 2 * 1.0 * 5.0 * 10.0
    )
    assert link_exposure_persons(100_000, 20_000, 10.0, "expressway") == pytest.approx(
        0.5 * 0.03 * 120_000 + 100.0
    )
    g = net.graph
    for u, v, d in g.edges(data=True):
        want = link_exposure_persons(
            g.nodes[u]["population"], g.nodes[v]["population"], d["length_km"], d["road_class"]
        )
        assert d["exposure_persons"] == pytest.approx(want)
    # an expressway beside a national road exposes fewer people per km
    e = {d["road_class"]: d for d in g.get_edge_data("pingan", "xining").values()}
    assert e["expressway"]["exposure_persons"] < e["national"]["exposure_persons"]


def _toy() -> RoadNetwork:
    places = pd.DataFrame(
        {"place_id": ["a", "b", "c"], "lon": [100.0, 101.0, 101.0], "lat": [36.0, 36.0, 37.0],
         "node_population": [1000, 2000, 0]}
    )  # fmt: skip
    roads = pd.DataFrame(
        {"road_id": ["n1", "x1", "n2"], "from": ["a", "a", "b"], "to": ["b", "b", "c"],
         "road_class": ["national", "expressway", "provincial"], "length_km": [100.0, 95.0, 130.0]}
    )  # fmt: skip
    return RoadNetwork.from_tables(places, roads)


def test_snap_never_to_expressway_and_fraction():
    """Sites snap to the nearest ordinary road, never an expressway, by access leg × detour."""
    net = _toy()
    sites = pd.DataFrame(
        {"id": ["mid", "near_b", "far"], "lon": [100.5, 100.999, 101.05],
         "lat": [36.02, 36.0, 36.5]}
    )  # fmt: skip
    s = net.snap(sites).set_index("id")
    assert s.loc["mid", "road_id"] == "n1"  # the national link, not the parallel expressway
    assert s.loc["mid", "fraction"] == pytest.approx(0.5, abs=0.01)
    assert s.loc["mid", "snap_lat"] == pytest.approx(36.0, abs=0.01)
    assert s.loc["far", "road_id"] == "n2"
    # access leg = great circle to the snapped point x detour factor
    for sid, row in s.iterrows():
        d = geodesic_km(row["lon"], row["lat"], row["snap_lon"], row["snap_lat"])
        assert row["access_km"] == pytest.approx(float(d) * ACCESS_DETOUR_FACTOR), sid
    # a site exactly on a node attaches to that node
    s2 = net.snap(pd.DataFrame({"id": ["on_c"], "lon": [101.0], "lat": [37.0]}))
    assert s2.loc[0, "node"] == "c" and s2.loc[0, "access_km"] == pytest.approx(0.0, abs=1e-6)


def test_snap_embedded_sites_are_near(net, gd):
    """Every embedded source snaps within 15 km, to an ordinary link or a node."""
    sites = gd.sources.rename(columns={"source_id": "id"})[["id", "lon", "lat"]]
    s = net.snap(sites)
    assert len(s) == len(sites) and (s["id"].to_numpy() == sites["id"].to_numpy()).all()
    assert s["offset_km"].max() < 15.0
    roads = gd.roads.set_index("road_id")
    on_link = s["road_id"].notna()
    assert on_link.sum() > len(s) / 2
    assert (roads.loc[s.loc[on_link, "road_id"], "road_class"] != "expressway").all()
    assert s.loc[~on_link, "node"].notna().all()
    assert np.isfinite(s[["snap_lon", "snap_lat", "access_km"]].to_numpy()).all()


def test_edges_frame(net):
    """The edges frame has one WGS84 row per road link."""
    e = net.edges_frame()
    assert len(e) == net.graph.number_of_edges() and e.crs.to_epsg() == 4326
    assert nx.is_connected(net.graph)
