"""Run the explorer with uvicorn: in the foreground (``muonreach serve``) or in a thread (tests, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

from ..errors import InvalidParameter
from .jobs import Worker


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before uvicorn starts (a busy port is a one-line error; port 0 picks one)."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise InvalidParameter(f"--host {host!r}: {exc.strerror}") from None
    sock = socket.socket(info[0], socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(info[4])
    except OSError as exc:
        sock.close()
        raise InvalidParameter(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(64)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


class Server:
    """The explorer on a socket, in a background thread: ``url``, ``stop()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, spec: str = "000-fig5", panel: int = 1,
                 max_seconds: float = 60.0) -> None:
        import uvicorn

        from .app import LOOPBACK_HOSTS, create_app

        self.worker = Worker(max_seconds)
        # Host headers answered: the loopback names, or also the address given with --host (every name for 0.0.0.0 / ::)
        hosts = ("*",) if host in ("0.0.0.0", "::") else tuple(dict.fromkeys((*LOOPBACK_HOSTS, host, f"[{host}]")))
        app = create_app(self.worker, (spec, panel), hosts)
        self._sock = _bind(host, port)
        self.url = _url(self._sock)
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self.worker.start()
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def start(self, timeout: float = 30.0) -> Server:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise InvalidParameter(f"the explorer did not start within {timeout:g} s")
            time.sleep(0.02)
        return self

    def run(self) -> None:
        """Serve in the calling thread until Ctrl-C (uvicorn handles the signal), then end the worker."""
        try:
            self._server.run(sockets=[self._sock])
        finally:
            self.worker.stop()
            self._sock.close()

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.worker.stop()
        self._sock.close()


def serve(host: str, port: int, spec: str, panel: int, max_seconds: float, announce: Callable[[str], None]) -> None:
    """Serve in the foreground until Ctrl-C."""
    server = Server(host, port, spec, panel, max_seconds)
    announce(server.url)
    server.run()


__all__ = ["Server", "serve"]
