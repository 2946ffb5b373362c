"""What the page offers to choose from (models, datasets, experiments, curves, bounds, layer types), and the
description of a validated view (its layers, axis labels), all from muonreach's registries."""

from __future__ import annotations

from typing import Any

from ..plot.spec import FigureSpec


def catalog() -> dict[str, Any]:
    """Every name the page's menus list, with the help texts of the registries."""
    from ..constraints import all_limits
    from ..constraints.computed import all_bounds
    from ..experiments.spec import APPROXIMATIONS, list_experiments, load_experiment, particles_key
    from ..gm2.datasets import registry
    from ..models.registry import model_specs
    from ..plot.layers import LAYER_TYPES
    from ..plot.spec import list_specs

    models = {}
    for name, spec in model_specs().items():
        models[name] = {"coupling": spec.coupling, "description": spec.description,
                        "parameters": {k: {"default": p.default, "help": p.help} for k, p in spec.params.items()}}
    experiments = {}
    for name in list_experiments():
        exp = load_experiment(name)
        experiments[name] = {"description": exp.description, "lepton": exp.lepton, "energy": exp.energy,
                             "exposure_key": particles_key(exp.lepton), "exposure": exp.muons_on_target,
                             "approximation": exp.approximation, "approximations": list(APPROXIMATIONS)}
    specs = list(model_specs().values())
    limits = {c.name: {"plane": c.plane.name, "kind": c.kind, "model": c.model,
                       "models": [s.name for s in specs if c.applies_to_model(s.name)]} for c in all_limits()}
    bounds = {b.name: {"description": b.description, "models": [s.name for s in specs if b.applies_to(s)]}
              for b in all_bounds().values()}
    reg = registry()
    datasets = {d.name: {"lepton": d.lepton, "delta": d.delta, "sigma": d.sigma, "description": d.description,
                         "default": reg.defaults.get(d.lepton) == d.name} for d in reg.datasets.values()}
    layer_types = {name: {"planes": list(t.planes), "help": t.help, "needs_model": t.needs_model,
                          "options": {k: {"kind": o.kind, "default": o.default, "required": o.required, "help": o.help}
                                      for k, o in t.options.items()}}
                   for name, t in LAYER_TYPES.items()}
    return {"models": models, "experiments": experiments, "limits": limits, "bounds": bounds, "datasets": datasets,
            "layer_types": layer_types, "specs": list_specs()}


def describe_view(spec: FigureSpec) -> dict[str, Any]:
    """The validated view as the page needs it: axis labels, and per layer its name and type."""
    from ..plot.render import axis_labels
    from .traces import layer_name, plain_label

    panel = spec.panels[0]
    xl, yl = axis_labels(panel)
    return {"x_label": plain_label(panel.x.label or xl), "y_label": plain_label(panel.y.label or yl),
            "layers": [{"index": i, "type": layer.type, "name": layer_name(layer)} for i, layer in enumerate(panel.layers)]}


__all__ = ["catalog", "describe_view"]
