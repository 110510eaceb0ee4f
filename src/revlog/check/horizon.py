"""Independent check of a multi-year plan against its scenario, without any solver.

Every year's plan is checked like a single-year plan (:func:`revlog.check.plan.check_prepared`)
against that year's inputs rebuilt from the scenario (grown supply, the modules the plan says
are installed by then: capacities and yearly costs per year). Across the years, restated
here from the scenario: the planned years; no outlet closes unless ``horizon.closing_allowed``
(existing outlets never); ``open_from_year`` / ``closed_from_year`` as the years' tables say;
modules only at open storage outlets, whole, at most ``modules.max_per_site``, never removed
from an outlet that stays open; the opening costs; every year's weight, discount, one-off
costs and discounted cost recomputed; the KPIs recomputed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from revlog.check.figures import close
from revlog.check.plan import check_prepared
from revlog.horizon.problem import horizon_problem, year_inputs, year_supply
from revlog.inputs import prepare
from revlog.problems import build_geography
from revlog.scenario.load import load_scenario
from revlog.scenario.schema import Scenario

_REL = 1e-6


def _close(a: float, b: float, rel: float = _REL) -> bool:
    return close(a, b, rel=rel, abs_tol=1e-4)


def check_horizon(
    hplan: Any, scenario: Scenario | str | Path, folder: str | Path | None = None
) -> list[str]:
    """List every way in which a multi-year plan violates its scenario.

    Parameters
    ----------
    hplan
        A :class:`revlog.horizon.plan.HorizonPlan` or the path of its folder.
    scenario
        The scenario (with its ``horizon`` section) or its file.
    folder
        The folder ``hplan`` was read from (implied by a path): each year's GeoJSON files are
        checked against its tables too.

    Returns
    -------
    list of str
        One line per violation, starting with ``horizon:`` or ``YEAR: <single-year
        stage>:``; empty when the plan is feasible and its figures are right.
    """
    from revlog.horizon.plan import HorizonPlan

    if isinstance(hplan, str | Path):
        folder = hplan
        hplan = HorizonPlan.load(hplan)
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if sc.horizon is None:
        return [f"horizon: scenario '{sc.name}' has no horizon section"]
    cfg = sc.horizon
    if [int(y) for y in hplan.plans] != list(cfg.years):
        return [f"horizon: the plan's years {list(hplan.plans)} are not the scenario's {cfg.years}"]
    inputs = prepare(sc)
    geo = build_geography(inputs)
    hp = horizon_problem(inputs, geo)
    ids = [str(f) for f in hp.facility_ids]
    out = hplan.outlets.set_index("site_id")
    if sorted(out.index) != sorted(ids):
        return ["horizon: outlets table does not list the scenario's candidates and plant"]
    missing = [f"modules_{y}" for y in cfg.years if f"modules_{y}" not in out.columns]
    if missing:
        return [f"horizon: outlets table lacks {', '.join(missing)}"]
    errs: list[str] = []
    open_ = np.zeros((hp.n_years, len(ids)), dtype=bool)
    for t, year in enumerate(cfg.years):
        o = hplan.plans[year].outlets.set_index("site_id")
        open_[t] = [bool(o.loc[f, "open"]) if f in o.index else False for f in ids]
    mods = np.array([[out.loc[f, f"modules_{y}"] for f in ids] for y in cfg.years], dtype=float)
    errs += _check_modules(hp, ids, open_, mods)
    errs += _check_phasing(hp, ids, out, open_)
    if errs:
        return errs
    supply_t = year_supply(inputs)
    mods_i = mods.astype(np.int64)
    for t, year in enumerate(cfg.years):
        plan = hplan.plans[year]
        if plan.name != f"{sc.name}-{year}":
            errs.append(f"horizon: the {year} plan is named '{plan.name}', not '{sc.name}-{year}'")
        by_site = {f: int(n) for f, n in zip(ids, mods_i[t], strict=True) if n}
        yi = year_inputs(inputs, year, supply_t[year], by_site)
        sub = Path(folder) / str(year) if folder is not None else None
        errs += [f"{year}: {e}" for e in check_prepared(plan, yi, geo, sub)]
    return errs + _check_costs(hplan, hp, open_, mods_i)


def _check_modules(hp: Any, ids: list[str], open_: np.ndarray, mods: np.ndarray) -> list[str]:
    errs = []
    years = [y.year for y in hp.years]
    for t, year in enumerate(years):
        for f, site in enumerate(ids):
            n = mods[t, f]
            if n != math.floor(n) or n < 0:
                errs.append(f"horizon: {site} has {n:g} modules in {year}: whole modules only")
            elif n > hp.max_modules[f]:
                errs.append(
                    f"horizon: {site} has {n:g} modules in {year}, above the "
                    f"{int(hp.max_modules[f])} allowed there (horizon.modules.max_per_site; "
                    "storage outlets only)"
                )
            elif n > 0 and not open_[t, f]:
                errs.append(f"horizon: {site} has {n:g} modules in {year} but is not open")
            prev = mods[t - 1, f] if t else hp.initial_modules[f]
            if n < prev and open_[t, f] and (t == 0 or open_[t - 1, f]):
                errs.append(
                    f"horizon: {site} goes from {prev:g} to {n:g} modules in {year} while open"
                )
    return errs


def _check_phasing(hp: Any, ids: list[str], out: Any, open_: np.ndarray) -> list[str]:
    errs = []
    years = [y.year for y in hp.years]
    outlet = hp.problems[0].is_outlet
    for f, site in enumerate(ids):
        on = np.flatnonzero(open_[:, f])
        first = years[on[0]] if on.size else None
        got = out.loc[site, "open_from_year"]
        got = None if pd.isna(got) else int(got)
        if got != first:
            errs.append(f"horizon: {site} has open_from_year {got}, but is first open in {first}")
        if hp.initial_open[f] and not open_[0, f]:
            errs.append(f"horizon: {site} is open before {years[0]} (existing) but not in it")
        for t in range(1, len(years)):
            if not (open_[t - 1, f] and not open_[t, f] and outlet[f]):
                continue
            if not hp.closing_allowed:
                errs.append(
                    f"horizon: {site} is open in {years[t - 1]} but closed in {years[t]} "
                    "(horizon.closing_allowed is off: outlets once opened stay open)"
                )
            elif hp.initial_open[f]:
                errs.append(f"horizon: existing outlet {site} closes in {years[t]}")
    return errs


def _check_costs(hplan: Any, hp: Any, open_: np.ndarray, mods: np.ndarray) -> list[str]:
    """Opening costs, weights, one-off costs, discounted costs and the KPIs recomputed."""
    errs = []
    out = hplan.outlets.set_index("site_id")
    ids = [str(f) for f in hp.facility_ids]
    for f, site in enumerate(ids):
        if not _close(out.loc[site, "opening_cost_cny"], hp.opening_cost_cny[f]):
            errs.append(
                f"horizon: {site} opening cost {out.loc[site, 'opening_cost_cny']:,.2f} CNY, "
                f"expected {hp.opening_cost_cny[f]:,.2f}"
            )
    prev_open = np.vstack([hp.initial_open[None, :], open_[:-1]])
    prev_mod = np.vstack([hp.initial_modules[None, :], mods[:-1]])
    is_outlet = hp.problems[0].is_outlet
    one_off = (
        (open_ & ~prev_open).astype(float) @ hp.opening_cost_cny
        + (prev_open & ~open_ & is_outlet).sum(axis=1) * hp.closing_cost_cny
        + np.maximum(mods - prev_mod, 0).sum(axis=1) * hp.module_cost_cny
    )
    table = hplan.years.set_index("year")
    total = location = 0.0
    for t, hy in enumerate(hp.years):
        row = table.loc[hy.year]
        k = hplan.plans[hy.year].kpis
        want = {
            "weight": hy.weight,
            "discount": hy.discount,
            "calendar_years": hy.calendar_years,
            "one_off_cost_cny": one_off[t],
            "total_cost_cny_per_year": k["total_cost_cny_per_year"],
            "location_cost_cny_per_year": k["location_objective_cny_per_year"],
            "supply_t_per_year": k["supply_t_per_year"],
            "outlets_open": int((open_[t] & is_outlet).sum()),
            "modules": int(mods[t].sum()),
        }
        want["discounted_cost_cny"] = hy.weight * want["total_cost_cny_per_year"] + (
            hy.discount * one_off[t]
        )
        for col, v in want.items():
            if not _close(row[col], v):
                errs.append(f"horizon: years {hy.year} {col} is {row[col]:,.6g}, expected {v:,.6g}")
        total += want["discounted_cost_cny"]
        location += hy.weight * want["location_cost_cny_per_year"] + hy.discount * one_off[t]
    k = hplan.kpis
    want_k = {
        "discounted_total_cny": total,
        "discounted_location_cny": location,
        "one_off_cost_cny": float(one_off.sum()),
        "outlets_opened": float((open_ & ~prev_open & is_outlet).sum()),
        "modules_installed": float(mods[-1].sum()),
        "planning_saves_cny": float(k["myopic_discounted_location_cny"] - location),
    }
    for key, v in want_k.items():
        if key not in k.index:
            errs.append(f"kpis: {key} missing")
        elif not _close(k[key], v):
            errs.append(f"kpis: {key} is {k[key]:,.2f}, recomputed {v:,.2f}")
    return errs
