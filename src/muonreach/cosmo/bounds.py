"""Astrophysical and theoretical bounds on the dark coupling g_chi of a scalar mediator S (000 Sec. 2.3, 4.3).

Source: 000_2bfc33bcfac4181d.txt = C.-Y. Chen, J. Kozaczuk, Y.-M. Zhong, "Exploring leptophilic dark matter
with NA64-mu", arXiv:1807.03790: eq. (2.10) (self-interaction), eq. (2.11) (running of g_chi), eq. (4.1)
(reference DM-electron cross section). Dirac DM chi with a Yukawa coupling g_chi S chibar chi; masses in GeV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..constants import M_E
from ..errors import InvalidParameter
from ..units import GEV2_TO_CM2, GEV_IN_GRAMS
from ..validation import coupling, finite, positive

#: sigma_T/m_chi above this (cm^2/g) is disfavoured: the "robust upper limit" 000 Sec. 2.3 adopts from
#: halo shapes of Milky-Way-sized galaxies (000 ref. [32]); dwarfs allow ~10, clusters 0.7-7 cm^2/g.
SIDM_LIMIT_CM2_G: float = 1.0
#: Typical DM relative velocity in haloes used for the Born condition m_chi v/m_S <~ 1 (000 Sec. 2.3:
#: "v_rel <~ O(1e-3) in most astrophysical systems").
V_REL_HALO: float = 1e-3
#: alpha_chi = g^2/(4 pi) may not exceed this anywhere below mu_max (000 Fig. 1: "alpha_chi runs to a value
#: >= 4 pi at the TeV scale or below").
ALPHA_MAX: float = 4.0 * math.pi
#: Scale up to which g_chi must stay perturbative (000 Fig. 1), GeV.
MU_MAX_GEV: float = 1000.0
#: One-loop coefficient b of d g/d ln mu = b g^3 / (16 pi^2) for a real scalar coupled to one Dirac fermion
#: (000 eq. (2.11)).
BETA_COEFF: float = 5.0


@dataclass(frozen=True)
class SelfInteraction:
    """sigma_T/m_chi of 000 eq. (2.10) with its range of validity."""

    sigma_over_m_cm2_g: float
    alpha_chi: float
    born: bool  # alpha_chi m_chi/m_S < 1 and m_chi v/m_S < 1
    excluded: bool  # sigma_T/m > SIDM_LIMIT_CM2_G (only meaningful if born)


def sigma_t_over_m_cm2_g(g_chi: float, m_chi: float, m_s: float) -> float:
    """Momentum-transfer self-interaction cross section over mass, sigma_T/m_chi = g^4 m_chi / (4 pi m_S^4).

    000_2bfc33bcfac4181d.txt eq. (2.10) (arXiv:1807.03790), returned in cm^2/g (1.7e-5 cm^2/g for g = 1,
    m_chi = m_S = 1 GeV, as 000 quotes). Born regime only: alpha_chi = g^2/(4 pi) << m_S/m_chi and
    m_chi v/m_S <~ 1; use :func:`self_interaction` for the flag. Velocity-independent.
    """
    g = coupling("g_chi", g_chi)
    m = positive("m_chi", m_chi)
    ms = positive("m_S", m_s)
    value_gev3 = g**4 * m / (4.0 * math.pi * ms**4)  # GeV^-2 per GeV
    return value_gev3 * GEV2_TO_CM2 / GEV_IN_GRAMS


def self_interaction(
    g_chi: float, m_chi: float, m_s: float, *, v_rel: float = V_REL_HALO, strict: bool = False
) -> SelfInteraction:
    """sigma_T/m (000 eq. (2.10)) with the Born-regime flag; ``strict=True`` raises outside the Born regime.

    Born regime (000 Sec. 2.3 and Fig. 1): alpha_chi m_chi/m_S < 1 and m_chi v_rel/m_S < 1. Outside it the
    resonant/classical regimes apply and eq. (2.10) is not valid (000 Fig. 1, purple region).
    """
    value = sigma_t_over_m_cm2_g(g_chi, m_chi, m_s)
    v = positive("v_rel", v_rel)
    alpha = g_chi**2 / (4.0 * math.pi)
    born = alpha * m_chi / m_s < 1.0 and m_chi * v / m_s < 1.0
    if strict and not born:
        raise InvalidParameter(
            f"sigma_T/m of 000 eq. (2.10) needs the Born regime: alpha_chi m_chi/m_S = {alpha * m_chi / m_s:.3g} "
            f"and m_chi v/m_S = {m_chi * v / m_s:.3g} must both be < 1"
        )
    return SelfInteraction(value, alpha, born, value > SIDM_LIMIT_CM2_G)


def sidm_excluded_below(g_chi: float, m_chi_over_m_s: float, *, limit_cm2_g: float = SIDM_LIMIT_CM2_G) -> float:
    """m_S (GeV) below which sigma_T/m > limit for fixed g_chi and mass ratio m_chi/m_S (inverts eq. (2.10)).

    sigma_T/m = g^4 r/(4 pi m_S^3) with r = m_chi/m_S, so m_S^3 = g^4 r / (4 pi limit) in natural units.
    """
    g = coupling("g_chi", g_chi)
    r = positive("m_chi_over_m_S", m_chi_over_m_s)
    lim = positive("limit_cm2_g", limit_cm2_g) * GEV_IN_GRAMS / GEV2_TO_CM2  # GeV^-3
    return (g**4 * r / (4.0 * math.pi * lim)) ** (1.0 / 3.0)


def running_coupling(g0: float, mu0: float, mu: float) -> float:
    """g_chi(mu) from the one-loop RGE dg/d ln mu = 5 g^3/(16 pi^2) (000 eq. (2.11)), g(mu0) = g0.

    Analytic solution: 1/g(mu)^2 = 1/g0^2 - (5/(8 pi^2)) ln(mu/mu0). Raises InvalidParameter at or beyond the
    Landau pole (:func:`landau_pole`). One loop, real scalar + one Dirac fermion, no other couplings.
    """
    g = abs(finite("g0", g0))
    if g == 0.0:
        return 0.0
    m0 = positive("mu0", mu0)
    m = positive("mu", mu)
    inv = 1.0 / g**2 - BETA_COEFF / (8.0 * math.pi**2) * math.log(m / m0)
    if inv <= 0.0:
        raise InvalidParameter(f"mu = {m:.4g} GeV is at or above the Landau pole {landau_pole(g, m0):.4g} GeV")
    return inv**-0.5


def landau_pole(g0: float, mu0: float) -> float:
    """Scale (GeV) where the one-loop g_chi of eq. (2.11) diverges: mu0 exp(8 pi^2/(5 g0^2))."""
    g = abs(finite("g0", g0))
    if g == 0.0:
        return math.inf
    exponent = 8.0 * math.pi**2 / (BETA_COEFF * g**2)
    return positive("mu0", mu0) * math.exp(exponent) if exponent < 700.0 else math.inf


def max_perturbative_coupling(m_s: float, *, mu_max: float = MU_MAX_GEV, alpha_max: float = ALPHA_MAX) -> float:
    """Largest g_chi(mu0 = m_S) with alpha_chi = g^2/(4 pi) < alpha_max for all mu up to mu_max (000 Fig. 1).

    g grows with mu, so the condition is alpha(mu_max) < alpha_max, i.e. 1/g(mu_max)^2 > 1/(4 pi alpha_max);
    with the analytic solution of eq. (2.11): 1/g0^2 = 1/(4 pi alpha_max) + (5/(8 pi^2)) ln(mu_max/m_S).
    For m_S >= mu_max only alpha(m_S) < alpha_max is required.
    """
    ms = positive("m_S", m_s)
    a = positive("alpha_max", alpha_max)
    log = max(math.log(positive("mu_max", mu_max) / ms), 0.0)
    return (1.0 / (4.0 * math.pi * a) + BETA_COEFF / (8.0 * math.pi**2) * log) ** -0.5


def dm_electron_cross_section_cm2(g_chi: float, g_e: float, m_chi: float, m_s: float) -> float:
    """Reference DM-electron cross section sigma_e = mu_chi_e^2 g_chi^2 g_e^2 / (pi m_S^4), in cm^2.

    000_2bfc33bcfac4181d.txt eq. (4.1) (arXiv:1807.03790): non-relativistic, heavy-mediator limit
    m_S >> alpha m_e (the atomic momentum scale), so F_DM(q) = 1; mu_chi_e = m_chi m_e/(m_chi + m_e).
    """
    gc = coupling("g_chi", g_chi)
    ge = coupling("g_e", g_e)
    m = positive("m_chi", m_chi)
    ms = positive("m_S", m_s)
    mu = m * M_E / (m + M_E)
    return mu**2 * gc**2 * ge**2 / (math.pi * ms**4) * GEV2_TO_CM2
