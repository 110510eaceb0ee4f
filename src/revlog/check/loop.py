"""Independent verification of a plan's closed loop (issue 15): grades, flows, revenues, CO2.

Rebuilt from the scenario, without a solver: every source's grades; the second-life-able
tonnes per forwarding arc of ``plan.meta["loop"]`` (within the arc's line-haul, all of it
on an arc into a second-life user, balanced at every outlet: in from the sources' grades
and inbound arcs = out); second-life users reached only from open storage outlets, within
their demand and the grading throughput; the grade totals (second-life-able = sold +
recycled, the plant receives the supply less what is sold); the loop's KPIs recomputed
from the tables.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from revlog.check.figures import close as _near
from revlog.check.figures import kpi_errors
from revlog.inputs import Inputs
from revlog.location.problem import LocationProblem
from revlog.loop.grades import source_grades
from revlog.loop.network import second_life_users
from revlog.loop.report import loop_kpis
from revlog.problems import Geography

_TOL_T = 1e-6


def check_loop(plan: Any, inputs: Inputs, geo: Geography, p: LocationProblem) -> list[str]:
    """List every way in which a plan's closed loop violates its scenario.

    Parameters
    ----------
    plan
        The plan (tables, KPIs, ``meta["loop"]``).
    inputs, geo, p
        The prepared scenario, its geography and stage 1's problem, rebuilt.

    Returns
    -------
    list of str
        One line per violation (empty when the loop is consistent).
    """
    loop = plan.meta.get("loop")
    if not isinstance(loop, dict):
        return ["the plan has no closed-loop record (meta.loop) although loop.enabled is on"]
    kinds = {str(f): str(k) for f, k in zip(p.facility_ids, p.facility_kind, strict=True)}
    errs = _check_grades(loop, inputs)
    sl = defaultdict(float)
    for r in loop.get("second_life_flows", []):
        sl[(str(r["from_id"]), str(r["to_id"]))] += float(r["t_per_year"])
    hauled = defaultdict(float)
    for r in plan.linehauls.itertuples(index=False):
        hauled[(str(r.from_id), str(r.to_id))] += float(r.t_per_year)
    errs += _check_arcs(sl, hauled, kinds)
    errs += _check_balance(plan, inputs, sl, kinds)
    errs += _check_users(plan, inputs, hauled, kinds)
    errs += _check_kpis(plan, inputs, geo)
    return errs


def _check_grades(loop: dict, inputs: Inputs) -> list[str]:
    g = source_grades(inputs.scenario, inputs.geodata, inputs.sources)
    want = {
        "second_life": float(g["second_life_t_per_year"].sum()),
        "recycle": float(g["recycle_t_per_year"].sum()),
        "damaged": float(g["damaged_t_per_year"].sum()),
    }
    got = loop.get("grades_t_per_year") or {}
    errs = [
        f"grade {k}: {float(got.get(k, float('nan'))):.6g} t/year, recomputed {v:.6g}"
        for k, v in want.items()
        if not _near(float(got.get(k, float("nan"))), v)
    ]
    total = sum(want.values())
    if not _near(total, inputs.total_supply_t):
        errs.append(f"grades add up to {total:.6g} t/year, supply {inputs.total_supply_t:.6g}")
    return errs


def _check_arcs(
    sl: dict[tuple[str, str], float], hauled: dict[tuple[str, str], float], kinds: dict[str, str]
) -> list[str]:
    errs = []
    for (a, b), t in sorted(sl.items()):
        if t < -_TOL_T:
            errs.append(f"{a} -> {b}: negative second-life-able tonnes {t:.6g}")
        if t > hauled.get((a, b), 0.0) + _TOL_T:
            errs.append(
                f"{a} -> {b}: {t:.6g} t/year second-life-able, line-hauled "
                f"{hauled.get((a, b), 0.0):.6g}"
            )
    for (a, b), t in sorted(hauled.items()):
        if kinds.get(b) != "second_life":
            continue
        if kinds.get(a) != "storage":
            errs.append(f"{a} -> {b}: second-life user supplied from a {kinds.get(a)} (ungraded)")
        if not _near(sl.get((a, b), 0.0), t):
            errs.append(
                f"{a} -> {b}: {t:.6g} t/year to a second-life user, of which only "
                f"{sl.get((a, b), 0.0):.6g} second-life-able (only graded packs may go)"
            )
    return errs


def _check_balance(
    plan: Any, inputs: Inputs, sl: dict[tuple[str, str], float], kinds: dict[str, str]
) -> list[str]:
    """Second-life-able tonnes in = out at every outlet."""
    g = source_grades(inputs.scenario, inputs.geodata, inputs.sources).set_index("source_id")
    share = g["second_life_t_per_year"] / g["supply_t_per_year"].where(g["supply_t_per_year"] > 0)
    inflow: dict[str, float] = defaultdict(float)
    outflow: dict[str, float] = defaultdict(float)
    for r in plan.assignments.itertuples(index=False):
        inflow[str(r.facility_id)] += float(share.get(str(r.source_id), 0.0) or 0.0) * float(
            r.supply_t_per_year
        )
    for (a, b), t in sl.items():
        outflow[a] += t
        inflow[b] += t
    errs = []
    for f in sorted(set(inflow) | set(outflow)):
        if kinds.get(f) in ("collection", "storage") and not _near(inflow[f], outflow[f]):
            errs.append(
                f"second-life-able balance at {f}: {inflow[f]:.6g} t/year in, {outflow[f]:.6g} out"
            )
    total_sl = float(g["second_life_t_per_year"].sum())
    sold = sum(t for (_, b), t in sl.items() if kinds.get(b) == "second_life")
    recycled = sum(t for f, t in inflow.items() if kinds.get(f) == "plant")
    if not _near(sold + recycled, total_sl):
        errs.append(
            f"second-life-able tonnes: {total_sl:.6g} t/year, sold {sold:.6g} + recycled "
            f"{recycled:.6g}"
        )
    return errs


def _check_users(
    plan: Any, inputs: Inputs, hauled: dict[tuple[str, str], float], kinds: dict[str, str]
) -> list[str]:
    """Demands, grading throughput, open graders, the plant's intake."""
    sc = inputs.scenario
    users = second_life_users(sc, inputs.geodata).set_index("user_id")
    open_ = dict(
        zip(plan.outlets["site_id"].astype(str), plan.outlets["open"].astype(bool), strict=True)
    )
    got: dict[str, float] = defaultdict(float)
    graded: dict[str, float] = defaultdict(float)
    for (a, b), t in hauled.items():
        if kinds.get(b) == "second_life":
            got[b] += t
            graded[a] += t
    errs = []
    for u, t in sorted(got.items()):
        demand = float(users.loc[u, "demand_t_per_year"]) if u in users.index else 0.0
        if t > demand + _TOL_T:
            errs.append(f"second-life user {u} receives {t:.6g} t/year, demand {demand:.6g}")
    limit = sc.grading.throughput_t_per_year
    for f, t in sorted(graded.items()):
        if not open_.get(f, False):
            errs.append(f"storage outlet {f} grades {t:.6g} t/year but is closed")
        if t > limit + _TOL_T:
            errs.append(f"storage outlet {f} grades {t:.6g} t/year, throughput {limit:.6g}")
    plant = plan.outlets[plan.outlets["kind"] == "plant"]
    plant_t = float(plant["throughput_t_per_year"].sum())
    want = inputs.total_supply_t - sum(got.values())
    if not _near(plant_t, want, abs_tol=1e-4):
        errs.append(f"the plant receives {plant_t:.6g} t/year, supply less second life {want:.6g}")
    return errs


def _check_kpis(plan: Any, inputs: Inputs, geo: Geography) -> list[str]:
    return kpi_errors(plan.kpis, loop_kpis(inputs, geo, plan), 1e-6, 1e-3, label="kpi ")
