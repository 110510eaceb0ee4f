"""Where things are and how far apart: embedded geodata, road network, travel matrices."""

from revlog.geo.geodata import (
    DEFAULT_GEODATA_DIR,
    QINGHAI_BOUNDS,
    STUDY_AREA_BOUNDS,
    Geodata,
    default_geodata_dir,
    gcj02_to_wgs84,
    load_geodata,
    wgs84_to_gcj02,
)
from revlog.geo.matrix import TravelMatrix, great_circle_matrix, road_matrix
from revlog.geo.osm import road_network_from_osm
from revlog.geo.roads import RoadNetwork, geodesic_km

__all__ = [
    "DEFAULT_GEODATA_DIR",
    "QINGHAI_BOUNDS",
    "STUDY_AREA_BOUNDS",
    "Geodata",
    "RoadNetwork",
    "TravelMatrix",
    "default_geodata_dir",
    "gcj02_to_wgs84",
    "geodesic_km",
    "great_circle_matrix",
    "load_geodata",
    "road_matrix",
    "road_network_from_osm",
    "wgs84_to_gcj02",
]
