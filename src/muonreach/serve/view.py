"""The explorer's view: one panel of a figure spec, as the spec's own TOML structure (a dict).

The page edits this dict and sends it with every request; :func:`parse_view` validates it with the figure
spec parser, so a bad input gives the same one-line error as ``muonreach figure`` would for the exported
spec, and adds the explorer's bounds on the work one request may ask for.
"""

from __future__ import annotations

import copy
from typing import Any

from ..datafiles import read_toml
from ..errors import InvalidParameter, SpecError, UnknownName
from ..plot.spec import FigureSpec, parse_spec

#: The ``origin`` of every message about the view (the exported spec's name).
VIEW_NAME = "explorer"
#: The shipped figure the explorer opens on (the main figure, drawn by ``make run``) and its panel.
START_SPEC, START_PANEL = "000-fig5", 1
#: Most layers in a view, and most masses one layer may ask for (bounded work per request).
MAX_LAYERS = 40
MAX_LAYER_POINTS = 300


def parse_view(raw: Any) -> FigureSpec:
    """A validated one-panel :class:`FigureSpec`; SpecError / UnknownName / InvalidParameter otherwise."""
    if not isinstance(raw, dict):
        raise SpecError(f"{VIEW_NAME}: the view must be a figure spec table")
    _shipped_names_only(raw)
    spec = parse_spec(raw, VIEW_NAME)
    if len(spec.panels) != 1:
        raise SpecError(f"{VIEW_NAME}: the explorer shows one panel; the view has {len(spec.panels)}")
    layers = spec.panels[0].layers
    if len(layers) > MAX_LAYERS:
        raise InvalidParameter(f"{VIEW_NAME}: at most {MAX_LAYERS} layers per view; got {len(layers)}")
    for layer in layers:
        points = layer.options.get("points")
        if points is not None and points > MAX_LAYER_POINTS:
            raise InvalidParameter(f"{layer.where}: points = {points} is above the explorer's limit of {MAX_LAYER_POINTS} "
                                   "(use `muonreach figure` for finer grids)")
    return spec


#: Layer options that name a data file, and what they name: the explorer takes shipped names only (``muonreach
#: figure`` also takes a path, which would let a request read files of the machine).
_SHIPPED = {"reach": ("experiment", "experiment"), "limit": ("name", "limit curve")}


def _shipped_names_only(raw: dict) -> None:
    """Checked on the raw view, before the spec parser opens any file; a malformed view is left to the parser."""
    from ..constraints import list_limits
    from ..experiments.spec import list_experiments

    panels = raw.get("panels")
    for p, panel in enumerate(panels if isinstance(panels, list) else [], start=1):
        layers = panel.get("layers") if isinstance(panel, dict) else None
        for j, layer in enumerate(layers if isinstance(layers, list) else [], start=1):
            if not isinstance(layer, dict) or layer.get("type") not in _SHIPPED or not isinstance(layer.get("options"), dict):
                continue
            option, what = _SHIPPED[layer["type"]]
            value = layer["options"].get(option)
            known = list_experiments() if layer["type"] == "reach" else list(list_limits())
            if isinstance(value, str) and value not in known:
                raise UnknownName(f"{VIEW_NAME}: panel {p} layer {j} ({layer['type']}): unknown {what} {value!r}; "
                                  f"the explorer takes the shipped names ({', '.join(known)})")


def shipped_view(name: str = START_SPEC, panel: int = START_PANEL) -> dict:
    """Panel ``panel`` (from 1) of a shipped figure spec as a one-panel view, its ``[defaults]`` folded in."""
    raw, origin = read_toml(name, "muonreach.plot", "specs", "figure spec")
    panels = raw.get("panels") or []
    if not 1 <= panel <= len(panels):
        raise InvalidParameter(f"{origin}: has {len(panels)} panel(s); asked for panel {panel}")
    defaults = copy.deepcopy(raw.get("defaults", {}))
    one = {**defaults, **copy.deepcopy(panels[panel - 1])}
    if "benchmark" in defaults and "benchmark" in panels[panel - 1]:
        one["benchmark"] = {**defaults["benchmark"], **panels[panel - 1]["benchmark"]}
    figure = {k: v for k, v in raw.get("figure", {}).items() if k in ("legend", "dpi")}
    view = {"schema": 1, "name": VIEW_NAME, "title": one.get("title", ""),
            "source": f"explorer view from {raw.get('name', name)} panel {panel}", "panels": [one]}
    if figure:
        view["figure"] = figure
    parse_view(view)  # a shipped panel is always a valid view
    return view


__all__ = ["MAX_LAYERS", "MAX_LAYER_POINTS", "VIEW_NAME", "parse_view", "shipped_view"]
