"""Deterministic search budgets: work units derived from a time limit, the clock a safety net.

A search stopped by the wall clock gives different answers on a loaded and an idle machine.
revlog's routing searches stop on *work* instead: a time limit is turned into a number of
work units with the rates below (measured on a 2-core machine of this project's kind, then
halved, so that the work normally ends well inside the limit), and the wall clock only stops
a search that is still running when the limit has passed. Then the same input and seed give
the same plan on any machine load; a :class:`Budget` records when the clock cut in
(:attr:`Budget.clock_hit`), and the plan says so (``meta["routing"][base]["clock_hit"]``).

Rates (work units per second), measured with ``bench/budget_rates.py`` on the 61 bases of
the shipped scenarios, as shipped and with one-day runs (``bench/results/budget_rates.csv``,
2 shared cores, load about 2), and set at about half the median:

* :data:`PYVRP_CLIENT_ITERATIONS_PER_S` — PyVRP iterations × clients per second (an
  iteration's cost grows about linearly with the number of clients): median 93,000,
  slowest 44,000;
* :data:`SCHEDULE_CHECKS_PER_S` — exact schedule simulations of the constructive search's
  improvement moves (:mod:`revlog.routing.construct`): median 9,800;
* :data:`ORTOOLS_SOLUTIONS_PER_S` — units of OR-Tools' ``solution_limit`` per second of its
  guided local search: about 45 on a 4-stop base, fewer on larger ones.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

#: PyVRP iterations × clients per second (measured: median 93,000).
PYVRP_CLIENT_ITERATIONS_PER_S = 45_000
#: Exact schedule simulations per second in the improvement moves (measured: median 9,800).
SCHEDULE_CHECKS_PER_S = 5_000
#: Units of OR-Tools' solution limit per second (measured: about 45 on a small base).
ORTOOLS_SOLUTIONS_PER_S = 20


def pyvrp_iterations(seconds: float, n_clients: int) -> int:
    """PyVRP iterations that fit ``seconds`` on a problem of ``n_clients`` clients."""
    return max(1, int(seconds * PYVRP_CLIENT_ITERATIONS_PER_S / max(1, n_clients)))


def ortools_solutions(seconds: float) -> int:
    """Solutions OR-Tools' local search may accept in ``seconds``."""
    return max(1, int(seconds * ORTOOLS_SOLUTIONS_PER_S))


@dataclass
class Budget:
    """A number of work units, and a wall-clock deadline as the safety net.

    Parameters
    ----------
    work
        Work units allowed (``None``: no work limit).
    seconds
        Wall-clock safety net from now, s (``None``: none).

    Attributes
    ----------
    used
        Work units spent so far.
    clock_hit
        Whether the safety net stopped the work (the result may then depend on the machine).
    """

    work: int | None
    seconds: float | None = None
    used: int = 0
    clock_hit: bool = False
    _deadline: float = field(default=math.inf, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.seconds is not None:
            self._deadline = time.perf_counter() + max(0.0, self.seconds)

    @classmethod
    def schedule_checks(cls, seconds: float, safety_s: float | None = None) -> Budget:
        """The schedule checks of ``seconds`` of work; the clock stops at ``safety_s``
        (default ``seconds``)."""
        work = max(1, int(seconds * SCHEDULE_CHECKS_PER_S))
        return cls(work=work, seconds=seconds if safety_s is None else safety_s)

    def spend(self, units: int = 1) -> None:
        """Count ``units`` of work done."""
        self.used += units

    @property
    def exhausted(self) -> bool:
        """Whether the work is used up (or, as a safety net, the deadline passed)."""
        if self.work is not None and self.used >= self.work:
            return True
        if time.perf_counter() >= self._deadline:
            self.clock_hit = True
            return True
        return False
