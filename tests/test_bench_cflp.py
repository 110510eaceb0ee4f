"""``revlog bench cflp`` back end: spec parsing, the result table and its CSV."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from revlog.bench import benchmarks_dir
from revlog.bench.cflp import COLUMNS, cflp_to_csv, parse_spec, run_cflp

ORLIB = benchmarks_dir() / "orlib-cflp"
if not (ORLIB / "optima.csv").is_file():
    pytest.skip(f"OR-Library instances not found in {ORLIB}", allow_module_level=True)


def test_parse_spec_resolves_names_and_capacity():
    """A bench spec is an instance name or path with an optional :capacity; unknown ones fail."""
    assert parse_spec("cap41") == (ORLIB / "cap41.txt", None)
    assert parse_spec("capa.txt:8000") == (ORLIB / "capa.txt", 8000.0)
    path = str(ORLIB / "capb.txt")
    assert parse_spec(f"{path}:5000") == (ORLIB / "capb.txt", 5000.0)
    with pytest.raises(FileNotFoundError):
        parse_spec("no-such-instance")


def test_run_cflp_single_source_reports_infeasible_cleanly():
    """bench cflp reports an infeasible instance as a row; its CSV reads back the same."""
    frame = run_cflp(["cap41", "cap71"], single_source=True, time_limit_s=30)
    assert list(frame.columns) == COLUMNS
    rows = frame.set_index("instance")
    assert rows.loc["cap41", "status"] == "infeasible"
    assert pd.isna(rows.loc["cap41", "objective"])
    assert rows.loc["cap71", "status"] == "optimal"
    assert rows.loc["cap71", "objective"] == pytest.approx(932615.75, rel=1e-6)
    assert rows.loc["cap71", "capacity"] == 58268
    text = cflp_to_csv(frame)
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == COLUMNS
    assert back.loc[1, "objective"] == pytest.approx(932615.75, rel=1e-9)


def test_run_cflp_multi_source():
    """bench cflp solves cap41 multi-source to its optimum, with a bound at most the objective."""
    frame = run_cflp(["cap41"], single_source=False, time_limit_s=30)
    row = frame.iloc[0]
    assert row["status"] == "optimal"
    assert abs(row["objective"] - 1040444.375) <= 1e-6 * 1040444.375
    assert row["bound"] <= row["objective"] + 1e-6
