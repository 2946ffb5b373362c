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
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, TypeVar

import numpy as np

__all__ = ["BLOCKS_PER_WORKER", "active", "default_workers", "executor", "figure_pool", "map_blocks", "mass_blocks", "pool_workers"]

#: Most worker processes a figure uses (and never more than the machine's CPUs).
MAX_WORKERS: int = 4
#: Blocks of neighbouring masses per worker: the cost per mass varies along a curve (thresholds, resonances),
#: several blocks per worker keep the processes evenly loaded.
BLOCKS_PER_WORKER: int = 4

T = TypeVar("T")

_workers: int = 1
_pool: ProcessPoolExecutor | None = None
_active: bool = False


def default_workers() -> int:
    """Worker processes of a figure: the machine's CPUs, at most :data:`MAX_WORKERS`."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


@contextlib.contextmanager
def figure_pool(workers: int | None = None) -> Iterator[None]:
    """Inside the block, :func:`map_blocks` runs on ``workers`` processes (default :func:`default_workers`),
    started on the first call that needs them."""
    global _workers, _pool, _active
    previous = _workers, _pool, _active
    _workers, _pool, _active = default_workers() if workers is None else max(1, int(workers)), None, True
    try:
        yield
    finally:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
        _workers, _pool, _active = previous


def active() -> bool:
    """True inside :func:`figure_pool` (in the calling process, not in its workers)."""
    return _active


def pool_workers() -> int:
    """Workers of the active figure pool (1 outside :func:`figure_pool` and inside a worker)."""
    return _workers


def _init_worker(bypassed: bool) -> None:
    """In each worker: the caller's cache bypass, and no pool of its own (nested pools would oversubscribe)."""
    global _workers, _pool, _active
    from .. import cache

    cache.inherit_bypass(bypassed)
    _workers, _pool, _active = 1, None, False


def executor() -> Executor | None:
    """The active figure pool (started now if needed), or None when work runs in this process."""
    global _pool
    if _workers <= 1:
        return None
    if _pool is None:
        from .. import cache

        _pool = ProcessPoolExecutor(max_workers=_workers, initializer=_init_worker, initargs=(cache.bypassed(),))
    return _pool


def mass_blocks(masses: np.ndarray) -> list[np.ndarray]:
    """Contiguous blocks of ``masses`` for the active pool (one block when work runs in this process)."""
    n = min(BLOCKS_PER_WORKER * _workers, masses.size) if _workers > 1 else 1
    return [b for b in np.array_split(masses, max(n, 1)) if b.size]


def map_blocks(fn: Callable[[Any], T], args: Sequence[Any]) -> list[T]:
    """``[fn(a) for a in args]``, on the figure pool when one is active (``fn`` and ``args`` picklable)."""
    pool = executor() if len(args) > 1 else None
    if pool is None:
        return [fn(a) for a in args]
    return list(pool.map(fn, args))
