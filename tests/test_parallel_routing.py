"""Bases routed in parallel on Dask: the same plan as the serial solve, every run checked."""

from __future__ import annotations

import pandas as pd
import pytest

import revlog
from helpers.plans import run_cli
from helpers.scenarios import TINY
from revlog.distributed import DaskTarget
from revlog.errors import InfeasibleError


def _same_files(a, b) -> list[str]:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    return [n for n in names if (a / n).read_bytes() != (b / n).read_bytes()]


def test_workers_option_gives_a_byte_identical_plan_folder(tmp_path, capsys):
    """`revlog solve --workers 2` (a 2-worker LocalCluster) writes the serial solve's files."""
    serial, par = tmp_path / "serial", tmp_path / "dask"
    code, _, err = run_cli(["solve", TINY, "-o", serial, "--seed", 1, "-q", "--no-maps"], capsys)
    assert code == 0, err
    code, _, err = run_cli(
        ["solve", TINY, "-o", par, "--seed", 1, "-q", "--no-maps", "--workers", 2], capsys
    )
    assert code == 0, err
    assert _same_files(serial, par) == []
    plan = revlog.Plan.load(par)
    assert plan.routes["base_id"].nunique() >= 2  # several bases were routed in parallel
    assert revlog.check(plan, TINY) == []


def test_scheduler_address_routes_on_a_running_cluster():
    """`--scheduler ADDRESS` (API: DaskTarget(scheduler=…)) gives the serial plan's tables."""
    from dask.distributed import LocalCluster

    serial = revlog.solve(TINY, seed=2)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40
    ) as cluster:
        par = revlog.solve(TINY, seed=2, dask=DaskTarget(scheduler=cluster.scheduler_address))
    for table in ("outlets", "assignments", "routes", "stops", "breaks", "linehauls"):
        pd.testing.assert_frame_equal(getattr(serial, table), getattr(par, table))
    assert dict(serial.kpis) == dict(par.kpis)
    assert revlog.check(par, TINY) == []


def test_an_unroutable_base_is_diagnosed_without_starting_a_cluster(tmp_path):
    """A base that cannot be routed is diagnosed by the pre-checks before any search on Dask."""
    from helpers.scenarios import write_variant

    sc = write_variant(tmp_path, rules={"duty_h_per_day": 1.0, "max_days_per_run": 1})
    with pytest.raises(InfeasibleError) as info:
        revlog.solve(sc, seed=0, dask=DaskTarget(scheduler="tcp://127.0.0.1:9"))
    assert any("(D3)" in d for d in info.value.diagnosis), info.value.diagnosis
