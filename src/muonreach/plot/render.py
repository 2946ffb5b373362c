"""Draw a figure spec with matplotlib, headless (a bare ``Figure``: no pyplot, no GUI backend).

Layout is automatic: panels on a grid (``[figure] columns``), constrained layout, one legend per panel placed
by matplotlib (``legend = "best"``) or beside / below the axes, or one legend for the whole figure below the
panels (``legend = "figure"``, entries shared by panels shown once); no label has a hard-coded position. The file
format follows the extension (png raster; pdf and svg vector) and its metadata record the muonreach
version, the spec and the paper figure it reproduces.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

from .. import __version__
from ..errors import InvalidParameter
from ..outputs import write_bytes
from .shapes import Band, LayerData, Line
from .spec import FigureSpec, PanelSpec, Style

FORMATS: tuple[str, ...] = (".png", ".pdf", ".svg")
_LINESTYLES = {"solid": "-", "dashed": "--", "dotted": ":", "dashdot": "-."}


def import_matplotlib() -> None:
    """Import the parts of matplotlib that :func:`draw` uses (``make_figure`` does it while the layers compute)."""
    import matplotlib.backends.backend_agg  # the canvas of .png
    import matplotlib.figure  # noqa: F401


def axis_labels(panel: PanelSpec) -> tuple[str, str]:
    """Default axis labels for the panel's plane and model (a spec's ``label`` overrides them)."""
    if panel.plane == "sigma-e":
        return r"$m_\chi$ [GeV]", r"$\bar\sigma_e$ [cm$^2$]"
    if panel.plane == "g-chi":
        return r"$m_S$ [GeV]", r"$g_\chi$"
    fixed = {"y": (r"$m_\chi$ [GeV]", r"$y = \epsilon^2 \alpha_D (m_\chi/m_{A'})^4$"),
             "spectrum": (r"$E_X$ [GeV]", r"$(1/\sigma)\, d\sigma/dE_X$ [GeV$^{-1}$]"),
             "energy-angle": (r"$E$ [GeV]", r"$\theta$ [rad]")}
    if panel.plane in fixed:
        return fixed[panel.plane]
    if panel.model is None:
        return "$m$ [GeV]", "coupling"
    from ..models.registry import get_model_spec

    spec = get_model_spec(panel.model)
    if panel.plane == "xsec":
        return f"${spec.mass_symbol}$ [GeV]", r"$\sigma$ [pb]"
    return f"${spec.mass_symbol}$ [GeV]", f"${spec.coupling_label}$"


def _rgba(color: str, alpha: float) -> tuple:
    from matplotlib.colors import to_rgba

    return to_rgba(color, alpha)


def _closed(x_lo, y_lo, x_hi, y_hi):
    return np.concatenate([x_lo, x_hi[::-1], x_lo[:1]]), np.concatenate([y_lo, y_hi[::-1], y_lo[:1]])


def _on_edges(x: np.ndarray, y: np.ndarray, panel: PanelSpec) -> np.ndarray:
    """For each point, a bit mask of the axis edges it lies on (1 left, 2 right, 4 bottom, 8 top)."""
    def near(v, ref, log):
        return np.isclose(np.log10(v), np.log10(ref), rtol=0, atol=1e-9) if log else np.isclose(v, ref, rtol=1e-12)

    return (near(x, panel.x.min, panel.x.log) * 1 | near(x, panel.x.max, panel.x.log) * 2
            | near(y, panel.y.min, panel.y.log) * 4 | near(y, panel.y.max, panel.y.log) * 8)


def _outline(x: np.ndarray, y: np.ndarray, panel: PanelSpec) -> list[tuple[np.ndarray, np.ndarray]]:
    """A closed boundary without the stretches that run along an axis edge (a clipped region's artificial
    sides, e.g. the top of a reach contour that is open up to 4 pi): those would paint over the frame."""
    edges = _on_edges(x, y, panel)
    along = (edges[:-1] & edges[1:]) != 0  # segment i -> i+1 lies on one edge
    pieces, start = [], 0
    for i, skip in enumerate(along):
        if skip:
            if i > start:
                pieces.append((x[start:i + 1], y[start:i + 1]))
            start = i + 1
    if start < x.size - 1:
        pieces.append((x[start:], y[start:]))
    return pieces


def _draw_layer(ax, data: LayerData, style: Style, color: str, panel: PanelSpec) -> None:
    ls = _LINESTYLES[style.linestyle]
    edge = style.edgecolor or color
    outline = not style.fill or style.edgecolor is not None  # contours and hatched bands get an outline
    common = {"zorder": style.zorder} if style.zorder is not None else {}
    label, area = style.label, False
    for shape in data.shapes:
        if isinstance(shape, Line):
            x, y = (np.append(shape.x, shape.x[:1]), np.append(shape.y, shape.y[:1])) if shape.closed else (shape.x, shape.y)
            ax.plot(x, y, color=color, linestyle=ls, linewidth=style.linewidth, label=label, **common)
            label = None
            continue
        if isinstance(shape, Band):
            x, y = _closed(shape.x, shape.y_low, shape.x, shape.y_high)
        else:
            x, y = np.append(shape.x, shape.x[:1]), np.append(shape.y, shape.y[:1])
        area = True
        if style.fill or style.hatch:
            ax.fill(x, y, facecolor=_rgba(color, style.alpha) if style.fill else "none", hatch=style.hatch,
                    edgecolor=_rgba(edge, style.alpha) if style.hatch else "none", linewidth=0.0, **common)
        if outline:
            for px, py in _outline(x, y, panel):
                ax.plot(px, py, color=edge, linestyle=ls, linewidth=style.linewidth, **common)
    if label is None or not area:
        return
    if style.fill or style.hatch:  # a legend-only proxy: the area's face, hatch and outline style
        ax.fill([], [], facecolor=_rgba(color, style.alpha) if style.fill else "none", hatch=style.hatch,
                edgecolor=edge if (outline or style.hatch) else "none", linestyle=ls,
                linewidth=style.linewidth if outline else 0.0, label=label)
    else:
        ax.plot([], [], color=edge, linestyle=ls, linewidth=style.linewidth, label=label)


def _minor_ticks_as_marks(ax) -> None:
    """Draw the unlabelled minor ticks of ``ax`` as one marker line per axis side instead of one matplotlib Tick each.

    A Tick is five artists (two marks, a grid line, two labels) that matplotlib re-positions on every layout pass:
    the ~160 minor ticks of 000-fig5's log axes took a third of its drawing time. The marks here are those of a
    Tick that matplotlib makes for the axis (marker, size, width, colour, sides, transform) at the positions it
    would draw, drawn at the axis' place in the drawing order (the x marks just before the x axis, the y marks just
    after the y axis: where marks overlap they blend in the same order), so the image is the same pixel for pixel
    (tests/test_figures.py). Axes whose minor ticks carry labels (a log axis of about a decade), or point outwards
    (they would then pad the layout), keep matplotlib's ticks. The marks are not Line2D children of the axes, so a
    ``loc = "best"`` legend does not avoid them, as it does not avoid ticks."""
    import numpy as np
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullLocator

    class Marks(Artist):
        def __init__(self, line: Line2D) -> None:
            super().__init__()
            self.line = line
            self.set_in_layout(False)

        def draw(self, renderer) -> None:
            self.line.draw(renderer)

    for axis in (ax.xaxis, ax.yaxis):
        locs = np.asarray(axis.get_minorticklocs(), dtype=float)
        if locs.size == 0 or any(axis.get_minor_formatter().format_ticks(locs)):
            continue
        model = axis.get_minor_ticks(1)[0]
        if model.get_tickdir() != "in":
            continue
        low, high = sorted(axis.get_transform().transform(axis.get_view_interval()))
        where = axis.get_transform().transform(locs)
        slack = 1e-10 * (high - low)  # matplotlib's test for a tick inside the view (_interval_contains_close)
        shown = locs[(where >= low - slack) & (where <= high + slack)]
        on_x = axis is ax.xaxis
        zorder = axis.get_zorder() if on_x else float(np.nextafter(axis.get_zorder(), np.inf))
        for mark in (model.tick1line, model.tick2line):
            if not mark.get_visible():
                continue
            line = Line2D([], [])
            line.update_from(mark)
            line.set_figure(ax.get_figure(root=False))
            if on_x:
                line.set_data(shown, np.full(shown.size, mark.get_ydata()[0]))
            else:
                line.set_data(np.full(shown.size, mark.get_xdata()[0]), shown)
            artist = Marks(line)
            artist.set_zorder(zorder)
            ax.add_artist(artist)
        axis.set_minor_locator(NullLocator())


def _legend(ax, mode: str) -> None:
    handles, _ = ax.get_legend_handles_labels()
    if not handles or mode in ("none", "figure"):
        return
    if mode == "best":
        ax.legend(loc="best", fontsize="x-small", framealpha=0.85)
    elif mode == "below":
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3 if len(handles) > 6 else 2,
                  fontsize="x-small", frameon=False)
    else:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="x-small", frameon=False)


def _figure_legend(fig, axes) -> None:
    """One legend under all panels; entries with the same label (the same layer in several panels) appear once."""
    entries: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    if entries:
        fig.legend(list(entries.values()), list(entries), loc="outside lower center", ncol=min(4, len(entries)),
                   fontsize="x-small", frameon=False)


def draw(spec: FigureSpec, data: list[list[LayerData]], out: str | Path) -> Path:
    """Draw the computed layers of ``spec`` into ``out`` (.png, .pdf or .svg); returns the path written."""
    from matplotlib.figure import Figure

    target = Path(out)
    if target.suffix.lower() not in FORMATS:
        raise InvalidParameter(f"--out must end in {', '.join(FORMATS)}; got {str(out)!r}")
    cols = spec.columns
    rows = math.ceil(len(spec.panels) / cols)
    size = spec.size or (5.6 * cols, 4.8 * rows + (0.9 if spec.legend in ("below", "figure") else 0.0))
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, panel, layers in zip(axes, spec.panels, data, strict=False):  # axes may outnumber panels
        xl, yl = axis_labels(panel)
        ax.set_xscale("log" if panel.x.log else "linear")
        ax.set_yscale("log" if panel.y.log else "linear")
        ax.set_xlim(panel.x.min, panel.x.max)
        ax.set_ylim(panel.y.min, panel.y.max)
        ax.set_xlabel(panel.x.label or xl)
        ax.set_ylabel(panel.y.label or yl)
        if panel.title:
            ax.set_title(panel.title, fontsize="medium")
        for i, (layer, ldata) in enumerate(zip(panel.layers, layers, strict=True)):
            color = layer.style.color or f"C{i % 10}"
            _draw_layer(ax, ldata, layer.style, color, panel)
        ax.tick_params(which="both", direction="in", top=True, right=True)
        _minor_ticks_as_marks(ax)
        _legend(ax, spec.legend)
    for ax in axes[len(spec.panels):]:
        ax.set_visible(False)
    if spec.legend == "figure":
        _figure_legend(fig, axes[: len(spec.panels)])
    if spec.title:
        fig.suptitle(spec.title, fontsize="medium")
    notes = list(dict.fromkeys(n for panel in data for layer in panel for n in layer.notes))
    buffer = io.BytesIO()
    fig.savefig(buffer, format=target.suffix.lower()[1:], dpi=spec.dpi, metadata=_metadata(spec, target.suffix.lower(), notes))
    return write_bytes(target, buffer.getvalue())  # atomic: a failed write keeps an existing file


def _metadata(spec: FigureSpec, suffix: str, notes: list[str]) -> dict:
    text = f"muonreach {__version__} figure spec {spec.name}; reproduces: {spec.source or 'n/a'}"
    if notes:
        text += "; data: " + "; ".join(notes)
    if suffix == ".png":
        return {"Title": spec.title or spec.name, "Description": text, "Software": f"muonreach {__version__}"}
    if suffix == ".pdf":
        return {"Title": spec.title or spec.name, "Subject": text, "Creator": f"muonreach {__version__}"}
    return {"Title": spec.title or spec.name, "Description": text, "Creator": f"muonreach {__version__}"}
