"""The CLI run in process, and one solved plan per test session, shared by the plan / export /
map / compare / check / CLI tests: the tiny scenario solved once with ``revlog solve``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from helpers.scenarios import TINY

TIME_LIMIT_S = 20


def run_cli(args: list[str], capsys=None, monkeypatch=None) -> tuple[int, str, str]:
    """Run ``revlog ARGS`` in process; return (exit code, stdout, stderr)."""
    from revlog.cli import main

    old = sys.argv
    sys.argv = ["revlog", *map(str, args)]
    try:
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        sys.argv = old
    code = exc.value.code if isinstance(exc.value.code, int) else 0
    if capsys is not None:
        o, e = capsys.readouterr()
        return code, o, e
    return code, "", ""


@functools.cache
def _solve_tiny() -> tuple[Path, str, str]:
    root = Path(tempfile.mkdtemp(prefix="revlog-test-plan-"))
    atexit.register(shutil.rmtree, root, True)
    out = root / "tiny"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code, _, _ = run_cli(
            ["solve", TINY, "-o", out, "--time-limit", TIME_LIMIT_S, "--seed", 0, "--json"]
        )
    assert code == 0, f"revlog solve of the tiny scenario exited {code}: {stderr.getvalue()}"
    return out, stdout.getvalue(), stderr.getvalue()


def solved_tiny_dir() -> Path:
    """The folder written by ``revlog solve tiny.yaml --json`` (solved once per session)."""
    return _solve_tiny()[0]


def solved_tiny_output() -> tuple[str, str]:
    """What that ``revlog solve --json`` printed: (stdout, stderr)."""
    return _solve_tiny()[1:]


def copy_of_solved(dest: Path) -> Path:
    """A fresh copy of the session's solved plan folder (to corrupt or modify)."""
    target = dest / "plan"
    shutil.copytree(solved_tiny_dir(), target)
    return target
