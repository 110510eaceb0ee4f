"""The routing engines' integer units: the one place where a routing problem's floats
become integers.

Both engines work on integers; each gets its scales from here.

* **OR-Tools model and the constructive search** (:mod:`revlog.routing.ortools`,
  :mod:`revlog.routing.construct`): fixed units :data:`ORTOOLS_SCALES` — time in seconds,
  distance in metres, load in grams, cost in 1e-5 CNY. Travel and service times and loads
  are rounded *up* (:func:`up`), window and capacity limits *down* (:func:`down`), so every
  integer-feasible schedule is feasible in the float data; costs are rounded to the
  nearest unit (:func:`near`). The driver rules' integer form
  (:class:`~revlog.routing.construct.BreakRules`) is scaled once, by
  :func:`revlog.routing.ortools.int_break_rules`, and used by the OR-Tools model and the
  constructive scheduler alike.
* **PyVRP** (:mod:`revlog.routing.pyvrp_engine`): :func:`exact_scales` — the smallest
  power of ten per quantity that represents the problem exactly up to a precision cap
  (:func:`decimal_scale`), so benchmark instances are modelled exactly (Solomon tenths ×
  10, X integers × 1) and real problems to 0.01 CNY, about a second and 0.1 kg.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from revlog.units import M_PER_KM, S_PER_H

#: Largest integer any scaled matrix entry or sum may reach (PyVRP uses 64-bit ints).
INT_LIMIT = 2**52


@dataclass(frozen=True)
class IntScales:
    """Integer units per problem unit.

    Attributes
    ----------
    cost_per_cny
        Integer cost units per CNY.
    time_per_h
        Integer time units per hour.
    load_per_kg
        Integer load units per kg.
    dist_per_km
        Integer distance units per km.
    """

    cost_per_cny: int
    time_per_h: int
    load_per_kg: int
    dist_per_km: int = int(M_PER_KM)


#: OR-Tools' units: seconds, grams, 1e-5 CNY, metres.
ORTOOLS_SCALES = IntScales(
    cost_per_cny=100_000, time_per_h=int(S_PER_H), load_per_kg=1000, dist_per_km=int(M_PER_KM)
)


def up(x: float, scale: int) -> int:
    """``x × scale`` rounded up (durations, loads: never optimistic)."""
    return math.ceil(round(float(x) * scale, 6))


def down(x: float, scale: int) -> int:
    """``x × scale`` rounded down (limits: never generous)."""
    return math.floor(round(float(x) * scale, 6))


def near(x: float, scale: int) -> int:
    """``x × scale`` rounded to the nearest integer (costs)."""
    return round(float(x) * scale)


def up_array(x: np.ndarray, scale: int) -> np.ndarray:
    """Element-wise :func:`up` as ``int64``."""
    return np.ceil(np.round(np.asarray(x, dtype=float) * scale, 6)).astype(np.int64)


def decimal_scale(values: np.ndarray | Sequence[float], max_decimals: int) -> int:
    """Smallest power of ten that turns all values into integers, up to ``10**max_decimals``.

    Parameters
    ----------
    values
        Finite numbers (non-finite entries are ignored).
    max_decimals
        Precision cap: the returned scale is at most ``10**max_decimals``.

    Returns
    -------
    int
        ``10**k`` for the smallest ``k <= max_decimals`` with every ``value * 10**k``
        within ``1e-6`` of an integer, else ``10**max_decimals``; reduced when needed so
        that no scaled value exceeds :data:`INT_LIMIT`.
    """
    arr = np.asarray(values, dtype=float).ravel()
    arr = arr[np.isfinite(arr)]
    biggest = float(np.abs(arr).max()) if arr.size else 0.0
    k_max = max_decimals
    while k_max > 0 and biggest * 10**k_max * 10 > INT_LIMIT:
        k_max -= 1
    for k in range(k_max + 1):
        scaled = arr * 10**k
        if np.all(np.abs(scaled - np.rint(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled))):
            return 10**k
    return 10**k_max


def to_int(values: np.ndarray | Sequence[float] | float, scale: int) -> np.ndarray:
    """Scale and round to 64-bit integers (``rint(values * scale)``).

    Parameters
    ----------
    values
        Numbers in problem units.
    scale
        Integer units per problem unit (see :func:`decimal_scale`).

    Returns
    -------
    numpy.ndarray
        ``int64`` array of the same shape.
    """
    return np.rint(np.asarray(values, dtype=float) * scale).astype(np.int64)


#: Precision caps of :func:`exact_scales`: 0.01 CNY, 1e-4 h (capped at 1 s), 0.1 kg.
COST_DECIMALS, TIME_DECIMALS, LOAD_DECIMALS = 2, 4, 1


def exact_scales(money: np.ndarray, times: np.ndarray, loads: np.ndarray) -> IntScales:
    """PyVRP's scales for a problem: exact where the data allow, else the precision caps.

    Parameters
    ----------
    money, times, loads
        Every cost (CNY), time (h) and load (kg) of the problem, flattened.

    Returns
    -------
    IntScales
        ``dist_per_km`` is 1: PyVRP's distance is the cost matrix itself.
    """
    time_scale = min(decimal_scale(times, TIME_DECIMALS), int(S_PER_H))
    return IntScales(
        cost_per_cny=decimal_scale(money, COST_DECIMALS),
        time_per_h=time_scale,
        load_per_kg=decimal_scale(loads, LOAD_DECIMALS),
        dist_per_km=1,
    )
