"""Stage 1's MILP built straight into sparse arrays (no Pyomo objects), for large problems.

The same rows, columns, bounds and objective as the Pyomo formulation of
:mod:`revlog.location.model` (its docstring lists them), built with numpy in a few vector
operations: columns ``x[a]`` (assignment arcs), then ``y[f]`` (facilities), then ``flow[l]``
(forwarding arcs), as Pyomo declares them. ``tests/test_location_arrays.py`` proves that
both builds give the same :class:`~revlog.location.bridge.LinearForm` (rows in any order).

Why: with 5,000 sources (177,000 arcs) building the Pyomo model and reading it back took
longer than HiGHS's solve (``bench/scale.py``); this build takes well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from revlog.location.bridge import LinearForm
from revlog.location.model import ModelOptions, effective_capacity_t
from revlog.location.problem import LocationProblem

__all__ = ["Column", "array_form"]


@dataclass(frozen=True)
class Column:
    """A column of an array-built model, named as Pyomo names the variable (``x[3]``)."""

    name: str


class _Rows:
    """Sparse rows gathered as (row, column, value) triplets with their bounds."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.n = 0

    def add(self, rows, cols, vals, lo, hi) -> None:
        """Append rows numbered ``0..len(lo)-1`` locally (``rows`` index into them)."""
        lo = np.atleast_1d(np.asarray(lo, dtype=float))
        self.r.append(np.asarray(rows, dtype=np.int64) + self.n)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.asarray(vals, dtype=float))
        self.lo.append(lo)
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=float), lo.shape).copy())
        self.n += len(lo)

    def matrix(self, n_cols: int) -> tuple[sp.csc_array, np.ndarray, np.ndarray]:
        r, c, v = (np.concatenate(z) for z in (self.r, self.c, self.v))
        a = sp.csc_array((v, (r, c)), shape=(self.n, n_cols))
        a.sum_duplicates()
        return a, np.concatenate(self.lo), np.concatenate(self.hi)


def array_form(problem: LocationProblem, options: ModelOptions | None = None) -> LinearForm:
    """The location MILP as arrays: exactly what ``linear_form(build_model(problem))`` gives.

    Parameters
    ----------
    problem
        The location problem.
    options
        Strengthening switches (default: all on).

    Returns
    -------
    LinearForm
        Columns are :class:`Column` names ``x[a]``, ``y[f]``, ``flow[l]`` in that order.
    """
    opts = options or ModelOptions()
    p = problem
    n, m, k, nl = p.n_sources, p.n_facilities, p.n_arcs, p.n_forwarding
    cap = effective_capacity_t(p, tighten=opts.tighten_capacity)
    jy = k + np.arange(m)
    jf = k + m + np.arange(nl)
    n_cols = k + m + nl
    a_s, a_f = p.arc_source.astype(np.int64), p.arc_facility.astype(np.int64)
    f_from, f_to = p.fwd_from.astype(np.int64), p.fwd_to.astype(np.int64)
    supply = p.arc_supply_t
    rows = _Rows()

    # assign[s]: Σ x = 1 over the sources with arcs or supply
    has_arc = np.bincount(a_s, minlength=n) > 0
    served = np.flatnonzero(has_arc | (p.supply_t > 0))
    pos = np.full(n, -1)
    pos[served] = np.arange(len(served))
    keep = pos[a_s] >= 0
    rows.add(pos[a_s[keep]], np.flatnonzero(keep), np.ones(keep.sum()), np.ones(len(served)), 1.0)
    # link[a]: x[a] - y[f(a)] <= 0
    ar = np.arange(k)
    rows.add(np.r_[ar, ar], np.r_[ar, jy[a_f]], np.r_[np.ones(k), -np.ones(k)],
             np.full(k, -np.inf), 0.0)  # fmt: skip
    # capacity[f]: inbound - cap y <= 0 where anything comes in
    has_in = (np.bincount(a_f, minlength=m) + np.bincount(f_to, minlength=m)) > 0
    cf = np.flatnonzero(has_in)
    cpos = np.full(m, -1)
    cpos[cf] = np.arange(len(cf))
    rows.add(
        np.r_[cpos[a_f], cpos[f_to], cpos[cf]],
        np.r_[ar, jf, jy[cf]],
        np.r_[supply, np.ones(nl), -cap[cf]],
        np.full(len(cf), -np.inf),
        0.0,
    )
    # balance[f] at transit facilities: inbound - outbound = 0
    transit = ~p.is_sink
    has_any = has_in | (np.bincount(f_from, minlength=m) > 0)
    bf = np.flatnonzero(transit & has_any)
    bpos = np.full(m, -1)
    bpos[bf] = np.arange(len(bf))
    sel_a, sel_in, sel_out = bpos[a_f] >= 0, bpos[f_to] >= 0, bpos[f_from] >= 0
    rows.add(
        np.r_[bpos[a_f[sel_a]], bpos[f_to[sel_in]], bpos[f_from[sel_out]]],
        np.r_[ar[sel_a], jf[sel_in], jf[sel_out]],
        np.r_[supply[sel_a], np.ones(sel_in.sum()), -np.ones(sel_out.sum())],
        np.zeros(len(bf)),
        0.0,
    )
    _policy_rows(rows, p, jy)
    if opts.aggregate_cut and p.total_supply_t > 0:
        sinks = np.flatnonzero(p.is_sink)
        rows.add(np.zeros(len(sinks)), jy[sinks], cap[sinks], [p.total_supply_t], np.inf)
        if nl:
            first = np.unique(a_f)
            rows.add(np.zeros(len(first)), jy[first], cap[first], [p.total_supply_t], np.inf)
    a, lo, hi = rows.matrix(n_cols)
    rw = float(p.risk_weight)
    cost = np.concatenate(
        [
            p.arc_cost_cny + rw * p.arc_exposure,
            p.fixed_cost_cny.astype(float),
            p.fwd_cost_cny_per_t + rw * p.fwd_exposure_per_t,
        ]
    )
    names = (
        [f"x[{i}]" for i in range(k)] + [f"y[{i}]" for i in range(m)]
        + [f"flow[{i}]" for i in range(nl)]
    )  # fmt: skip
    return LinearForm(
        columns=[Column(s) for s in names],
        cost=cost,
        offset=0.0,
        a_matrix=a,
        row_lower=lo,
        row_upper=hi,
        lower=np.concatenate([np.zeros(k), p.forced_open.astype(float), np.zeros(nl)]),
        upper=np.concatenate([np.ones(k + m), np.full(nl, np.inf)]),
        integer=np.concatenate(
            [np.full(k, bool(p.single_source)), np.ones(m, bool), np.zeros(nl, bool)]
        ),
    )


def _policy_rows(rows: _Rows, p: LocationProblem, jy: np.ndarray) -> None:
    """One collection outlet per prefecture with supply, the budget, the outlet cap."""
    m = p.n_facilities
    if p.require_collection_per_prefecture:
        prefs = sorted(
            {str(q) for q, w in zip(p.source_prefecture, p.supply_t, strict=True) if w > 0}
        )
        for q in prefs:
            coll = [
                f for f in range(m)
                if p.facility_kind[f] == "collection" and str(p.facility_prefecture[f]) == q
            ]  # fmt: skip
            # an empty prefecture makes the model infeasible: an empty row 0 >= 1
            rows.add(np.zeros(len(coll)), jy[coll], np.ones(len(coll)), [1.0], np.inf)
    if p.budget_cny is not None:
        rows.add(np.zeros(m), jy, p.fixed_cost_cny, [-np.inf], float(p.budget_cny))
    if p.max_outlets is not None:
        outlets = np.flatnonzero(p.is_outlet)
        rows.add(np.zeros(len(outlets)), jy[outlets], np.ones(len(outlets)), [-np.inf],
                 float(p.max_outlets))  # fmt: skip
