"""RoadNetwork: the road graph (networkx MultiGraph) with road classes, exposure and site snapping.

Nodes are places (``place_id``) with ``lon``, ``lat`` and ``population`` (persons attributed to the
node), and optionally ``name`` and ``expressway_access``; edges are undirected road links with
``road_id``, ``road``, ``road_class`` (``expressway`` | ``national`` | ``provincial``),
``length_km``, ``km_basis``, ``exposure_persons`` and ``hazmat_restricted``. Parallel links (an
expressway beside a national road) are separate edges.

Link geometry: a link of the embedded network is the straight segment between its end places; a
link read from OpenStreetMap (:mod:`revlog.geo.osm`) keeps its way's polyline in ``geometry``
(a lon/lat ``LineString`` that starts at the node ``geometry_from``). Snapping, travel-matrix
paths and :meth:`RoadNetwork.edges_frame` follow the polyline when there is one. Positions along a
link (snap fractions) are shares of its length in the Albers projection :data:`ALBERS_CRS`
(:func:`vertex_fractions`).

Hazmat restrictions: whole road classes (the scenario's ``rules.restricted_road_classes``) and
single links flagged ``hazmat_restricted`` (an OSM ``hazmat=no`` sign, a tunnel closed to the
load, …; ``hazmat_reason`` says which). :meth:`RoadNetwork.restricted` removes both, and the
travel matrix always removes the flagged links, because every revlog vehicle carries batteries.

Population exposure (Erkut & Verter 1998 "population exposure" model: the number of people living
within a band of half-width λ around the route) is approximated per link from the towns it passes
through, because no population grid is embedded::

    exposure_persons(u, v) = ½ · β_c · (P_u + P_v) + 2 · λ · ρ · L_uv

* ``P_u``, ``P_v``: persons attributed to the two end nodes (county-level population; 0 for
  prefecture rows and junctions without data);
* ``β_c``: share of a node's population living within λ of a road through its seat town:
  :data:`TOWN_BAND_SHARE` for ordinary roads (which run through town centres),
  :data:`BYPASS_BAND_SHARE` for expressways (which bypass them). The ½ splits a town between the
  links that meet there, so a path through a town collects ``β · P`` once;
* ``2 λ ρ L``: the rural corridor, λ = :data:`BAND_HALF_WIDTH_KM`, ρ = :data:`CORRIDOR_DENSITY`.

Limits: a proxy for ranking routes, not a census count. Towns between the end nodes (the link's
intermediate villages) only enter through ρ; the population of a county is treated as if its share
lived at the seat; the same β applies to a 30,000-person county and to Chengdu.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer
from shapely import LineString, STRtree

__all__ = [
    "ACCESS_DETOUR_FACTOR",
    "ALBERS_CRS",
    "BAND_HALF_WIDTH_KM",
    "BYPASS_BAND_SHARE",
    "CORRIDOR_DENSITY",
    "ROAD_CLASSES",
    "TOWN_BAND_SHARE",
    "RoadNetwork",
    "geodesic_km",
    "link_exposure_persons",
    "vertex_fractions",
]

ROAD_CLASSES: tuple[str, ...] = ("expressway", "national", "provincial")

#: Albers equal-area conic for China (standard parallels 25 °N and 47 °N, central meridian 105 °E)
ALBERS_CRS = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"

#: access leg length = great-circle distance × this factor (local streets/tracks are not straight)
ACCESS_DETOUR_FACTOR = 1.3

BAND_HALF_WIDTH_KM = 1.0  # λ
TOWN_BAND_SHARE = 0.15  # β for ordinary roads through a seat town
BYPASS_BAND_SHARE = 0.03  # β for expressways bypassing the town
CORRIDOR_DENSITY = 5.0  # ρ, persons/km² along rural road corridors

_GEOD = Geod(ellps="WGS84")
_TO_ALBERS = Transformer.from_crs("EPSG:4326", ALBERS_CRS, always_xy=True)
_FROM_ALBERS = Transformer.from_crs(ALBERS_CRS, "EPSG:4326", always_xy=True)


def geodesic_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Vectorised WGS84 ellipsoidal (pyproj ``Geod.inv``) distance in km.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array_like
        Degrees; broadcast against each other.

    Returns
    -------
    ndarray
        Distances in km.
    """
    a, b, c, d = np.broadcast_arrays(
        np.asarray(lon1, float), np.asarray(lat1, float), np.asarray(lon2, float),
        np.asarray(lat2, float),
    )  # fmt: skip
    _, _, dist_m = _GEOD.inv(a.ravel(), b.ravel(), c.ravel(), d.ravel())
    return np.asarray(dist_m, dtype=float).reshape(a.shape) / 1000.0


def link_exposure_persons(pop_u: float, pop_v: float, length_km: float, road_class: str) -> float:
    """Population-exposure proxy of one road link (see module docstring for the formula).

    Parameters
    ----------
    pop_u, pop_v : float
        Persons attributed to the end nodes.
    length_km : float
        Link length.
    road_class : str
        ``expressway`` uses :data:`BYPASS_BAND_SHARE`, other classes :data:`TOWN_BAND_SHARE`.

    Returns
    -------
    float
        Persons within the band along the link.
    """
    beta = BYPASS_BAND_SHARE if road_class == "expressway" else TOWN_BAND_SHARE
    return 0.5 * beta * (pop_u + pop_v) + 2.0 * BAND_HALF_WIDTH_KM * CORRIDOR_DENSITY * length_km


def link_coords(graph: nx.MultiGraph, u: str, v: str, data: dict) -> np.ndarray:
    """Vertices (lon, lat) of a link from node ``u`` to node ``v``.

    Parameters
    ----------
    graph : networkx.MultiGraph
        The road graph (for the end nodes' coordinates).
    u, v : str
        End nodes, in the order wanted.
    data : dict
        The link's edge data: its ``geometry`` polyline (oriented from ``geometry_from``) if it
        has one, else the straight segment between the end nodes is returned.

    Returns
    -------
    ndarray, shape (k, 2)
        ``k >= 2`` vertices, the first at ``u``, the last at ``v``.
    """
    geom = data.get("geometry")
    if geom is None:
        nu, nv = graph.nodes[u], graph.nodes[v]
        return np.array([[nu["lon"], nu["lat"]], [nv["lon"], nv["lat"]]], dtype=float)
    coords = np.asarray(geom.coords, dtype=float)[:, :2]
    return coords if data.get("geometry_from", u) == u else coords[::-1]


def vertex_fractions(coords: np.ndarray) -> np.ndarray:
    """Position of each vertex along a polyline, as a share of its length in :data:`ALBERS_CRS`.

    The snap fractions of :meth:`RoadNetwork.snap` are measured the same way, so a vertex lies
    between two snap points exactly when its fraction lies between theirs.

    Parameters
    ----------
    coords : ndarray, shape (k, 2)
        Vertices (lon, lat), ``k >= 2``.

    Returns
    -------
    ndarray, shape (k,)
        Non-decreasing, 0 at the first vertex and 1 at the last (evenly spaced if the polyline
        has no length).
    """
    x, y = _TO_ALBERS.transform(coords[:, 0], coords[:, 1])
    seg = np.hypot(np.diff(x), np.diff(y))
    total = float(seg.sum())
    if total <= 0.0:
        return np.linspace(0.0, 1.0, len(coords))
    out = np.concatenate([[0.0], np.cumsum(seg) / total])
    out[-1] = 1.0
    return out


def _oriented_geometry(graph: nx.MultiGraph, u: str, v: str, geom: object, rid: str) -> LineString:
    """``geom`` as a lon/lat LineString from node ``u`` to node ``v`` (reversed if needed)."""
    if not isinstance(geom, LineString) or geom.is_empty or len(geom.coords) < 2:
        raise ValueError(f"road {rid}: geometry must be a LineString of at least 2 points")
    c = np.asarray(geom.coords, dtype=float)[:, :2]
    if not np.isfinite(c).all():
        raise ValueError(f"road {rid}: geometry has non-finite coordinates")
    pu = np.array([graph.nodes[u]["lon"], graph.nodes[u]["lat"]])
    pv = np.array([graph.nodes[v]["lon"], graph.nodes[v]["lat"]])
    tol = 1e-6  # degrees, ≈ 0.1 m

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.abs(a - b).max() <= tol)

    if close(c[0], pu) and close(c[-1], pv):
        return LineString(c)
    if close(c[0], pv) and close(c[-1], pu):
        return LineString(c[::-1])
    raise ValueError(f"road {rid}: geometry does not run from place {u!r} to place {v!r}")


@dataclass(frozen=True)
class _EdgeRef:
    u: str
    v: str
    key: str


class RoadNetwork:
    """An undirected road network of places and road links.

    Parameters
    ----------
    graph : networkx.MultiGraph
        Nodes carry ``lon``, ``lat``, ``population`` (and optionally ``name`` and
        ``expressway_access``, default True: whether an expressway that meets the node can be
        entered there); edges (keyed by ``road_id``) carry ``road_id``, ``road``, ``road_class``,
        ``length_km``, ``km_basis``, ``exposure_persons``, ``hazmat_restricted`` (and optionally
        ``hazmat_reason``, ``geometry`` and ``geometry_from``, see the module docstring).

    See Also
    --------
    RoadNetwork.from_tables, RoadNetwork.from_geodata
    """

    def __init__(self, graph: nx.MultiGraph) -> None:
        self.graph = graph
        self._tree: STRtree | None = None
        self._tree_edges: list[_EdgeRef | str] = []
        self._tree_geoms: np.ndarray = np.empty(0, dtype=object)
        self._n_flagged: int | None = None

    def __getstate__(self) -> dict:
        # the snap index is a cache: rebuilt on demand after unpickling
        return {"graph": self.graph}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["graph"])

    # --- constructors ------------------------------------------------------------------------
    @classmethod
    def from_tables(cls, places: pd.DataFrame, roads: pd.DataFrame) -> RoadNetwork:
        """Build the network from a places table and a road-link table.

        Parameters
        ----------
        places : DataFrame
            ``place_id, lon, lat`` and optionally ``node_population`` (preferred) or
            ``population`` (persons attributed to the node; missing → 0), ``name``, and
            ``expressway_access`` (bool, default True; False for OSM junctions, where
            expressways are entered by their link roads).
        roads : DataFrame
            ``road_id, from, to, road_class, length_km`` and optionally ``road``, ``km_basis``,
            ``hazmat_restricted`` (bool, default False), ``hazmat_reason`` and ``geometry``
            (a lon/lat ``LineString`` from ``from`` to ``to`` or the reverse; missing or None:
            the straight segment).

        Returns
        -------
        RoadNetwork

        Raises
        ------
        ValueError
            On duplicate ids, unknown endpoints, unknown road classes, non-positive lengths or
            geometries that do not join the link's end places.
        """
        if places["place_id"].duplicated().any():
            dup = places.loc[places["place_id"].duplicated(), "place_id"].tolist()
            raise ValueError(f"duplicate place_id: {dup}")
        if roads["road_id"].duplicated().any():
            dup = roads.loc[roads["road_id"].duplicated(), "road_id"].tolist()
            raise ValueError(f"duplicate road_id: {dup}")
        popcol = "node_population" if "node_population" in places.columns else "population"
        pops = (
            pd.to_numeric(places[popcol], errors="coerce").fillna(0.0)
            if popcol in places.columns
            else pd.Series(0.0, index=places.index)
        )
        names = places["name"] if "name" in places.columns else pd.Series("", index=places.index)
        access = (
            places["expressway_access"]
            if "expressway_access" in places.columns
            else pd.Series(True, index=places.index)
        )
        g = nx.MultiGraph()
        for pid, lon, lat, pop, name, acc in zip(
            places["place_id"], places["lon"], places["lat"], pops, names, access, strict=True
        ):
            attrs = {"lon": float(lon), "lat": float(lat), "population": float(pop)}
            if isinstance(name, str) and name:
                attrs["name"] = name
            if not (pd.isna(acc) or bool(acc)):
                attrs["expressway_access"] = False
            g.add_node(str(pid), **attrs)
        for r in roads.to_dict("records"):
            u, v = str(r["from"]), str(r["to"])
            for end in (u, v):
                if end not in g:
                    raise ValueError(f"road {r['road_id']}: unknown place {end!r}")
            if r["road_class"] not in ROAD_CLASSES:
                raise ValueError(f"road {r['road_id']}: unknown road_class {r['road_class']!r}")
            length = float(r["length_km"])
            if not np.isfinite(length) or length <= 0:
                raise ValueError(f"road {r['road_id']}: length_km must be > 0, got {length}")
            exposure = link_exposure_persons(
                g.nodes[u]["population"], g.nodes[v]["population"], length, r["road_class"]
            )
            flag = r.get("hazmat_restricted", False)
            extra: dict = {}
            geom = r.get("geometry")
            if geom is not None and not (isinstance(geom, float) and np.isnan(geom)):
                extra["geometry"] = _oriented_geometry(g, u, v, geom, str(r["road_id"]))
                extra["geometry_from"] = u
            reason = r.get("hazmat_reason")
            if isinstance(reason, str) and reason:
                extra["hazmat_reason"] = reason
            g.add_edge(
                u,
                v,
                key=str(r["road_id"]),
                road_id=str(r["road_id"]),
                road=str(r.get("road", "")),
                road_class=str(r["road_class"]),
                length_km=length,
                km_basis=str(r.get("km_basis", "")),
                exposure_persons=float(exposure),
                hazmat_restricted=bool(flag) and not pd.isna(flag),
                **extra,
            )
        return cls(g)

    @classmethod
    def from_geodata(cls, geodata) -> RoadNetwork:
        """Build the network from a :class:`revlog.geo.geodata.Geodata` (its places and roads).

        Parameters
        ----------
        geodata : Geodata

        Returns
        -------
        RoadNetwork
        """
        return cls.from_tables(geodata.places, geodata.roads)

    # --- queries -----------------------------------------------------------------------------
    def restricted(self, classes: Iterable[str] = (), *, flagged: bool = True) -> RoadNetwork:
        """Return a copy without the links hazmat vehicles may not use.

        Parameters
        ----------
        classes : iterable of str
            Road classes to remove, e.g. ``["expressway"]``.
        flagged : bool, default True
            Also remove the links flagged ``hazmat_restricted`` (see the module docstring).

        Returns
        -------
        RoadNetwork
            All nodes are kept (some may become isolated).
        """
        banned = set(classes)
        unknown = banned - set(ROAD_CLASSES)
        if unknown:
            raise ValueError(f"unknown road classes: {sorted(unknown)}")
        g = nx.MultiGraph()
        g.graph.update(self.graph.graph)
        g.add_nodes_from(self.graph.nodes(data=True))
        g.add_edges_from(
            (u, v, k, d)
            for u, v, k, d in self.graph.edges(keys=True, data=True)
            if d["road_class"] not in banned and not (flagged and d.get("hazmat_restricted"))
        )
        return RoadNetwork(g)

    @property
    def n_hazmat_restricted(self) -> int:
        """Number of links flagged ``hazmat_restricted`` (closed to every revlog vehicle)."""
        if self._n_flagged is None:
            self._n_flagged = sum(1 for _, _, f in self.graph.edges(data="hazmat_restricted") if f)
        return self._n_flagged

    def is_connected(self) -> bool:
        """True if every node can reach every other node."""
        return self.graph.number_of_nodes() > 0 and nx.is_connected(self.graph)

    @property
    def node_ids(self) -> list[str]:
        """Node ids in insertion order."""
        return list(self.graph.nodes)

    def edges_frame(self) -> gpd.GeoDataFrame:
        """All links as a GeoDataFrame (EPSG:4326).

        Returns
        -------
        GeoDataFrame
            ``road_id, from, to, road, road_class, length_km, km_basis, exposure_persons,
            hazmat_restricted, geometry``; the geometry is the link's polyline when it has one
            (OSM), else the straight segment between its end nodes, running from ``from`` to
            ``to``.
        """
        recs, geoms = [], []
        for u, v, d in self.graph.edges(data=True):
            recs.append({**d, "from": u, "to": v})
            geoms.append(LineString(link_coords(self.graph, u, v, d)))
        cols = ["road_id", "from", "to", "road", "road_class", "length_km", "km_basis",
                "exposure_persons", "hazmat_restricted"]  # fmt: skip
        df = pd.DataFrame(recs, columns=cols)
        return gpd.GeoDataFrame(df, geometry=geoms, crs="EPSG:4326")

    # --- snapping ----------------------------------------------------------------------------
    def _snap_index(self) -> tuple[STRtree, list[_EdgeRef | str], np.ndarray]:
        if self._tree is None:
            g = self.graph
            refs: list[_EdgeRef | str] = []
            parts: list[np.ndarray] = []
            for u, v, k, d in g.edges(keys=True, data=True):
                if d["road_class"] == "expressway":
                    continue  # no access mid-link
                refs.append(_EdgeRef(u, v, k))
                parts.append(link_coords(g, u, v, d))
            n_lines = len(refs)
            # nodes (towns, interchanges) are access points for every link that meets there;
            # a node where only expressways meet is one unless it says otherwise (an OSM
            # junction inside an interchange: the link roads are the way in)
            for n, deg in g.degree():
                if deg == 0:
                    continue
                nd = g.nodes[n]
                if nd.get("expressway_access", True) or any(
                    d["road_class"] != "expressway" for _, _, d in g.edges(n, data=True)
                ):
                    refs.append(n)
                    parts.append(np.array([[nd["lon"], nd["lat"]]], dtype=float))
            if not refs:
                raise ValueError("the network has no link to snap to")
            lens = np.array([len(p) for p in parts])
            c = np.concatenate(parts)
            x, y = _TO_ALBERS.transform(c[:, 0], c[:, 1])
            start = np.concatenate([[0], np.cumsum(lens)[:-1]])
            geoms = np.empty(len(refs), dtype=object)
            if n_lines:
                m = int(start[n_lines - 1] + lens[n_lines - 1])
                idx = np.repeat(np.arange(n_lines), lens[:n_lines])
                geoms[:n_lines] = shapely.linestrings(np.column_stack([x[:m], y[:m]]), indices=idx)
            geoms[n_lines:] = shapely.points(x[start[n_lines:]], y[start[n_lines:]])
            self._tree = STRtree(geoms)
            self._tree_edges = refs
            self._tree_geoms = geoms
        return self._tree, self._tree_edges, self._tree_geoms

    def snap(self, sites: pd.DataFrame) -> pd.DataFrame:
        """Attach each site to the nearest point of a non-expressway link, or to a node.

        Expressways have no access mid-link, so only their end nodes (towns, interchanges) are
        candidates for them. The search runs on a shapely ``STRtree`` of the links (their
        polylines, or straight segments between their end nodes) and nodes in an Albers
        equal-area projection (:data:`ALBERS_CRS`).

        Parameters
        ----------
        sites : DataFrame
            Columns ``id, lon, lat`` (degrees, WGS84).

        Returns
        -------
        DataFrame
            One row per site, in input order: ``id, lon, lat, road_id, u, v, fraction`` (0 at
            ``u``, 1 at ``v``, a share of the link's projected length, see
            :func:`vertex_fractions`; ``road_id`` is ``None`` for a node hit), ``node`` (the
            place id when the snap point is a node, else ``None``), ``snap_lon, snap_lat``,
            ``offset_km`` (great-circle site → snap point) and ``access_km`` = ``offset_km`` ×
            :data:`ACCESS_DETOUR_FACTOR`.
        """
        tree, refs, geoms = self._snap_index()
        ids = sites["id"].astype(str).to_numpy()
        lon = sites["lon"].to_numpy(dtype=float)
        lat = sites["lat"].to_numpy(dtype=float)
        cols = ["id", "lon", "lat", "road_id", "u", "v", "fraction", "node", "snap_lon",
                "snap_lat", "offset_km", "access_km"]  # fmt: skip
        if len(ids) == 0:
            return pd.DataFrame(columns=cols)
        x, y = _TO_ALBERS.transform(lon, lat)
        pts = shapely.points(x, y)
        q_idx, t_idx = tree.query_nearest(pts, all_matches=False, return_distance=False)
        t_idx = t_idx[np.argsort(q_idx, kind="stable")]  # one match per input, input order
        n = len(ids)
        frac = np.zeros(n)
        road_id: list[str | None] = [None] * n
        u_l: list[str] = [""] * n
        v_l: list[str] = [""] * n
        node: list[str | None] = [None] * n
        sx = np.empty(n)
        sy = np.empty(n)
        line_rows = np.array([not isinstance(refs[t], str) for t in t_idx])
        if line_rows.any():
            li = np.flatnonzero(line_rows)
            chosen = geoms[t_idx[li]]
            f = shapely.line_locate_point(chosen, pts[li], normalized=True)
            f = np.clip(np.nan_to_num(f, nan=0.0), 0.0, 1.0)
            sp = shapely.line_interpolate_point(chosen, f, normalized=True)
            lx, ly = _FROM_ALBERS.transform(shapely.get_x(sp), shapely.get_y(sp))
            frac[li], sx[li], sy[li] = f, lx, ly
        eps = 1e-9
        for i, t in enumerate(t_idx):
            ref = refs[t]
            if isinstance(ref, str):
                node[i], u_l[i], v_l[i] = ref, ref, ref
            else:
                road_id[i], u_l[i], v_l[i] = ref.key, ref.u, ref.v
                if frac[i] <= eps:
                    node[i] = ref.u
                elif frac[i] >= 1 - eps:
                    node[i] = ref.v
            if node[i] is not None:
                nd = self.graph.nodes[node[i]]
                sx[i], sy[i] = nd["lon"], nd["lat"]
        offset = geodesic_km(lon, lat, sx, sy)
        return pd.DataFrame(
            {
                "id": ids,
                "lon": lon,
                "lat": lat,
                "road_id": pd.Series(road_id, dtype=object),
                "u": u_l,
                "v": v_l,
                "fraction": frac,
                "node": pd.Series(node, dtype=object),
                "snap_lon": sx,
                "snap_lat": sy,
                "offset_km": offset,
                "access_km": offset * ACCESS_DETOUR_FACTOR,
            }
        )

    def __repr__(self) -> str:
        return (
            f"RoadNetwork({self.graph.number_of_nodes()} nodes, "
            f"{self.graph.number_of_edges()} links)"
        )
