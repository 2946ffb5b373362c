"""SN 1987A cooling and trapping for a muon-philic scalar decaying to dark matter (000_2bfc33bcfac4181d.txt Sec. 4.2,
arXiv:1807.03790), computed bound ``sn1987a-muon`` (APPROXIMATE: one-zone core, docs/constraints.md).

Lower edge (cooling): S is produced by the Compton-like process gamma mu -> mu S (the continuum process on muons;
resonant production by plasmon mixing below omega_p ~ 20 MeV, muon bremsstrahlung on protons and the Primakoff
process are not included, so the edge is conservative), thermally averaged over Bose-Einstein photons (no plasma
mass) and Fermi-Dirac muons (mu_mu from the muon fraction; final-state Pauli blocking at the mean final muon energy;
antimuons neglected). S decays promptly to chi chi; excluded if the invisible energy-loss rate per unit mass
epsilon = Q BR(S -> inv) / rho exceeds epsilon_Raffelt = 1e19 erg/g/s (000 Sec. 4.2).

Upper edge (trapping), 000's own estimate for the muon-specific model: chi gamma -> chi gamma through S exchange with
the loop-induced S gamma gamma coupling, mean free path lambda = v_chi / Gamma_scatter (thermal photons, chi with
the mean energy E_S / 2 of the emitted S) against r_core = 1 km: trapped (allowed) if lambda <= r_core.

Applies to models with a muon Yukawa, no electron Yukawa (electrons would dominate production and trapping: 000 uses
resonant production and chi e -> chi e with the pi/2-deflection criterion of 1803.00993 there, not built here) and a
dark-matter decay S -> chi chi. Inputs with sources: constraints/inputs/sn1987a.toml.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from .. import constants as c
from .. import units as u
from ..errors import InvalidParameter
from ..models.base import Mediator
from ..models.registry import ModelSpec
from ..production.scalar_compton import compton_moments, photon_scattering_cross_section
from .computed import BoundRows, ComputedBound, excluded_interval, input_fields, register_bound, yukawa

_X, _W = np.polynomial.legendre.leggauss(48)
_CX, _CW = np.polynomial.legendre.leggauss(16)
_SPAN = 25.0  # energies integrated up to (chemical potential +) 25 T: the Boltzmann tail beyond is e^-25
_ERG = u.GEV_IN_GRAMS * u.C_CM_PER_S**2  # 1 GeV in erg
_GEV4_TO_ERG_PER_CM3_S = _ERG / u.HBARC_GEV_CM**3 / u.HBAR_GEV_S  # GeV^5 (energy per volume per time) -> erg/cm^3/s


@dataclass(frozen=True)
class Core:
    """One-zone proto-neutron-star core: temperature (GeV), density (g/cm^3), muons per baryon."""

    temperature: float
    density: float
    muon_fraction: float

    @property
    def muon_density(self) -> float:
        """n_mu in GeV^3 (= Y_mu rho / m_u)."""
        return self.muon_fraction * self.density / (c.M_U * u.GEV_IN_GRAMS) * u.HBARC_GEV_CM**3

    @property
    def muon_chemical_potential(self) -> float:
        """mu_mu (with the rest mass, GeV) such that 2 int d^3p/(2 pi)^3 f_FD = n_mu (antimuons neglected)."""
        t = self.temperature

        def excess(mu: float) -> float:
            p, w = _nodes(math.sqrt(max(mu + _SPAN * t, c.M_MU + _SPAN * t) ** 2 - c.M_MU**2))
            return float(w @ (p * p * _fermi(np.hypot(p, c.M_MU), mu, t))) / math.pi**2 - self.muon_density

        return float(brentq(excess, c.M_MU - 40.0 * t, c.M_MU + 100.0 * t, xtol=1e-10))


def _nodes(upper: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return 0.5 * upper * (1.0 + _X), 0.5 * upper * _W


def _fermi(e: NDArray[np.float64], mu: float, t: float) -> NDArray[np.float64]:
    return 0.5 * (1.0 - np.tanh(0.5 * (e - mu) / t))


def _bose(w: NDArray[np.float64], t: float) -> NDArray[np.float64]:
    return 1.0 / np.expm1(w / t)


@cache
def _inputs() -> tuple[Core, dict[str, float]]:
    top = input_fields("sn1987a.toml")
    core, crit = top.table("core"), top.table("criterion")
    model = Core(core.positive("temperature"), core.positive("density"), core.positive("muon_fraction"))
    out = {k: crit.positive(k) for k in ("energy_loss_max", "core_radius", "mass_max")} | {"cl": crit.number("cl")}
    for f in (core, crit, top):
        f.done()
    return model, out


def compton_emission(core: Core, m_s: float, method: str = "table") -> tuple[float, float]:
    """(epsilon, <E_S>): energy-loss rate per unit mass (erg/g/s) into S by gamma mu -> mu S at g_mu = 1, and the
    mean energy (GeV) of the emitted S, in the one-zone ``core`` (module docstring).

    ``method="table"``: sigma(s) and sigma <cos theta*> interpolated from 48 log-spaced s - s_th (0.5 % on epsilon);
    ``"direct"``: evaluated at every one of the 48 x 48 x 16 thermal nodes (~700x slower; benchmarks/bounds_bench.py).
    """
    t, m, mu = core.temperature, c.M_MU, core.muon_chemical_potential
    s_th = (m + m_s) ** 2
    p, wp = _nodes(math.sqrt((max(mu, m) + _SPAN * t) ** 2 - m * m))
    w, ww = _nodes(_SPAN * t)
    e = np.hypot(p, m)[:, None, None]
    v = (p[:, None, None] / e)
    om = w[None, :, None]
    cos = _CX[None, None, :]
    s = m * m + 2.0 * om * (e - p[:, None, None] * cos)
    if method == "table":  # both vanish at threshold: linear in log(s - s_th) from there
        grid = s_th + np.geomspace(1e-9 * s_th, float(s.max()) - s_th + 1e-12, 48)
        table_sig, table_cos = compton_moments(grid, m, m_s, 1.0)
        x = np.log(np.clip(s - s_th, 1e-300, None))
        sig = np.where(s > s_th, np.interp(x, np.log(grid - s_th), table_sig, left=0.0), 0.0)
        sig_cos = np.where(s > s_th, np.interp(x, np.log(grid - s_th), table_cos, left=0.0), 0.0)
    elif method == "direct":
        flat = s.ravel()
        parts = [compton_moments(flat[i:i + 4096], m, m_s, 1.0) for i in range(0, flat.size, 4096)]
        sig = np.concatenate([a for a, _ in parts]).reshape(s.shape)
        sig_cos = np.concatenate([b for _, b in parts]).reshape(s.shape)
    else:
        raise InvalidParameter(f"method must be 'table' or 'direct', got {method!r}")
    root = np.sqrt(s)
    e_star = (s + m_s * m_s - m * m) / (2.0 * root)
    p_star = np.sqrt(np.clip(e_star**2 - m_s * m_s, 0.0, None))
    k_star = (s - m * m) / (2.0 * root)
    total = e + om
    sig_energy = sig * e_star * total / root + sig_cos * p_star / k_star * (om - (s - m * m) * total / (2.0 * s))
    mean_energy = np.where(sig > 0.0, sig_energy / np.where(sig > 0.0, sig, 1.0), 0.0)
    weight = (wp * p * p)[:, None, None] * _fermi(e, mu, t) * (ww * w * w * _bose(w, t))[None, :, None] \
        * (0.5 * _CW)[None, None, :] * (1.0 - v * cos) * (1.0 - _fermi(e + om - mean_energy, mu, t)) / math.pi**4
    q = float(np.sum(weight * sig_energy))
    rate = float(np.sum(weight * sig))
    if rate <= 0.0:
        return 0.0, 0.0
    return q * _GEV4_TO_ERG_PER_CM3_S / core.density, q / rate


def photon_scattering_rate(core: Core, m_chi: float, m_s: float, energy: float) -> float:
    """Gamma(chi gamma -> chi gamma) in GeV for a chi of ``energy`` in the thermal photon bath, per unit (g_chi G)^2."""
    t = core.temperature
    p_chi = math.sqrt(max(energy * energy - m_chi * m_chi, 0.0))
    w, ww = _nodes(_SPAN * t)
    s = m_chi * m_chi + 2.0 * w[:, None] * (energy - p_chi * _CX[None, :])
    sig = photon_scattering_cross_section(s, m_chi, m_s, 1.0, 1.0)
    flux = 1.0 - p_chi / energy * _CX[None, :]
    return float(np.sum((ww * w * w * _bose(w, t))[:, None] * 0.5 * _CW[None, :] * flux * sig)) / math.pi**2


def _photon_coupling(model: Mediator, widths: Mapping[str, float]) -> float:
    """|G| (GeV^-1) of -(1/4) G S F F from the model's S -> gamma gamma width: Gamma = G^2 m^3 / (64 pi)."""
    return math.sqrt(64.0 * math.pi * widths.get("gamma_gamma", 0.0) / model.mass**3)


def _dark_coupling(model: Mediator, widths: Mapping[str, float]) -> tuple[float, float]:
    """(m_chi, |g_chi|) from the S -> chi chi width of a Yukawa g_chi S chibar chi ((0, 0) if there is none)."""
    m_chi = model.dark_state_masses().get("chi")
    width = widths.get("chi_chi", 0.0)
    if m_chi is None or width <= 0.0:
        return 0.0, 0.0
    beta3 = (1.0 - 4.0 * m_chi**2 / model.mass**2) ** 1.5
    return m_chi, math.sqrt(8.0 * math.pi * width / (model.mass * beta3))


def _compute(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
    core, d = _inputs()
    low = np.full(masses.size, math.nan)
    high = np.full(masses.size, math.nan)
    notes: list[str] = []
    for i, mass in enumerate(masses):
        m = float(mass)
        if m > d["mass_max"]:
            continue
        reference = spec.build(m, 1e-6, overrides)
        if yukawa(reference, "e") != 0.0:  # the overrides may switch on what applies_to (defaults) did not see
            raise InvalidParameter("sn1987a-muon: the model couples to electrons, whose production and trapping "
                                   "(000 Sec. 4.2) this estimate does not include")
        m_chi, g_chi = _dark_coupling(reference, reference.partial_widths())
        if g_chi == 0.0:
            notes.append(f"m = {m:g} GeV: no S -> chi chi decay, the dark-matter trapping estimate does not apply")
            continue
        eps1, e_s = compton_emission(core, m)
        if eps1 <= 0.0:
            continue
        rate1 = photon_scattering_rate(core, m_chi, m, max(0.5 * e_s, m_chi * (1.0 + 1e-9)))
        v_chi = math.sqrt(max(1.0 - (m_chi / max(0.5 * e_s, m_chi)) ** 2, 0.0))

        def excess(g: float, m: float = m, eps1: float = eps1, rate1: float = rate1, v_chi: float = v_chi) -> float:
            model = spec.build(m, g, overrides)
            widths = model.partial_widths()
            invisible = sum(widths.get(k, 0.0) for k in model.invisible_channels()) / sum(widths.values())
            cooling = yukawa(model, "mu") ** 2 * eps1 * invisible
            scatter = rate1 * (_dark_coupling(model, widths)[1] * _photon_coupling(model, widths)) ** 2
            path = v_chi * u.HBARC_GEV_CM / scatter if scatter > 0.0 else math.inf
            if cooling <= 0.0:
                return -math.inf
            return min(math.log(cooling / d["energy_loss_max"]), math.log(path / d["core_radius"]))

        low[i], high[i] = excluded_interval(excess)
    return BoundRows(masses, low, high, tuple(notes))


def _applies(spec: ModelSpec) -> bool:
    model = spec.build(0.05, 1e-3)
    return yukawa(model, "mu") != 0.0 and yukawa(model, "e") == 0.0 and bool(model.invisible_channels())


register_bound(ComputedBound(
    "sn1987a-muon", "SN 1987A cooling (gamma mu -> mu S, S -> chi chi) and chi trapping (chi gamma -> chi gamma), "
    "one-zone core", "000_2bfc33bcfac4181d.txt Sec. 4.2 (criteria); cross sections: production/scalar_compton.py",
    _inputs()[1]["cl"], _applies, _compute,
    approximate="APPROXIMATE: one-zone core (T = 30 MeV, rho = 3e14 g/cm^3, Y_mu = 0.02 ASSUMPTION), Compton production "
                "only, trapping by chi gamma -> chi gamma against r_core = 1 km (000's estimate), cut at 100 MeV"))
