"""Road networks from OSM files: tag mapping, restrictions, lengths, geometry, matrix vs networkx,
bad files, and a scenario that uses an OSM file."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from helpers.osm import NODES, PLACES, TOWN_NODES, WAYS, osm_xml, write_osm, write_pbf
from helpers.scenarios import write_variant
from revlog.errors import ScenarioError
from revlog.geo.matrix import DEFAULT_SPEED_KMH_BY_CLASS, road_matrix
from revlog.geo.osm import hazmat_restriction, road_class, road_network_from_osm
from revlog.geo.roads import RoadNetwork

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def osm_file(tmp_path_factory) -> Path:
    return write_osm(tmp_path_factory.mktemp("osm") / "roads.osm")


@pytest.fixture(scope="module")
def onet(osm_file) -> RoadNetwork:
    return road_network_from_osm(osm_file)


def _links_of_way(net: RoadNetwork, wid: int) -> list[dict]:
    return [d for _, _, k, d in net.graph.edges(keys=True, data=True) if k.startswith(f"w{wid}-")]


def _town_sites(net: RoadNetwork) -> pd.DataFrame:
    g = net.graph
    ids = list(TOWN_NODES)
    return pd.DataFrame(
        {
            "id": ids,
            "lon": [g.nodes[n]["lon"] for n in ids],
            "lat": [g.nodes[n]["lat"] for n in ids],
        }
    )


# --- tag rules ---------------------------------------------------------------------------------
def test_highway_tags_map_to_revlog_classes():
    """motorway(+link) → expressway, trunk(+link) → national, primary…unclassified → provincial."""
    want = {
        "motorway": "expressway", "motorway_link": "expressway", "trunk": "national",
        "trunk_link": "national", "primary": "provincial", "primary_link": "provincial",
        "secondary": "provincial", "secondary_link": "provincial", "tertiary": "provincial",
        "tertiary_link": "provincial", "unclassified": "provincial",
    }  # fmt: skip
    for highway, cls in want.items():
        assert road_class({"highway": highway}) == cls, highway
    for highway in ("residential", "service", "track", "footway", "living_street", "construction"):
        assert road_class({"highway": highway}) is None, highway
    assert road_class({"building": "yes"}) is None
    assert road_class({"highway": "residential"}, {"residential": "provincial"}) == "provincial"


def test_g_route_ref_makes_an_ordinary_road_national():
    """A non-expressway way whose ref names a three-digit G route is national."""
    assert road_class({"highway": "primary", "ref": "G227"}) == "national"
    assert road_class({"highway": "secondary", "ref": "S101;G109"}) == "national"
    assert road_class({"highway": "primary", "ref": "S101"}) == "provincial"
    assert road_class({"highway": "primary", "ref": "G1091"}) == "provincial"  # an expressway no.
    assert road_class({"highway": "motorway", "ref": "G109"}) == "expressway"


def test_roads_closed_to_motor_vehicles_are_left_out():
    """The most specific of motor_vehicle, vehicle, access decides; no/private leave a way out."""
    assert road_class({"highway": "primary", "access": "private"}) is None
    assert road_class({"highway": "primary", "access": "no"}) is None
    assert road_class({"highway": "primary", "access": "no", "motor_vehicle": "yes"}) == (
        "provincial"
    )
    assert road_class({"highway": "primary", "motor_vehicle": "no"}) is None
    assert road_class({"highway": "primary", "access": "destination"}) == "provincial"


def test_hazmat_tags_close_a_way():
    """hazmat=no, hazmat:water=no and a tunnel of category >= the load's code close a way."""
    assert hazmat_restriction({"hazmat": "no"}) == "hazmat=no"
    assert hazmat_restriction({"hazmat": "destination"}) is None
    assert hazmat_restriction({"hazmat": "designated"}) is None
    assert hazmat_restriction({"hazmat:water": "no"}) == "hazmat:water=no"
    assert hazmat_restriction({"hazmat:water": "no"}, water_protection=False) is None
    tunnel_e = {"tunnel": "yes", "hazmat:adr_tunnel_cat": "E"}
    tunnel_c = {"tunnel": "yes", "hazmat:adr_tunnel_cat": "C"}
    assert hazmat_restriction(tunnel_e) == "hazmat:adr_tunnel_cat=E"  # batteries: code E
    assert hazmat_restriction(tunnel_c) is None
    assert hazmat_restriction(tunnel_c, tunnel_code="B") == "hazmat:adr_tunnel_cat=C"
    assert hazmat_restriction(tunnel_e, tunnel_code=None) is None
    assert hazmat_restriction({"hazmat:tunnel_cat": "e"}) == "hazmat:tunnel_cat=E"
    assert hazmat_restriction({"tunnel": "yes", "hazmat:E": "no"}) == "tunnel=yes + hazmat:E=no"
    assert hazmat_restriction({"hazmat:E": "no"}) is None  # Finnish usage without a tunnel
    assert hazmat_restriction({"highway": "primary", "tunnel": "yes"}) is None
    with pytest.raises(ValueError, match="tunnel_code"):
        hazmat_restriction({"hazmat:adr_tunnel_cat": "E"}, tunnel_code="X")


# --- the generated file ------------------------------------------------------------------------
def test_every_way_gets_its_class_and_restriction(onet):
    """Each road way's links carry the class and closing tag of the WAYS table; others are gone."""
    for wid, (_, _, cls, reason) in WAYS.items():
        links = _links_of_way(onet, wid)
        if cls is None:
            assert not links, wid
            continue
        assert links, wid
        for d in links:
            assert d["road_class"] == cls, wid
            assert d["hazmat_restricted"] == (reason is not None), wid
            assert d.get("hazmat_reason") == reason, wid
    assert onet.n_hazmat_restricted == 3
    assert onet.graph.graph["osm_ways"] == sum(1 for *_, c, _ in WAYS.values() if c)
    assert all(n.startswith("n") for n in onet.graph.nodes)


def test_links_follow_the_way_and_have_geodesic_length(onet):
    """A link's polyline is its way's nodes in order; its length is their WGS84 geodesic length."""
    g = onet.graph
    for u, v, k, d in g.edges(keys=True, data=True):
        coords = np.asarray(d["geometry"].coords)
        assert d["length_km"] == pytest.approx(
            GEOD.line_length(coords[:, 0], coords[:, 1]) / 1000.0, rel=1e-12
        ), k
        start = d["geometry_from"]
        end = v if start == u else u
        assert tuple(coords[0]) == (g.nodes[start]["lon"], g.nodes[start]["lat"])
        assert tuple(coords[-1]) == (g.nodes[end]["lon"], g.nodes[end]["lat"])
    (d,) = _links_of_way(onet, 103)
    refs = WAYS[103][0]
    want = [NODES[r] for r in refs]
    got = [tuple(c) for c in d["geometry"].coords]
    assert got in (want, want[::-1])  # the S101's four vertices, not a straight segment


def test_places_attach_their_population_to_the_nearest_road_node(onet):
    """A place node gives its name and population to the nearest ordinary-road node within reach."""
    g = onet.graph
    for node, (name, persons) in TOWN_NODES.items():
        assert g.nodes[node]["name"] == name
        assert g.nodes[node]["population"] == persons
    unnamed = [n for n in g.nodes if n not in TOWN_NODES]
    assert unnamed and all(g.nodes[n]["population"] == 0 for n in unnamed)
    assert onet.graph.graph["places_attached"] == len(TOWN_NODES)
    assert onet.graph.graph["places_unattached"] == 1  # "Far away"; the suburb is no place type
    assert len(PLACES) == len(TOWN_NODES) + 1  # Xining's tags are on road node 1


def test_place_radius_limits_attachment(osm_file):
    """No place is attached beyond place_radius_km."""
    net = road_network_from_osm(osm_file, place_radius_km=0.05)
    attached = {n for n, d in net.graph.nodes(data=True) if d.get("name")}
    assert attached == {"n1"}  # only Xining's tags sit on a road node itself


def test_matrix_matches_networkx_shortest_paths(onet):
    """road_matrix km and hours between towns equal networkx's on the network minus closed links."""
    sites = _town_sites(onet)
    ids = sites["id"].tolist()
    speed = DEFAULT_SPEED_KMH_BY_CLASS
    for restricted in [(), ("expressway",), ("national",)]:
        g = onet.graph.copy()
        g.remove_edges_from(
            [
                (u, v, k)
                for u, v, k, d in onet.graph.edges(keys=True, data=True)
                if d["hazmat_restricted"] or d["road_class"] in restricted
            ]
        )

        def hours(u, v, d):
            return min(e["length_km"] / speed[e["road_class"]] for e in d.values())

        tm_km = road_matrix(onet, sites, restricted_classes=restricted)
        tm_h = road_matrix(onet, sites, restricted_classes=restricted, weight="hours")
        # without national roads, Ping'an keeps only the G6 (no access from a town junction)
        # and Ledu nothing open: both are reached by access legs to other roads
        off = {"n2", "n7"} if restricted == ("national",) else set()
        assert {ids[i] for i in np.flatnonzero(tm_km.access_km > 1.0)} == off
        assert np.allclose(tm_km.access_km[[i for i, a in enumerate(ids) if a not in off]], 0.0)
        for (i, a), (j, b) in itertools.product(enumerate(ids), repeat=2):
            if a in off or b in off:
                continue
            if nx.has_path(g, a, b):
                want_km = nx.shortest_path_length(g, a, b, weight="length_km")
                want_h = nx.shortest_path_length(g, a, b, weight=hours)
            else:
                want_km = want_h = np.inf
            assert tm_km.km[i, j] == pytest.approx(want_km, rel=1e-9, abs=1e-9), (restricted, a, b)
            assert tm_h.hours[i, j] == pytest.approx(want_h, rel=1e-9, abs=1e-9), (restricted, a, b)
            if a != b and np.isfinite(want_km):
                classes = [c for _, c in tm_km.path_edges(a, b)]
                assert not set(classes) & set(restricted)
                closed = {k for k, d in onet.graph.edges.items() if d["hazmat_restricted"]}
                assert not {r for r, _ in tm_km.path_edges(a, b)} & {k[2] for k in closed}


def test_closed_links_force_a_detour(onet):
    """Huangzhong → Ganhe avoids the hazmat=no road and takes the open one through Xining."""
    tm = road_matrix(onet, _town_sites(onet))
    roads = [r for r, _ in tm.path_edges("n3", "n5")]
    assert "w104-1" not in roads and roads == ["w103-1", "w105-1"]
    direct = _links_of_way(onet, 104)[0]["length_km"]
    assert tm.km[tm.index("n3"), tm.index("n5")] > 5 * direct


def test_path_geometry_runs_through_the_way_vertices(onet):
    """The geometry of a path passes every vertex of the OSM ways it uses, in order."""
    tm = road_matrix(onet, _town_sites(onet))
    line = tm.geometry("n1", "n3")  # along the S101 (way 103)
    coords = [tuple(c) for c in line.coords]
    inner = [NODES[r] for r in WAYS[103][0]]
    assert len(coords) >= len(inner) + 2  # + the site at each end
    assert coords[1:-1] == inner
    back = [tuple(c) for c in tm.geometry("n3", "n1").coords]
    assert back == coords[::-1]
    # Ping'an → Xining → Huangzhong: both ways' vertices, joined at Xining
    path = [tuple(c) for c in tm.geometry("n2", "n3").coords]
    assert NODES[1] in path and all(NODES[r] in path for r in WAYS[103][0])
    assert len(path) > len(tm.path_nodes("n2", "n3")) + 2


def test_site_between_vertices_is_split_along_the_polyline(onet):
    """A site beside a link is reached along the polyline; its piece's geometry starts mid-way."""
    lon, lat = 101.66, 36.545  # beside the S101 between its vertices 30 and 31
    sites = pd.DataFrame({"id": ["s", "xining"], "lon": [lon, 101.7763], "lat": [lat, 36.6172]})
    tm = road_matrix(onet, sites)
    snap = onet.snap(sites.iloc[[0]]).iloc[0]
    assert snap["road_id"] == "w103-1"
    # along the polyline from Xining's vertex to the snap point
    sx, sy = snap["snap_lon"], snap["snap_lat"]
    part = [NODES[1], NODES[30], (sx, sy)]
    xs, ys = zip(*part, strict=True)
    want = GEOD.line_length(xs, ys) / 1000.0 + tm.access_km[0]
    assert tm.km[0, 1] == pytest.approx(want, rel=1e-5)
    coords = [tuple(c) for c in tm.geometry("s", "xining").coords]
    assert coords[0] == (lon, lat) and coords[-1] == NODES[1]
    assert NODES[30] in coords and NODES[31] not in coords


def test_oneway_ways_are_driven_both_ways(onet):
    """oneway=yes is not honoured: revlog's network and matrix are undirected."""
    tm = road_matrix(onet, _town_sites(onet), restricted_classes=["national"])
    i, j = tm.index("n1"), tm.index("n4")
    assert tm.km[i, j] == pytest.approx(tm.km[j, i])
    assert [r for r, _ in tm.path_edges("n4", "n1")] == ["w106-1"]


def test_ramp_junction_is_no_access_point(onet):
    """A node where only expressways meet (motorway and its ramp) does not take sites."""
    assert {d["road_class"] for _, _, d in onet.graph.edges("n11", data=True)} == {"expressway"}
    lon, lat = NODES[11]
    s = onet.snap(pd.DataFrame({"id": ["x"], "lon": [lon], "lat": [lat]})).iloc[0]
    assert s["node"] != "n11" and s["offset_km"] > 0.5


def test_pbf_gives_the_same_network(osm_file, onet, tmp_path):
    """The same data as .osm.pbf gives the same nodes, links, classes, lengths and geometry."""
    net = road_network_from_osm(write_pbf(osm_file, tmp_path / "roads.osm.pbf"))
    a, b = onet.edges_frame().set_index("road_id"), net.edges_frame().set_index("road_id")
    assert sorted(a.index) == sorted(b.index)
    b = b.loc[a.index]
    cols = ["from", "to", "road", "road_class", "hazmat_restricted", "exposure_persons"]
    assert (a[cols] == b[cols]).all().all()
    assert np.allclose(a["length_km"], b["length_km"], rtol=1e-6)
    assert all(ga.equals_exact(gb, 1e-6) for ga, gb in zip(a.geometry, b.geometry, strict=True))
    assert dict(onet.graph.nodes(data="population")) == dict(net.graph.nodes(data="population"))


def test_way_cut_at_missing_nodes(tmp_path):
    """A way that references nodes missing from the file is cut into the pieces that exist."""
    text = osm_xml().replace('<nd ref="31"/>', '<nd ref="999999"/>')
    net = road_network_from_osm(_write(tmp_path / "cut.osm", text), largest_component=False)
    assert net.graph.graph["missing_node_refs"] == 1
    pieces = _links_of_way(net, 103)
    # the S101 (1, 30, 31, 3) without vertex 31: Xining → vertex 30 is left; Huangzhong's
    # one-node stub is no link
    assert len(pieces) == 1
    assert [tuple(c) for c in pieces[0]["geometry"].coords] in (
        [NODES[1], NODES[30]],
        [NODES[30], NODES[1]],
    )


def test_largest_component_drops_fragments(tmp_path):
    """By default only the largest connected part of the roads is kept."""
    extra = (
        '<node id="5001" lat="36.00" lon="100.50"/><node id="5002" lat="36.01" lon="100.51"/>'
        '<way id="5003"><nd ref="5001"/><nd ref="5002"/><tag k="highway" v="primary"/></way>'
    )
    text = osm_xml().replace("</osm>", extra + "</osm>")
    path = _write(tmp_path / "frag.osm", text)
    assert "n5001" not in road_network_from_osm(path).graph
    assert "n5001" in road_network_from_osm(path, largest_component=False).graph


# --- bad files ---------------------------------------------------------------------------------
def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


BOMB = """<!DOCTYPE osm [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>"""
XXE = '<!DOCTYPE osm [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("name", "content", "field", "reason"),
    [
        ("garbage.osm", b"\x00\x01\x02 not xml at all \xff" * 50, "line 1", "not well-formed XML"),
        ("html.osm", "<html><body>Not found</body></html>", "(file)", "root element is <html>"),
        ("bomb.osm", osm_xml(BOMB).replace('v="t"', 'v="&d;"'), "(file)", "DTD"),
        ("xxe.osm", osm_xml(XXE).replace('v="t"', 'v="&x;"'), "(file)", "DTD"),
        ("cut.osm", osm_xml()[:2000], "line", "not well-formed XML"),
        ("empty.osm", "", "(file)", "empty"),
        ("lat.osm", osm_xml().replace('lat="36.5002"', 'lat="north"'), "node 2.lat", "number"),
        ("lat2.osm", osm_xml().replace('lat="36.5002"', 'lat="95"'), "node 2.lat", "-90..90"),
        ("nolon.osm", osm_xml().replace('lon="102.105"', ""), "node 2.lon", "missing"),
        ("id.osm", osm_xml().replace('<node id="2"', '<node id="two"'), "node", "whole number"),
        ("ref.osm", osm_xml().replace('<nd ref="40"/>', '<nd ref="x"/>'), "way 104.nd", "whole"),
        ("dup.osm", osm_xml().replace('<node id="8"', '<node id="7"'), "node 7", "duplicate"),
        ("deep.osm", osm_xml().replace("<tag k=", "<tag><nd/></tag><tag k=", 1), "(file)", "deep"),
        ("roads.geojson", "{}", "(file)", "unknown road network file type"),
        ("garbage.osm.pbf", b"garbage" * 100, "(file)", "not a readable OSM PBF"),
        (
            "noroads.osm",
            '<osm version="0.6"><node id="1" lat="36" lon="101"/></osm>',
            "(file)",
            "no drivable road",
        ),
    ],
)
def test_bad_files_are_rejected_cleanly(tmp_path, name, content, field, reason):
    """A bad OSM file gives a ScenarioError 'file:field: reason', never a traceback."""
    path = _write(tmp_path / name, content)
    with pytest.raises(ScenarioError) as err:
        road_network_from_osm(path)
    p = err.value.problems[0]
    assert p.file == str(path)
    assert p.field.startswith(field), str(err.value)
    assert reason in p.reason, str(err.value)
    assert str(err.value).startswith(f"{path}:{p.field}: ")


def test_limits_refuse_large_files(osm_file, tmp_path):
    """Files over the size limit or with too many elements are refused before they are parsed."""
    with pytest.raises(ScenarioError, match="file too large"):
        road_network_from_osm(osm_file, max_bytes=1000)
    with pytest.raises(ScenarioError, match="more than 10 OSM elements"):
        road_network_from_osm(osm_file, max_elements=10)
    pbf = write_pbf(osm_file, tmp_path / "r.osm.pbf")
    with pytest.raises(ScenarioError, match="more than 10 OSM elements"):
        road_network_from_osm(pbf, max_elements=10)
    with pytest.raises(ScenarioError, match="the roads have 23 nodes, more than 20"):
        road_network_from_osm(osm_file, max_road_nodes=20)
    long_way = "".join(f'<nd ref="{1 + i % 2}"/>' for i in range(2001))
    text = osm_xml().replace("</osm>", f'<way id="9">{long_way}</way></osm>')
    with pytest.raises(ScenarioError, match="2001 nodes; OSM allows at most 2000"):
        road_network_from_osm(_write(tmp_path / "long.osm", text))
    with pytest.raises(ScenarioError, match="no such file"):
        road_network_from_osm(tmp_path / "missing.osm")


# --- scenarios ---------------------------------------------------------------------------------
def test_scenario_uses_the_osm_file(tmp_path):
    """A scenario's road_network.osm replaces the embedded network; routes follow the OSM ways."""
    import revlog
    from revlog.inputs import prepare
    from revlog.problems import build_geography
    from revlog.scenario import load_scenario

    write_osm(tmp_path / "roads.osm")
    path = write_variant(tmp_path, "osm", road_network={"osm": "roads.osm"})
    sc = load_scenario(path)
    assert sc.road_network is not None and sc.road_network.osm == tmp_path / "roads.osm"
    inputs = prepare(sc)
    geo = build_geography(inputs)
    assert geo.network is inputs.geodata.road_network()  # read once
    assert set(geo.network.graph.nodes) >= set(TOWN_NODES)
    assert np.isfinite(geo.matrix.km).all()
    closed = {
        k for _, _, k, d in geo.network.graph.edges(keys=True, data=True) if d["hazmat_restricted"]
    }
    ids = geo.matrix.ids
    for a, b in itertools.permutations(ids, 2):
        assert not {r for r, _ in geo.matrix.path_edges(a, b)} & closed
    plan = revlog.solve(path, time_limit=5)
    assert plan.kpis["served_share"] == pytest.approx(1.0)
    longest = max(len(g.coords) for g in plan.routes.geometry)
    assert longest > 2 * len(plan.routes)  # runs drawn along the ways, not town to town


def test_scenario_osm_path_checked(tmp_path):
    """road_network.osm must exist and stay inside the scenario folder unless allowed."""
    from revlog.inputs import prepare
    from revlog.scenario import load_scenario

    (tmp_path / "sub").mkdir()
    outside = write_osm(tmp_path / "roads.osm")
    path = write_variant(tmp_path / "sub", "osm", road_network={"osm": "../roads.osm"})
    with pytest.raises(ScenarioError, match=r"road_network\.osm: .* outside the scenario's folder"):
        load_scenario(path)
    path = write_variant(
        tmp_path / "sub", "osm", road_network={"osm": str(outside)}, allow_external_paths=True
    )
    assert load_scenario(path).road_network.osm == outside
    path = write_variant(tmp_path / "sub", "osm", road_network={"osm": "nowhere.osm"})
    with pytest.raises(ScenarioError, match=r"road_network\.osm: no such file"):
        load_scenario(path)
    path = write_variant(tmp_path / "sub", "osm", road_network={"osm": "roads.osm", "pbf": 1})
    with pytest.raises(ScenarioError, match=r"road_network\.pbf: unknown key"):
        load_scenario(path)
    bad = _write(tmp_path / "sub" / "bad.osm", "<osm><node id='1' lat='x' lon='1'/></osm>")
    path = write_variant(tmp_path / "sub", "osm", road_network={"osm": bad.name})
    with pytest.raises(ScenarioError, match=r"bad\.osm:node 1\.lat: not a number"):
        prepare(load_scenario(path))


def test_network_and_matrix_survive_pickling(onet):
    """An OSM network and its matrix pickle (for Dask sweeps) and give the same answers after."""
    import pickle

    sites = _town_sites(onet)
    tm = road_matrix(onet, sites)
    onet.snap(sites)  # builds the snap index, which is not pickled
    net2 = pickle.loads(pickle.dumps(onet))
    tm2 = pickle.loads(pickle.dumps(tm))
    assert np.array_equal(road_matrix(net2, sites).km, tm.km)
    assert tm2.geometry("n1", "n3").equals_exact(tm.geometry("n1", "n3"), 0.0)


def test_cli_validate_reports_a_bad_osm_file(tmp_path, capsys, monkeypatch):
    """revlog validate names the OSM file, the element and the reason, and exits 2."""
    from helpers.plans import run_cli

    _write(tmp_path / "roads.osm", osm_xml().replace('lat="36.5002"', 'lat="north"'))
    path = write_variant(tmp_path, "osm", road_network={"osm": "roads.osm"})
    code, out, err = run_cli(["validate", path], capsys, monkeypatch)
    assert code == 2 and "Traceback" not in out + err
    assert f"{tmp_path / 'roads.osm'}:node 2.lat: not a number ('north')" in err
