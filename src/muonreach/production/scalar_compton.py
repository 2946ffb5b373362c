"""Two-body cross sections of a light scalar S in a hot plasma (the SN 1987A bound, :mod:`muonreach.constraints.supernova`).

* Compton-like emission gamma(k) f(p) -> f(p') S(q) off a fermion with Yukawa -g S fbar f (000_2bfc33bcfac4181d.txt
  eq. (2.1), arXiv:1807.03790): tree level, s- and u-channel, spin-summed |M|^2 squared by the numerical Dirac
  traces of :mod:`muonreach.production.dirac` with the photon polarisation sum -g (the amplitude is gauge invariant:
  tests). Low-energy limit (m_S = 0, omega << m_f): sigma = alpha g^2 / (3 m_f^2), the scalar analogue of Thomson
  scattering (dipole radiation of a scalar charge, g^2 a^2/(12 pi), over the Larmor power e^2 a^2/(6 pi)).
* gamma chi -> gamma chi through S exchange in the t channel, with the Yukawa g_chi S chibar chi and the effective
  vertex -(1/4) G S F F (000 eq. (2.4); G from the on-shell S -> gamma gamma width, Gamma = G^2 m_S^3/(64 pi)):
  sum |M|^2 = g_chi^2 G^2 (4 m_chi^2 - t) t^2 / (t - m_S^2)^2 (derived here: fermion trace 2 (4 m^2 - t), photon
  tensor 2 (k.k')^2 = t^2/2), dsigma/dt = sum|M|^2 / (64 pi (s - m_chi^2)^2). The form factor's dependence on the
  S virtuality t is neglected (000 footnote 8 takes F_1/2 at q^2 = 0 for the SN estimates).

* chi f -> chi f through t-channel S between the Yukawas g_chi S chibar chi and g_f S fbar f (the lepton-specific
  trapping, chi e -> chi e, 000 Sec. 4.2): spin-summed sum|M|^2 = (g_chi g_f)^2 4 (4 m_chi^2 - t)(4 m_f^2 - t) /
  (t - m_S^2)^2 (derived here: one trace 2 (4 m^2 - t) per fermion line, as above).

Valid at tree level for any s above threshold; no medium effects (photon plasma mass, fermion self-energy).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .. import constants as c
from . import dirac

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(32)  # in t (photon scattering)
_COS, _COS_WEIGHTS = np.polynomial.legendre.leggauss(16)  # in ln(m_f^2 - u) (Compton): 0.5 % on the SN emission rate


def _cm_momentum(s: NDArray[np.float64], m1: float, m2: float) -> NDArray[np.float64]:
    """|p| of two particles of masses m1, m2 in their rest frame at invariant mass^2 s (0 below threshold)."""
    lam = (s - (m1 + m2) ** 2) * (s - (m1 - m2) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * np.sqrt(s))


def compton_squared_amplitude(s: NDArray[np.float64] | float, m_f: float, m_s: float, cos: NDArray[np.float64],
                              polarisation: str = "sum") -> NDArray[np.float64]:
    """Spin- and polarisation-summed |M|^2 / (e g)^2 of gamma f -> f S at invariant mass^2 ``s`` and CM angle ``cos``
    of S against the photon (broadcast together, above threshold).

    ``polarisation="gauge"`` contracts with k_mu k_nu instead of -g_mu_nu (zero by gauge invariance: the tests).
    """
    s, cos = (np.ravel(a) for a in np.broadcast_arrays(np.asarray(s, dtype=float), np.asarray(cos, dtype=float)))
    n = cos.size
    root = np.sqrt(s)
    k_in = (s - m_f * m_f) / (2.0 * root)
    q_out = _cm_momentum(s, m_f, m_s)
    sin = np.sqrt(np.clip(1.0 - cos * cos, 0.0, None))
    k = np.zeros((n, 4))
    k[:, 0], k[:, 3] = k_in, k_in
    p = np.zeros((n, 4))
    p[:, 0], p[:, 3] = root - k_in, -k_in
    q = np.zeros((n, 4))
    q[:, 0], q[:, 1], q[:, 3] = np.sqrt(q_out**2 + m_s**2), q_out * sin, q_out * cos
    p_out = k + p - q
    mass = m_f * dirac.IDENTITY
    u = dirac.dot(p - q, p - q)
    s_prop = (dirac.slash(p + k) + mass) / (s - m_f * m_f)[:, None, None]
    u_prop = (dirac.slash(p_out - k) + mass) / (u - m_f * m_f)[:, None, None]
    currents = s_prop[:, None] @ dirac.GAMMA[None] + dirac.GAMMA[None] @ u_prop[:, None]
    left, right = dirac.slash(p_out) + mass, dirac.slash(p) + mass
    if polarisation == "sum":  # -g_mu_nu: only mu = nu, by batched products (4x less work than the general trace)
        chain = left[:, None] @ currents @ right[:, None]
        traces = np.einsum("nmil,nmli->nm", chain, dirac.bar(currents))
        return np.real(traces @ -np.diag(dirac.METRIC))
    if polarisation == "gauge":
        lower = k @ dirac.METRIC
        return dirac.vector_current_trace(left, currents, right, np.einsum("nm,nk->nmk", lower, lower))
    raise ValueError(f"polarisation must be 'sum' or 'gauge', got {polarisation!r}")


def compton_moments(s: NDArray[np.float64], m_f: float, m_s: float, g: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(sigma, sigma <cos theta*>) of gamma f -> f S in GeV^-2 at each invariant mass^2 in ``s``; cos theta* is the CM
    angle of S against the incoming photon. Zero at and below threshold (m_f + m_s)^2.

    16-point Gauss-Legendre in y = ln(m_f^2 - u), linear in cos theta*: the u-channel propagator peaks at cos = -1
    with a width ~ m_f^2/s (collinear emission, regulated by the fermion mass: 1e-6 for electrons in the SN core),
    which a rule in cos theta* would miss; in y the integrand is smooth.
    """
    s = np.atleast_1d(np.asarray(s, dtype=float))
    sigma, moment = np.zeros(s.shape), np.zeros(s.shape)
    above = s > (m_f + m_s) ** 2
    if not above.any():
        return sigma, moment
    x = s[above][:, None]
    root = np.sqrt(x)
    k_in = (x - m_f * m_f) / (2.0 * root)
    q_out = _cm_momentum(x, m_f, m_s)
    # m_f^2 - u = 2 p.q - m_S^2 = a0 + a1 cos (p = (sqrt(s) - k, -k z), q = (E_q, q_out at cos from z))
    a0 = 2.0 * (root - k_in) * np.sqrt(q_out**2 + m_s**2) - m_s * m_s
    a1 = 2.0 * k_in * q_out
    lo, hi = np.log(a0 - a1), np.log(a0 + a1)
    y = lo + 0.5 * (hi - lo) * (1.0 + _COS[None, :])
    cos = np.clip((np.exp(y) - a0) / a1, -1.0, 1.0)
    jacobian = 0.5 * (hi - lo) * np.exp(y) / a1  # dcos/dnode
    amp2 = compton_squared_amplitude(np.broadcast_to(x, cos.shape), m_f, m_s, cos).reshape(cos.shape)
    # spin/polarisation average 1/4; dsigma/dcos = |M|^2 p_f / (32 pi s p_i)
    dsig = (c.E_CHARGE * g) ** 2 * amp2 * q_out / (k_in * 4.0 * 32.0 * math.pi * x) * jacobian
    sigma[above], moment[above] = dsig @ _COS_WEIGHTS, (dsig * cos) @ _COS_WEIGHTS
    return sigma, moment


def photon_scattering_cross_section(s: NDArray[np.float64], m_chi: float, m_s: float, g_chi: float,
                                    g_photon: float) -> NDArray[np.float64]:
    """sigma(gamma chi -> gamma chi) in GeV^-2 through t-channel S (module docstring) at each s; ``g_photon`` = G in
    GeV^-1. 32-point Gauss-Legendre in t."""
    s = np.asarray(s, dtype=float)[..., None]
    above = s > m_chi * m_chi
    t_min = -np.where(above, (s - m_chi * m_chi) ** 2 / s, 0.0)
    t = 0.5 * t_min * (1.0 + _NODES)
    amp2 = (g_chi * g_photon) ** 2 * (4.0 * m_chi * m_chi - t) * t * t / (t - m_s * m_s) ** 2
    denominator = 64.0 * math.pi * np.where(above, s - m_chi * m_chi, 1.0) ** 2
    return np.where(above, 0.5 * -t_min * (amp2 @ _WEIGHTS)[..., None] / denominator, 0.0)[..., 0]


def fermion_scattering_squared_amplitude(t: NDArray[np.float64], m_chi: float, m_f: float,
                                         m_s: float) -> NDArray[np.float64]:
    """Spin-AVERAGED |M|^2 / (g_chi g_f)^2 of chi f -> chi f through t-channel S (module docstring):
    (4 m_chi^2 - t)(4 m_f^2 - t)/(t - m_S^2)^2."""
    return (4.0 * m_chi * m_chi - t) * (4.0 * m_f * m_f - t) / (t - m_s * m_s) ** 2
