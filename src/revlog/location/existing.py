"""What each existing outlet the design keeps open costs against closing it (stage 1 terms).

For every existing outlet that is open in a design, stage 1 is solved again with that
outlet shut (every other decision free, its closing cost counted); the difference of the two
objectives is what keeping it costs per year: positive when closing it would save money.
The figures are stage 1's (first mile per t·km, line-hauls as the location model prices
them), not a routed plan's.
"""

from __future__ import annotations

import numpy as np

from revlog.errors import LocationInfeasibleError, LocationNoSolutionError
from revlog.location.solve import NetworkDesign, solve_location

#: Shortest time worth a re-solve, s.
MIN_RESOLVE_S = 0.2


def keep_costs_cny(
    design: NetworkDesign, existing: np.ndarray, time_limit_s: float, seed: int = 0
) -> dict[str, float]:
    """Stage-1 cost of keeping each open existing outlet rather than closing it, CNY/year.

    Parameters
    ----------
    design
        The solved design.
    existing
        ``(n_facilities,)`` mask of the existing outlets.
    time_limit_s
        Time for all re-solves, s (shared equally; an outlet gets ``nan`` when its share is
        below :data:`MIN_RESOLVE_S`).
    seed
        HiGHS seed.

    Returns
    -------
    dict of str to float
        ``design objective - objective with the outlet closed`` per open existing outlet
        (positive: closing it would save that much); ``nan`` when the problem cannot do
        without it (infeasible, or no design within the time limit).
    """
    p = design.problem
    out: dict[str, float] = {}
    kept = np.flatnonzero(np.asarray(existing, dtype=bool) & design.open_mask & p.is_outlet)
    share_s = time_limit_s / max(1, len(kept))
    for f in kept:
        if share_s < MIN_RESOLVE_S:
            out[str(p.facility_ids[f])] = float("nan")
            continue
        forced, closed = p.forced_open.copy(), p.forced_closed.copy()
        forced[f], closed[f] = False, True
        try:
            alt = solve_location(
                p.with_policy(forced_open=forced, forced_closed=closed),
                time_limit_s=share_s,
                seed=seed,
            )
        except (LocationInfeasibleError, LocationNoSolutionError, KeyboardInterrupt):
            out[str(p.facility_ids[f])] = float("nan")
            continue
        out[str(p.facility_ids[f])] = design.objective_cny - alt.objective_cny
    return out
