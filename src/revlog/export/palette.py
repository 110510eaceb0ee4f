"""Colours of a plan's bases, shared by the interactive map and the static overview.

The colours come from one deterministic sequence, built like Glasbey et al.'s palettes
(Glasbey, Heijden, Toh & Gray 2007, "Colour displays for categorical images"): from a
grid of sRGB colours of medium lightness and clear chroma (no greys, nothing too pale to
see on a light background or too dark to tell from black line-hauls), each next colour is
the one farthest, in the OKLab colour space (Ottosson 2020; Euclidean distance ≈
perceptual difference), from all colours picked before it and from the colours the maps
reserve (white and the offline grey background, the grey of the assignments, the black
of the line-hauls and the plant). So a plan with *N* bases uses the *N* most distinct
colours of the sequence, and no colour repeats for any *N* up to :data:`MAX_COLOURS`.

:func:`assign_colours` then gives those colours to the bases so that bases close to each
other on the ground (for a plan: whose runs come close, :func:`plan_base_colours`) get
colours far apart: crowded bases first, each taking the free colour whose distance to
the colours of the bases already placed, plus a bonus for how far away those bases are,
is largest.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "KIND_COLOURS",
    "MAX_COLOURS",
    "RESERVED",
    "assign_colours",
    "colour_distance",
    "colour_sequence",
    "plan_base_colours",
]

#: Outlet kinds: marker colours on the map and in the overview.
KIND_COLOURS: dict[str, str] = {"plant": "#000000", "storage": "#8B0000", "collection": "#1B5E20"}
#: Colours the maps already use for other things; base colours keep away from them.
RESERVED: tuple[str, ...] = (
    "#FFFFFF",
    "#DDDDDD",
    "#777777",
    "#999999",
    "#000000",
    *KIND_COLOURS.values(),
)
#: Lightness (OKLab L) and chroma bounds of the candidate colours.
L_RANGE = (0.42, 0.80)
MIN_CHROMA = 0.07
#: Levels per sRGB channel of the candidate grid (24³ = 13,824 candidates).
GRID_LEVELS = 24
#: Length of the sequence (far more bases than a plan has).
MAX_COLOURS = 256
#: How much 1 km between two bases counts against their colour difference (OKLab units):
#: bases 500 km apart are treated as 0.3 farther apart in colour, more than any two
#: colours of the sequence differ, so only neighbours within a few hundred km compete.
KM_WEIGHT = 0.3 / 500.0


def _srgb_to_linear(c: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def oklab(rgb: NDArray[np.float64]) -> NDArray[np.float64]:
    """sRGB in 0..1 (``(..., 3)``) to OKLab ``(L, a, b)`` (Ottosson 2020)."""
    lin = _srgb_to_linear(np.asarray(rgb, dtype=float))
    m1 = np.array(
        [
            [0.4122214708, 0.5363325363, 0.0514459929],
            [0.2119034982, 0.6806995451, 0.1073969566],
            [0.0883024619, 0.2817188376, 0.6299787005],
        ]
    )
    m2 = np.array(
        [
            [0.2104542553, 0.7936177850, -0.0040720468],
            [1.9779984951, -2.4285922050, 0.4505937099],
            [0.0259040371, 0.7827717662, -0.8086757660],
        ]
    )
    return np.cbrt(lin @ m1.T) @ m2.T


def _hex_to_rgb(colour: str) -> NDArray[np.float64]:
    h = colour.lstrip("#")
    return np.array([int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4)])


def _rgb_to_hex(rgb: NDArray[np.float64]) -> str:
    return "#" + "".join(f"{round(float(c) * 255):02X}" for c in rgb)


def colour_distance(a: str, b: str) -> float:
    """Perceptual difference of two ``#RRGGBB`` colours: Euclidean distance in OKLab.

    About 0.02 is just noticeable side by side; the old palette's ``#0072B2`` and
    ``#1F77B4`` differ by 0.04, the first ten colours of :func:`colour_sequence` by at
    least 0.17.
    """
    return float(np.linalg.norm(oklab(_hex_to_rgb(a)) - oklab(_hex_to_rgb(b))))


@functools.cache
def _sequence(n: int) -> tuple[str, ...]:
    levels = np.linspace(0.0, 1.0, GRID_LEVELS)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    lab = oklab(grid)
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    keep = (lab[:, 0] >= L_RANGE[0]) & (lab[:, 0] <= L_RANGE[1]) & (chroma >= MIN_CHROMA)
    grid, lab = grid[keep], lab[keep]
    reserved = oklab(np.array([_hex_to_rgb(c) for c in RESERVED]))
    nearest = np.min(np.linalg.norm(lab[:, None, :] - reserved[None, :, :], axis=2), axis=1)
    picked: list[str] = []
    for _ in range(min(n, len(grid))):
        i = int(np.argmax(nearest))  # first of equals: deterministic
        picked.append(_rgb_to_hex(grid[i]))
        nearest = np.minimum(nearest, np.linalg.norm(lab - lab[i], axis=1))
    return tuple(picked)


def colour_sequence(n: int) -> list[str]:
    """The first ``n`` colours of the base-colour sequence (``#RRGGBB``), all different.

    Raises
    ------
    ValueError
        If ``n`` exceeds :data:`MAX_COLOURS`.
    """
    if n > MAX_COLOURS:
        raise ValueError(f"at most {MAX_COLOURS} distinct base colours, asked for {n}")
    return list(_sequence(max(n, 0)))


def _points(value: Any) -> NDArray[np.float64]:
    """``(lon, lat)`` or a sequence of them as an ``(n, 2)`` array of radians."""
    arr = np.asarray(value, dtype=float).reshape(-1, 2)
    return np.radians(arr)


def _km(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Least great-circle distance between two point sets (radians), km."""
    lon1, lat1 = a[:, None, 0], a[:, None, 1]
    lon2, lat2 = b[None, :, 0], b[None, :, 1]
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))).min())


def assign_colours(
    ids: Sequence[str], positions: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """A colour per id, all different; neighbours on the ground get far-apart colours.

    Parameters
    ----------
    ids
        Base ids (duplicates ignored).
    positions
        ``{id: (lon, lat)}`` or ``{id: [(lon, lat), ...]}`` — a base's point, or the
        points its runs reach (then two bases are as close as their nearest points).
        Ids without a position, or all ids if ``None``, take the sequence's colours in
        sorted-id order after the placed ones.

    Returns
    -------
    dict
        ``{id: "#RRGGBB"}`` in sorted-id order; the same input always gives the same
        colours.
    """
    unique = sorted(set(ids))
    palette = colour_sequence(len(unique))
    lab = {c: oklab(_hex_to_rgb(c)) for c in palette}
    pos = {i: _points(positions[i]) for i in unique if positions and i in positions}
    pos = {i: p for i, p in pos.items() if len(p)}
    placed = [i for i in unique if i in pos]
    km = {(i, j): _km(pos[i], pos[j]) for i in placed for j in placed if i < j}

    def dist(i: str, j: str) -> float:
        return km[(i, j) if i < j else (j, i)]

    def crowding(i: str) -> tuple[float, str]:
        others = [dist(i, j) for j in placed if j != i]
        return (min(others) if others else math.inf, i)

    order = sorted(placed, key=crowding) + [i for i in unique if i not in pos]
    free = list(palette)
    out: dict[str, str] = {}
    for i in order:
        done = [j for j in out if j in pos] if i in pos else []
        if not done:
            choice = free[0]
        else:

            def score(c: str, i: str = i, done: list[str] = done) -> float:
                return min(
                    float(np.linalg.norm(lab[c] - lab[out[j]])) + KM_WEIGHT * dist(i, j)
                    for j in done
                )

            choice = max(free, key=score)  # first of equals (sequence order)
        out[i] = choice
        free.remove(choice)
    return {i: out[i] for i in unique}


def plan_base_colours(plan: object) -> dict[str, str]:
    """The colours of a plan's bases (the ``base_id`` of its runs).

    Two bases count as close as the nearest points of their runs (the base and every
    stop), so bases whose runs meet or interleave get colours far apart.

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan`.

    Returns
    -------
    dict
        ``{base_id: "#RRGGBB"}``, sorted by id.
    """
    routes = plan.routes  # type: ignore[attr-defined]
    outlets = plan.outlets  # type: ignore[attr-defined]
    stops = plan.stops  # type: ignore[attr-defined]
    ids = [str(b) for b in routes["base_id"]]
    points: dict[str, set[tuple[float, float]]] = {b: set() for b in ids}
    for s, p in zip(outlets["site_id"], outlets.geometry, strict=True):
        if str(s) in points and p is not None and not p.is_empty:
            points[str(s)].add((round(float(p.x), 4), round(float(p.y), 4)))
    base_of = dict(zip(routes["run_id"], routes["base_id"], strict=True))
    for run, p in zip(stops["run_id"], stops.geometry, strict=True):
        base = base_of.get(run)
        if base is not None and p is not None and not p.is_empty:
            points[str(base)].add((round(float(p.x), 4), round(float(p.y), 4)))
    positions = {b: sorted(v) for b, v in points.items() if v}
    return assign_colours(ids, positions)
