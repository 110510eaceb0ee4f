"""Visit cadence: how often each source is visited and what each visit picks up (issue 17).

Solver-free, so that the pipeline and the independent checker (:mod:`revlog.check`)
derive the same visits from a scenario. Under ``routing.cadence: by_stock``:

* **Whole packs.** A source's yearly intact and damaged tonnes are counted in whole packs
  apart, ``max(1, round(kg / pack_mass_kg))`` each when there are any kg
  (:func:`whole_packs`); a pack of that source weighs its kg over its count, so every kg of
  the table is collected once and no visit carries a fraction of a pack.
* **A periodic plan over the year.** The year's ``periods_per_year`` rounds are routed one
  by one (no representative period): the pickup cost per year is the sum of the rounds.
* **Interval.** A source is visited every ``k``-th round, ``k`` a divisor of the rounds per
  year (the pattern closes over the year), the largest for which the oldest pack waits at
  most ``max_holding_days`` (``k × 365 / rounds + days_per_period``) and the largest pickup
  (the year's packs spread as evenly as possible over its visits) fits the source's storage
  (``storage_kg`` column, else ``routing.source_storage_kg``): the stock at a shop peaks
  just before a visit at what the visit picks up. Fewer visits are never dearer to drive
  (each visit costs its fixed service time and its detour), so the cadence is as sparse as
  the limits allow. A source that fills less than one pack in that interval is visited once
  per whole pack (the smallest ``k`` with at most as many visits as packs).
* **Rounds.** Each base's sources are given the round of their first visit so that the
  rounds carry about the same number of stops and kg (largest pickups first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from revlog.scenario.schema import Scenario
from revlog.units import DAYS_PER_YEAR, KG_PER_T


def whole_packs(kg: float, pack_mass_kg: float) -> int:
    """Whole packs that ``kg`` of retired packs make: the nearest count, at least 1 if any kg."""
    if kg <= 0:
        return 0
    return max(1, math.floor(kg / pack_mass_kg + 0.5))


def spread(packs: int, visits: int) -> list[int]:
    """``packs`` whole packs over ``visits`` visits as evenly as possible (later ones larger)."""
    return [(j + 1) * packs // visits - j * packs // visits for j in range(visits)]


def divisors(n: int) -> list[int]:
    """The divisors of ``n`` in increasing order."""
    return [d for d in range(1, n + 1) if n % d == 0]


@dataclass(frozen=True)
class SourcePacks:
    """One source's year in whole packs.

    Attributes
    ----------
    source_id
        The source.
    intact_packs, damaged_packs
        Whole packs per year.
    intact_pack_kg, damaged_pack_kg
        Mass of one of its intact / damaged packs, kg.
    storage_kg
        What the source can store, kg.
    """

    source_id: str
    intact_packs: int
    damaged_packs: int
    intact_pack_kg: float
    damaged_pack_kg: float
    storage_kg: float

    @property
    def packs(self) -> int:
        """Whole packs per year."""
        return self.intact_packs + self.damaged_packs

    def visit_loads(self, visits: int) -> list[tuple[int, int]]:
        """``(intact, damaged)`` packs of each of ``visits`` visits a year (every pack once)."""
        total = spread(self.packs, visits)
        damaged = spread(self.damaged_packs, visits)
        return [(t - d, d) for t, d in zip(total, damaged, strict=True) if t > 0]

    def kg(self, intact: int, damaged: int) -> float:
        """Mass of ``intact`` + ``damaged`` of its packs, kg."""
        return intact * self.intact_pack_kg + damaged * self.damaged_pack_kg


@dataclass(frozen=True)
class Visit:
    """One visit of a source in one round of the year.

    Attributes
    ----------
    source_id
        The source.
    round
        Round of the year (0-based).
    intact_packs, damaged_packs
        Whole packs picked up.
    intact_kg, damaged_kg
        Their mass, kg.
    """

    source_id: str
    round: int
    intact_packs: int
    damaged_packs: int
    intact_kg: float
    damaged_kg: float


def source_packs(sc: Scenario, sources: pd.DataFrame) -> dict[str, SourcePacks]:
    """Every source's whole packs per year, pack masses and storage.

    Parameters
    ----------
    sc
        The scenario (``routing.pack_mass_kg``, ``routing.source_storage_kg``).
    sources
        The prepared sources table (``intact_t_per_year``, ``damaged_t_per_year``, optional
        ``storage_kg``).

    Returns
    -------
    dict
        Source id → :class:`SourcePacks`.
    """
    rt = sc.routing
    out = {}
    storage = (
        sources["storage_kg"].to_numpy(float)
        if "storage_kg" in sources.columns
        else np.full(len(sources), np.nan)
    )
    for sid, it, dt, st in zip(
        sources["source_id"].astype(str),
        sources["intact_t_per_year"].to_numpy(float),
        sources["damaged_t_per_year"].to_numpy(float),
        storage,
        strict=True,
    ):
        ikg, dkg = it * KG_PER_T, dt * KG_PER_T
        ip, dp = whole_packs(ikg, rt.pack_mass_kg), whole_packs(dkg, rt.pack_mass_kg)
        out[sid] = SourcePacks(
            sid,
            ip,
            dp,
            ikg / ip if ip else 0.0,
            dkg / dp if dp else 0.0,
            float(st) if np.isfinite(st) else rt.source_storage_kg,
        )
    return out


def interval_rounds(sp: SourcePacks, sc: Scenario) -> int:
    """Rounds between two visits of a source (see the module docstring); 0: never visited."""
    rt = sc.routing
    rounds = rt.periods_per_year
    if sp.packs == 0:
        return 0
    ks = divisors(rounds)
    gap_days = DAYS_PER_YEAR / rounds
    held = [k for k in ks if k * gap_days + rt.days_per_period <= rt.max_holding_days + 1e-9]
    k = 1
    for cand in sorted(held, reverse=True):
        loads = sp.visit_loads(rounds // cand)
        if max(sp.kg(i, d) for i, d in loads) <= sp.storage_kg + 1e-9:
            k = cand
            break
    if sp.packs < rounds // k:  # less than a pack per interval: one visit per whole pack
        k = min(d for d in ks if rounds // d <= sp.packs)
    return k


def visits_per_year(sc: Scenario, sources: pd.DataFrame) -> dict[str, int]:
    """Visits a year of every source: the rounds per year under ``every_round``."""
    rounds = sc.routing.periods_per_year
    if sc.routing.cadence == "every_round":
        return {str(s): rounds for s in sources["source_id"]}
    packs = source_packs(sc, sources)
    out = {}
    for sid, sp in packs.items():
        k = interval_rounds(sp, sc)
        out[sid] = len(sp.visit_loads(rounds // k)) if k else 0
    return out


def base_visits(sc: Scenario, sources: pd.DataFrame, source_ids: list[str]) -> list[Visit]:
    """The year's visits of one base's sources, their first rounds balanced over the year.

    Parameters
    ----------
    sc
        The scenario.
    sources
        The prepared sources table.
    source_ids
        The sources of the base (any order: the result depends on the set only).

    Returns
    -------
    list of Visit
        Sorted by round, then source id.
    """
    rounds = sc.routing.periods_per_year
    packs = source_packs(sc, sources[sources["source_id"].astype(str).isin(set(source_ids))])
    plans = []
    for sid in sorted(set(map(str, source_ids))):
        sp = packs[sid]
        k = interval_rounds(sp, sc)
        if k:
            loads = sp.visit_loads(rounds // k)
            plans.append((sp, k, loads, [sp.kg(i, d) for i, d in loads]))
    plans.sort(key=lambda p: (-max(p[3]), p[0].source_id))
    stops = np.zeros(rounds)
    kg = np.zeros(rounds)
    visits: list[Visit] = []
    for sp, k, loads, kgs in plans:
        # k visits of a source are len(loads) = rounds / k visits, one every k rounds
        def key(o: int, k: int = k, kgs: list[float] = kgs) -> tuple[float, float, int]:
            r = o + k * np.arange(len(kgs))
            return (float((stops[r] + 1).max()), float((kg[r] + np.array(kgs)).max()), o)

        first = min(range(k), key=key)
        for j, ((i, d), m) in enumerate(zip(loads, kgs, strict=True)):
            r = first + j * k
            stops[r] += 1
            kg[r] += m
            visits.append(
                Visit(sp.source_id, r, i, d, i * sp.intact_pack_kg, d * sp.damaged_pack_kg)
            )
    visits.sort(key=lambda v: (v.round, v.source_id))
    return visits
