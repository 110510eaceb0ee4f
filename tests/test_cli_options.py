"""The CLI's promises: range-checked options, --version, completion, --json on compare,
clean errors from compare and check, progress steps, and no native solver output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from helpers.plans import run_cli, solved_tiny_dir
from helpers.scenarios import SCENARIOS, TINY
from revlog.cli import _Progress
from revlog.progress import ProgressStep, stepped

SWEEP = TINY.parent / "sweep.yaml"
BIG = "1180591620717411303424"  # 2**70


def _command() -> list[str]:
    script = Path(sys.executable).parent / "revlog"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "revlog.cli"]


BAD_VALUES = [
    (["solve", TINY, "-o", "{out}", "--time-limit", "nan"], "--time-limit", "above 0, got nan"),
    (["solve", TINY, "-o", "{out}", "--time-limit", "inf"], "--time-limit", "above 0, got inf"),
    (["solve", TINY, "-o", "{out}", "--time-limit", "-3"], "--time-limit", "above 0, got -3"),
    (["solve", TINY, "-o", "{out}", "--time-limit", "0"], "--time-limit", "above 0, got 0"),
    (["solve", TINY, "-o", "{out}", "--time-limit", "1e9"], "--time-limit", "at most 604800 s"),
    (["solve", TINY, "-o", "{out}", "--seed", "-1"], "--seed", "from 0 to 2147483647, got -1"),
    (["solve", TINY, "-o", "{out}", "--seed", BIG], "--seed", f"got {BIG}"),
    (["sweep", SWEEP, "--workers", "0"], "--workers", "from 1 to 256, got 0"),
    (["sweep", SWEEP, "--workers", "100000"], "--workers", "got 100000"),
    (["sweep", SWEEP, "--time-limit", "nan"], "--time-limit", "got nan"),
    (["bench", "vrp", "x.txt", "--seed", "-5"], "--seed", "got -5"),
    (["bench", "cflp", "x.txt", "--time-limit", "-1"], "--time-limit", "got -1"),
]


@pytest.mark.parametrize(
    ("args", "option", "reason"),
    BAD_VALUES,
    ids=[" ".join(map(str, a[2:])) for a, *_ in BAD_VALUES],
)
def test_out_of_range_option_values_exit_2_with_one_line(args, option, reason, tmp_path, capsys):
    """Every numeric option is range-checked before any work: `--option: reason`, exit 2."""
    args = [str(a).replace("{out}", str(tmp_path / "plan")) for a in args]
    code, out, err = run_cli(args, capsys)
    assert code == 2
    assert "Traceback" not in out + err
    (line,) = err.strip().splitlines()
    assert line.startswith(f"{option}: ") and reason in line, line
    assert list(tmp_path.iterdir()) == []


def test_the_installed_command_refuses_bad_values_in_time(tmp_path):
    """The real command refuses a bad value fast and records nothing (no plan.json)."""
    target = tmp_path / "plan"
    res = subprocess.run(
        [*_command(), "solve", str(TINY), "-o", str(target), "--time-limit", "nan"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip().startswith("--time-limit: ")
    assert not target.exists()


def test_version_prints_the_package_version(capsys):
    """`revlog --version` prints `revlog <version>` and exits 0."""
    from importlib.metadata import version

    code, out, _ = run_cli(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"revlog {version('revlog')}"


def test_shell_completion_offers_the_commands():
    """typer's completion answers for bash; --help lists --install-completion."""
    env = {**os.environ, "_REVLOG_COMPLETE": "complete_bash", "COMP_WORDS": "revlog so"}
    env["COMP_CWORD"] = "1"
    res = subprocess.run(_command(), capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0 and res.stdout.split() == ["solve"]
    res = subprocess.run([*_command(), "--help"], capture_output=True, text=True, timeout=60)
    assert "--install-completion" in res.stdout and "--version" in res.stdout


def test_compare_into_a_missing_folder_is_refused_before_reading(tmp_path, capsys):
    """compare --csv missing/x.csv: exit 2, `path: folder ... does not exist`, no traceback."""
    target = tmp_path / "missing" / "kpis.csv"
    code, out, err = run_cli(["compare", solved_tiny_dir(), "--csv", target], capsys)
    assert code == 2 and "Traceback" not in out + err
    assert err.strip() == f"{target}: folder {target.parent} does not exist"
    assert not target.parent.exists()


def test_compare_json_has_stable_keys(tmp_path, capsys):
    """compare --json: plans, kpis (unit, values, delta, delta_percent), solver."""
    import shutil

    other = tmp_path / "other"
    shutil.copytree(solved_tiny_dir(), other)
    code, out, _ = run_cli(["compare", solved_tiny_dir(), other, "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"plans", "kpis", "solver"}
    names = [p["name"] for p in doc["plans"]]
    assert len(names) == 2 and names[0] != names[1]
    total = doc["kpis"]["total_cost_cny_per_year"]
    assert set(total) == {"unit", "values", "delta", "delta_percent"}
    assert total["unit"] == "CNY/year"
    assert total["values"][names[0]] == total["values"][names[1]] > 0
    assert total["delta"] == {names[1]: 0.0}
    assert set(doc["solver"]["location_status"]) == set(names)


def test_check_against_another_scenario_reports_it_without_a_traceback(capsys):
    """A plan checked against the wrong scenario: violations naming both, exit 1."""
    wrong = SCENARIOS / "qinghai-baseline.yaml"
    code, out, err = run_cli(["check", wrong, solved_tiny_dir()], capsys)
    assert code == 1
    assert "Traceback" not in out + err
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"plan: {solved_tiny_dir()} was solved from scenario 'tiny', ")
    assert "not from 'qinghai-baseline'" in lines[0]
    assert any("sources of the plan are not in scenario 'qinghai-baseline'" in v for v in lines)
    code, out, _ = run_cli(["check", wrong, solved_tiny_dir(), "--json"], capsys)
    doc = json.loads(out)
    assert code == 1 and doc["feasible"] is False and doc["violations"] == lines


def test_check_with_other_sites_under_the_same_name_is_reported(tmp_path, capsys):
    """Same scenario name, other tables: the mismatching sources are the violations."""
    import shutil

    folder = tmp_path / "sc"
    shutil.copytree(TINY.parent, folder)
    lines = (folder / "sources.csv").read_text().splitlines()
    (folder / "sources.csv").write_text("\n".join(lines[:-1]) + "\n")  # one source fewer
    code, out, err = run_cli(["check", folder / "tiny.yaml", solved_tiny_dir()], capsys)
    assert code == 1 and "Traceback" not in out + err
    assert "1 sources of the plan are not in scenario 'tiny'" in out


def test_progress_steps_show_base_k_of_n():
    """A ProgressStep is still a str; the progress lines and the live bar count the bases."""
    seen: list[tuple[str, str]] = []
    stepped(lambda s, m: seen.append((s, m)), 1, 3)("routing", "base B: 4 stops")
    ((stage, msg),) = seen
    assert stage == "routing"
    assert msg == "base B: 4 stops" and isinstance(msg, ProgressStep)
    assert (msg.index, msg.total, msg.done, msg.label) == (2, 3, 1, "base 2 of 3")
    buf = io.StringIO()
    with _Progress(Console(file=buf, width=200, force_terminal=False)) as progress:
        progress("routing", msg)
    assert "routing base B: 4 stops (base 2 of 3)" in buf.getvalue()
    buf = io.StringIO()
    with _Progress(Console(file=buf, width=200, force_terminal=True), time_limit_s=60) as p:
        p("routing", msg)
        p._live.refresh()
        task = p._live.tasks[0]
        assert (task.total, task.completed, task.fields["step"]) == (3, 1, "base 2 of 3")
    assert "base 2 of 3" in buf.getvalue()


def test_the_python_api_prints_no_solver_banner(tmp_path):
    """revlog.solve() in a fresh process writes nothing on stdout (no HiGHS banner)."""
    code = f"import revlog; revlog.solve({str(TINY)!r}, time_limit=3)"
    env = {k: v for k, v in os.environ.items() if k != "REVLOG_SOLVER_LOG"}
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    assert "HiGHS" not in res.stderr
    env["REVLOG_SOLVER_LOG"] = "1"  # what --verbose sets: the solver's own log is shown
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert res.returncode == 0 and "HiGHS" in res.stdout
