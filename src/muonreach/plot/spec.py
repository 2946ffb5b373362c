"""Figure specs: the TOML schema, its validation, and lookup of shipped specs by name.

A spec is data only (nothing is evaluated). Layout (all keys documented in ``docs/figures.md``)::

    schema = 1
    name = "000-fig5"
    title = "..."                       # optional figure title
    source = "000_2bfc33bcfac4181d.txt Fig. 5 (arXiv:1807.03790)"   # the paper figure it reproduces
    [figure]                            # optional: size = [w, h] inches, columns, legend, dpi
    [defaults]                          # optional: panel keys shared by every panel
    [[panels]]
    title = "muon-specific"
    plane = "coupling"                  # coupling | sigma-e | g-chi | y | xsec | spectrum | energy-angle
    model = "scalar-muon"               # a `muonreach list models` name
    benchmark = { g_chi = 1.0, m_chi_ratio = 0.3333333333333333 }   # --set style model overrides
    x = { min = 0.01, max = 100.0 }     # log axes by default; optional label, log = false
    y = { min = 1e-6, max = 1.0 }
    [[panels.layers]]
    type = "reach"                      # see muonreach.plot.layers.LAYER_TYPES
    options = { experiment = "na64mu-2018", set = { muons_on_target = 1e13 } }
    style = { color = "purple", linestyle = "dashed", label = "NA64-mu 1e13 MOT" }

Every problem is reported as one line naming the file, the panel and the layer: :class:`SpecError` for a
malformed spec, :class:`UnknownName` for an unknown model, experiment, dataset, curve or layer type.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..datafiles import read_toml, shipped_tomls
from ..errors import InvalidParameter, MuonReachError, SpecError, UnknownName
from .shapes import Axis

SCHEMA = 1
PLANES: tuple[str, ...] = ("coupling", "sigma-e", "g-chi", "y", "xsec", "spectrum", "energy-angle")
LEGENDS: tuple[str, ...] = ("best", "below", "right", "figure", "none")
LINESTYLES: tuple[str, ...] = ("solid", "dashed", "dotted", "dashdot")
HATCH_CHARS = set("/\\|-+xoO.*")

_TOP = {"schema", "name", "title", "source", "description", "figure", "defaults", "panels"}
_FIGURE = {"size", "columns", "legend", "dpi"}
_PANEL = {"title", "plane", "model", "benchmark", "x", "y", "layers"}
_AXIS = {"min", "max", "log", "label"}
_LAYER = {"type", "options", "style"}
_STYLE = {"color", "linestyle", "linewidth", "fill", "alpha", "hatch", "label", "zorder", "edgecolor"}


# --- schema objects ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    color: str | None = None
    linestyle: str = "solid"
    linewidth: float = 1.5
    fill: bool = False
    alpha: float = 1.0
    hatch: str | None = None
    label: str | None = None
    zorder: float | None = None
    edgecolor: str | None = None


@dataclass(frozen=True)
class LayerSpec:
    type: str
    options: dict
    style: Style
    where: str  # "FILE: panel N layer M (TYPE)", for messages


@dataclass(frozen=True)
class PanelSpec:
    title: str
    plane: str
    model: str | None
    benchmark: dict
    x: Axis
    y: Axis
    layers: tuple[LayerSpec, ...]
    where: str


@dataclass(frozen=True)
class FigureSpec:
    name: str
    title: str
    source: str
    description: str
    panels: tuple[PanelSpec, ...]
    size: tuple[float, float] | None
    columns: int
    legend: str
    dpi: int
    origin: str
    raw: dict = field(repr=False, default_factory=dict)


@dataclass(frozen=True)
class Option:
    """A layer option: its kind (str, float, int, bool, table), default and whether it is required."""

    kind: str
    default: Any = None
    required: bool = False
    help: str = ""
    positive: bool = False  # float options that must be > 0


#: Most masses a layer may ask for (bounded work per layer).
MAX_POINTS: int = 2000
#: Largest figure side in inches and in pixels (size x dpi).
MAX_SIZE_INCHES: float = 100.0
MAX_PIXELS: float = 20000.0
#: Axis limits muonreach draws: |value| <= 1e100 (log axes: 1e-100 ... 1e100).
AXIS_LIMIT: float = 1e100


@dataclass(frozen=True)
class LayerType:
    """A layer type: the planes it can be drawn in, its options, a spec-time check and the computation."""

    planes: tuple[str, ...]
    options: Mapping[str, Option]
    compute: Callable  # (LayerSpec, PanelSpec) -> LayerData
    check: Callable | None = None  # (LayerSpec, PanelSpec) -> None, raises
    help: str = ""
    needs_model: bool = True


# --- helpers ----------------------------------------------------------------------------------------------


def _keys(table: Any, allowed: set[str], where: str) -> dict:
    if not isinstance(table, dict):
        raise SpecError(f"{where}: must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    return table


def _number(value: Any, where: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{where}: must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise SpecError(f"{where}: must be finite, got {value!r}")
    if positive and x <= 0.0:
        raise SpecError(f"{where}: must be positive, got {value!r}")
    return x


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise SpecError(f"{where}: must be a string, got {value!r}")
    return value


def _axis(raw: Any, where: str) -> Axis:
    t = _keys(raw, _AXIS, where)
    if "min" not in t or "max" not in t:
        raise SpecError(f"{where}: needs min and max")
    log = t.get("log", True)
    if not isinstance(log, bool):
        raise SpecError(f"{where}.log: must be true or false")
    lo, hi = _number(t["min"], f"{where}.min", positive=log), _number(t["max"], f"{where}.max", positive=log)
    floor = 1.0 / AXIS_LIMIT if log else -AXIS_LIMIT
    if not (floor <= lo and hi <= AXIS_LIMIT):
        raise SpecError(f"{where}: range [{lo:g}, {hi:g}] is outside what can be drawn "
                        f"({'1e-100 to 1e100' if log else '-1e100 to 1e100'})")
    if lo >= hi:
        raise SpecError(f"{where}: min {lo:g} must be below max {hi:g}")
    label = t.get("label")
    return Axis(lo, hi, log, None if label is None else _string(label, f"{where}.label"))


def _style(raw: Any, where: str) -> Style:
    t = _keys(raw if raw is not None else {}, _STYLE, where)
    out: dict[str, Any] = {}
    for key in ("color", "edgecolor"):
        if key in t:
            out[key] = _string(t[key], f"{where}.{key}")
            _check_color(out[key], f"{where}.{key}")
    if "linestyle" in t:
        ls = _string(t["linestyle"], f"{where}.linestyle")
        if ls not in LINESTYLES:
            raise SpecError(f"{where}.linestyle: must be one of {', '.join(LINESTYLES)}; got {ls!r}")
        out["linestyle"] = ls
    if "linewidth" in t:
        out["linewidth"] = _number(t["linewidth"], f"{where}.linewidth", positive=True)
    if "fill" in t:
        if not isinstance(t["fill"], bool):
            raise SpecError(f"{where}.fill: must be true or false")
        out["fill"] = t["fill"]
    if "alpha" in t:
        a = _number(t["alpha"], f"{where}.alpha")
        if not 0.0 <= a <= 1.0:
            raise SpecError(f"{where}.alpha: must be between 0 and 1, got {a:g}")
        out["alpha"] = a
    if "hatch" in t:
        h = _string(t["hatch"], f"{where}.hatch")
        if not h or set(h) - HATCH_CHARS:
            raise SpecError(f"{where}.hatch: use the characters {''.join(sorted(HATCH_CHARS))}, e.g. '//'; got {h!r}")
        out["hatch"] = h
    if "label" in t:
        out["label"] = _string(t["label"], f"{where}.label")
    if "zorder" in t:
        out["zorder"] = _number(t["zorder"], f"{where}.zorder")
    return Style(**out)


def _check_color(color: str, where: str) -> None:
    from matplotlib.colors import is_color_like  # light: no backend is loaded

    if not is_color_like(color):
        raise SpecError(f"{where}: {color!r} is not a colour matplotlib knows")


def parse_options(raw: Any, ltype: LayerType, where: str) -> dict:
    """Options of a layer, checked against its type and completed with defaults."""
    t = _keys(raw if raw is not None else {}, set(ltype.options), f"{where} options")
    out = {}
    for name, opt in ltype.options.items():
        if name not in t:
            if opt.required:
                raise SpecError(f"{where}: missing option '{name}' ({opt.help})")
            out[name] = opt.default
            continue
        value, w = t[name], f"{where} option {name}"
        if opt.kind == "str":
            out[name] = _string(value, w)
        elif opt.kind == "float":
            out[name] = _number(value, w, positive=opt.positive)
        elif opt.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= MAX_POINTS:
                raise SpecError(f"{w}: must be an integer from 2 to {MAX_POINTS}, got {value!r}")
            out[name] = value
        elif opt.kind == "bool":
            if not isinstance(value, bool):
                raise SpecError(f"{w}: must be true or false")
            out[name] = value
        elif opt.kind == "table":
            if not isinstance(value, dict):
                raise SpecError(f"{w}: must be a table, e.g. {{ muons_on_target = 1e13 }}")
            out[name] = dict(value)
        else:  # pragma: no cover - a programming error in a layer definition
            raise AssertionError(opt.kind)
    return out


def _reraise(exc: MuonReachError, where: str) -> None:
    """Re-raise a library error with the spec location in front (same class, one line)."""
    cls = type(exc) if isinstance(exc, (SpecError, UnknownName)) else SpecError
    raise cls(f"{where}: {exc}") from None


# --- parsing ----------------------------------------------------------------------------------------------


def _panel(raw: Any, index: int, defaults: dict, origin: str) -> PanelSpec:
    from .layers import LAYER_TYPES

    where = f"{origin}: panel {index}"
    t = dict(defaults)
    t.update(_keys(raw, _PANEL, where))
    if "benchmark" in defaults and "benchmark" in raw:
        t["benchmark"] = {**defaults["benchmark"], **raw["benchmark"]}
    plane = _string(t.get("plane", "coupling"), f"{where}.plane")
    if plane not in PLANES:
        raise SpecError(f"{where}.plane: must be one of {', '.join(PLANES)}; got {plane!r}")
    model = t.get("model")
    benchmark = t.get("benchmark", {})
    if not isinstance(benchmark, dict):
        raise SpecError(f"{where}.benchmark: must be a table of model parameters")
    if model is not None:
        from ..models.registry import get_model_spec

        try:
            get_model_spec(_string(model, f"{where}.model")).resolve(benchmark)
        except (UnknownName, InvalidParameter) as exc:
            _reraise(exc, where)
    for key in ("x", "y"):
        if key not in t:
            raise SpecError(f"{where}: missing axis range '{key}' (e.g. {key} = {{ min = 1e-3, max = 1.0 }})")
    panel = PanelSpec(
        title=_string(t.get("title", ""), f"{where}.title"), plane=plane, model=model, benchmark=dict(benchmark),
        x=_axis(t["x"], f"{where}.x"), y=_axis(t["y"], f"{where}.y"), layers=(), where=where,
    )
    if plane in ("sigma-e", "y"):
        from .planes import check_dm_plane

        try:
            check_dm_plane(panel)
        except MuonReachError as exc:
            _reraise(exc, where)
    layers_raw = t.get("layers", [])
    if not isinstance(layers_raw, list):
        raise SpecError(f"{where}.layers: must be an array of tables ([[panels.layers]])")
    layers = []
    for j, lraw in enumerate(layers_raw, start=1):
        lt = _keys(lraw, _LAYER, f"{where} layer {j}")
        kind = lt.get("type")
        if not isinstance(kind, str):
            raise SpecError(f"{where} layer {j}: missing 'type' (one of {', '.join(LAYER_TYPES)})")
        if kind not in LAYER_TYPES:
            raise UnknownName(f"{where} layer {j}: unknown layer type {kind!r}; known: {', '.join(LAYER_TYPES)}")
        ltype, lwhere = LAYER_TYPES[kind], f"{where} layer {j} ({kind})"
        if plane not in ltype.planes:
            raise SpecError(f"{lwhere}: cannot be drawn in plane {plane!r} (only {', '.join(ltype.planes)})")
        if ltype.needs_model and model is None:
            raise SpecError(f"{lwhere}: the panel needs a 'model'")
        layer = LayerSpec(kind, parse_options(lt.get("options"), ltype, lwhere), _style(lt.get("style"), f"{lwhere} style"), lwhere)
        if ltype.check is not None:
            try:
                ltype.check(layer, panel)
            except MuonReachError as exc:
                _reraise(exc, lwhere)
        layers.append(layer)
    return PanelSpec(**{**panel.__dict__, "layers": tuple(layers)})


def parse_spec(raw: dict, origin: str) -> FigureSpec:
    """A validated :class:`FigureSpec` from a parsed TOML document."""
    t = _keys(raw, _TOP, origin)
    if t.get("schema") != SCHEMA:
        raise SpecError(f"{origin}: 'schema' must be {SCHEMA}")
    fig = _keys(t.get("figure", {}), _FIGURE, f"{origin} [figure]")
    defaults = _keys(t.get("defaults", {}), _PANEL - {"layers"}, f"{origin} [defaults]")
    panels_raw = t.get("panels")
    if not isinstance(panels_raw, list) or not panels_raw:
        raise SpecError(f"{origin}: needs at least one [[panels]] table")
    panels = tuple(_panel(p, i, defaults, origin) for i, p in enumerate(panels_raw, start=1))
    size = fig.get("size")
    if size is not None:
        if not (isinstance(size, list) and len(size) == 2):
            raise SpecError(f"{origin} [figure].size: must be [width, height] in inches")
        size = (_number(size[0], f"{origin} size", True), _number(size[1], f"{origin} size", True))
        if max(size) > MAX_SIZE_INCHES:
            raise SpecError(f"{origin} [figure].size: at most {MAX_SIZE_INCHES:g} inches per side, got {list(size)}")
    columns = fig.get("columns", len(panels))
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise SpecError(f"{origin} [figure].columns: must be a positive integer")
    legend = _string(fig.get("legend", "best"), f"{origin} [figure].legend")
    if legend not in LEGENDS:
        raise SpecError(f"{origin} [figure].legend: must be one of {', '.join(LEGENDS)}; got {legend!r}")
    dpi = fig.get("dpi", 150)
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 20 <= dpi <= 1200:
        raise SpecError(f"{origin} [figure].dpi: must be an integer between 20 and 1200")
    if size is not None and max(size) * dpi > MAX_PIXELS:
        raise SpecError(f"{origin} [figure]: size x dpi = {max(size) * dpi:g} pixels per side; at most {MAX_PIXELS:g}")
    return FigureSpec(
        name=_string(t.get("name", Path(origin).stem), f"{origin}: name"), title=_string(t.get("title", ""), f"{origin}: title"),
        source=_string(t.get("source", ""), f"{origin}: source"), description=_string(t.get("description", ""), f"{origin}: description"),
        panels=panels, size=size, columns=min(columns, len(panels)), legend=legend, dpi=dpi, origin=origin, raw=raw,
    )


# --- lookup ----------------------------------------------------------------------------------------------


def list_specs() -> list[str]:
    """Names of the shipped figure specs."""
    return sorted(shipped_tomls(__package__, "specs"))


def load_spec(name_or_path: str | Path) -> FigureSpec:
    """A shipped spec by name (``000-fig5``) or a spec file by path."""
    raw, origin = read_toml(name_or_path, __package__, "specs", "figure spec")
    return parse_spec(raw, origin)
