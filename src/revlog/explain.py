"""Infeasibility explained in the scenario's terms: which site, which limit, which setting.

The stages diagnose their own problems (:func:`revlog.location.solve.diagnose_infeasibility`,
:func:`revlog.routing.rules.diagnose`) in their own terms: arcs, nodes, rule fields. Here the
pipeline's diagnoses are restated for the planner: a source without an arc becomes "farther
than the service radius of 500 km from every candidate (location.service_radius_km)", a run
limit names the scenario setting it comes from. Decisions use the diagnoses' ``code``,
``site`` and ``setting`` fields, never their wording.
"""

from __future__ import annotations

import numpy as np

from revlog.errors import Diagnosis
from revlog.inputs import Inputs
from revlog.location.problem import LocationProblem
from revlog.problems import SCENARIO_SETTINGS, Geography
from revlog.routing.problem import RoutingProblem
from revlog.routing.rules import diagnose


def scenario_setting(d: Diagnosis) -> Diagnosis:
    """The diagnosis with its ``setting`` mapped to the scenario's field path."""
    if d.setting in SCENARIO_SETTINGS:
        return d.with_message(d.message, setting=SCENARIO_SETTINGS[d.setting])
    return d


def _access_km(geo: Geography, site_id: str, restricted: list[str]) -> tuple[float, float] | None:
    """Access leg of a site to the open and to the permitted road network, km."""
    if geo.network is None:
        return None
    row = geo.sites.loc[geo.sites["site_id"] == site_id, ["site_id", "lon", "lat"]]
    frame = row.rename(columns={"site_id": "id"})
    try:
        full = float(geo.network.snap(frame)["access_km"].iloc[0])
        allowed = (
            float(geo.network.restricted(restricted).snap(frame)["access_km"].iloc[0])
            if restricted
            else full
        )
    except (KeyError, ValueError, IndexError):
        return None
    return full, allowed


def _why_unreached(
    inputs: Inputs, geo: Geography, problem: LocationProblem, s: int, closed: str
) -> Diagnosis:
    """Why source ``s`` has no assignment arc: no permitted road, or beyond the radius."""
    sc = inputs.scenario
    radius = sc.location.service_radius_km
    restricted = list(sc.rules.restricted_road_classes)
    fac = [str(f) for f in problem.facility_ids]
    if not sc.location.direct_to_plant:
        fac = fac[1:]
    sid = str(problem.source_ids[s])
    head = f"source {sid} ({float(problem.supply_t[s]):g} t/year)"
    km = np.array([geo.leg(sid, f)[0] for f in fac], dtype=float)
    if not np.isfinite(km).any():
        return Diagnosis(
            "no_road",
            f"{head} cannot be reached on the road network: no permitted road leads from it "
            f"to any outlet candidate or the plant{closed}",
            site=sid,
            setting="rules.restricted_road_classes" if restricted else None,
        )
    j = int(np.nanargmin(np.where(np.isfinite(km), km, np.nan)))
    text = (
        f"{head} is farther than the service radius of {radius:g} km "
        f"(location.service_radius_km) from every candidate: the nearest, {fac[j]}, "
        f"is {km[j]:.1f} km away by road"
    )
    access = _access_km(geo, sid, restricted)
    if access is not None and restricted and access[1] > access[0] + 1.0:
        text += (
            f"; the roads near it are closed to hazmat vehicles ({', '.join(restricted)}; "
            f"rules.restricted_road_classes), so it is joined to the nearest permitted "
            f"road by a {access[1]:.1f} km access leg (without the restriction "
            f"{access[0]:.1f} km)"
        )
    return Diagnosis("outside_radius", text, site=sid, setting="location.service_radius_km")


def explain_location(
    inputs: Inputs, geo: Geography, problem: LocationProblem, found: list[Diagnosis]
) -> list[Diagnosis]:
    """Stage 1's diagnoses with each unreached source explained (distance, radius, roads).

    Sources that reach no facility come first (each replacing its ``no_arc`` diagnosis),
    then the other diagnoses in their order, settings named as in the scenario file.
    """
    restricted = list(inputs.scenario.rules.restricted_road_classes)
    closed = (
        f" (road classes closed to hazmat vehicles: {', '.join(restricted)}; "
        "rules.restricted_road_classes)"
        if restricted
        else ""
    )
    reached = set(problem.arc_source.tolist())
    has_fac = problem.n_facilities > (0 if inputs.scenario.location.direct_to_plant else 1)
    why = {
        str(problem.source_ids[s]): _why_unreached(inputs, geo, problem, s, closed)
        for s in range(problem.n_sources)
        if s not in reached and problem.supply_t[s] > 0 and has_fac
    }
    out = []
    for d in found:
        if d.code == "no_arc" and d.site in why:
            out.append(why.pop(d.site))
        else:
            out.append(scenario_setting(d))
    return [*why.values(), *out]


def _rule_source(d: Diagnosis, rp: RoutingProblem) -> str:
    """Which scenario setting a ``run_limit`` diagnosis's limit comes from."""
    r = rp.rules
    if d.setting == "duty_h_per_day" and r is not None and r.duty_h_per_day is not None:
        return (
            f"the daily duty limit rules.duty_h_per_day = {r.duty_h_per_day:g} h, as runs "
            "last one day (rules.max_days_per_run = 1)"
        )
    days = r.max_days if r is not None else 1
    return f"rules.max_days_per_run = {days} day(s)"


def explain_routing(base_id: str, rp: RoutingProblem, found: list[Diagnosis]) -> list[Diagnosis]:
    """A base's routing diagnoses for the planner: the base named, the setting that binds.

    When the only reason is a failed search (``search_failed``: every stop passes the quick
    checks alone), the rules in force and the fleet are stated, since together they are
    the suspects.
    """
    out = []
    for d in found:
        text = f"base {base_id}: {d.message.removeprefix(f'{base_id}: ')}"
        if d.code == "run_limit":
            text += f" ({_rule_source(d, rp)})"
        out.append(scenario_setting(d.with_message(text)))
    if found and all(d.code == "search_failed" for d in found):
        r = rp.rules
        rules = []
        if r is not None:
            if r.duty_h_per_day is not None:
                rules.append(f"daily duty limit {r.duty_h_per_day:g} h (rules.duty_h_per_day)")
            rules.append(f"runs of at most {r.max_days} day(s) (rules.max_days_per_run)")
            if r.night_ban_h is not None:
                rules.append(f"night ban {r.night_ban_h[0]:g}-{r.night_ban_h[1]:g} h")
        out.append(
            Diagnosis(
                "search_failed",
                f"base {base_id}: every one of its {rp.n_nodes - 1} stops passes the quick "
                "checks alone, but no runs serving them all were found under "
                + (", ".join(rules) if rules else "the fleet's capacities and the time windows")
                + f" with {sum(t.count for t in rp.vehicle_types)} vehicle(s); a longer time "
                "limit may find some, or those limits are too tight together",
                site=base_id,
            )
        )
    return out


def quick_diagnosis(site_id: str, kind: str, rp: RoutingProblem) -> list[Diagnosis]:
    """Why a base cannot be routed, found without searching (empty when no proof)."""
    if not rp.vehicle_types:
        text = (
            f"base {site_id} ({kind}) receives {rp.n_nodes - 1} sources but no "
            "vehicle type is stationed there (fleet.*.base)"
        )
        return [Diagnosis("no_fleet", text, site=site_id, setting="fleet.*.base")]
    if rp.drop_penalty_cny is not None:
        return []
    return explain_routing(site_id, rp, diagnose(rp))
