"""OR-Library capacitated facility location (``cap*``): reader front-end and runner.

Backs the CLI command ``revlog bench cflp FILE[:CAPACITY]... [--single-source]
[--time-limit S]``. Each instance is read into the same :class:`LocationProblem` the
scenarios use (one echelon, no policy constraints) and solved by the same model code.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from revlog.bench import benchmarks_dir
from revlog.location.problem import LocationProblem

COLUMNS = ["instance", "capacity", "objective", "bound", "gap", "seconds", "status"]


def orlib_dir() -> Path:
    """The folder of the OR-Library ``cap`` instances (``<benchmarks>/orlib-cflp``).

    Returns
    -------
    Path
    """
    return benchmarks_dir() / "orlib-cflp"


def parse_spec(spec: str) -> tuple[Path, float | None]:
    """Split ``FILE[:CAPACITY]`` and resolve the file.

    ``FILE`` is a path, or a name inside :func:`orlib_dir` (``cap41``, ``capa.txt``).

    Parameters
    ----------
    spec
        The instance spec, e.g. ``cap41`` or ``capa.txt:8000``.

    Returns
    -------
    tuple of (Path, float or None)
        The file and the capacity override.

    Raises
    ------
    FileNotFoundError
        If the file cannot be found.
    ValueError
        If the capacity is not a number.
    """
    name, capacity = spec, None
    if ":" in spec:
        head, _, tail = spec.rpartition(":")
        try:
            capacity = float(tail)
            name = head
        except ValueError:
            name, capacity = spec, None  # a drive letter or a colon in the path
    for cand in (Path(name), orlib_dir() / name, orlib_dir() / f"{name}.txt"):
        if cand.is_file():
            return cand, capacity
    raise FileNotFoundError(f"OR-Library instance {name!r} not found (looked in {orlib_dir()})")


def run_cflp(
    specs: list[str], single_source: bool, time_limit_s: float, threads: int = 1
) -> pd.DataFrame:
    """Solve OR-Library instances and tabulate the results.

    Parameters
    ----------
    specs
        Instance specs ``FILE[:CAPACITY]`` (see :func:`parse_spec`).
    single_source
        Single-source variant (each customer to one warehouse) instead of split demand.
    time_limit_s
        Time limit per instance, s.
    threads
        HiGHS threads.

    Returns
    -------
    pandas.DataFrame
        Columns ``instance, capacity, objective, bound, gap, seconds, status``; ``status`` is
        ``optimal``, ``time_limit`` (with the best objective and bound found) or
        ``infeasible`` (objective empty). ``seconds`` is build plus solve wall time.
    """
    from revlog.errors import LocationInfeasibleError, LocationNoSolutionError
    from revlog.location.solve import solve_location

    rows = []
    for spec in specs:
        path, capacity = parse_spec(spec)
        problem = LocationProblem.from_orlib(path, capacity, single_source=single_source)
        row: dict[str, object] = {
            "instance": problem.name,
            "capacity": capacity if capacity is not None else float(problem.capacity_t.max()),
        }
        t0 = time.perf_counter()
        try:
            d = solve_location(problem, time_limit_s=time_limit_s, mip_gap=1e-7, threads=threads)
            row |= {
                "objective": d.objective_cny,
                "bound": d.bound_cny,
                "gap": d.gap,
                "seconds": d.build_seconds + d.solve_seconds,
                "status": d.status,
            }
        except LocationInfeasibleError:
            row |= {
                "objective": float("nan"),
                "bound": float("nan"),
                "gap": float("nan"),
                "seconds": time.perf_counter() - t0,
                "status": "infeasible",
            }
        except LocationNoSolutionError as exc:
            row |= {
                "objective": float("nan"),
                "bound": exc.bound_cny,
                "gap": float("nan"),
                "seconds": time.perf_counter() - t0,
                "status": exc.status,
            }
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def cflp_to_csv(frame: pd.DataFrame) -> str:
    """Format a :func:`run_cflp` table as CSV text (objective and bound to 6 decimals).

    Parameters
    ----------
    frame
        The table.

    Returns
    -------
    str
    """
    out = frame.copy()
    out["capacity"] = out["capacity"].map(lambda v: f"{v:g}")
    for col in ("objective", "bound"):
        out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.6f}")
    out["gap"] = out["gap"].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    out["seconds"] = out["seconds"].map(lambda v: f"{v:.3f}")
    return out.to_csv(index=False)
