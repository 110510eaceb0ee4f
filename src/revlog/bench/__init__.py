"""Readers and runners for the public benchmark instances (CLI: ``revlog bench``)."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "REVLOG_BENCHMARKS"


def benchmarks_dir() -> Path:
    """Return the folder holding the public benchmark instances.

    The folder is ``$REVLOG_BENCHMARKS`` when set, else ``../shared/benchmarks`` next to
    the repository checkout. The instances are never copied into the project.

    Returns
    -------
    Path
        The folder (it may not exist; callers skip or fail with a clear reason).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "benchmarks"
