"""Computed layers (:class:`~muonreach.plot.shapes.LayerData`) as Plotly traces, and as rows for export.

The shapes are the ones ``muonreach figure`` draws (already clipped to the axes); only the styling is
translated: matplotlib colours to CSS, line styles to Plotly dashes, hatches to fill patterns, and mathtext
labels to plain text. Each layer is one legend group, so a click on its legend entry hides all its shapes.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..plot.shapes import Band, LayerData, Line
from ..plot.spec import LayerSpec, PanelSpec

_DASH = {"solid": "solid", "dashed": "dash", "dotted": "dot", "dashdot": "dashdot"}
_PATTERN = {"/": "/", "\\": "\\", "x": "x", "-": "-", "|": "|", "+": "+", ".": "."}
_SYMBOLS = {r"\sigma": "σ", r"\mu": "μ", r"\chi": "χ", r"\Omega": "Ω", r"\gamma": "γ", r"\tau": "τ", r"\to": "→",
            r"\alpha": "α", r"\epsilon": "ε", r"\varepsilon": "ε", r"\Delta": "Δ", r"\nu": "ν", r"\ell": "ℓ",
            r"\phi": "φ", r"\pi": "π", r"\delta": "δ", r"\lambda": "λ", r"\,": " ", r"\ ": " "}


def plain_label(text: str) -> str:
    """A matplotlib mathtext label as plain text (``$a_\\mu$ 5$\\sigma$`` -> ``a_μ 5σ``)."""
    out = text.replace("$", "")
    for command, symbol in sorted(_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
        out = re.sub(re.escape(command) + r"(?![A-Za-z])", symbol, out)
    out = re.sub(r"\\mathrm|\\rm|\\bar|\\text", "", out)
    return " ".join(out.replace("{", "").replace("}", "").split())


def css_color(color: str, alpha: float = 1.0) -> str:
    """A matplotlib colour (``tab:green``, ``0.6``, ``purple``) as CSS ``rgba(...)``."""
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(color, alpha)
    return f"rgba({round(255 * r)}, {round(255 * g)}, {round(255 * b)}, {a:.3g})"


def layer_name(layer: LayerSpec) -> str:
    """The legend entry of a layer: its label, or its type and main option."""
    if layer.style.label:
        return plain_label(layer.style.label)
    o = layer.options
    main = o.get("experiment") or o.get("name") or o.get("dataset") or ""
    return f"{layer.type} {main}".strip()


def _floats(a: np.ndarray) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=float)]


def _outline_pieces(x: list[float], y: list[float], panel: PanelSpec | None) -> list[tuple[list[float], list[float]]]:
    """A region's outline without its stretches along the axes' edges (render.py's rule: a reach contour open up
    to 4 pi has no line drawn over the frame)."""
    if panel is None:
        return [(x, y)]
    from ..plot.render import _outline

    return [(_floats(px), _floats(py)) for px, py in _outline(np.array(x), np.array(y), panel)]


def layer_traces(layer: LayerSpec, data: LayerData, index: int, panel: PanelSpec | None = None) -> list[dict[str, Any]]:
    """Plotly scatter traces of one layer (index: its position in the view, for colours and legend groups).

    With ``panel``, the outlines of unfilled regions leave out the stretches along the axes, as ``muonreach figure``
    draws them; the filled areas are the computed shapes exactly."""
    style = layer.style
    color = style.color or f"C{index % 10}"
    line = {"color": css_color(style.edgecolor or color), "width": style.linewidth, "dash": _DASH[style.linestyle]}
    group, name = f"layer-{index}", layer_name(layer)
    traces: list[dict[str, Any]] = []

    def new() -> dict[str, Any]:
        return {"type": "scatter", "mode": "lines", "legendgroup": group, "name": name, "showlegend": not traces,
                "hoverinfo": "skip", "line": dict(line)}

    for shape in data.shapes:
        trace = new()
        if isinstance(shape, Line):
            x, y = _floats(shape.x), _floats(shape.y)
            if shape.closed:
                x, y = x + x[:1], y + y[:1]
        else:
            if isinstance(shape, Band):
                x = _floats(np.concatenate([shape.x, shape.x[::-1], shape.x[:1]]))
                y = _floats(np.concatenate([shape.y_low, shape.y_high[::-1], shape.y_low[:1]]))
            else:
                x, y = _floats(np.append(shape.x, shape.x[:1])), _floats(np.append(shape.y, shape.y[:1]))
            if not (style.fill or style.hatch):  # an outline only
                for px, py in _outline_pieces(x, y, panel):
                    piece = new()
                    piece["x"], piece["y"] = px, py
                    traces.append(piece)
                continue
            if style.fill or style.hatch:
                trace["fill"] = "toself"
                trace["fillcolor"] = css_color(color, style.alpha) if style.fill else "rgba(0, 0, 0, 0)"
                if style.hatch:
                    trace["fillpattern"] = {"shape": _PATTERN.get(style.hatch[0], "/"), "fgcolor": css_color(color, style.alpha)}
                if style.fill and style.edgecolor is None:
                    trace["line"]["width"] = 0
        trace["x"], trace["y"] = x, y
        traces.append(trace)
    return traces


def layer_rows(layer: LayerSpec, data: LayerData, index: int) -> list[dict[str, Any]]:
    """The layer's shapes as rows (x, y, and y_high for bands), for CSV / JSON export."""
    rows: list[dict[str, Any]] = []
    for s, shape in enumerate(data.shapes):
        kind = type(shape).__name__.lower()
        low = shape.y_low if isinstance(shape, Band) else shape.y
        high = shape.y_high if isinstance(shape, Band) else None
        for i, x in enumerate(np.asarray(shape.x, dtype=float)):
            rows.append({"layer": index, "type": layer.type, "label": layer_name(layer), "shape": s, "kind": kind,
                         "x": float(x), "y": float(low[i]), "y_high": None if high is None else float(high[i])})
    return rows


__all__ = ["css_color", "layer_name", "layer_rows", "layer_traces", "plain_label"]
