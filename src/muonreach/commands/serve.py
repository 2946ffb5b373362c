"""``muonreach serve [--host 127.0.0.1] [--port 8765]``: the interactive explorer in the browser (docs/serve.md)."""

from __future__ import annotations

import click

from ..errors import InvalidParameter
from ..outputs import check_output_path
from .common import emit, json_option

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="address to listen on (the default is this machine only; anything else exposes the explorer)")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="TCP port (0: any free port)")
@click.option("--spec", default="000-fig5", show_default=True, help="shipped figure spec the page opens on")
@click.option("--panel", type=click.IntRange(1, 100), default=1, show_default=True, help="panel of --spec")
@click.option("--max-seconds", type=click.FloatRange(0.0, 3600.0, min_open=True), default=60.0, show_default=True,
              help="longest a layer or an export may compute before it is stopped")
@click.option("--screenshot", type=click.Path(dir_okay=False), default=None,
              help="instead of serving: open the page in headless Chromium, write it to FILE.png once drawn, and exit")
@json_option
def command(host: str, port: int, spec: str, panel: int, max_seconds: float, screenshot: str | None, as_json: bool) -> None:
    """Explore the (mass, coupling) plane in the browser: layers computed here, numbers under the cursor,
    exports as a figure spec, PNG/PDF/SVG and CSV/JSON. Stop with Ctrl-C."""
    from ..serve.server import Server, serve

    if not host.strip():
        raise InvalidParameter("--host must not be empty")
    if screenshot is not None:
        from ..serve.screenshot import screenshot as take

        target = check_output_path(screenshot, (".png",), "--screenshot")
        server = Server(host, port, spec, panel, max_seconds).start()
        try:
            path = take(server.url, target)
        finally:
            server.stop()
        emit({"file": str(path), "spec": spec, "panel": panel}, as_json, f"wrote {path} (the explorer on {spec} panel {panel})")
        return

    def announce(url: str) -> None:
        emit({"url": url, "spec": spec, "panel": panel, "max_seconds": max_seconds}, as_json,
             f"muonreach explorer on {url} (Ctrl-C stops it)")

    serve(host, port, spec, panel, max_seconds, announce=announce)
