"""The closed loop added to stage 1's Pyomo model: grade flows, grading, revenues, carbon price.

:class:`LoopExtension` is handed to :func:`revlog.location.solve.solve_location`, which calls
:meth:`LoopExtension.add` on the built model and :meth:`LoopExtension.read` on the solution.
With second-life users in reach it adds

* ``sl_flow[l] ∈ [0, flow[l]]``: second-life-able tonnes among those forwarded over arc
  ``l`` (arcs into a user carry nothing else: ``sl_flow = flow`` there);
* ``sl_balance[f]`` at every transit outlet: second-life-able tonnes in (from the sources'
  grades and inbound ``sl_flow``) = out (to further outlets, the plant or users): only
  packs of that grade reach a user, and only through a storage outlet, where they are
  graded;
* ``grading[f]``: tonnes sent from storage outlet ``f`` to users ≤ grading throughput × y[f];

and replaces the objective by stage 1's plus the loop's linear terms
(:class:`~revlog.loop.problem.LoopProblem`). With no user in reach and no carbon price the
model is left exactly as it was, so the plan equals the plan without the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo

from revlog.location.model import group_indices
from revlog.location.problem import LocationProblem
from revlog.loop.problem import LoopProblem


@dataclass(frozen=True)
class LoopFlows:
    """The loop's decisions read from the solution.

    Attributes
    ----------
    sl_flow_t
        ``(n_forwarding,)`` second-life-able tonnes per year on each forwarding arc.
    """

    sl_flow_t: np.ndarray


class LoopExtension:
    """Adds the loop to a stage-1 model and reads its decisions back (see module docstring)."""

    def __init__(self, loop: LoopProblem) -> None:
        self.loop = loop
        self._problem: LocationProblem | None = None
        self._active = False

    def add(self, mdl: pyo.ConcreteModel, p: LocationProblem) -> None:
        """Add the grade rows and the loop's objective terms to a built model."""
        lp = self.loop
        self._problem = p
        self._active = (
            lp.has_second_life
            or lp.carbon_cny_per_kg > 0
            or bool(np.any(lp.arc_money_cny) or np.any(lp.fwd_money_cny_per_t))
        )
        if not self._active:
            return
        x = list(mdl.x.values())
        flow = list(mdl.flow.values())
        if lp.has_second_life:
            self._add_grades(mdl, p, x, flow)
        arc_obj = lp.arc_objective
        fwd_obj = lp.fwd_objective
        extra = sum(float(c) * x[a] for a, c in enumerate(arc_obj) if c) + sum(
            float(c) * flow[i] for i, c in enumerate(fwd_obj) if c
        )
        base = mdl.cost
        base.deactivate()
        mdl.loop_cost = pyo.Objective(expr=base.expr + extra, sense=pyo.minimize)

    def _add_grades(self, mdl: pyo.ConcreteModel, p: LocationProblem, x: list, flow: list) -> None:
        lp = self.loop
        sl_arc = lp.is_sl_arc
        mdl.sl_flow = pyo.Var(mdl.L, domain=pyo.NonNegativeReals)
        sl = list(mdl.sl_flow.values())
        mdl.sl_cap = pyo.Constraint(
            mdl.L, rule=lambda _, i: sl[i] == flow[i] if sl_arc[i] else sl[i] <= flow[i]
        )
        arcs_in = group_indices(p.arc_facility, p.n_facilities)
        fwd_in = group_indices(p.fwd_to, p.n_facilities)
        fwd_out = group_indices(p.fwd_from, p.n_facilities)
        grade_t = lp.second_life_t[p.arc_source]

        def balance(_: Any, f: int) -> Any:
            inflow = [float(grade_t[a]) * x[a] for a in arcs_in[f]] + [sl[i] for i in fwd_in[f]]
            out = [sl[i] for i in fwd_out[f]]
            if not inflow and not out:
                return pyo.Constraint.Skip
            return sum(inflow) - sum(out) == 0

        transit = [f for f in range(p.n_facilities) if not p.is_sink[f]]
        mdl.sl_balance = pyo.Constraint(transit, rule=balance)
        y = list(mdl.y.values())
        graders = [f for f in transit if any(sl_arc[i] for i in fwd_out[f])]

        def grading(_: Any, f: int) -> Any:
            sent = [flow[i] for i in fwd_out[f] if sl_arc[i]]
            return sum(sent) <= lp.grading_t_per_year * y[f]

        mdl.grading = pyo.Constraint(graders, rule=grading)

    def read(self, values: Callable[[Any, int], np.ndarray], mdl: pyo.ConcreteModel) -> LoopFlows:
        """The loop's decisions from the solved model (``values(component, size)``)."""
        p = self._problem
        assert p is not None
        if self._active and self.loop.has_second_life:
            sl = np.maximum(values(mdl.sl_flow, p.n_forwarding), 0.0)
            sl[sl < 1e-9] = 0.0
        else:
            sl = np.zeros(p.n_forwarding)
        return LoopFlows(sl_flow_t=sl)
