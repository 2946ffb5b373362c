"""The tasks the explorer's worker process runs (``jobs.Worker``): one layer, a figure file, the layers' data.

Each takes the page's view (a one-panel figure spec dict), validates it with ``view.parse_view`` and computes
with ``muonreach.plot`` exactly as ``muonreach figure`` does for the exported spec.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from ..errors import InvalidParameter
from ..outputs import json_safe
from .traces import layer_rows, layer_traces
from .view import parse_view

FIGURE_FORMATS = ("png", "pdf", "svg")
DATA_FORMATS = ("csv", "json")
ROW_COLUMNS = ("layer", "type", "label", "shape", "kind", "x", "y", "y_high")


def _index(spec, raw: Any) -> int:
    n = len(spec.panels[0].layers)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < n:
        raise InvalidParameter(f"layer index must be an integer from 0 to {n - 1}, got {raw!r}")
    return raw


def layer(payload: dict) -> dict:
    """One layer of the view as Plotly traces, with its notes and the seconds it took."""
    from ..plot.layers import compute

    spec = parse_view(payload.get("view"))
    i = _index(spec, payload.get("index"))
    panel = spec.panels[0]
    start = time.perf_counter()
    data = compute(panel.layers[i], panel)
    return {"index": i, "traces": layer_traces(panel.layers[i], data, i, panel), "notes": list(data.notes),
            "seconds": time.perf_counter() - start}


def figure(payload: dict) -> bytes:
    """The view drawn by ``muonreach.plot.make_figure`` (the renderer of ``muonreach figure``) as PNG/PDF/SVG."""
    from ..plot import make_figure

    fmt = payload.get("format")
    if fmt not in FIGURE_FORMATS:
        raise InvalidParameter(f"figure format must be one of {', '.join(FIGURE_FORMATS)}; got {fmt!r}")
    spec = parse_view(payload.get("view"))
    with tempfile.TemporaryDirectory(prefix="muonreach-serve-") as tmp:
        path, _ = make_figure(spec, Path(tmp) / f"explorer.{fmt}")
        return path.read_bytes()


def data(payload: dict) -> str:
    """Every layer's shapes as CSV rows or JSON (with the layers' options and notes)."""
    from ..plot.layers import compute

    fmt = payload.get("format")
    if fmt not in DATA_FORMATS:
        raise InvalidParameter(f"data format must be one of {', '.join(DATA_FORMATS)}; got {fmt!r}")
    spec = parse_view(payload.get("view"))
    panel = spec.panels[0]
    layers: list[dict[str, Any]] = []
    for i, lspec in enumerate(panel.layers):
        d = compute(lspec, panel)
        layers.append({"index": i, "type": lspec.type, "options": lspec.options, "notes": list(d.notes),
                       "rows": layer_rows(lspec, d, i)})
    if fmt == "json":
        return json.dumps(json_safe({"spec": payload.get("view"), "layers": layers}), indent=1, allow_nan=False)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for entry in layers:
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in entry["rows"])
    return buffer.getvalue()


def warm_up() -> None:
    """Import what every layer uses, once, when the worker starts."""
    from ..plot import layers  # noqa: F401


TASKS = {"layer": layer, "figure": figure, "data": data}

__all__ = ["DATA_FORMATS", "FIGURE_FORMATS", "TASKS", "data", "figure", "layer", "warm_up"]
