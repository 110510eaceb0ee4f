"""Result types of stage 2: runs, stops, breaks, and their tables.

Times are hours since the start of the planning period, distances km, loads kg,
money CNY (for benchmark problems: the instance's own units). These types are
plain data: any engine (OR-Tools, PyVRP) fills them, and
:func:`revlog.check.routes.check_routes` verifies them against the problem.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

BreakKind = Literal["driving", "overnight", "night"]


@dataclass(frozen=True)
class Stop:
    """One visit of a run (the base at the start and at the end included).

    Attributes
    ----------
    node
        Node index in the problem (0: the base).
    node_id
        Node identifier.
    arrival_h
        Arrival time, h (at the opening base stop: the departure time).
    start_h
        Start of service, h (within one of the node's windows).
    departure_h
        End of service and departure, h (closing base stop: equals the arrival).
    load_intact_kg, load_damaged_kg
        Load on board after the stop, kg (closing base stop: the load delivered).
    day
        Calendar day of the period (0-based) in which service starts.
    """

    node: int
    node_id: str
    arrival_h: float
    start_h: float
    departure_h: float
    load_intact_kg: float
    load_damaged_kg: float
    day: int


@dataclass(frozen=True)
class Break:
    """A standstill of the vehicle during a run.

    ``kind`` is ``"driving"`` (the ≥ 20 min break of the 4 h rule), ``"overnight"``
    (the rest between two duty periods of a multi-day run) or ``"night"`` (standing
    still during the night-driving ban). ``place`` is where the vehicle stands: a stop's
    node id, a town on the road, or ``""`` (a driving break on the road).
    """

    start_h: float
    duration_h: float
    kind: BreakKind
    place: str = ""

    @property
    def end_h(self) -> float:
        """End of the break, h."""
        return self.start_h + self.duration_h


@dataclass
class Run:
    """One run of one vehicle: from the base, through its stops, back to the base.

    Attributes
    ----------
    vehicle_type
        Id of the vehicle's :class:`~revlog.routing.problem.VehicleType`.
    vehicle
        Index of the vehicle within its type (``0 .. count-1``).
    trip
        Number of the run of this vehicle in the period (0-based; > 0 only with
        multi-trip).
    stops
        Visits, the base first and last.
    breaks
        Breaks taken between departure and return, in time order.
    km
        Distance driven, km.
    hours
        Departure to return, h.
    exposure
        Population exposure along the run's legs (persons).
    cost_cny
        What the run costs (:meth:`~revlog.routing.problem.VehicleType.run_cost_cny`:
        fixed, per km, crew hours on duty, overnight rests; the risk term is not money:
        it is reported on the solution).
    """

    vehicle_type: str
    vehicle: int
    trip: int
    stops: list[Stop]
    breaks: list[Break] = field(default_factory=list)
    km: float = 0.0
    hours: float = 0.0
    exposure: float = 0.0
    cost_cny: float = 0.0

    @property
    def nodes(self) -> list[int]:
        """Node indices visited, without the base."""
        return [s.node for s in self.stops[1:-1]]

    @property
    def start_h(self) -> float:
        """Departure from the base, h."""
        return self.stops[0].departure_h

    @property
    def end_h(self) -> float:
        """Return to the base, h."""
        return self.stops[-1].arrival_h

    @property
    def rests(self) -> int:
        """Overnight rests taken."""
        return sum(b.kind == "overnight" for b in self.breaks)

    @property
    def duty_h(self) -> float:
        """Hours on duty: departure to return without the overnight rests, h."""
        return self.hours - sum(b.duration_h for b in self.breaks if b.kind == "overnight")


def ownership_cny(problem, runs: list[Run]) -> float:
    """What the vehicles that do ``runs`` cost to own in the period: each vehicle used (one
    ``(vehicle_type, vehicle)``, however many trips it makes) pays its type's
    ``ownership_cost_cny`` once, CNY."""
    types = {vt.id: vt for vt in problem.vehicle_types}
    used = {(run.vehicle_type, run.vehicle) for run in runs}
    return float(sum(float(types[t].ownership_cost_cny) for t, _ in sorted(used)))


@dataclass(frozen=True)
class RoutingSolution:
    """Runs found for one :class:`~revlog.routing.problem.RoutingProblem` (immutable:
    derive a changed copy with :func:`dataclasses.replace`).

    Attributes
    ----------
    runs
        Non-empty runs.
    dropped
        Stops left unserved (node indices); each one pays the problem's drop penalty.
    objective_cny
        ``fixed_cny + distance_cny + crew_cny + overnight_cny + ownership_cny + risk_cny
        + penalty_cny``.
    fixed_cny, distance_cny, crew_cny, overnight_cny, risk_cny, penalty_cny
        Parts of the objective: fixed cost per run, cost per km, crew cost per hour on
        duty, cost per overnight rest, ``risk_weight`` × exposure, drop penalties.
    ownership_cny
        The vehicles' ownership in the period: each vehicle that does a run pays its
        type's ``ownership_cost_cny`` once (:func:`ownership_cny`).
    status
        Engine status, e.g. ``"feasible"``, ``"optimal"``, ``"time_limit"``.
    seconds
        Wall time of the search, s.
    engine
        Which engine produced it.
    notes
        Remarks, e.g. that initial routes were ignored.
    start
        What the final search started from: ``"given"`` (routes passed in, e.g.
        PyVRP's), ``"constructed"`` (revlog's own constructive runs) or ``""``.
    clock_hit
        Whether a search was stopped by the wall clock (the safety net) rather than by its
        work budget: the result may then differ between machines (:mod:`revlog.routing.budget`).
    """

    runs: list[Run]
    dropped: list[int] = field(default_factory=list)
    objective_cny: float = 0.0
    fixed_cny: float = 0.0
    distance_cny: float = 0.0
    risk_cny: float = 0.0
    penalty_cny: float = 0.0
    crew_cny: float = 0.0
    overnight_cny: float = 0.0
    ownership_cny: float = 0.0
    status: str = "unknown"
    seconds: float = 0.0
    engine: str = ""
    notes: list[str] = field(default_factory=list)
    start: str = ""
    clock_hit: bool = False

    @classmethod
    def from_parts(
        cls,
        problem,
        runs: list[Run],
        dropped: list[int],
        **kwargs,
    ) -> RoutingSolution:
        """Build a solution whose objective parts follow from its runs and dropped stops.

        Parameters
        ----------
        problem
            The :class:`~revlog.routing.problem.RoutingProblem` solved (vehicle costs,
            risk weight, drop penalty).
        runs, dropped
            The runs and the unserved stops.
        **kwargs
            ``status``, ``seconds``, ``engine``, ``notes``, ``start``, ``clock_hit``.
        """
        types = {vt.id: vt for vt in problem.vehicle_types}
        weight = float(problem.risk_weight_cny_per_person)
        fixed_cny = distance_cny = crew_cny = overnight_cny = risk_cny = 0.0
        for run in runs:
            vt = types[run.vehicle_type]
            fixed_cny += float(vt.fixed_cost_cny)
            distance_cny += float(vt.cost_cny_per_km) * run.km
            crew_cny += float(vt.cost_cny_per_h) * run.duty_h
            overnight_cny += float(vt.cost_cny_per_rest) * run.rests
            risk_cny += weight * run.exposure
        penalty = float(problem.drop_penalty_cny or 0.0) * len(dropped)
        own = ownership_cny(problem, runs)
        return cls(
            runs=runs,
            dropped=dropped,
            objective_cny=fixed_cny
            + distance_cny
            + crew_cny
            + overnight_cny
            + own
            + risk_cny
            + penalty,
            ownership_cny=own,
            fixed_cny=fixed_cny,
            distance_cny=distance_cny,
            risk_cny=risk_cny,
            penalty_cny=penalty,
            crew_cny=crew_cny,
            overnight_cny=overnight_cny,
            **kwargs,
        )

    @property
    def routes(self) -> list[list[int]]:
        """Node indices of each run without the base (the benchmark view)."""
        return [run.nodes for run in self.runs]

    @property
    def distance_km(self) -> float:
        """Total distance of all runs, km."""
        return float(sum(run.km for run in self.runs))

    @property
    def n_runs(self) -> int:
        """Number of runs."""
        return len(self.runs)

    def summary(self) -> str:
        """A few readable lines: objective, parts, runs, dropped stops."""
        lines = [
            f"{self.engine or 'routing'}: {self.status}, {self.n_runs} runs, "
            f"{self.distance_km:.1f} km, objective {self.objective_cny:.2f} CNY "
            f"(fixed {self.fixed_cny:.2f}, distance {self.distance_cny:.2f}, "
            f"risk {self.risk_cny:.2f}, penalty {self.penalty_cny:.2f}), {self.seconds:.2f} s",
        ]
        if self.dropped:
            lines.append(f"dropped stops: {self.dropped}")
        lines.extend(self.notes)
        return "\n".join(lines)

    def to_frames(self, problem) -> dict[str, pd.DataFrame]:
        """The solution as the plan's three tables (see :func:`run_records`).

        Parameters
        ----------
        problem
            The :class:`~revlog.routing.problem.RoutingProblem` solved.

        Returns
        -------
        dict
            ``"routes"``, ``"stops"`` and ``"breaks"`` DataFrames with the columns of
            :func:`run_records` (the stops keep their node index in ``node``).
        """
        runs, stops, breaks = run_records(problem, self)
        return {
            "routes": pd.DataFrame(runs, columns=RUN_COLUMNS),
            "stops": pd.DataFrame(stops, columns=STOP_COLUMNS),
            "breaks": pd.DataFrame(breaks, columns=BREAK_COLUMNS),
        }


#: Columns of :func:`run_records`' rows (the plan's ``routes``, ``stops`` and ``breaks``).
RUN_COLUMNS = [
    "run_id", "base_id", "round", "times_per_year", "vehicle_type", "vehicle", "trip", "days",
    "stops", "start_h", "end_h", "km", "drive_h", "duty_h", "intact_kg", "damaged_kg", "cost_cny",
    "exposure_persons",
]  # fmt: skip
STOP_COLUMNS = [
    "run_id", "seq", "node", "node_id", "day", "arrival_h", "start_h", "departure_h",
    "pickup_intact_kg", "pickup_damaged_kg", "load_intact_kg", "load_damaged_kg",
]  # fmt: skip
BREAK_COLUMNS = ["run_id", "start_h", "duration_h", "kind", "place"]


def run_id(base_id: str, k: int) -> str:
    """Id of the ``k``-th (0-based) run of a base: ``BASE/001``."""
    return f"{base_id}/{k + 1:03d}"


def run_records(problem, solution: RoutingSolution) -> tuple[list[dict], list[dict], list[dict]]:
    """Rows of the runs, their stops and their breaks: the one run-to-row conversion.

    Parameters
    ----------
    problem
        The :class:`~revlog.routing.problem.RoutingProblem` solved (its name is the base id).
    solution
        Its solution.

    Returns
    -------
    tuple of three lists of dict
        Runs (:data:`RUN_COLUMNS`: ``days`` spanned, inner ``stops``, ``drive_h`` from the
        travel-time matrix, ``duty_h`` departure to return without overnight rests,
        delivered ``intact_kg`` and ``damaged_kg``), stops (:data:`STOP_COLUMNS`: the
        base first and last, pickups as the change in load) and breaks
        (:data:`BREAK_COLUMNS`).
    """
    hours = np.asarray(problem.hours, dtype=float)
    runs, stops, breaks = [], [], []
    meta = getattr(problem, "meta", {}) or {}
    rnd = meta.get("round")  # a round of the year (cadence by_stock): runs named BASE/rNN/001
    prefix = problem.name if rnd is None else f"{problem.name}/r{int(rnd) + 1:02d}"
    for r, run in enumerate(solution.runs):
        rid = run_id(prefix, r)
        last = run.stops[-1]
        legs = itertools.pairwise([s.node for s in run.stops])
        runs.append(
            {
                "run_id": rid,
                "base_id": problem.name,
                "round": int(rnd or 0),
                "times_per_year": int(meta.get("times_per_year", 1)),
                "vehicle_type": run.vehicle_type,
                "vehicle": run.vehicle,
                "trip": run.trip,
                "days": int(last.day - run.stops[0].day + 1),
                "stops": len(run.stops) - 2,
                "start_h": run.start_h,
                "end_h": run.end_h,
                "km": run.km,
                "drive_h": float(sum(hours[i, j] for i, j in legs)),
                "duty_h": run.duty_h,
                "intact_kg": last.load_intact_kg,
                "damaged_kg": last.load_damaged_kg,
                "cost_cny": run.cost_cny,
                "exposure_persons": run.exposure,
            }
        )
        prev_i = prev_d = 0.0
        for seq, s in enumerate(run.stops):
            inner = 0 < seq < len(run.stops) - 1
            stops.append(
                {
                    "run_id": rid,
                    "seq": seq,
                    "node": s.node,
                    "node_id": s.node_id,
                    "day": s.day,
                    "arrival_h": s.arrival_h,
                    "start_h": s.start_h,
                    "departure_h": s.departure_h,
                    "pickup_intact_kg": s.load_intact_kg - prev_i if inner else 0.0,
                    "pickup_damaged_kg": s.load_damaged_kg - prev_d if inner else 0.0,
                    "load_intact_kg": s.load_intact_kg,
                    "load_damaged_kg": s.load_damaged_kg,
                }
            )
            prev_i, prev_d = s.load_intact_kg, s.load_damaged_kg
        breaks.extend(
            {
                "run_id": rid,
                "start_h": b.start_h,
                "duration_h": b.duration_h,
                "kind": b.kind,
                "place": b.place,
            }
            for b in run.breaks
        )
    return runs, stops, breaks
