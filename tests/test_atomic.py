"""Output folders appear complete or not at all; an existing one is never half-overwritten."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from _revlog_plans import TINY, run_cli
from revlog.outputs import OutputExistsError, atomic_dir
from revlog.plan import Plan


def _old_folder(path: Path) -> dict[str, bytes]:
    path.mkdir()
    (path / "plan.json").write_text('{"old": true}')
    (path / "keep.csv").write_text("a,b\n1,2\n")
    return {p.name: p.read_bytes() for p in path.iterdir()}


def _contents(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.iterdir()}


def _no_temp_left(parent: Path) -> None:
    assert not [p.name for p in parent.iterdir() if p.name.startswith(".")]


def test_failure_mid_write_keeps_the_old_folder(tmp_path, monkeypatch, capsys):
    """A solve that fails mid-write leaves the old output folder as it was, and no temporary."""
    out = tmp_path / "plan"
    before = _old_folder(out)

    def broken_save(self, folder):
        (Path(folder) / "plan.json").write_text("half")  # something written, then a failure
        raise OSError("disk full")

    monkeypatch.setattr(Plan, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        run_cli(["solve", TINY, "-o", out, "--force", "-q", "--no-maps"], capsys)
    assert _contents(out) == before
    _no_temp_left(tmp_path)


def test_existing_folder_needs_force_and_is_then_replaced_whole(tmp_path, capsys):
    """An existing output folder needs --force, and is then replaced whole, not merged."""
    out = tmp_path / "plan"
    before = _old_folder(out)
    code, _, err = run_cli(["solve", TINY, "-o", out, "-q"], capsys)
    assert code == 2 and "--force" in err
    assert _contents(out) == before
    code, _, _ = run_cli(["solve", TINY, "-o", out, "-q", "--force", "--no-maps"], capsys)
    assert code == 0
    assert "keep.csv" not in _contents(out)  # replaced, not merged
    assert Plan.load(out).name == "tiny"
    _no_temp_left(tmp_path)


def test_atomic_dir_on_error_and_ctrl_c_leaves_nothing(tmp_path):
    """An error or Ctrl-C inside atomic_dir leaves no folder and no temporary behind."""
    out = tmp_path / "x"
    for exc in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(exc)), atomic_dir(out) as tmp:
            (tmp / "f").write_text("partial")
            raise exc
        assert not out.exists()
        _no_temp_left(tmp_path)


def test_atomic_dir_refuses_without_force_and_replaces_with_it(tmp_path):
    """atomic_dir refuses an existing target without force; with it, swaps the folder at the end."""
    out = tmp_path / "x"
    before = _old_folder(out)
    with pytest.raises(OutputExistsError), atomic_dir(out):
        pass
    assert _contents(out) == before
    with atomic_dir(out, force=True) as tmp:
        assert out.exists() and _contents(out) == before  # untouched while writing
        (tmp / "new").write_text("complete")
    assert _contents(out) == {"new": b"complete"}
    _no_temp_left(tmp_path)
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OutputExistsError), atomic_dir(tmp_path / "file", force=True):
        pass


def test_atomic_dir_has_the_permissions_of_mkdir(tmp_path):
    """A folder written through atomic_dir gets the permissions mkdir would give it."""
    old = os.umask(0o022)
    try:
        with atomic_dir(tmp_path / "x") as tmp:
            (tmp / "f").write_text("x")
    finally:
        os.umask(old)
    assert (tmp_path / "x").stat().st_mode & 0o777 == 0o755
