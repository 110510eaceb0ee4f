"""A small generated OSM file of towns around Xining, for the OSM road-network tests.

Everything the tests check is written here, so the expected classes and restrictions can be
read off the table :data:`WAYS`.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

# road nodes: junctions at the towns (ids 1-8) and shape vertices along the ways (ids 10+)
NODES: dict[int, tuple[float, float]] = {
    1: (101.7763, 36.6172),  # Xining
    2: (102.1050, 36.5002),  # Ping'an
    3: (101.5700, 36.5010),  # Huangzhong
    4: (101.9575, 36.8440),  # Huzhu
    5: (101.5050, 36.5030),  # Ganhe (next to the plant)
    6: (101.2550, 36.6820),  # Huangyuan
    7: (102.3990, 36.4820),  # Ledu
    8: (101.7900, 36.6300),  # a Xining residential street end
    # G6 motorway Xining - Ping'an
    10: (101.8500, 36.6000),
    11: (101.9500, 36.5500),
    12: (102.0300, 36.5200),
    # G109 trunk Xining - Ping'an
    20: (101.8600, 36.5700),
    21: (101.9800, 36.5300),
    # S101 primary Xining - Huangzhong
    30: (101.7000, 36.5700),
    31: (101.6200, 36.5200),
    # secondary Huangzhong - Ganhe (hazmat=no)
    40: (101.5400, 36.4980),
    # tertiary Xining - Ganhe (open detour)
    50: (101.6200, 36.6000),
    51: (101.5300, 36.5600),
    # unclassified Xining - Huzhu (oneway)
    60: (101.8500, 36.7200),
    # primary ref G227 Huzhu - Ping'an
    70: (102.0500, 36.7000),
    # tunnel, category E, Huangzhong - Huangyuan
    80: (101.4000, 36.6000),
    # tunnel, category C, Xining - Huangyuan
    90: (101.5000, 36.6600),
    # hazmat:water=no Ping'an - Ledu
    100: (102.2500, 36.4900),
    # G109 trunk Ping'an - Ledu
    110: (102.2600, 36.4600),
    # footway, building, private road
    120: (101.7800, 36.6200),
    121: (101.7810, 36.6210),
    122: (101.7820, 36.6200),
    123: (101.6000, 36.5500),
}

#: way id -> (node refs, tags, expected revlog class or None if left out, expected restriction)
WAYS: dict[int, tuple[list[int], dict[str, str], str | None, str | None]] = {
    101: ([1, 10, 11, 12, 2], {"highway": "motorway", "ref": "G6"}, "expressway", None),
    102: ([1, 20, 21, 2], {"highway": "trunk", "ref": "G109"}, "national", None),
    103: ([1, 30, 31, 3], {"highway": "primary", "ref": "S101"}, "provincial", None),
    104: ([3, 40, 5], {"highway": "secondary", "hazmat": "no"}, "provincial", "hazmat=no"),
    105: ([1, 50, 51, 5], {"highway": "tertiary", "name": "Ganhe Rd"}, "provincial", None),
    106: ([1, 60, 4], {"highway": "unclassified", "oneway": "yes"}, "provincial", None),
    107: ([4, 70, 2], {"highway": "primary", "ref": "G227"}, "national", None),
    108: (
        [3, 80, 6],
        {"highway": "tertiary", "tunnel": "yes", "hazmat:adr_tunnel_cat": "E"},
        "provincial",
        "hazmat:adr_tunnel_cat=E",
    ),
    109: (
        [1, 90, 6],
        {"highway": "tertiary", "tunnel": "yes", "hazmat:adr_tunnel_cat": "C"},
        "provincial",
        None,
    ),
    110: (
        [2, 100, 7],
        {"highway": "secondary", "hazmat:water": "no"},
        "provincial",
        "hazmat:water=no",
    ),
    111: ([2, 110, 7], {"highway": "trunk", "ref": "G109"}, "national", None),
    112: ([1, 8], {"highway": "residential"}, None, None),
    113: ([120, 121], {"highway": "footway"}, None, None),
    114: ([120, 121, 122, 120], {"building": "yes"}, None, None),
    115: ([11, 21], {"highway": "motorway_link"}, "expressway", None),
    116: ([3, 123, 1], {"highway": "primary", "access": "private"}, None, None),
}

#: place nodes: id -> (lon, lat, tags); Xining's tags sit on road node 1 itself
PLACES: dict[int, tuple[float, float, dict[str, str]]] = {
    1002: (102.1070, 36.5005, {"place": "town", "name:en": "Ping'an", "population": "128,000"}),
    1003: (101.5699, 36.5030, {"place": "town", "name:en": "Huangzhong", "population": "300000"}),
    1004: (101.9580, 36.8450, {"place": "town", "name": "互助"}),
    1005: (101.5060, 36.5040, {"place": "village", "name:en": "Ganhe", "population": "20000"}),
    1006: (101.2560, 36.6830, {"place": "town", "name:en": "Huangyuan", "population": "130000"}),
    1007: (102.4000, 36.4830, {"place": "town", "name:en": "Ledu", "population": "250000"}),
    1009: (100.0000, 36.0000, {"place": "village", "name:en": "Far away", "population": "900"}),
    1010: (101.7000, 36.5800, {"place": "suburb", "name:en": "Not a town"}),
}
XINING_TAGS = {"place": "city", "name": "西宁", "name:en": "Xining", "population": "2467965"}

#: the road nodes a place is attached to, with its persons
TOWN_NODES: dict[str, tuple[str, float]] = {
    "n1": ("Xining", 2467965.0),
    "n2": ("Ping'an", 128000.0),
    "n3": ("Huangzhong", 300000.0),
    "n4": ("互助", 0.0),
    "n5": ("Ganhe", 20000.0),
    "n6": ("Huangyuan", 130000.0),
    "n7": ("Ledu", 250000.0),
}


def _tags(tags: dict[str, str]) -> str:
    return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())


def osm_xml(header: str = "") -> str:
    """The OSM XML text of the test area (``header`` goes before the root element)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', header, '<osm version="0.6" generator="t">']
    out.append('<bounds minlat="36.0" minlon="100.0" maxlat="37.0" maxlon="102.5"/>')
    for nid, (lon, lat) in NODES.items():
        tags = XINING_TAGS if nid == 1 else {}
        out.append(f'<node id="{nid}" lat="{lat}" lon="{lon}" version="1">{_tags(tags)}</node>')
    for nid, (lon, lat, tags) in PLACES.items():
        out.append(f'<node id="{nid}" lat="{lat}" lon="{lon}">{_tags(tags)}</node>')
    for wid, (refs, tags, _, _) in WAYS.items():
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        out.append(f'<way id="{wid}" version="1">{nds}{_tags(tags)}</way>')
    out.append('<relation id="1"><member type="way" ref="101" role=""/></relation>')
    out.append("</osm>")
    return "\n".join(line for line in out if line) + "\n"


def write_osm(path: Path) -> Path:
    """Write the test area as OSM XML to ``path``; return it."""
    path.write_text(osm_xml(), encoding="utf-8")
    return path


def write_pbf(xml_path: Path, pbf_path: Path) -> Path:
    """Convert an OSM XML file to PBF with pyosmium; return the PBF path."""
    import osmium

    writer = osmium.SimpleWriter(str(pbf_path), overwrite=True)
    try:
        for obj in osmium.FileProcessor(str(xml_path)):
            writer.add(obj)
    finally:
        writer.close()
    return pbf_path
