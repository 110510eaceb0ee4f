"""Output folders that appear complete or not at all, and reproducible output files.

* :func:`atomic_dir`: everything is written to a temporary sibling folder that is moved into
  place only when complete; an existing folder is replaced only on request and never left
  half-overwritten.
* :func:`stable_element_ids`: folium/branca give every map element a random id; inside this
  block the ids are numbered, so the same plan gives a byte-identical ``map.html``.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from revlog.errors import OutputExistsError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
        A fresh folder next to ``target`` (same file system, so the final move is a
        rename), with the permissions of a folder made by ``mkdir``. On success it is
        renamed to ``target``; an existing ``target`` is first renamed aside and deleted
        only once the new folder is in place (if that last rename fails, the old folder is
        put back). On any error, or Ctrl-C, the temporary folder is removed and ``target``
        is left as it was.

    Raises
    ------
    OutputExistsError
        If ``target`` exists and ``force`` is false, or ``target`` is not a folder.
    """
    target = Path(target)
    if target.exists() and not force:
        raise OutputExistsError(f"{target}: output folder exists; pass --force to replace it")
    if target.exists() and not target.is_dir():
        raise OutputExistsError(f"{target}: exists and is not a folder; not replacing it")
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        yield tmp
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.replace(target, old / "x")
            try:
                os.replace(tmp, target)
            except BaseException:
                os.replace(old / "x", target)
                shutil.rmtree(old, ignore_errors=True)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def stable_element_ids(salt: str = "revlog") -> Iterator[None]:
    """Number the ids of the folium/branca elements created inside the block.

    branca gives every element (map, layer, marker, popup…) a random 32-hex-digit id that
    ends up in the HTML; inside this block the n-th element gets the first 32 hex digits of
    ``sha256(f"{salt}:{n}")`` instead. Build and render the map inside the block.

    Parameters
    ----------
    salt
        Distinguishes maps meant to live on one page (their ids must differ).
    """
    from branca.element import Element

    counter = itertools.count()
    original = Element.__dict__["_generate_id"]

    def _generate_id(cls: type) -> str:
        return hashlib.sha256(f"{salt}:{next(counter)}".encode()).hexdigest()[:32]

    Element._generate_id = classmethod(_generate_id)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Element._generate_id = original  # type: ignore[method-assign]
