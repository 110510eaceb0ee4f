"""Fixtures shared by several test modules: the embedded geodata, its road network, and
the public benchmark files read from ``../shared/benchmarks`` (``REVLOG_BENCHMARKS``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from revlog.bench import benchmarks_dir
from revlog.geo.geodata import load_geodata
from revlog.geo.roads import RoadNetwork


@pytest.fixture(scope="module")
def gd():
    """The embedded Qinghai geodata (``geodata/``)."""
    return load_geodata()


@pytest.fixture(scope="module")
def net(gd):
    """The road network of the embedded geodata."""
    return RoadNetwork.from_geodata(gd)


@pytest.fixture
def shipped() -> Callable[..., Path]:
    """``shipped(*parts)``: a benchmark file, or skip the test with the reason."""

    def path_of(*parts: str) -> Path:
        path = benchmarks_dir().joinpath(*parts)
        if not path.exists():
            pytest.skip(f"benchmark file {path} not present (set REVLOG_BENCHMARKS)")
        return path

    return path_of
