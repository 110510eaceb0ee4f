"""Errors a user can act on: they name the file, the field and the reason.

Nothing here prints or exits; the CLI turns these into messages and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


class RevlogError(Exception):
    """Base of every error revlog raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Parameters
    ----------
    file
        The file (scenario or table) the problem is in.
    field
        Dotted path of the field (``fleet.0.payload_kg``), or ``row N.column`` for tables.
    reason
        What is wrong, in words a planner understands.
    """

    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.field}: {self.reason}"


class ScenarioError(RevlogError):
    """A scenario file or one of its tables is invalid.

    Parameters
    ----------
    problems
        Every problem found (all at once, not only the first).
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InfeasibleError(RevlogError):
    """The scenario has no feasible plan; ``diagnosis`` says which site and which limit.

    Parameters
    ----------
    diagnosis
        One sentence per cause, naming the site and the limit.
    stage
        ``"location"`` or ``"routing"``.
    """

    def __init__(self, diagnosis: list[str], stage: str = ""):
        self.diagnosis = list(diagnosis)
        self.stage = stage
        head = f"{stage} stage infeasible" if stage else "infeasible"
        super().__init__(head + ":\n" + "\n".join(f"- {d}" for d in self.diagnosis))


class SolveInterruptedError(RevlogError):
    """Ctrl-C arrived before any complete plan existed, so there is nothing to save.

    When a complete plan can still be put together (stage 1 had an incumbent; the bases
    left get quick constructive runs), :func:`revlog.solve` returns it instead, with
    ``plan.meta["interrupted"] = True``.

    Parameters
    ----------
    stage
        The stage that was running (``"geography"``, ``"location"``, ``"routing"``…).
    reason
        Why no plan could be saved.
    """

    def __init__(self, stage: str, reason: str = ""):
        self.stage = stage
        self.reason = reason
        text = f"interrupted during the {stage} stage"
        super().__init__(text + (f": {reason}" if reason else ""))
