"""Bounded, cancellable computations: one worker process runs the explorer's layers and exports.

The HTTP server never computes a layer itself: it hands the task to a worker process (``spawn``ed, so it
inherits no server threads) and waits at most ``max_seconds``. A task that runs longer, or that the page
cancels, ends by killing the worker (a new one starts for the next task), so no request can keep the server
or a core busy past its limit. Tasks run one at a time (the machine's cores are the layers' own: the relic
solver spreads over them); a task waits for the one before at most ``max_seconds`` too. Results of the layer
computations are cached on disk by ``muonreach.cache`` as for ``muonreach figure``, and in the worker's memory.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import signal
import threading
import time
from typing import Any

from .. import errors
from ..errors import InvalidParameter, MuonReachError

POLL_SECONDS = 0.02


class Cancelled(Exception):
    """The page cancelled the task (not an input error: the page shows 'cancelled')."""


def _execute(task: str, payload: dict) -> Any:
    """Run one task in the worker (imports stay here: the server process stays light)."""
    from .tasks import TASKS

    return TASKS[task](payload)


def _worker_main(conn) -> None:  # pragma: no cover - runs in the worker process
    from .tasks import warm_up

    if hasattr(os, "setpgrp"):
        os.setpgrp()  # its own process group: a kill also ends the processes it started (the relic solver's pool)
    warm_up()
    conn.send(("ready", None, None))
    while True:
        try:
            task, payload = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", _execute(task, payload), None))
        except MuonReachError as exc:
            conn.send(("error", type(exc).__name__, " ".join(str(exc).split())))
        except Exception as exc:  # a bug: reported as one line, the worker keeps serving
            conn.send(("bug", type(exc).__name__, " ".join(str(exc).split())))


class Worker:
    """The worker process and the rules of its use (module docstring)."""

    def __init__(self, max_seconds: float = 60.0) -> None:
        if not max_seconds > 0.0:
            raise InvalidParameter(f"max_seconds must be positive, got {max_seconds!r}")
        self.max_seconds = float(max_seconds)
        self._lock = threading.Lock()
        self._state = threading.Lock()
        self._proc: Any = None  # multiprocessing's process and connection (their classes are private)
        self._conn: Any = None
        self._cancelled: set[str] = set()
        self._running: str | None = None
        self._ready = False
        self._atexit = False

    # --- process ---------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker now (it imports muonreach and warms up; the first layer is then faster)."""
        with self._state:
            if self._proc is not None and self._proc.is_alive():
                return
            ctx = mp.get_context("spawn")
            parent, child = ctx.Pipe()
            self._proc = ctx.Process(target=_worker_main, args=(child,), daemon=False, name="muonreach-serve-worker")
            self._proc.start()
            child.close()
            self._conn, self._ready = parent, False
            if not self._atexit:
                atexit.register(self.stop)  # the worker is not a daemon (the relic solver starts processes)
                self._atexit = True

    def _kill(self) -> None:
        with self._state:
            if self._proc is not None:
                if hasattr(os, "killpg") and self._proc.pid is not None:
                    try:
                        os.killpg(self._proc.pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):  # not yet in its own group, or gone
                        self._proc.kill()
                else:
                    self._proc.kill()
                self._proc.join(timeout=5)
            if self._conn is not None:
                self._conn.close()
            self._proc = self._conn = None

    def stop(self) -> None:
        """End the worker (server shutdown)."""
        self._kill()

    # --- tasks -----------------------------------------------------------------------------------------
    def cancel(self, job: str) -> bool:
        """Cancel job ``job`` (running or waiting); True if it was running or waiting."""
        with self._state:
            if len(self._cancelled) > 1000:  # ids of jobs that never came: forget them
                self._cancelled.clear()
            self._cancelled.add(job)
            return self._running == job

    def run(self, task: str, payload: dict, job: str | None = None, what: str = "the task") -> Any:
        """The result of ``task``; the worker's error re-raised as the same muonreach error class (one line),
        InvalidParameter past ``max_seconds``, :class:`Cancelled` if ``cancel(job)`` was called."""
        deadline = time.monotonic() + self.max_seconds
        while not self._lock.acquire(timeout=POLL_SECONDS):
            self._check(job, deadline, what, waiting=True)
        try:
            with self._state:
                self._running = job
            self._check(job, deadline, what)
            self.start()
            conn = self._conn
            while not self._ready:  # the worker says 'ready' once it has imported muonreach
                if conn.poll(POLL_SECONDS):
                    conn.recv()
                    self._ready = True
                else:
                    self._check(job, deadline, what, kill=True)
            conn.send((task, payload))
            while not conn.poll(POLL_SECONDS):
                self._check(job, deadline, what, kill=True)
            status, kind, value = conn.recv()
        except (EOFError, OSError):
            self._kill()
            raise InvalidParameter(f"{what}: the worker process ended unexpectedly (out of memory?)") from None
        finally:
            with self._state:
                self._running = None
                if job is not None:
                    self._cancelled.discard(job)
            self._lock.release()
        if status == "ok":
            return kind
        if status == "error":
            cls = getattr(errors, str(kind), MuonReachError)
            raise cls(value)
        raise RuntimeError(f"{what}: {kind}: {value}")

    def _check(self, job: str | None, deadline: float, what: str, waiting: bool = False, kill: bool = False) -> None:
        if job is not None and job in self._cancelled:
            if kill:
                self._kill()
            if waiting:
                with self._state:
                    self._cancelled.discard(job)
            raise Cancelled(what)
        if time.monotonic() > deadline:
            if kill:
                self._kill()
            state = "waited for the task before it" if waiting else "ran"
            raise InvalidParameter(f"{what}: {state} longer than the explorer's limit of {self.max_seconds:g} s "
                                   "(muonreach serve --max-seconds); ask for fewer points or draw it with `muonreach figure`")


__all__ = ["Cancelled", "Worker"]
