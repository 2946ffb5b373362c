"""The explorer's HTTP API and page (FastAPI). Every input error is answered as ``{"error": one line}``
(HTTP 400) with the message the CLI would print; nothing else of the machine is reachable (no file names are
taken from requests: exports are computed into memory and sent back).

Routes: ``GET /`` the page; ``GET /api/catalog`` models, datasets, experiments, limit curves, bounds;
``GET /api/start`` a shipped spec's panel as a view; ``POST /api/check`` validate a view; ``POST /api/layer``
one layer as Plotly traces (worker, bounded, ``job`` id for ``POST /api/cancel``); ``POST /api/point`` the hover
numbers (``relic: true`` with Omega h^2), ``POST /api/relic`` Omega h^2 alone; ``POST /api/export/{spec,figure,data}``
the view as a spec TOML, PNG/PDF/SVG, CSV/JSON.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..errors import InvalidParameter, MuonReachError, UnknownName
from ..outputs import json_safe
from . import catalog
from .jobs import Cancelled, Worker
from .view import START_PANEL, START_SPEC, VIEW_NAME, parse_view, shipped_view

STATIC = Path(__file__).with_name("static")
#: Largest request body (a view is a few kB).
MAX_BODY_BYTES = 256 * 1024
_MEDIA = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml", "csv": "text/csv",
          "json": "application/json"}


def plotly_js() -> Path:
    """plotly.min.js of the installed ``plotly`` wheel (the page's only third-party code; no CDN)."""
    found = importlib.util.find_spec("plotly")
    if found is None or not found.submodule_search_locations:
        raise InvalidParameter("the plotly package is not installed (pip install plotly)")
    path = Path(next(iter(found.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise InvalidParameter(f"plotly.min.js is missing from the plotly package ({path})")
    return path


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


async def _body(request: Request) -> dict:
    """The JSON object of a POST. Content-Type must be application/json: another site's page cannot send that to
    this server without the browser's CORS preflight, which this server does not answer (no CORS headers)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise InvalidParameter("POST requests need Content-Type: application/json")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidParameter(f"request too large ({len(raw)} bytes; at most {MAX_BODY_BYTES})")
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameter("the request body is not JSON") from None
    if not isinstance(body, dict):
        raise InvalidParameter("the request body must be a JSON object")
    return body


def _job(body: dict) -> str | None:
    """The page's id of a cancellable request (a short string), or None."""
    job = body.get("job")
    return job if isinstance(job, str) and 0 < len(job) <= 64 else None


def _json(payload: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(json_safe(payload), status_code=status)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def create_app(worker: Worker | None = None, start: tuple[str, int] = (START_SPEC, START_PANEL),
               allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS) -> FastAPI:
    """The explorer application; ``worker`` runs the computations (a new :class:`Worker` by default).

    ``allowed_hosts``: the Host headers answered (the loopback names by default, against DNS rebinding: a page of
    another site whose name resolves to 127.0.0.1 gets HTTP 400)."""
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    worker = worker or Worker()
    start_view = shipped_view(*start)  # fails here, before serving, for a bad --spec / --panel
    app = FastAPI(title="muonreach explorer", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.state.worker = worker
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    js = plotly_js()

    @app.exception_handler(MuonReachError)
    async def _input_error(request: Request, exc: MuonReachError) -> JSONResponse:
        return _json({"error": _one_line(exc), "kind": type(exc).__name__}, 400)

    @app.exception_handler(Cancelled)
    async def _cancelled(request: Request, exc: Cancelled) -> JSONResponse:
        return _json({"cancelled": True, "error": f"{_one_line(exc)}: cancelled"}, 409)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        message = _one_line(f"{type(exc).__name__}: {exc}")
        print(f"muonreach serve: internal error on {request.url.path}: {message}", file=sys.stderr)
        return _json({"error": f"internal error ({message}); please report it"}, 500)

    @app.get("/")
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/vendor/plotly.min.js")
    async def plotly() -> FileResponse:
        return FileResponse(js, media_type="text/javascript")

    @app.get("/api/catalog")
    async def get_catalog() -> JSONResponse:
        return _json(await run_in_threadpool(catalog.catalog))

    @app.get("/api/start")
    async def get_start(spec: str | None = None, panel: int = 1) -> JSONResponse:
        from ..plot.spec import list_specs

        if spec is not None and spec not in list_specs():  # a shipped name, never a path of the machine
            raise UnknownName(f"unknown figure spec {spec!r}; shipped: {', '.join(list_specs())}")
        view = start_view if spec is None else await run_in_threadpool(shipped_view, spec, panel)
        return _json({"view": view, "version": __version__})

    @app.post("/api/check")
    async def check(request: Request) -> JSONResponse:
        body = await _body(request)
        return _json(await run_in_threadpool(catalog.describe_view, parse_view(body.get("view"))))

    @app.post("/api/layer")
    async def layer(request: Request) -> JSONResponse:
        body = await _body(request)
        spec = parse_view(body.get("view"))  # fast errors without the worker
        index = body.get("index")
        where = spec.panels[0].layers[index].where if isinstance(index, int) and 0 <= index < len(spec.panels[0].layers) else VIEW_NAME
        result = await run_in_threadpool(worker.run, "layer", {"view": body.get("view"), "index": index}, _job(body), where)
        return _json(result)

    @app.post("/api/cancel")
    async def cancel(request: Request) -> JSONResponse:
        body = await _body(request)
        job = body.get("job")
        if not isinstance(job, str) or not job or len(job) > 64:
            raise InvalidParameter("cancel needs the job id the page gave its request")
        return _json({"job": job, "was_running": worker.cancel(job)})

    @app.post("/api/point")
    async def point(request: Request) -> JSONResponse:
        from .probe import probe

        body = await _body(request)
        spec = parse_view(body.get("view"))
        return _json(await run_in_threadpool(probe, spec, body.get("x"), body.get("y"), body.get("relic") is True))  # type: ignore[arg-type]

    @app.post("/api/relic")
    async def relic(request: Request) -> JSONResponse:
        from .probe import probe_relic

        body = await _body(request)
        spec = parse_view(body.get("view"))
        return _json(await run_in_threadpool(probe_relic, spec, body.get("x"), body.get("y")))  # type: ignore[arg-type]

    @app.post("/api/export/spec")
    async def export_spec(request: Request) -> Response:
        from .tomlout import dumps

        body = await _body(request)
        view: dict = body.get("view")  # type: ignore[assignment]  # a dict once parse_view accepts it
        parse_view(view)
        text = dumps(view, comment=f"Exported by the muonreach {__version__} explorer (muonreach serve); "
                                   "draw it with: muonreach figure explorer.toml --out explorer.png")
        return Response(text, media_type="application/toml",
                        headers={"Content-Disposition": 'attachment; filename="explorer.toml"'})

    @app.post("/api/export/{kind}")
    async def export(kind: str, request: Request) -> Response:
        body = await _body(request)
        fmt = body.get("format")
        if kind not in ("figure", "data"):
            raise InvalidParameter(f"unknown export {kind!r}; known: spec, figure, data")
        parse_view(body.get("view"))
        content = await run_in_threadpool(worker.run, kind, {"view": body.get("view"), "format": fmt}, _job(body),
                                          f"{VIEW_NAME}: export {fmt}")
        return Response(content, media_type=_MEDIA.get(str(fmt), "application/octet-stream"),
                        headers={"Content-Disposition": f'attachment; filename="explorer.{fmt}"'})

    return app


__all__ = ["LOOPBACK_HOSTS", "MAX_BODY_BYTES", "create_app", "plotly_js"]
