"""Ctrl-C during stage 2: an OR-Tools search stops with its best runs instead of being lost.

Beside :mod:`revlog.routing.ortools` because it hooks into its ``RoutingModel`` searches.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
from collections.abc import Callable
from typing import Any

from revlog.errors import RoutingInfeasibleError, SolveInterruptedError
from revlog.routing.problem import RoutingProblem
from revlog.routing.solution import RoutingSolution

#: Time limit of the quick constructive runs a base gets after Ctrl-C, s.
INTERRUPTED_BASE_TIME_S = 1.0


class RoutingInterrupts:
    """Ctrl-C during stage 2: OR-Tools' search stops with its best runs, others raise.

    OR-Tools holds the interpreter lock while it searches, so Python sees a SIGINT only
    when OR-Tools calls back into it. Inside this block every OR-Tools routing search
    calls back at each solution it finds (``AddAtSolutionCallback``), and the SIGINT
    handler, which then runs, asks the search to stop (``RoutingModel.CancelSearch``):
    OR-Tools returns its best solution so far. Outside an OR-Tools search (PyVRP's loop,
    the construction heuristics) the handler raises ``KeyboardInterrupt`` as usual.
    :attr:`pressed` says whether Ctrl-C came. Off the main thread (a Dask worker) signals
    cannot be caught and the block does nothing.
    """

    def __init__(self) -> None:
        self.pressed = False
        self._searching = 0
        self._saved: dict[str, Any] = {}
        self._handler: Any = None

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.pressed = True
        if not self._searching:
            raise KeyboardInterrupt

    def _wrap(self, solve: Callable[..., Any]) -> Callable[..., Any]:
        state = self

        def stoppable(model: Any, *args: Any) -> Any:
            model.AddAtSolutionCallback(lambda: state.pressed and model.CancelSearch())
            state._searching += 1
            try:
                return solve(model, *args)
            finally:
                state._searching -= 1

        return stoppable

    def __enter__(self) -> RoutingInterrupts:
        if threading.current_thread() is not threading.main_thread():
            return self
        from ortools.constraint_solver import pywrapcp

        cls = pywrapcp.RoutingModel
        for name in ("SolveWithParameters", "SolveFromAssignmentWithParameters"):
            self._saved[name] = cls.__dict__[name]
            setattr(cls, name, self._wrap(self._saved[name]))
        self._handler = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handler is not None:
            signal.signal(signal.SIGINT, self._handler)
            self._handler = None
        if self._saved:
            from ortools.constraint_solver import pywrapcp

            for name, fn in self._saved.items():
                setattr(pywrapcp.RoutingModel, name, fn)
            self._saved.clear()


def quick_runs(rp: RoutingProblem, seed: int) -> RoutingSolution:
    """Constructive runs for a base after Ctrl-C (OR-Tools' start, a short search)."""
    from revlog.routing.ortools import solve_ortools

    try:
        sol = solve_ortools(rp, time_limit_s=INTERRUPTED_BASE_TIME_S, seed=seed)
    except RoutingInfeasibleError as exc:
        raise SolveInterruptedError(
            "routing", f"the quick runs of base {rp.name} failed: {exc}"
        ) from None
    except KeyboardInterrupt:
        raise SolveInterruptedError(
            "routing", f"interrupted again while base {rp.name} got its quick runs"
        ) from None
    return dataclasses.replace(
        sol,
        status="interrupted",
        notes=[*sol.notes, "Ctrl-C: quick constructive runs instead of the full search"],
    )
