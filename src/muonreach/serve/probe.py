"""The numbers at one point of the plane, for the explorer's hover: all from muonreach's own functions.

At (mediator mass m, coupling g) of the view's model and benchmark: Delta a_mu (and Delta a_e) with the pull
against every (g-2) dataset the view draws (``gm2``), the partial widths, branching ratios and c tau of the
model object, for every experiment of a reach layer the expected signal events (``experiments.calculator``,
the engine of the reach contours), its reach threshold and the mean decay length at the beam energy (the
largest lab energy the boson can have there), and Omega h^2 (``cosmo.relic.omega_h2``) for models with a
relic density. A part that does not apply at the point (no DM, a mass the beam cannot make) carries its
one-line reason instead of numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidParameter, MuonReachError
from ..plot import planes
from ..plot.spec import FigureSpec, PanelSpec
from ..validation import finite


def _coupling_point(panel: PanelSpec, x: float, y: float) -> tuple[float, float]:
    """(mediator mass, coupling) of an axis point of the panel's plane."""
    if panel.plane == "sigma-e":
        m, g = planes.sigma_e_to_coupling(panel, np.array([x]), np.array([y]))
        return float(m[0]), float(g[0])
    return x, y


def _check_point(panel: PanelSpec, x: Any, y: Any) -> tuple[float, float]:
    x, y = finite("x", x), finite("y", y)
    for name, v, axis in (("x", x, panel.x), ("y", y, panel.y)):
        if axis.log and v <= 0.0:
            raise InvalidParameter(f"{name} = {v:g} is not positive (log axis)")
    return x, y


def _safe(compute) -> Any:
    try:
        return compute()
    except MuonReachError as exc:
        return {"error": " ".join(str(exc).split())}


def _finite_or_none(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def probe(spec: FigureSpec, x: float, y: float, relic: bool = True) -> dict[str, Any]:
    """Everything the hover shows at axis point (x, y) of the view's panel (see the module docstring).

    ``relic=False`` leaves out Omega h^2 (a freeze-out solution, ~80 % of the time of a probe): the page asks for
    it separately (:func:`probe_relic`), so the other numbers follow the cursor faster."""
    from ..models.registry import get_model_spec

    panel = spec.panels[0]
    x, y = _check_point(panel, x, y)
    out: dict[str, Any] = {"x": x, "y": y, "plane": panel.plane}
    if panel.model is None or panel.plane == "g-chi":
        return out
    mass, g = _coupling_point(panel, x, y)
    mspec = get_model_spec(panel.model)
    model = mspec.build(mass, g, panel.benchmark)
    out.update({"model": panel.model, "mass": mass, "coupling": g, "coupling_name": mspec.coupling})
    out["gm2"] = _gm2(model, panel)
    out["decays"] = _safe(lambda: _decays(model))
    out["experiments"] = [_experiment(layer, mspec, model, panel, g) for layer in panel.layers if layer.type == "reach"]
    if relic:
        out["relic"] = _safe(lambda: _relic(panel, mass, g))
    return out


def probe_relic(spec: FigureSpec, x: float, y: float) -> dict[str, Any]:
    """Omega h^2 at axis point (x, y) (``{"relic": {"omega_h2": ...}}`` or its one-line reason); nothing off-plane."""
    panel = spec.panels[0]
    x, y = _check_point(panel, x, y)
    if panel.model is None or panel.plane == "g-chi":
        return {"x": x, "y": y}
    mass, g = _coupling_point(panel, x, y)
    return {"x": x, "y": y, "relic": _safe(lambda: _relic(panel, mass, g))}


def _gm2(model, panel: PanelSpec) -> dict[str, Any]:
    from ..gm2.datasets import get_dataset

    delta = {lepton: float(model.delta_a(lepton)) for lepton in ("mu", "e")}
    names = list(dict.fromkeys(layer.options["dataset"] for layer in panel.layers if layer.type.startswith("gm2-")))
    if not names:
        names = [get_dataset(None, "mu").name]
    pulls = []
    for name in names:
        ds = get_dataset(name)
        pulls.append({"dataset": ds.name, "lepton": ds.lepton, "delta": ds.delta, "sigma": ds.sigma,
                      "pull": ds.pull(delta[ds.lepton])})
    return {"delta_a_mu": delta["mu"], "delta_a_e": delta["e"], "pulls": pulls}


def _decays(model) -> dict[str, Any]:
    stable = model.is_stable
    return {"widths": model.partial_widths(), "branching_ratios": None if stable else model.branching_ratios(),
            "total_width": model.total_width, "ctau_cm": _finite_or_none(model.ctau_cm), "stable": stable}


def _experiment(layer, mspec, model, panel: PanelSpec, g: float) -> dict[str, Any]:
    from ..experiments.calculator import calculator
    from ..experiments.spec import load_experiment
    from ..reach.contour import events_threshold

    exp = load_experiment(layer.options["experiment"]).with_overrides(layer.options["set"])
    out: dict[str, Any] = {"experiment": exp.name, "label": layer.style.label, "exposure": exp.muons_on_target,
                           "beam_energy": exp.energy}

    def events() -> dict[str, Any]:
        n = float(calculator(exp, mspec, model.mass, panel.benchmark).events(g))
        return {"events": n, "events_cl": events_threshold(exp)}

    out.update(_safe(events))
    if not model.is_stable:
        out["decay_length_cm"] = _safe(lambda: model.decay_length_cm(exp.energy))
    return out


def _relic(panel: PanelSpec, mass: float, g: float) -> dict[str, Any]:
    from ..cosmo.relic import omega_h2

    return {"omega_h2": omega_h2(panel.model or "", mass, g, panel.benchmark)}


__all__ = ["probe", "probe_relic"]
