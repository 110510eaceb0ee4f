"""The ``revlog`` command line (typer + rich).

Exit codes: 0 success, 1 a checked plan has violations, 2 invalid input (every problem
listed as ``file:field: reason``; also an unusable output location or option value, as
``path: reason`` / ``--option: reason``), 3 the scenario is infeasible (with a
diagnosis), 130 interrupted with nothing to save (Ctrl-C while routing saves the best plan
found so far instead and exits 0 with a warning), 143 terminated (SIGTERM), nothing saved.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import warnings
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any

try:
    import typer
    from rich.console import Console
    from rich.progress import ProgressColumn
    from rich.text import Text
except KeyboardInterrupt:  # Ctrl-C while the command starts up: one line, no traceback
    sys.stderr.write("\ninterrupted; nothing saved\n")
    raise SystemExit(130) from None

from revlog.errors import (
    InfeasibleError,
    OutputError,
    Problem,
    RevlogError,
    ScenarioError,
    ScenarioWarning,
    SolveInterruptedError,
    Terminated,
    UsageError,
)
from revlog.progress import ProgressStep

app = typer.Typer(
    help="revlog: plan the reverse logistics of retired EV batteries (outlets + hazmat pickups).",
    epilog=(
        "Exit codes: 0 success; 1 check found violations; 2 invalid input (file:field: "
        "reason), output location or option value; 3 infeasible scenario (diagnosis "
        "printed); 130 interrupted with nothing saved; 143 terminated (SIGTERM)."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # docstring paragraphs are reflowed, not broken at each line
)
bench_app = typer.Typer(help="Run the public benchmark instances.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

EXIT_VIOLATIONS = 1
EXIT_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = Terminated.EXIT_CODE

#: Largest values of the numeric options (the scenario schema's limits where it has one).
MAX_WORKERS = 256


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("revlog")
        except PackageNotFoundError:
            text = "unknown (not installed)"
        sys.stdout.write(f"revlog {text}\n")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """The options of ``revlog`` itself (``--version``, shell completion)."""


# ---- numeric options: every value range-checked before any work ---------------------------


def _seconds(option: str) -> Any:
    """A typer callback: a time limit in seconds, > 0, finite, at most the schema's limit."""
    from revlog.scenario.schema import MAX_TIME_LIMIT_S

    def check(value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value) or value <= 0:
            raise UsageError(option, f"must be a finite number of seconds above 0, got {value}")
        if value > MAX_TIME_LIMIT_S:
            raise UsageError(
                option, f"must be at most {MAX_TIME_LIMIT_S:g} s (a week), got {value:g}"
            )
        return value

    return check


def _seed_value(value: int | None) -> int | None:
    from revlog.scenario.schema import MAX_SEED

    if value is not None and not 0 <= value <= MAX_SEED:
        raise UsageError("--seed", f"must be a whole number from 0 to {MAX_SEED}, got {value}")
    return value


def _workers_value(value: int) -> int:
    if not 1 <= value <= MAX_WORKERS:
        raise UsageError("--workers", f"must be from 1 to {MAX_WORKERS}, got {value}")
    return value


def _optional_workers(value: int | None) -> int | None:
    return None if value is None else _workers_value(value)


def _file_output(path: Path | None, option: str) -> Path | None:
    """A file the command will write (``--csv``): its folder must exist; checked up front."""
    if path is None:
        return None
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(path, f"is a folder; {option} wants a file name")
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise OutputError(path, f"folder {parent} {what}")
    if not os.access(parent, os.W_OK):
        raise OutputError(path, f"cannot write into folder {parent}")
    return path


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(path, f"cannot write the file: {exc.strerror or exc}") from None


def _print_warnings(found: list[Problem]) -> None:
    for p in found:
        err.print(f"{p.file}:{p.field}: warning: {p.reason}", markup=False, highlight=False)


def _fail_input(exc: ScenarioError) -> None:
    for p in exc.problems:
        err.print(str(p), markup=False, highlight=False)
    n = len(exc.problems)
    err.print(f"[red]{n} problem{'s' if n != 1 else ''} found[/red]")
    raise typer.Exit(EXIT_INPUT)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files and their tables; list every problem as file:field: reason.

    Schema and table problems are listed together, then (for a file without any) the cheap
    feasibility pre-checks of stage 1 run: sources beyond the service radius, capacities,
    budget, the one-collection-outlet-per-prefecture rule. Columns revlog does not read are
    warned about. Exit 0 when every file is valid, 2 when any has problems, 3 when none has
    problems but a scenario is infeasible (the diagnosis names the site and the setting).
    """
    from revlog.inputs import prepare
    from revlog.scenario import load_scenario

    problems = []
    infeasible = False
    for f in files:
        try:
            inputs = prepare(load_scenario(f))
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        _print_warnings(inputs.warnings)
        diagnoses = _prechecks(inputs)
        if diagnoses:
            infeasible = True
            err.print(f"{f}: location stage infeasible:", markup=False, highlight=False)
            for d in diagnoses:
                err.print(f"- {d.message}", markup=False, highlight=False)
            continue
        out.print(
            f"[green]ok[/green] {f}: {len(inputs.sources)} sources "
            f"({inputs.total_supply_t:,.1f} t/year), {len(inputs.candidates)} candidate sites, "
            f"{len(inputs.scenario.fleet)} vehicle types",
            highlight=False,
        )
    if problems:
        _fail_input(ScenarioError(problems))
    if infeasible:
        raise typer.Exit(EXIT_INFEASIBLE)


def _prechecks(inputs: Any) -> list[Any]:
    """Stage 1's cheap necessary conditions (no solver run), restated for the planner."""
    from revlog.explain import explain_location
    from revlog.location.solve import diagnose_infeasibility
    from revlog.problems import build_geography, location_problem

    geo = build_geography(inputs)
    problem = location_problem(inputs, geo)
    found = diagnose_infeasibility(problem)
    return explain_location(inputs, geo, problem, found) if found else []


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from revlog.scenario.schema import Scenario

    _file_output(output, "--output")
    text = json.dumps(Scenario.model_json_schema(mode="validation"), indent=2, sort_keys=True)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        _write_text(output, text + "\n")


@app.command()
def solve(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML, TOML or JSON).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")],
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="Total time limit, s (overrides file; > 0, at most a week).",
            callback=_seconds("--time-limit"),
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", help="Random seed, 0 to 2147483647 (overrides file).", callback=_seed_value
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an existing plan folder (never any other folder)."),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress output, no warnings.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")
    ] = False,
    maps: Annotated[
        bool, typer.Option("--maps/--no-maps", help="Also write map.html and overview.png.")
    ] = True,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Let the solvers print their logs (stderr).")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Route the bases in parallel on this Dask scheduler (tcp://…)."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Route the bases in parallel on a local Dask cluster of N workers (1 to 256).",
            callback=_optional_workers,
        ),
    ] = None,
) -> None:
    """Solve a scenario (geography, outlet location, pickup runs) and write the plan.

    The folder gets plan.json, a CSV and a GeoJSON file per table, map.html (works
    offline) and overview.png; it appears only when complete. The output location is
    checked before solving: --force replaces only a plan folder revlog wrote (plan.json and
    revlog's files, nothing else), never the current folder or a folder holding an input.
    Same scenario and seed: byte-identical files, also when --workers or --scheduler
    routes the bases in parallel on Dask.

    Exit codes: 0 written; 2 invalid input or unusable output location (nothing written);
    3 infeasible (diagnosis printed); Ctrl-C: the best plan found so far is written (exit
    0, with a warning), or exit 130 if there is none yet (nothing written); SIGTERM: exit
    143, nothing written.
    """
    from revlog.inputs import prepare
    from revlog.outputs import (
        SOLVER_LOG_ENV,
        OutputFolder,
        native_stdout,
        stable_element_ids,
    )
    from revlog.pipeline import solve_inputs
    from revlog.scenario import load_scenario
    from revlog.scenario.load import input_paths

    target = None
    if scheduler is not None or workers is not None:
        from revlog.distributed import DaskTarget

        target = DaskTarget(scheduler=scheduler, n_workers=workers or 2)
    sc = load_scenario(scenario)
    inputs = prepare(sc)
    if not quiet:
        _print_warnings(inputs.warnings)
    if verbose:
        os.environ[SOLVER_LOG_ENV] = "1"
    native = "null" if (quiet or as_json) and not verbose else "stderr"
    total_s = time_limit if time_limit is not None else sc.solver.time_limit_s
    if sc.horizon is not None:
        _solve_horizon(inputs, output, (time_limit, seed, total_s), force, (quiet, as_json, maps))
        return
    with (
        OutputFolder(output, force=force, inputs=input_paths(sc)) as folder,
        _Progress(err, enabled=not (quiet or as_json), time_limit_s=total_s) as progress,
    ):
        with native_stdout(native):
            result = solve_inputs(
                inputs, time_limit_s=time_limit, seed=seed, progress=progress, dask=target
            )
        progress("output", f"writing {output}")
        with folder.writing() as tmp:
            result.save(tmp)
            if maps:
                from revlog.export.maps import plan_map, save_map_html, save_overview_png

                with stable_element_ids(salt=result.name):
                    save_map_html(plan_map(result), tmp / "map.html")
                save_overview_png(result, tmp / "overview.png")
    summary = result.summary_dict()
    summary["output"] = str(output)
    summary["warnings"] = [str(p) for p in inputs.warnings]
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n")
    elif not quiet:
        out.print(result.summary(), highlight=False, markup=False)
        out.print(f"[green]written[/green] {output}", highlight=False)
    if result.meta.get("interrupted"):
        err.print(
            f"[yellow]warning[/yellow]: interrupted; {output} holds the best plan found so far "
            f"(outlet design {result.solver.get('location_status', '?')}, gap "
            f"{float(result.solver.get('location_gap', float('nan'))):.2e}; bases searched "
            "in full or given quick constructive runs; every run verified by the checker)",
            highlight=False,
        )


def _solve_horizon(
    inputs: Any,
    output: Path,
    limits: tuple[float | None, int | None, float],
    force: bool,
    flags: tuple[bool, bool, bool],
) -> None:
    """`revlog solve` of a scenario with a horizon section: a multi-year plan folder."""
    from revlog.horizon.pipeline import solve_horizon_inputs
    from revlog.outputs import OutputFolder, native_stdout, stable_element_ids
    from revlog.scenario.load import input_paths

    time_limit, seed, total_s = limits
    quiet, as_json, maps = flags
    native = "null" if quiet or as_json else "stderr"
    with (
        OutputFolder(output, force=force, inputs=input_paths(inputs.scenario)) as folder,
        _Progress(err, enabled=not (quiet or as_json), time_limit_s=total_s) as progress,
    ):
        with native_stdout(native):
            result = solve_horizon_inputs(inputs, time_limit, seed, progress)
        progress("output", f"writing {output}")
        with folder.writing() as tmp:
            result.save(tmp)
            if maps:
                from revlog.export.horizon_map import horizon_map
                from revlog.export.maps import plan_map, save_map_html

                for year, plan in result.plans.items():
                    with stable_element_ids(salt=plan.name):
                        save_map_html(plan_map(plan), tmp / str(year) / "map.html")
                with stable_element_ids(salt=result.name):
                    save_map_html(horizon_map(result), tmp / "map.html")
    if as_json:
        doc = {
            "name": result.name,
            "years": list(result.plans),
            "kpis": {k: float(v) for k, v in result.kpis.items()},
            "output": str(output),
        }
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    elif not quiet:
        out.print(result.summary(), highlight=False, markup=False)
        out.print(f"[green]written[/green] {output}", highlight=False)


def _check_horizon(sc: Any, plan_dir: Path, as_json: bool) -> None:
    """`revlog check` of a multi-year plan folder."""
    from revlog.check.horizon import check_horizon
    from revlog.horizon.plan import HorizonPlan

    try:
        hplan = HorizonPlan.load(plan_dir)
    except Exception as exc:  # a damaged folder is bad input, whatever the reader says
        text = _clipped(str(exc)) or type(exc).__name__
        err.print(f"{plan_dir}: cannot read the plan: {text}", highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    try:
        violations = check_horizon(hplan, sc, folder=plan_dir)
    except (KeyError, IndexError, ValueError) as exc:
        violations = [
            f"plan: {plan_dir} does not fit scenario '{sc.name}': the checker could not match "
            f"its tables ({type(exc).__name__}: {_clipped(str(exc))})"
        ]
    runs = sum(len(p.routes) for p in hplan.plans.values())
    _report_check(
        violations,
        plan_dir,
        as_json,
        f"{len(hplan.plans)} years, {runs} runs, phasing, every year's rules and figures verified",
    )


def _report_check(violations: list[str], plan_dir: Path, as_json: bool, feasible: str) -> None:
    """Print a check's violations (exit 1) or the ``feasible`` line, or the JSON document."""
    if as_json:
        doc = {"feasible": not violations, "violations": violations}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    elif violations:
        for v in violations:
            out.print(v, markup=False, highlight=False)
        n = len(violations)
        err.print(f"[red]{n} violation{'s' if n != 1 else ''}[/red] in {plan_dir}")
    else:
        out.print(f"[green]feasible[/green] {plan_dir}: {feasible}", highlight=False)
    if violations:
        raise typer.Exit(EXIT_VIOLATIONS)


def _load_plan(folder: Path):
    from revlog.plan import Plan

    if not (folder / "plan.json").is_file():
        err.print(f"{folder}: not a plan folder (no plan.json)", highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT)
    try:
        return Plan.load(folder)
    except Exception as exc:  # a damaged folder is bad input, whatever the reader says
        text = _clipped(str(exc)) or type(exc).__name__
        err.print(f"{folder}: cannot read the plan: {text}", highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT) from None


@app.command()
def check(
    scenario: Annotated[Path, typer.Argument(help="The scenario file the plan was solved from.")],
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `revlog solve`.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {feasible, violations} as JSON on stdout.")
    ] = False,
) -> None:
    """Re-verify a saved plan without any solver: exit 0 if feasible, 1 with the violations.

    Stage 1 (single sourcing, open facilities, capacities, flow balance, costs from the
    matrix), stage 2 (every routing rule of every run), and the KPIs are all recomputed
    from the scenario. A plan solved from another scenario (another name, other sources
    or sites) is reported as such (exit 1) without checking further.
    """
    from revlog.check import check as check_plan
    from revlog.inputs import prepare
    from revlog.outputs import HORIZON_FILE
    from revlog.scenario import load_scenario

    sc = load_scenario(scenario)
    if (plan_dir / HORIZON_FILE).is_file():
        _check_horizon(sc, plan_dir, as_json)
        return
    plan = _load_plan(plan_dir)
    inputs = prepare(sc)
    violations = _other_scenario(plan, inputs, plan_dir)
    if not violations:
        try:
            violations = check_plan(plan, sc, folder=plan_dir)
        except (KeyError, IndexError, ValueError) as exc:
            violations = [
                f"plan: {plan_dir} does not fit scenario '{sc.name}' ({scenario}): the checker "
                f"could not match its tables ({type(exc).__name__}: {_clipped(str(exc))})"
            ]
    from revlog.plan.schema import OUTLET_KINDS

    opened = plan.outlets["open"] & plan.outlets["kind"].isin(OUTLET_KINDS)
    users = int((plan.outlets["kind"] == "second_life").sum())
    loop = f", {users} second-life users" if users else ""
    _report_check(
        violations,
        plan_dir,
        as_json,
        f"{len(plan.routes)} runs, {int(opened.sum())} outlets{loop}, "
        "every rule and figure verified",
    )


def _clipped(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _ids(ids: set[str], limit: int = 5) -> str:
    shown = sorted(ids)[:limit]
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(shown) + more


def _other_scenario(plan: Any, inputs: Any, plan_dir: Path) -> list[str]:
    """Why a plan cannot have been solved from this scenario (name, sources, sites), if so."""
    from revlog.loop.network import second_life_users

    sc = inputs.scenario
    found = []
    if plan.name != sc.name:
        found.append(
            f"plan: {plan_dir} was solved from scenario '{plan.name}', not from '{sc.name}' "
            f"({sc.path}); check it against the scenario it was solved from"
        )
    pairs = [
        ("sources", set(plan.assignments["source_id"]), set(inputs.sources["source_id"])),
        (
            "sites",
            set(plan.outlets["site_id"]),
            set(inputs.candidates["site_id"])
            | set(inputs.plant["plant_id"])
            | set(second_life_users(sc, inputs.geodata)["user_id"]),
        ),
    ]
    for what, in_plan, in_scenario in pairs:
        if in_plan - in_scenario:
            found.append(
                f"plan: {len(in_plan - in_scenario)} {what} of the plan are not in scenario "
                f"'{sc.name}': {_ids(in_plan - in_scenario)}"
            )
        if in_scenario - in_plan:
            found.append(
                f"plan: {len(in_scenario - in_plan)} {what} of scenario '{sc.name}' are not in "
                f"the plan: {_ids(in_scenario - in_plan)}"
            )
    return found


@app.command()
def compare(
    plan_dirs: Annotated[list[Path], typer.Argument(help="Plan folders to compare.")],
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the table as CSV.")] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the table as Markdown.")
    ] = None,
    no_diff: Annotated[
        bool, typer.Option("--no-diff", help="Leave out the difference columns.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the comparison as JSON on stdout.")
    ] = False,
) -> None:
    """Compare the KPIs of plans side by side (one column per plan, with differences).

    --json prints {"plans": [{name, folder}], "kpis": {kpi: {unit, values, delta,
    delta_percent}}, "solver": {field: {plan: value}}} (values by plan name; null where
    a plan lacks a figure; delta and delta_percent against the first plan).
    """
    from rich.table import Table

    from revlog.compare import compare as compare_plans
    from revlog.compare import compare_solver, to_markdown
    from revlog.plan import format_kpi, format_value

    _file_output(csv, "--csv")
    _file_output(markdown, "--markdown")
    plans = [_load_plan(d) for d in plan_dirs]
    names = _column_names(plans, plan_dirs)
    table = compare_plans(plans, names=names, differences=not no_diff)
    solver = compare_solver(plans, names=names)
    if as_json:
        doc = _comparison_json(table, solver, names, plan_dirs)
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        view = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        view.add_column("kpi", no_wrap=True)
        for c in table.columns:
            view.add_column(str(c), justify="left" if c == "unit" else "right", no_wrap=True)
        for k, row in table.iterrows():
            cells = []
            for c, v in row.items():
                if v is None or (isinstance(v, float) and v != v):
                    cells.append("")
                elif str(c).startswith("Δ%"):
                    cells.append(f"{float(v):+.1f} %")
                elif str(c).startswith("Δ "):
                    cells.append(("+" if float(v) > 0 else "") + format_value(v))
                else:
                    cells.append(format_kpi(str(k), v) if not isinstance(v, str) else v)
            view.add_row(str(k), *cells)
        for k, row in solver.iterrows():
            view.add_row(str(k), "", *[format_value(v) for v in row.tolist()])
        wide = out if out.is_terminal else Console(width=1000, emoji=False)
        wide.print(view)
    if csv is not None:
        _write_text(csv, table.to_csv(lineterminator="\n"))
        err.print(f"written {csv}", highlight=False, markup=False)
    if markdown is not None:
        _write_text(markdown, to_markdown(table))
        err.print(f"written {markdown}", highlight=False, markup=False)


def _plain(v: Any) -> Any:
    """A table cell as a JSON value (NaN → null, numpy scalars → Python)."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _comparison_json(table: Any, solver: Any, names: list[str], dirs: list[Path]) -> dict:
    kpis = {}
    for k, row in table.iterrows():
        kpis[str(k)] = {
            "unit": str(row["unit"]),
            "values": {n: _plain(row[n]) for n in names},
            "delta": {n: _plain(row[f"Δ {n}"]) for n in names[1:] if f"Δ {n}" in row},
            "delta_percent": {n: _plain(row[f"Δ% {n}"]) for n in names[1:] if f"Δ% {n}" in row},
        }
    return {
        "plans": [{"name": n, "folder": str(d)} for n, d in zip(names, dirs, strict=True)],
        "kpis": kpis,
        "solver": {str(k): {n: _plain(row[n]) for n in names} for k, row in solver.iterrows()},
    }


def _column_names(plans, dirs: list[Path]) -> list[str]:
    names = [p.name for p in plans]
    if len(set(names)) == len(names):
        return names
    return [f"{p.name} [{d.name}]" for p, d in zip(plans, dirs, strict=True)]


EXPORT_FORMATS = ("geojson", "csv", "gpkg", "html", "png")


@app.command()
def export(
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `revlog solve`.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")],
    fmt: Annotated[
        list[str],
        typer.Option("--format", "-f", help="geojson, csv, gpkg, html (map) or png (overview)."),
    ] = ["geojson"],  # noqa: B006
) -> None:
    """Export a saved plan: GeoJSON (RFC 7946), CSV tables, a GeoPackage, the map, the PNG."""
    bad = [f for f in fmt if f not in EXPORT_FORMATS]
    if bad:
        err.print(
            f"--format: unknown {', '.join(bad)}; choose from {', '.join(EXPORT_FORMATS)}",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(EXIT_INPUT)
    plan = _load_plan(plan_dir)
    try:
        written = _export(plan, output, fmt)
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        raise OutputError(output, f"cannot write: {exc.strerror or exc}{where}") from None
    for p in written:
        out.print(f"written {p}", highlight=False, markup=False)


def _export(plan: Any, output: Path, fmt: list[str]) -> list[Path]:
    from revlog.outputs import safe_file_name
    from revlog.plan.io import write_csv_tables, write_geopackage, write_plan_geojson

    if output.exists() and not output.is_dir():
        raise OutputError(output, "exists and is not a folder")
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for f in dict.fromkeys(fmt):
        if f == "geojson":
            written += write_plan_geojson(plan, output)
        elif f == "csv":
            written += write_csv_tables(plan, output)
        elif f == "gpkg":
            written.append(write_geopackage(plan, output / f"{safe_file_name(plan.name)}.gpkg"))
        elif f == "html":
            from revlog.export.maps import plan_map, save_map_html

            written.append(save_map_html(plan_map(plan), output / "map.html"))
        elif f == "png":
            from revlog.export.maps import save_overview_png

            written.append(save_overview_png(plan, output / "overview.png"))
    return written


class _Progress:
    """Progress of a long run on the error console: stage, elapsed time, last news.

    On a terminal a live line shows the stage, a bar, the elapsed time and the last message
    while a stage runs; for a counted series (the bases of stage 2, the variants of a
    sweep: messages that are :class:`~revlog.progress.ProgressStep`) the bar fills, the
    line says ``base 3 of 10`` and estimates the time left (from the pace so far, and never
    beyond the time limit). Every message is also printed with its time; elsewhere only
    those timed lines are printed (a step ending in ``(base 3 of 10)``). Disabled, it
    swallows them.

    Parameters
    ----------
    console
        Where to print.
    enabled
        Whether to print at all.
    time_limit_s
        The run's time limit from now, s (caps the estimate of the time left).
    """

    def __init__(
        self, console: Console, enabled: bool = True, time_limit_s: float | None = None
    ) -> None:
        import time

        self.console = console
        self.enabled = enabled
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + time_limit_s if time_limit_s else None
        self._live: Any = None
        self._task: Any = None
        self._stage = ""

    def __enter__(self) -> _Progress:
        if self.enabled and self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.table import Column

            fixed = {"no_wrap": True}
            self._live = Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.fields[stage]}[/bold]", table_column=Column(**fixed)),
                BarColumn(bar_width=20),
                TextColumn("{task.fields[step]}", table_column=Column(**fixed)),
                TimeElapsedColumn(table_column=Column(**fixed)),
                _TimeLeft(self, table_column=Column(**fixed)),
                TextColumn(
                    "{task.description}",
                    table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis"),
                ),
                console=self.console,
                transient=True,
                expand=True,
            )
            self._live.start()
            self._task = self._live.add_task("starting", total=None, stage="solve", step="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __call__(self, stage: str, message: str) -> None:
        import time

        if not self.enabled:
            return
        dt = time.perf_counter() - self.t0
        step = message if isinstance(message, ProgressStep) else None
        count = f" [dim]({_escape(step.label)})[/dim]" if step is not None else ""
        line = f"[dim]{dt:7.1f} s[/dim] [bold]{stage}[/bold] {_escape(str(message))}{count}"
        if self._live is None:
            self.console.print(line, highlight=False)
            return
        self._live.console.print(line, highlight=False)
        fields: dict[str, Any] = {"description": _escape(str(message)), "stage": stage}
        if step is not None:
            fields.update(total=step.total, completed=step.done, step=step.label)
        elif stage != self._stage:  # a new stage, not counted (yet): no bar, no count
            self._live.reset(self._task, total=None, start=True)
            fields["step"] = ""
        self._stage = stage
        self._live.update(self._task, **fields)


class _TimeLeft(ProgressColumn):
    """``~0:00:12 left`` for a counted series: the pace so far, capped by the time limit."""

    def __init__(self, progress: _Progress, table_column: Any = None) -> None:
        super().__init__(table_column=table_column)
        self.progress = progress

    def render(self, task: Any) -> Text:
        import time
        from datetime import timedelta

        if task.total is None or task.finished:
            return Text("")
        left = task.time_remaining
        if self.progress.deadline is not None:
            cap = max(self.progress.deadline - time.perf_counter(), 0.0)
            left = cap if left is None else min(left, cap)
        if left is None:
            return Text("")
        return Text(f"~{timedelta(seconds=int(left))} left", style="dim")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep file: base scenario + grid/variants.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Save each variant's plan here.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (default: local).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="Local cluster workers (1 to 256).", callback=_workers_value
        ),
    ] = 2,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="Per variant, s (overrides files; > 0, at most a week).",
            callback=_seconds("--time-limit"),
        ),
    ] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the KPI table as CSV.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the results as JSON on stdout.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Let the solvers print their logs (stderr).")
    ] = False,
) -> None:
    """Solve many scenario variants on Dask and print their KPIs side by side.

    An invalid variant does not stop the sweep: the others are solved, and it is listed
    with its problems (file:variant.field: reason). Exit 0 when every variant was solved or
    found infeasible (the table says which), 2 when any variant was invalid or failed.
    --json prints {"sweep", "variants": [{name, changes, status, diagnosis, problems, kpis}],
    "counts": {solved, infeasible, invalid, error}, "exit_code"}.
    """
    from revlog.outputs import SOLVER_LOG_ENV, native_stdout
    from revlog.sweep import load_sweep, run_sweep

    _file_output(csv, "--csv")
    variants = load_sweep(sweep_file, keep_invalid=True)
    if output is not None:
        _check_variant_folders(output, variants)
    if verbose:
        os.environ[SOLVER_LOG_ENV] = "1"
    show = not (quiet or as_json)
    if show:
        err.print(f"{len(variants)} variants", highlight=False)
    native = "null" if (quiet or as_json) and not verbose else "stderr"
    with _Progress(err, enabled=show) as progress, native_stdout(native):
        table = run_sweep(
            variants,
            scheduler=scheduler,
            n_workers=workers,
            time_limit_s=time_limit,
            out_dir=output,
            progress=progress,
        )
    failed = table["status"].isin(["invalid", "error"])
    code = EXIT_INPUT if bool(failed.any()) else 0
    if csv is not None:
        _write_text(csv, table.to_csv())
    if as_json:
        doc = _sweep_json(sweep_file, variants, table, code)
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        cols = [c for c in SWEEP_COLUMNS if c in table.columns]
        out.print(table[cols].to_string(), highlight=False, markup=False)
    for v in variants:
        for p in v.problems:
            err.print(str(p), markup=False, highlight=False)
    if code:
        n = int(failed.sum())
        err.print(
            f"[red]{n} of {len(table)} variant{'s' if len(table) != 1 else ''} invalid or "
            "failed[/red] (the others were solved)",
            highlight=False,
        )
        raise typer.Exit(code)


#: The columns of the sweep table printed on the terminal (--csv and --json have them all).
SWEEP_COLUMNS = (
    "status",
    "total_cost_cny_per_year",
    "outlets_open",
    "runs_per_period",
    "served_share",
    "diagnosis",
)


def _check_variant_folders(output: Path, variants: list[Any]) -> None:
    """Refuse the sweep before solving if any variant's plan folder may not be written."""
    from revlog.outputs import check_output
    from revlog.scenario.load import input_paths
    from revlog.sweep import variant_folder

    if output.exists() and not output.is_dir():
        raise OutputError(output, "exists and is not a folder")
    refused = []
    for v in variants:
        if v.scenario is None:
            continue
        try:
            check_output(variant_folder(output, v), force=True, inputs=input_paths(v.scenario))
        except OutputError as exc:
            refused.append(str(exc))
    if refused:
        for line in refused:
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT)


def _sweep_json(sweep_file: Path, variants: list[Any], table: Any, code: int) -> dict:
    from revlog.plan.schema import INTEGER_KPIS

    fixed = {"status", "diagnosis"}
    rows = []
    for v in variants:
        row = table.loc[v.name]
        kpis = {
            str(c): int(row[c]) if c in INTEGER_KPIS else _plain(row[c])
            for c in table.columns
            if c not in fixed and c not in v.changes and _plain(row[c]) is not None
        }
        diagnosis = row.get("diagnosis")
        rows.append(
            {
                "name": v.name,
                "changes": v.changes,
                "status": str(row["status"]),
                "diagnosis": diagnosis if isinstance(diagnosis, str) else None,
                "problems": [str(p) for p in v.problems],
                "kpis": kpis if row["status"] == "solved" else {},
            }
        )
    counts = {k: int((table["status"] == k).sum()) for k in ("solved", "infeasible", "invalid")}
    counts["error"] = int((table["status"] == "error").sum())
    return {"sweep": str(sweep_file), "variants": rows, "counts": counts, "exit_code": code}


@bench_app.command("cflp")
def bench_cflp(
    specs: Annotated[list[str], typer.Argument(help="OR-Library files, FILE or FILE:CAPACITY.")],
    single_source: Annotated[
        bool, typer.Option("--single-source", help="Each customer served by one warehouse.")
    ] = False,
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", help="Per instance, s.", callback=_seconds("--time-limit")),
    ] = 600.0,
) -> None:
    """Solve OR-Library capacitated warehouse location instances; print CSV."""
    from revlog.bench.cflp import cflp_to_csv, run_cflp

    df = run_cflp(specs, single_source=single_source, time_limit_s=time_limit)
    sys.stdout.write(cflp_to_csv(df))


@bench_app.command("vrp")
def bench_vrp(
    files: Annotated[list[Path], typer.Argument(help="Solomon .txt or VRPLIB .vrp instances.")],
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", help="Per instance, s.", callback=_seconds("--time-limit")),
    ] = 10.0,
    seed: Annotated[int, typer.Option("--seed", callback=_seed_value)] = 0,
    routes_dir: Annotated[
        Path | None, typer.Option("--routes-dir", help="Write CVRPLIB .sol files here.")
    ] = None,
) -> None:
    """Solve VRPTW/CVRP benchmark instances with revlog's engine; print CSV."""
    from revlog.bench.vrp import format_csv, run_vrp

    df = run_vrp(files, time_limit_s=time_limit, seed=seed, routes_dir=routes_dir)
    sys.stdout.write(format_csv(df))


@bench_app.command("lrp")
def bench_lrp(
    file: Annotated[Path, typer.Argument(help="A CLRP instance (Prodhon format).")],
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", help="Budget, s.", callback=_seconds("--time-limit")),
    ] = 60.0,
    solution: Annotated[
        Path | None, typer.Option("--solution", help="Write the solution JSON here.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", callback=_seed_value)] = 0,
    method: Annotated[
        str, typer.Option("--method", help="lrp (routed design search) or two-stage.")
    ] = "lrp",
) -> None:
    """Solve a capacitated location-routing instance; print a JSON summary."""
    from revlog.bench.lrp import run_lrp
    from revlog.check.lrp import check_lrp

    if method not in ("lrp", "two-stage"):
        raise UsageError("--method", f"must be lrp or two-stage, got {method!r}")

    def show(step: Any) -> None:
        total = "not routable" if step.total is None else f"{step.total:,.2f}"
        mark = " *" if step.accepted else ""
        err.print(f"design {step.index}: {step.move} {list(step.open)} -> {total}{mark}",
                  highlight=False)  # fmt: skip

    inst, result = run_lrp(
        file, time_limit, seed, method=method, solution_path=solution, on_step=show
    )
    sol = result.solution.to_json()
    violations = check_lrp(inst, sol)
    summary = {
        "instance": inst.name,
        "method": result.method,
        "cost": sol["cost"],
        "open": sol["open"],
        "routes": len(sol["routes"]),
        "seconds": round(result.seconds, 3),
        "designs_evaluated": sum(1 for s in result.history if s.move != "reassign"),
        "feasible": not violations,
        "violations": violations,
    }
    sys.stdout.write(json.dumps(summary) + "\n")
    if violations:
        raise typer.Exit(1)


def _on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM: stop like Ctrl-C would, but save nothing; the cleanup runs undisturbed."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated()


def main() -> None:
    """Entry point of the ``revlog`` console script: user errors never show a traceback."""
    with suppress(ValueError, OSError):  # only the main thread can handle signals
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScenarioWarning)  # the commands print them
            rc = app(standalone_mode=False)
    except ScenarioError as exc:
        try:
            _fail_input(exc)
        except typer.Exit as e:
            sys.exit(e.exit_code)
    except InfeasibleError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(EXIT_INFEASIBLE)
    except SolveInterruptedError as exc:
        err.print(f"{exc}; nothing saved", markup=False, highlight=False)
        sys.exit(EXIT_INTERRUPTED)
    except RevlogError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(EXIT_INPUT)
    except Terminated:
        err.print("terminated; nothing saved", highlight=False)
        sys.exit(EXIT_TERMINATED)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted; nothing saved", highlight=False)
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:
        where = exc.filename if getattr(exc, "filename", None) else "revlog"
        err.print(f"{where}: {exc.strerror or exc}", markup=False, highlight=False)
        sys.exit(EXIT_INPUT)
    except Exception as exc:
        # click (vendored by typer) usage errors arrive here in non-standalone mode
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(EXIT_INPUT)
        raise
    if rc == EXIT_INTERRUPTED:  # typer turns Ctrl-C (KeyboardInterrupt) into this code
        err.print("interrupted; nothing saved", highlight=False)
    sys.exit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    main()
