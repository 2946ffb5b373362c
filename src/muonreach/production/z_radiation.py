"""Z -> f fbar S: a scalar radiated off a final-state fermion of Z decays (000_2bfc33bcfac4181d.txt Sec. 4.5).

Z coupling g_Z fbar gamma^mu (v - a gamma5) f Z_mu with v = T3 - 2 Q sin^2(theta_W), a = T3 (tree level); Yukawa
-g S fbar f. The amplitude of Z(P) -> f(p1) fbar(p2) S(k) is

    M = g g_Z eps_mu ubar(p1) [ (p1 + k + m) gamma^mu (v - a g5) / (s1 - m^2) + gamma^mu (v - a g5) (-(p2 + k) + m) / (s2 - m^2) ] v(p2),

s1 = (p1 + k)^2, s2 = (p2 + k)^2, squared by numerical Dirac traces (:mod:`muonreach.production.dirac`) with the Z
polarisation sum -g + P P/M_Z^2 and averaged over its three states. Width dGamma = |M|^2 ds1 ds2 / (256 pi^3 M_Z^3)
on a Gauss-Legendre grid in ln(s1 - m^2) and ln(s2 - m^2) (the propagator peaks), checked against adaptive
quadrature in the tests. The outer (s1) rule is in theta with ln(s1 - m^2) = a + (b - a)(1 - cos theta)/2: the
s2 range closes as sqrt at both ends of the s1 range (the Dalitz boundary), which a plain Gauss-Legendre rule in
ln(s1 - m^2) only resolves algebraically (40 x 40 nodes: 4.7e-4 off); the cosine map makes that integrand smooth,
48 x 12 nodes are within 6e-8 of 200 x 120 (muon and tau, m_S = 5 MeV - 88 GeV; docs/speed.md "maincold2").
The result is returned as the ratio

    R(m_S) = Gamma(Z -> f fbar S) / (g^2 Gamma(Z -> f fbar)),
    Gamma(Z -> f fbar) = g_Z^2 M_Z beta [v^2 (3 - beta^2)/2 + a^2 beta^2] / (12 pi),

in which g_Z cancels: the bound uses the measured Gamma(Z -> f fbar). Tree level, no QED or QCD corrections; valid for
any m_S < M_Z - 2 m_f and fermion mass m_f (the fermion mass regulates the collinear region).

``emitted="vector"`` radiates a vector X of mass m_X with vector coupling g_X fbar gamma^nu f X_nu instead (the
L_mu - L_tau Z' of the BaBar four-muon search), the vertex 1 replaced by gamma^nu in both terms above and the X
polarisation sum -g + k k/m_X^2 (its k k part vanishes by current conservation: tests). The "Z" may be any vector
of mass M with couplings (v, a): a virtual photon of mass sqrt(s) with (v, a) = (1, 0) gives, because the
angle-integrated e+e- -> gamma* -> F rate is proportional to the width of a vector of mass sqrt(s) into F,
sigma(e+e- -> f fbar X)/sigma(e+e- -> f fbar) = g^2 R (massless beams, full solid angle, no Z exchange).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameter, KinematicallyForbidden
from . import dirac as d

_G5 = d.GAMMA5
#: Gauss-Legendre nodes of the outer (s1, cosine-mapped) and inner (s2) Dalitz axes (module docstring).
_NODES = 48
_INNER_NODES = 12


def two_body_factor(m_z: float, m_f: float, v: float, a: float) -> float:
    """Gamma(Z -> f fbar) / g_Z^2 = M beta [v^2 (3 - beta^2)/2 + a^2 beta^2] / (12 pi)."""
    if 2.0 * m_f >= m_z:
        raise KinematicallyForbidden(f"Z -> f fbar is closed for m_f = {m_f:g} GeV")
    b2 = 1.0 - 4.0 * m_f * m_f / (m_z * m_z)
    return m_z * math.sqrt(b2) * (v * v * (3.0 - b2) / 2.0 + a * a * b2) / (12.0 * math.pi)


def _momenta(m_z: float, m_f: float, m_s: float, s1: NDArray[np.float64], s2: NDArray[np.float64]):
    """Momenta (n, 4) of f, fbar and S in the Z rest frame for Dalitz invariants s1 = (p1 + k)^2, s2 = (p2 + k)^2."""
    e1 = (m_z * m_z + m_f * m_f - s2) / (2.0 * m_z)
    e2 = (m_z * m_z + m_f * m_f - s1) / (2.0 * m_z)
    ek = m_z - e1 - e2
    q1 = np.sqrt(np.maximum(e1 * e1 - m_f * m_f, 0.0))
    q2 = np.sqrt(np.maximum(e2 * e2 - m_f * m_f, 0.0))
    qk2 = np.maximum(ek * ek - m_s * m_s, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos12 = np.clip((qk2 - q1 * q1 - q2 * q2) / (2.0 * q1 * q2), -1.0, 1.0)
    cos12 = np.where(q1 * q2 > 0.0, cos12, 1.0)
    sin12 = np.sqrt(1.0 - cos12 * cos12)
    zero = np.zeros_like(e1)
    p1 = np.stack([e1, zero, zero, q1], axis=1)
    p2 = np.stack([e2, q2 * sin12, zero, q2 * cos12], axis=1)
    k = np.stack([ek, -q2 * sin12, zero, -q1 - q2 * cos12], axis=1)
    return p1, p2, k


EMITTED = ("scalar", "vector")


def squared_amplitude(m_z: float, m_f: float, m_s: float, v: float, a: float,
                      s1: NDArray[np.float64], s2: NDArray[np.float64], emitted: str = "scalar",
                      emitted_polarisation: str = "full") -> NDArray[np.float64]:
    """Polarisation-averaged, spin-summed |M|^2 / (g g_Z)^2 at the Dalitz points (s1, s2) (module docstring).

    ``emitted_polarisation="longitudinal"`` (vector only) keeps only the k k/m_X^2 part of the X polarisation sum,
    which current conservation makes zero (a check, used by the tests).
    """
    if emitted not in EMITTED:
        raise InvalidParameter(f"emitted must be one of {', '.join(EMITTED)}, got {emitted!r}")
    p1, p2, k = _momenta(m_z, m_f, m_s, np.asarray(s1, dtype=float), np.asarray(s2, dtype=float))
    n = p1.shape[0]
    eye = np.broadcast_to(d.IDENTITY, (n, 4, 4))
    coupling = v * d.IDENTITY - a * _G5
    vertex = np.einsum("mij,jk->mik", d.GAMMA, coupling)  # gamma^mu (v - a g5)
    d1 = np.asarray(s1) - m_f * m_f
    d2 = np.asarray(s2) - m_f * m_f
    left_prop = d.slash(p1 + k) + m_f * eye
    right_prop = -d.slash(p2 + k) + m_f * eye
    left = d.slash(p1) + m_f * eye
    right = d.slash(p2) - m_f * eye
    pol = d.massive_vector_polarisation_sum(p1 + p2 + k, m_z)
    if emitted == "scalar":
        currents = ((left_prop / d1[:, None, None])[:, None] @ vertex  # batched products (faster than einsum)
                    + vertex @ (right_prop / d2[:, None, None])[:, None])
        return d.vector_current_trace(left, currents, right, pol) / 3.0
    # X emission: gamma^nu (p1 + k + m) Gamma^mu / d1 + Gamma^mu (-(p2 + k) + m) gamma^nu / d2, index order (mu, nu)
    g_nu = d.GAMMA[None, None, :]  # axes (n, mu, nu, i, j)
    g_mu = vertex[None, :, None]
    currents = (g_nu @ left_prop[:, None, None] @ g_mu / d1[:, None, None, None, None]
                + g_mu @ right_prop[:, None, None] @ g_nu / d2[:, None, None, None, None])
    x_pol = d.massive_vector_polarisation_sum(k, m_s)
    if emitted_polarisation == "longitudinal":
        x_pol = x_pol + d.METRIC[None, :, :]
    return d.two_vector_current_trace(left, currents, right, pol, x_pol) / 3.0


def _log_nodes(lo: NDArray[np.float64], hi: NDArray[np.float64], shift: float, n: int, cosine: bool = False):
    """Gauss-Legendre nodes and weights for int_lo^hi dx, in ln(x - shift) (lo > shift), vectorised over rows;
    ``cosine``: in theta in [0, pi] with ln(x - shift) = a + (b - a)(1 - cos theta)/2 (for sqrt endpoints)."""
    x, w = np.polynomial.legendre.leggauss(n)
    a, b = np.log(lo - shift), np.log(hi - shift)
    half = 0.5 * (b - a)
    if cosine:
        theta = 0.5 * math.pi * (x + 1.0)
        t = a[..., None] + half[..., None] * (1.0 - np.cos(theta))
        jacobian = half[..., None] * (0.5 * math.pi) * np.sin(theta)
    else:
        t = 0.5 * (a + b)[..., None] + half[..., None] * x
        jacobian = half[..., None]
    values = shift + np.exp(t)
    return values, jacobian * w * np.exp(t)


def radiation_ratio(m_z: float, m_f: float, m_s: float, v: float, a: float, nodes: int = _NODES,
                    emitted: str = "scalar", inner_nodes: int = _INNER_NODES) -> float:
    """R = Gamma(Z -> f fbar X) / (g^2 Gamma(Z -> f fbar)) at coupling g = 1, X a scalar or a vector (docstring);
    ``nodes`` and ``inner_nodes``: Gauss-Legendre nodes in s1 (cosine-mapped) and s2."""
    if not m_s > 0.0 or not math.isfinite(m_s):
        raise InvalidParameter(f"m_S must be positive, got {m_s:g}")
    if m_s + 2.0 * m_f >= m_z:
        raise KinematicallyForbidden(f"Z -> f fbar S is closed for m_S = {m_s:g} GeV and m_f = {m_f:g} GeV")
    mf2 = m_f * m_f
    s1_lo, s1_hi = (m_f + m_s) ** 2, (m_z - m_f) ** 2
    s1, w1 = _log_nodes(np.array(s1_lo), np.array(s1_hi), mf2, nodes, cosine=True)
    root = np.sqrt(s1)
    e_s = (s1 - mf2 + m_s * m_s) / (2.0 * root)  # S and fbar energies in the (f S) rest frame
    e_b = (m_z * m_z - s1 - mf2) / (2.0 * root)
    ps = np.sqrt(np.maximum(e_s * e_s - m_s * m_s, 0.0))
    pb = np.sqrt(np.maximum(e_b * e_b - mf2, 0.0))
    s2_lo = (e_s + e_b) ** 2 - (ps + pb) ** 2
    s2_hi = (e_s + e_b) ** 2 - (ps - pb) ** 2
    s2_lo = np.maximum(s2_lo, (m_f + m_s) ** 2 * (1.0 + 1e-14))
    s2_hi = np.maximum(s2_hi, s2_lo * (1.0 + 1e-14))
    s2, w2 = _log_nodes(s2_lo, s2_hi, mf2, inner_nodes)
    amp2 = squared_amplitude(m_z, m_f, m_s, v, a, np.repeat(s1, inner_nodes), s2.ravel(), emitted)
    width = float(np.sum(amp2 * (w1[:, None] * w2).ravel())) / (256.0 * math.pi**3 * m_z**3)
    return width / two_body_factor(m_z, m_f, v, a)


def photon_scalar_width(m_z: float, m_s: float, lepton_couplings: dict[str, float], sin2_theta_w: float) -> float:
    """Gamma(Z -> gamma S) in GeV through charged-lepton loops (000_2bfc33bcfac4181d.txt Sec. 4.5, its refs. [64, 65]).

    The S Z gamma vertex -(1/2) G_Z S F_{mu nu} Z^{mu nu} is the S gamma gamma* triangle with one photon coupling
    e Q replaced by the Z's vector coupling g_Z v, g_Z = e/(2 s_W c_W), v = T3 - 2 Q s_W^2 = -1/2 + 2 s_W^2 (the axial
    part is C-forbidden), the Z leg at q^2 = M_Z^2: G_Z = G(M_Z^2) g_Z v/(e Q), G from
    :func:`muonreach.production.monophoton.diphoton_coupling` (000 eq. (A.1), corrected form). All charged leptons
    share (v, Q), so one factor serves the sum. Width (Z spin average, photon polarisations summed):
    Gamma = |G_Z|^2 (M_Z^2 - m_S^2)^3 / (96 pi M_Z^3) (the same vertex rule as -(1/4) G S F F, whose S -> gamma gamma
    width G^2 m^3/(64 pi) the tests check against the model's width). One loop, tree-level Z couplings; valid for
    0 < m_S < M_Z. 000 quotes a stronger bound (g_mu >~ 0.7) than this width gives (1.8): docs/constraints.md.
    """
    from .monophoton import diphoton_coupling

    if not 0.0 < m_s < m_z:
        raise KinematicallyForbidden(f"Z -> gamma S needs 0 < m_S < M_Z, got {m_s:g} GeV")
    v = -0.5 + 2.0 * sin2_theta_w
    ratio2 = v * v / (4.0 * sin2_theta_w * (1.0 - sin2_theta_w))  # (g_Z v / (e Q))^2
    g = diphoton_coupling(m_s, lepton_couplings, m_z * m_z)
    return g * g * ratio2 * (m_z * m_z - m_s * m_s) ** 3 / (96.0 * math.pi * m_z**3)
