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
its diagnosis, and an invalid one (``keep_invalid``) with its problems, instead of stopping
the sweep: the other variants are still solved.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from revlog.distributed import DaskTarget, dask_client, results_as_completed, safe_key
from revlog.errors import InfeasibleError, Problem, ScenarioError
from revlog.progress import Progress, stepped
from revlog.scenario.load import load_scenario, problems_from_validation, read_mapping
from revlog.scenario.schema import Scenario

SWEEP_KEYS = {"base", "grid", "variants"}


@dataclass
class Variant:
    """One scenario of a sweep: its name, the fields it changes, the scenario itself.

    An invalid variant (kept by ``keep_invalid``) has no scenario and lists its
    ``problems`` (``file:variant.field: reason``).
    """

    name: str
    changes: dict[str, Any]
    scenario: Scenario | None = field(repr=False)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Whether the variant validated (it can be solved)."""
        return self.scenario is not None


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
    keep_invalid: bool = False,
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
    keep_invalid
        Return an invalid variant (with its ``problems``, without a scenario) instead of
        raising, so that the valid ones can still be solved.

    Returns
    -------
    list of Variant
        In a stable order: the grid combinations first, then the named variants.

    Raises
    ------
    ScenarioError
        Listing every invalid variant field as ``file:variant.field: reason`` (with
        ``keep_invalid``, only duplicate variant names, which concern the sweep as a whole).
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
        data = copy.deepcopy(dumped)
        for k, v in changes.items():
            _set_dotted(data, k, v)
        data["name"] = f"{base.name}[{name}]"
        try:
            sc = Scenario.model_validate(data)
        except ValidationError as exc:
            found = [
                Problem(p.file, f"{name}.{p.field}", p.reason)
                for p in problems_from_validation(exc, label)
            ]
            if keep_invalid:
                out.append(Variant(name=name, changes=changes, scenario=None, problems=found))
            else:
                problems += found
            continue
        out.append(
            Variant(
                name=name,
                changes=changes,
                scenario=sc.model_copy(update={"path": base.path}),
            )
        )
    if problems:
        raise ScenarioError(problems)
    return out


def load_sweep(path: str | Path, keep_invalid: bool = False) -> list[Variant]:
    """Read a sweep file (YAML/TOML/JSON) and expand it into validated variants.

    ``base`` is resolved against the sweep file's folder; ``keep_invalid`` as in
    :func:`make_variants` (the sweep file itself and its base must still be valid).
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
    return make_variants(base, grid=grid, variants=variants, label=label, keep_invalid=keep_invalid)


def _solve_one(
    scenario_json: str, base_path: str | None, time_limit_s: float | None, out_dir: str | None
) -> dict[str, Any]:
    """Worker task: solve one variant; return its KPIs or why there are none (plain data).

    Statuses: ``solved``, ``infeasible`` (the diagnosis), ``invalid`` (its tables' or
    cross-checks' problems), ``error`` (the plan could not be written, or a failure that
    is a bug: reported, so that the other variants' results are kept).
    """
    from revlog.errors import RevlogError
    from revlog.pipeline import solve
    from revlog.scenario.load import input_paths

    sc = Scenario.model_validate_json(scenario_json)
    if base_path:
        sc = sc.model_copy(update={"path": Path(base_path)})
    try:
        plan = solve(sc, time_limit=time_limit_s)
        if out_dir:
            from revlog.outputs import atomic_dir

            with atomic_dir(out_dir, force=True, inputs=input_paths(sc)) as tmp:
                plan.save(tmp)
    except InfeasibleError as exc:
        return {"status": "infeasible", "diagnosis": " | ".join(exc.diagnosis)}
    except ScenarioError as exc:
        return {"status": "invalid", "diagnosis": " | ".join(map(str, exc.problems))}
    except RevlogError as exc:
        return {"status": "error", "diagnosis": " | ".join(str(exc).splitlines())}
    except Exception as exc:
        return {"status": "error", "diagnosis": f"internal error: {type(exc).__name__}: {exc}"}
    return {"status": "solved", **{k: v for k, v in plan.kpis.items()}}


def variant_folder(out_dir: str | Path, variant: Variant) -> Path:
    """Where a variant's plan is saved: ``out_dir/<variant name, file-name safe>``."""
    return Path(out_dir) / safe_key(variant.name)


def run_sweep(
    variants: list[Variant],
    scheduler: str | None = None,
    n_workers: int = 2,
    time_limit_s: float | None = None,
    out_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Solve every variant on a Dask cluster and collect their KPIs.

    Parameters
    ----------
    variants
        From :func:`load_sweep` or :func:`make_variants`; invalid ones are not solved.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); ``None`` starts a
        ``LocalCluster`` of ``n_workers`` single-threaded worker processes.
    n_workers
        Workers of the local cluster.
    time_limit_s
        Time limit of each solve (default: each scenario's own).
    out_dir
        If given, each plan is saved to ``out_dir/<variant name>`` (an existing folder of
        that name is replaced only if it is a plan folder).
    progress
        Optional ``progress(stage, message)``: one :class:`~revlog.progress.ProgressStep`
        (``variant k of N``) per variant as it finishes.

    Returns
    -------
    pandas.DataFrame
        One row per variant (index: variant name): the changed fields, ``status``
        (solved | infeasible | invalid | error), ``diagnosis`` and the plan KPIs.
    """
    say = progress or (lambda stage, msg: None)
    results: dict[int, dict[str, Any]] = {}
    for i, v in enumerate(variants):
        if not v.valid:
            results[i] = {"status": "invalid", "diagnosis": " | ".join(map(str, v.problems))}
    todo = [i for i in range(len(variants)) if i not in results]
    for k, i in enumerate(sorted(results)):
        stepped(say, k, len(variants), finished=True, unit="variant")(
            "sweep", f"variant {variants[i].name}: invalid"
        )
    if todo:
        results.update(
            _run_on_dask(variants, todo, scheduler, n_workers, time_limit_s, out_dir, say)
        )
    rows = []
    for i, v in enumerate(variants):
        rows.append({"variant": v.name, **{k: v2 for k, v2 in v.changes.items()}, **results[i]})
    return pd.DataFrame(rows).set_index("variant")


def _run_on_dask(
    variants: list[Variant],
    todo: list[int],
    scheduler: str | None,
    n_workers: int,
    time_limit_s: float | None,
    out_dir: str | Path | None,
    say: Progress,
) -> dict[int, dict[str, Any]]:
    """Solve the variants ``todo`` on Dask; their results by index, reported as they end."""
    results: dict[int, dict[str, Any]] = {}
    done = len(variants) - len(todo)
    calls = []
    for i in todo:
        v = variants[i]
        assert v.scenario is not None
        args = (
            v.scenario.model_dump_json(),
            str(v.scenario.path) if v.scenario.path else None,
            time_limit_s,
            str(variant_folder(out_dir, v)) if out_dir else None,
        )
        calls.append((f"revlog-sweep-{i}-{safe_key(v.name)}", args))
    with dask_client(DaskTarget(scheduler, n_workers)) as client:
        for k, result in results_as_completed(client, _solve_one, calls):
            i = todo[k]
            results[i] = result
            stepped(say, done, len(variants), finished=True, unit="variant")(
                "sweep", f"variant {variants[i].name}: {results[i]['status']}"
            )
            done += 1
    return results
