"""`revlog solve` writes the plan, the map and the PNG; --json, --quiet, progress; exit codes."""

from __future__ import annotations

import io
import json

from rich.console import Console

from helpers.plans import run_cli, solved_tiny_dir, solved_tiny_output
from helpers.scenarios import TINY
from revlog.cli import _Progress
from revlog.plan import GEO_TABLES, TABLES, Plan


def test_solve_writes_the_plan_folder():
    """revlog solve writes plan.json, map, PNG, a CSV per table and a GeoJSON per geo table."""
    folder = solved_tiny_dir()
    names = {p.name for p in folder.iterdir()}
    expected = {"plan.json", "map.html", "overview.png"}
    expected |= {f"{n}.csv" for n in TABLES} | {f"{n}.geojson" for n in GEO_TABLES}
    assert names == expected
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".tiny.tmp")]


def test_solve_json_prints_only_the_summary_on_stdout():
    """revlog solve --json prints only the plan's JSON summary on stdout, and no progress."""
    stdout, stderr = solved_tiny_output()
    doc = json.loads(stdout)  # nothing else on stdout (solver banners go elsewhere)
    plan = Plan.load(solved_tiny_dir())
    assert doc["name"] == "tiny"
    assert doc["output"] == str(solved_tiny_dir())
    assert doc["kpis"]["runs_per_period"] == len(plan.routes)
    assert doc["kpis"]["total_cost_cny_per_year"] == round(
        float(plan.kpis["total_cost_cny_per_year"]), 6
    )
    assert doc["meta"]["seed"] == 0
    assert "routing" not in stderr  # --json implies no progress lines


def test_solve_refuses_an_existing_folder(capsys):
    """revlog solve into an existing folder without --force exits 2 and points to --force."""
    code, _, err = run_cli(["solve", TINY, "-o", solved_tiny_dir(), "--quiet"], capsys)
    assert code == 2
    assert "--force" in err


def test_progress_lines_show_stage_elapsed_and_news():
    """Progress lines show seconds, stage and message, the message literal, not rich markup."""
    buf = io.StringIO()
    console = Console(file=buf, width=200, force_terminal=False, emoji=False)
    with _Progress(console) as progress:
        progress("location", "optimal: 2 outlets open, 134,835 CNY/year, gap 0.00e+00")
        progress("routing", "base [C-1]: 2 runs")
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].strip().split()[1:3] == ["s", "location"]
    assert "gap 0.00e+00" in lines[0]
    assert "base [C-1]: 2 runs" in lines[1]  # messages are not read as rich markup


def test_progress_on_a_terminal_uses_a_live_line():
    """On a terminal, progress is shown on a live line."""
    buf = io.StringIO()
    console = Console(file=buf, width=120, force_terminal=True, emoji=False)
    with _Progress(console) as progress:
        assert progress._live is not None
        progress("location", "incumbent 1,234 CNY/year, gap 1.0e-02")
    assert "incumbent 1,234 CNY/year" in buf.getvalue()


def test_quiet_progress_prints_nothing():
    """Disabled progress prints nothing."""
    buf = io.StringIO()
    with _Progress(Console(file=buf), enabled=False) as progress:
        progress("location", "x")
    assert buf.getvalue() == ""


def test_export_of_a_missing_plan_is_an_input_error(tmp_path, capsys):
    """revlog export of a missing plan folder is an input error: exit 2, not a plan folder."""
    code, _, err = run_cli(["export", tmp_path / "none", "-o", tmp_path / "out"], capsys)
    assert code == 2
    assert "not a plan folder" in err


def test_help_lists_the_commands(capsys):
    """revlog --help lists solve, check, compare, export and validate."""
    code, out, _ = run_cli(["--help"], capsys)
    assert code == 0
    for cmd in ("solve", "check", "compare", "export", "validate"):
        assert cmd in out


def test_quiet_solve_prints_nothing_at_all(tmp_path):
    """Not even the banner HiGHS writes on file descriptor 1 before options apply."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "revlog.cli", "solve", str(TINY), "-o", str(tmp_path / "p")]
    res = subprocess.run(
        [*cmd, "--quiet", "--no-maps"], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    assert (res.stdout, res.stderr) == ("", "")
    assert (tmp_path / "p" / "plan.json").is_file()
