"""Output folders that appear complete or not at all, and reproducible output files.

* :class:`OutputFolder` / :func:`atomic_dir`: the output location is checked before any
  work starts; everything is written to a temporary sibling folder that is moved into place
  only when complete; an existing folder is replaced only on request, only if it is a plan
  folder revlog wrote (:func:`plan_folder_problem`), and never left half-overwritten.
* :func:`native_stdout`: what native libraries print on file descriptor 1 sent to stderr
  or to the null device.
* :func:`stable_element_ids`: folium/branca give every map element a random id; inside this
  block the ids are numbered, so the same plan gives a byte-identical ``map.html``.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from revlog.errors import OutputError, OutputExistsError

#: The marker file of a plan folder (see :data:`revlog.plan.io.PLAN_FILE`).
PLAN_FILE = "plan.json"


def plan_folder_files() -> frozenset[str]:
    """Every file revlog writes into a plan folder (``revlog solve``, ``Plan.save``, and
    ``revlog export`` into the same folder), but the GeoPackage named after the plan."""
    from revlog.plan.schema import GEO_TABLES, TABLES

    return frozenset(
        {PLAN_FILE, "map.html", "overview.png", "kpis.csv"}
        | {f"{t}.csv" for t in TABLES}
        | {f"{t}.geojson" for t in GEO_TABLES}
    )


#: Files desktop file managers put into folders they show; they do not make a folder the
#: user's own.
DESKTOP_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

MAX_PLAN_JSON_BYTES = 10_000_000
_SHOWN = 3


def safe_file_name(name: str) -> str:
    """``name`` with every character but letters, digits and ``-_.`` replaced by ``_``."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "plan"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def plan_folder_problem(folder: str | Path) -> str | None:
    """Why ``folder`` is not a plan folder revlog wrote, or None when it is one.

    A plan folder holds a ``plan.json`` (a regular file whose top level has the plan's
    ``name`` and ``kpis``) and nothing but the files revlog writes there
    (:func:`plan_folder_files`, the plan's GeoPackage, desktop litter such as
    ``.DS_Store``): no subfolder, no symbolic link, no file of the user's own. Only such a
    folder is ever replaced by ``--force``.
    """
    folder = Path(folder)
    if (folder / HORIZON_FILE).is_file() and not (folder / PLAN_FILE).exists():
        return _horizon_folder_problem(folder)
    marker = folder / PLAN_FILE
    try:
        st = marker.lstat()
    except FileNotFoundError:
        return f"no {PLAN_FILE}"
    except OSError as exc:
        return f"cannot read {PLAN_FILE}: {_reason(exc)}"
    if not stat.S_ISREG(st.st_mode):
        return f"its {PLAN_FILE} is not a regular file"
    if st.st_size > MAX_PLAN_JSON_BYTES:
        return f"its {PLAN_FILE} is not one revlog wrote (too large)"
    try:
        doc = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        doc = None
    if not (isinstance(doc, dict) and isinstance(doc.get("name"), str)) or not isinstance(
        doc.get("kpis"), dict
    ):
        return f"its {PLAN_FILE} is not one revlog wrote"
    allowed = plan_folder_files() | DESKTOP_LITTER | {f"{safe_file_name(doc['name'])}.gpkg"}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        return f"cannot list the folder: {_reason(exc)}"
    foreign = []
    for e in entries:
        if e.is_symlink():
            foreign.append(f"{e.name} (a symbolic link)")
        elif e.is_dir(follow_symlinks=False):
            foreign.append(f"{e.name}/ (a folder)")
        elif e.name not in allowed or not e.is_file(follow_symlinks=False):
            foreign.append(e.name)
    if foreign:
        shown = ", ".join(foreign[:_SHOWN]) + (
            f" and {len(foreign) - _SHOWN} more" if len(foreign) > _SHOWN else ""
        )
        return f"it holds what revlog does not write there: {shown}"
    return None


#: The marker file of a multi-year plan folder (see :mod:`revlog.horizon.plan`).
HORIZON_FILE = "horizon.json"
#: The files revlog writes into a multi-year plan folder beside the years' plan folders.
HORIZON_FOLDER_FILES = frozenset({HORIZON_FILE, "outlets.csv", "years.csv", "map.html"})


def _horizon_folder_problem(folder: Path) -> str | None:
    """Why ``folder`` is not a multi-year plan folder revlog wrote, or None: its own files
    and one plan folder per year (named by the year), nothing else."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        return f"cannot list the folder: {_reason(exc)}"
    for e in entries:
        if e.is_symlink():
            return f"it holds {e.name}, a symbolic link"
        if e.is_dir(follow_symlinks=False):
            why = plan_folder_problem(e.path) if e.name.isdigit() else "not a year's plan"
            if why is not None:
                return f"its folder {e.name}/ is not a plan folder revlog wrote ({why})"
        elif e.name not in HORIZON_FOLDER_FILES | DESKTOP_LITTER:
            return f"it holds what revlog does not write there: {e.name}"
    return None


def _resolved(path: str | Path) -> Path:
    """``path`` made absolute, its folder's symbolic links followed (not the last part's)."""
    full = Path(os.path.abspath(path))
    if not full.name:
        return full
    try:
        return full.parent.resolve() / full.name
    except (OSError, RuntimeError):
        return full


def _name_max(folder: Path) -> int:
    """The longest file name the file system at ``folder`` (or its nearest parent) allows."""
    for p in (folder, *folder.parents):
        with suppress(OSError, ValueError, AttributeError):
            if p.is_dir():
                return int(os.pathconf(p, "PC_NAME_MAX"))
    return 255


def output_problem(
    target: str | Path, force: bool = False, inputs: Iterable[str | Path] = ()
) -> tuple[str, bool] | None:
    """Why ``target`` may not be (re)written as an output folder, or None when it may.

    Parameters
    ----------
    target
        The output folder.
    force
        Whether replacing an existing plan folder was asked for.
    inputs
        The files and folders the run reads (scenario, tables, geodata): no output may be
        one of them or hold one of them.

    Returns
    -------
    (str, bool) or None
        The reason, and whether it is only that the folder exists without ``force``.
    """
    full = _resolved(target)
    if not full.name:
        return "is the root of the file system, not an output folder", False
    n = len(os.fsencode(full.name))
    limit = _name_max(full.parent)
    if n > limit:
        return f"the folder name is {n} bytes long; the file system allows {limit}", False
    try:
        cwd: Path | None = Path.cwd().resolve()
    except OSError:  # the current folder was deleted: nothing to protect there
        cwd = None
    if cwd is not None and full == cwd:
        return "is the current folder; give a new folder for the plan", False
    if cwd is not None and cwd.is_relative_to(full):
        return f"holds the current folder {cwd}; give a new folder for the plan", False
    for p in inputs:
        inp = _resolved(p)
        if inp == full:
            return "is an input of this run; give a new folder for the plan", False
        if inp.is_relative_to(full):
            return f"holds {inp}, an input of this run; give a new folder for the plan", False
    for p in (full.parent, *full.parent.parents):
        if p.exists():
            if not p.is_dir():
                return f"{p} is a file, not a folder", False
            break
    if not os.path.lexists(full):
        return None
    if full.is_symlink():
        return "is a symbolic link; give the folder itself (or a new one)", False
    if not full.is_dir():
        return "exists and is not a folder; not replacing it", False
    why = plan_folder_problem(full)
    if why is not None:
        return f"exists and is not a plan folder revlog wrote ({why}); not replacing it", False
    if not force:
        return "output folder exists; pass --force to replace it", True
    return None


def check_output(
    target: str | Path, force: bool = False, inputs: Iterable[str | Path] = ()
) -> None:
    """Raise :class:`OutputError` when ``target`` may not be written (see :func:`output_problem`).

    Raises
    ------
    OutputExistsError
        If ``target`` is an existing plan folder and ``force`` is false.
    OutputError
        For every other reason.
    """
    found = output_problem(target, force, inputs)
    if found is not None:
        reason, exists = found
        raise (OutputExistsError if exists else OutputError)(target, reason)


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM held back (delivered on exit) while a few renames run."""
    mask = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, mask)
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class OutputFolder:
    """An output folder checked before the work starts and put in place when complete.

    Use as a context manager: entering checks ``target`` (:func:`check_output`) and makes
    the temporary folder next to it (so a read-only or full file system is found before
    any solving); :meth:`writing` yields that folder to write into and, if the block
    succeeds, moves it into place; leaving without a successful :meth:`writing` block (an
    error, Ctrl-C, SIGTERM) removes the temporary folder and any parent folder made for it.

    Parameters
    ----------
    target
        The output folder to create.
    force
        Replace an existing plan folder (never any other folder).
    inputs
        The run's input files and folders; ``target`` may not be or hold one of them.

    Raises
    ------
    OutputExistsError, OutputError
        From :func:`check_output`, on entering, or when the file system refuses to make
        the folder (``path: reason``).
    """

    def __init__(
        self, target: str | Path, force: bool = False, inputs: Iterable[str | Path] = ()
    ) -> None:
        self.target = Path(target)
        self.force = force
        self.inputs = [Path(p) for p in inputs]
        self.tmp: Path | None = None
        self._made: list[Path] = []
        self.done = False

    def __enter__(self) -> OutputFolder:
        check_output(self.target, self.force, self.inputs)
        full = _resolved(self.target)
        try:
            missing = [p for p in (full.parent, *full.parent.parents) if not p.exists()]
            for p in reversed(missing):
                p.mkdir()
                self._made.append(p)
            prefix = f".{full.name[:64]}.tmp-"
            self.tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=full.parent))
            os.chmod(self.tmp, 0o777 & ~_umask())
        except OSError as exc:
            self._clean()
            raise OutputError(
                self.target, f"cannot create the output folder: {_reason(exc)}"
            ) from None
        except BaseException:
            self._clean()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._clean()

    def _clean(self) -> None:
        if self.tmp is not None and not self.done:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp = None
        if not self.done:
            for p in reversed(self._made):
                with suppress(OSError):
                    p.rmdir()
        self._made = []

    @contextmanager
    def writing(self) -> Iterator[Path]:
        """Yield the temporary folder; move it into place if the block succeeds.

        An ``OSError`` of the block (disk full, permission) becomes an :class:`OutputError`
        naming the output folder; the temporary folder is removed and an existing
        ``target`` is left as it was.
        """
        if self.tmp is None:
            raise RuntimeError("OutputFolder.writing() outside its with block")
        try:
            yield self.tmp
        except OSError as exc:
            self._clean()
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            raise OutputError(
                self.target, f"cannot write the plan: {_reason(exc)}{where}"
            ) from None
        self._commit()

    def _commit(self) -> None:
        assert self.tmp is not None
        # The folder may have appeared, or changed, while the work ran.
        check_output(self.target, self.force, self.inputs)
        full = _resolved(self.target)
        try:
            with _signals_blocked():
                if os.path.lexists(full):
                    old = Path(tempfile.mkdtemp(prefix=f".{full.name[:64]}.old-", dir=full.parent))
                    os.replace(full, old / "x")
                    try:
                        os.replace(self.tmp, full)
                    except BaseException:
                        os.replace(old / "x", full)
                        shutil.rmtree(old, ignore_errors=True)
                        raise
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(self.tmp, full)
                self.done = True
        except OSError as exc:
            self._clean()
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise OutputError(
                    self.target, "a folder of that name appeared meanwhile; not replacing it"
                ) from None
            raise OutputError(
                self.target, f"cannot move the plan into place: {_reason(exc)}"
            ) from None
        self.tmp = None
        self._made = []


@contextmanager
def atomic_dir(
    target: str | Path, force: bool = False, inputs: Iterable[str | Path] = ()
) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds.

    Parameters
    ----------
    target
        The output folder to create.
    force
        Replace an existing plan folder (:func:`plan_folder_problem`); any other folder is
        refused.
    inputs
        Input files and folders that ``target`` may not be or hold.

    Yields
    ------
    Path
        A fresh folder next to ``target`` (same file system, so the final move is a
        rename), with the permissions of a folder made by ``mkdir``. On success it is
        renamed to ``target``; an existing ``target`` is first renamed aside and deleted
        only once the new folder is in place (if that last rename fails, the old folder is
        put back). On any error, Ctrl-C or SIGTERM, the temporary folder is removed and
        ``target`` is left as it was.

    Raises
    ------
    OutputExistsError
        If ``target`` is a plan folder and ``force`` is false.
    OutputError
        If ``target`` may not be replaced or written (see :func:`output_problem`), or the
        file system fails while writing.
    """
    with OutputFolder(target, force=force, inputs=inputs) as folder, folder.writing() as tmp:
        yield tmp


@contextmanager
def native_stdout(to: str = "stderr") -> Iterator[None]:
    """Send what native libraries print on file descriptor 1 to stderr or the null device.

    Python-level writes to ``sys.stdout`` are untouched (they do not go through file
    descriptor 1 when ``sys.stdout`` is replaced, as under pytest or in a notebook);
    child processes started inside the block inherit the redirection.

    Parameters
    ----------
    to
        ``"stderr"`` or ``"null"``; ``"stdout"`` leaves file descriptor 1 alone.
    """
    if to == "stdout":
        yield
        return
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        saved = os.dup(fd)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        with suppress(OSError, ValueError):
            sys.stdout.flush()
        if to == "null":
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)
        else:
            os.dup2(sys.__stderr__.fileno() if sys.__stderr__ is not None else 2, fd)
        yield
    finally:
        with suppress(OSError, ValueError):
            sys.stdout.flush()
        os.dup2(saved, fd)
        os.close(saved)


#: Environment variable that lets the solvers print their own logs (``--verbose``).
SOLVER_LOG_ENV = "REVLOG_SOLVER_LOG"


def solver_log() -> bool:
    """Whether the solvers may print their logs (``REVLOG_SOLVER_LOG=1``, set by ``--verbose``)."""
    return os.environ.get(SOLVER_LOG_ENV, "") == "1"


@contextmanager
def solver_output() -> Iterator[None]:
    """Around a native solver call: its prints go nowhere unless :func:`solver_log`.

    HiGHS prints its banner on file descriptor 1 when the first ``Highs`` object is made,
    before any option can turn it off; inside this block that goes to the null device (to
    stderr with ``REVLOG_SOLVER_LOG=1``), so neither a terminal nor a notebook shows it.
    """
    with native_stdout("stderr" if solver_log() else "null"):
        yield


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


__all__ = [
    "PLAN_FILE",
    "OutputError",
    "OutputExistsError",
    "OutputFolder",
    "atomic_dir",
    "check_output",
    "native_stdout",
    "output_problem",
    "plan_folder_files",
    "plan_folder_problem",
    "safe_file_name",
    "solver_log",
    "solver_output",
    "stable_element_ids",
]
