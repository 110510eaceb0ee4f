"""The ``revlog`` command line (typer + rich).

Exit codes: 0 success, 1 a checked plan has violations, 2 invalid input (every problem
listed as ``file:field: reason``), 3 the scenario is infeasible (with a diagnosis),
130 interrupted with nothing to save.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from revlog.errors import InfeasibleError, RevlogError, ScenarioError, SolveInterruptedError

app = typer.Typer(
    help="revlog: plan the reverse logistics of retired EV batteries (outlets + hazmat pickups).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(help="Run the public benchmark instances.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

EXIT_VIOLATIONS = 1
EXIT_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_INTERRUPTED = 130


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
    """Check scenario files and their tables; list every problem as file:field: reason."""
    from revlog.inputs import prepare
    from revlog.scenario import load_scenario

    problems = []
    for f in files:
        try:
            inputs = prepare(load_scenario(f))
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        out.print(
            f"[green]ok[/green] {f}: {len(inputs.sources)} sources "
            f"({inputs.total_supply_t:,.1f} t/year), {len(inputs.candidates)} candidate sites, "
            f"{len(inputs.scenario.fleet)} vehicle types",
            highlight=False,
        )
    if problems:
        _fail_input(ScenarioError(problems))


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from revlog.scenario.schema import Scenario

    text = json.dumps(Scenario.model_json_schema(mode="validation"), indent=2, sort_keys=True)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")


@app.command()
def solve(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML, TOML or JSON).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")],
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Total time limit, s (overrides file).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed (overrides file).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing output folder.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")
    ] = False,
    maps: Annotated[
        bool, typer.Option("--maps/--no-maps", help="Also write map.html and overview.png.")
    ] = True,
) -> None:
    """Solve a scenario (geography, outlet location, pickup runs) and write the plan.

    The folder gets plan.json, a CSV and a GeoJSON file per table, map.html (works
    offline) and overview.png; it appears only when complete, and an existing one is
    replaced (with --force) only then. Same scenario and seed: byte-identical files.
    Ctrl-C: the best plan found so far is written (exit 0, with a warning); exit 130 if
    there is none yet.
    """
    from revlog.inputs import prepare
    from revlog.outputs import atomic_dir, stable_element_ids
    from revlog.pipeline import solve_inputs
    from revlog.scenario import load_scenario

    sc = load_scenario(scenario)
    inputs = prepare(sc)
    if output.exists() and not force:
        err.print(f"{output}: output folder exists; pass --force to replace it", highlight=False)
        raise typer.Exit(EXIT_INPUT)
    with _Progress(err, enabled=not (quiet or as_json)) as progress:
        with _stdout_to_stderr(silent=quiet or as_json):
            result = solve_inputs(inputs, time_limit_s=time_limit, seed=seed, progress=progress)
        progress("output", f"writing {output}")
        with atomic_dir(output, force=force) as tmp:
            result.save(tmp)
            if maps:
                from revlog.export.maps import plan_map, save_map_html, save_overview_png

                with stable_element_ids(salt=result.name):
                    save_map_html(plan_map(result), tmp / "map.html")
                save_overview_png(result, tmp / "overview.png")
    summary = result.summary_dict()
    summary["output"] = str(output)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n")
    elif not quiet:
        out.print(result.summary(), highlight=False, markup=False)
        out.print(f"[green]written[/green] {output}", highlight=False)
    for warning in result.meta.get("warnings") or []:
        err.print(f"[yellow]warning[/yellow]: {_escape(warning)}", highlight=False)
    if result.meta.get("interrupted"):
        err.print(
            f"[yellow]warning[/yellow]: interrupted; {output} holds the best plan found so far "
            f"(outlet design {result.solver.get('location_status', '?')}, gap "
            f"{float(result.solver.get('location_gap', float('nan'))):.2e}; bases searched "
            "in full or given quick constructive runs; every run verified by the checker)",
            highlight=False,
        )


@contextmanager
def _stdout_to_stderr(*, silent: bool = False) -> Iterator[None]:
    """Send what native solver libraries print on file descriptor 1 to stderr.

    Keeps stdout for the command's own output (e.g. ``--json``); Python-level writes to
    ``sys.stdout`` are untouched. With ``silent`` (``--quiet``, ``--json``) it goes to
    the null device instead: HiGHS prints its banner before any option can turn it off.
    """
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        saved = os.dup(fd)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        sys.stdout.flush()
        if silent:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)
        else:
            os.dup2(sys.__stderr__.fileno() if sys.__stderr__ is not None else 2, fd)
        yield
    finally:
        with suppress(OSError, ValueError):
            sys.stdout.flush()
        os.dup2(saved, fd)
        os.close(saved)


def _load_plan(folder: Path):
    from revlog.plan import Plan

    if not (folder / "plan.json").is_file():
        err.print(f"{folder}: not a plan folder (no plan.json)", highlight=False, markup=False)
        raise typer.Exit(EXIT_INPUT)
    try:
        return Plan.load(folder)
    except (OSError, ValueError, KeyError) as exc:
        err.print(f"{folder}: cannot read the plan: {exc}", highlight=False, markup=False)
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
    from the scenario.
    """
    from revlog.check import check as check_plan
    from revlog.scenario import load_scenario

    sc = load_scenario(scenario)
    plan = _load_plan(plan_dir)
    violations = check_plan(plan, sc, folder=plan_dir)
    if as_json:
        doc = {"feasible": not violations, "violations": violations}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    elif violations:
        for v in violations:
            out.print(v, markup=False, highlight=False)
        n = len(violations)
        err.print(f"[red]{n} violation{'s' if n != 1 else ''}[/red] in {plan_dir}")
    else:
        out.print(
            f"[green]feasible[/green] {plan_dir}: {len(plan.routes)} runs, "
            f"{int((plan.outlets['open'] & (plan.outlets['kind'] != 'plant')).sum())} outlets, "
            "every rule and figure verified",
            highlight=False,
        )
    if violations:
        raise typer.Exit(EXIT_VIOLATIONS)


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
) -> None:
    """Compare the KPIs of plans side by side (one column per plan, with differences)."""
    from rich.table import Table

    from revlog.compare import compare as compare_plans
    from revlog.compare import compare_solver, to_markdown
    from revlog.plan import format_kpi, format_value

    plans = [_load_plan(d) for d in plan_dirs]
    names = _column_names(plans, plan_dirs)
    table = compare_plans(plans, names=names, differences=not no_diff)
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
    solver = compare_solver(plans, names=names)
    for k, row in solver.iterrows():
        view.add_row(str(k), "", *[format_value(v) for v in row.tolist()])
    wide = out if out.is_terminal else Console(width=1000, emoji=False)
    wide.print(view)
    if csv is not None:
        table.to_csv(csv, lineterminator="\n")
        err.print(f"written {csv}", highlight=False, markup=False)
    if markdown is not None:
        markdown.write_text(to_markdown(table), encoding="utf-8")
        err.print(f"written {markdown}", highlight=False, markup=False)


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
    from revlog.plan.io import write_csv_tables, write_geopackage, write_plan_geojson

    bad = [f for f in fmt if f not in EXPORT_FORMATS]
    if bad:
        err.print(
            f"--format: unknown {', '.join(bad)}; choose from {', '.join(EXPORT_FORMATS)}",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(EXIT_INPUT)
    plan = _load_plan(plan_dir)
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for f in dict.fromkeys(fmt):
        if f == "geojson":
            written += write_plan_geojson(plan, output)
        elif f == "csv":
            written += write_csv_tables(plan, output)
        elif f == "gpkg":
            written.append(write_geopackage(plan, output / f"{_safe(plan.name)}.gpkg"))
        elif f == "html":
            from revlog.export.maps import plan_map, save_map_html

            written.append(save_map_html(plan_map(plan), output / "map.html"))
        elif f == "png":
            from revlog.export.maps import save_overview_png

            written.append(save_overview_png(plan, output / "overview.png"))
    for p in written:
        out.print(f"written {p}", highlight=False, markup=False)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "plan"


class _Progress:
    """Progress of a long solve on the error console: stage, elapsed time, last news.

    On a terminal a live spinner line shows the stage and the elapsed time while a stage
    runs, and every message (incumbent objective and gap of stage 1, runs and cost of each
    base of stage 2) is printed with its time; elsewhere only the timed lines are printed.
    Disabled, it swallows the messages.
    """

    def __init__(self, console: Console, enabled: bool = True):
        import time

        self.console = console
        self.enabled = enabled
        self.t0 = time.perf_counter()
        self._live = None
        self._task = None

    def __enter__(self) -> _Progress:
        if self.enabled and self.console.is_terminal:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._live = Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.fields[stage]}[/bold]"),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=self.console,
                transient=True,
            )
            self._live.start()
            self._task = self._live.add_task("starting", total=None, stage="solve")
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
        line = f"[dim]{dt:7.1f} s[/dim] [bold]{stage}[/bold] {_escape(message)}"
        if self._live is not None:
            self._live.console.print(line, highlight=False)
            self._live.update(self._task, description=_escape(message), stage=stage)
        else:
            self.console.print(line, highlight=False)


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
    workers: Annotated[int, typer.Option("--workers", help="Local cluster workers.")] = 2,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Per variant, s (overrides files).")
    ] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the KPI table as CSV.")] = None,
) -> None:
    """Solve many scenario variants on Dask and print their KPIs side by side."""
    from revlog.sweep import load_sweep, run_sweep

    variants = load_sweep(sweep_file)
    err.print(f"{len(variants)} variants", highlight=False)
    table = run_sweep(
        variants, scheduler=scheduler, n_workers=workers, time_limit_s=time_limit, out_dir=output
    )
    if csv is not None:
        table.to_csv(csv)
    cols = [
        c
        for c in (
            "status",
            "total_cost_cny_per_year",
            "outlets_open",
            "runs_per_period",
            "served_share",
            "diagnosis",
        )
        if c in table.columns
    ]
    out.print(table[cols].to_string(), highlight=False, markup=False)


@bench_app.command("cflp")
def bench_cflp(
    specs: Annotated[list[str], typer.Argument(help="OR-Library files, FILE or FILE:CAPACITY.")],
    single_source: Annotated[
        bool, typer.Option("--single-source", help="Each customer served by one warehouse.")
    ] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Per instance, s.")] = 600.0,
) -> None:
    """Solve OR-Library capacitated warehouse location instances; print CSV."""
    from revlog.bench.cflp import cflp_to_csv, run_cflp

    df = run_cflp(specs, single_source=single_source, time_limit_s=time_limit)
    sys.stdout.write(cflp_to_csv(df))


@bench_app.command("vrp")
def bench_vrp(
    files: Annotated[list[Path], typer.Argument(help="Solomon .txt or VRPLIB .vrp instances.")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Per instance, s.")] = 10.0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    routes_dir: Annotated[
        Path | None, typer.Option("--routes-dir", help="Write CVRPLIB .sol files here.")
    ] = None,
) -> None:
    """Solve VRPTW/CVRP benchmark instances with revlog's engine; print CSV."""
    from revlog.bench.vrp import format_csv, run_vrp

    df = run_vrp(files, time_limit_s=time_limit, seed=seed, routes_dir=routes_dir)
    sys.stdout.write(format_csv(df))


def main() -> None:
    """Entry point of the ``revlog`` console script: user errors never show a traceback."""
    try:
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
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted; nothing saved", highlight=False)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        # click (vendored by typer) usage errors arrive here in non-standalone mode
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(EXIT_INPUT)
        raise
    sys.exit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    main()
