"""Running a scan on dask.distributed: a LocalCluster by default, or an existing cluster by address.

One dask task per chunk (``client.map``), with dask's retries for a task that raises and dask's own
rescheduling for a worker that dies (``distributed.scheduler.allowed-failures``). With an output store a
task writes its chunk and its completion marker and returns a small summary; without one it returns the
arrays, which the client assembles into an in-memory Dataset. Chunks already marked done in the store are
not submitted, which is all resuming takes.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .compute import STATUS_FAILED, STATUS_NOT_COMPUTED, ChunkResult, compute_block, compute_chunk, merge_blocks
from .spec import ScanSpec, load_spec


@dataclass(frozen=True)
class ChunkSummary:
    cid: int
    points: int
    n_failed: int
    seconds: float = 0.0  # compute and write time on the worker
    compute_seconds: float = 0.0  # of which computing the values (the rest is writing them)


@dataclass
class ScanReport:
    """What happened in one call of :func:`run_scan` (pass one in to read it afterwards)."""

    total_chunks: int
    already_done: int
    computed: int = 0
    chunk_errors: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0  # wall time from submission to the last chunk (cluster start-up excluded)
    points_computed: int = 0
    task_seconds: float = 0.0  # summed time of the chunk tasks on the workers and of the pilot (store mode)
    compute_seconds: float = 0.0  # of which computing the values (store mode; the rest is Zarr writes)


def warm_up() -> None:
    """Import what a chunk needs, once per worker (so the first chunk's time is its own)."""
    import zarr  # noqa: F401

    from ..experiments import calculator  # noqa: F401
    from ..models import catalog  # noqa: F401
    from ..reach import contour  # noqa: F401


def _identity(x: Any) -> Any:
    return x


def run_chunk(cid: int, spec: ScanSpec, out: str | None, head: ChunkResult | None = None) -> ChunkResult | ChunkSummary:
    """The dask task: compute chunk ``cid`` (all of it but ``head``, the pilot's points, if given); write it
    (and its marker) to ``out``, or return it."""
    t0 = time.perf_counter()
    res = compute_chunk(spec, cid) if head is None else compute_chunk(spec, cid, head)
    if out is None:
        return res
    from .store import mark_done, write_chunk

    t1 = time.perf_counter()
    digest = write_chunk(Path(out), spec, res, marker=False)
    mark_done(Path(out), cid, digest)
    return ChunkSummary(cid, res.points, res.n_failed, time.perf_counter() - t0, t1 - t0)


def _connect(address: str, timeout: float = 10.0):
    """A Client connected to the scheduler at ``address``; an InvalidParameter naming it if that fails.

    The address is parsed and (for TCP) the port probed first, so a wrong address fails at once rather than
    after dask's connection retries."""
    import socket

    from distributed import Client
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    from ..errors import InvalidParameter

    def refuse(reason: str) -> InvalidParameter:
        return InvalidParameter(f"cannot connect to the dask scheduler {address!r}: {' '.join(reason.split())[:200]}")

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)  # ValueError for an unknown scheme
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(location)
            with socket.create_connection((host, port), timeout=timeout):
                pass
    except (OSError, ValueError, TypeError) as exc:
        raise refuse(str(exc) or type(exc).__name__) from None
    try:
        return Client(address, set_as_default=False, timeout=timeout)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise refuse(str(exc) or type(exc).__name__) from None


@contextlib.contextmanager
def _client(workers: int | None, scheduler: Any, processes: bool, n_tasks: int) -> Iterator[Any]:
    """A dask.distributed Client: the given one, one connected to ``scheduler``, or a new LocalCluster."""
    from distributed import Client

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is not None:
        with _connect(str(scheduler)) as client:
            yield client
        return
    n = workers if workers is not None else (os.cpu_count() or 1)
    n = max(1, min(n, n_tasks))
    with local_cluster(n, processes) as cluster, Client(cluster, set_as_default=False) as client:
        yield client


def local_cluster(n_workers: int, processes: bool = True):
    """A dask LocalCluster of ``n_workers`` single-threaded workers, without a dashboard (its HTTP endpoint
    on a free port, so that several clusters can run side by side), logging only errors, and without work
    stealing: the chunk tasks are queued on the scheduler and handed to workers as they free up, so there is
    nothing to steal, while its periodic balancing costs the client process (which runs the scheduler)
    ~20 ms CPU per scan (docs/speed.md, scanchunk)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.work-stealing": False}):
        return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes, dashboard_address=None,
                            scheduler_kwargs={"dashboard_address": ":0"}, silence_logs=logging.ERROR)


def _progress(enabled: bool):
    if not enabled:
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(
        TextColumn("scan"), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"),
        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
        console=Console(stderr=True), transient=False, refresh_per_second=4,
    )


def run_scan(spec_or_path: Any, workers: int | None = None, scheduler: Any = None, out: str | Path | None = None,
             *, progress: bool = False, max_chunks: int | None = None, processes: bool = True,
             report: ScanReport | None = None):
    """Run a scan and return its ``xarray.Dataset``.

    ``spec_or_path``: a :class:`ScanSpec`, a path to a TOML spec, TOML text or a parsed dict.
    ``workers``: processes of the LocalCluster started for this scan (default: none while the scan is small,
    i.e. the chunks run in this process while the work left is estimated below :data:`SERIAL_SECONDS`, then
    the number of CPUs, at most the number of chunks); ``processes=False`` runs them as threads of this
    process (handy in a notebook).
    ``scheduler``: a ``tcp://host:port`` address or a ``distributed.Client`` to use instead (the workers must
    have muonreach installed and, with ``out``, see the output directory).
    ``out``: a ``DIR.zarr`` directory; it is created, or resumed if it holds an unfinished scan of the same
    spec (only missing chunks are computed). The returned Dataset is then read lazily from it. With
    ``out=None`` the result is kept in memory.
    ``max_chunks``: compute at most this many missing chunks, then stop (the rest can be resumed).
    ``report``: a :class:`ScanReport` filled in with what this call did.

    Points whose computation raised have ``status == 1`` and a reason in ``failure``; see
    :func:`failure_summary`. Chunks whose task failed for good (e.g. a worker killed repeatedly) are listed
    in ``report.chunk_errors``; their points have ``status == 1`` with the reason, but no completion
    marker, so the next run computes them again.
    """
    from .store import build_dataset, empty_arrays, locked, open_result, prepare, stored_chunking, verified_chunks

    spec = load_spec(spec_or_path)
    out_path = None if out is None else Path(out)
    head: ChunkResult | None = None
    with contextlib.ExitStack() as stack:
        if isinstance(scheduler, (str, Path)):  # connect first: a bad address fails before anything is written
            scheduler = stack.enter_context(_connect(str(scheduler)))
        if spec.auto_chunks:
            stored = None if out_path is None else stored_chunking(out_path, spec)
            if stored is not None:  # resuming: the store's chunking
                spec = stored
            elif max_chunks is None or max_chunks > 0:
                if workers is not None and scheduler is None:  # the cluster starts now; the pilot runs on it
                    scheduler = stack.enter_context(_client(workers, None, processes, _outer_points(spec)))
                t0 = time.perf_counter()
                try:
                    spec, head = _run_pilot(spec, workers, scheduler)
                except Exception:  # then the default chunking: the chunk tasks meet the error and report it
                    spec = spec.with_chunks(spec.chunks)
                pilot_seconds = time.perf_counter() - t0
        done: set[int] = set()
        if out_path is not None:
            prepare(out_path, spec)
            stack.enter_context(locked(out_path))  # one writer at a time, until the end of the scan
            done = verified_chunks(out_path, spec)
        todo = [c for c in range(spec.n_chunks) if c not in done]
        if max_chunks is not None:
            todo = todo[: max(0, int(max_chunks))]
        rep = report if report is not None else ScanReport(spec.n_chunks, len(done))
        rep.total_chunks, rep.already_done = spec.n_chunks, len(done)
        if head is not None:  # the pilot's work is chunk 0's (its points are counted with it)
            rep.seconds += pilot_seconds
            if out_path is not None:
                rep.task_seconds += pilot_seconds
                rep.compute_seconds += pilot_seconds
        arrays = empty_arrays(spec) if out_path is None else None
        heads = {} if head is None or not todo or todo[0] != 0 else {0: head}

        if todo:
            with _progress(progress) as bar:
                task = None if bar is None else bar.add_task("scan", total=spec.n_chunks, completed=len(done), rate="")
                if workers is None and scheduler is None:  # no cluster asked for: none started for a small scan
                    todo = _run_here_while_small(spec, todo, heads, out_path, arrays, rep, bar, task)
                if todo:
                    with _client(workers, scheduler, processes, len(todo)) as client:
                        # the pilot's cluster has imported what a chunk needs: no second round trip for it
                        _run_tasks(client, bar, task, spec, todo, heads, out_path, arrays, rep,
                                   warmed=head is not None and client is scheduler)

    if out_path is not None:
        return open_result(out_path, spec)
    return build_dataset(spec, arrays if arrays is not None else empty_arrays(spec))


#: Overhead of one chunk besides computing it, in seconds: its Zarr write and marker (~5 ms) and dask's and
#: the client's share (~8-10 ms), as benchmarks/scan_bench.py measures them (docs/speed.md, scanfast).
CHUNK_OVERHEAD_SECONDS: float = 0.015
#: Chunks sized by :func:`pilot` hold at least this many times :data:`CHUNK_OVERHEAD_SECONDS` of work
#: (overhead <= 10 % of a chunk) ...
CHUNK_WORK_FACTOR: float = 10.0
#: ... but no fewer than this many chunks per worker are made (so that the workers stay busy to the end).
CHUNKS_PER_WORKER: int = 3
#: The pilot computes outer points one by one until those after the first took this much CPU time (the
#: first pays for imports and caches, so it only counts when it is the only one).
PILOT_SECONDS: float = 0.03


def _even(length: int, size: int) -> int:
    """The smallest chunk size that splits ``length`` into as many chunks as ``size`` does."""
    return -(-length // -(-length // size))


def _outer_points(spec: ScanSpec) -> int:
    """The most chunks any chunking of ``spec`` can have."""
    return math.prod(len(a) for a in spec.outer_axes)


def _run_pilot(spec: ScanSpec, workers: int | None, scheduler: Any) -> tuple[ScanSpec, ChunkResult | None]:
    """:func:`pilot` here, or with a cluster as a task on it (whose workers have imported what it needs)."""
    n = _worker_count(workers, scheduler)
    if scheduler is None:
        return pilot(spec, n)
    scheduler.run(warm_up)
    return scheduler.submit(pilot, spec, n, key=f"muonreach-pilot-{uuid.uuid4().hex[:8]}", pure=False).result()


def _worker_count(workers: int | None, scheduler: Any) -> int:
    """The workers a scan will have: ``workers``, the threads of a given cluster, or the CPUs."""
    if workers is not None:
        return max(1, workers)
    if scheduler is not None:
        return max(1, sum(scheduler.nthreads().values()))
    return os.cpu_count() or 1


def pilot(spec: ScanSpec, n_workers: int) -> tuple[ScanSpec, ChunkResult | None]:
    """Chunk an ``auto_chunks`` spec from a pilot evaluation; return it with the pilot's points.

    The pilot computes the first outer points (along the last outer axis, the others at their first value),
    timing each (CPU seconds of the calling thread), until those after the first took :data:`PILOT_SECONDS`;
    the cost per grid point is their mean. A chunk then gets ``CHUNK_WORK_FACTOR * CHUNK_OVERHEAD_SECONDS`` of
    work, but at most ``size / (CHUNKS_PER_WORKER * n_workers)`` points, and at least the pilot's points
    (which are the first corner of chunk 0: :func:`run_chunk` computes only the rest of it); the sizes are
    then evened out: the same number of chunks along each axis, each as small as that allows (4 chunks of 25
    masses rather than 33, 33, 33 and 1), and the chunk count made a multiple of ``n_workers`` where an
    evened-out size allows (:func:`_rounds_filled`). A spec whose chunking is given, or without outer axes
    (a single chunk), is returned as it is."""
    outer = spec.outer_axes
    if not spec.auto_chunks or not outer:
        return spec, None
    last, first = outer[-1], {a.name: slice(0, 1) for a in outer[:-1]}
    inner = spec.size // math.prod(len(a) for a in outer)  # points per outer point
    cap = max(inner, spec.size // (CHUNKS_PER_WORKER * max(1, n_workers)))
    parts: list[ChunkResult] = []
    times: list[float] = []
    limit = _even(len(last), min(len(last), cap // inner))  # so that the pilot fits in an evened-out chunk
    while len(parts) < limit and (len(parts) < 2 or sum(times[1:]) < PILOT_SECONDS):
        t0 = time.thread_time()
        parts.append(compute_block(spec, first | {last.name: slice(len(parts), len(parts) + 1)}))
        times.append(time.thread_time() - t0)
    per_point = (sum(times[1:]) / (len(times) - 1) if len(times) > 1 else times[0]) / inner
    target = CHUNK_WORK_FACTOR * CHUNK_OVERHEAD_SECONDS / max(per_point, 1e-12)
    sizes = spec.with_chunk_points(max(len(parts) * inner, min(int(target), cap))).chunks
    # the same number of chunks along each axis, of even sizes (not 33, 33, 33, 1), the pilot still in chunk 0
    even = [_even(len(a), c) for a, c in zip(outer, sizes)]
    even[-1] = even[-1] if even[-1] >= len(parts) else sizes[-1]
    even[-1] = _rounds_filled(len(last), even[-1], math.prod(-(-len(a) // c) for a, c in zip(outer[:-1], even)),
                              max(1, n_workers), len(parts))
    head = merge_blocks(spec, 0, first | {last.name: slice(0, len(parts))}, parts)
    return spec.with_chunks(tuple(even)), head


def _rounds_filled(length: int, size: int, others: int, n_workers: int, least: int) -> int:
    """The chunk size along the last outer axis (``length`` values, ``size`` proposed, at least ``least``)
    that makes the chunk count (``others`` chunks along the other axes times those along this one) a multiple
    of ``n_workers``, so that the last round of chunks keeps every worker busy (7 chunks on 2 workers are 4
    rounds, at most 1.75x): of the evened-out sizes, the one whose count is nearest the proposed one (the
    fewer chunks on a tie: 6 rather than 8 chunks for 7), within half to twice it; ``size`` if there is none."""
    count = -(-length // size)
    fits = {}  # chunk count -> its evened-out size ceil(length / count), for the counts such a size gives
    for c in range(-(-count // 2), min(2 * count, length) + 1):
        s = -(-length // c)
        if -(-length // s) == c and s >= least and (others * c) % n_workers == 0:
            fits[c] = s
    near = sorted((abs(c - count), c) for c in fits)
    return fits[near[0][1]] if near else size


#: Without ``workers`` or ``scheduler``, chunks run in this process while the work left, extrapolated from the
#: chunks done so far, stays below this many seconds; then a LocalCluster takes the rest. Starting one costs
#: 1.3-1.5 s here (issue 16), which two workers (1.75x on the benchmark scan) repay only beyond ~3.3 s of
#: single-process work: t (1 - 1/1.75) > 1.4 s. The 10^4-point benchmark scan (~1.5 s) thus runs without dask.
SERIAL_SECONDS: float = 3.0


def _run_here_while_small(spec: ScanSpec, todo: list[int], heads: dict[int, ChunkResult], out_path: Path | None,
                          arrays: dict[str, np.ndarray] | None, rep: ScanReport, bar, task) -> list[int]:
    """Compute chunks of ``todo`` in this process (each tried 1 + ``retries`` times, like a dask task) while the
    extrapolated remaining time is below :data:`SERIAL_SECONDS`; return the chunks left for a cluster."""
    from .store import place

    t0, base = time.perf_counter(), rep.seconds
    for k, cid in enumerate(todo):
        res: ChunkResult | ChunkSummary | None = None
        for attempt in range(spec.retries + 1):
            try:
                res = run_chunk(cid, spec, None if out_path is None else str(out_path.absolute()), heads.get(cid))
                break
            except Exception as exc:  # what dask would report as the task's error, after the same retries
                if attempt == spec.retries:
                    rep.chunk_errors[cid] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                    _record_chunk_error(spec, cid, rep.chunk_errors[cid], out_path, arrays)
        if res is not None:
            if arrays is not None and isinstance(res, ChunkResult):
                place(arrays, spec, res)
            rep.computed += 1
            rep.task_seconds += getattr(res, "seconds", 0.0)
            rep.compute_seconds += getattr(res, "compute_seconds", 0.0)
            rep.points_computed += res.points
        elapsed = time.perf_counter() - t0
        rep.seconds = base + elapsed
        if bar is not None:
            bar.update(task, advance=1, rate=f"{rep.points_computed / max(elapsed, 1e-9):,.0f} points/s")
        left = len(todo) - k - 1
        if left and elapsed / (k + 1) * left > SERIAL_SECONDS:
            return todo[k + 1:]
    return []


def _run_tasks(client, bar, task, spec: ScanSpec, todo: list[int], heads: dict[int, ChunkResult], out_path: Path | None,
               arrays: dict[str, np.ndarray] | None, rep: ScanReport, warmed: bool = False) -> None:
    """Submit one task per chunk of ``todo`` and collect them as they finish (into ``arrays`` or the store);
    ``warmed``: the workers have run :func:`warm_up` already."""
    from concurrent.futures import CancelledError

    from distributed import as_completed

    from .compute import chunk_shape
    from .store import place

    if not warmed:
        client.run(warm_up)
    t0 = time.perf_counter()
    seconds_before, points_before = rep.seconds, rep.points_computed
    token = uuid.uuid4().hex[:8]
    # the spec is in the graph once (not once per task), as a task that dask can recompute if the
    # worker holding it dies (scattered data would be lost with it)
    spec_ref = client.submit(_identity, spec, key=f"muonreach-spec-{token}", pure=False)
    out = None if out_path is None else str(out_path.absolute())
    # a chunk with a pilot head (chunk 0) is submitted with it, the others in one map
    futures = [client.submit(run_chunk, c, spec_ref, out, heads[c], key=f"muonreach-scan-{token}-{c}",
                             retries=spec.retries, pure=False) for c in todo if c in heads]
    rest = [c for c in todo if c not in heads]
    futures += client.map(run_chunk, rest, spec=spec_ref, out=out, key=[f"muonreach-scan-{token}-{c}" for c in rest],
                          retries=spec.retries, pure=False)
    todo = [c for c in todo if c in heads] + rest
    cid_of = {f.key: c for f, c in zip(futures, todo)}
    finished, points = [], 0
    try:
        # completions only (the scheduler reports them anyway); the results are fetched in one batch at the
        # end, not one round trip per chunk (a worker lost meanwhile: dask recomputes what the gather needs)
        for fut in as_completed(futures, loop=client.loop):
            cid = cid_of[fut.key]
            if fut.status == "finished":
                finished.append(fut)
                points += int(np.prod(chunk_shape(spec, spec.chunk_slices(cid), spec.dims)))
            else:  # error (after the retries) or cancelled
                exc = fut.exception() if fut.status == "error" else CancelledError(f"chunk {cid} cancelled")
                rep.chunk_errors[cid] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                _record_chunk_error(spec, cid, rep.chunk_errors[cid], out_path, arrays)
            if bar is not None:
                rate = points / max(time.perf_counter() - t0, 1e-9)
                bar.update(task, advance=1, rate=f"{rate:,.0f} points/s")
        for res in client.gather(finished):
            if arrays is not None:
                place(arrays, spec, res)
            rep.computed += 1
            rep.task_seconds += getattr(res, "seconds", 0.0)
            rep.compute_seconds += getattr(res, "compute_seconds", 0.0)
    finally:  # what did not finish (an exception, Ctrl-C): one message, not one per future
        client.cancel([f for f in futures if not f.done()])
    rep.seconds = seconds_before + time.perf_counter() - t0
    rep.points_computed = points_before + points


def _record_chunk_error(spec: ScanSpec, cid: int, reason: str, out: Path | None, arrays) -> None:
    """A chunk whose task failed for good: its points become failed with the reason (no marker: a new run
    computes it again)."""
    from .compute import chunk_shape
    from .store import place, write_chunk

    slices = spec.chunk_slices(cid)
    shape = chunk_shape(spec, slices, spec.dims)
    variables = {v: np.full(chunk_shape(spec, slices, d), np.nan) for v, d in spec.variable_dims().items()}
    res = ChunkResult(cid, slices, variables, np.full(shape, STATUS_FAILED, dtype=np.int8),
                      np.full(shape, f"chunk {cid}: {reason}", dtype=object), int(np.prod(shape)), int(np.prod(shape)))
    if out is None:
        place(arrays, spec, res)
    else:
        write_chunk(out, spec, res, marker=False)


def failure_summary(ds, limit: int = 5) -> tuple[int, int, list[str]]:
    """(number of failed points, number of points not computed, up to ``limit`` lines naming failed points)."""
    status = np.asarray(ds["status"].values)
    failed = np.argwhere(status == STATUS_FAILED)
    missing = int(np.count_nonzero(status == STATUS_NOT_COMPUTED))
    lines = []
    if len(failed):
        reasons = ds["failure"]
        for idx in failed[:limit]:
            sel = dict(zip(ds["status"].dims, (int(i) for i in idx)))
            label = {"coupling": ds.attrs.get("coupling_name", "coupling")}
            coords = ", ".join(f"{label.get(d, d)}={_fmt(ds[d].values[i])}" for d, i in sel.items())
            lines.append(f"{coords}: {reasons[sel].values.item()}")
    return len(failed), missing, lines


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return str(value)
