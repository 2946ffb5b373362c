"""Constraints on the off-diagonal e-mu scalar phi of 001 (001_d90c7661beefddfc.txt Fig. 3), as computed bounds:

* ``mu-e-phi-twist``: the two-body decay mu -> e phi (:func:`~muonreach.models.emu_scalar.muon_to_electron_phi_width`,
  the model's own width) against TWIST's 90 % CL limit on BR(mu -> e X) (inputs/emu-bounds.toml), for
  m_phi < m_mu - m_e; BR = Gamma(mu -> e phi)/Gamma_mu with the PDG muon lifetime;
* ``z-mu-e-phi-001``: 001's estimate Gamma(Z -> mu e phi)/Gamma(Z -> ee) ~ h^2/(4 pi^2) against BR(Z -> mu e);
* ``k-e-nu-phi-001``: 001's estimate BR(K -> e nu phi) ~ h^2/(8 pi^2) against BR(K -> e nu nubar).

* ``k-e-nu-phi``: the same limit on the computed K+ -> e+ nu phi rate (:mod:`muonreach.production.meson`, the
  virtual-muon amplitude) inside the positron-momentum window 220-230 MeV/c of the measurement, for
  m_phi > m_mu - m_e (below, the muon goes on shell: mu-e-phi-twist applies).

The Z and the flat K estimates are order-of-magnitude estimates of 001, marked approximate. The computed K -> e nu
phi rate is far below 001's h^2/(8 pi^2) (BR/h^2 = 3.2e-3 at m_phi = 107 MeV, 1.9e-5 at 3 m_mu, against 1.27e-2),
and the positron spectrum ends at p_max = (m_K^2 - m_phi^2)/(2 m_K): the window is empty above m_phi = 163 MeV and
holds < 1e-3 of the rate below, so the measurement does not constrain h_mue < 4pi (docs/meson_decays.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

import numpy as np
from numpy.typing import NDArray

from .. import constants as c
from ..models.registry import ModelSpec
from ..units import HBAR_GEV_S
from .computed import BoundRows, ComputedBound, input_fields, register_bound

_ORIGIN = "muonreach constraints/inputs/emu-bounds.toml"


@cache
def _inputs() -> dict:
    top = input_fields("emu-bounds.toml")
    twist, z, k = top.table("twist"), top.table("z_decays"), top.table("kaon")
    out = {
        "twist_masses": twist.number_list("masses", min_length=2), "twist_br": twist.number_list("branching_ratio_limit"),
        "twist_cl": twist.number("cl"),
        "z_br_ee": z.positive("br_z_to_ee"), "z_br_limit": z.positive("br_z_to_mue_limit"), "z_mass_max": z.positive("mass_max"),
        "z_cl": z.number("cl"),
        "k_br_limit": k.positive("branching_ratio_limit"), "k_mass_max": k.positive("mass_max"), "k_cl": k.number("cl"),
        "k_p_min": k.positive("momentum_min"), "k_p_max": k.positive("momentum_max"),
    }
    for f in (twist, z, k, top):
        f.done()
    if len(out["twist_br"]) != len(out["twist_masses"]) - 1:
        raise ValueError(f"{_ORIGIN}: [twist] needs one branching-ratio limit per mass interval")
    return out


def _has_emu_coupling(spec: ModelSpec) -> bool:
    return spec.build(0.3, 1e-3).offdiagonal_coupling(("e", "mu")) != 0.0


def _unit_coupling(spec: ModelSpec, mass: float, overrides: Mapping[str, object]) -> float:
    """h_mue per unit of the scanned coupling (linear in every model that has one)."""
    return spec.build(mass, 1e-3, overrides).offdiagonal_coupling(("e", "mu")) / 1e-3


def _twist(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
    from ..models.emu_scalar import muon_to_electron_phi_width

    data = _inputs()
    gamma_mu = HBAR_GEV_S / c.TAU_MU_S
    low = np.full(masses.size, math.nan)
    edges = np.asarray(data["twist_masses"])
    for i, m in enumerate(masses):
        k = int(np.searchsorted(edges, m, side="right")) - 1
        width = muon_to_electron_phi_width(float(m), 1.0)
        if 0 <= k < len(data["twist_br"]) and width > 0.0:
            h_max = math.sqrt(data["twist_br"][k] * gamma_mu / width)  # BR scales as h^2
            low[i] = h_max / abs(_unit_coupling(spec, float(m), overrides))
    return BoundRows(masses, low, np.full(masses.size, math.nan))


def _flat(h_max: float, mass_max: float):
    def compute(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
        low = np.array([h_max / abs(_unit_coupling(spec, float(m), overrides)) if m <= mass_max else math.nan for m in masses])
        return BoundRows(masses, low, np.full(masses.size, math.nan))

    return compute


def _kaon_computed(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
    """h_max = sqrt(limit / (BR(K -> e nu phi, p_e in the window)/h^2)); NaN where the window is empty or the
    muon goes on shell."""
    from ..errors import KinematicallyForbidden
    from ..production.meson import KaonDecay

    d = _inputs()
    m_k = c.M_K_CHARGED

    def s_of(p: float) -> float:  # m_miss^2 at positron momentum p in the kaon rest frame
        return m_k**2 + c.M_E**2 - 2.0 * m_k * math.hypot(p, c.M_E)

    low = np.full(masses.size, math.nan)
    for i, m in enumerate(masses):
        try:
            br = KaonDecay("emu_scalar", float(m)).branching_ratio((s_of(d["k_p_max"]), s_of(d["k_p_min"])))
        except KinematicallyForbidden:
            continue
        h_max = math.sqrt(d["k_br_limit"] / br) / abs(_unit_coupling(spec, float(m), overrides))
        if h_max < 4.0 * math.pi:
            low[i] = h_max
    return BoundRows(masses, low, np.full(masses.size, math.nan))


def _register() -> None:
    d = _inputs()
    register_bound(ComputedBound(
        "mu-e-phi-twist", "mu -> e phi (two-body muon decay) against TWIST BR(mu -> e X)",
        "TWIST arXiv:1409.0638; width: models/emu_scalar.py", d["twist_cl"], _has_emu_coupling, _twist,
        approximate="the TWIST limit is taken piecewise constant (5.8e-5 below 13 MeV, 1e-5 for 13-80 MeV); none above 80 MeV"))
    h_z = 2.0 * math.pi * math.sqrt(d["z_br_limit"] / d["z_br_ee"])
    register_bound(ComputedBound(
        "z-mu-e-phi-001", "Z -> mu e phi against BR(Z -> mu e) (001's estimate)",
        "001_d90c7661beefddfc.txt after eq. (21); ATLAS PRD 90 (2014) 072010", d["z_cl"], _has_emu_coupling,
        _flat(h_z, d["z_mass_max"]), approximate="001's order-of-magnitude ratio h^2/(4 pi^2), flat in m_phi"))
    h_k = math.sqrt(d["k_br_limit"] * 8.0 * math.pi**2)
    register_bound(ComputedBound(
        "k-e-nu-phi-001", "K -> e nu phi against BR(K -> e nu nubar) (001's estimate)",
        "001_d90c7661beefddfc.txt after eq. (21); Heintze et al. NPB 149 (1979) 365", d["k_cl"], _has_emu_coupling,
        _flat(h_k, d["k_mass_max"]), approximate="001's order-of-magnitude BR ~ h^2/(8 pi^2), flat in m_phi; "
        "the computed rate (bound k-e-nu-phi) is 4-650x smaller"))
    register_bound(ComputedBound(
        "k-e-nu-phi", "K -> e nu phi (computed rate, positron momentum 220-230 MeV/c) against BR(K -> e nu nubar)",
        "Heintze et al. NPB 149 (1979) 365 (001 ref. [47]); rate: production/meson.py", d["k_cl"], _has_emu_coupling,
        _kaon_computed, approximate="the limit is read as the partial BR inside the momentum window (ASSUMPTION)"))


_register()
