"""Independent check of a plan's visit cadence: every kg once, whole packs, stock, holding.

Restated from the plan's ``stops`` and ``routes`` tables and the scenario, without the
pipeline's cadence choice (:mod:`revlog.cadence` is used only for each source's pack
masses, the rule that turns tonnes into whole packs):

* every kg of every source is picked up once a year: the pickups of its visits (split
  visits' intact and damaged stops together), each counted as often as its run is driven,
  add up to the source's intact and damaged tonnes;
* under ``routing.cadence: by_stock``:

  - a visit picks up whole packs of the source (intact and damaged apart);
  - the stock at a source, which peaks just before a visit at what the visit picks up,
    stays within its storage (``storage_kg`` column, else ``routing.source_storage_kg``);
  - no pack waits longer than ``routing.max_holding_days``: a visit that follows the
    previous one (cyclically over the year, round starts ``365 / periods_per_year`` days
    apart plus the day of service) by more than that picks up no more packs than arrive in
    ``max_holding_days`` (the year's packs evenly spread, at least one).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from revlog.cadence import source_packs
from revlog.inputs import Inputs
from revlog.problems import site_of
from revlog.units import DAYS_PER_YEAR, HOURS_PER_DAY, KG_PER_T

_TOL_KG = 1e-6


def check_cadence(plan: Any, inputs: Inputs) -> list[str]:
    """List every way in which a plan's pickups break the cadence rules (module docstring).

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan`.
    inputs
        The prepared scenario it was solved from.

    Returns
    -------
    list of str
        One line per violation (without a stage prefix); empty when the pickups comply.
    """
    sc = inputs.scenario
    rt = sc.routing
    runs = plan.routes.set_index("run_id")
    times = runs["times_per_year"].astype(int).to_dict()
    rounds = runs["round"].astype(int).to_dict()
    bases = set(runs["base_id"].astype(str))
    # (source, round) -> [intact kg, damaged kg, first day] of its visit in that round (the
    # stops of a split or capacity-split visit together: the stock before the first of them)
    visits: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0, math.inf])
    year: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    errs: list[str] = []
    for s in plan.stops.itertuples(index=False):
        sid = site_of(str(s.node_id))
        rid = str(s.run_id)
        if sid in bases or rid not in times:
            continue
        a, b = float(s.pickup_intact_kg), float(s.pickup_damaged_kg)
        w = times[rid]
        year[sid][0] += a * w
        year[sid][1] += b * w
        day = math.floor(float(s.start_h) / HOURS_PER_DAY)
        v = visits[(sid, rounds[rid])]
        v[0] += a
        v[1] += b
        v[2] = min(v[2], day)
    src = inputs.sources.set_index("source_id")
    for sid, it, dt in zip(
        src.index.astype(str), src["intact_t_per_year"], src["damaged_t_per_year"], strict=True
    ):
        got = year.get(sid, [0.0, 0.0])
        for what, want, have in (("intact", it, got[0]), ("damaged", dt, got[1])):
            want_kg = float(want) * KG_PER_T
            if abs(have - want_kg) > max(_TOL_KG, 1e-6 * want_kg):
                errs.append(
                    f"source {sid}: {have:.6g} kg/year of {what} packs picked up, it hands "
                    f"over {want_kg:.6g}"
                )
    if rt.cadence != "by_stock":
        return errs
    packs = source_packs(sc, inputs.sources)
    gap_days = DAYS_PER_YEAR / rt.periods_per_year
    by_source: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for (sid, r), (a, b, day) in visits.items():
        sp = packs.get(sid)
        if sp is None:
            continue
        where = f"source {sid} in round {r + 1}"
        for what, kg, unit in (
            ("intact", a, sp.intact_pack_kg),
            ("damaged", b, sp.damaged_pack_kg),
        ):
            n = kg / unit if unit > 0 else (0.0 if kg <= _TOL_KG else math.inf)
            if abs(n - round(n)) > 1e-6:
                errs.append(
                    f"{where}: {kg:.6g} kg of {what} packs is not whole {unit:.6g} kg packs"
                )
        if a + b > sp.storage_kg + _TOL_KG:
            errs.append(
                f"{where}: stock of {a + b:.6g} kg before the visit exceeds its storage of "
                f"{sp.storage_kg:.6g} kg"
            )
        n_packs = (a / sp.intact_pack_kg if a > 0 else 0.0) + (
            b / sp.damaged_pack_kg if b > 0 else 0.0
        )
        by_source[sid].append((r * gap_days + day, n_packs, a + b))
    hold = rt.max_holding_days
    for sid, vs in by_source.items():
        vs.sort()
        fresh = max(1, math.ceil(packs[sid].packs * hold / DAYS_PER_YEAR - 1e-9))
        for j, (t, n, _) in enumerate(vs):
            before = vs[j - 1][0] - (DAYS_PER_YEAR if j == 0 else 0.0)
            if t - before > hold + 1e-6 and round(n) > fresh:
                errs.append(
                    f"source {sid}: {round(n)} packs picked up {t - before:.1f} days after the "
                    f"previous visit, more than the {fresh} that arrive within "
                    f"routing.max_holding_days = {hold:g}"
                )
    return errs
