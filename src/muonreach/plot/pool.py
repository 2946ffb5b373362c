"""One process pool shared by the layers of a figure (``compute_all``): per-mass work spread over the cores.

The expensive layers (relic curves, reach contours, computed bounds) are loops over masses whose iterations are
independent (a relic block also warm-starts each mass from its neighbour, in blocks fixed by the masses alone:
:func:`muonreach.cosmo.relic.relic_curve`).
Inside :func:`figure_pool` they hand blocks of masses to :func:`map_blocks`, which runs them on one pool of worker
processes created on first use and shut down when the block ends (one start-up per figure, not one per layer).
Outside it, or with one worker, :func:`map_blocks` runs the blocks in this process, in order: the results are the
same either way (each block's numbers do not depend on where it runs, nor, for reach and bound layers, on which
masses share it: a figure is the same floats on any number of workers; tests/test_figure_pool.py).

The workers inherit the cache bypass (``--no-cache``) of the calling process explicitly (not through ``fork``), and
never open a pool of their own.

:func:`plan` lets a figure hand over the blocks of all its layers before it waits for any (``compute_all``): each
layer runs once in a planning pass, in which :func:`map_blocks` only records its blocks and stops the layer; the
recorded blocks of every layer are then submitted together (the workers start after the parent has imported what
the layers need, and never idle between layers), and the layers run again, now waiting for their blocks' futures.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

import numpy as np

__all__ = ["BLOCKS_PER_WORKER", "active", "default_workers", "executor", "figure_pool", "map_blocks", "mass_blocks", "plan",
           "pool_workers"]

#: Most worker processes a figure uses (and never more than the machine's CPUs).
MAX_WORKERS: int = 4
#: Blocks of neighbouring masses per worker: the cost per mass varies along a curve (thresholds, resonances),
#: several blocks per worker keep the processes evenly loaded.
BLOCKS_PER_WORKER: int = 4

T = TypeVar("T")

_workers: int = 1
_pool: ProcessPoolExecutor | None = None
_active: bool = False
#: Futures of the blocks submitted by :func:`plan`, by :func:`_key` (kept until the figure pool ends).
_futures: dict[bytes, Future] = {}
#: During :func:`plan`: the blocks recorded so far, by :func:`_key`, in the order the layers asked for them.
_planned: dict[bytes, tuple[Callable[[Any], Any], Any]] | None = None


class _Planned(BaseException):
    """Raised by :func:`map_blocks` during :func:`plan` once it has recorded the blocks: the layer stops there and is
    run again later. A BaseException, so that no ``except Exception`` between the layer and :func:`plan` takes it."""


def default_workers() -> int:
    """Worker processes of a figure: the machine's CPUs, at most :data:`MAX_WORKERS`."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


@contextlib.contextmanager
def figure_pool(workers: int | None = None) -> Iterator[None]:
    """Inside the block, :func:`map_blocks` runs on ``workers`` processes (default :func:`default_workers`),
    started on the first call that needs them."""
    global _workers, _pool, _active, _futures
    previous = _workers, _pool, _active, _futures
    _workers, _pool, _active, _futures = default_workers() if workers is None else max(1, int(workers)), None, True, {}
    try:
        yield
    finally:
        if _pool is not None:  # blocks not started are cancelled (an error left them unwanted), running ones finish
            _pool.shutdown(wait=True, cancel_futures=True)
        _workers, _pool, _active, _futures = previous


def active() -> bool:
    """True inside :func:`figure_pool` (in the calling process, not in its workers)."""
    return _active


def pool_workers() -> int:
    """Workers of the active figure pool (1 outside :func:`figure_pool` and inside a worker)."""
    return _workers


def _init_worker(bypassed: bool) -> None:
    """In each worker: the caller's cache bypass, and no pool of its own (nested pools would oversubscribe)."""
    global _workers, _pool, _active, _futures
    from .. import cache

    cache.inherit_bypass(bypassed)
    _workers, _pool, _active, _futures = 1, None, False, {}


def _processes() -> ProcessPoolExecutor:
    """The worker processes of the active figure pool, started now if needed."""
    global _pool
    if _pool is None:
        from .. import cache

        _pool = ProcessPoolExecutor(max_workers=_workers, initializer=_init_worker, initargs=(cache.bypassed(),))
    return _pool


class _FigureExecutor(Executor):
    """The figure pool as an :class:`~concurrent.futures.Executor` for code that takes one (the relic curve):
    its ``map`` of one iterable is :func:`map_blocks` (so blocks submitted by :func:`plan` are used); the processes
    belong to :func:`figure_pool`, which shuts them down."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        return _processes().submit(fn, *args, **kwargs)

    def map(self, fn: Callable[..., T], *iterables: Iterable[Any], timeout: float | None = None,
            chunksize: int = 1) -> Iterator[T]:
        if len(iterables) != 1 or timeout is not None:
            return super().map(fn, *iterables, timeout=timeout, chunksize=chunksize)
        return iter(map_blocks(fn, list(iterables[0])))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing: :func:`figure_pool` ends the processes."""


def executor() -> Executor | None:
    """The active figure pool (its processes started when first needed), or None when work runs in this process."""
    return None if _workers <= 1 else _FigureExecutor()


def mass_blocks(masses: np.ndarray) -> list[np.ndarray]:
    """Contiguous blocks of ``masses`` for the active pool (one block when work runs in this process)."""
    n = min(BLOCKS_PER_WORKER * _workers, masses.size) if _workers > 1 else 1
    return [b for b in np.array_split(masses, max(n, 1)) if b.size]


def _key(fn: Callable[[Any], Any], arg: Any) -> bytes:
    """A block's identity: ``fn`` (pickled by name) and its argument, as pickled for the worker."""
    return pickle.dumps((fn, arg))


def map_blocks(fn: Callable[[Any], T], args: Sequence[Any]) -> list[T]:
    """``[fn(a) for a in args]``, on the figure pool when one is active (``fn`` and ``args`` picklable); blocks that
    :func:`plan` submitted are not submitted again. An error in a block is raised here, as the same exception."""
    if _workers <= 1:
        return [fn(a) for a in args]
    keys = [_key(fn, a) for a in args]
    if _planned is not None:  # the planning pass: record the blocks, stop the layer
        for k, a in zip(keys, args, strict=True):
            if k not in _futures:
                _planned.setdefault(k, (fn, a))
        raise _Planned
    if len(args) == 1 and keys[0] not in _futures:
        return [fn(args[0])]
    futures = [_futures[k] if k in _futures else _processes().submit(fn, a) for k, a in zip(keys, args, strict=True)]
    return [f.result() for f in futures]


def plan(jobs: Sequence[Callable[[], T]]) -> dict[int, T]:
    """Call each job once in planning mode and submit the blocks they ask :func:`map_blocks` for, all together
    (a single block too: it would otherwise run in this process while the workers wait).

    Returns the results of the jobs that asked for no block, by index; the others are to be called again (their
    :func:`map_blocks` then takes the submitted blocks' results). Outside a figure pool of several workers
    nothing is planned and nothing is returned. An error of a job other than asking for blocks propagates."""
    global _planned
    if _workers <= 1:
        return {}
    done: dict[int, T] = {}
    _planned = {}
    try:
        for i, job in enumerate(jobs):
            with contextlib.suppress(_Planned):
                done[i] = job()
        planned = _planned
    finally:
        _planned = None
    for k, (fn, a) in planned.items():
        _futures[k] = _processes().submit(fn, a)
    return done
