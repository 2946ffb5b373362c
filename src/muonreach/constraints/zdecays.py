"""Z decays with a scalar radiated off a final-state lepton (000_2bfc33bcfac4181d.txt Sec. 4.5), computed bounds:

* ``z-tautau-invisible``: Gamma(Z -> tau tau S) BR(S -> invisible) below 1.96 times the uncertainty of the measured
  Gamma(Z -> tau tau) (000's criterion; lepton-specific model);
* ``z-4mu``: BR(Z -> mu mu S) BR(S -> mu mu) below 1.96 times the uncertainty of BR(Z -> 4 mu) (ATLAS/CMS; 000);
* ``z-gamma-invisible``: BR(Z -> gamma S) BR(S -> invisible) below the L3 limit 1.1e-6 (E_gamma > 30 GeV; 000 Table 1),
  the loop-induced width from :func:`muonreach.production.z_radiation.photon_scalar_width`.

The three-body width is computed (:func:`muonreach.production.z_radiation.radiation_ratio`, exact tree level with the
lepton mass) as a ratio to Gamma(Z -> l l), normalised to the measured width, so no EW input but sin^2 theta_W.
The model enters through its protocol: the Yukawa of ``production_coupling(lepton)`` (kind 'scalar'), the
invisible branching ratio, and BR(S -> mu mu) as the channel ``"mu_mu"`` of ``branching_ratios()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache

import numpy as np
from numpy.typing import NDArray

from .. import constants as c
from ..models.base import Mediator
from ..models.registry import ModelSpec
from ..production.z_radiation import photon_scalar_width, radiation_ratio
from .computed import (
    RATE_SLOPE,
    BoundRows,
    ComputedBound,
    dimuon_fraction,
    excluded_interval,
    input_fields,
    invisible_fraction,
    register_bound,
    yukawa,
)


@cache
def _inputs() -> dict:
    top = input_fields("zdecays.toml")
    tau, mu, ph = top.table("tau_invisible"), top.table("four_muon"), top.table("photon_invisible")
    out = {
        "sw2": top.positive("sin2_theta_w"),
        "tau_width": tau.positive("width"), "tau_sigma": tau.positive("uncertainty"), "tau_n": tau.positive("n_sigma"),
        "tau_cl": tau.number("cl"),
        "mu_sigma": mu.positive("br_uncertainty"), "mu_n": mu.positive("n_sigma"), "mu_br_z": mu.positive("br_z_to_mumu"),
        "mu_cl": mu.number("cl"),
        "ph_br": ph.positive("br_limit"), "ph_e_min": ph.positive("photon_energy_min"), "ph_width": ph.positive("z_width"),
        "ph_cl": ph.number("cl"),
    }
    for f in (tau, mu, ph, top):
        f.done()
    return out


@cache
def lepton_ratio(lepton: str, m_s: float) -> float:
    """Gamma(Z -> l l S)/(g_l^2 Gamma(Z -> l l)) for a charged lepton (T3 = -1/2, Q = -1); cached per mass."""
    a = -0.5
    v = a + 2.0 * _inputs()["sw2"]
    return radiation_ratio(c.M_Z, c.LEPTON_MASSES[lepton], m_s, v, a)


def _bound(lepton: str, limit: float, decay_fraction: Callable[[Mediator], float]):
    """compute(spec, masses, overrides): excluded where ratio g_l^2 fraction(model) > limit."""

    def compute(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
        low = np.full(masses.size, math.nan)
        high = np.full(masses.size, math.nan)
        for i, mass in enumerate(masses):
            m = float(mass)
            if m + 2.0 * c.LEPTON_MASSES[lepton] >= c.M_Z:
                continue
            ratio = lepton_ratio(lepton, m)

            def excess(g: float, m: float = m, ratio: float = ratio) -> float:
                model = spec.build(m, g, overrides)
                rate = ratio * yukawa(model, lepton) ** 2 * decay_fraction(model)
                return math.log(rate / limit) if rate > 0.0 else -math.inf

            low[i], high[i] = excluded_interval(excess, max_slope=RATE_SLOPE)
        return BoundRows(masses, low, high)

    return compute


def _photon_bound(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
    """Z -> gamma S, S -> invisible against the L3 limit on BR(Z -> gamma X), E_gamma above the cut (docstring)."""
    d = _inputs()
    low = np.full(masses.size, math.nan)
    high = np.full(masses.size, math.nan)
    for i, mass in enumerate(masses):
        m = float(mass)
        if (c.M_Z**2 - m * m) / (2.0 * c.M_Z) < d["ph_e_min"]:
            continue

        def excess(g: float, m: float = m) -> float:
            model = spec.build(m, g, overrides)
            couplings = {lep: yukawa(model, lep) for lep in c.LEPTON_MASSES}
            br = photon_scalar_width(c.M_Z, m, couplings, d["sw2"]) / d["ph_width"] * invisible_fraction(model)
            return math.log(br / d["ph_br"]) if br > 0.0 else -math.inf

        low[i], high[i] = excluded_interval(excess, max_slope=RATE_SLOPE)
    return BoundRows(masses, low, high)


def _hasyukawa(lepton: str, invisible: bool) -> Callable[[ModelSpec], bool]:
    def applies(spec: ModelSpec) -> bool:
        model = spec.build(0.3, 1e-3)
        return yukawa(model, lepton) != 0.0 and (not invisible or bool(model.invisible_channels()))

    return applies


def _register() -> None:
    d = _inputs()
    register_bound(ComputedBound(
        "z-tautau-invisible", "Z -> tau tau S, S -> invisible, against the Gamma(Z -> tau tau) uncertainty",
        "000_2bfc33bcfac4181d.txt Sec. 4.5 and Table 1 (PDG Gamma(Z -> tau tau) = 84.08 +- 0.22 MeV); width: "
        "production/z_radiation.py", d["tau_cl"], _hasyukawa("tau", True),
        _bound("tau", d["tau_n"] * d["tau_sigma"] / d["tau_width"], invisible_fraction),
        approximate="000's criterion (signal width < 1.96 sigma of the measured width), all Z -> tau tau S events assumed "
                    "to pass the Z -> tau tau selection"))
    register_bound(ComputedBound(
        "z-4mu", "Z -> mu mu S, S -> mu mu, against the BR(Z -> 4 mu) uncertainty",
        "000_2bfc33bcfac4181d.txt Sec. 4.5 (BR(Z -> 4 mu) = (3.5 +- 0.4)e-6, PDG); width: production/z_radiation.py",
        d["mu_cl"], _hasyukawa("mu", False),
        _bound("mu", d["mu_n"] * d["mu_sigma"] / d["mu_br_z"], dimuon_fraction),
        approximate="inclusive rate against 1.96 sigma of the measured BR; the experiments' mass cuts are not modelled"))
    register_bound(ComputedBound(
        "z-gamma-invisible", "Z -> gamma S (lepton loops), S -> invisible, against the L3 BR(Z -> gamma X) limit",
        "000_2bfc33bcfac4181d.txt Sec. 4.5 and Table 1 (L3, Phys. Lett. B412 (1997) 201: BR < 1.1e-6, E_gamma > ~30 "
        "GeV); width: production/z_radiation.photon_scalar_width", d["ph_cl"], _hasyukawa("mu", True), _photon_bound,
        approximate="the L3 selection beyond E_gamma > 30 GeV is not modelled (all Z -> gamma S events counted)"))


_register()
