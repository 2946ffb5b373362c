"""Tree-level annihilation cross sections of the dark matter into Standard-Model final states, per model family.

Each ``*_sector(model)`` returns a :class:`~muonreach.cosmo.channels.DarkSector` that follows the contract of
:mod:`muonreach.cosmo.channels` exactly: sigma_ij(s) in GeV^-2 as a function of the Mandelstam s (numpy in,
numpy out), for particle i + ANTIparticle j when the states are not self-conjugate (for self-conjugate states,
i + j), averaged over the initial spins (1/dof_i/dof_j), summed over final states, and exactly 0 at and below
every threshold (s <= (m_i + m_j)^2, and s <= (m_f1 + m_f2)^2 channel by channel). Derivations, paper
comparisons and the discrepancies found are in ``docs/annihilation.md``.

Everything is an s-channel exchange of the model's mediator of mass M, with the full tree-level s dependence
and the Breit-Wigner factor

    P(s) = |1/(s - M^2 + i M Gamma)|^2 = 1/((s - M^2)^2 + M^2 Gamma^2),   Gamma = model.total_width.

Width scheme. The default ``width="constant"`` uses the total width at the pole, as returned by the model (the
fixed-width scheme of Griest & Seckel, Phys. Rev. D 43 (1991) 3191, and Gondolo & Gelmini, Nucl. Phys. B 360
(1991) 145, used by most relic codes). ``width="running"`` replaces M Gamma by sqrt(s) Gamma(sqrt s), the
imaginary part of the one-loop self-energy of the mediator (scalar, or the transverse part of a vector), with
Gamma(sqrt s) the total width of the same model at mass sqrt(s). The two agree at the pole and differ by
O(Gamma/M) across the peak (|s - M^2| ~ M Gamma); next to a threshold whose width changes fast (the
resonant benchmark of 000 eq. (2.9), where Gamma(S -> chi chibar) ~ beta_chi^3 is small) the difference is at
the per-cent level (numbers in docs/annihilation.md). The constant width is the default because (i) it is the
model's own ``total_width`` (one number, also returned by :func:`poles`), (ii) the running width of a
kinetically mixed vector needs R(sqrt s) at every s (DataRangeError above 38.4 GeV even for leptonic
channels) and (iii) away from the peak the width term is negligible in both schemes. Neither keeps the
real part of the self-energy; both are good to O(Gamma/M).

Conventions: v is the Moller velocity, equal in the centre-of-mass frame to the relative velocity
p sqrt(s)/(E_1 E_2) (= 2 beta for equal masses, so s = 4 m^2/(1 - v^2/4)); sigma v = a + b v^2 + O(v^4).
Couplings are those of the models (``models/scalar.py``, ``models/emu_scalar.py``, ``models/dark_photon.py``,
``models/vector.py``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import constants as c
from ..errors import DataRangeError, InvalidParameter
from ..models.base import Mediator
from ..models.dark_photon import DarkPhoton, InelasticDM
from ..models.emu_scalar import EmuScalar
from ..models.rratio import r_values, sqrt_s_range
from ..models.scalar import LeptophilicScalar, scalar_to_photons_width
from ..models.vector import LmuLtau, MuonVector
from .channels import CrossSection, DarkSector, DarkState

__all__ = [
    "WIDTH_SCHEMES",
    "Channel",
    "annihilation_channels",
    "dark_photon_sector",
    "dark_sector",
    "emu_scalar_sector",
    "inelastic_dm_sector",
    "leptophilic_scalar_sector",
    "lmu_ltau_sector",
    "muon_vector_sector",
    "poles",
    "sigma_fermions_via_vector",
    "vector_current_contraction",
]

#: Breit-Wigner width schemes (see the module docstring).
WIDTH_SCHEMES: tuple[str, ...] = ("constant", "running")

Propagator = Callable[[NDArray[np.float64]], NDArray[np.float64]]
Pair = tuple[int, int]


# --- kinematics ---------------------------------------------------------------------------------------


def _momentum(s: NDArray[np.float64], m_a: float, m_b: float) -> NDArray[np.float64]:
    """Centre-of-mass momentum sqrt(lambda(s, m_a^2, m_b^2))/(2 sqrt s), for s above (m_a + m_b)^2."""
    lam = (s - (m_a + m_b) ** 2) * (s - (m_a - m_b) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * np.sqrt(s))


def _beta(s: NDArray[np.float64], m: float) -> NDArray[np.float64]:
    """Velocity sqrt(1 - 4 m^2/s) of each member of an equal-mass pair, for s above 4 m^2."""
    return np.sqrt(np.clip(1.0 - 4.0 * m * m / s, 0.0, None))


def _on_open(s: ArrayLike, threshold: float, f: Callable[[NDArray[np.float64]], NDArray[np.float64]]) -> NDArray[np.float64]:
    """f(s) where s > threshold, exactly 0 elsewhere (f is only evaluated on the open points); shape of s kept."""
    s = np.asarray(s, dtype=float)
    if np.any(np.isnan(s)):
        raise InvalidParameter("Mandelstam s must not be NaN")
    out = np.zeros(s.shape)
    mask = s > threshold
    if np.any(mask):
        out[mask] = f(s[mask])
    return out


@dataclass(frozen=True)
class Channel:
    """One annihilation channel: sigma(s) in GeV^-2 for s above ``threshold`` (GeV^2), 0 at and below it.

    ``threshold`` is max((m_i + m_j)^2, (m_f1 + m_f2)^2); ``formula`` (s > threshold, vectorised) is the
    tree-level cross section of the sector function that built it.
    """

    name: str
    threshold: float
    formula: Callable[[NDArray[np.float64]], NDArray[np.float64]]

    def __call__(self, s: ArrayLike) -> NDArray[np.float64]:
        return _on_open(s, self.threshold, self.formula)


@dataclass(frozen=True)
class _Total:
    """Sum of the channels of one initial pair (the sigma_ij of the contract)."""

    channels: tuple[Channel, ...]

    def __call__(self, s: ArrayLike) -> NDArray[np.float64]:
        s = np.asarray(s, dtype=float)
        total = np.zeros(s.shape)
        for ch in self.channels:
            total = total + ch(s)
        return total


# --- propagator ------------------------------------------------------------------------------------------


def _propagator(model: Mediator, width: str) -> Propagator:
    """|1/(s - M^2 + i Im Sigma)|^2 with Im Sigma = M Gamma(M) ('constant') or sqrt(s) Gamma(sqrt s) ('running')."""
    if width not in WIDTH_SCHEMES:
        raise InvalidParameter(f"width must be one of {', '.join(WIDTH_SCHEMES)}; got {width!r}")
    m2 = model.mass**2
    if width == "constant":
        mg2 = (model.mass * model.total_width) ** 2

        def constant(s: NDArray[np.float64]) -> NDArray[np.float64]:
            return 1.0 / ((s - m2) ** 2 + mg2)

        return constant

    def running(s: NDArray[np.float64]) -> NDArray[np.float64]:
        unique, inverse = np.unique(s, return_inverse=True)
        gamma = np.array([dataclasses.replace(model, mass=math.sqrt(x)).total_width for x in unique])[inverse]
        return 1.0 / ((s - m2) ** 2 + s * gamma.reshape(s.shape) ** 2)

    return running


# --- the shared building blocks ---------------------------------------------------------------------------


def vector_current_contraction(
    p1: NDArray[np.float64],
    p2: NDArray[np.float64],
    k1: NDArray[np.float64],
    k2: NDArray[np.float64],
    m1: float,
    m2: float,
    m_f: float,
) -> NDArray[np.float64]:
    """(1/16) L_chi^{mu nu} L_f,mu nu for fermion(p1, m1) + antifermion(p2, m2) -> f(k1) fbar(k2) via a vector.

    L_chi = Tr[(p2/ - m2) g^mu (p1/ + m1) g^nu] = 4 [p1^mu p2^nu + p2^mu p1^nu - g^{mu nu}(p1.p2 + m1 m2)],
    L_f = Tr[(k1/ + m_f) g_mu (k2/ - m_f) g_nu] = 4 [k1 k2 + k2 k1 - g (k1.k2 + m_f^2)], and

        L_chi . L_f / 16 = 2 (p1.k1)(p2.k2) + 2 (p1.k2)(p2.k1) + 2 m_f^2 (p1.p2 + m1 m2) + 2 m1 m2 (k1.k2 + m_f^2).

    Four-vectors along the last axis, metric (+,-,-,-). Checked against explicit Dirac matrices in the tests.
    """

    def dot(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
        return a[..., 0] * b[..., 0] - np.sum(a[..., 1:] * b[..., 1:], axis=-1)

    return (
        2.0 * dot(p1, k1) * dot(p2, k2)
        + 2.0 * dot(p1, k2) * dot(p2, k1)
        + 2.0 * m_f**2 * (dot(p1, p2) + m1 * m2)
        + 2.0 * m1 * m2 * (dot(k1, k2) + m_f**2)
    )


def sigma_fermions_via_vector(
    s: NDArray[np.float64],
    m1: float,
    m2: float,
    g_dm: float,
    g_f: float,
    m_f: float,
    propagator: Propagator,
    helicity_fraction: float = 1.0,
) -> NDArray[np.float64]:
    """sigma(chi_a chi_b -> V* -> f fbar) for a vector current g_dm chibar_b gamma chi_a of unequal masses m1, m2.

    The one helper for every "fermion pair -> vector* -> fermion pair" channel: Dirac chi chibar (m1 = m2) and
    the inelastic chi1 chi2 (m2 = m1 + Delta). The amplitude is M = g_dm g_f [vbar(p2) g^mu u(p1)] [ubar(k1)
    g_mu v(k2)] / (s - M^2 + i M Gamma); the k^mu k^nu/M^2 part of the propagator drops because the SM current
    (g_f fbar gamma f, equal masses) is conserved, even though the dark current is not for m1 != m2.
    With :func:`vector_current_contraction`, sum_spins |M|^2 = 16 g_dm^2 g_f^2 P(s) [2 (p1.k1)(p2.k2) + 2 (p1.k2)
    (p2.k1) + 2 m_f^2 (p1.p2 + m1 m2) + 2 m1 m2 (k1.k2 + m_f^2)]. Its angular average in the c.m. frame is
    16 g_dm^2 g_f^2 P (s - D^2)(2 s + S^2)(s + 2 m_f^2)/(6 s) with S = m1 + m2, D = m2 - m1; spin average 1/4
    and sigma = <|M|^2> p_f/(16 pi s p_i) give

        sigma = g_dm^2 g_f^2 (2 s + S^2)(s + 2 m_f^2) sqrt(1 - 4 m_f^2/s) sqrt(s - D^2) P(s) / (24 pi s sqrt(s - S^2)).

    For m1 = m2 = m: g_dm^2 g_f^2 (s + 2 m^2)(s + 2 m_f^2) beta_f P/(12 pi s beta_chi), whose massless, heavy-
    mediator limit at s >> m^2 is the point cross section 4 pi alpha^2/(3 s) for g = e. ``helicity_fraction``
    = 1/2 for a massless neutrino coupled as nubar gamma P_L nu (the epsilon tensor of Tr[.. gamma5] contracts
    to 0 with the symmetric dark tensor). Evaluated where s > max(S^2, 4 m_f^2), 0 elsewhere.
    """
    big_s2, d2 = (m1 + m2) ** 2, (m2 - m1) ** 2

    def f(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return (
            helicity_fraction
            * (g_dm * g_f) ** 2
            * (2.0 * x + big_s2)
            * (x + 2.0 * m_f * m_f)
            * _beta(x, m_f)
            * np.sqrt(x - d2)
            * propagator(x)
            / (24.0 * math.pi * x * np.sqrt(x - big_s2))
        )

    return _on_open(s, max(big_s2, 4.0 * m_f * m_f), f)


def _hadrons(
    s: NDArray[np.float64], m1: float, m2: float, g_dm: float, eps_e: float, propagator: Propagator
) -> NDArray[np.float64]:
    """sigma(-> hadrons) = sigma(-> mu mu with m_mu = 0) R(sqrt s) (DarkCast arXiv:1801.04847).

    R is the data-driven ratio of :mod:`muonreach.models.rratio` (0 below 0.2818 GeV); above the end of the
    table (38.38 GeV) DataRangeError propagates, as for the widths.
    """
    s = np.asarray(s, dtype=float)
    root = np.sqrt(np.clip(s[s > (m1 + m2) ** 2], 0.0, None))
    high = sqrt_s_range()[1]
    if root.size and float(root.max()) > high:
        raise DataRangeError(
            f"hadronic annihilation needs R(sqrt s), tabulated up to {high:g} GeV; got sqrt(s) = {float(root.max()):g} GeV"
        )
    massless = sigma_fermions_via_vector(s, m1, m2, g_dm, eps_e, 0.0, propagator)
    return massless * r_values(np.sqrt(np.clip(s, 0.0, None)))


# --- checks --------------------------------------------------------------------------------------------------


def _require_dm(model: Mediator) -> None:
    """One-line InvalidParameter for a model without dark matter (or with a zero dark coupling)."""
    name = type(model).__name__
    if isinstance(model, LeptophilicScalar | LmuLtau | MuonVector):
        if model.m_chi is None or model.g_chi == 0.0:
            raise InvalidParameter(f"{name} has no dark matter to annihilate: set m_chi and a non-zero g_chi")
    elif isinstance(model, DarkPhoton):
        if model.m_chi is None or model.alpha_D == 0.0:
            raise InvalidParameter(f"{name} has no dark matter to annihilate: set m_chi and a non-zero alpha_D")
    elif isinstance(model, InelasticDM):
        if model.alpha_D == 0.0:
            raise InvalidParameter(f"{name} with alpha_D = 0 does not couple chi1 chi2 to the dark photon")
    elif isinstance(model, EmuScalar):
        if model.dm == "none" or model.g_dm == 0.0:
            raise InvalidParameter(f"{name} has no dark matter to annihilate: set dm='scalar' or 'fermion' and g_dm != 0")
    else:
        raise InvalidParameter(f"no dark-matter annihilation is implemented for {name}")


def _sector(
    states: tuple[DarkState, ...], channels: Mapping[Pair, list[Channel]], description: str
) -> DarkSector:
    cross_sections: dict[Pair, CrossSection] = {pair: _Total(tuple(chs)) for pair, chs in channels.items() if chs}
    return DarkSector(states=states, cross_sections=cross_sections, description=description)


# --- 1. leptophilic scalar, Dirac chi ---------------------------------------------------------------------------


def _leptophilic_channels(model: LeptophilicScalar, width: str) -> tuple[tuple[DarkState, ...], dict[Pair, list[Channel]], str]:
    _require_dm(model)
    m, g_chi = float(model.m_chi), model.g_chi  # type: ignore[arg-type]
    prop = _propagator(model, width)
    channels: list[Channel] = []
    for lepton, g_l in model.lepton_couplings.items():
        if g_l == 0.0:
            continue
        m_l = c.LEPTON_MASSES[lepton]

        def ll(s: NDArray[np.float64], g_l: float = g_l, m_l: float = m_l) -> NDArray[np.float64]:
            return (g_chi * g_l) ** 2 * s * _beta(s, m) * _beta(s, m_l) ** 3 * prop(s) / (16.0 * math.pi)

        channels.append(Channel(f"{lepton}_{lepton}", max(4.0 * m * m, 4.0 * m_l * m_l), ll))
    couplings = {k: v for k, v in model.lepton_couplings.items() if v != 0.0}
    if couplings:

        def photons(s: NDArray[np.float64]) -> NDArray[np.float64]:
            root = np.sqrt(s)
            gamma = scalar_to_photons_width(root, couplings)
            return g_chi**2 * _beta(s, m) * root * gamma * prop(s) / 2.0

        channels.append(Channel("gamma_gamma", 4.0 * m * m, photons))
    states = (DarkState("chi", m, 2, False),)
    return states, {(0, 0): channels}, f"Dirac chi ({m:g} GeV) chi chibar -> S* -> l+ l-, gamma gamma; S {model.mass:g} GeV"


def leptophilic_scalar_sector(model: LeptophilicScalar, width: str = "constant") -> DarkSector:
    """Dirac chi chibar -> S* -> l+ l- (l = e, mu, tau) and -> gamma gamma through the lepton loop.

    L = -g_chi S chibar chi - sum_l g_l S lbar l (000 eq. (2.1)). Amplitude M = g_chi g_l [vbar(p2) u(p1)]
    [ubar(k1) v(k2)] / (s - M^2 + i M Gamma); sum_spins |M|^2 = Tr[(p2/ - m)(p1/ + m)] Tr[(k1/ + m_l)(k2/ - m_l)]
    g_chi^2 g_l^2 P = 4 g_chi^2 g_l^2 (s - 4 m_chi^2)(s - 4 m_l^2) P (isotropic), so

        sigma(chi chibar -> l+ l-) = g_chi^2 g_l^2 s beta_chi beta_l^3 P(s) / (16 pi),   beta_x = sqrt(1 - 4 m_x^2/s).

    Non-relativistically (v = 2 beta_chi exactly): sigma v = g_chi^2 g_l^2 s beta_l^3 P v^2/(32 pi), a = 0 and
    b = g_chi^2 g_l^2 (m_chi^2 - m_l^2)^(3/2) / (8 pi m_chi [(4 m_chi^2 - m_S^2)^2 + m_S^2 Gamma^2]): 000 eq.
    (2.7) (printed "up to O(1)") with the coefficient 1/(8 pi) for <v_rel^2>, p-wave.

    Photons: the S* -> gamma gamma vertex is the lepton loop at p_S^2 = s, i.e. the effective coupling
    g_gg(s) = alpha/(2 pi) |sum_l (g_l/m_l) F_1/2(4 m_l^2/s, 0)| of 000 eq. (2.4). Because the S* line carries
    spin 0, |M|^2 factorises into the chi side 2 g_chi^2 (s - 4 m^2) and the final side sum|M(S*(sqrt s) -> X)|^2
    = 32 pi sqrt(s) Gamma_X(sqrt s) (Gamma of an S of mass sqrt s, identical-particle 1/2 included), so for any X

        sigma(chi chibar -> X) = g_chi^2 beta_chi sqrt(s) Gamma_X(sqrt s) P(s) / 2
                               = 4 pi Gamma_chi(sqrt s) Gamma_X(sqrt s) P(s) / beta_chi^2,

    with Gamma_gg from :func:`muonreach.models.scalar.scalar_to_photons_width` at mass sqrt(s). (For X = l+ l-
    it is the formula above.) The photon channel is p-wave too: b = g_chi^2 m_chi Gamma_gg(2 m_chi) P(4 m^2)/2.
    Valid for any m_chi (the 000 benchmarks take m_chi < m_S/2); chi chibar -> S S (open for m_chi > m_S) is
    not an SM final state and not included.
    """
    return _sector(*_leptophilic_channels(model, width))


# --- 2. e-mu scalar with scalar or fermion DM -------------------------------------------------------------------


def _emu_channels(model: EmuScalar, width: str) -> tuple[tuple[DarkState, ...], dict[Pair, list[Channel]], str]:
    _require_dm(model)
    m1, m2 = model.dm_masses
    g, h = model.g_dm, model.h_mue
    prop = _propagator(model, width)
    big_s2, d2 = (m1 + m2) ** 2, (m2 - m1) ** 2
    threshold = max(big_s2, (c.M_E + c.M_MU) ** 2)
    lep2 = c.M_E**2 + c.M_MU**2

    def fermions(s: NDArray[np.float64]) -> NDArray[np.float64]:
        p_f = _momentum(s, c.M_E, c.M_MU)
        num = (g * h) ** 2 * (s - lep2) * p_f * np.sqrt(s - big_s2) * prop(s)
        return num / (16.0 * math.pi * np.sqrt(s) * np.sqrt(s - d2))

    def scalars(s: NDArray[np.float64]) -> NDArray[np.float64]:
        p_f = _momentum(s, c.M_E, c.M_MU)
        num = (g * h) ** 2 * (s - lep2) * p_f * prop(s)
        return num / (8.0 * math.pi * np.sqrt(s) * np.sqrt((s - big_s2) * (s - d2)))

    if model.dm == "fermion":
        states = (DarkState("psi1", m1, 2, False), DarkState("psi2", m2, 2, False))
        text = f"Dirac psi1 ({m1:g} GeV) + anti-psi2 ({m2:g} GeV) -> phi* -> e- mu+ (and CP conjugate); phi {model.mass:g} GeV"
        formula = fermions
    else:
        states = (DarkState("s1", m1, 1, False), DarkState("s2", m2, 1, False))
        text = f"complex s1 ({m1:g} GeV) + s2 ({m2:g} GeV) -> phi* -> e+ mu- (and CP conjugate); phi {model.mass:g} GeV"
        formula = scalars
    return states, {(0, 1): [Channel("e_mu", threshold, formula)]}, text


def emu_scalar_sector(model: EmuScalar, width: str = "constant") -> DarkSector:
    """Co-annihilation of the two dark states of 001 through the off-diagonal e-mu scalar phi (s channel).

    Which pairs annihilate (from 001 eqs. (2), (10), (11)): L = -h ebar P_R mu phi - h mubar P_L e phi^* and
    g phi psi1bar psi2 + g phi^* psi2bar psi1 (fermions) or g phi s1 s2 + g phi^* s1^* s2^* (scalars). So
    psi1 + anti-psi2 -> phi* -> e- mu+ and its CP conjugate anti-psi1 + psi2 -> phi*bar -> e+ mu-; for
    scalars s1 + s2 -> phi*bar -> e+ mu- and anti-s1 + anti-s2 -> e- mu+. Each initial pair has ONE charge
    combination; psi1 psi1bar, psi2 psi2bar (and psi1 psi2) do not annihilate into SM at tree level.
    States: psi1, psi2 (Dirac, dof 2) or s1, s2 (complex, dof 1); only the pair (0, 1) is listed:

    * fermions: sigma_01 = sigma(psi1 anti-psi2 -> e- mu+), exactly the contract's "particle i +
      antiparticle j"; the CP-conjugate pair is the contract's implied (anti-i, j), same cross section.
    * scalars: sigma_01 = sigma(s1 s2 -> e+ mu-). The contract reads it as s1 + anti-s2; for a symmetric
      plasma (n_s = n_sbar) the rate sigma [n(s1) n(s2) + n(s1bar) n(s2bar)] equals the contract's
      sigma [n(s1) n(s2bar) + n(s1bar) n(s2)], so the freeze-out is the same.

    |M|^2 (M the mediator mass, P(s) the Breit-Wigner factor, lepton trace Tr[k_e/ P_R k_mu/ P_L] = 2 k_e.k_mu
    = s - m_e^2 - m_mu^2, the m_e m_mu term vanishing by chirality):

    * fermions: sum |M|^2 = g^2 h^2 Tr[(p2/ - m2)(p1/ + m1)] (s - m_e^2 - m_mu^2) P
      = 2 g^2 h^2 (s - (m1 + m2)^2)(s - m_e^2 - m_mu^2) P, isotropic; average 1/4;
      sigma = g^2 h^2 (s - m_e^2 - m_mu^2) p_f sqrt(s - S^2) P / (16 pi sqrt(s) sqrt(s - D^2)).
    * scalars (g in GeV): |M|^2 = g^2 h^2 (s - m_e^2 - m_mu^2) P;
      sigma = g^2 h^2 (s - m_e^2 - m_mu^2) p_f P / (8 pi sqrt(s) sqrt((s - S^2)(s - D^2))),

    p_f the e (or mu) momentum in the c.m. frame, S = m1 + m2, D = m2 - m1. NR limits: sigma v = |M|^2 p_f /
    (16 pi (m1 + m2) m1 m2) = 001 eq. (15) with eq. (16) (scalars, s-wave, exact at v = 0) and with eq. (18)
    (fermions, p-wave: s - S^2 = m1 m2 v^2 + O(v^4)), each for ONE charge combination. For m1 = m2 >> m_mu the
    scalar result is 001 eq. (17); the fermion result is g^2 h^2 m1^2 v^2/(16 pi (m_phi^2 - 4 m1^2)^2), half
    of 001 eq. (19), which adds psi1 psi2bar -> e- mu+ and psi1bar psi2 -> e+ mu- (different initial states).
    """
    return _sector(*_emu_channels(model, width))


# --- 3. and 4. vector mediators ---------------------------------------------------------------------------------


def _vector_channel(
    name: str, m1: float, m2: float, g_dm: float, g_f: float, m_f: float, prop: Propagator, helicity_fraction: float = 1.0
) -> Channel:
    def formula(s: NDArray[np.float64]) -> NDArray[np.float64]:
        return sigma_fermions_via_vector(s, m1, m2, g_dm, g_f, m_f, prop, helicity_fraction)

    return Channel(name, max((m1 + m2) ** 2, 4.0 * m_f * m_f), formula)


def _hadron_channel(m1: float, m2: float, g_dm: float, eps_e: float, prop: Propagator) -> Channel:
    def formula(s: NDArray[np.float64]) -> NDArray[np.float64]:
        return _hadrons(s, m1, m2, g_dm, eps_e, prop)

    return Channel("hadrons", max((m1 + m2) ** 2, sqrt_s_range()[0] ** 2), formula)


def _kinetic_mixing_channels(m1: float, m2: float, g_dm: float, eps: float, prop: Propagator) -> list[Channel]:
    """e e, mu mu, tau tau (coupling eps e Q_l, Q_l = -1) and hadrons for a kinetically mixed vector."""
    eps_e = abs(eps) * c.E_CHARGE
    leptons = [_vector_channel(f"{l}_{l}", m1, m2, g_dm, eps_e, c.LEPTON_MASSES[l], prop) for l in c.LEPTONS]
    return [*leptons, _hadron_channel(m1, m2, g_dm, eps_e, prop)]


def _inelastic_channels(model: InelasticDM, width: str) -> tuple[tuple[DarkState, ...], dict[Pair, list[Channel]], str]:
    _require_dm(model)
    prop = _propagator(model, width)
    g_d = math.sqrt(4.0 * math.pi * model.alpha_D)
    channels = _kinetic_mixing_channels(model.m1, model.m2, g_d, model.eps, prop) if model.eps != 0.0 else []
    states = (DarkState("chi1", model.m1, 2, True), DarkState("chi2", model.m2, 2, True))
    text = f"Majorana chi1 ({model.m1:g} GeV) chi2 ({model.m2:g} GeV) -> A'* -> f fbar, hadrons; A' {model.mass:g} GeV"
    return states, {(0, 1): channels}, text


def inelastic_dm_sector(model: InelasticDM, width: str = "constant") -> DarkSector:
    """Co-annihilation chi1 chi2 -> A'* -> e+e-, mu+mu-, tau+tau-, hadrons (003 eq. (1)), full s dependence.

    chi1, chi2 are Majorana (dof 2, self-conjugate); the pseudo-Dirac current i g_D chibar_1 gamma chi_2 (the
    Majorana form of 003 eq. (1)) gives the Dirac-like vertex g_D gamma^mu with unequal masses, the same
    normalisation as the model's Gamma(A' -> chi1 chi2) (:func:`~muonreach.models.dark_photon.offdiagonal_vector_width`,
    which tends to the Dirac width as Delta -> 0). Only (0, 1) is listed: chi1 chi1 and chi2 chi2 have no
    vertex. sigma from :func:`sigma_fermions_via_vector` with g_dm = sqrt(4 pi alpha_D), g_f = eps e; hadrons
    = massless-muon cross section x R(sqrt s) (DarkCast arXiv:1801.04847); DataRangeError above 38.38 GeV.

    Exact s-wave limit (v -> 0; S = m1 + m2; P(S^2) the Breit-Wigner factor at threshold), per unit-charge f:
    a = g_D^2 eps^2 e^2 (S^2 + 2 m_f^2) sqrt(1 - 4 m_f^2/S^2) P(S^2) / (4 pi)
      = 4 pi alpha eps^2 alpha_D (S^2 + 2 m_f^2) sqrt(1 - 4 m_f^2/S^2) P(S^2).
    In the limit m_A' >> m1 >> Delta, m_f of 003 eq. (2): a -> 16 pi alpha eps^2 alpha_D m1^2/m_A'^4
    = 16 pi alpha y/m1^2 = 0.3668 y/m1^2 per channel, y = eps^2 alpha_D (m1/m_A')^4.
    """
    return _sector(*_inelastic_channels(model, width))


def _dark_photon_channels(model: DarkPhoton, width: str) -> tuple[tuple[DarkState, ...], dict[Pair, list[Channel]], str]:
    _require_dm(model)
    m = float(model.m_chi)  # type: ignore[arg-type]
    prop = _propagator(model, width)
    g_d = math.sqrt(4.0 * math.pi * model.alpha_D)
    channels = _kinetic_mixing_channels(m, m, g_d, model.eps, prop) if model.eps != 0.0 else []
    states = (DarkState("chi", m, 2, False),)
    return states, {(0, 0): channels}, f"Dirac chi ({m:g} GeV) chi chibar -> A'* -> f fbar, hadrons; A' {model.mass:g} GeV"


def dark_photon_sector(model: DarkPhoton, width: str = "constant") -> DarkSector:
    """Dirac chi chibar -> A'* -> e+e-, mu+mu-, tau+tau-, hadrons (kinetic mixing eps, dark coupling alpha_D).

    :func:`sigma_fermions_via_vector` at m1 = m2 = m_chi, g_dm = g_D = sqrt(4 pi alpha_D), g_f = eps e:
    sigma = g_D^2 eps^2 e^2 (s + 2 m_chi^2) (s + 2 m_f^2) beta_f P(s)/(12 pi s beta_chi).
    s-wave: a = g_D^2 eps^2 e^2 (2 m_chi^2 + m_f^2)
    sqrt(1 - m_f^2/m_chi^2) P(4 m_chi^2)/(2 pi) -> 16 pi alpha y/m_chi^2 for m_A' >> m_chi >> m_f;
    b/a = 1/6 + 2 m^2 (m_A'^2 - 4 m^2) P(4 m^2) for massless f (general m_f: docs/annihilation.md).
    Hadrons as in :func:`inelastic_dm_sector`.
    """
    return _sector(*_dark_photon_channels(model, width))


def _lmu_ltau_channels(model: LmuLtau, width: str) -> tuple[tuple[DarkState, ...], dict[Pair, list[Channel]], str]:
    _require_dm(model)
    m = float(model.m_chi)  # type: ignore[arg-type]
    prop = _propagator(model, width)
    g, g_chi = model.g, model.g_chi
    channels = []
    if g != 0.0:
        channels = [
            _vector_channel("mu_mu", m, m, g_chi, g, c.M_MU, prop),
            _vector_channel("tau_tau", m, m, g_chi, g, c.M_TAU, prop),
            _vector_channel("nu_mu_nu_mu", m, m, g_chi, g, 0.0, prop, 0.5),
            _vector_channel("nu_tau_nu_tau", m, m, g_chi, g, 0.0, prop, 0.5),
        ]
    states = (DarkState("chi", m, 2, False),)
    return states, {(0, 0): channels}, f"Dirac chi ({m:g} GeV) chi chibar -> Z'* -> mu mu, tau tau, nu nu; Z' {model.mass:g} GeV"


def lmu_ltau_sector(model: LmuLtau, width: str = "constant") -> DarkSector:
    """Dirac chi chibar -> Z'* -> mu+mu-, tau+tau-, nu_mu nubar_mu, nu_tau nubar_tau (gauged L_mu - L_tau).

    :func:`sigma_fermions_via_vector` with g_dm = g_chi, g_f = g' (the sign of the tau charge drops in |M|^2);
    neutrinos couple through nubar gamma P_L nu: one helicity, half the massless Dirac cross section. s-wave:
    per charged lepton a = g_chi^2 g'^2 (2 m^2 + m_l^2) sqrt(1 - m_l^2/m^2) P(4 m^2)/(2 pi), which for
    m_Z' >> m_chi >> m_l is y/(pi m_chi^2) with the M^3 variable y = g_chi^2 g'^2 (m_chi/m_Z')^4 (004,
    notes-004-part2.md S2); each neutrino flavour gives half of that. The loop-induced kinetic mixing of
    ``loop_mixing`` (e+e- and hadrons, < 4e-5 of nu nubar below 2 m_mu, < 3e-4 above) enters the total width
    through the model but is not added as an annihilation channel.
    """
    return _sector(*_lmu_ltau_channels(model, width))


def _muon_vector_channels(model: MuonVector, width: str) -> tuple[tuple[DarkState, ...], dict[Pair, list[Channel]], str]:
    _require_dm(model)
    m = float(model.m_chi)  # type: ignore[arg-type]
    prop = _propagator(model, width)
    couplings = model.lepton_couplings
    channels = []
    if couplings["mu"] != 0.0:
        channels.append(_vector_channel("mu_mu", m, m, model.g_chi, couplings["mu"], c.M_MU, prop))
    if model.eps != 0.0:
        channels.append(_vector_channel("e_e", m, m, model.g_chi, couplings["e"], c.M_E, prop))
        channels.append(_vector_channel("tau_tau", m, m, model.g_chi, couplings["tau"], c.M_TAU, prop))
        channels.append(_hadron_channel(m, m, model.g_chi, abs(model.eps) * c.E_CHARGE, prop))
    states = (DarkState("chi", m, 2, False),)
    return states, {(0, 0): channels}, f"Dirac chi ({m:g} GeV) chi chibar -> V* -> mu mu (+ mixing channels); V {model.mass:g} GeV"


def muon_vector_sector(model: MuonVector, width: str = "constant") -> DarkSector:
    """Dirac chi chibar -> V* -> mu+mu- (coupling g_mu - eps e) and, with kinetic mixing, e+e-, tau+tau-, hadrons.

    Same helper as the dark photon and L_mu - L_tau (:func:`sigma_fermions_via_vector`), couplings from
    :attr:`MuonVector.lepton_couplings`; hadrons through eps e with R(sqrt s).
    """
    return _sector(*_muon_vector_channels(model, width))


# --- dispatch -------------------------------------------------------------------------------------------------

_BUILDERS: tuple[tuple[type, Callable], ...] = (
    (LeptophilicScalar, _leptophilic_channels),
    (EmuScalar, _emu_channels),
    (InelasticDM, _inelastic_channels),
    (DarkPhoton, _dark_photon_channels),
    (LmuLtau, _lmu_ltau_channels),
    (MuonVector, _muon_vector_channels),
)


def _builder(model: Mediator) -> Callable:
    for kind, build in _BUILDERS:
        if isinstance(model, kind):
            return build
    _require_dm(model)  # raises InvalidParameter for an unsupported model
    raise AssertionError("unreachable")  # pragma: no cover


def annihilation_channels(model: Mediator, width: str = "constant") -> dict[Pair, dict[str, Channel]]:
    """The channels of every listed pair, by name (e.g. {(0, 0): {'mu_mu': ..., 'gamma_gamma': ...}}).

    Their sum is the sigma_ij of :func:`dark_sector`; useful for annihilation branching fractions.
    """
    _, channels, _ = _builder(model)(model, width)
    return {pair: {ch.name: ch for ch in chs} for pair, chs in channels.items() if chs}


def dark_sector(model: Mediator, width: str = "constant") -> DarkSector:
    """The :class:`DarkSector` of any supported model; InvalidParameter (one line) if it has no dark matter."""
    return _sector(*_builder(model)(model, width))


def poles(model: Mediator) -> list[tuple[float, float]]:
    """s-channel poles of the sector as (mediator mass, total width) in GeV: breakpoints for the thermal average.

    One mediator per model, so one pole; the width is the constant (pole) width ``model.total_width``.
    """
    _builder(model)  # same validation as dark_sector
    _require_dm(model)
    return [(model.mass, model.total_width)]
