"""The second-life (echelon-utilisation) users of a scenario.

With ``loop.enabled`` the users of the geodata's ``second_life.csv`` in the scenario's
regions (or the ids of ``loop.users``) become final destinations of kind ``second_life`` in
stage 1 (:func:`revlog.problems.location_problem`): storage outlets may line-haul graded
packs to them up to their yearly demand. Nothing here imports a solver or the problem
builders, so :mod:`revlog.inputs` and :mod:`revlog.problems` can use it.
"""

from __future__ import annotations

import pandas as pd

from revlog.errors import Problem
from revlog.geo.geodata import OPTIONAL_COLUMNS, Geodata
from revlog.scenario.schema import Scenario

#: Columns of the users table handed to the stages: the table's required ones and a name.
USER_COLUMNS = ["user_id", "name", *OPTIONAL_COLUMNS["second_life"][1:]]


def second_life_users(sc: Scenario, geodata: Geodata) -> pd.DataFrame:
    """The second-life users that take part in a scenario (empty when the loop is off).

    Parameters
    ----------
    sc
        The scenario (``loop.enabled``, ``loop.users``, ``loop.second_life_price_scale``,
        ``regions``).
    geodata
        Its geodata (``second_life`` table, None when the folder has none).

    Returns
    -------
    pandas.DataFrame
        :data:`USER_COLUMNS`, in table order; prices scaled by
        ``loop.second_life_price_scale``. Ids of ``loop.users`` that the table lacks are
        left out here and reported by :func:`loop_input_problems`.
    """
    table = geodata.second_life
    if not sc.loop.enabled or table is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in USER_COLUMNS})
    users = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    if "name" not in users.columns:
        users["name"] = users["user_id"]
    if sc.loop.users is None:
        users = users[users["province"].isin(sc.regions)]
    else:
        users = users[users["user_id"].isin(sc.loop.users)]
    users = users.assign(price_cny_per_t=users["price_cny_per_t"] * sc.loop.second_life_price_scale)
    return users[USER_COLUMNS].reset_index(drop=True)


def loop_input_problems(sc: Scenario, geodata: Geodata, scfile: str) -> list[Problem]:
    """What stops the closed loop of a scenario from being planned, as ``file:field: reason``.

    Unknown ids in ``loop.users``, users without a table, and grades without
    ``grading.csv`` or ``grading.second_life_share``.
    """
    if not sc.loop.enabled:
        return []
    found: list[Problem] = []
    table = geodata.second_life
    if sc.loop.users:
        known = set() if table is None else set(table["user_id"].astype(str))
        for i, uid in enumerate(sc.loop.users):
            if uid not in known:
                found.append(
                    Problem(
                        scfile,
                        f"loop.users.{i}",
                        f"unknown second-life user '{uid}' (not in {geodata.path}/second_life.csv)",
                    )
                )
    if geodata.grading is None and sc.grading.second_life_share is None:
        found.append(
            Problem(
                scfile,
                "grading.second_life_share",
                f"{geodata.path} has no grading.csv: give the second-life share of the "
                "intact tonnes here",
            )
        )
    return found
