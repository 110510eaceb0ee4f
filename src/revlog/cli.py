"""The ``revlog`` command line (typer + rich).

Exit codes: 0 success, 1 a checked plan has violations, 2 invalid input (every problem
listed as ``file:field: reason``), 3 the scenario is infeasible (with a diagnosis),
130 interrupted with nothing to save.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from revlog.errors import InfeasibleError, RevlogError, ScenarioError

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
) -> None:
    """Solve a scenario (geography, outlet location, pickup runs) and write the plan."""
    from revlog.inputs import prepare
    from revlog.outputs import atomic_dir
    from revlog.pipeline import solve_inputs
    from revlog.scenario import load_scenario

    sc = load_scenario(scenario)
    inputs = prepare(sc)
    if output.exists() and not force:
        err.print(f"{output}: output folder exists; pass --force to replace it", highlight=False)
        raise typer.Exit(EXIT_INPUT)
    progress = None if (quiet or as_json) else _Progress(err)
    result = solve_inputs(inputs, time_limit_s=time_limit, seed=seed, progress=progress)
    with atomic_dir(output, force=force) as tmp:
        result.save(tmp)
    summary = result.summary_dict()
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n")
    elif not quiet:
        out.print(result.summary(), highlight=False)
        out.print(f"[green]written[/green] {output}", highlight=False)


class _Progress:
    """Rich progress lines for long solves: stage, elapsed time, incumbent and gap."""

    def __init__(self, console: Console):
        import time

        self.console = console
        self.t0 = time.perf_counter()

    def __call__(self, stage: str, message: str) -> None:
        import time

        dt = time.perf_counter() - self.t0
        self.console.print(
            f"[dim]{dt:7.1f} s[/dim] [bold]{stage}[/bold] {message}", highlight=False
        )


@bench_app.command("cflp")
def bench_cflp(
    specs: Annotated[list[str], typer.Argument(help="OR-Library files, FILE or FILE:CAPACITY.")],
    single_source: Annotated[
        bool, typer.Option("--single-source", help="Each customer served by one warehouse.")
    ] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Per instance, s.")] = 600.0,
) -> None:
    """Solve OR-Library capacitated warehouse location instances; print CSV."""
    from revlog.bench.cflp import run_cflp

    df = run_cflp(specs, single_source=single_source, time_limit_s=time_limit)
    sys.stdout.write(df.to_csv(index=False))


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
    from revlog.bench.vrp import run_vrp

    df = run_vrp(files, time_limit_s=time_limit, seed=seed, routes_dir=routes_dir)
    sys.stdout.write(df.to_csv(index=False))


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
    except RevlogError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(EXIT_INPUT)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("interrupted")
        sys.exit(130)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        # click (vendored by typer) usage errors arrive here in non-standalone mode
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(EXIT_INPUT)
        raise
    sys.exit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    main()
