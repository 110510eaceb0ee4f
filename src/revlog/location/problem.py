"""The stage-1 location problem as plain arrays: no solver, no file format beyond OR-Library.

A :class:`LocationProblem` is what the pipeline hands to the outlet-location MILP. It holds

* **sources** (dealers, service shops): yearly supply in tonnes and a prefecture;
* **facilities**: candidate outlets of two kinds (``collection``, ``storage``) and the
  recycling ``plant``, each with an annualised fixed cost, a yearly throughput capacity and a
  ``forced_open`` flag (existing outlets);
* **assignment arcs** (sparse, only within the service radius): source → first-stop facility,
  with the cost of sending the source's *whole* yearly supply over the arc (the OR-Library
  convention: a fraction ``x`` of the supply costs ``x * cost_cny``) and an exposure term;
* **forwarding arcs** (line-hauls): collection → storage, collection → plant,
  storage → plant, with a cost and an exposure per tonne;
* **policy switches**: one collection outlet per prefecture with sources, a budget on the
  fixed costs, a maximum number of outlets, single or multi (split) sourcing, risk weight.

Which facilities are *sinks* (final destinations of the tonnes) follows one rule: a plant is
always a sink; when the problem has no forwarding arcs at all (a one-echelon problem such as
the OR-Library instances) every facility is a sink. In a problem with forwarding arcs the
outlets are transit points: what enters them leaves over forwarding arcs (flow balance).

Capacities
----------
The MIIT 2019 outlet guideline limits the *stock* of an outlet: a collection-type outlet holds
at most :data:`revlog.regulations.COLLECTION_MAX_STOCK_T` at a time, a centralized-storage
outlet at least :data:`revlog.regulations.STORAGE_MIN_STOCK_T` (the input checks enforce both
on the candidate tables). A stock limit becomes a yearly throughput through the
number of times per year the stock is picked up and moved on (``turns_per_year``), see
:func:`yearly_capacity_t`: a 5 t collection outlet emptied every week handles at most
``5 t * 52 = 260 t`` per year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

FacilityKind = Literal["collection", "storage", "plant", "second_life"]
#: ``second_life``: an echelon-utilisation user of graded packs (the closed loop, issue 15),
#: a final destination like the plant.
FACILITY_KINDS: tuple[str, ...] = ("collection", "storage", "plant", "second_life")
#: Kinds where tonnes end (final destinations).
SINK_KINDS: tuple[str, ...] = ("plant", "second_life")
#: Allowed forwarding (line-haul) arcs, as (from kind, to kind).
FORWARDING_KINDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("collection", "storage"),
        ("collection", "plant"),
        ("storage", "plant"),
        ("storage", "second_life"),
    }
)


def yearly_capacity_t(stock_t: float, turns_per_year: float) -> float:
    """Yearly throughput of an outlet from its stock limit and its pickup frequency.

    An outlet whose stock is at most ``stock_t`` and which is emptied ``turns_per_year``
    times a year can pass at most ``stock_t * turns_per_year`` tonnes per year.

    Parameters
    ----------
    stock_t
        Stock limit, t (see :mod:`revlog.regulations` for the MIIT 2019 limits).
    turns_per_year
        Number of pickups (line-hauls emptying the stock) per year, e.g. 52 for weekly.

    Returns
    -------
    float
        Yearly throughput capacity, t/year.

    Raises
    ------
    ValueError
        If either argument is negative or not finite.
    """
    if not (np.isfinite(stock_t) and np.isfinite(turns_per_year)):
        raise ValueError("stock_t and turns_per_year must be finite")
    if stock_t < 0 or turns_per_year < 0:
        raise ValueError("stock_t and turns_per_year must be non-negative")
    return float(stock_t) * float(turns_per_year)


def _float_array(values: Any, n: int, name: str, default: float | None = None) -> np.ndarray:
    if values is None:
        if default is None:
            raise ValueError(f"{name} is required")
        return np.full(n, default, dtype=float)
    arr = np.asarray(values, dtype=float).reshape(-1)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have length {n}, got {arr.shape[0]}")
    return arr


@dataclass(frozen=True, eq=False)
class LocationProblem:
    """A two-echelon capacitated facility-location problem in array form.

    Parameters
    ----------
    source_ids, supply_t, source_prefecture
        Sources: identifiers, yearly supply (t/year, ≥ 0), prefecture names.
    facility_ids, facility_kind, facility_prefecture
        Facilities: identifiers, kind (``collection`` | ``storage`` | ``plant``), prefecture.
    fixed_cost_cny
        Annualised fixed cost of opening each facility, CNY/year.
    capacity_t
        Yearly throughput capacity of each facility, t/year (``inf`` for none).
    forced_open
        Facilities that must be open (existing outlets, the plant).
    arc_source, arc_facility
        Assignment arcs (indices into sources and facilities), unique pairs.
    arc_cost_cny
        Cost of sending the source's whole yearly supply over the arc, CNY/year.
    arc_exposure
        Exposure of sending the whole yearly supply over the arc (population-weighted
        tonne-km or any risk unit; multiplied by ``risk_weight`` in the objective).
    fwd_from, fwd_to
        Forwarding arcs (facility indices), unique pairs of allowed kinds.
    fwd_cost_cny_per_t, fwd_exposure_per_t
        Line-haul cost (CNY per t) and exposure per t of each forwarding arc.
    fwd_trip_cost_cny, fwd_trip_t
        Line-hauls priced per trip: the cost of one trip (CNY) and the most one trip carries
        (t: the sender's stock limit or the vehicle's payload, whichever is smaller), so that
        an arc carrying ``F`` t/year costs ``ceil(F / fwd_trip_t) * fwd_trip_cost_cny``
        (:meth:`trips`). ``None``: no per-trip price (``fwd_trip_t`` infinite).
    forced_closed
        Facilities that may not open (existing outlets the scenario closes). ``None``: none.
    closing_cost_cny
        Cost of *not* opening each facility, CNY/year (an existing outlet's closing cost;
        negative for a closing saving such as a site sold). ``None``: zero.
    require_collection_per_prefecture
        At least one open collection outlet in every prefecture that has a source with
        positive supply (MIIT 2019 guideline).
    budget_cny
        Upper bound on the total annualised fixed cost of the open facilities (``None``: none).
    max_outlets
        Upper bound on the number of open outlets (collection + storage; the plant is not an
        outlet). ``None``: none.
    single_source
        Each source sends everything to one first-stop facility (``False``: supply may be split).
    risk_weight
        CNY per unit of exposure in the objective.
    name
        A label for reports.
    """

    source_ids: np.ndarray
    supply_t: np.ndarray
    source_prefecture: np.ndarray
    facility_ids: np.ndarray
    facility_kind: np.ndarray
    facility_prefecture: np.ndarray
    fixed_cost_cny: np.ndarray
    capacity_t: np.ndarray
    forced_open: np.ndarray
    arc_source: np.ndarray
    arc_facility: np.ndarray
    arc_cost_cny: np.ndarray
    arc_exposure: np.ndarray
    fwd_from: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    fwd_to: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    fwd_cost_cny_per_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fwd_exposure_per_t: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fwd_trip_cost_cny: np.ndarray | None = None
    fwd_trip_t: np.ndarray | None = None
    forced_closed: np.ndarray | None = None
    closing_cost_cny: np.ndarray | None = None
    require_collection_per_prefecture: bool = False
    budget_cny: float | None = None
    max_outlets: int | None = None
    single_source: bool = True
    risk_weight: float = 0.0
    name: str = ""

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "source_ids", np.asarray(self.source_ids, dtype=object).reshape(-1))
        n = self.source_ids.shape[0]
        put(self, "supply_t", _float_array(self.supply_t, n, "supply_t"))
        put(self, "source_prefecture", np.asarray(self.source_prefecture, dtype=object))
        put(self, "facility_ids", np.asarray(self.facility_ids, dtype=object).reshape(-1))
        m = self.facility_ids.shape[0]
        put(self, "facility_kind", np.asarray(self.facility_kind, dtype=object).reshape(-1))
        put(self, "facility_prefecture", np.asarray(self.facility_prefecture, dtype=object))
        put(self, "fixed_cost_cny", _float_array(self.fixed_cost_cny, m, "fixed_cost_cny"))
        put(self, "capacity_t", _float_array(self.capacity_t, m, "capacity_t"))
        put(self, "forced_open", np.asarray(self.forced_open, dtype=bool).reshape(-1))
        put(self, "arc_source", np.asarray(self.arc_source, dtype=np.int64).reshape(-1))
        k = self.arc_source.shape[0]
        put(self, "arc_facility", np.asarray(self.arc_facility, dtype=np.int64).reshape(-1))
        put(self, "arc_cost_cny", _float_array(self.arc_cost_cny, k, "arc_cost_cny"))
        put(self, "arc_exposure", _float_array(self.arc_exposure, k, "arc_exposure", 0.0))
        put(self, "fwd_from", np.asarray(self.fwd_from, dtype=np.int64).reshape(-1))
        nl = self.fwd_from.shape[0]
        put(self, "fwd_to", np.asarray(self.fwd_to, dtype=np.int64).reshape(-1))
        put(
            self,
            "fwd_cost_cny_per_t",
            _float_array(self.fwd_cost_cny_per_t, nl, "fwd_cost_cny_per_t", 0.0),
        )
        put(
            self,
            "fwd_exposure_per_t",
            _float_array(self.fwd_exposure_per_t, nl, "fwd_exposure_per_t", 0.0),
        )
        put(self, "fwd_trip_cost_cny", _float_array(self.fwd_trip_cost_cny, nl, "trip cost", 0.0))
        put(self, "fwd_trip_t", _float_array(self.fwd_trip_t, nl, "fwd_trip_t", np.inf))
        closed = np.zeros(m, bool) if self.forced_closed is None else self.forced_closed
        put(self, "forced_closed", np.asarray(closed, dtype=bool).reshape(-1))
        put(self, "closing_cost_cny", _float_array(self.closing_cost_cny, m, "closing cost", 0.0))
        self._validate()

    # ------------------------------------------------------------------ validation
    def _validate(self) -> None:
        n, m = self.n_sources, self.n_facilities
        if self.source_prefecture.shape != (n,):
            raise ValueError(f"source_prefecture must have length {n}")
        if self.facility_prefecture.shape != (m,):
            raise ValueError(f"facility_prefecture must have length {m}")
        for name in ("facility_kind", "forced_open", "forced_closed"):
            if getattr(self, name).shape != (m,):
                raise ValueError(f"{name} must have length {m}")
        if self.arc_facility.shape != self.arc_source.shape:
            raise ValueError("arc_source and arc_facility must have the same length")
        if self.fwd_to.shape != self.fwd_from.shape:
            raise ValueError("fwd_from and fwd_to must have the same length")
        bad_kinds = sorted({str(k) for k in self.facility_kind} - set(FACILITY_KINDS))
        if bad_kinds:
            raise ValueError(f"unknown facility kinds {bad_kinds}; allowed {FACILITY_KINDS}")
        if len(set(self.source_ids.tolist())) != n:
            raise ValueError("source_ids must be unique")
        if len(set(self.facility_ids.tolist())) != m:
            raise ValueError("facility_ids must be unique")
        if np.any(~np.isfinite(self.supply_t)) or np.any(self.supply_t < 0):
            raise ValueError("supply_t must be finite and non-negative")
        if np.any(~np.isfinite(self.fixed_cost_cny)) or np.any(self.fixed_cost_cny < 0):
            raise ValueError("fixed_cost_cny must be finite and non-negative")
        if np.any(np.isnan(self.capacity_t)) or np.any(self.capacity_t < 0):
            raise ValueError("capacity_t must be non-negative (inf for no limit)")
        for name in ("arc_cost_cny", "arc_exposure", "fwd_cost_cny_per_t", "fwd_exposure_per_t"):
            if not np.all(np.isfinite(getattr(self, name))):
                raise ValueError(f"{name} must be finite")
        if np.any(self.forced_open & self.forced_closed):
            raise ValueError("a facility cannot be both forced open and forced closed")
        if not np.all(np.isfinite(self.closing_cost_cny)):
            raise ValueError("closing_cost_cny must be finite")
        trip_cost = self.fwd_trip_cost_cny
        if not np.all(np.isfinite(trip_cost)) or np.any(trip_cost < 0):
            raise ValueError("fwd_trip_cost_cny must be finite and non-negative")
        if np.any(np.isnan(self.fwd_trip_t)) or np.any(self.fwd_trip_t <= 0):
            raise ValueError("fwd_trip_t must be positive (inf for no per-trip cost)")
        if np.any(self.arc_exposure < 0) or np.any(self.fwd_exposure_per_t < 0):
            raise ValueError("exposures must be non-negative")
        if self.arc_source.size:
            if self.arc_source.min() < 0 or self.arc_source.max() >= n:
                raise ValueError("arc_source index out of range")
            if self.arc_facility.min() < 0 or self.arc_facility.max() >= m:
                raise ValueError("arc_facility index out of range")
            keys = self.arc_source * max(m, 1) + self.arc_facility
            if np.unique(keys).size != keys.size:
                raise ValueError("duplicate assignment arcs (source, facility)")
        if self.fwd_from.size:
            for arr, name in ((self.fwd_from, "fwd_from"), (self.fwd_to, "fwd_to")):
                if arr.min() < 0 or arr.max() >= m:
                    raise ValueError(f"{name} index out of range")
            keys = self.fwd_from * m + self.fwd_to
            if np.unique(keys).size != keys.size:
                raise ValueError("duplicate forwarding arcs")
            kinds = self.facility_kind
            for a, b in zip(kinds[self.fwd_from], kinds[self.fwd_to], strict=True):
                if (a, b) not in FORWARDING_KINDS:
                    raise ValueError(f"forwarding arc {a} -> {b} not allowed")
        if self.budget_cny is not None and not self.budget_cny >= 0:
            raise ValueError("budget_cny must be non-negative")
        if self.max_outlets is not None and self.max_outlets < 0:
            raise ValueError("max_outlets must be non-negative")
        if not np.isfinite(self.risk_weight) or self.risk_weight < 0:
            raise ValueError("risk_weight must be finite and non-negative")

    # ------------------------------------------------------------------ derived
    @property
    def n_sources(self) -> int:
        """Number of sources."""
        return int(self.source_ids.shape[0])

    @property
    def n_facilities(self) -> int:
        """Number of facilities (outlets and plants)."""
        return int(self.facility_ids.shape[0])

    @property
    def n_arcs(self) -> int:
        """Number of assignment arcs."""
        return int(self.arc_source.shape[0])

    @property
    def n_forwarding(self) -> int:
        """Number of forwarding (line-haul) arcs."""
        return int(self.fwd_from.shape[0])

    @property
    def total_supply_t(self) -> float:
        """Total yearly supply of all sources, t/year."""
        return float(self.supply_t.sum())

    @property
    def is_sink(self) -> np.ndarray:
        """Boolean mask of facilities where tonnes end (plants and second-life users; all
        facilities in a one-echelon problem)."""
        if self.n_forwarding == 0:
            return np.ones(self.n_facilities, dtype=bool)
        return np.isin(self.facility_kind, SINK_KINDS)

    @property
    def trip_arcs(self) -> np.ndarray:
        """Indices of the forwarding arcs priced per trip (finite tonnes per trip)."""
        return np.flatnonzero(np.isfinite(self.fwd_trip_t))

    def trips(self, flow_t: np.ndarray) -> np.ndarray:
        """Trips each forwarding arc needs for ``flow_t`` t/year: ``ceil(flow / fwd_trip_t)``.

        Arcs without a per-trip price (``fwd_trip_t`` infinite) need none.
        """
        flow = np.asarray(flow_t, dtype=float)
        out = np.zeros(self.n_forwarding)
        i = self.trip_arcs
        out[i] = np.ceil(np.maximum(flow[i], 0.0) / self.fwd_trip_t[i] - 1e-9)
        return np.maximum(out, 0.0)

    def line_haul_cost_cny(self, flow_t: np.ndarray) -> float:
        """Line-haul part of the objective: per tonne and per trip, CNY/year."""
        if not self.n_forwarding:
            return 0.0
        flow = np.asarray(flow_t, dtype=float)
        return float(self.fwd_cost_cny_per_t @ flow + self.fwd_trip_cost_cny @ self.trips(flow))

    def fixed_cost_of(self, open_mask: np.ndarray) -> float:
        """Fixed part of the objective: open facilities, plus closing costs of the others."""
        y = np.asarray(open_mask, dtype=float)
        return float(self.fixed_cost_cny @ y + self.closing_cost_cny @ (1.0 - y))

    @property
    def is_outlet(self) -> np.ndarray:
        """Boolean mask of outlets (collection or storage, not plants or second-life users)."""
        return ~np.isin(self.facility_kind, SINK_KINDS)

    @property
    def arc_supply_t(self) -> np.ndarray:
        """Supply of the source of each assignment arc, t/year."""
        return self.supply_t[self.arc_source]

    def with_policy(self, **changes: Any) -> LocationProblem:
        """Return a copy with some fields replaced (e.g. ``single_source=False``).

        Parameters
        ----------
        **changes
            Field names and new values.

        Returns
        -------
        LocationProblem
            The modified copy (the original is unchanged).
        """
        return replace(self, **changes)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_cost_matrix(
        cls,
        cost_cny: Any,
        supply_t: Sequence[float],
        fixed_cost_cny: Sequence[float],
        capacity_t: Sequence[float],
        *,
        exposure: Any = None,
        source_ids: Sequence[str] | None = None,
        facility_ids: Sequence[str] | None = None,
        facility_kind: Sequence[str] | str = "storage",
        source_prefecture: Sequence[str] | str = "",
        facility_prefecture: Sequence[str] | str = "",
        forced_open: Sequence[bool] | None = None,
        forwarding: Sequence[tuple[int, int, float, float]] = (),
        **policy: Any,
    ) -> LocationProblem:
        """Build a problem from a dense source × facility cost matrix (for notebooks).

        Parameters
        ----------
        cost_cny
            ``(n_sources, n_facilities)`` cost of sending each source's whole supply to each
            facility, CNY/year; ``inf`` or ``nan`` marks a missing arc (out of the radius).
        supply_t, fixed_cost_cny, capacity_t
            Per-source supply (t/year), per-facility fixed cost (CNY/year) and capacity (t/year).
        exposure
            Optional matrix of the same shape with the exposure of each arc (default 0).
        source_ids, facility_ids
            Identifiers (default ``s0, s1…`` and ``f0, f1…``).
        facility_kind, source_prefecture, facility_prefecture
            One value for all, or one per element.
        forced_open
            Facilities that must be open (default none).
        forwarding
            Forwarding arcs as ``(from, to, cost_cny_per_t, exposure_per_t)`` tuples.
        **policy
            Further fields: ``require_collection_per_prefecture``, ``budget_cny``,
            ``max_outlets``, ``single_source``, ``risk_weight``, ``name``.

        Returns
        -------
        LocationProblem
        """
        cost = np.asarray(cost_cny, dtype=float)
        if cost.ndim != 2:
            raise ValueError("cost_cny must be a 2-d matrix")
        n, m = cost.shape
        present = np.isfinite(cost)
        arc_source, arc_facility = np.nonzero(present)
        expo = np.zeros_like(cost) if exposure is None else np.asarray(exposure, dtype=float)
        if expo.shape != cost.shape:
            raise ValueError("exposure must have the shape of cost_cny")

        def per(value: Any, size: int) -> np.ndarray:
            if isinstance(value, str):
                return np.array([value] * size, dtype=object)
            return np.asarray(value, dtype=object)

        fwd = list(forwarding)
        return cls(
            source_ids=source_ids if source_ids is not None else [f"s{i}" for i in range(n)],
            supply_t=supply_t,
            source_prefecture=per(source_prefecture, n),
            facility_ids=facility_ids if facility_ids is not None else [f"f{j}" for j in range(m)],
            facility_kind=per(facility_kind, m),
            facility_prefecture=per(facility_prefecture, m),
            fixed_cost_cny=fixed_cost_cny,
            capacity_t=capacity_t,
            forced_open=np.zeros(m, bool) if forced_open is None else forced_open,
            arc_source=arc_source,
            arc_facility=arc_facility,
            arc_cost_cny=cost[present],
            arc_exposure=expo[present],
            fwd_from=[f[0] for f in fwd],
            fwd_to=[f[1] for f in fwd],
            fwd_cost_cny_per_t=[f[2] for f in fwd],
            fwd_exposure_per_t=[f[3] for f in fwd],
            **policy,
        )

    @classmethod
    def from_orlib(
        cls, path: str | Path, capacity: float | None = None, *, single_source: bool = False
    ) -> LocationProblem:
        """Read a Beasley OR-Library capacitated warehouse location file (``cap*.txt``).

        The file holds ``m n``, then ``m`` lines ``capacity fixed_cost`` and, for each
        customer, its demand followed by ``m`` costs of allocating all of its demand to each
        warehouse. Warehouses become one-echelon facilities (every one a sink, no
        forwarding, no policy constraints); all customer–warehouse pairs are arcs.

        Parameters
        ----------
        path
            The instance file.
        capacity
            Capacity of every warehouse, required for ``capa``/``capb``/``capc`` whose file
            holds the literal word ``capacity``; when given it overrides the file's values.
        single_source
            Single sourcing (each customer served by one warehouse) or split demand.

        Returns
        -------
        LocationProblem
            Named after the file stem, with ``-CAPACITY`` appended when ``capacity`` is given.

        Raises
        ------
        ValueError
            If the file is malformed or needs a capacity that was not given.
        """
        path = Path(path)
        tokens = path.read_text().split()
        try:
            m, n = int(tokens[0]), int(tokens[1])
        except (IndexError, ValueError) as exc:
            raise ValueError(f"{path}: first line must be 'm n'") from exc
        expected = 2 + 2 * m + n * (1 + m)
        if len(tokens) != expected:
            raise ValueError(
                f"{path}: expected {expected} tokens for m={m}, n={n}, got {len(tokens)}"
            )
        head = tokens[2 : 2 + 2 * m]
        cap_tokens, fixed_tokens = head[0::2], head[1::2]
        if capacity is None:
            if any(t.lower() == "capacity" for t in cap_tokens):
                raise ValueError(f"{path}: capacities are symbolic; pass capacity=…")
            caps = np.array([float(t) for t in cap_tokens])
        else:
            caps = np.full(m, float(capacity))
        fixed = np.array([float(t) for t in fixed_tokens])
        body = np.array(tokens[2 + 2 * m :], dtype=float).reshape(n, 1 + m)
        demand = body[:, 0]
        cost = body[:, 1:]
        stem = path.stem if capacity is None else f"{path.stem}-{capacity:g}"
        return cls.from_cost_matrix(
            cost,
            demand,
            fixed,
            caps,
            source_ids=[f"c{j + 1}" for j in range(n)],
            facility_ids=[f"w{i + 1}" for i in range(m)],
            facility_kind="storage",
            single_source=single_source,
            name=stem,
        )
