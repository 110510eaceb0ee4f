"""Atomic output folders: written to a temporary sibling, moved into place when complete."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from revlog.errors import RevlogError


class OutputExistsError(RevlogError):
    """The output folder exists and replacing it was not asked for."""


@contextmanager
def atomic_dir(target: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds.

    Parameters
    ----------
    target
        The output folder to create.
    force
        Replace an existing ``target`` (otherwise :class:`OutputExistsError`).

    Yields
    ------
    Path
        A fresh folder next to ``target``; on success it is renamed to ``target``; on any
        error (or Ctrl-C) it is removed and ``target`` is left as it was.
    """
    target = Path(target)
    if target.exists() and not force:
        raise OutputExistsError(f"{target}: output folder exists; pass --force to replace it")
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        yield tmp
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.replace(target, old / "x")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
