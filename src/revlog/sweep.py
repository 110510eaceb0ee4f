"""Many scenario variants solved on Dask: a local cluster by default, or a scheduler address.

A sweep starts from one scenario and changes some of its fields, given by dotted names::

    base: qinghai-baseline.yaml
    grid:                                   # every combination (cartesian product)
      sources.supply_scale: [1.0, 2.0, 4.0]
      solver.risk_weight_cny_per_person: [0.0, 0.01]
    variants:                               # and/or named variants
      - name: no-prefecture-rule
        set: {location.collection_per_prefecture: false}

Each variant is validated like a scenario file (errors name the sweep file and the
variant), then solved in its own worker process; an infeasible variant is reported with
its diagnosis instead of stopping the sweep.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from revlog.errors import InfeasibleError, Problem, ScenarioError
from revlog.scenario.load import load_scenario, problems_from_validation, read_mapping
from revlog.scenario.schema import Scenario

SWEEP_KEYS = {"base", "grid", "variants"}


@dataclass
class Variant:
    """One scenario of a sweep: its name, the fields it changes, the scenario itself."""

    name: str
    changes: dict[str, Any]
    scenario: Scenario = field(repr=False)


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = data
    for k in keys[:-1]:
        nxt = node.get(k)
        if not isinstance(nxt, dict):
            nxt = {}
            node[k] = nxt
        node = nxt
    node[keys[-1]] = value


def make_variants(
    base: Scenario,
    grid: dict[str, list[Any]] | None = None,
    variants: list[dict[str, Any]] | None = None,
    label: str = "(sweep)",
) -> list[Variant]:
    """Expand a grid and a list of named variants into validated scenarios.

    Parameters
    ----------
    base
        The scenario every variant starts from.
    grid
        ``{dotted_field: [values]}``; every combination becomes a variant.
    variants
        ``[{"name": ..., "set": {dotted_field: value}}]``.
    label
        File name used in error messages.

    Returns
    -------
    list of Variant
        In a stable order: the grid combinations first, then the named variants.

    Raises
    ------
    ScenarioError
        Listing every invalid variant field as ``file:variant.field: reason``.
    """
    specs: list[tuple[str, dict[str, Any]]] = []
    if grid:
        keys = list(grid)
        for combo in itertools.product(*(grid[k] for k in keys)):
            changes = dict(zip(keys, combo, strict=True))
            name = ",".join(f"{k.split('.')[-1]}={v}" for k, v in changes.items())
            specs.append((name, changes))
    for i, v in enumerate(variants or []):
        specs.append((str(v.get("name") or f"variant-{i}"), dict(v.get("set") or {})))
    if not specs:
        specs.append(("base", {}))
    names = [n for n, _ in specs]
    problems: list[Problem] = []
    for n in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem(label, f"variants.{n}", "duplicate variant name"))
    dumped = base.model_dump(mode="json", exclude={"path"})
    out: list[Variant] = []
    for name, changes in specs:
        data = _copy(dumped)
        for k, v in changes.items():
            _set_dotted(data, k, v)
        data["name"] = f"{base.name}[{name}]"
        try:
            sc = Scenario.model_validate(data)
        except ValidationError as exc:
            for p in problems_from_validation(exc, label):
                problems.append(Problem(p.file, f"{name}.{p.field}", p.reason))
            continue
        out.append(
            Variant(name=name, changes=changes, scenario=sc.model_copy(update={"path": base.path}))
        )
    if problems:
        raise ScenarioError(problems)
    return out


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def load_sweep(path: str | Path) -> list[Variant]:
    """Read a sweep file (YAML/TOML/JSON) and expand it into validated variants.

    ``base`` is resolved against the sweep file's folder.
    """
    path = Path(path)
    data = read_mapping(path)
    label = str(path)
    unknown = sorted(set(data) - SWEEP_KEYS)
    problems = [
        Problem(label, k, f"unknown key (allowed: {', '.join(sorted(SWEEP_KEYS))})")
        for k in unknown
    ]
    if "base" not in data:
        problems.append(Problem(label, "base", "required field is missing"))
    grid = data.get("grid") or {}
    if not isinstance(grid, dict) or not all(isinstance(v, list) for v in grid.values()):
        problems.append(Problem(label, "grid", "must map dotted field names to lists of values"))
    variants = data.get("variants") or []
    if not isinstance(variants, list) or not all(isinstance(v, dict) for v in variants):
        problems.append(Problem(label, "variants", "must be a list of {name, set} mappings"))
    if problems:
        raise ScenarioError(problems)
    base = load_scenario(path.resolve().parent / str(data["base"]))
    return make_variants(base, grid=grid, variants=variants, label=label)


def _solve_one(
    scenario_json: str, base_path: str | None, time_limit_s: float | None, out_dir: str | None
) -> dict[str, Any]:
    """Worker task: solve one variant; return its KPIs or its diagnosis (plain data)."""
    from revlog.pipeline import solve

    sc = Scenario.model_validate_json(scenario_json)
    if base_path:
        sc = sc.model_copy(update={"path": Path(base_path)})
    try:
        plan = solve(sc, time_limit=time_limit_s)
    except InfeasibleError as exc:
        return {"status": "infeasible", "diagnosis": " | ".join(exc.diagnosis)}
    except ScenarioError as exc:
        return {"status": "invalid", "diagnosis": " | ".join(map(str, exc.problems))}
    if out_dir:
        from revlog.outputs import atomic_dir

        with atomic_dir(out_dir, force=True) as tmp:
            plan.save(tmp)
    return {"status": "solved", **{k: v for k, v in plan.kpis.items()}}


def run_sweep(
    variants: list[Variant],
    scheduler: str | None = None,
    n_workers: int = 2,
    time_limit_s: float | None = None,
    out_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Solve every variant on a Dask cluster and collect their KPIs.

    Parameters
    ----------
    variants
        From :func:`load_sweep` or :func:`make_variants`.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); ``None`` starts a
        ``LocalCluster`` of ``n_workers`` single-threaded worker processes.
    n_workers
        Workers of the local cluster.
    time_limit_s
        Time limit of each solve (default: each scenario's own).
    out_dir
        If given, each plan is saved to ``out_dir/<variant name>``.

    Returns
    -------
    pandas.DataFrame
        One row per variant (index: variant name): the changed fields, ``status``
        (solved | infeasible | invalid), ``diagnosis`` and the plan KPIs.
    """
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = [
            client.submit(
                _solve_one,
                v.scenario.model_dump_json(),
                str(v.scenario.path) if v.scenario.path else None,
                time_limit_s,
                str(Path(out_dir) / _safe(v.name)) if out_dir else None,
                key=f"revlog-sweep-{i}-{_safe(v.name)}",
                pure=False,
            )
            for i, v in enumerate(variants)
        ]
        results = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    rows = []
    for v, r in zip(variants, results, strict=True):
        rows.append({"variant": v.name, **{k: v2 for k, v2 in v.changes.items()}, **r})
    return pd.DataFrame(rows).set_index("variant")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.=," else "_" for c in name)
