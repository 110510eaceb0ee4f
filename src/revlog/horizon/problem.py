"""The multi-year location problem as plain data: no solver (the checker rebuilds it too).

A scenario's ``horizon`` section lists the years planned. Each listed year ``t`` stands for
the calendar years up to the next listed one (the last for the years up to ``end_year``):
its yearly cost counts with the **weight** ``Σ_k (1 + r)^-(k - y0)`` over those calendar
years ``k`` (``y0`` the first year, ``r`` the discount rate), its one-off costs (opening,
closing, modules) with the **discount** ``(1 + r)^-(t - y0)`` of the year itself. A horizon
of one year has weight 1 and discount 1: its objective is the single-year objective.

Every year is an ordinary :class:`~revlog.location.problem.LocationProblem` built by
:func:`revlog.problems.location_problem` from the year's inputs (:func:`year_inputs`:
the year's tonnes, :func:`year_supply`: a sources column per year or a growth factor
per province; a storage outlet's capacity and yearly
cost raised by the modules installed by then). The facilities are the same in every year.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from revlog.errors import Problem, ScenarioError
from revlog.inputs import YEAR_SUPPLY_COLUMN, Inputs, year_supply_column
from revlog.location.problem import LocationProblem
from revlog.problems import Geography, location_problem
from revlog.scenario.schema import ALL_REGIONS, HorizonConfig, Scenario


@dataclass(frozen=True)
class HorizonYear:
    """One planned year.

    Attributes
    ----------
    year
        The calendar year.
    weight
        Discounted calendar years it stands for (multiplies its yearly cost).
    discount
        Discount factor of the year itself (multiplies its one-off costs).
    calendar_years
        How many calendar years it stands for.
    """

    year: int
    weight: float
    discount: float
    calendar_years: int


@dataclass(frozen=True, eq=False)
class HorizonProblem:
    """A multi-year location problem: one :class:`LocationProblem` per year, linked.

    Attributes
    ----------
    name
        Scenario name.
    years
        The planned years, in order.
    problems
        Each year's location problem (base capacities, no module installed).
    initial_open
        ``(n_facilities,)`` what is open before the first year (the plant, existing outlets).
    initial_modules
        ``(n_facilities,)`` modules installed before the first year.
    opening_cost_cny
        ``(n_facilities,)`` one-off cost of opening each facility (0 for the plant and
        existing outlets).
    closing_allowed, closing_cost_cny
        Whether an open outlet may close (existing ones never) and the one-off cost.
    module_capacity_t
        ``(n_facilities,)`` yearly throughput one module adds, t/year (0: no modules).
    max_modules
        ``(n_facilities,)`` most modules per facility.
    module_cost_cny, module_fixed_cny_per_year
        One-off and yearly cost of one module.
    """

    name: str
    years: tuple[HorizonYear, ...]
    problems: tuple[LocationProblem, ...]
    initial_open: np.ndarray
    initial_modules: np.ndarray
    opening_cost_cny: np.ndarray
    closing_allowed: bool
    closing_cost_cny: float
    module_capacity_t: np.ndarray
    max_modules: np.ndarray
    module_cost_cny: float
    module_fixed_cny_per_year: float

    @property
    def n_years(self) -> int:
        """Number of planned years."""
        return len(self.years)

    @property
    def facility_ids(self) -> np.ndarray:
        """Facility ids (the same in every year)."""
        return self.problems[0].facility_ids

    def sub(self, t: int, initial_open: np.ndarray, initial_modules: np.ndarray) -> HorizonProblem:
        """The one-year problem of year ``t`` from a given state (the myopic plan's step)."""
        return dataclasses.replace(
            self,
            years=(self.years[t],),
            problems=(self.problems[t],),
            initial_open=np.asarray(initial_open, dtype=bool),
            initial_modules=np.asarray(initial_modules, dtype=np.int64),
        )


def horizon_years(cfg: HorizonConfig) -> tuple[HorizonYear, ...]:
    """The planned years with their weights and discount factors (see module docstring)."""
    ys = list(cfg.years)
    end = cfg.end_year if cfg.end_year is not None else ys[-1]
    y0, r = ys[0], float(cfg.discount_rate)
    out = []
    for i, y in enumerate(ys):
        nxt = ys[i + 1] if i + 1 < len(ys) else end + 1
        weight = sum((1.0 + r) ** -(k - y0) for k in range(y, nxt))
        out.append(HorizonYear(y, weight, (1.0 + r) ** -(y - y0), nxt - y))
    return tuple(out)


def _scenario_file(inputs: Inputs) -> str:
    sc = inputs.scenario
    return str(sc.path) if sc.path else "(scenario)"


def _year_columns(sources: pd.DataFrame) -> dict[int, str]:
    """The sources table's per-year supply columns, by year."""
    out = {}
    for c in sources.columns:
        found = YEAR_SUPPLY_COLUMN.match(str(c))
        if found:
            out[int(found.group(1))] = str(c)
    return out


def year_supply_problems(sc: Scenario, sources: pd.DataFrame, source_file: str) -> list[Problem]:
    """Where a horizon's supply per year is missing, given twice or given for no year.

    Each listed year but ``planning_year`` takes its tonnes from a growth factor
    (``horizon.growth.YEAR``) or from the sources column ``supply_t_per_year_YEAR``, not
    from both; a column for the planning year or for a year not planned is an error.
    """
    cfg = sc.horizon
    if cfg is None:
        return []
    file = str(sc.path) if sc.path else "(scenario)"
    columns = _year_columns(sources)
    out = []
    for y in cfg.years:
        if y == sc.planning_year:
            continue
        if y in columns and y in cfg.growth:
            out.append(
                Problem(
                    file,
                    f"horizon.growth.{y}",
                    f"{y}'s supply is given twice: here and in the column {columns[y]} of "
                    f"{source_file}; keep one",
                )
            )
        elif y not in columns and y not in cfg.growth:
            out.append(
                Problem(
                    file,
                    "horizon.growth",
                    f"no factors for year {y} (and {source_file} has no column "
                    f"{year_supply_column(y)}): give horizon.growth.{y} or that column",
                )
            )
    for y, c in sorted(columns.items()):
        if y == sc.planning_year:
            out.append(
                Problem(
                    source_file,
                    c,
                    f"{y} is the planning year, whose tonnes are supply_t_per_year; drop "
                    "the column",
                )
            )
        elif y not in cfg.years:
            out.append(
                Problem(
                    source_file,
                    c,
                    f"{y} is not a horizon year (horizon.years: {list(cfg.years)})",
                )
            )
    return out


def year_supply(inputs: Inputs) -> dict[int, np.ndarray]:
    """Each year's tonnes of every source, t/year.

    The planning year's are ``supply_t_per_year``; another year's come from the sources
    column ``supply_t_per_year_YEAR`` where the table has one, else from the year's growth
    factor of the source's province (both after ``sources.supply_scale``).

    Raises
    ------
    ScenarioError
        ``file:horizon.growth.YEAR: reason`` for a province with sources but no factor.
    """
    sc = inputs.scenario
    cfg = _config(inputs)
    provinces = inputs.sources["province"].astype(str).to_numpy()
    supply = inputs.sources["supply_t_per_year"].to_numpy(float)
    columns = _year_columns(inputs.sources)
    out: dict[int, np.ndarray] = {}
    problems: list[Problem] = []
    for y in cfg.years:
        by_region = cfg.growth.get(y)
        if y in columns:
            out[y] = inputs.sources[columns[y]].to_numpy(float)
            continue
        if by_region is None:  # only the planning year (year_supply_problems checks)
            out[y] = supply.copy()
            continue
        factors = [by_region.get(q, by_region.get(ALL_REGIONS)) for q in provinces]
        for q in sorted({q for q, f in zip(provinces, factors, strict=True) if f is None}):
            t = float(supply[provinces == q].sum())
            problems.append(
                Problem(
                    _scenario_file(inputs),
                    f"horizon.growth.{y}",
                    f"no factor for {q} (its sources supply {t:g} t/year in "
                    f"{sc.planning_year}): give {q} or '{ALL_REGIONS}'",
                )
            )
        out[y] = supply * np.array([f if f is not None else 1.0 for f in factors], dtype=float)
    if problems:
        raise ScenarioError(problems)
    return out


def _config(inputs: Inputs) -> HorizonConfig:
    cfg = inputs.scenario.horizon
    if cfg is None:
        raise ValueError(f"scenario {inputs.scenario.name!r} has no horizon section")
    return cfg


def year_inputs(
    inputs: Inputs, year: int, supply_t: np.ndarray, modules: dict[str, int] | None = None
) -> Inputs:
    """The inputs of one year: its supply, the modules installed by then.

    Parameters
    ----------
    inputs
        The horizon scenario's prepared inputs (the planning year's tonnes).
    year
        The year (the scenario copy gets it as ``planning_year`` and ``NAME-YEAR`` as name).
    supply_t
        Tonnes of every source in that year (:func:`year_supply`).
    modules
        Site id → modules installed by that year: each adds ``modules.stock_t`` × the
        storage turns per year to the capacity and its yearly cost to the fixed cost.

    Returns
    -------
    Inputs
        A copy; ``inputs`` is left unchanged.
    """
    sc = inputs.scenario
    cfg = _config(inputs)
    src = inputs.sources.copy()
    src["supply_t_per_year"] = np.asarray(supply_t, dtype=float)
    src["damaged_t_per_year"] = src["supply_t_per_year"] * src["damaged_share"]
    src["intact_t_per_year"] = src["supply_t_per_year"] - src["damaged_t_per_year"]
    cands = inputs.candidates.copy()
    if modules and cfg.modules is not None:
        n = cands["site_id"].map(lambda s: modules.get(str(s), 0)).to_numpy(float)
        turns = sc.location.storage_turns_per_year
        cands["capacity_t_per_year"] = (
            cands["capacity_t_per_year"] + n * cfg.modules.stock_t * turns
        )
        cands["fixed_cost_cny_per_year"] = (
            cands["fixed_cost_cny_per_year"] + n * cfg.modules.fixed_cost_cny_per_year
        )
    one_year = sc.model_copy(
        update={"planning_year": year, "name": f"{sc.name}-{year}", "horizon": None}
    )
    return dataclasses.replace(inputs, scenario=one_year, sources=src, candidates=cands)


def _horizon_problems(inputs: Inputs, supply_t: dict[int, np.ndarray]) -> list[Problem]:
    """Years whose supply exceeds the plant; opening costs of unknown sites."""
    sc, cfg = inputs.scenario, _config(inputs)
    file = _scenario_file(inputs)
    out = []
    plant_t = float(inputs.plant["capacity_t_per_year"].iloc[0])
    for y in cfg.years:
        t = float(supply_t[y].sum())
        if t > plant_t:
            out.append(
                Problem(
                    file,
                    f"horizon.growth.{y}",
                    f"supply {t:,.1f} t/year in {y} exceeds the plant capacity "
                    f"{plant_t:,.1f} t/year (plant.capacity_t_per_year)",
                )
            )
    sites = set(inputs.candidates["site_id"].astype(str))
    for s in sorted(set(cfg.opening_cost_cny) - sites):
        out.append(
            Problem(
                file,
                f"horizon.opening_cost_cny.{s}",
                f"unknown candidate site '{s}' (not among the regions' {len(sites)} candidates "
                f"of {sorted(sc.regions)})",
            )
        )
    return out


def horizon_problem(inputs: Inputs, geo: Geography) -> HorizonProblem:
    """Build the multi-year problem of a scenario with a ``horizon`` section.

    Raises
    ------
    ScenarioError
        If a province lacks a growth factor, a year's supply exceeds the plant or an
        opening cost names an unknown site.
    """
    cfg = _config(inputs)
    supply_t = year_supply(inputs)
    problems = _horizon_problems(inputs, supply_t)
    if problems:
        raise ScenarioError(problems)
    per_year = tuple(location_problem(year_inputs(inputs, y, supply_t[y]), geo) for y in cfg.years)
    p0 = per_year[0]
    ids = [str(f) for f in p0.facility_ids]
    opening = np.array(
        [cfg.opening_cost_cny.get(f, cfg.opening_cost_years_of_fixed * c) for f, c in
         zip(ids, p0.fixed_cost_cny, strict=True)],
        dtype=float,
    )  # fmt: skip
    opening[p0.forced_open] = 0.0
    storage = p0.facility_kind == "storage"
    mods = cfg.modules
    unit_t = mods.stock_t * inputs.scenario.location.storage_turns_per_year if mods else 0.0
    return HorizonProblem(
        name=inputs.scenario.name,
        years=horizon_years(cfg),
        problems=per_year,
        initial_open=p0.forced_open.copy(),
        initial_modules=np.zeros(p0.n_facilities, dtype=np.int64),
        opening_cost_cny=opening,
        closing_allowed=cfg.closing_allowed,
        closing_cost_cny=float(cfg.closing_cost_cny),
        module_capacity_t=np.where(storage, unit_t, 0.0),
        max_modules=np.where(storage, mods.max_per_site if mods else 0, 0).astype(np.int64),
        module_cost_cny=float(mods.cost_cny) if mods else 0.0,
        module_fixed_cny_per_year=float(mods.fixed_cost_cny_per_year) if mods else 0.0,
    )
