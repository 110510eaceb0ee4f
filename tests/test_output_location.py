"""`revlog solve -o`: the output location is checked before solving; --force replaces only
a plan folder revlog wrote; unusable locations, write errors, SIGTERM and Ctrl-C end with one
clean line, the right exit code and nothing left behind."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

import revlog.pipeline
from helpers.plans import copy_of_solved, run_cli, solved_tiny_dir
from helpers.scenarios import TINY

REPO = Path(__file__).resolve().parents[1]


def _revlog_command() -> list[str]:
    script = Path(sys.executable).parent / "revlog"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "revlog.cli"]


@pytest.fixture
def scenario_dir(tmp_path) -> Path:
    """A copy of the tiny scenario's folder (scenario file and both tables)."""
    folder = tmp_path / "sandbox"
    shutil.copytree(TINY.parent, folder)
    return folder


@pytest.fixture
def no_solving(monkeypatch):
    """Fail the test if solving starts: the location must be refused before that."""
    solved_tiny_dir()  # the session's plan (copy_of_solved) is solved before the patch

    def refuse(*args, **kwargs):
        raise AssertionError("solved although the output location is unusable")

    monkeypatch.setattr(revlog.pipeline, "solve_inputs", refuse)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _refused(args: list, capsys, reason: str) -> str:
    code, out, err = run_cli(["solve", *args, "-q"], capsys)
    assert code == 2, err
    assert "Traceback" not in out + err
    assert reason in err, err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_force_on_the_scenarios_own_folder_is_refused(scenario_dir, capsys, no_solving):
    """--force on the folder holding the scenario and its tables deletes nothing."""
    before = _snapshot(scenario_dir)
    err = _refused([scenario_dir / "tiny.yaml", "-o", scenario_dir, "--force"], capsys, "input")
    assert err.startswith(f"{scenario_dir}: holds ")
    assert _snapshot(scenario_dir) == before


def test_force_on_the_current_folder_is_refused_even_if_it_is_a_plan(
    tmp_path, capsys, monkeypatch, no_solving
):
    """-o . --force never replaces the folder the user stands in."""
    plan = copy_of_solved(tmp_path)
    before = _snapshot(plan)
    monkeypatch.chdir(plan)
    _refused([TINY, "-o", ".", "--force"], capsys, "is the current folder")
    assert _snapshot(plan) == before


def test_force_on_a_parent_of_an_input_is_refused(tmp_path, capsys, no_solving):
    """A folder that holds an input anywhere below it is never replaced."""
    deep = tmp_path / "projects" / "qinghai" / "inputs"
    shutil.copytree(TINY.parent, deep)
    before = _snapshot(tmp_path / "projects")
    err = _refused([deep / "tiny.yaml", "-o", tmp_path / "projects", "--force"], capsys, "input")
    assert "tiny.yaml" in err or "sources.csv" in err
    assert _snapshot(tmp_path / "projects") == before


def test_force_on_a_folder_that_is_not_a_plan_is_refused(tmp_path, capsys, no_solving):
    """A folder without revlog's plan.json is the user's: --force leaves it alone."""
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"chapter 1")
    _refused([TINY, "-o", folder, "--force"], capsys, "not a plan folder revlog wrote")
    assert _snapshot(folder) == {"thesis.docx": b"chapter 1"}


def test_force_on_a_plan_folder_with_files_of_the_users_own_is_refused(
    tmp_path, capsys, no_solving
):
    """Notes put into an old plan folder would be deleted with it, so it is kept."""
    plan = copy_of_solved(tmp_path)
    (plan / "notes.txt").write_text("call the dealer")
    before = _snapshot(plan)
    _refused([TINY, "-o", plan, "--force"], capsys, "notes.txt")
    assert _snapshot(plan) == before


@pytest.mark.parametrize("force", [False, True])
def test_an_output_that_is_a_file_is_refused(tmp_path, capsys, no_solving, force):
    """-o on an existing file is refused, with or without --force."""
    file = tmp_path / "plan"
    file.write_text("mine")
    _refused([TINY, "-o", file, *(["--force"] if force else [])], capsys, "is not a folder")
    assert file.read_text() == "mine"


def test_an_output_below_a_file_is_refused(tmp_path, capsys, no_solving):
    """-o file/plan: the parent is not a folder."""
    (tmp_path / "f").write_text("x")
    _refused([TINY, "-o", tmp_path / "f" / "plan"], capsys, "is a file, not a folder")


def test_a_name_too_long_for_the_file_system_is_refused_before_solving(
    tmp_path, capsys, no_solving
):
    """A 300-character folder name is found before the solve, not after it."""
    _refused([TINY, "-o", tmp_path / ("x" * 300)], capsys, "the file system allows")
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_location_is_refused_before_solving(tmp_path, capsys, monkeypatch, no_solving):
    """A folder that cannot be written (chmod, or EROFS when running as root) exits 2."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        if os.geteuid() == 0:  # root writes anyway: inject what a read-only file system says

            def read_only(*args, **kwargs):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS))

            monkeypatch.setattr(tempfile, "mkdtemp", read_only)
        err = _refused([TINY, "-o", ro / "plan"], capsys, "cannot create the output folder")
        assert err.startswith(f"{ro / 'plan'}: ")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_a_disk_that_fills_while_writing_leaves_nothing(tmp_path, capsys, monkeypatch):
    """ENOSPC in the middle of writing: exit 2 with `folder: reason`, no folder, no temp."""
    from revlog.plan.model import Plan

    real = Plan.save

    def fills_up(self, folder):
        real(self, folder)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(Path(folder) / "stops.csv"))

    monkeypatch.setattr(Plan, "save", fills_up)
    target = tmp_path / "plan"
    err = _refused(
        [TINY, "-o", target, "--no-maps", "--time-limit", 3], capsys, "No space left on device"
    )
    assert err.startswith(f"{target}: cannot write the plan: ")
    assert list(tmp_path.iterdir()) == []


def _slow_save_script(target: Path) -> str:
    """A `revlog solve` whose plan writing pauses (after a first file) until it is killed."""
    return textwrap.dedent(
        f"""
        import sys, time
        from revlog.plan.model import Plan

        def slow(self, folder):
            (folder / "plan.json").write_text("{{}}")
            print("writing", flush=True)
            time.sleep(60)

        Plan.save = slow
        sys.argv = ["revlog", "solve", {str(TINY)!r}, "-o", {str(target)!r}, "-q",
                    "--no-maps", "--time-limit", "3"]
        from revlog.cli import main
        main()
        """
    )


def test_sigterm_while_writing_exits_143_and_leaves_no_hidden_folder(tmp_path):
    """SIGTERM during writing runs the cleanup: no .plan.tmp-* folder, no plan, exit 143."""
    target = tmp_path / "plan"
    proc = subprocess.Popen(
        [sys.executable, "-c", _slow_save_script(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan.tmp-")]
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    assert err.strip() == "terminated; nothing saved"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_the_command_starts_prints_one_line(tmp_path):
    """Ctrl-C during the imports of `revlog` exits 130 with one line, no traceback."""
    script = textwrap.dedent(
        """
        import sys

        class CtrlC:
            def find_spec(self, name, path=None, target=None):
                if name == "typer":
                    raise KeyboardInterrupt
                return None

        sys.meta_path.insert(0, CtrlC())
        sys.argv = ["revlog", "--help"]
        from revlog.cli import main
        main()
        """
    )
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert res.returncode == 130
    assert "Traceback" not in res.stderr
    assert res.stderr.strip() == "interrupted; nothing saved"


def test_ctrl_c_while_loading_the_scenario_prints_one_line(tmp_path, capsys, monkeypatch):
    """Ctrl-C while the scenario is read exits 130 with one line and writes nothing."""
    import revlog.scenario

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(revlog.scenario, "load_scenario", interrupted)
    code, out, err = run_cli(["solve", TINY, "-o", tmp_path / "plan"], capsys)
    assert code == 130
    assert "Traceback" not in out + err
    assert err.strip() == "interrupted; nothing saved"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("delay_s", [0.2, 0.6, 1.2])
def test_ctrl_c_at_any_moment_of_start_up_never_shows_a_traceback(tmp_path, delay_s):
    """A real SIGINT early in `revlog solve`: exit 130 (or 0 if a plan was saved), no traceback."""
    target = tmp_path / "plan"
    cmd = [*_revlog_command(), "solve", str(TINY), "-o", str(target), "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay_s)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert "Traceback" not in out + err, err
    # `python -m` ends a process that saw Ctrl-C by SIGINT itself: the shell's 130 as well
    assert proc.returncode in (0, 130, -signal.SIGINT), err
    if proc.returncode != 0:
        assert len([line for line in err.splitlines() if line.strip()]) == 1, err
        assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_readme_and_help_agree_on_ctrl_c(capsys):
    """README and `solve --help` say the same about Ctrl-C: exit 0 with the best plan, or 130."""
    code, out, _ = run_cli(["solve", "--help"], capsys)
    assert code == 0
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    help_text = " ".join(out.replace("│", " ").split())
    for text in (help_text, " ".join(readme.split())):
        assert "the best plan found so far is written (exit 0, with a warning)" in text
        assert "130 if there is none yet" in text
        assert "143" in text
