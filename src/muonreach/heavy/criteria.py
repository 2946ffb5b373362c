"""Criteria on the couplings of the SSF / FFS scenarios for the max-min search (004 eq. (2.7), Table 4 of
arXiv:2101.10334): perturbative unitarity, minimal flavour violation (MFV), naturalness.

The companion's own formulas (its Sec. 2.3.1 and the MFV / naturalness definitions) are not in the extracted
text (004 shows only Table 4, its caption and the remark that coupled channels would be stronger). The criteria
here are derived (docs/heavy.md, "Criteria"):

* unitarity: |Re a_0| <= a_max (1/2) for the J = 0 partial wave a_0 = beta M / (16 pi),
  beta = lambda^{1/2}(s, m_1^2, m_2^2)/s. Yukawa-type couplings (y1 c1, y2 c2, y12 cmix, y12' cmix2):
  psi phi -> psi phi through an s-channel fermion, |M| -> y^2 at high energy, y <= sqrt(16 pi a_max) = sqrt(8 pi)
  (as in :mod:`.singlets`). The trilinear kappa: phi_A phi_B^* -> H^0 -> phi_A phi_B^*, M = (kappa cmix)^2/s
  (m_h^2 << s), a_0 = beta (kappa cmix)^2 / (16 pi s) maximised over s above threshold gives
  |kappa cmix| <= sqrt(16 pi a_max min_s(s / beta)). Single channels, no N_BSM dependence (the paper's
  N_BSM^{1/2} scaling of the unitarity columns says its bounds do not depend on N_BSM either).
  FFS Higgs Yukawas (``channels="helicity"``, the default): y12 and y12' couple the same fermion pair
  F_B F_A-bar to the same s-channel H^0, in its two helicity configurations, so the J = 0 matrix of that
  two-particle state is rank one with eigenvalue ((y12 cmix)^2 + (y12' cmix2)^2)/(16 pi): the bound is on the
  sum of squares (``channels="single"``: each helicity element alone, |y12 cmix|, |y12' cmix2| <= sqrt(8 pi)).
* MFV: L and mu^c are flavour triplets; with the new fields carrying the lepton-doublet flavour index, the
  coupling to mu^c is a (3, 3bar) spurion proportional to the lepton Yukawa Y_l. Its largest entry, the tau one,
  obeys the unitarity bound, so the muon coupling is at most the bound times y_mu / y_tau = m_mu / m_tau.
* naturalness: the one-loop corrections to m_mu and to m_h^2 at most ``max_tuning`` (100 for the caption's
  "less than 1% tuning") times m_mu and m_h^2. Log-divergent pieces are taken with one unit of logarithm
  (MS-bar at mu^2 = e M_max^2, M_max the heaviest state in the loop).
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import M_MU, M_TAU
from .ew import Point, Scenario, loop_partners, mixing_terms
from .inputs import criteria


def yukawa_max() -> float:
    """Largest |y| of a Yukawa-type component coupling: sqrt(16 pi a_max) (J = 0, psi phi -> psi phi)."""
    return math.sqrt(16.0 * math.pi * criteria().partial_wave_max)


def trilinear_max(m_1, m_2) -> np.ndarray:
    """Largest |kappa cmix| (GeV) for scalars of masses m_1, m_2 (arrays): sqrt(16 pi a_max min_s(s/beta)).

    With a = (m_1 + m_2)^2, b = (m_1 - m_2)^2, s/beta = s^2/sqrt((s - a)(s - b)) is smallest at the larger root
    of 2 s^2 - 3 (a + b) s + 4 a b = 0 (s = 3a/2 for equal masses, 2 m_1^2 for m_2 -> 0)."""
    m_1, m_2 = np.asarray(m_1, float), np.asarray(m_2, float)
    a, b = (m_1 + m_2) ** 2, (m_1 - m_2) ** 2
    s = (3.0 * (a + b) + np.sqrt(9.0 * (a + b) ** 2 - 32.0 * a * b)) / 4.0
    return np.sqrt(16.0 * math.pi * criteria().partial_wave_max * s**2 / np.sqrt((s - a) * (s - b)))


CHANNELS = ("helicity", "single")


def higgs_yukawa_scale(sc: Scenario, y12, y12p, channels: str = "helicity") -> np.ndarray:
    """The factor (<= 1) that brings FFS Higgs Yukawas (y12, y12'), each within its single-channel bound, onto
    the helicity-channel bound (y12 cmix)^2 + (y12' cmix2)^2 <= y_max^2 in every charge sector; 1 for "single"."""
    y12, y12p = np.asarray(y12, float), np.asarray(y12p, float)
    if channels == "single":
        return np.ones(np.broadcast(y12, y12p).shape)
    terms = mixing_terms(sc, y12, y12p)
    largest = np.maximum.reduce([np.hypot(a, b) for a, b in terms]) / yukawa_max()
    return 1.0 / np.maximum(largest, 1.0)


def mfv_factor() -> float:
    """y_mu / y_tau = m_mu / m_tau: the MFV suppression of the coupling to mu^c."""
    return M_MU / M_TAU


def _b0_msbar(m_f, m_s, mu2) -> np.ndarray:
    """MS-bar B_0(0; m_f^2, m_s^2) at scale mu^2 (arrays): 1 + ln mu^2 - (m_f^2 ln m_f^2 - m_s^2 ln m_s^2)/(m_f^2 - m_s^2)."""
    f2, s2 = np.asarray(m_f, float) ** 2, np.asarray(m_s, float) ** 2
    near = np.abs(f2 - s2) < 1e-9 * (f2 + s2)
    diff = np.where(near, 1.0, f2 - s2)
    ratio = np.where(near, np.log(f2) + 1.0, (f2 * np.log(f2) - s2 * np.log(s2)) / diff)
    return 1.0 + np.log(mu2) - ratio


def delta_m_mu(sc: Scenario, p: Point) -> np.ndarray:
    """|delta m_mu| (GeV) from the chirality-flipping one-loop self-energy, N_BSM copies:
    (N/16 pi^2) |sum_partners a b m_F B_0(0; m_F^2, m_S^2)| (one unit of log: MS-bar, mu^2 = e M_max^2).
    In SSF the divergence cancels within each sector (orthogonal scalar mixing); in FFS it is
    y1 y2 y12 v c1 c2 cmix / sqrt2 per sector (the muon Yukawa is renormalised)."""
    partners, _ = loop_partners(sc, p)
    m_max = np.maximum.reduce([np.maximum(x.m_f, x.m_s) for x in partners])
    mu2 = math.e * m_max**2
    total = sum(x.a * x.b * x.m_f * _b0_msbar(x.m_f, x.m_s, mu2) for x in partners)
    return p.n_bsm * np.abs(total) / (16.0 * math.pi**2)


def delta_mh2(sc: Scenario, p: Point) -> np.ndarray:
    """|delta m_h^2| (GeV^2): the coefficient of one unit of log in d^2/dh^2 of the one-loop Coleman-Weinberg
    potential (1/64 pi^2) STr M^4(h), N_BSM copies. SSF: (kappa cmix)^2/(16 pi^2) per sector; FFS (Dirac
    fermions, mass matrix [[m_A, x], [x', m_B]], x = y12 cmix h/sqrt2, x' = y12' cmix2 h/sqrt2):
    (1/8 pi^2)[2 m_A^2 xh^2 + 2 m_B^2 xh'^2 + 2 (m_A xh' + m_B xh)^2] per sector, xh = x/h."""
    total = 0.0
    for k, k2 in mixing_terms(sc, p.mix, p.mix2):
        if sc.model == "SSF":
            total = total + k**2 / (16.0 * math.pi**2)
        else:
            x, x2 = k / math.sqrt(2.0), k2 / math.sqrt(2.0)
            total = total + (2 * p.m_a**2 * x**2 + 2 * p.m_b**2 * x2**2 + 2 * (p.m_a * x2 + p.m_b * x) ** 2) / (8.0 * math.pi**2)
    return p.n_bsm * np.asarray(total, float)


def naturalness_excess(sc: Scenario, p: Point) -> np.ndarray:
    """max(delta m_mu / m_mu, delta m_h^2 / m_h^2) / max_tuning: <= 1 where the point is natural."""
    c = criteria()
    return np.maximum(delta_m_mu(sc, p) / M_MU, delta_mh2(sc, p) / c.higgs_mass_gev**2) / c.max_tuning

