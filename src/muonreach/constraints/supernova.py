"""SN 1987A cooling and trapping for a lepton-philic scalar decaying to dark matter (000_2bfc33bcfac4181d.txt Sec.
4.2, arXiv:1807.03790), computed bounds ``sn1987a-muon`` (muon-specific) and ``sn1987a-lepton`` (g_e : g_mu : g_tau
= m_e : m_mu : m_tau), APPROXIMATE: one-zone core, docs/constraints.md.

Lower edge (cooling): S is produced by the Compton-like process gamma l -> l S (the continuum process; resonant
production by plasmon mixing below omega_p ~ 20 MeV, bremsstrahlung on protons and the Primakoff process are not
included, so the edge is conservative), thermally averaged over Bose-Einstein photons (no plasma mass) and
Fermi-Dirac leptons (mu_l from the lepton fraction; final-state Pauli blocking at the mean final lepton energy;
antileptons neglected): muons for both bounds, plus the degenerate relativistic electrons for sn1987a-lepton. S
decays promptly to chi chi; excluded if the invisible energy-loss rate per unit mass epsilon = Q BR(S -> inv) / rho
exceeds epsilon_Raffelt = 1e19 erg/g/s (000 Sec. 4.2).

Upper edge (trapping): the mean free path lambda = v_chi / Gamma_scatter of a chi with the mean energy E_S / 2 of the
emitted S against r_core = 1 km: trapped (allowed) if lambda <= r_core (000's criterion for the muon-specific
model). Gamma_scatter: chi gamma -> chi gamma through S exchange with the loop-induced S gamma gamma coupling
(thermal photons; all lepton loops of the model), plus, for sn1987a-lepton, chi l -> chi l by S exchange on the
leptons listed in sn1987a.toml [lepton_specific] (000 uses electrons only), with the final lepton Pauli-blocked at its
exact energy. 000 used the pi/2-deflection criterion of 1803.00993 for chi e -> chi e; its equations (2.11-2.14,
C1-C3) are not in the stored sources, so the simple mean-free-path criterion is used for both models.

Inputs with sources: constraints/inputs/sn1987a.toml.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, partial

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq

from .. import constants as c
from .. import units as u
from ..errors import InvalidParameter
from ..models.base import Mediator
from ..models.registry import ModelSpec
from ..production import scalar_compton as sc
from ..production.scalar_compton import compton_moments, photon_scattering_cross_section
from .computed import RATE_SLOPE, BoundRows, ComputedBound, excluded_interval, input_fields, register_bound, yukawa

_X, _W = np.polynomial.legendre.leggauss(48)
_CX, _CW = np.polynomial.legendre.leggauss(16)
_SPAN = 25.0  # energies integrated up to (chemical potential +) 25 T: the Boltzmann tail beyond is e^-25
_ERG = u.GEV_IN_GRAMS * u.C_CM_PER_S**2  # 1 GeV in erg
_GEV4_TO_ERG_PER_CM3_S = _ERG / u.HBARC_GEV_CM**3 / u.HBAR_GEV_S  # GeV^5 (energy per volume per time) -> erg/cm^3/s


@dataclass(frozen=True)
class Core:
    """One-zone proto-neutron-star core: temperature (GeV), density (g/cm^3), leptons per baryon by lepton name."""

    temperature: float
    density: float
    fractions: Mapping[str, float]

    def number_density(self, lepton: str) -> float:
        """n_l in GeV^3 (= Y_l rho / m_u)."""
        return self.fractions[lepton] * self.density / (c.M_U * u.GEV_IN_GRAMS) * u.HBARC_GEV_CM**3

    def chemical_potential(self, lepton: str) -> float:
        """mu_l (with the rest mass, GeV) such that 2 int d^3p/(2 pi)^3 f_FD = n_l (antileptons neglected: for the
        degenerate electrons e^-mu/T ~ 1e-3, for the muons the muon excess of the cited models is what is given)."""
        t, m, n = self.temperature, c.LEPTON_MASSES[lepton], self.number_density(lepton)

        def excess(mu: float) -> float:
            p, w = _momentum_nodes(m, mu, t)
            return float(w @ (p * p * _fermi(np.hypot(p, m), mu, t))) / math.pi**2 - n

        fermi = math.hypot(m, (3.0 * math.pi**2 * n) ** (1.0 / 3.0))  # the T = 0 value bounds mu from above
        return float(brentq(excess, m - 200.0 * t, fermi + 100.0 * t, xtol=1e-12))


@cache
def _legendre(n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return np.polynomial.legendre.leggauss(n)


def _momentum_nodes(m: float, mu: float, t: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """48 Gauss-Legendre nodes in |p| up to E = max(mu, m) + 25 T, split at the energies mu -+ 6 T where they lie
    in range (the Fermi surface of degenerate electrons is resolved; dilute muons keep one or two panels)."""
    def p_of(e: float) -> float:
        return math.sqrt(max(e * e - m * m, 0.0))

    top = p_of(max(mu, m) + _SPAN * t)
    cuts = sorted({0.0, top, *(x for x in (p_of(mu - 6.0 * t), p_of(mu + 6.0 * t)) if 0.0 < x < top)})
    x, w = _legendre(48 // (len(cuts) - 1))
    nodes = [(0.5 * (b - a) * (1.0 + x) + a, 0.5 * (b - a) * w) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    return np.concatenate([n for n, _ in nodes]), np.concatenate([v for _, v in nodes])


def _nodes(upper: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return 0.5 * upper * (1.0 + _X), 0.5 * upper * _W


def _fermi(e: NDArray[np.float64], mu: float, t: float) -> NDArray[np.float64]:
    return 0.5 * (1.0 - np.tanh(0.5 * (e - mu) / t))


def _bose(w: NDArray[np.float64], t: float) -> NDArray[np.float64]:
    return 1.0 / np.expm1(w / t)


@cache
def _inputs() -> tuple[Core, dict[str, float], tuple[str, ...]]:
    top = input_fields("sn1987a.toml")
    core, crit, lepton = top.table("core"), top.table("criterion"), top.table("lepton_specific")
    model = Core(core.positive("temperature"), core.positive("density"),
                 {"e": core.positive("electron_fraction"), "mu": core.positive("muon_fraction")})
    out = {k: crit.positive(k) for k in ("energy_loss_max", "core_radius", "mass_max")} | {"cl": crit.number("cl")}
    scatterers = lepton.raw("trapping_leptons")
    if not isinstance(scatterers, list) or not set(scatterers) <= {"e", "mu"}:
        raise lepton.fail("trapping_leptons", "must be a list of 'e' and/or 'mu'")
    for f in (core, crit, lepton, top):
        f.done()
    return model, out, tuple(scatterers)


def compton_emission(core: Core, m_s: float, method: str = "table", lepton: str = "mu") -> tuple[float, float]:
    """(epsilon, <E_S>): energy-loss rate per unit mass (erg/g/s) into S by gamma l -> l S at g_l = 1, and the
    mean energy (GeV) of the emitted S, in the one-zone ``core`` (module docstring); ``lepton`` "mu" or "e" (the
    final-state Pauli blocking at the mean final lepton energy matters for the degenerate electrons).

    ``method="table"``: sigma(s) and sigma <cos theta*> interpolated from 48 log-spaced s - s_th (0.5 % on epsilon);
    ``"direct"``: evaluated at every one of the 48 x 48 x 16 thermal nodes (~700x slower; benchmarks/bounds_bench.py).
    """
    t, m, mu = core.temperature, c.LEPTON_MASSES[lepton], core.chemical_potential(lepton)
    s_th = (m + m_s) ** 2
    e, om, s, thermal = _thermal_grid(t, m, mu)
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
    weight = thermal * (1.0 - _fermi(e + om - mean_energy, mu, t))
    q = float(np.sum(weight * sig_energy))
    rate = float(np.sum(weight * sig))
    if rate <= 0.0:
        return 0.0, 0.0
    return q * _GEV4_TO_ERG_PER_CM3_S / core.density, q / rate


@cache
def _thermal_grid(t: float, m: float, mu: float) -> tuple[NDArray[np.float64], ...]:
    """The m_S-independent part of :func:`compton_emission`'s 48 x 48 x 16 nodes (lepton |p|, photon energy,
    cos of their angle): (E_l, omega, s, the thermal weight without the final-state Pauli blocking), computed once
    per core and lepton (the arrays are shared: not to be modified)."""
    p, wp = _momentum_nodes(m, mu, t)
    w, ww = _nodes(_SPAN * t)
    e = np.hypot(p, m)[:, None, None]
    om = w[None, :, None]
    cos = _CX[None, None, :]
    s = m * m + 2.0 * om * (e - p[:, None, None] * cos)
    thermal = (wp * p * p)[:, None, None] * _fermi(e, mu, t) * (ww * w * w * _bose(w, t))[None, :, None] \
        * (0.5 * _CW)[None, None, :] * (1.0 - p[:, None, None] / e * cos) / math.pi**4
    for a in (e, om, s, thermal):
        a.flags.writeable = False
    return e, om, s, thermal


@cache
def _shipped_emission(m_s: float, lepton: str) -> tuple[float, float]:
    """:func:`compton_emission` in the shipped core (memoised: sn1987a-muon and sn1987a-lepton share the muons')."""
    return compton_emission(_inputs()[0], m_s, lepton=lepton)


def photon_scattering_rate(core: Core, m_chi: float, m_s: float, energy: float) -> float:
    """Gamma(chi gamma -> chi gamma) in GeV for a chi of ``energy`` in the thermal photon bath, per unit (g_chi G)^2."""
    t = core.temperature
    p_chi = math.sqrt(max(energy * energy - m_chi * m_chi, 0.0))
    w, ww = _nodes(_SPAN * t)
    s = m_chi * m_chi + 2.0 * w[:, None] * (energy - p_chi * _CX[None, :])
    sig = photon_scattering_cross_section(s, m_chi, m_s, 1.0, 1.0)
    flux = 1.0 - p_chi / energy * _CX[None, :]
    return float(np.sum((ww * w * w * _bose(w, t))[:, None] * 0.5 * _CW[None, :] * flux * sig)) / math.pi**2


_TX, _TW = np.polynomial.legendre.leggauss(24)  # in ln(m_S^2 - t): the t-channel peak of light S
_PHI = (np.arange(8) + 0.5) * math.pi / 8.0  # midpoint rule in the CM azimuth over [0, pi] (even integrand)


def lepton_scattering_rate(core: Core, lepton: str, m_chi: float, m_s: float, energy: float,
                           transport: bool = False) -> float:
    """Gamma(chi l -> chi l) in GeV for a chi of ``energy`` among the core's Fermi-Dirac leptons, per unit
    (g_chi g_l)^2, with the final lepton Pauli-blocked at its exact plasma-frame energy:

    Gamma = 2 int d^3p/(2 pi)^3 f(E_l) p*/(64 pi^2 E E_l sqrt(s)) int dOmega* |M|^2 (1 - f(E_l')) [w],

    |M|^2 of :func:`~muonreach.production.scalar_compton.fermion_scattering_squared_amplitude` (spin-averaged),
    dOmega* in the CM frame (24 nodes in ln(m_S^2 - t), 2 x 8 azimuths), E_l' by boosting the final lepton back.
    ``transport=True`` weights each collision by w = 1 - cos theta_lab of the chi deflection in the plasma frame
    (the momentum-transfer rate: small-angle collisions count little; a diagnostic, not 000's criterion).
    """
    t_core, m, mu = core.temperature, c.LEPTON_MASSES[lepton], core.chemical_potential(lepton)
    k = math.sqrt(max(energy * energy - m_chi * m_chi, 0.0))
    p, wp = _momentum_nodes(m, mu, t_core)
    p, cos = p[:, None], _CX[None, :]
    e_l = np.hypot(p, m)
    px, pz = p * np.sqrt(1.0 - cos * cos), p * cos + k  # total 3-momentum (chi along z)
    total = energy + e_l
    s = total**2 - px**2 - pz**2
    root = np.sqrt(s)
    gamma, bx, bz = total / root, px / total, pz / total  # the CM velocity in the plasma frame
    b2 = np.maximum(bx * bx + bz * bz, 1e-300)
    # the chi momentum boosted to the CM frame: k* = k + beta ((gamma - 1) beta.k / beta^2 - gamma E)
    along = (gamma - 1.0) * bz * k / b2 - gamma * energy
    kx, kz = bx * along, k + bz * along
    p_star = np.hypot(kx, kz)
    b_n = (bx * kx + bz * kz) / np.where(p_star > 0.0, p_star, 1.0)
    b_perp = np.sqrt(np.maximum(b2 - b_n * b_n, 0.0))
    lo = math.log(max(m_s * m_s, 1e-30))
    hi = np.log(m_s * m_s + 4.0 * p_star**2)[..., None, None]
    x = lo + 0.5 * (hi - lo) * (1.0 + _TX)[:, None]  # axes: p, cos, t node, azimuth
    q2 = np.exp(x)  # m_S^2 - t
    t = m_s * m_s - q2
    cos_star = np.clip(1.0 + t / (2.0 * p_star[..., None, None] ** 2), -1.0, 1.0)
    sin_star = np.sqrt(1.0 - cos_star**2)
    e_star = (s + m * m - m_chi * m_chi) / (2.0 * root)
    e_final = gamma[..., None, None] * (e_star[..., None, None] - p_star[..., None, None]
                                        * (cos_star * b_n[..., None, None] + sin_star * np.cos(_PHI) * b_perp[..., None, None]))
    amp2 = sc.fermion_scattering_squared_amplitude(t, m_chi, m, m_s)
    weight = 1.0 - _fermi(e_final, mu, t_core)
    if transport:
        weight = weight * (1.0 - _chi_lab_cosine(s, root, gamma, bz, b2, b_n, b_perp, kz / p_star, p_star, cos_star,
                                                 sin_star, m_chi, m))
    # dOmega* = dcos* dphi, dcos* = q2 dx / (2 p*^2); phi over [0, 2 pi] as twice [0, pi]
    inner = np.sum(amp2 * weight * q2 * _TW[:, None], axis=(-2, -1)) \
        * (0.5 * (hi[..., 0, 0] - lo)) / (2.0 * p_star**2) * (2.0 * math.pi / _PHI.size)
    outer = (wp[:, None] * p * p / math.pi**2) * 0.5 * _CW[None, :] * _fermi(e_l, mu, t_core) \
        * p_star / (64.0 * math.pi**2 * energy * e_l * root)
    return float(np.sum(outer * inner))


def _chi_lab_cosine(s: NDArray[np.float64], root: NDArray[np.float64], gamma: NDArray[np.float64],
                    bz: NDArray[np.float64], b2: NDArray[np.float64], b_n: NDArray[np.float64],
                    b_perp: NDArray[np.float64], n_z: NDArray[np.float64], p_star: NDArray[np.float64],
                    cos_star: NDArray[np.float64], sin_star: NDArray[np.float64], m_chi: float,
                    m: float) -> NDArray[np.float64]:
    """cos of the final chi's plasma-frame direction against its initial one (z), from the CM angles
    (cos*, phi about the initial CM direction n, phi = 0 towards the CM velocity): the CM momentum p* n' boosted
    back, p = p* n' + beta ((gamma - 1) beta.p* n'/beta^2 + gamma E*)."""
    g, b_2, bn, bp, nz, ps = (a[..., None, None] for a in (gamma, b2, b_n, b_perp, n_z, p_star))
    e1_z = np.where(bp > 0.0, (bz[..., None, None] - bn * nz) / np.where(bp > 0.0, bp, 1.0), 0.0)
    azimuth = sin_star * np.cos(_PHI)
    nprime_z = cos_star * nz + azimuth * e1_z
    b_dot = ps * (cos_star * bn + azimuth * bp)
    e_chi = ((s + m_chi * m_chi - m * m) / (2.0 * root))[..., None, None]
    pz = ps * nprime_z + bz[..., None, None] * ((g - 1.0) * b_dot / b_2 + g * e_chi)
    p_lab = np.sqrt(np.maximum((g * (e_chi + b_dot)) ** 2 - m_chi * m_chi, 1e-300))
    return np.clip(pz / p_lab, -1.0, 1.0)


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


@dataclass(frozen=True)
class _Treatment:
    """Which leptons of the core produce S (gamma l -> l S) and trap chi (chi l -> chi l), besides chi gamma."""

    name: str
    producers: tuple[str, ...]
    scatterers: tuple[str, ...]
    transport: bool = False  # chi l -> chi l weighted by 1 - cos theta_lab (a diagnostic: docs/constraints.md)


def _compute(treatment: _Treatment, spec: ModelSpec, masses: NDArray[np.float64],
             overrides: Mapping[str, object]) -> BoundRows:
    core, d, _ = _inputs()
    low = np.full(masses.size, math.nan)
    high = np.full(masses.size, math.nan)
    notes: list[str] = []
    for i, mass in enumerate(masses):
        m = float(mass)
        if m > d["mass_max"]:
            continue
        reference = spec.build(m, 1e-6, overrides)
        if "e" not in treatment.producers and yukawa(reference, "e") != 0.0:  # overrides may switch on g_e
            raise InvalidParameter(f"{treatment.name}: the model couples to electrons, whose production and trapping "
                                   "(000 Sec. 4.2) this estimate does not include; use sn1987a-lepton")
        m_chi, g_chi = _dark_coupling(reference, reference.partial_widths())
        if g_chi == 0.0:
            notes.append(f"m = {m:g} GeV: no S -> chi chi decay, the dark-matter trapping estimate does not apply")
            continue
        emission = {lep: _shipped_emission(m, lep) for lep in treatment.producers}
        if all(eps <= 0.0 for eps, _ in emission.values()):
            continue
        ratio = {lep: yukawa(reference, lep) / 1e-6 for lep in treatment.producers}  # g_l / g at this model
        weights = {lep: ratio[lep] ** 2 * emission[lep][0] for lep in treatment.producers}
        e_s = sum(weights[lep] * emission[lep][1] for lep in weights) / sum(weights.values())
        e_chi = max(0.5 * e_s, m_chi * (1.0 + 1e-9))
        v_chi = math.sqrt(max(1.0 - (m_chi / e_chi) ** 2, 0.0))
        photon1 = photon_scattering_rate(core, m_chi, m, e_chi)
        lepton1 = {lep: lepton_scattering_rate(core, lep, m_chi, m, e_chi, treatment.transport)
                   for lep in treatment.scatterers}

        eps1 = {lep: eps for lep, (eps, _) in emission.items()}

        def excess(g: float, m: float = m, eps1: dict[str, float] = eps1, photon1: float = photon1,
                   lepton1: dict[str, float] = lepton1, v_chi: float = v_chi) -> float:
            model = spec.build(m, g, overrides)
            widths = model.partial_widths()
            invisible = sum(widths.get(k, 0.0) for k in model.invisible_channels()) / sum(widths.values())
            cooling = sum(yukawa(model, lep) ** 2 * eps for lep, eps in eps1.items()) * invisible
            g_chi = _dark_coupling(model, widths)[1]
            scatter = g_chi**2 * (photon1 * _photon_coupling(model, widths) ** 2
                                  + sum(yukawa(model, lep) ** 2 * r for lep, r in lepton1.items()))
            path = v_chi * u.HBARC_GEV_CM / scatter if scatter > 0.0 else math.inf
            if cooling <= 0.0:
                return -math.inf
            return min(math.log(cooling / d["energy_loss_max"]), math.log(path / d["core_radius"]))

        low[i], high[i] = excluded_interval(excess, max_slope=RATE_SLOPE)
    return BoundRows(masses, low, high, tuple(notes))


def _applies_muon(spec: ModelSpec) -> bool:
    model = spec.build(0.05, 1e-3)
    return yukawa(model, "mu") != 0.0 and yukawa(model, "e") == 0.0 and bool(model.invisible_channels())


def _applies_lepton(spec: ModelSpec) -> bool:
    model = spec.build(0.05, 1e-3)
    return yukawa(model, "mu") != 0.0 and yukawa(model, "e") != 0.0 and bool(model.invisible_channels())


_MUON = _Treatment("sn1987a-muon", ("mu",), ())
_LEPTON = _Treatment("sn1987a-lepton", ("e", "mu"), _inputs()[2])

def _core_text(leptons: tuple[str, ...]) -> tuple[str, str, str]:
    """(core, trapping radius, mass cut) of the inputs file as text for the layers' caveats (the text follows the data)."""
    core, d, _ = _inputs()
    fractions = ", ".join(f"Y_{lep} = {core.fractions[lep]:g}" for lep in leptons)
    return (f"one-zone core (T = {1e3 * core.temperature:g} MeV, rho = {core.density:g} g/cm^3, {fractions} "
            f"ASSUMPTION)"), f"r_core = {d['core_radius'] / 1e5:g} km", f"cut at {1e3 * d['mass_max']:g} MeV"


_MUON_CORE, _RADIUS, _CUT = _core_text(("mu",))
_LEPTON_CORE = _core_text(("e", "mu"))[0]

register_bound(ComputedBound(
    "sn1987a-muon", "SN 1987A cooling (gamma mu -> mu S, S -> chi chi) and chi trapping (chi gamma -> chi gamma), "
    "one-zone core", "000_2bfc33bcfac4181d.txt Sec. 4.2 (criteria); cross sections: production/scalar_compton.py",
    _inputs()[1]["cl"], _applies_muon, partial(_compute, _MUON),
    approximate=f"APPROXIMATE: {_MUON_CORE}, Compton production only, trapping by chi gamma -> chi gamma against "
                f"{_RADIUS} (000's estimate), {_CUT}"))

register_bound(ComputedBound(
    "sn1987a-lepton", "SN 1987A cooling (gamma e -> e S, gamma mu -> mu S, S -> chi chi) and chi trapping "
    "(chi e -> chi e with Fermi blocking, chi gamma -> chi gamma), one-zone core",
    "000_2bfc33bcfac4181d.txt Sec. 4.2 (criteria); cross sections: production/scalar_compton.py",
    _inputs()[1]["cl"], _applies_lepton, partial(_compute, _LEPTON),
    approximate=f"APPROXIMATE: {_LEPTON_CORE}, Compton production only (no plasmon mixing: the lower edge is "
                f"conservative), trapping by the mean free path of chi e -> chi e (Pauli-blocked) and chi gamma -> chi "
                f"gamma against {_RADIUS} (not 000's pi/2-deflection criterion), {_CUT}"))
