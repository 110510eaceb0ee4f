"""TravelMatrix: road matrix vs hand-computed and independent paths, restrictions, properties."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely import Point

from revlog.geo.geodata import STUDY_AREA_BOUNDS
from revlog.geo.matrix import great_circle_matrix, road_matrix
from revlog.geo.roads import RoadNetwork

SPEED = {"expressway": 80.0, "national": 60.0, "provincial": 60.0}


def _place_sites(gd, ids):
    p = gd.places.set_index("place_id").loc[ids].reset_index()
    return pd.DataFrame({"id": p["place_id"], "lon": p["lon"], "lat": p["lat"]})


def _link(gd, a, b, cls):
    r = gd.roads
    m = (((r["from"] == a) & (r["to"] == b)) | ((r["from"] == b) & (r["to"] == a))) & (
        r["road_class"] == cls
    )
    assert m.sum() == 1, (a, b, cls)
    return float(r.loc[m, "length_km"].iloc[0])


def test_xining_golmud_by_hand(gd, net):
    """Xining-Golmud takes the hand-read shortest chain; without expressways the national road."""
    # the shortest chain read off roads.csv: G109 to Huangyuan, G6 over Riyue Pass to Daotanghe,
    # G109 along the lake to Chaka (the G6 detours via Gonghe), then G6 to Dulan and Golmud
    legs = [("xining", "huangyuan", "national"), ("huangyuan", "daotanghe", "expressway"),
            ("daotanghe", "chaka", "national"), ("chaka", "dulan", "expressway"),
            ("dulan", "golmud", "expressway")]  # fmt: skip
    km = sum(_link(gd, a, b, c) for a, b, c in legs)
    hours = sum(_link(gd, a, b, c) / SPEED[c] for a, b, c in legs)
    tm = road_matrix(net, _place_sites(gd, ["xining", "golmud"]))
    assert tm.km[0, 1] == pytest.approx(km) and tm.km[1, 0] == pytest.approx(km)
    assert tm.hours[0, 1] == pytest.approx(hours)
    assert tm.path_nodes("xining", "golmud") == [
        "xining", "huangyuan", "daotanghe", "chaka", "dulan", "golmud"
    ]  # fmt: skip
    assert [c for _, c in tm.path_edges("xining", "golmud")] == [c for *_, c in legs]
    # restricting expressways forces the national road all the way
    nat = [("xining", "huangyuan"), ("huangyuan", "daotanghe"), ("daotanghe", "chaka"),
           ("chaka", "dulan"), ("dulan", "golmud")]  # fmt: skip
    km_nat = sum(_link(gd, a, b, "national") for a, b in nat)
    tr = road_matrix(net, _place_sites(gd, ["xining", "golmud"]), restricted_classes=["expressway"])
    assert tr.km[0, 1] == pytest.approx(km_nat)
    assert tr.hours[0, 1] == pytest.approx(km_nat / 60.0)
    assert tr.hours[0, 1] > tm.hours[0, 1]
    assert all(c != "expressway" for _, c in tr.path_edges("xining", "golmud"))


def _independent_km(gd, restricted=()):
    """networkx Dijkstra on a simple graph built straight from roads.csv (min over parallels)."""
    g = nx.Graph()
    for r in gd.roads.itertuples(index=False):
        if r.road_class in restricted:
            continue
        a, b = r._1, r.to
        if not g.has_edge(a, b) or g[a][b]["km"] > r.length_km:
            g.add_edge(a, b, km=r.length_km)
    return g


@pytest.mark.parametrize("restricted", [(), ("expressway",), ("provincial",)])
def test_place_matrix_matches_independent_dijkstra(gd, net, restricted):
    """Place-to-place km equal an independent Dijkstra on roads.csv; restricted classes unused."""
    ids = ["xining", "golmud", "yushu", "lhasa", "lanzhou", "chengdu", "mangya", "jiuzhi",
           "delingha", "hotan", "huzhu", "tongren"]  # fmt: skip
    tm = road_matrix(net, _place_sites(gd, ids), restricted_classes=restricted)
    g = _independent_km(gd, restricted)
    for i, a in enumerate(ids):
        lengths = nx.single_source_dijkstra_path_length(g, a, weight="km") if a in g else {}
        for j, b in enumerate(ids):
            want = lengths.get(b, np.inf)
            if np.isfinite(want):
                assert tm.km[i, j] == pytest.approx(want), (a, b)
            else:  # a place cut off by the restriction is reached by an access leg
                assert tm.access_km[i] + tm.access_km[j] > 1.0, (a, b)
            if restricted and np.isfinite(want) and a != b:
                assert all(c not in restricted for _, c in tm.path_edges(a, b))


def test_restriction_changes_paths_and_never_uses_class(gd, net):
    """A restricted class is never driven: paths change, hours never drop, hours follow speeds."""
    sites = gd.candidates.rename(columns={"site_id": "id"})[["id", "lon", "lat"]]
    full = road_matrix(net, sites)
    nox = road_matrix(net, sites, restricted_classes=["expressway"])
    assert np.isfinite(nox.km).all()
    assert (nox.hours >= full.hours - 1e-9).all()
    assert (nox.hours > full.hours + 1e-6).sum() > 100  # many pairs are slower
    ids = full.ids
    used = 0
    for a in ids[::7]:
        for b in ids[3::11]:
            classes = [c for _, c in nox.path_edges(a, b)]
            assert "expressway" not in classes
            used += "expressway" in [c for _, c in full.path_edges(a, b)]
    assert used > 0
    # hours are the sum over the chosen path of km/speed (plus access legs at 40 km/h)
    roads = gd.roads.set_index("road_id")
    a, b = "C-minhe", "S-golmud"
    i, j = full.index(a), full.index(b)
    edges = full.path_edges(a, b)
    inner = [rid for rid, _ in edges[1:-1]]  # end links may be partial (split at snap points)
    assert all(roads.loc[r, "road_class"] in SPEED for r in inner)
    assert full.hours[i, j] > full.km[i, j] / 80.0 and full.hours[i, j] < full.km[i, j] / 40.0


def test_geometry_follows_roads(gd, net):
    """A path's geometry runs from site to site through every place node on the path."""
    sites = gd.candidates.rename(columns={"site_id": "id"})[["id", "lon", "lat"]]
    tm = road_matrix(net, sites)
    for a, b in [("C-zeku", "S-lhasa"), ("S-xining", "C-mangya"), ("C-chengxi", "C-chengxi")]:
        line = tm.geometry(a, b)
        sa, sb = sites.set_index("id").loc[a], sites.set_index("id").loc[b]
        assert Point(line.coords[0]).distance(Point(sa["lon"], sa["lat"])) < 1e-9
        assert Point(line.coords[-1]).distance(Point(sb["lon"], sb["lat"])) < 1e-9
    nodes = tm.path_nodes("S-xining", "C-mangya")
    coords = set(map(tuple, np.round(np.asarray(tm.geometry("S-xining", "C-mangya").coords), 6)))
    pl = gd.places.set_index("place_id")
    for n in nodes:
        assert (round(pl.loc[n, "lon"], 6), round(pl.loc[n, "lat"], 6)) in coords


def test_several_sites_on_one_link():
    """Sites on one link are joined along it between their snap points, plus access legs."""
    places = pd.DataFrame(
        {"place_id": ["a", "b"], "lon": [100.0, 101.0], "lat": [36.0, 36.0]}
    )  # fmt: skip
    roads = pd.DataFrame(
        {"road_id": ["n1", "x1"], "from": ["a", "a"], "to": ["b", "b"],
         "road_class": ["national", "expressway"], "length_km": [100.0, 90.0]}
    )  # fmt: skip
    net = RoadNetwork.from_tables(places, roads)
    sites = pd.DataFrame(
        {"id": ["s1", "s2", "s3", "s4"], "lon": [100.2, 100.6, 100.6, 100.9],
         "lat": [36.0, 36.0, 36.0, 36.0]}
    )  # fmt: skip
    tm = road_matrix(net, sites)
    f = net.snap(sites)["fraction"].to_numpy()
    acc = tm.access_km
    # s1 -> s2 along the national link between the two snap points
    assert tm.km[0, 1] == pytest.approx((f[1] - f[0]) * 100.0 + acc[0] + acc[1])
    assert tm.km[1, 2] == pytest.approx(acc[1] + acc[2])  # same snap point
    assert tm.km[0, 3] == pytest.approx((f[3] - f[0]) * 100.0 + acc[0] + acc[3])
    assert tm.path_edges("s1", "s4") == [("n1", "national")]


def test_great_circle_known_distance():
    """The great-circle matrix is WGS84 geodesic km × detour factor, hours at the given speed."""
    geod = Geod(ellps="WGS84")
    sites = pd.DataFrame(
        {"id": ["xining", "lhasa", "eq0", "eq1"], "lon": [101.7763, 91.1707, 100.0, 101.0],
         "lat": [36.6172, 29.6551, 0.0, 0.0]}
    )  # fmt: skip
    tm = great_circle_matrix(sites, detour_factor=1.0, speed_kmh=50.0)
    _, _, d = geod.inv(101.7763, 36.6172, 91.1707, 29.6551)
    assert tm.km[0, 1] == pytest.approx(d / 1000.0, rel=1e-9)
    assert tm.km[2, 3] == pytest.approx(111.3195, abs=1e-3)  # 1° of longitude on the equator
    assert tm.hours[0, 1] == pytest.approx(tm.km[0, 1] / 50.0)
    assert np.allclose(np.diag(tm.km), 0.0) and np.allclose(tm.km, tm.km.T)
    tm13 = great_circle_matrix(sites)
    assert tm13.km[0, 1] == pytest.approx(1.3 * d / 1000.0)
    line = tm.geometry("xining", "lhasa")
    assert line.coords[0] == (101.7763, 36.6172) and line.coords[-1] == (91.1707, 29.6551)
    assert tm.path_edges("xining", "lhasa") == [] and tm.provider == "great_circle"


def test_to_frame_and_index(gd, net):
    """A matrix frame has one row per ordered pair; an unknown id raises KeyError."""
    tm = road_matrix(net, _place_sites(gd, ["xining", "golmud", "yushu"]))
    df = tm.to_frame()
    assert len(df) == 9
    row = df[(df.from_id == "golmud") & (df.to_id == "yushu")].iloc[0]
    assert row.km == tm.km[tm.index("golmud"), tm.index("yushu")]
    with pytest.raises(KeyError):
        tm.index("nowhere")


def test_unreachable_is_inf():
    """Sites cut apart by a restriction are infinitely far, with no path and no geometry."""
    places = pd.DataFrame({"place_id": ["a", "b", "c", "d"], "lon": [100.0, 101.0, 105.0, 106.0],
                           "lat": [36.0, 36.0, 36.0, 36.0]})  # fmt: skip
    roads = pd.DataFrame({"road_id": ["n1", "x1", "n2"], "from": ["a", "b", "c"],
                          "to": ["b", "c", "d"], "road_class": ["national", "expressway",
                          "provincial"], "length_km": [100.0, 400.0, 100.0]})  # fmt: skip
    net = RoadNetwork.from_tables(places, roads)
    sites = pd.DataFrame({"id": ["p", "q"], "lon": [100.0, 106.0], "lat": [36.0, 36.0]})
    assert np.isfinite(road_matrix(net, sites).km).all()
    tm = road_matrix(net, sites, restricted_classes=["expressway"])
    assert np.isinf(tm.km[0, 1]) and np.isinf(tm.hours[1, 0])
    assert tm.path_nodes("p", "q") == []
    with pytest.raises(ValueError, match="unreachable"):
        tm.geometry("p", "q")


_lon = st.floats(STUDY_AREA_BOUNDS[0] + 12, STUDY_AREA_BOUNDS[2] - 4)
_lat = st.floats(STUDY_AREA_BOUNDS[1] + 2, STUDY_AREA_BOUNDS[3] - 3)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(_lon, _lat), min_size=2, max_size=8), st.booleans())
def test_matrix_properties(net, pts, restrict):
    """Road matrices are finite, symmetric, zero-diagonal, metric and never below the geodesic."""
    sites = pd.DataFrame(
        {"id": [f"s{i}" for i in range(len(pts))], "lon": [p[0] for p in pts],
         "lat": [p[1] for p in pts]}
    )  # fmt: skip
    tm = road_matrix(net, sites, restricted_classes=["expressway"] if restrict else ())
    km, h = tm.km, tm.hours
    assert np.isfinite(km).all()
    assert np.allclose(np.diag(km), 0.0) and np.allclose(np.diag(h), 0.0)
    assert np.allclose(km, km.T, rtol=1e-9, atol=1e-6)
    assert np.allclose(h, h.T, rtol=1e-9, atol=1e-6)
    assert (km >= 0).all() and (tm.exposure >= 0).all()
    n = len(pts)
    for j in range(n):
        assert (km <= km[:, [j]] + km[[j], :] + 1e-6).all()
    # road distance is never shorter than the straight line between the sites
    gc = great_circle_matrix(sites, detour_factor=1.0)
    assert (km >= gc.km - 1e-6).all()
    for i in range(n):
        line = tm.geometry(f"s{i}", f"s{(i + 1) % n}")
        assert line.coords[0] == pytest.approx((pts[i][0], pts[i][1]))
