"""The explorer's speed through its HTTP API (issue 19 targets), each next to the workflow it replaces, measured in
the same run: first paint of the main plane (000-fig5 panel 1) with caches warm (target <= 2 s) vs drawing the same
view to a PNG with ``muonreach.plot.make_figure``; a hover answer (target <= 100 ms; Omega h^2 follows in a second request) vs the
same numbers from the ``muonreach gm2 / widths / events`` commands; a new reach layer of 100 masses (target <= 1 s) vs ``muonreach reach``.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as r:
        return r.read()


def _post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read())


def _first_paint(base: str) -> tuple[float, list[tuple[str, float]]]:
    """Every request the page makes before the plane is complete (layers one after the other, as the page does)."""
    t0 = time.perf_counter()
    _get(base)
    _get(base + "vendor/plotly.min.js")
    _get(base + "api/catalog")
    view = json.loads(_get(base + "api/start"))["view"]
    described = _post(base + "api/check", {"view": view})
    times = []
    for layer in described["layers"]:
        t = time.perf_counter()
        _post(base + "api/layer", {"view": view, "index": layer["index"]})
        times.append((layer["name"], time.perf_counter() - t))
    return time.perf_counter() - t0, times


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "muonreach", *args], check=True, capture_output=True)


def bench_serve() -> None:
    from muonreach.plot import make_figure
    from muonreach.serve.server import Server
    from muonreach.serve.view import parse_view, shipped_view

    server = Server(port=0).start()
    base = server.url
    try:
        _first_paint(base)  # warm: disk caches, the worker's memory, the interpreter
        paint, layers = _first_paint(base)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            make_figure(parse_view(shipped_view()), Path(tmp) / "view.png")
            t_png = time.perf_counter() - t0
        slowest = max(layers, key=lambda kv: kv[1])
        print(f"explorer first paint of 000-fig5 panel 1 ({len(layers)} layers, caches warm): {paint:.2f} s (target 2 s) | "
              f"baseline make_figure to PNG {t_png:.2f} s | slowest layer {slowest[0]!r} {slowest[1]:.2f} s")

        view = json.loads(_get(base + "api/start"))["view"]
        rng = random.Random(19)
        points = [(10 ** rng.uniform(-2, 2), 10 ** rng.uniform(-6, 0)) for _ in range(100)]
        _post(base + "api/point", {"view": view, "x": 0.1, "y": 1e-3})
        times = []
        for x, y in points:
            t = time.perf_counter()
            _post(base + "api/point", {"view": view, "x": x, "y": y})
            times.append(time.perf_counter() - t)
        times.sort()
        relic = []
        for x, y in points[:30]:
            t = time.perf_counter()
            _post(base + "api/relic", {"view": view, "x": x, "y": y})
            relic.append(time.perf_counter() - t)
        t0 = time.perf_counter()
        sets = ["--set", "g_chi=1", "--set", "m_chi_ratio=0.3333333333333333"]
        _cli("gm2", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", "--dataset", "pdg2016", *sets)
        _cli("widths", "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", *sets)
        for exp in ("m3-phase1", "m3-phase2", "na64mu-2018"):
            _cli("events", exp, "scalar-muon", "--mass", "0.1", "--coupling", "1e-3", *sets)
        t_cli = time.perf_counter() - t0
        print(f"explorer hover answer over {len(times)} random points: median {1e3 * statistics.median(times):.0f} ms, "
              f"95 % {1e3 * times[94]:.0f} ms, max {1e3 * times[-1]:.0f} ms (target 100 ms) | "
              f"baseline 5 muonreach commands for fewer numbers {t_cli:.1f} s; Omega h^2 after it: median "
              f"{1e3 * statistics.median(relic):.0f} ms")

        exposure = 1e12 * (1.0 + rng.random())  # an exposure no cache has seen: the layer is computed
        view["panels"][0]["layers"].append({"type": "reach", "options": {"experiment": "na64mu-2018", "points": 100,
                                                                           "set": {"muons_on_target": exposure}}})
        t0 = time.perf_counter()
        got = _post(base + "api/layer", {"view": view, "index": len(view["panels"][0]["layers"]) - 1})
        t_layer = time.perf_counter() - t0
        t0 = time.perf_counter()
        _cli("reach", "na64mu-2018", "scalar-muon", "--mass-min", "0.01", "--mass-max", "100", "--points", "100",
             "--set", f"muons_on_target={exposure!r}", *sets)
        t_reach = time.perf_counter() - t0
        print(f"explorer new reach layer, 100 masses: {t_layer:.2f} s over HTTP ({got['seconds']:.2f} s computing; target 1 s) | "
              f"baseline muonreach reach {t_reach:.2f} s")
    finally:
        server.stop()


if __name__ == "__main__":
    bench_serve()
