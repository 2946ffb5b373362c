"""Mono-photon bounds e+e- -> gamma X, X -> invisible at BaBar and Belle II (000_2bfc33bcfac4181d.txt Sec. 4.4).

A published dark-photon limit eps_lim(m) is recast to any model by the ratio of the signal cross sections in the
same photon acceptance (:func:`muonreach.production.monophoton.signal_cross_section`): the model is excluded where

    sigma_acc(model; g) BR_inv(model; g) > k sigma_acc(A'; eps_lim(m)),

k = 1.96/1.64 converting the 90 % CL limit to 95 % CL as 000 does (inputs/monophoton.toml). The reference A' is
the source's (BR(A' -> invisible) = 1, vector coupling eps e to electrons). Recasting the dark photon itself with
k = 1 returns the input curve (tests). Assumptions: the selection efficiency depends on the photon angle and
energy only through the acceptance window (same window for both signals); the scalar's photon energy
E_gamma = (s - m^2)/(2 sqrt s) equals the A' one at the same mass, so the missing-mass selection is the same.
000 recast ALP limits instead and quotes a factor sqrt(1.8) between the pseudoscalar and scalar couplings; here the
dark-photon searches are recast directly (docs/constraints.md compares).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

import numpy as np
from numpy.typing import NDArray

from .. import constants as c
from ..errors import InvalidParameter, KinematicallyForbidden
from ..models.registry import ModelSpec
from ..production.monophoton import acceptance_integral, signal_cross_section, vector_dsigma_dcos
from .computed import RATE_SLOPE, BoundRows, ComputedBound, excluded_interval, input_fields, register_bound
from .registry import get_limit


@cache
def _inputs() -> dict:
    top = input_fields("monophoton.toml")
    out: dict = {"rate_scale": top.positive("rate_scale_90_to_95")}
    for key in ("babar", "belle2"):
        t = top.table(key)
        out[key] = {"limit": t.string("limit"), "sqrt_s": t.positive("sqrt_s"), "cos_min": t.number("cos_min"),
                    "cos_max": t.number("cos_max"), "cl_source": t.number("cl_source")}
        t.done()
    top.done()
    return out


def _reference_cross_section(s: float, mass: float, eps: float, cos_min: float, cos_max: float) -> float:
    """sigma_acc of the source's dark photon (vector coupling eps e) in GeV^-2."""
    return acceptance_integral(lambda x: vector_dsigma_dcos(s, mass, eps * c.E_CHARGE, x), cos_min, cos_max)


def recast(limit_name: str, spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object],
           sqrt_s: float, cos_min: float, cos_max: float, rate_scale: float = 1.0) -> BoundRows:
    """Excluded couplings of ``spec`` from the dark-photon mono-photon limit ``limit_name`` (module docstring).

    Masses outside the limit curve's range, or at or above sqrt(s), get no exclusion (NaN).
    """
    curve = get_limit(limit_name)
    if curve.model != "dark-photon" or curve.edge != "lower":
        raise InvalidParameter(f"limit {limit_name!r} is not a lower edge on the dark photon's eps")
    s = sqrt_s * sqrt_s
    low = np.full(masses.size, math.nan)
    high = np.full(masses.size, math.nan)
    inside = (masses >= curve.x[0]) & (masses <= curve.x[-1]) & (masses < sqrt_s)
    eps = np.exp(np.interp(np.log(np.where(inside, masses, curve.x[0])), np.log(curve.x), np.log(curve.y)))
    for i in np.nonzero(inside)[0]:
        m = float(masses[i])
        target = rate_scale * _reference_cross_section(s, m, float(eps[i]), cos_min, cos_max)

        def excess(g: float, m: float = m, target: float = target) -> float:
            model = spec.build(m, g, overrides)
            try:
                br = model.invisible_branching_ratio()
            except KinematicallyForbidden:  # no open channel: stable, escapes the detector
                br = 1.0
            rate = signal_cross_section(model, s, cos_min, cos_max) * br
            return math.log(rate / target) if rate > 0.0 else -math.inf

        low[i], high[i] = excluded_interval(excess, max_slope=RATE_SLOPE)
    return BoundRows(masses, low, high)


def _applies(spec: ModelSpec) -> bool:
    model = spec.build(0.3, 1e-3)
    if not model.invisible_channels():
        return False
    try:
        return signal_cross_section(model, 100.0, -0.5, 0.5) > 0.0
    except InvalidParameter:
        return False


def _compute(key: str):
    def compute(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
        d = _inputs()
        e = d[key]
        return recast(e["limit"], spec, masses, overrides, e["sqrt_s"], e["cos_min"], e["cos_max"], d["rate_scale"])

    return compute


def _register() -> None:
    d = _inputs()
    for key, name, what in (("babar", "monophoton-babar", "BaBar 2017 (53 fb^-1)"),
                            ("belle2", "monophoton-belle2", "Belle II projection (50 ab^-1)")):
        e = d[key]
        curve = get_limit(e["limit"])
        register_bound(ComputedBound(
            name, f"e+e- -> gamma X, X -> invisible: {what}, recast from the dark-photon limit",
            f"{curve.source.paper}, arXiv:{curve.source.arxiv}; method 000_2bfc33bcfac4181d.txt Sec. 4.4", 0.95,
            _applies, _compute(key),
            approximate=(f"acceptance {e['cos_min']:g} < cos theta_gamma < {e['cos_max']:g} (ASSUMPTION), same efficiency "
                         f"as the dark photon; {100 * e['cl_source']:.0f} % CL converted to 95 % by 1.96/1.64 (000)")))


_register()
