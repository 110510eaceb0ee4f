"""Every exception revlog raises on purpose, and the structured diagnosis of an infeasibility.

All exception types live here and derive from :class:`RevlogError`, but two that must not:
:class:`Terminated` (SIGTERM, a ``SystemExit`` that passes every ``except Exception``) and
:class:`ScenarioWarning` (a warning category). Nothing here prints or exits; the CLI turns
these into messages and exit codes.

An infeasible scenario is explained by :class:`Diagnosis` records (what is wrong, at which
site or node, and which setting binds); modules decide on their ``code`` and ``site``
fields, never on the wording of another module's message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace


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


@dataclass(frozen=True)
class Diagnosis:
    """One reason why a problem has no feasible solution.

    Parameters
    ----------
    code
        What kind of reason, stable for programs (e.g. ``"no_arc"``, ``"run_limit"``,
        ``"fleet_capacity"``, ``"search_failed"``); see the module that raises it.
    message
        The reason in words a planner understands, naming the site and the limit.
    site
        The site or node id at fault (``None`` for the fleet or the whole problem).
    setting
        The setting that binds: a field of the problem's rules (``"duty_h_per_day"``) or,
        once the pipeline has mapped it, of the scenario (``"rules.duty_h_per_day"``).
    """

    code: str
    message: str
    site: str | None = None
    setting: str | None = None

    def __str__(self) -> str:
        return self.message

    def with_message(self, message: str, setting: str | None = None) -> Diagnosis:
        """The same diagnosis with another message (and setting, if given)."""
        return replace(self, message=message, setting=setting or self.setting)


def as_diagnoses(items: Iterable[Diagnosis | str], code: str = "other") -> list[Diagnosis]:
    """Diagnoses from diagnoses or plain sentences (a sentence gets ``code``)."""
    return [d if isinstance(d, Diagnosis) else Diagnosis(code, str(d)) for d in items]


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
    """The scenario has no feasible plan; the diagnoses say which site and which limit.

    Parameters
    ----------
    diagnoses
        One :class:`Diagnosis` (or sentence) per cause.
    stage
        ``"location"`` or ``"routing"``.

    Attributes
    ----------
    diagnoses
        The structured causes.
    diagnosis
        Their messages (one sentence each).
    """

    def __init__(self, diagnoses: Iterable[Diagnosis | str], stage: str = ""):
        self.diagnoses = as_diagnoses(diagnoses)
        self.stage = stage
        head = f"{stage} stage infeasible" if stage else "infeasible"
        super().__init__(head + ":\n" + "\n".join(f"- {d}" for d in self.diagnosis))

    @property
    def diagnosis(self) -> list[str]:
        """The causes as sentences."""
        return [d.message for d in self.diagnoses]


class LocationInfeasibleError(InfeasibleError):
    """The location problem has no feasible design (``stage="location"``)."""

    def __init__(self, diagnoses: Iterable[Diagnosis | str]) -> None:
        super().__init__(diagnoses, stage="location")


class RoutingInfeasibleError(InfeasibleError):
    """A routing problem cannot be solved as posed (``stage="routing"``)."""

    def __init__(self, diagnoses: Iterable[Diagnosis | str]) -> None:
        super().__init__(diagnoses, stage="routing")


class MemoryLimitError(InfeasibleError):
    """A scenario too large for this machine's memory, refused before allocating (exit 3).

    Parameters
    ----------
    n_sources
        Sources in the scenario.
    reason
        The estimate and what is available, in words.
    """

    def __init__(self, n_sources: int, reason: str) -> None:
        text = f"not enough memory for {n_sources:,} sources: {reason}"
        self.diagnoses = [Diagnosis("memory", text)]
        self.stage = "geography"
        RevlogError.__init__(self, text)


class LocationNoSolutionError(RevlogError):
    """The solver stopped (time limit, Ctrl-C) before finding any feasible design.

    Parameters
    ----------
    status
        The stop reason (``time_limit``, ``interrupted``…).
    bound_cny
        The best lower bound reached, CNY/year.
    """

    def __init__(self, status: str, bound_cny: float) -> None:
        self.status = status
        self.bound_cny = bound_cny
        super().__init__(f"no feasible design found ({status}); best bound {bound_cny:.6g} CNY")


class RoutingCheckError(RevlogError):
    """A routing engine returned runs that the independent checker rejects (a bug).

    Parameters
    ----------
    base_id
        The base whose runs failed.
    violations
        The checker's messages.
    """

    def __init__(self, base_id: str, violations: list[str]):
        self.base_id = base_id
        self.violations = violations
        head = f"internal error: runs of base {base_id} fail the independent checker"
        super().__init__(head + ":\n" + "\n".join(f"- {v}" for v in violations[:20]))


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


class NotReadable(RevlogError):
    """Why a file cannot be read as input (the reader turns it into a :class:`Problem`)."""


class DuplicateJsonKey(RevlogError, ValueError):
    """A JSON object repeats a key (raised inside ``json.loads``, hence a ``ValueError``).

    Parameters
    ----------
    key
        The repeated key.
    """

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


class OutputError(RevlogError):
    """An output location cannot be used or written: printed as ``path: reason``.

    Raised before any solving when the location is unusable (not a folder, read-only, a
    name too long, a folder ``--force`` may not replace), and while writing when the file
    system fails (disk full); nothing is left behind either way.

    Parameters
    ----------
    path
        The output location.
    reason
        What is wrong, in words a planner understands.
    """

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class OutputExistsError(OutputError):
    """The output folder exists and replacing it was not asked for (or is not allowed)."""


class BenchmarkFileError(RevlogError, ValueError):
    """A benchmark instance file that does not have its format: ``file:field: reason``."""


class UsageError(RevlogError):
    """A command-line option has a value out of its range: printed as ``option: reason``.

    Parameters
    ----------
    option
        The option as typed (``--time-limit``).
    reason
        What is wrong with the value.
    """

    def __init__(self, option: str, reason: str):
        self.option = option
        self.reason = reason
        super().__init__(f"{option}: {reason}")


class Terminated(SystemExit):
    """SIGTERM arrived: the command stops, and cleans up on its way out (exit 128 + 15).

    Deliberately not a :class:`RevlogError` (nor an ``Exception``): it must pass through
    every ``except Exception`` on its way out, like Ctrl-C, yet unlike Ctrl-C it does not
    ask the solvers to wind down with their best answer, and nothing is saved.
    """

    EXIT_CODE = 143

    def __init__(self) -> None:
        super().__init__(self.EXIT_CODE)


class ScenarioWarning(UserWarning):
    """Something in an input file looks unintended but is not an error (e.g. an ignored
    column); :attr:`revlog.inputs.Inputs.warnings` holds them as :class:`Problem` records."""
