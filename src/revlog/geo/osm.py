"""Road networks from OpenStreetMap files: :func:`road_network_from_osm`.

A local OSM file — OSM XML (``.osm``) or PBF (``.osm.pbf``) — becomes a
:class:`~revlog.geo.roads.RoadNetwork` whose links keep the ways' real geometry. Nothing is
downloaded: extract and filter the study area's roads first, e.g. with osmium-tool::

    osmium extract -b 100.5,36.0,103.0,37.2 china-latest.osm.pbf -o xining.osm.pbf
    osmium tags-filter xining.osm.pbf w/highway n/place -o xining-roads.osm.pbf

How the file is read
--------------------
1. A streaming pass reads the nodes' coordinates, the ways that are roads (see the tag table
   below) and the ``place=*`` nodes, and checks every element it uses: XML through
   ``defusedxml`` with DTDs forbidden (OSM files never have one, so no entity can be declared
   and no entity-expansion bomb can be expanded), PBF through pyosmium (``osmium``, libosmium's
   reader). The file size, the number of elements, the nodes per way and the nesting depth are
   bounded (:data:`MAX_OSM_BYTES`, :data:`MAX_OSM_ELEMENTS`, :data:`MAX_WAY_NODES`), and so is
   the number of nodes on the kept roads (:data:`MAX_ROAD_NODES`), so a hostile file cannot
   exhaust memory or time; every problem is a :class:`~revlog.errors.ScenarioError`
   ``file:field: reason`` (``roads.osm:node 17.lat: not a number ('x')``).
2. The road ways and their nodes are written to a clean temporary OSM XML file, which
   ``osmnx.graph_from_xml`` turns into a graph; ``osmnx.simplify_graph`` then merges the chains
   of way segments between junctions into single links that keep the chain's polyline. A node
   is kept as a junction where the road class, the hazmat restriction or the road's ``ref`` /
   ``name`` changes, and where a place is attached (below).
3. The two directions of each link are joined into one undirected link (as
   ``osmnx.convert.to_undirected`` does, without its per-edge pandas work); each link's length is
   the WGS84 geodesic length of its polyline (pyproj), not osmnx's great-circle length.

Road classes (``highway=*`` → revlog class)
-------------------------------------------
China's road administration numbers roads by administrative level: G (national), S
(provincial), X (county), Y (township) and C (village) roads, plus the expressways
(高速公路, G1–G99 and G1011-style four-digit numbers, or S numbers for provincial ones).
OSM's Chinese tagging guidelines map that ladder from ``trunk`` down to ``unclassified`` by
administrative level, not by physical standard, and expressways to ``motorway``:

=============================================  ===========  =======================================
``highway``                                    revlog       why
=============================================  ===========  =======================================
``motorway``, ``motorway_link``                expressway   高速公路 (G/S expressways and their
                                                            ramps); entered only at their ends
``trunk``, ``trunk_link``                      national     G-numbered ordinary national roads
                                                            (国道); also urban expressways (快速路)
``primary``, ``primary_link``                  provincial   S roads (省道)
``secondary``, ``secondary_link``              provincial   X county roads (县道)
``tertiary``, ``tertiary_link``                provincial   Y township roads (乡道)
``unclassified``                               provincial   C village roads (村道) linking villages
=============================================  ===========  =======================================

revlog's ``provincial`` class is "every ordinary road that is not a national road", as in the
embedded ``roads.csv``. A non-expressway way whose ``ref`` names a three-digit G route
(``G109``, ``G214;S101``) is ``national`` whatever its ``highway`` value (old or mis-tagged G
roads). ``residential``, ``living_street``, ``service``, ``track``, paths and every other value
are left out by default: the access leg from a site to the nearest link stands for the last
streets, and town streets would multiply the nodes without changing the planning distances;
pass ``highway_classes`` to change the table. Ways that motor vehicles may not use are left
out: the most specific of ``motor_vehicle``, ``vehicle`` and ``access`` is ``no`` or
``private``.

Hazmat restrictions
-------------------
A link is flagged ``hazmat_restricted`` (with the tag in ``hazmat_reason``) when the way has

* ``hazmat=no`` — closed to vehicles carrying dangerous goods (the Vienna-convention sign;
  ``hazmat=destination`` and ``designated`` do not close the road);
* ``hazmat:water=no`` — closed to loads that can pollute water: read by default
  (``water_protection=True``), because damaged packs can leak electrolyte and Chinese rules keep
  dangerous-goods vehicles out of drinking-water protection zones;
* a tunnel closed to the load's ADR tunnel restriction code (``tunnel_code``, default
  :data:`LITHIUM_BATTERY_TUNNEL_CODE` = ``E``, the code of lithium-ion batteries, UN 3480/3481;
  China's JT/T 617 is modelled on ADR): ``hazmat:adr_tunnel_cat`` (or ``hazmat:tunnel_cat``) of
  that letter or a later one, or ``tunnel=*`` together with ``hazmat:<code>=no``. Pass a stricter
  code (``B``) for loads that need one, or ``None`` to ignore tunnel categories.

Flagged links are removed for every revlog vehicle (they all carry batteries), before the
class restrictions of the scenario's ``rules.restricted_road_classes``.
``hazmat:conditional``, ``maxweight``, ``hgv`` and time-dependent restrictions are not read.

One-way streets and directions
------------------------------
revlog's road network is undirected (its travel matrix is symmetric), so ``oneway=*`` is not
honoured: a one-way way can be driven both ways. At planning scale this matters little: the two
carriageways of a dual road are mapped as two one-way ways side by side, and each becomes a link
usable both ways, of almost the same length.

Places and population
---------------------
Nodes tagged ``place`` = ``city``, ``town`` or ``village`` (:data:`PLACE_TYPES`) are attached to
the nearest road node that an ordinary (non-expressway) road passes, within ``place_radius_km``
(default :data:`PLACE_RADIUS_KM`); that node keeps the place's name (``name:en``, else
``name``) and its ``population`` tag (digits, thousands separators allowed) as the persons the
exposure proxy of :mod:`revlog.geo.roads` attributes to it. A place without a readable
population counts 0 persons (as the junctions of the embedded network do); places farther from
every road are not attached. Every other node has 0 persons, so a link's exposure is its
rural-corridor term plus the shares of the towns at its ends.

Node and link ids
-----------------
Nodes are ``n<OSM node id>``; links are ``w<OSM way id>-<k>`` (``k`` = 1, 2, … over the links
the way's chain was split into; a link merged from several ways carries the smallest way id).
A node where only expressway links meet (a ramp junction) is no access point for sites
(``expressway_access=False``): sites reach expressways through the ordinary roads that their
link roads meet.

Not yet: relations (route relations, turn restrictions) are not read; ``.osm.bz2`` / ``.osm.gz``
are refused (decompress first, so that the size limit applies to the real size).
"""

from __future__ import annotations

import array
import math
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from revlog.errors import Problem, ScenarioError
from revlog.geo.roads import _TO_ALBERS, RoadNetwork, geodesic_km

__all__ = [
    "HIGHWAY_CLASSES",
    "LITHIUM_BATTERY_TUNNEL_CODE",
    "MAX_OSM_BYTES",
    "MAX_OSM_ELEMENTS",
    "MAX_ROAD_NODES",
    "MAX_WAY_NODES",
    "OSM_SUFFIXES",
    "PLACE_RADIUS_KM",
    "PLACE_TYPES",
    "hazmat_restriction",
    "road_class",
    "road_network_from_osm",
]

#: ``highway`` value → revlog road class (see the module docstring for the reasons).
HIGHWAY_CLASSES: dict[str, str] = {
    "motorway": "expressway",
    "motorway_link": "expressway",
    "trunk": "national",
    "trunk_link": "national",
    "primary": "provincial",
    "primary_link": "provincial",
    "secondary": "provincial",
    "secondary_link": "provincial",
    "tertiary": "provincial",
    "tertiary_link": "provincial",
    "unclassified": "provincial",
}

#: ADR tunnel restriction code of lithium-ion batteries (UN 3480, 3481; ADR Table A column 15).
LITHIUM_BATTERY_TUNNEL_CODE = "E"

#: ``place`` values whose nodes are attached to the road network with their population.
PLACE_TYPES: frozenset[str] = frozenset({"city", "town", "village"})

#: Largest distance from a place node to the road node it is attached to, km.
PLACE_RADIUS_KM = 5.0

#: Largest OSM file read, bytes.
MAX_OSM_BYTES = 1_000_000_000
#: Largest number of nodes + ways + relations in a file (the streaming pass: about a minute and
#: 24 bytes per node).
MAX_OSM_ELEMENTS = 10_000_000
#: Largest number of nodes on the kept road ways: osmnx's graph and simplification take about
#: 0.15 s and 10 MB per 1,000 such nodes, so this bounds them to a few minutes and GB.
MAX_ROAD_NODES = 1_000_000
#: Largest number of nodes in one way (the OSM API's own limit is 2,000).
MAX_WAY_NODES = 2_000
#: Largest number of child elements (``tag``, ``nd``, ``member``) of one XML element.
MAX_CHILDREN = 10_000
#: Largest population tag taken as real, persons (a larger one is read as missing).
MAX_PLACE_POPULATION = 50_000_000

#: Accepted file name endings and their format.
OSM_SUFFIXES: dict[str, str] = {".osm": "xml", ".osm.pbf": "pbf", ".pbf": "pbf"}

_MAX_PROBLEMS = 20
_NOT_DRIVABLE = frozenset({"no", "private"})
_TUNNEL_CATEGORIES = "ABCDE"
_G_ROUTE = re.compile(r"(?:^|[;,/\s])G\s?\d{3}(?:$|[;,/\s])", re.IGNORECASE)
_ZERO_LENGTH_KM = 1e-6


def road_class(
    tags: Mapping[str, str], highway_classes: Mapping[str, str] | None = None
) -> str | None:
    """The revlog road class of an OSM way, or None if it is not a drivable road kept.

    Parameters
    ----------
    tags : mapping
        The way's tags.
    highway_classes : mapping, optional
        ``highway`` value → class; default :data:`HIGHWAY_CLASSES`.

    Returns
    -------
    str or None
        ``expressway``, ``national`` or ``provincial`` (see the module docstring).
    """
    table = HIGHWAY_CLASSES if highway_classes is None else highway_classes
    cls = table.get(str(tags.get("highway", "")))
    if cls is None:
        return None
    for key in ("motor_vehicle", "vehicle", "access"):  # the most specific tag decides
        if key in tags:
            if tags[key] in _NOT_DRIVABLE:
                return None
            break
    if cls != "expressway" and _G_ROUTE.search(f" {tags.get('ref', '')} "):
        return "national"
    return cls


def hazmat_restriction(
    tags: Mapping[str, str],
    *,
    tunnel_code: str | None = LITHIUM_BATTERY_TUNNEL_CODE,
    water_protection: bool = True,
) -> str | None:
    """The tag that closes a way to revlog's battery loads, or None if it is open to them.

    Parameters
    ----------
    tags : mapping
        The way's tags.
    tunnel_code : {"B", "C", "D", "E"} or None, default ``"E"``
        ADR tunnel restriction code of the load; None ignores tunnel categories.
    water_protection : bool, default True
        Whether ``hazmat:water=no`` closes the way.

    Returns
    -------
    str or None
        ``"hazmat=no"``, ``"hazmat:water=no"``, ``"hazmat:adr_tunnel_cat=E"``, … or None.
    """
    if tags.get("hazmat") == "no":
        return "hazmat=no"
    if water_protection and tags.get("hazmat:water") == "no":
        return "hazmat:water=no"
    if tunnel_code is not None:
        code = tunnel_code.upper()
        if code not in "BCDE" or len(code) != 1:
            raise ValueError(f"tunnel_code must be B, C, D, E or None, got {tunnel_code!r}")
        for key in ("hazmat:adr_tunnel_cat", "hazmat:tunnel_cat"):
            cat = str(tags.get(key, "")).strip().upper()
            if len(cat) == 1 and cat in _TUNNEL_CATEGORIES and cat >= code:
                return f"{key}={cat}"
        tunnel = tags.get("tunnel")
        if tunnel is not None and tunnel != "no" and tags.get(f"hazmat:{code}") == "no":
            return f"tunnel={tunnel} + hazmat:{code}=no"
    return None


# --- reading -------------------------------------------------------------------------------------
@dataclass
class _Extract:
    """What the streaming pass keeps: node coordinates, road ways, place nodes."""

    node_id: array.array = field(default_factory=lambda: array.array("q"))
    node_lon: array.array = field(default_factory=lambda: array.array("d"))
    node_lat: array.array = field(default_factory=lambda: array.array("d"))
    # road ways: id, (start, end) into refs, class, hazmat reason ("" if open), road label
    way_id: list[int] = field(default_factory=list)
    way_span: list[tuple[int, int]] = field(default_factory=list)
    way_class: list[str] = field(default_factory=list)
    way_reason: list[str] = field(default_factory=list)
    way_road: list[str] = field(default_factory=list)
    refs: array.array = field(default_factory=lambda: array.array("q"))
    places: list[tuple[int, float, float, str, float]] = field(default_factory=list)
    elements: int = 0


class _Reader:
    """Shared checks and bookkeeping of the XML and PBF readers."""

    def __init__(self, name: str, options: _Options) -> None:
        self.name = name
        self.opt = options
        self.out = _Extract()
        self.problems: list[Problem] = []

    def problem(self, where: str, reason: str) -> None:
        self.problems.append(Problem(self.name, where, reason))
        if len(self.problems) >= _MAX_PROBLEMS:
            self.problems.append(Problem(self.name, "(file)", "too many problems; stopped"))
            raise ScenarioError(self.problems)

    def count(self) -> None:
        self.out.elements += 1
        if self.out.elements > self.opt.max_elements:
            raise ScenarioError(
                [
                    Problem(
                        self.name,
                        "(file)",
                        f"more than {self.opt.max_elements} OSM elements; extract and filter the "
                        "study area's roads first (osmium extract / osmium tags-filter)",
                    )
                ]
            )

    def node(self, nid: int, lon: float, lat: float, tags: Mapping[str, str] | None) -> None:
        o = self.out
        o.node_id.append(nid)
        o.node_lon.append(lon)
        o.node_lat.append(lat)
        if tags and tags.get("place") in self.opt.place_types:
            name = tags.get("name:en") or tags.get("name") or f"n{nid}"
            o.places.append((nid, lon, lat, str(name), _population(tags.get("population"))))

    def way(self, wid: int, refs: list[int], tags: Mapping[str, str]) -> None:
        if len(refs) > MAX_WAY_NODES:
            self.problem(f"way {wid}", f"{len(refs)} nodes; OSM allows at most {MAX_WAY_NODES}")
            return
        cls = road_class(tags, self.opt.highway_classes)
        if cls is None:
            return
        reason = hazmat_restriction(
            tags, tunnel_code=self.opt.tunnel_code, water_protection=self.opt.water_protection
        )
        o = self.out
        start = len(o.refs)
        o.refs.extend(refs)
        o.way_id.append(wid)
        o.way_span.append((start, len(o.refs)))
        o.way_class.append(cls)
        o.way_reason.append(reason or "")
        o.way_road.append(str(tags.get("ref") or tags.get("name") or ""))

    def finish(self) -> _Extract:
        if self.problems:
            raise ScenarioError(self.problems)
        return self.out


@dataclass(frozen=True)
class _Options:
    highway_classes: Mapping[str, str] | None
    tunnel_code: str | None
    water_protection: bool
    place_types: frozenset[str]
    max_elements: int


def _population(text: str | None) -> float:
    """A ``population`` tag as persons (``"12,345"`` → 12345.0); 0 if missing or unreadable."""
    if text is None:
        return 0.0
    t = str(text).strip().replace(",", "").replace(" ", "").replace("_", "")
    if not t.isascii() or not t.isdigit() or len(t) > 12:
        return 0.0
    value = float(t)
    return value if value <= MAX_PLACE_POPULATION else 0.0


def _int_attr(r: _Reader, elem: Any, attr: str, where: str) -> int | None:
    text = elem.get(attr)
    if text is None:
        r.problem(where, f"missing attribute {attr!r}")
        return None
    try:
        value = int(text)
    except ValueError:
        r.problem(where, f"{attr} is not a whole number ({_clip(text)!r})")
        return None
    if abs(value) >= 2**63:
        r.problem(where, f"{attr} is out of range ({_clip(text)!r})")
        return None
    return value


def _coord(r: _Reader, elem: Any, attr: str, limit: float, where: str) -> float | None:
    text = elem.get(attr)
    if text is None:
        r.problem(f"{where}.{attr}", "missing")
        return None
    try:
        value = float(text)
    except ValueError:
        r.problem(f"{where}.{attr}", f"not a number ({_clip(text)!r})")
        return None
    if not math.isfinite(value) or abs(value) > limit:
        r.problem(f"{where}.{attr}", f"must lie in -{limit:g}..{limit:g}, got {_clip(text)}")
        return None
    return value


def _tags(r: _Reader, elem: Any, where: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for t in elem.iter("tag"):
        k, v = t.get("k"), t.get("v")
        if k is None or v is None:
            r.problem(where, "a <tag> without k or v")
            continue
        tags[k] = v
    return tags


def _read_xml(path: Path, r: _Reader) -> _Extract:
    """Stream an OSM XML file through defusedxml (DTDs forbidden)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    depth = 0
    children = 0
    root: Any = None
    try:
        for event, elem in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                if depth == 1:
                    root = elem
                    if elem.tag != "osm":
                        raise ScenarioError(
                            [
                                Problem(
                                    r.name,
                                    "(file)",
                                    f"not an OSM XML file: the root element is <{_clip(elem.tag)}>"
                                    ", not <osm>",
                                )
                            ]
                        )
                elif depth == 2:
                    children = 0
                    r.count()
                else:
                    children += 1
                    if depth > 3:
                        raise ScenarioError(
                            [
                                Problem(
                                    r.name,
                                    "(file)",
                                    f"unexpected element <{_clip(elem.tag)}> nested {depth} deep "
                                    "(OSM XML nests 3 deep at most)",
                                )
                            ]
                        )
                    if children > MAX_CHILDREN:
                        raise ScenarioError(
                            [
                                Problem(
                                    r.name,
                                    "(file)",
                                    f"an element has more than {MAX_CHILDREN} child elements",
                                )
                            ]
                        )
                continue
            depth -= 1
            if depth != 1:
                continue
            _xml_element(r, elem)
            root.clear()  # keep memory flat: the element is done with
    except ScenarioError:
        raise
    except DefusedXmlException as exc:
        raise ScenarioError(
            [
                Problem(
                    r.name,
                    "(file)",
                    f"refused: the file declares a DTD or entities ({type(exc).__name__}); OSM "
                    "files have none, and entity expansion can exhaust memory",
                )
            ]
        ) from None
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        msg = str(exc).split(":")[0]
        raise ScenarioError(
            [Problem(r.name, f"line {line}", f"not well-formed XML: {msg} (column {col + 1})")]
        ) from None
    except (UnicodeError, ValueError) as exc:
        raise ScenarioError(
            [Problem(r.name, "(file)", f"unreadable XML: {_clip(str(exc), 200)}")]
        ) from None
    if root is None:
        raise ScenarioError([Problem(r.name, "(file)", "the file is empty")])
    return r.finish()


def _xml_element(r: _Reader, elem: Any) -> None:
    tag = elem.tag
    if tag not in ("node", "way"):
        return  # bounds, relations, changesets…
    if elem.get("action") == "delete" or elem.get("visible") == "false":
        return
    if tag == "node":
        nid = _int_attr(r, elem, "id", "node")
        if nid is None:
            return
        where = f"node {nid}"
        lat = _coord(r, elem, "lat", 90.0, where)
        lon = _coord(r, elem, "lon", 180.0, where)
        if lat is None or lon is None:
            return
        tags = _tags(r, elem, where) if len(elem) else None
        r.node(nid, lon, lat, tags)
        return
    wid = _int_attr(r, elem, "id", "way")
    if wid is None:
        return
    where = f"way {wid}"
    refs: list[int] = []
    for nd in elem.iter("nd"):
        ref = _int_attr(r, nd, "ref", f"{where}.nd")
        if ref is not None:
            refs.append(ref)
    r.way(wid, refs, _tags(r, elem, where))


def _read_pbf(path: Path, r: _Reader) -> _Extract:
    """Read an OSM PBF file with pyosmium (nodes and ways only)."""
    try:
        import osmium
    except ImportError:  # pragma: no cover - osmium is a dependency
        raise ScenarioError(
            [
                Problem(
                    r.name,
                    "(file)",
                    "reading .osm.pbf needs the 'osmium' package (pip install osmium); or convert "
                    "the file to OSM XML: osmium cat in.osm.pbf -o out.osm",
                )
            ]
        ) from None
    try:
        fp = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        for obj in fp:
            r.count()
            if not obj.visible or obj.deleted:
                continue
            if obj.is_node():
                loc = obj.location
                if not loc.valid():
                    r.problem(f"node {obj.id}", "invalid location")
                    continue
                tags = {t.k: t.v for t in obj.tags} if "place" in obj.tags else None
                r.node(obj.id, loc.lon, loc.lat, tags)
            elif obj.is_way():
                if "highway" not in obj.tags:
                    continue
                refs = [n.ref for n in obj.nodes]
                r.way(obj.id, refs, {t.k: t.v for t in obj.tags})
    except ScenarioError:
        raise
    except (RuntimeError, ValueError, OSError) as exc:
        raise ScenarioError(
            [Problem(r.name, "(file)", f"not a readable OSM PBF file: {_clip(str(exc), 200)}")]
        ) from None
    return r.finish()


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(OSM_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return OSM_SUFFIXES[suffix]
    return None


# --- building ------------------------------------------------------------------------------------
def _write_clean_xml(
    ext: _Extract, target: Path, name: str, max_road_nodes: int
) -> tuple[dict[int, int], int]:
    """Write the road ways and their nodes as plain OSM XML for osmnx.

    Ways are cut where they reference nodes the file lacks (an extract's border); each piece
    gets a new way id. Returns piece id → index of the original way, and the missing refs.
    """
    ids = np.frombuffer(ext.node_id, dtype=np.int64) if len(ext.node_id) else np.zeros(0, np.int64)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    dup = sorted_ids[1:][sorted_ids[1:] == sorted_ids[:-1]]
    if len(dup):
        shown = ", ".join(str(int(d)) for d in np.unique(dup)[:5])
        raise ScenarioError([Problem(name, f"node {int(dup[0])}", f"duplicate node id ({shown})")])
    lon = np.frombuffer(ext.node_lon, dtype=float) if len(ext.node_lon) else np.zeros(0)
    lat = np.frombuffer(ext.node_lat, dtype=float) if len(ext.node_lat) else np.zeros(0)
    refs = np.frombuffer(ext.refs, dtype=np.int64) if len(ext.refs) else np.zeros(0, np.int64)
    pos = np.searchsorted(sorted_ids, refs)
    pos_c = np.minimum(pos, max(len(sorted_ids) - 1, 0))
    found = (sorted_ids[pos_c] == refs) if len(sorted_ids) else np.zeros(len(refs), dtype=bool)
    node_row = np.where(found, order[pos_c] if len(order) else 0, -1)
    missing = int((~found).sum())

    pieces: list[tuple[int, np.ndarray]] = []  # (original way index, node rows)
    for w, (a, b) in enumerate(ext.way_span):
        rows = node_row[a:b]
        if len(rows) == 0:
            continue
        keep = np.ones(len(rows), dtype=bool)
        keep[1:] = rows[1:] != rows[:-1]  # consecutive repeats
        rows = rows[keep]
        cut = np.flatnonzero(rows < 0)
        for seg in np.split(rows, cut):
            seg = seg[seg >= 0]
            if len(seg) >= 2:
                pieces.append((w, seg))
    piece_way: dict[int, int] = {}
    if not pieces:
        return piece_way, missing
    used = np.unique(np.concatenate([seg for _, seg in pieces]))
    if len(used) > max_road_nodes:
        raise ScenarioError(
            [
                Problem(
                    name,
                    "(file)",
                    f"the roads have {len(used)} nodes, more than {max_road_nodes}; extract a "
                    "smaller area or fewer road types first (osmium extract / osmium tags-filter)",
                )
            ]
        )
    with target.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="revlog">\n')
        for row in used:
            nid, y, x = int(ids[row]), float(lat[row]), float(lon[row])
            f.write(f'<node id="{nid}" lat="{y!r}" lon="{x!r}"/>\n')
        for pid, (w, seg) in enumerate(pieces, start=1):
            piece_way[pid] = w
            f.write(f'<way id="{pid}">')
            f.write("".join(f'<nd ref="{int(ids[row])}"/>' for row in seg))
            f.write("</way>\n")
        f.write("</osm>\n")
    return piece_way, missing


def road_network_from_osm(
    path: str | Path,
    *,
    highway_classes: Mapping[str, str] | None = None,
    tunnel_code: str | None = LITHIUM_BATTERY_TUNNEL_CODE,
    water_protection: bool = True,
    place_types: Iterable[str] = PLACE_TYPES,
    place_radius_km: float = PLACE_RADIUS_KM,
    largest_component: bool = True,
    max_bytes: int = MAX_OSM_BYTES,
    max_elements: int = MAX_OSM_ELEMENTS,
    max_road_nodes: int = MAX_ROAD_NODES,
) -> RoadNetwork:
    """Build a :class:`RoadNetwork` from a local OSM XML (``.osm``) or PBF (``.osm.pbf``) file.

    See the module docstring for the tag mapping, restrictions, places and limits.

    Parameters
    ----------
    path : str or Path
        The OSM file.
    highway_classes : mapping, optional
        ``highway`` value → revlog road class; default :data:`HIGHWAY_CLASSES`.
    tunnel_code : {"B", "C", "D", "E"} or None, default ``"E"``
        ADR tunnel restriction code of the load (:data:`LITHIUM_BATTERY_TUNNEL_CODE`).
    water_protection : bool, default True
        Whether ``hazmat:water=no`` closes a road to revlog's loads.
    place_types : iterable of str, default :data:`PLACE_TYPES`
        ``place`` values attached to the network with their population.
    place_radius_km : float, default :data:`PLACE_RADIUS_KM`
        Largest place → road node distance for attaching a place, km.
    largest_component : bool, default True
        Keep only the largest connected part (fragments cut off at an extract's border would
        otherwise catch sites and leave them unreachable).
    max_bytes, max_elements, max_road_nodes : int
        Limits of the file's size, of its number of OSM elements and of the number of nodes on
        its kept road ways (:data:`MAX_OSM_BYTES`, :data:`MAX_OSM_ELEMENTS`,
        :data:`MAX_ROAD_NODES`).

    Returns
    -------
    RoadNetwork
        Nodes ``n<id>`` (``lon, lat, population``, ``name`` where a place is attached,
        ``expressway_access=False``); links ``w<way id>-<k>`` with ``road`` (the way's ``ref``
        or ``name``), ``road_class``, ``length_km`` (geodesic length of the polyline),
        ``km_basis="osm"``, ``geometry``, ``hazmat_restricted`` and ``hazmat_reason``.
        ``network.graph.graph`` records the source file and counts (``osm_ways``,
        ``places_attached``, ``places_unattached``, ``missing_node_refs``).

    Raises
    ------
    ScenarioError
        ``file:field: reason`` for a missing, too large, unknown, malformed or hostile file, or
        one without any road of the mapped types.
    """
    path = Path(path)
    name = str(path)
    fmt = _format_of(path)
    if fmt is None:
        raise ScenarioError(
            [
                Problem(
                    name,
                    "(file)",
                    "unknown road network file type; use .osm (OSM XML) or .osm.pbf (OSM PBF)",
                )
            ]
        )
    if tunnel_code is not None and (len(tunnel_code) != 1 or tunnel_code.upper() not in "BCDE"):
        raise ValueError(f"tunnel_code must be B, C, D, E or None, got {tunnel_code!r}")
    try:
        if not path.is_file():
            what = "is a folder, not a file" if path.is_dir() else "no such file"
            raise ScenarioError([Problem(name, "(file)", what)])
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError(
            [Problem(name, "(file)", f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    if size > max_bytes:
        raise ScenarioError(
            [
                Problem(
                    name,
                    "(file)",
                    f"file too large ({size} bytes, limit {max_bytes}); extract and filter the "
                    "study area's roads first (osmium extract / osmium tags-filter)",
                )
            ]
        )
    if size == 0:
        raise ScenarioError([Problem(name, "(file)", "the file is empty")])
    opts = _Options(
        highway_classes=highway_classes,
        tunnel_code=tunnel_code.upper() if tunnel_code else None,
        water_protection=water_protection,
        place_types=frozenset(place_types),
        max_elements=max_elements,
    )
    reader = _Reader(name, opts)
    try:
        ext = _read_xml(path, reader) if fmt == "xml" else _read_pbf(path, reader)
    except OSError as exc:
        raise ScenarioError(
            [Problem(name, "(file)", f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    return _build(ext, name, place_radius_km, largest_component, max_road_nodes)


def _no_roads(name: str) -> ScenarioError:
    kinds = ", ".join(sorted(HIGHWAY_CLASSES))
    return ScenarioError(
        [Problem(name, "(file)", f"no drivable road of the mapped highway types ({kinds})")]
    )


def _build(
    ext: _Extract, name: str, place_radius_km: float, largest: bool, max_road_nodes: int
) -> RoadNetwork:
    import osmnx as ox

    with tempfile.TemporaryDirectory(prefix="revlog-osm-") as tmp:
        clean = Path(tmp) / "roads.osm"
        piece_way, missing = _write_clean_xml(ext, clean, name, max_road_nodes)
        if not piece_way:
            raise _no_roads(name)
        try:
            G = ox.graph_from_xml(clean, bidirectional=True, simplify=False, retain_all=True)
        except Exception as exc:  # the clean file is ours: this is a bug, still no traceback
            raise ScenarioError(
                [Problem(name, "(file)", f"osmnx could not build the graph: {_clip(str(exc))}")]
            ) from None
    for _, _, d in G.edges(data=True):
        w = piece_way[int(d["osmid"])]
        d["way"] = ext.way_id[w]
        d["road_class"] = ext.way_class[w]
        d["hazmat_reason"] = ext.way_reason[w]
        d["road"] = ext.way_road[w]
    if largest and len(G):
        G = ox.truncate.largest_component(G, strongly=False)
    attached, unattached = _attach_places(G, ext.places, place_radius_km)
    G = ox.simplify_graph(
        G,
        node_attrs_include=["revlog_place"],
        edge_attrs_differ=["road_class", "hazmat_reason", "road"],
    )
    node_rows = []
    for n, d in G.nodes(data=True):
        place = d.get("revlog_place")
        node_rows.append(
            {
                "place_id": f"n{n}",
                "lon": float(d["x"]),
                "lat": float(d["y"]),
                "node_population": sum(p for _, p in place) if place else 0.0,
                "name": " / ".join(nm for nm, _ in place) if place else "",
                "expressway_access": False,
            }
        )
    links, coords = _undirected_links(G)
    if not links:
        raise _no_roads(name)
    lengths = _polyline_km(coords)
    counter: dict[int, int] = {}
    road_rows = []
    for (a, b, d), line, km in zip(links, coords, lengths, strict=True):
        way = d["way"]
        way = min(way) if isinstance(way, list) else int(way)
        counter[way] = counter.get(way, 0) + 1
        reason = d["hazmat_reason"]
        road_rows.append(
            {
                "road_id": f"w{way}-{counter[way]}",
                "from": f"n{a}",
                "to": f"n{b}",
                "road": d["road"],
                "road_class": d["road_class"],
                "length_km": max(float(km), _ZERO_LENGTH_KM),
                "km_basis": "osm",
                "hazmat_restricted": bool(reason),
                "hazmat_reason": reason,
                "geometry": _linestring(line),
            }
        )
    net = RoadNetwork.from_tables(pd.DataFrame(node_rows), pd.DataFrame(road_rows))
    net.graph.graph.update(
        source=name,
        osm_ways=len(ext.way_id),
        places_attached=attached,
        places_unattached=unattached,
        missing_node_refs=missing,
    )
    return net


def _undirected_links(G: Any) -> tuple[list[tuple[int, int, dict]], list[np.ndarray]]:
    """One undirected link per pair of opposite directed edges of the simplified graph.

    ``graph_from_xml(bidirectional=True)`` adds every way in both directions and
    ``simplify_graph`` merges each direction's chain on its own, so every link appears twice,
    with reversed polylines (like ``osmnx.convert.to_undirected``, without its per-edge pandas
    work). Self-loops are dropped: they never shorten a path.
    """
    seen: set[tuple[int, int, bytes]] = set()
    links: list[tuple[int, int, dict]] = []
    coords: list[np.ndarray] = []
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        geom = d.get("geometry")
        if geom is None:
            nu, nv = G.nodes[u], G.nodes[v]
            c = np.array([[nu["x"], nu["y"]], [nv["x"], nv["y"]]], dtype=float)
        else:
            c = np.asarray(geom.coords, dtype=float)[:, :2]  # runs from u to v
        key = (u, v, c.tobytes()) if u < v else (v, u, c[::-1].tobytes())
        if key in seen:
            continue
        seen.add(key)
        links.append((u, v, d))
        coords.append(c)
    return links, coords


def _linestring(coords: np.ndarray) -> Any:
    from shapely import LineString

    return LineString(coords)


def _polyline_km(lines: list[np.ndarray]) -> np.ndarray:
    """WGS84 geodesic length of each polyline, km (one vectorised ``Geod.inv`` call)."""
    lens = np.array([len(c) for c in lines])
    allc = np.concatenate(lines)
    seg = geodesic_km(allc[:-1, 0], allc[:-1, 1], allc[1:, 0], allc[1:, 1])
    keep = np.ones(len(allc) - 1, dtype=bool)
    keep[(np.cumsum(lens) - 1)[:-1]] = False  # the jumps from one line to the next
    owner = np.repeat(np.arange(len(lines)), lens - 1)
    return np.bincount(owner, weights=seg[keep], minlength=len(lines))


def _attach_places(
    G: Any, places: list[tuple[int, float, float, str, float]], radius_km: float
) -> tuple[int, int]:
    """Mark the road node nearest to each place (ordinary roads only) with its name and persons."""
    if not places:
        return 0, 0
    cand = [
        n
        for n in G.nodes
        if any(d["road_class"] != "expressway" for _, _, d in G.in_edges(n, data=True))
    ]
    if not cand:
        return 0, len(places)
    cx, cy = _TO_ALBERS.transform(
        np.array([G.nodes[n]["x"] for n in cand]), np.array([G.nodes[n]["y"] for n in cand])
    )
    tree = cKDTree(np.column_stack([cx, cy]))
    plon = np.array([p[1] for p in places])
    plat = np.array([p[2] for p in places])
    px, py = _TO_ALBERS.transform(plon, plat)
    _, idx = tree.query(np.column_stack([px, py]))
    nlon = np.array([G.nodes[cand[i]]["x"] for i in idx])
    nlat = np.array([G.nodes[cand[i]]["y"] for i in idx])
    dist = geodesic_km(plon, plat, nlon, nlat)
    attached = 0
    for (_, _, _, pname, pop), i, dkm in zip(places, idx, dist, strict=True):
        if dkm > radius_km:
            continue
        G.nodes[cand[i]].setdefault("revlog_place", []).append((pname, pop))
        attached += 1
    return attached, len(places) - attached


def _clip(text: str, limit: int = 80) -> str:
    text = str(text)
    text = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 3] + "..."
