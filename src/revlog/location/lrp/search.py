"""A generic search over network designs whose candidates are priced by routing them.

A design is a set of open sites (and, inside the evaluator, the assignment of the
demand to them). The search starts from designs proposed elsewhere (the location MILP),
then walks the *open*, *close* and *swap* neighbourhood of the current design: the
neighbours allowed by ``admissible`` are ranked by a cheap ``estimate`` and evaluated in
that order by the ``evaluate`` callback (which routes the design on a short budget and
returns its realised total); the first that beats the current design becomes the current
one (first improvement against the best so far). At a local optimum the ``refine``
callback (reassignment of demand between the open sites, e.g. a MILP re-solved with costs
learnt from the routes) gets one try, and the walk goes on from the next-best design not
yet expanded (best first) until the budget is spent. The best realised total is kept.

Nothing here knows about vehicles or MILPs: the CLRP benchmark solver
(:mod:`revlog.location.lrp.clrp`) supplies its callbacks. The walk is deterministic:
neighbours are ranked by ``(estimate, sorted sites)`` and the callbacks are expected to be
deterministic for a given seed; the evaluation budget caps the walk, and a wall-clock
deadline is a safety stop only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

OpenSet = frozenset[int]


@dataclass(frozen=True)
class Evaluated:
    """A design priced by routing it.

    Attributes
    ----------
    open
        Open sites.
    total
        Realised total cost (opening + routed cost).
    detail
        The evaluator's realised design (e.g. its routes), opaque to the search.
    """

    open: OpenSet
    total: float
    detail: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Step:
    """One line of the search's history: what was tried and what it realised."""

    index: int
    move: str
    open: tuple[int, ...]
    total: float | None
    accepted: bool


@dataclass
class SearchResult:
    """Outcome of :func:`design_search`.

    Attributes
    ----------
    best
        The lowest realised total found.
    evaluated
        Every design evaluated (open set → evaluation; ``None`` when not routable).
    history
        The steps in order.
    """

    best: Evaluated
    evaluated: dict[OpenSet, Evaluated | None]
    history: list[Step]

    def ranked(self) -> list[Evaluated]:
        """The evaluated designs, cheapest first (ties by sorted sites)."""
        good = [e for e in self.evaluated.values() if e is not None]
        return sorted(good, key=lambda e: (e.total, sorted(e.open)))


def neighbours(
    current: OpenSet, n_sites: int, forced: OpenSet = frozenset()
) -> list[tuple[str, OpenSet]]:
    """The open / close / swap neighbourhood of a design.

    Parameters
    ----------
    current
        Open sites.
    n_sites
        Number of candidate sites (``0 … n_sites - 1``).
    forced
        Sites that must stay open (never closed or swapped out).

    Returns
    -------
    list of (move, open set)
        ``"open j"``, ``"close j"`` and ``"swap j->k"`` moves, in a fixed order.
    """
    closed = [k for k in range(n_sites) if k not in current]
    out: list[tuple[str, OpenSet]] = []
    for k in closed:
        out.append((f"open {k}", current | {k}))
    movable = [j for j in sorted(current) if j not in forced]
    if len(current) > 1:
        for j in movable:
            out.append((f"close {j}", current - {j}))
    for j in movable:
        for k in closed:
            out.append((f"swap {j}->{k}", (current - {j}) | {k}))
    return out


def design_search(
    starts: Sequence[OpenSet],
    n_sites: int,
    evaluate: Callable[[OpenSet], Evaluated | None],
    *,
    admissible: Callable[[OpenSet], bool] = lambda s: bool(s),
    estimate: Callable[[OpenSet], float] | None = None,
    refine: Callable[[Evaluated], Evaluated | None] | None = None,
    max_evaluations: int = 50,
    deadline: float | None = None,
    forced: Iterable[int] = (),
    on_step: Callable[[Step], None] | None = None,
) -> SearchResult:
    """Improve a design by open / close / swap moves, each candidate routed.

    Parameters
    ----------
    starts
        Initial designs (duplicates ignored); each is evaluated, the best starts the walk.
    n_sites
        Number of candidate sites.
    evaluate
        Prices a design by routing it; ``None`` when it cannot be routed.
    admissible
        Cheap feasibility test (capacity, rules) applied before evaluating.
    estimate
        Cheap cost estimate used to order the neighbours (best first).
    refine
        Reassignment move tried at each local optimum.
    max_evaluations
        Cap on calls of ``evaluate`` (the search's budget; deterministic).
    deadline
        ``time.perf_counter()`` value after which no further evaluation starts.
    forced
        Sites that must stay open.
    on_step
        Called after every evaluation (progress).

    Returns
    -------
    SearchResult

    Raises
    ------
    ValueError
        When no start can be evaluated.
    """
    fixed = frozenset(forced)
    seen: dict[OpenSet, Evaluated | None] = {}
    history: list[Step] = []

    def out_of_budget() -> bool:
        late = deadline is not None and time.perf_counter() > deadline
        return late or len(seen) >= max_evaluations

    def run(move: str, design: OpenSet, incumbent: float | None) -> Evaluated | None:
        result = evaluate(design)
        seen[design] = result
        better = result is not None and (incumbent is None or result.total < incumbent - 1e-9)
        step = Step(len(history), move, tuple(sorted(design)), result and result.total, better)
        history.append(step)
        if on_step is not None:
            on_step(step)
        return result

    best: Evaluated | None = None
    for s in starts:
        design = frozenset(s)
        if design in seen or not admissible(design):
            continue
        if best is not None and out_of_budget():
            break
        result = run("start", design, best.total if best else None)
        if result is not None and (best is None or result.total < best.total - 1e-9):
            best = result
    if best is None:
        raise ValueError("no start design could be routed")
    current = best
    expanded: set[OpenSet] = set()
    refined: set[OpenSet] = set()
    while not out_of_budget():
        expanded.add(current.open)
        candidates = [
            (move, d)
            for move, d in neighbours(current.open, n_sites, fixed)
            if d not in seen and admissible(d)
        ]
        if estimate is not None:
            candidates.sort(key=lambda md: (estimate(md[1]), sorted(md[1])))
        moved = False
        for move, design in candidates:
            if out_of_budget():
                break
            result = run(move, design, best.total)
            if result is not None and result.total < best.total - 1e-9:
                best = current = result
                moved = True
                break
        if moved or out_of_budget():
            continue
        if refine is not None and current.open not in refined:
            refined.add(current.open)
            better = refine(current)
            ok = better is not None and better.total < best.total - 1e-9
            step = Step(len(history), "reassign", tuple(sorted(current.open)),
                        better and better.total, ok)  # fmt: skip
            history.append(step)
            if on_step is not None:
                on_step(step)
            if ok:
                seen[current.open] = best = current = better
                continue
        # A local optimum: expand the next-best design not expanded yet (best first).
        rest = [e for e in SearchResult(best, seen, history).ranked() if e.open not in expanded]
        if not rest:
            break
        current = rest[0]
    return SearchResult(best=best, evaluated=seen, history=history)
