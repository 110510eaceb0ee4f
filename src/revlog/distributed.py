"""Dask clients for revlog's parallel work: scenario sweeps and the bases of one solve.

One place starts (or connects to) a cluster: :func:`dask_client` gives a client on a
running scheduler (``tcp://host:8786``) or on a ``LocalCluster`` of single-threaded worker
processes, and closes what it started. :func:`revlog.sweep.run_sweep` solves variants on
it; :func:`revlog.parallel.route_bases_on_dask` routes the independent bases of one plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DaskTarget:
    """Where parallel work runs.

    Parameters
    ----------
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); ``None`` starts a
        ``LocalCluster``.
    n_workers
        Worker processes of the local cluster (one thread each); ignored with a scheduler.
    """

    scheduler: str | None = None
    n_workers: int = 2


@contextmanager
def dask_client(target: DaskTarget) -> Iterator[Any]:
    """A ``dask.distributed.Client`` on ``target``; the cluster it started is closed after.

    Parameters
    ----------
    target
        The scheduler's address, or the size of a local cluster.

    Yields
    ------
    dask.distributed.Client
    """
    from dask.distributed import Client, LocalCluster

    cluster = None
    if target.scheduler is None:
        cluster = LocalCluster(
            n_workers=target.n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
        client = Client(cluster)
    else:
        client = Client(target.scheduler)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def safe_key(name: str) -> str:
    """``name`` with every character but letters, digits and ``-_.=,`` replaced by ``_``
    (task keys, file names)."""
    return "".join(c if c.isalnum() or c in "-_.=," else "_" for c in name)


def results_as_completed(
    client: Any,
    fn: Any,
    calls: list[tuple[str, tuple[Any, ...]]],
    priorities: list[int] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Submit ``fn(*args)`` for every ``(key, args)`` of ``calls``; yield ``(index, result)``
    as each finishes.

    Parameters
    ----------
    client
        From :func:`dask_client`.
    fn
        A module-level function (pickled by reference; its module must import on the
        workers).
    calls
        A unique task key and the arguments of each call (futures among them are resolved
        on the worker).
    priorities
        Optional Dask priority of each call (higher starts first).
    """
    from dask.distributed import as_completed

    index_of: dict[Any, int] = {}
    futures = []
    for i, (key, args) in enumerate(calls):
        prio = 0 if priorities is None else int(priorities[i])
        fut = client.submit(fn, *args, key=key, pure=False, priority=prio)
        index_of[fut.key] = i
        futures.append(fut)
    try:
        for fut in as_completed(futures):
            yield index_of[fut.key], fut.result()
    finally:
        for fut in futures:
            if not fut.done():
                fut.cancel()
