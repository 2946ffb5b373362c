"""Layers of production and event distributions of a beam experiment (003_731e213823d1e5dc.txt Figs. 4-5),
each drawn in its own plane:

* ``xsec`` (plane ``xsec``): sigma(l N -> l N X) per nucleus at the beam energy (thin target) against the mediator
  mass, in pb, for the panel model at coupling ``coupling`` (003 Fig. 4 left: eps = 1), in the experiment's
  production approximation (exact 2 -> 3 by default; ``set = { approximation = "ww" }`` for WW/IWW).
* ``spectrum`` (plane ``spectrum``): the mediator's energy distribution (1/sigma) dsigma/dE_X at the beam energy, one
  mass per layer (003 Fig. 4 right), same cross section.
* ``energy-angle`` (plane ``energy-angle``): the (lab energy, polar angle) distribution of the decaying dark state
  (chi2 of inelastic DM) from the displaced-vertex event sample before any selection (``mc/displaced.py``), drawn
  as the contour enclosing ``fraction`` of the events (highest-density region of a smoothed 2-D histogram in the
  panel's axis coordinates; 003 Fig. 5 shows the histograms themselves).

No matplotlib here (contour lines from contourpy, matplotlib's own contour engine); results are cached per
inputs with :func:`muonreach.cache.cached_arrays`.
"""

from __future__ import annotations

import math

import numpy as np

from .. import units
from ..cache import cached_arrays
from ..errors import SpecError
from .shapes import LayerData, clip_line, log_grid
from .spec import LayerSpec, LayerType, Option, PanelSpec

_EXPERIMENT = {
    "experiment": Option("str", None, True, "a `muonreach list experiments` name or a path"),
    "set": Option("table", {}, help="experiment overrides, e.g. { approximation = \"ww\" }"),
}
_G_REF = 1e-3  # reference model coupling (production is scaled from it)
_X_NODES = 400  # x nodes of the energy spectrum (logit-spaced: resolves the x -> 1 peak of heavy bosons)


def _experiment(layer: LayerSpec):
    from ..experiments.spec import load_experiment

    return load_experiment(layer.options["experiment"]).with_overrides(layer.options["set"])


def _production(layer: LayerSpec, panel: PanelSpec, mass: float, coupling: float) -> tuple[str, float]:
    """(boson kind, production coupling) of the panel's model at (mass, coupling) for the layer's experiment."""
    from ..experiments.production import production_channel
    from ..models.registry import build_model

    exp = _experiment(layer)
    return production_channel(exp.channel).coupling(exp, build_model(panel.model or "", mass, coupling, panel.benchmark))


def _check(layer: LayerSpec, panel: PanelSpec) -> None:
    exp = _experiment(layer)
    if exp.channel != "bremsstrahlung":
        raise SpecError(f"experiment {exp.name!r} produces by {exp.channel!r}; these layers need bremsstrahlung")
    if layer.type != "xsec":
        from ..experiments.production import production_channel

        production_channel(exp.channel).check_mass(exp, layer.options["mass"])


def sigma_pb(exp, kind: str, mass: float) -> float:
    """sigma(l N -> l' N X, x > the experiment's x_min) at the beam energy, coupling 1, per nucleus, in pb, in the
    experiment's approximation (exact: :func:`muonreach.production.exact.sigma_exact`; iww / ww:
    :func:`muonreach.production.cross_sections.sigma_total`)."""
    to_pb = units.GEV2_TO_CM2 / units.pb
    if exp.approximation == "exact":
        from ..production.exact import sigma_exact

        value, _ = sigma_exact(kind, exp.energy, exp.target, mass, x_min=exp.x_min, lepton=exp.lepton,
                               final_lepton=exp.final_lepton, form_factor=exp.form_factor)
        return value * to_pb
    from ..production.cross_sections import sigma_total

    return sigma_total(kind, exp.energy, mass, 1.0, exp.target, exp.lepton, exp.approximation, exp.x_min) * to_pb


def _xsec(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    """sigma (pb) against the mediator mass at the layer's coupling (module docstring)."""
    exp = _experiment(layer)
    lo = layer.options["mass_min"] or panel.x.min
    hi = min(layer.options["mass_max"] or panel.x.max, 0.999 * exp.energy)
    m = log_grid(lo, hi, layer.options["points"])
    g = layer.options["coupling"]

    def compute() -> dict[str, np.ndarray]:
        out = np.empty(m.size)
        for i, mass in enumerate(m):
            # production ~ g_prod^2 with g_prod linear in the model coupling (checked): scaled from _G_REF, so that
            # eps = 1 (003 Fig. 4), outside the model's allowed |eps| < 1, is a normalisation, not a model point
            kind, g_ref = _production(layer, panel, float(mass), _G_REF)
            _, g_two = _production(layer, panel, float(mass), 2 * _G_REF)
            if not math.isclose(g_two, 2 * g_ref, rel_tol=1e-9):
                raise SpecError(f"{panel.model}: the production coupling is not linear in the model coupling; "
                                "the xsec layer needs a model whose production scales as the coupling squared")
            out[i] = (g_ref * g / _G_REF) ** 2 * sigma_pb(exp, kind, float(mass))
        return {"sigma": out}

    got = cached_arrays("xsec-layer", {"experiment": exp.as_dict(), "model": panel.model, "benchmark": panel.benchmark,
                                       "coupling": g, "masses": m.tolist()}, compute)
    note = (f"sigma({exp.lepton} {exp.material} -> {exp.lepton} {exp.material} X) at {exp.energy:g} GeV, "
            f"{panel.model} coupling {g:g}, {exp.approximation}")
    return LayerData(tuple(clip_line(m, got["sigma"], panel.x, panel.y)), (note,))


def energy_spectrum(exp, kind: str, mass: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(E_X in GeV, (1/sigma) dsigma/dE_X in 1/GeV, sigma in GeV^-2 at coupling 1) at the beam energy, x from m_X/E
    to 1 - m_l'/E (logit nodes), sigma by the trapezoid rule on the same nodes, in the experiment's approximation."""
    from ..experiments.production import Bremsstrahlung
    from ..production.cross_sections import LEPTON_MASSES

    e = exp.energy
    lo, hi = max(mass / e, exp.x_min), 1.0 - LEPTON_MASSES[exp.final_lepton] / e
    if not lo < hi:
        raise SpecError(f"{exp.name}: no x range for m = {mass:g} GeV at {e:g} GeV")
    t = np.linspace(math.log(lo / (1 - lo)), math.log(hi / (1 - hi)), _X_NODES)
    x = 1.0 / (1.0 + np.exp(-t))
    dsdx = Bremsstrahlung.spectrum(exp, kind, mass, (e, e))(np.full((1, 1), e), x[None, :])[0]
    norm = float(np.trapezoid(dsdx, x))
    if not norm > 0.0:
        raise SpecError(f"{exp.name}: zero cross section at m = {mass:g} GeV")
    return x * e, dsdx / (norm * e), norm


def _spectrum(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    exp, mass = _experiment(layer), layer.options["mass"]
    kind, _ = _production(layer, panel, mass, _G_REF)

    def compute() -> dict[str, np.ndarray]:
        energy, density, _ = energy_spectrum(exp, kind, mass)
        return {"energy": energy, "density": density}

    got = cached_arrays("spectrum-layer", {"experiment": exp.as_dict(), "kind": kind, "mass": mass}, compute)
    note = f"(1/sigma) dsigma/dE_X, m = {mass:g} GeV, {exp.energy:g} GeV {exp.lepton} on {exp.material}, {exp.approximation}"
    return LayerData(tuple(clip_line(got["energy"], got["density"], panel.x, panel.y)), (note,))


def density_contours(u: np.ndarray, v: np.ndarray, weight: np.ndarray, box: tuple[float, float, float, float],
                     fraction: float, bins: int) -> list[np.ndarray]:
    """Closed contours (arrays of (u, v) points) of the region of highest event density holding ``fraction`` of
    the weight: a ``bins`` x ``bins`` histogram over ``box`` = (u0, u1, v0, v1), smoothed by one bin, cut at the
    level above which the summed weight reaches ``fraction``."""
    from contourpy import contour_generator
    from scipy.ndimage import gaussian_filter

    u0, u1, v0, v1 = box
    hist, ue, ve = np.histogram2d(u, v, bins=bins, range=[[u0, u1], [v0, v1]], weights=weight)
    hist = gaussian_filter(hist, 1.0, mode="constant")
    flat = np.sort(hist.ravel())[::-1]
    cum = np.cumsum(flat) / max(float(flat.sum()), 1e-300)
    level = float(flat[min(int(np.searchsorted(cum, fraction)), flat.size - 1)])
    uc, vc = 0.5 * (ue[1:] + ue[:-1]), 0.5 * (ve[1:] + ve[:-1])
    gen = contour_generator(uc, vc, hist.T)
    return [np.asarray(line) for line in gen.lines(level) if len(line) > 2]


def _energy_angle(layer: LayerSpec, panel: PanelSpec) -> LayerData:
    from ..mc.displaced import event_calculator
    from ..models.registry import get_model_spec

    exp, mass = _experiment(layer), layer.options["mass"]
    calc = event_calculator(exp, get_model_spec(panel.model or ""), mass, panel.benchmark)
    a = calc.arrays
    energy = a["dark_energy"]
    theta = np.arccos(np.clip(a["dark_cos_theta"], -1.0, 1.0))
    xa, ya = panel.x, panel.y
    u, v = xa.fwd(np.maximum(energy, 1e-300)), ya.fwd(np.maximum(theta, 1e-300))
    box = (float(xa.fwd(xa.min)), float(xa.fwd(xa.max)), float(ya.fwd(ya.min)), float(ya.fwd(ya.max)))
    lines = density_contours(u, v, a["weight"], box, layer.options["fraction"], layer.options["bins"])
    shapes: list = []
    for line in lines:
        shapes += clip_line(xa.inv(line[:, 0]), ya.inv(line[:, 1]), xa, ya)
    inside = float(np.mean((u >= box[0]) & (u <= box[1]) & (v >= box[2]) & (v <= box[3])))
    note = (f"{calc.state} (E, theta) before selection, m = {mass:g} GeV ({panel.model}, {panel.benchmark}), "
            f"{a['weight'].size} events, {100 * layer.options['fraction']:.0f} % contour; {100 * inside:.1f} % of "
            "events inside the axes")
    return LayerData(tuple(shapes), (note,))


def _check_fraction(layer: LayerSpec, panel: PanelSpec) -> None:
    if not 0.0 < layer.options["fraction"] < 1.0:
        raise SpecError(f"fraction must be in (0, 1), got {layer.options['fraction']:g}")
    _check(layer, panel)


_MASS = Option("float", None, True, "mediator mass in GeV", positive=True)

#: The layer types of this module (added to ``layers.LAYER_TYPES``).
EVENT_LAYER_TYPES: dict[str, LayerType] = {
    "xsec": LayerType(("xsec",), {
        **_EXPERIMENT, "coupling": Option("float", 1.0, help="the model's coupling (003 Fig. 4: eps = 1)", positive=True),
        "points": Option("int", 40, help="number of log-spaced masses"),
        "mass_min": Option("float", None, help="lowest mass in GeV (default: the panel's x range)", positive=True),
        "mass_max": Option("float", None, help="highest mass in GeV (default: the panel's x range)", positive=True),
    }, _xsec, _check, "production cross section at the beam energy against the mediator mass (pb)"),
    "spectrum": LayerType(("spectrum",), {**_EXPERIMENT, "mass": _MASS}, _spectrum, _check,
                          "the mediator's energy distribution (1/sigma) dsigma/dE at the beam energy"),
    "energy-angle": LayerType(("energy-angle",), {
        **_EXPERIMENT, "mass": _MASS,
        "fraction": Option("float", 0.68, help="share of the events inside the contour", positive=True),
        "bins": Option("int", 40, help="histogram bins per axis"),
    }, _energy_angle, _check_fraction, "the decaying dark state's (energy, angle) distribution before selection"),
}
