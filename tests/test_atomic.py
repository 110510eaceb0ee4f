"""Output folders appear complete or not at all; an existing one is never half-overwritten."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from helpers.plans import run_cli
from helpers.scenarios import TINY
from revlog.outputs import (
    OutputError,
    OutputExistsError,
    OutputFolder,
    atomic_dir,
    plan_folder_files,
    plan_folder_problem,
)
from revlog.plan import Plan


def _old_folder(path: Path) -> dict[str, bytes]:
    """A plan folder as revlog writes it (plan.json with name and KPIs, tables, a map)."""
    path.mkdir()
    (path / "plan.json").write_text(json.dumps({"name": "old", "kpis": {}, "meta": {}}))
    (path / "outlets.csv").write_text("site_id\nC-1\n")
    (path / "map.html").write_text("<html></html>")
    return _contents(path)


def _contents(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.iterdir()}


def _no_temp_left(parent: Path) -> None:
    assert not [p.name for p in parent.iterdir() if p.name.startswith(".")]


def test_failure_mid_write_keeps_the_old_folder(tmp_path, monkeypatch, capsys):
    """A write error exits 2 with `folder: reason`, leaves the old plan folder as it was."""
    out = tmp_path / "plan"
    before = _old_folder(out)

    def broken_save(self, folder):
        (Path(folder) / "plan.json").write_text("half")  # something written, then a failure
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Plan, "save", broken_save)
    code, stdout, err = run_cli(["solve", TINY, "-o", out, "--force", "-q", "--no-maps"], capsys)
    assert code == 2 and "Traceback" not in stdout + err
    assert err.strip() == f"{out}: cannot write the plan: No space left on device"
    assert _contents(out) == before
    _no_temp_left(tmp_path)


def test_existing_folder_needs_force_and_is_then_replaced_whole(tmp_path, capsys):
    """An existing plan folder needs --force; it is then replaced, not merged."""
    out = tmp_path / "plan"
    before = _old_folder(out)
    code, _, err = run_cli(["solve", TINY, "-o", out, "-q"], capsys)
    assert code == 2 and "--force" in err
    assert _contents(out) == before
    cmd = ["solve", TINY, "-o", out, "-q", "--force", "--no-maps", "--time-limit", 3]
    code, _, _ = run_cli(cmd, capsys)
    assert code == 0
    assert "map.html" not in _contents(out)  # replaced, not merged
    assert Plan.load(out).name == "tiny"
    _no_temp_left(tmp_path)


def test_atomic_dir_on_error_and_ctrl_c_leaves_nothing(tmp_path):
    """An error or Ctrl-C inside the block removes the temporary folder."""
    out = tmp_path / "x"
    for exc in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(exc)), atomic_dir(out) as tmp:
            (tmp / "f").write_text("partial")
            raise exc
        assert not out.exists()
        _no_temp_left(tmp_path)


def test_atomic_dir_refuses_without_force_and_replaces_with_it(tmp_path):
    """A plan folder is replaced only with force; a file never."""
    out = tmp_path / "x"
    before = _old_folder(out)
    with pytest.raises(OutputExistsError), atomic_dir(out):
        pass
    assert _contents(out) == before
    with atomic_dir(out, force=True) as tmp:
        assert out.exists() and _contents(out) == before  # untouched while writing
        (tmp / "plan.json").write_text('{"name": "new", "kpis": {}}')
    assert _contents(out) == {"plan.json": b'{"name": "new", "kpis": {}}'}
    _no_temp_left(tmp_path)
    (tmp_path / "file").write_text("not a folder")
    with (
        pytest.raises(OutputError, match="is not a folder"),
        atomic_dir(tmp_path / "file", force=True),
    ):
        pass


def test_atomic_dir_has_the_permissions_of_mkdir(tmp_path):
    """The finished folder has the mode mkdir would give it under the umask."""
    old = os.umask(0o022)
    try:
        with atomic_dir(tmp_path / "x") as tmp:
            (tmp / "f").write_text("x")
    finally:
        os.umask(old)
    assert (tmp_path / "x").stat().st_mode & 0o777 == 0o755


def test_a_plan_folder_holds_only_what_revlog_writes(tmp_path):
    """plan.json with a name and KPIs, and only revlog's files, make a plan folder."""
    folder = tmp_path / "p"
    _old_folder(folder)
    assert plan_folder_problem(folder) is None
    (folder / ".DS_Store").write_bytes(b"")
    (folder / "old.gpkg").write_bytes(b"")  # the GeoPackage `revlog export` names after the plan
    assert plan_folder_problem(folder) is None
    (folder / "notes.txt").write_text("mine")
    assert "notes.txt" in plan_folder_problem(folder)
    (folder / "notes.txt").unlink()
    (folder / "data").mkdir()
    assert "data/ (a folder)" in plan_folder_problem(folder)
    (folder / "data").rmdir()
    (folder / "plan.json").write_text('{"tool": "someone else"}')
    assert "not one revlog wrote" in plan_folder_problem(folder)
    (folder / "plan.json").unlink()
    assert plan_folder_problem(folder) == "no plan.json"
    assert {"plan.json", "outlets.csv", "routes.geojson", "map.html"} <= plan_folder_files()


def test_parent_folders_made_for_a_failed_run_are_removed(tmp_path):
    """Parent folders created for the output disappear again when the run fails."""
    target = tmp_path / "a" / "b" / "plan"
    with pytest.raises(RuntimeError), OutputFolder(target):
        assert (tmp_path / "a" / "b").is_dir()
        raise RuntimeError("infeasible")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_appears_meanwhile_is_not_replaced(tmp_path):
    """The target is checked again when the plan is moved into place."""
    target = tmp_path / "plan"
    with pytest.raises(OutputError, match="not a plan folder"), OutputFolder(target) as folder:
        target.mkdir()
        (target / "mine.txt").write_text("keep")
        with folder.writing() as tmp:
            (tmp / "plan.json").write_text("{}")
    assert _contents(target) == {"mine.txt": b"keep"}
    _no_temp_left(tmp_path)
