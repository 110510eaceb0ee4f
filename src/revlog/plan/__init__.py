"""The plan layer: what a solve returns, how it is described, built, saved and loaded.

* :mod:`revlog.plan.schema` — tables, columns, dtypes and KPIs (a leaf module);
* :mod:`revlog.plan.model` — :class:`Plan`, the tables an analyst works with;
* :mod:`revlog.plan.build` — one builder per table from the stages' results;
* :mod:`revlog.plan.io` — saving and loading (shared by ``Plan.save`` and ``revlog export``).
"""

from revlog.plan.model import Plan, empty_table, format_kpi, format_value
from revlog.plan.schema import (
    COLUMNS,
    CRS,
    FLOAT_FORMAT,
    GEO_TABLES,
    INTEGER_KPIS,
    KPI_GROUPS,
    KPI_ORDER,
    KPI_UNITS,
    SCHEMA,
    SOLVER_FIELDS,
    TABLES,
)

__all__ = [
    "COLUMNS",
    "CRS",
    "FLOAT_FORMAT",
    "GEO_TABLES",
    "INTEGER_KPIS",
    "KPI_GROUPS",
    "KPI_ORDER",
    "KPI_UNITS",
    "SCHEMA",
    "SOLVER_FIELDS",
    "TABLES",
    "Plan",
    "empty_table",
    "format_kpi",
    "format_value",
]
