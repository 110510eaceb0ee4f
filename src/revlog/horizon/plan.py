"""A solved multi-year plan: one ordinary :class:`~revlog.plan.Plan` per year, and the phasing.

Folder layout (``HorizonPlan.save``)::

    horizon.json   name, years, KPIs (discounted totals, myopic vs planned), metadata
    outlets.csv    every candidate and the plant: open_from_year, closed_from_year,
                   opening cost, modules installed in each year (modules_YYYY)
    years.csv      one row per year: weight, discount, supply, outlets, costs
    YYYY/          the year's plan folder (plan.json, tables, map), as ``revlog solve``
    map.html       (written by ``revlog solve``) every year on one map, a year control

``open_from_year`` / ``closed_from_year`` are empty when the outlet never opens / closes;
an outlet open before the first year (existing, the plant) opens in the first year.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from revlog.outputs import HORIZON_FILE
from revlog.plan import Plan
from revlog.plan.io import write_table_csv
from revlog.plan.model import format_value

if TYPE_CHECKING:
    import folium

#: Columns of the horizon's tables (``Int64``: empty when there is no such year).
HORIZON_SCHEMA: dict[str, dict[str, str]] = {
    "outlets": {
        "site_id": "object",
        "name": "object",
        "kind": "object",
        "prefecture": "object",
        "existing": "bool",
        "open_from_year": "Int64",
        "closed_from_year": "Int64",
        "opening_cost_cny": "float64",
    },
    "years": {
        "year": "int64",
        "calendar_years": "int64",
        "weight": "float64",
        "discount": "float64",
        "supply_t_per_year": "float64",
        "outlets_open": "int64",
        "modules": "int64",
        "location_cost_cny_per_year": "float64",
        "myopic_location_cost_cny_per_year": "float64",
        "total_cost_cny_per_year": "float64",
        "one_off_cost_cny": "float64",
        "myopic_one_off_cost_cny": "float64",
        "discounted_cost_cny": "float64",
    },
}

#: KPIs of a multi-year plan and their units.
HORIZON_KPI_UNITS: dict[str, str] = {
    "discounted_total_cny": "CNY",
    "discounted_location_cny": "CNY",
    "myopic_discounted_location_cny": "CNY",
    "planning_saves_cny": "CNY",
    "planning_saves_share": "of myopic",
    "one_off_cost_cny": "CNY",
    "outlets_opened": "outlets",
    "modules_installed": "modules",
}
"""``discounted_total_cny`` = Σ weight × the year's routed ``total_cost_cny_per_year`` + Σ
discount × its one-off costs. ``discounted_location_cny`` is the multi-year MILP's objective
(first mile as the CNY/t·km estimate), ``myopic_discounted_location_cny`` the same objective of
the myopic plan (each year solved alone, earlier openings kept), and ``planning_saves_cny``
their difference (≥ 0)."""


def modules_column(year: int) -> str:
    """Name of the outlets column holding the modules installed in ``year``."""
    return f"modules_{year}"


@dataclass
class HorizonPlan:
    """A solved multi-year scenario.

    Attributes
    ----------
    name
        Scenario name.
    plans
        Year → that year's plan (its scenario name is ``NAME-YEAR``).
    outlets, years
        The phasing tables (module docstring).
    kpis
        KPI Series (units in :data:`HORIZON_KPI_UNITS`).
    meta
        Solver figures of the multi-year and the myopic solve, seed, time limits.
    """

    name: str
    plans: dict[int, Plan]
    outlets: pd.DataFrame
    years: pd.DataFrame
    kpis: pd.Series
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """A readable summary: KPIs, then one line per year."""
        lines = [f"Horizon plan '{self.name}' ({', '.join(map(str, self.plans))})"]
        for k, v in self.kpis.items():
            lines.append(f"    {k:<36} {format_value(float(v))} {HORIZON_KPI_UNITS.get(k, '')}")
        lines.append("  per year")
        for r in self.years.itertuples(index=False):
            o = self.outlets
            opened = (o["open_from_year"] == r.year) & ~o["existing"] & (o["kind"] != "plant")
            lines.append(
                f"    {r.year}: {r.outlets_open} outlets open ({int(opened.sum())} opened), "
                f"{r.modules} modules, {r.supply_t_per_year:,.1f} t/year, "
                f"{r.total_cost_cny_per_year:,.0f} CNY/year routed"
            )
        return "\n".join(lines)

    def explore(self, **kwargs: Any) -> folium.Map:
        """An interactive map, a year at a time (:func:`~revlog.export.horizon_map.horizon_map`)."""
        from revlog.export.horizon_map import horizon_map

        return horizon_map(self, **kwargs)

    def save(self, folder: str | Path) -> Path:
        """Write the plan to ``folder`` (layout: module docstring); return it."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for year, plan in self.plans.items():
            plan.save(folder / str(year))
        write_table_csv(self.outlets, folder / "outlets.csv")
        write_table_csv(self.years, folder / "years.csv")
        doc = {
            "name": self.name,
            "years": [int(y) for y in self.plans],
            "kpis": {k: float(v) for k, v in self.kpis.items()},
            "meta": self.meta,
        }
        text = json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n"
        (folder / HORIZON_FILE).write_text(text, encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> HorizonPlan:
        """Read a folder written by :meth:`save`."""
        folder = Path(folder)
        doc = json.loads((folder / HORIZON_FILE).read_text(encoding="utf-8"))
        plans = {int(y): Plan.load(folder / str(y)) for y in doc["years"]}
        tables = {
            name: pd.read_csv(folder / f"{name}.csv", keep_default_na=False, na_values=[""])
            for name in HORIZON_SCHEMA
        }
        outlets = tables["outlets"]
        for c in ("site_id", "name", "kind", "prefecture"):
            outlets[c] = outlets[c].fillna("").astype(str)
        outlets = outlets.astype(
            {c: t for c, t in HORIZON_SCHEMA["outlets"].items() if t != "object"}
        )
        return cls(
            name=doc["name"],
            plans=plans,
            outlets=outlets,
            years=tables["years"].astype(HORIZON_SCHEMA["years"]),
            kpis=pd.Series(
                {k: doc["kpis"][k] for k in HORIZON_KPI_UNITS if k in doc["kpis"]}, dtype=float
            ),
            meta=doc.get("meta", {}),
        )
