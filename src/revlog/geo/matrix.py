"""TravelMatrix: site-to-site km, hours at hazmat speed caps, and population exposure.

Two builders:

* :func:`road_matrix` — on a :class:`~revlog.geo.roads.RoadNetwork`. Sites are snapped to the
  nearest non-expressway link (:meth:`RoadNetwork.snap`), inserted into the graph by splitting the
  links at their snap points, and one ``scipy.sparse.csgraph.dijkstra`` call (in row chunks) finds
  the shortest paths from every site. Hours and exposure are accumulated along the chosen paths by
  walking the shortest-path trees once, vectorised over all sources. Restricted road classes and
  the links flagged ``hazmat_restricted`` are removed before the search, so no path can use them;
  unreachable pairs are ``inf``. Path geometry follows the links' polylines where they have one
  (OSM networks, :mod:`revlog.geo.osm`), else the straight segments between nodes.
* :func:`great_circle_matrix` — the fallback without a road network: ellipsoidal distance ×
  detour factor at a single speed, geometry along the geodesic.

:class:`RoadTravel` and :class:`GreatCircleTravel` snap the sites once and compute only the
blocks a stage asks for (rows × columns, e.g. the facilities × every site for the location
stage, one base's stops for its routing), so no dense all-sites matrix is ever needed.

Distances between two sites include both access legs (site → snap point, at ``access_speed_kmh``);
the diagonal is 0.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from pyproj import Geod
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely import LineString

from revlog.geo.roads import (
    BAND_HALF_WIDTH_KM,
    CORRIDOR_DENSITY,
    RoadNetwork,
    geodesic_km,
    link_coords,
    vertex_fractions,
)
from revlog.regulations import SPEED_CAP_EXPRESSWAY_KMH, SPEED_CAP_OTHER_KMH

__all__ = [
    "DEFAULT_SPEED_KMH_BY_CLASS",
    "GREAT_CIRCLE_DETOUR_FACTOR",
    "GreatCircleTravel",
    "RoadTravel",
    "TravelMatrix",
    "great_circle_matrix",
    "road_matrix",
]

#: hazmat speed caps per road class (:mod:`revlog.regulations`)
DEFAULT_SPEED_KMH_BY_CLASS: dict[str, float] = {
    "expressway": SPEED_CAP_EXPRESSWAY_KMH,
    "national": SPEED_CAP_OTHER_KMH,
    "provincial": SPEED_CAP_OTHER_KMH,
}

#: road km / great-circle km for the fallback provider: the median ratio of the sourced links of
#: the embedded network (1.26) rounded up for local detours
GREAT_CIRCLE_DETOUR_FACTOR = 1.3

_GEOD = Geod(ellps="WGS84")
_MIN_WEIGHT = 1e-9  # keeps zero-length split pieces as edges in the sparse graph
# Ties between equally short paths (links of the same estimated length) are broken by the
# faster, then the less exposed path: a small term added to each arc's weight, so that every
# block and both directions of a leg choose the same path whatever the node numbering.
_TIE_HOURS = 1e-6  # km of weight per hour (weight "km"); h per 100 km (weight "hours")
_TIE_EXPOSURE = 1e-11  # weight per person of exposure


@dataclass
class _RoadPaths:
    """Internal: what is needed to recover paths of a road matrix."""

    node_ids: list[str]  # augmented graph: places, then virtual snap nodes ("~snap:<n>")
    n_places: int
    node_lon: np.ndarray
    node_lat: np.ndarray
    site_row: np.ndarray  # row site -> row of ``pred``
    row_node: np.ndarray  # row site -> augmented node index of its snap point
    col_node: np.ndarray  # column site -> augmented node index of its snap point
    row_lon: np.ndarray
    row_lat: np.ndarray
    col_lon: np.ndarray
    col_lat: np.ndarray
    pred: np.ndarray  # (rows, nodes) int32 predecessor trees
    edge_keys: np.ndarray  # sorted directed keys a * n + b
    edge_road_id: np.ndarray
    edge_class: np.ndarray
    # geometry of the pieces: the link each piece belongs to, its span [f0, f1] along the link
    # (u -> v fractions) and whether the piece runs u -> v; links as (u, v, key) of ``graph``
    edge_link: np.ndarray
    edge_f0: np.ndarray
    edge_f1: np.ndarray
    edge_forward: np.ndarray
    edge_hours: np.ndarray  # driving time of each directed piece, h
    site_access_h: np.ndarray  # driving time of each row site's access leg, h
    links: list[tuple[str, str, str]]
    graph: nx.MultiGraph
    any_geometry: bool  # False: every link is a straight segment (the embedded network)
    _vertices: dict[int, tuple[np.ndarray, np.ndarray] | None] = field(default_factory=dict)

    def inner_vertices(self, piece: int) -> np.ndarray:
        """Vertices (lon, lat) strictly inside a piece, in its direction of travel."""
        li = int(self.edge_link[piece])
        if li not in self._vertices:
            u, v, k = self.links[li]
            d = self.graph.edges[u, v, k]
            if d.get("geometry") is None:
                self._vertices[li] = None
            else:
                c = link_coords(self.graph, u, v, d)
                self._vertices[li] = (c, vertex_fractions(c))
        cached = self._vertices[li]
        if cached is None:
            return np.empty((0, 2))
        c, t = cached
        f0, f1 = self.edge_f0[piece], self.edge_f1[piece]
        eps = 1e-12
        inside = c[(t > f0 + eps) & (t < f1 - eps)]
        return inside if self.edge_forward[piece] else inside[::-1]


@dataclass
class TravelMatrix:
    """Travel costs from some sites (rows) to some sites (columns).

    Square over ``ids`` by default; a block (rows ``ids``, columns ``col_ids``) when built by
    :meth:`RoadTravel.matrix` or :meth:`GreatCircleTravel.matrix` for one stage's needs.

    Attributes
    ----------
    ids : list of str
        Site ids of the rows (and of the columns when ``col_ids`` is ``None``).
    km : ndarray, shape (n, m)
        Road (or detoured great-circle) distance in km; ``inf`` when unreachable.
    hours : ndarray, shape (n, n)
        Driving time at the speed caps, in hours.
    exposure : ndarray, shape (n, n)
        Population exposure (persons, see :mod:`revlog.geo.roads`) summed along the path.
    provider : str
        ``"road"`` or ``"great_circle"``.
    access_km : ndarray, shape (n,)
        Length of each row site's access leg to the network (0 for great-circle matrices).
    col_ids : list of str, optional
        Site ids of the columns; ``None``: the same as ``ids`` (a square matrix).
    """

    ids: list[str]
    km: np.ndarray
    hours: np.ndarray
    exposure: np.ndarray
    provider: str = "road"
    access_km: np.ndarray = field(default_factory=lambda: np.zeros(0))
    col_ids: list[str] | None = None
    _paths: _RoadPaths | None = field(default=None, repr=False)
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _col_index: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    # (row lon, row lat, column lon, column lat) of great-circle matrices
    _site_lonlat: tuple[np.ndarray, ...] = field(
        default_factory=lambda: (np.zeros(0),) * 4, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self._index = {s: i for i, s in enumerate(self.ids)}
        cols = self.columns
        self._col_index = (
            self._index if self.col_ids is None else {s: i for i, s in enumerate(cols)}
        )
        if len(self._index) != len(self.ids) or len(self._col_index) != len(cols):
            raise ValueError("duplicate site ids")
        if self.access_km.size == 0:
            self.access_km = np.zeros(len(self.ids))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def follows_roads(self) -> bool:
        """Whether :meth:`geometry` follows the roads' alignment (a network with link
        geometry, e.g. from OpenStreetMap) rather than straight segments between places."""
        return self._paths is not None and self._paths.any_geometry

    @property
    def columns(self) -> list[str]:
        """Site ids of the columns."""
        return self.ids if self.col_ids is None else self.col_ids

    def index(self, site_id: str) -> int:
        """Row (and, in a square matrix, column) of a site id (``KeyError`` if unknown)."""
        return self._index[str(site_id)]

    def col(self, site_id: str) -> int:
        """Column of a site id (``KeyError`` if unknown)."""
        return self._col_index[str(site_id)]

    def has(self, a_id: str, b_id: str) -> bool:
        """Whether the matrix holds the leg from ``a_id`` (a row) to ``b_id`` (a column)."""
        return str(a_id) in self._index and str(b_id) in self._col_index

    def _node_chain(self, a_id: str, b_id: str) -> list[int] | None:
        p = self._paths
        if p is None:
            return None
        i, j = self.index(a_id), self.col(b_id)
        start, target = int(p.row_node[i]), int(p.col_node[j])
        row = p.pred[p.site_row[i]]
        chain = [target]
        cur = target
        while cur != start:
            cur = int(row[cur])
            if cur < 0:
                return None  # unreachable
            chain.append(cur)
        chain.reverse()
        return chain

    def path_nodes(self, a_id: str, b_id: str) -> list[str]:
        """Road nodes (place ids) passed from site ``a_id`` to site ``b_id``, in order.

        Virtual snap points are omitted. Empty for great-circle matrices and unreachable pairs.
        """
        chain = self._node_chain(a_id, b_id)
        if not chain:
            return []
        p = self._paths
        assert p is not None
        return [p.node_ids[n] for n in chain if n < p.n_places]

    def rest_points(self, a_id: str, b_id: str) -> list[tuple[float, str]]:
        """The places (road nodes: towns, junctions) on the path from ``a_id`` to ``b_id``
        where a vehicle may stop, with the driving time from ``a_id`` to each, h.

        Only places strictly between the two sites; virtual snap points are omitted.
        Empty for great-circle matrices and unreachable pairs.
        """
        chain = self._node_chain(a_id, b_id)
        if not chain:
            return []
        p = self._paths
        assert p is not None
        n = len(p.node_ids)
        i, j = self.index(a_id), self.col(b_id)
        total = float(self.hours[i, j])
        t = float(p.site_access_h[i])
        out = []
        for a, b in itertools.pairwise(chain):
            if a < p.n_places and 0 < t < total:
                out.append((t, p.node_ids[a]))
            t += float(p.edge_hours[np.searchsorted(p.edge_keys, a * n + b)])
        if chain[-1] < p.n_places and 0 < t < total:
            out.append((t, p.node_ids[chain[-1]]))
        return out

    def path_edges(self, a_id: str, b_id: str) -> list[tuple[str, str]]:
        """Road links used from ``a_id`` to ``b_id`` as ``(road_id, road_class)`` pairs, in order.

        Consecutive pieces of one split link are reported once. Empty for great-circle matrices,
        unreachable pairs and pairs snapped to the same point.
        """
        chain = self._node_chain(a_id, b_id)
        if not chain or len(chain) < 2:
            return []
        p = self._paths
        assert p is not None
        n = len(p.node_ids)
        a = np.asarray(chain[:-1], dtype=np.int64)
        b = np.asarray(chain[1:], dtype=np.int64)
        pos = np.searchsorted(p.edge_keys, a * n + b)
        out: list[tuple[str, str]] = []
        for k in pos:
            item = (str(p.edge_road_id[k]), str(p.edge_class[k]))
            if not out or out[-1] != item:
                out.append(item)
        return out

    def geometry(self, a_id: str, b_id: str) -> LineString:
        """Path geometry (lon, lat): site → snap point → road nodes → snap point → site.

        Between two road nodes the line follows the link's polyline when it has one (OSM
        networks), else the straight segment. For great-circle matrices, the geodesic between
        the sites (21 points).

        Raises
        ------
        ValueError
            If ``b_id`` is unreachable from ``a_id``.
        """
        i, j = self.index(a_id), self.col(b_id)
        p = self._paths
        if p is None:
            lon, lat, clon, clat = self._site_lonlat
            pts = _GEOD.npts(lon[i], lat[i], clon[j], clat[j], 19)
            coords = [(lon[i], lat[i]), *pts, (clon[j], clat[j])]
            return LineString(coords)
        if str(a_id) == str(b_id):
            c = (p.row_lon[i], p.row_lat[i])
            return LineString([c, c])
        chain = self._node_chain(a_id, b_id)
        if chain is None:
            raise ValueError(f"{b_id!r} is unreachable from {a_id!r}")
        if not p.any_geometry:
            coords = [(p.row_lon[i], p.row_lat[i])]
            coords += [(p.node_lon[n], p.node_lat[n]) for n in chain]
            coords.append((p.col_lon[j], p.col_lat[j]))
            return LineString(coords)
        coords = [(p.row_lon[i], p.row_lat[i]), (p.node_lon[chain[0]], p.node_lat[chain[0]])]
        if len(chain) > 1:
            n = len(p.node_ids)
            a = np.asarray(chain[:-1], dtype=np.int64)
            b = np.asarray(chain[1:], dtype=np.int64)
            pieces = np.searchsorted(p.edge_keys, a * n + b)
            for piece, nb in zip(pieces, chain[1:], strict=True):
                coords.extend(map(tuple, p.inner_vertices(int(piece))))
                coords.append((p.node_lon[nb], p.node_lat[nb]))
        coords.append((p.col_lon[j], p.col_lat[j]))
        return LineString(coords)

    def to_frame(self) -> pd.DataFrame:
        """Long table ``from_id, to_id, km, hours, exposure`` (rows × columns rows)."""
        rows = np.asarray(self.ids, dtype=object)
        cols = np.asarray(self.columns, dtype=object)
        return pd.DataFrame(
            {
                "from_id": np.repeat(rows, len(cols)),
                "to_id": np.tile(cols, len(rows)),
                "km": self.km.ravel(),
                "hours": self.hours.ravel(),
                "exposure": self.exposure.ravel(),
            }
        )


def _length_shares(g: nx.MultiGraph, u: str, v: str, d: dict, fr: list[float]) -> list[float]:
    """Shares of a link's length at snap fractions ``fr`` (see :func:`vertex_fractions`).

    A snap fraction measures the projected polyline; for a polyline the share of the geodesic
    length differs slightly, so it is interpolated between the vertices, at which both are
    known. A straight link keeps the fractions.
    """
    geom = d.get("geometry")
    if geom is None or len(geom.coords) <= 2:
        return fr
    c = link_coords(g, u, v, d)
    seg = geodesic_km(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1])
    total = float(seg.sum())
    if total <= 0.0:
        return fr
    at_vertex = np.concatenate([[0.0], np.cumsum(seg) / total])
    at_vertex[-1] = 1.0
    return [float(x) for x in np.interp(fr, vertex_fractions(c), at_vertex)]


def _site_arrays(sites: pd.DataFrame) -> tuple[list[str], np.ndarray, np.ndarray]:
    for col in ("id", "lon", "lat"):
        if col not in sites.columns:
            raise ValueError(f"sites needs columns id, lon, lat (missing {col!r})")
    ids = sites["id"].astype(str).tolist()
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate site ids")
    return ids, sites["lon"].to_numpy(float), sites["lat"].to_numpy(float)


def _block_ids(
    travel_ids: list[str], index: Mapping[str, int], rows: Sequence[str], cols: Sequence[str] | None
) -> tuple[list[str], list[str] | None, np.ndarray, np.ndarray]:
    """Row and column ids of a block (``None`` columns: square) and their site positions."""
    row_ids = [str(r) for r in rows]
    col_ids = None if cols is None else [str(c) for c in cols]
    try:
        ri = np.array([index[r] for r in row_ids], dtype=np.int64)
        ci = ri if col_ids is None else np.array([index[c] for c in col_ids], dtype=np.int64)
    except KeyError as exc:
        raise KeyError(f"unknown site id {exc.args[0]!r}") from None
    return row_ids, col_ids, ri, ci


def _zero_same(arrays: Iterable[np.ndarray], row_ids: list[str], col_ids: list[str]) -> None:
    """A site's distance, time and exposure to itself are 0 (the diagonal of a square matrix)."""
    pos = {c: j for j, c in enumerate(col_ids)}
    hits = [(i, pos[r]) for i, r in enumerate(row_ids) if r in pos]
    if not hits:
        return
    ii, jj = np.array(hits).T
    for arr in arrays:
        arr[ii, jj] = 0.0


@dataclass
class GreatCircleTravel:
    """Travel between sites without a road network, computed for the rows and columns asked.

    Parameters
    ----------
    sites : DataFrame
        Columns ``id, lon, lat``.
    detour_factor, speed_kmh
        See :func:`great_circle_matrix`.
    """

    sites: pd.DataFrame
    detour_factor: float = GREAT_CIRCLE_DETOUR_FACTOR
    speed_kmh: float = SPEED_CAP_OTHER_KMH
    provider: str = field(default="great_circle", init=False)

    def __post_init__(self) -> None:
        self.ids, self.lon, self.lat = _site_arrays(self.sites)
        self._index = {s: i for i, s in enumerate(self.ids)}

    def matrix(self, rows: Sequence[str], cols: Sequence[str] | None = None) -> TravelMatrix:
        """The travel matrix from ``rows`` to ``cols`` (default: square over ``rows``)."""
        row_ids, col_ids, ri, ci = _block_ids(self.ids, self._index, rows, cols)
        lon, lat = self.lon, self.lat
        km = geodesic_km(lon[ri, None], lat[ri, None], lon[None, ci], lat[None, ci])
        km *= self.detour_factor
        _zero_same([km], row_ids, col_ids or row_ids)
        tm = TravelMatrix(
            ids=row_ids,
            km=km,
            hours=km / self.speed_kmh,
            exposure=km * 2.0 * BAND_HALF_WIDTH_KM * CORRIDOR_DENSITY,
            provider="great_circle",
            col_ids=col_ids,
        )
        tm._site_lonlat = (lon[ri], lat[ri], lon[ci], lat[ci])
        return tm


def great_circle_matrix(
    sites: pd.DataFrame,
    detour_factor: float = GREAT_CIRCLE_DETOUR_FACTOR,
    speed_kmh: float = SPEED_CAP_OTHER_KMH,
) -> TravelMatrix:
    """Travel matrix without a road network: WGS84 geodesic distance × a detour factor.

    Parameters
    ----------
    sites : DataFrame
        Columns ``id, lon, lat``.
    detour_factor : float, default :data:`GREAT_CIRCLE_DETOUR_FACTOR`
        Road km per great-circle km.
    speed_kmh : float, default :data:`~revlog.regulations.SPEED_CAP_OTHER_KMH`
        Single driving speed (the hazmat cap off expressways).

    Returns
    -------
    TravelMatrix
        ``provider="great_circle"``; exposure is the rural-corridor term of the exposure proxy
        (2 λ ρ per km); geometry is the geodesic.
    """
    travel = GreatCircleTravel(sites, detour_factor=detour_factor, speed_kmh=speed_kmh)
    return travel.matrix(travel.ids)


@dataclass
class RoadTravel:
    """Sites snapped to a road network once; travel matrices computed for the sites asked.

    No all-sites matrix is built: :meth:`matrix` runs the shortest-path search from the rows
    asked only, on the network split at the snap points of the sites of that block only, so a
    block of r rows and c columns costs O(r · (places + r + c)) memory. Snap points of sites
    outside a block do not change its shortest paths (splitting a link at a point keeps its
    length), so every block agrees with the dense :func:`road_matrix` on its entries.

    Parameters
    ----------
    network, sites, speed_kmh_by_class, access_speed_kmh, restricted_classes, weight, chunk_rows
        As for :func:`road_matrix`.
    """

    network: RoadNetwork
    sites: pd.DataFrame
    speed_kmh_by_class: Mapping[str, float] | None = None
    access_speed_kmh: float = 40.0
    restricted_classes: Iterable[str] = ()
    weight: str = "km"
    chunk_rows: int = 512
    provider: str = field(default="road", init=False)

    def __post_init__(self) -> None:
        if self.weight not in ("km", "hours"):
            raise ValueError("weight must be 'km' or 'hours'")
        speeds = dict(DEFAULT_SPEED_KMH_BY_CLASS)
        if self.speed_kmh_by_class is not None:
            speeds.update(self.speed_kmh_by_class)
        self._speeds = speeds
        restricted = tuple(self.restricted_classes)
        closed = restricted or self.network.n_hazmat_restricted
        self._net = self.network.restricted(restricted) if closed else self.network
        self.ids, self.lon, self.lat = _site_arrays(self.sites)
        self._index = {s: i for i, s in enumerate(self.ids)}
        frame = pd.DataFrame({"id": self.ids, "lon": self.lon, "lat": self.lat})
        self._snaps = self._net.snap(frame)

    def matrix(self, rows: Sequence[str], cols: Sequence[str] | None = None) -> TravelMatrix:
        """The travel matrix from ``rows`` to ``cols`` (default: square over ``rows``).

        Paths (``path_nodes``, ``path_edges``, ``rest_points``, ``geometry``) are recoverable
        from every row to every column.
        """
        row_ids, col_ids, ri, ci = _block_ids(self.ids, self._index, rows, cols)
        block = np.unique(np.concatenate([ri, ci]))  # the sites whose snap points split links
        where = np.searchsorted(block, ri), np.searchsorted(block, ci)
        snaps = self._snaps.iloc[block].reset_index(drop=True)
        g = self._net.graph
        nodes = _snap_nodes(g, snaps)
        edges = _edge_pieces(g, nodes.split, {p: i for i, p in enumerate(g.nodes)}, self._speeds)
        graph, sel = _directed_graph(edges, self.weight, len(nodes.node_ids))
        row_node, col_node = nodes.site_node[where[0]], nodes.site_node[where[1]]
        sources, site_row = np.unique(row_node, return_inverse=True)
        pred_all, acc_km, acc_h, acc_e = _accumulate(graph, sel, sources, col_node, self.chunk_rows)

        access = snaps["access_km"].to_numpy(float)
        access_h = access / self.access_speed_kmh
        r_acc, c_acc = access[where[0]], access[where[1]]
        r_acc_h, c_acc_h = access_h[where[0]], access_h[where[1]]
        km = acc_km[site_row] + r_acc[:, None] + c_acc[None, :]
        hours = acc_h[site_row] + r_acc_h[:, None] + c_acc_h[None, :]
        exposure = acc_e[site_row]
        _zero_same([km, hours, exposure], row_ids, col_ids or row_ids)

        ek_order = np.argsort(sel.keys)
        erep = sel.rep[ek_order]
        paths = _RoadPaths(
            node_ids=nodes.node_ids,
            n_places=nodes.n_places,
            node_lon=np.asarray(nodes.node_lon),
            node_lat=np.asarray(nodes.node_lat),
            site_row=site_row,
            row_node=row_node,
            col_node=col_node,
            row_lon=self.lon[ri],
            row_lat=self.lat[ri],
            col_lon=self.lon[ci],
            col_lat=self.lat[ci],
            pred=pred_all,
            edge_keys=sel.keys[ek_order],
            edge_road_id=edges.road_id[erep],
            edge_class=edges.road_class[erep],
            edge_link=edges.link[erep],
            edge_f0=edges.f0[erep],
            edge_f1=edges.f1[erep],
            edge_forward=sel.forward[ek_order],
            edge_hours=sel.hours[ek_order],
            site_access_h=r_acc_h,
            links=edges.links,
            graph=g,
            any_geometry=edges.any_geometry,
        )
        tm = TravelMatrix(
            ids=row_ids,
            km=km,
            hours=hours,
            exposure=exposure,
            provider="road",
            access_km=r_acc,
            col_ids=col_ids,
        )
        tm._paths = paths
        return tm


def road_matrix(
    network: RoadNetwork,
    sites: pd.DataFrame,
    speed_kmh_by_class: Mapping[str, float] | None = None,
    access_speed_kmh: float = 40.0,
    restricted_classes: Iterable[str] = (),
    weight: str = "km",
    chunk_rows: int = 512,
) -> TravelMatrix:
    """Shortest-path travel matrix between all sites on a road network (square, dense).

    For many sites use :class:`RoadTravel` and ask for the blocks a stage needs.

    Parameters
    ----------
    network : RoadNetwork
    sites : DataFrame
        Columns ``id, lon, lat``.
    speed_kmh_by_class : mapping, optional
        Speed per road class; defaults to :data:`DEFAULT_SPEED_KMH_BY_CLASS` (the hazmat caps).
    access_speed_kmh : float, default 40.0
        Speed on the access legs.
    restricted_classes : iterable of str
        Road classes hazmat vehicles may not use; removed before snapping and searching, like
        the links flagged ``hazmat_restricted`` (always: every revlog vehicle carries
        batteries).
    weight : {"km", "hours"}
        What the shortest path minimises; the other quantities are accumulated along it.
    chunk_rows : int, default 512
        Sources per ``dijkstra`` call (bounds memory; results do not depend on it).

    Returns
    -------
    TravelMatrix
        ``provider="road"``, with paths recoverable by ``path_nodes``, ``path_edges`` and
        ``geometry``.
    """
    travel = RoadTravel(
        network,
        sites,
        speed_kmh_by_class=speed_kmh_by_class,
        access_speed_kmh=access_speed_kmh,
        restricted_classes=restricted_classes,
        weight=weight,
        chunk_rows=chunk_rows,
    )
    return travel.matrix(travel.ids)


@dataclass
class _SnapNodes:
    """The graph's nodes augmented with the sites' snap points (virtual nodes on links)."""

    node_ids: list[str]  # places, then "~snap:<n>"
    n_places: int
    node_lon: list[float]
    node_lat: list[float]
    site_node: np.ndarray  # site -> node index of its snap point
    split: dict[str, list[tuple[float, int]]]  # link key -> [(fraction, virtual node)]


def _snap_nodes(g: nx.MultiGraph, snaps: pd.DataFrame) -> _SnapNodes:
    """Snap points → nodes: an existing place node, or a new virtual node splitting a link."""
    place_ids = list(g.nodes)
    pidx = {p: i for i, p in enumerate(place_ids)}
    n_places = len(place_ids)
    node_lon = [g.nodes[p]["lon"] for p in place_ids]
    node_lat = [g.nodes[p]["lat"] for p in place_ids]
    site_node = np.empty(len(snaps), dtype=np.int64)
    split: dict[str, list[tuple[float, int]]] = {}
    virtual: dict[tuple[str, float], int] = {}
    n_nodes = n_places
    for s, (rid, node, frac, slon, slat) in enumerate(
        zip(snaps["road_id"], snaps["node"], snaps["fraction"], snaps["snap_lon"],
            snaps["snap_lat"], strict=True)
    ):  # fmt: skip
        if isinstance(node, str):
            site_node[s] = pidx[node]
            continue
        key = (rid, round(float(frac), 12))
        if key not in virtual:
            virtual[key] = n_nodes
            split.setdefault(rid, []).append((key[1], n_nodes))
            node_lon.append(float(slon))
            node_lat.append(float(slat))
            n_nodes += 1
        site_node[s] = virtual[key]
    node_ids = place_ids + [f"~snap:{k}" for k in range(n_nodes - n_places)]
    return _SnapNodes(node_ids, n_places, node_lon, node_lat, site_node, split)


@dataclass
class _Pieces:
    """The links cut at the snap points into pieces, one entry per piece (u -> v order)."""

    src: np.ndarray
    dst: np.ndarray
    km: np.ndarray
    hours: np.ndarray
    exposure: np.ndarray
    road_id: np.ndarray
    road_class: np.ndarray
    link: np.ndarray  # index into ``links``
    f0: np.ndarray  # span [f0, f1] of the piece along its link (fractions u -> v)
    f1: np.ndarray
    links: list[tuple[str, str, str]]
    any_geometry: bool


def _edge_pieces(
    g: nx.MultiGraph,
    split: dict[str, list[tuple[float, int]]],
    pidx: dict[str, int],
    speeds: Mapping[str, float],
) -> _Pieces:
    """Every link as one piece, or as a chain of pieces where sites split it."""
    src, dst, e_km, e_h, e_exp, e_rid, e_cls = [], [], [], [], [], [], []
    e_link, e_f0, e_f1 = [], [], []
    links: list[tuple[str, str, str]] = []
    any_geometry = False
    for li, (u, v, k, d) in enumerate(g.edges(keys=True, data=True)):
        links.append((u, v, k))
        any_geometry = any_geometry or d.get("geometry") is not None
        cls, length, expo = d["road_class"], d["length_km"], d["exposure_persons"]
        speed = speeds[cls]
        if k in split:
            pts = sorted(split[k])
            fr = [0.0] + [f for f, _ in pts] + [1.0]
            nd = [pidx[u]] + [n for _, n in pts] + [pidx[v]]
            cum = _length_shares(g, u, v, d, fr)
        else:
            fr, nd = [0.0, 1.0], [pidx[u], pidx[v]]
            cum = fr
        for a, b, f0, f1, c0, c1 in zip(
            nd[:-1], nd[1:], fr[:-1], fr[1:], cum[:-1], cum[1:], strict=True
        ):
            share = c1 - c0
            src.append(a)
            dst.append(b)
            e_km.append(length * share)
            e_h.append(length * share / speed)
            e_exp.append(expo * share)
            e_rid.append(k)
            e_cls.append(cls)
            e_link.append(li)
            e_f0.append(f0)
            e_f1.append(f1)
    return _Pieces(
        src=np.asarray(src, dtype=np.int64),
        dst=np.asarray(dst, dtype=np.int64),
        km=np.asarray(e_km, dtype=float),
        hours=np.asarray(e_h, dtype=float),
        exposure=np.asarray(e_exp, dtype=float),
        road_id=np.asarray(e_rid, dtype=object),
        road_class=np.asarray(e_cls, dtype=object),
        link=np.asarray(e_link, dtype=np.int64),
        f0=np.asarray(e_f0, dtype=float),
        f1=np.asarray(e_f1, dtype=float),
        links=links,
        any_geometry=any_geometry,
    )


@dataclass
class _Directed:
    """The directed arcs kept (the lightest of parallel pieces per ordered node pair)."""

    keys: np.ndarray  # a * n_nodes + b
    rep: np.ndarray  # piece index of each arc
    forward: np.ndarray  # whether the arc runs the piece u -> v
    km: np.ndarray
    hours: np.ndarray
    exposure: np.ndarray
    n_nodes: int


def _directed_graph(e: _Pieces, weight: str, n_nodes: int) -> tuple[csr_matrix, _Directed]:
    """Both directions of every piece, then the lightest of parallel arcs per ordered pair."""
    a_all = np.concatenate([e.src, e.dst])
    b_all = np.concatenate([e.dst, e.src])
    rep = np.concatenate([np.arange(len(e.src))] * 2)
    forward = np.concatenate([np.ones(len(e.src), bool), np.zeros(len(e.src), bool)])
    main, tie = (e.km, e.hours) if weight == "km" else (e.hours, e.km / 100.0)
    w_all = (main + _TIE_HOURS * tie + _TIE_EXPOSURE * e.exposure)[rep]
    keys = a_all * n_nodes + b_all
    order = np.lexsort((w_all, keys))
    keys_s = keys[order]
    first = np.ones(len(keys_s), dtype=bool)
    first[1:] = keys_s[1:] != keys_s[:-1]
    sel = order[first]
    ew = np.maximum(w_all[sel], _MIN_WEIGHT)
    graph = csr_matrix((ew, (a_all[sel], b_all[sel])), shape=(n_nodes, n_nodes))
    erep = rep[sel]
    kept = _Directed(
        keys=keys[sel],
        rep=erep,
        forward=forward[sel],
        km=e.km[erep],
        hours=e.hours[erep],
        exposure=e.exposure[erep],
        n_nodes=n_nodes,
    )
    return graph, kept


def _accumulate(
    graph: csr_matrix, arcs: _Directed, sources: np.ndarray, targets: np.ndarray, chunk_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shortest-path trees from ``sources``; km, hours and exposure along them to ``targets``.

    Returns the predecessor trees ``(len(sources), n_nodes)`` and the three
    ``(len(sources), len(targets))`` matrices (``inf`` where unreachable). The quantities
    are accumulated by walking each tree once in order of distance, vectorised over rows.
    """
    n_nodes = arcs.n_nodes
    n_rows = len(sources)
    pred_all = np.empty((n_rows, n_nodes), dtype=np.int32)
    acc_km = np.empty((n_rows, len(targets)))
    acc_h = np.empty((n_rows, len(targets)))
    acc_e = np.empty((n_rows, len(targets)))
    for r0 in range(0, n_rows, chunk_rows):
        idx = sources[r0 : r0 + chunk_rows]
        dist, pred = dijkstra(graph, directed=True, indices=idx, return_predecessors=True)
        pred_all[r0 : r0 + len(idx)] = pred
        rows = np.arange(len(idx))
        walk = np.argsort(dist, axis=1, kind="stable")
        a_km = np.zeros_like(dist)
        a_h = np.zeros_like(dist)
        a_e = np.zeros_like(dist)
        for c in range(n_nodes):
            nodes = walk[:, c]
            p = pred[rows, nodes]
            ok = p >= 0
            if not ok.any():
                continue
            rr, nn, pp = rows[ok], nodes[ok], p[ok].astype(np.int64)
            pos = np.searchsorted(arcs.keys, pp * n_nodes + nn)
            a_km[rr, nn] = a_km[rr, pp] + arcs.km[pos]
            a_h[rr, nn] = a_h[rr, pp] + arcs.hours[pos]
            a_e[rr, nn] = a_e[rr, pp] + arcs.exposure[pos]
        unreachable = ~np.isfinite(dist)
        for arr in (a_km, a_h, a_e):
            arr[unreachable] = np.inf
        acc_km[r0 : r0 + len(idx)] = a_km[:, targets]
        acc_h[r0 : r0 + len(idx)] = a_h[:, targets]
        acc_e[r0 : r0 + len(idx)] = a_e[:, targets]
    return pred_all, acc_km, acc_h, acc_e
