"""Up-front memory estimate of a solve, so that impossible sizes are refused before allocating.

:func:`estimate_memory` sizes what the stages will hold from counts alone:

* the facility travel block (the plant and candidates × every site: km, hours, exposure and
  the shortest-path trees, :class:`revlog.geo.matrix.RoadTravel`);
* the location MILP, from an upper bound on its assignment arcs: the source–facility pairs
  whose great-circle distance (a lower bound of the road distance) is within the service
  radius;
* each base's routing matrices, from its stops, when the base is known (after stage 1):
  :func:`check_base_memory`, called before a base's matrix is built.

:func:`check_memory` compares the up-front estimate with the memory available and raises
:class:`~revlog.errors.MemoryLimitError` (exit 3) when it does not fit. The per-unit byte
figures below were measured with ``bench/scale.py`` (peak resident memory against arcs and
stops) and rounded up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from revlog.errors import MemoryLimitError
from revlog.inputs import Inputs

__all__ = [
    "MEMORY_LIMIT_ENV",
    "MemoryEstimate",
    "available_bytes",
    "check_base_memory",
    "check_memory",
    "estimate_memory",
]

#: Environment variable that caps the memory revlog plans for, bytes (default: what the
#: operating system reports as available).
MEMORY_LIMIT_ENV = "REVLOG_MEMORY_LIMIT_BYTES"

#: Bytes per (facility, site) cell of the facility block: 3 float64 arrays, the int32 path
#: tree and the shortest-path search's temporaries (distances, visiting order, 3 sums).
FACILITY_BLOCK_BYTES_PER_CELL = 3 * 8 + 4 + 6 * 8

#: Bytes per assignment arc of the location model (Pyomo variable, constraint terms, the
#: sparse arrays handed to HiGHS and HiGHS's own copy), measured and rounded up.
LOCATION_BYTES_PER_ARC = 4_000

#: Bytes per (stop, stop) cell of one base's routing: the travel matrices, the engines'
#: integer matrices (one per cost profile) and OR-Tools' transit callbacks, rounded up.
ROUTING_BYTES_PER_CELL = 400

#: What the interpreter, the libraries and the tables take before any of the above, bytes.
BASE_BYTES = 600 * 2**20

#: Mean earth radius less 0.5 %, km: the haversine distance on it is below the WGS84
#: geodesic, hence below every road distance (a safe arc pre-filter).
_LOWER_EARTH_RADIUS_KM = 6371.0088 * 0.995

#: Sources per chunk of the great-circle pre-filter (bounds its own memory).
_CHUNK = 50_000


@dataclass(frozen=True)
class MemoryEstimate:
    """What a solve is expected to hold at its peak, bytes, and the counts behind it."""

    n_sources: int
    n_facilities: int
    max_arcs: int
    facility_block_bytes: int
    location_bytes: int

    @property
    def total_bytes(self) -> int:
        """The peak estimate of the geography and location stages."""
        return BASE_BYTES + self.facility_block_bytes + self.location_bytes

    def describe(self) -> str:
        """The estimate in words (GiB and the counts)."""
        gib = 2**30
        return (
            f"about {self.total_bytes / gib:.1f} GiB (travel from {self.n_facilities} facilities "
            f"to every site {self.facility_block_bytes / gib:.1f} GiB; location model with up "
            f"to {self.max_arcs:,} arcs {self.location_bytes / gib:.1f} GiB)"
        )


def _haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl, dp = np.radians(lon2 - lon1), p2 - p1
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _LOWER_EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def estimate_memory(inputs: Inputs) -> MemoryEstimate:
    """Estimate a solve's peak memory from the scenario's counts and positions.

    Parameters
    ----------
    inputs
        The prepared scenario.

    Returns
    -------
    MemoryEstimate
    """
    sc = inputs.scenario
    src, cand, plant = inputs.sources, inputs.candidates, inputs.plant
    f_lon = np.concatenate([plant["lon"].to_numpy(float), cand["lon"].to_numpy(float)])
    f_lat = np.concatenate([plant["lat"].to_numpy(float), cand["lat"].to_numpy(float)])
    if not sc.location.direct_to_plant:
        f_lon, f_lat = f_lon[1:], f_lat[1:]
    s_lon, s_lat = src["lon"].to_numpy(float), src["lat"].to_numpy(float)
    radius = sc.location.service_radius_km
    per_facility = np.zeros(len(f_lon), dtype=np.int64)
    for k in range(0, len(s_lon), _CHUNK):
        d = _haversine_km(s_lon[k : k + _CHUNK, None], s_lat[k : k + _CHUNK, None], f_lon, f_lat)
        per_facility += (d <= radius).sum(axis=0)
    n_s, n_f = len(src), len(plant) + len(cand)
    arcs = int(per_facility.sum())
    return MemoryEstimate(
        n_sources=n_s,
        n_facilities=n_f,
        max_arcs=arcs,
        facility_block_bytes=n_f * (n_s + n_f) * FACILITY_BLOCK_BYTES_PER_CELL,
        location_bytes=arcs * LOCATION_BYTES_PER_ARC,
    )


def available_bytes() -> int | None:
    """Memory revlog may plan for, bytes: ``$REVLOG_MEMORY_LIMIT_BYTES``, else the
    operating system's available memory (``MemAvailable``), else ``None`` (unknown)."""
    env = os.environ.get(MEMORY_LIMIT_ENV)
    if env:
        try:
            return int(float(env))
        except ValueError:
            pass
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(inputs: Inputs) -> MemoryEstimate:
    """Refuse a scenario whose estimated peak exceeds the memory available.

    Raises
    ------
    MemoryLimitError
        ``not enough memory for N sources: …`` (the CLI exits with 3), before anything
        large is allocated.
    """
    est = estimate_memory(inputs)
    have = available_bytes()
    if have is not None and est.total_bytes > have:
        raise MemoryLimitError(
            est.n_sources,
            f"the plan needs {est.describe()}, {have / 2**30:.1f} GiB available; "
            "split the study area, lower location.service_radius_km or use a larger machine",
        )
    return est


def check_base_memory(n_sources: int, base_id: str, n_sites: int) -> None:
    """Refuse a base whose routing matrices would not fit in the memory available.

    Parameters
    ----------
    n_sources
        Sources in the scenario (for the message).
    base_id
        The base.
    n_sites
        Sites of its routing problem (the base and its stops).

    Raises
    ------
    MemoryLimitError
        Before the base's matrix is built.
    """
    need = BASE_BYTES + n_sites**2 * ROUTING_BYTES_PER_CELL
    have = available_bytes()
    if have is not None and need > have:
        raise MemoryLimitError(
            n_sources,
            f"base {base_id} has {n_sites - 1:,} stops; routing them needs about "
            f"{need / 2**30:.1f} GiB, {have / 2**30:.1f} GiB available; lower the outlets' "
            "capacities or the service radius so that the sources spread over more bases",
        )
