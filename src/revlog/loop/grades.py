"""Every source's yearly tonnes split into grades: second-life-able, recycle-only, damaged.

The second-life-able share of a source's *intact* tonnes comes from, in this order: the
scenario's ``grading.second_life_share``, the sources table's ``second_life_share`` column,
the geodata's ``grading.csv`` row for the source's kind (0 for a kind it lacks). Damaged
packs are recycle-only (they never go to second life).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revlog.geo.geodata import Geodata
from revlog.scenario.schema import Scenario

#: Columns of :func:`source_grades`.
GRADE_COLUMNS = [
    "source_id",
    "supply_t_per_year",
    "damaged_t_per_year",
    "second_life_share",
    "second_life_t_per_year",
    "recycle_t_per_year",
]


def second_life_share(sc: Scenario, geodata: Geodata, sources: pd.DataFrame) -> np.ndarray:
    """Share of each source's intact tonnes that is second-life-able (0–1)."""
    n = len(sources)
    if sc.grading.second_life_share is not None:
        return np.full(n, float(sc.grading.second_life_share))
    if "second_life_share" in sources.columns:
        return sources["second_life_share"].to_numpy(float)
    table = geodata.grading
    if table is None:
        return np.zeros(n)
    by_kind = dict(zip(table["kind"], table["second_life_share_of_intact"], strict=True))
    return np.array([float(by_kind.get(k, 0.0)) for k in sources["kind"]], dtype=float)


def source_grades(sc: Scenario, geodata: Geodata, sources: pd.DataFrame) -> pd.DataFrame:
    """The grades of every source, t/year (:data:`GRADE_COLUMNS`).

    ``second_life_t = share × intact t``; ``recycle_t = intact t − second_life_t`` (the
    damaged tonnes are a third grade, recycle-only as well); the three add up to the supply.
    """
    share = second_life_share(sc, geodata, sources)
    intact = sources["intact_t_per_year"].to_numpy(float)
    sl = share * intact
    return pd.DataFrame(
        {
            "source_id": sources["source_id"].astype(str).to_numpy(),
            "supply_t_per_year": sources["supply_t_per_year"].to_numpy(float),
            "damaged_t_per_year": sources["damaged_t_per_year"].to_numpy(float),
            "second_life_share": share,
            "second_life_t_per_year": sl,
            "recycle_t_per_year": intact - sl,
        }
    )
