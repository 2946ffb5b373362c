"""The independent cross-check of :mod:`muonreach.production.lepton_decay_radiation`: the same width ratios of
l -> l' nu_l nubar_l' S (000_2bfc33bcfac4181d.txt Sec. 4.6, arXiv:1807.03790) by numerical Dirac traces of the
unfierzed amplitude over the full four-body phase space, integrated by vegas (seeded: deterministic).

For l(P) -> nu_l(k) l'(p) nubar_l'(kbar) S(q)

    M = (G_F/sqrt 2) { g_l [ubar(k) G^a (P - q + m_l)/D_l u(P)] [ubar(p) G_a v(kbar)]
                      + g_l' [ubar(k) G^a u(P)] [ubar(p) (p + q + m_l')/D_l' G_a v(kbar)] },

G^a = gamma^a (1 - gamma5), D_l = (P - q)^2 - m_l^2, D_l' = (p + q)^2 - m_l'^2. dPhi_4 is built recursively
(l -> S + X, X -> l' + Y, Y -> nu nubar; invariant masses and decay angles, one overall rotation integrated
analytically). Slow (seconds per mass) and statistical (errors ~0.5-4 %): the tests and benchmark compare the fast
quadrature with it; no bound uses it.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ..errors import ConvergenceError, KinematicallyForbidden
from . import dirac as d
from .lepton_decay_radiation import RadiationRatios, _direction, _pair, _split, sm_width_formula

#: vegas: iterations (the first ``_WARMUP`` adapt the grid and are discarded) and evaluations per iteration.
_WARMUP, _ITERATIONS, _EVALUATIONS = 4, 6, 5_000
#: Largest vegas relative error accepted on r_ll and r_l'l' (the cross term: relative to sqrt(r_ll r_l'l')), else
#: ConvergenceError. Measured: <= 0.8 % except the collinear-peaked r_l'l' at m_S ~ 1 MeV (4 %).
MAX_RELATIVE_ERROR: float = 0.05
_G = d.GAMMA @ (d.IDENTITY - d.GAMMA5)  # gamma^a (1 - gamma5), (4, 4, 4)
_G_BAR = d.bar(_G)
#: Lower end of the logarithmic map of 1 - cos(theta_2) (its region holds a fraction < 1e-9 of the width: the
#: integrand is finite there).
COLLINEAR_FLOOR: float = 1e-14
#: g_ac g_bd as a sign pattern (the metric is diagonal): lowers both indices of a tensor T^{cd}.
_SIGNS = np.outer(np.diag(d.METRIC), np.diag(d.METRIC))


def phase_space(u: NDArray, m: float, m_daughter: float, m_s: float | None):
    """Momenta (l', nu, nubar, S or None) in the parent's rest frame at points u of the unit cube and dPhi/du.

    With S (5 dims): E_S (logarithmic in [m_S, E_max]; S along z, 4 pi), the l' direction in the X = l' nu nu
    frame (cos theta_2, log-mapped towards the S direction; phi_2 = 0 and 2 pi by the rotation about the S axis),
    s_Y of Y = nu nubar, and the nu direction in the Y frame (cos theta_3, phi_3). Without S (2 dims): l' along z
    (4 pi), s_Y, cos theta_3 (phi_3 = 0 and 2 pi). dPhi_2 = p*/(16 pi^2 M) dOmega, ds/(2 pi) per intermediate invariant mass."""
    n = u.shape[0]
    two = 1.0 / (16.0 * math.pi**2)
    columns = iter(u.T)
    if m_s is not None:
        e_lo, e_hi = m_s, (m * m + m_s * m_s - m_daughter**2) / (2.0 * m)
        e_s = e_lo * (e_hi / e_lo) ** next(columns)
        p_s = np.sqrt(np.maximum(e_s * e_s - m_s * m_s, 0.0))
        zero = np.zeros(n)
        scalar = np.stack([e_s, zero, zero, p_s], axis=1)
        system = np.stack([m - e_s, zero, zero, -p_s], axis=1)
        m_x = np.sqrt(np.maximum(m * m + m_s * m_s - 2.0 * m * e_s, 0.0))
        weight = (2.0 * m * e_s * math.log(e_hi / e_lo) / (2.0 * math.pi)) * (two * p_s / m * 4.0 * math.pi)
        # 1 - cos(theta_2) logarithmic in [COLLINEAR_FLOOR, 2]: resolves the peak of emission collinear with a
        # light l' (l' along +z, the S direction; width ~ m_l'^2/E^2); the region below the floor is dropped.
        one_minus = COLLINEAR_FLOOR * (2.0 / COLLINEAR_FLOOR) ** next(columns)
        direction2 = _direction(1.0 - one_minus, np.zeros(n))
        weight = weight * one_minus * math.log(2.0 / COLLINEAR_FLOOR) * 2.0 * math.pi
    else:
        scalar = None
        system = np.zeros((n, 4))
        system[:, 0] = m
        m_x = np.full(n, m)
        direction2 = np.tile([0.0, 0.0, 1.0], (n, 1))
        weight = np.full(n, 4.0 * math.pi)
    s_y = (m_x - m_daughter) ** 2 * next(columns)
    m_y = np.sqrt(s_y)
    lepton, pair, q2 = _split(system, m_x, np.full(n, m_daughter), m_y, direction2)
    weight = weight * (m_x - m_daughter) ** 2 / (2.0 * math.pi) * two * q2 / m_x
    cos3 = 2.0 * next(columns) - 1.0
    phi3 = 2.0 * math.pi * next(columns) if m_s is not None else np.zeros(n)
    nu, nubar, q3 = _split(pair, np.maximum(m_y, 1e-300), np.zeros(n), np.zeros(n), _direction(cos3, phi3))
    weight = weight * two * q3 / np.maximum(m_y, 1e-300) * 2.0 * (2.0 * math.pi)
    return lepton, nu, nubar, scalar, weight


def _trace(a: NDArray, b: NDArray) -> NDArray:
    """Tr[a^a b^b] per point for matrix fields a, b of shape (n, 4, 4, 4) (Lorentz index first): (n, 4, 4).

    sum_il a[a, i, l] b[b, l, i] as one batched (4 x 16) @ (16 x 4) product (the einsum "nail,nbli->nab" is ~4x
    slower and gives the same numbers to rounding)."""
    n = a.shape[0]
    return a.reshape(n, 4, 16) @ np.swapaxes(b, 2, 3).reshape(n, 4, 16).transpose(0, 2, 1)


def squared_amplitudes(m: float, m_daughter: float, lepton: NDArray, nu: NDArray, nubar: NDArray,
                       scalar: NDArray | None) -> NDArray[np.float64]:
    """Spin-summed |M|^2 / G_F^2 per point: (n,) without S; (n, 3) = (parent-parent, cross, daughter-daughter)
    coefficients of g_l^2, g_l g_l', g_l'^2 with S (module docstring). Line tensors Tr[(k) O_i^a (P + m) bar(O_j^b)]
    and Tr[(p + m') O_i^a (kbar) bar(O_j^b)], contracted with both indices lowered. Bilinear in (nu, nubar): any
    four-vectors may be passed (the tests use this to check the analytic neutrino integration)."""
    n = lepton.shape[0]
    parent = np.zeros((n, 4))
    parent[:, 0] = m
    p_parent = (d.slash(parent) + m * d.IDENTITY)[:, None]
    p_nu, p_bar = d.slash(nu)[:, None], d.slash(nubar)[:, None]
    p_lepton = (d.slash(lepton) + m_daughter * d.IDENTITY)[:, None]
    nu_plain, parent_plain = p_nu @ _G, p_parent @ _G_BAR
    lepton_plain, bar_plain = p_lepton @ _G, p_bar @ _G_BAR

    def contract(h: NDArray, l_up: NDArray) -> NDArray:
        return np.real(np.einsum("nab,nab->n", h, l_up * _SIGNS))

    if scalar is None:
        return 0.5 * contract(_trace(nu_plain, parent_plain), _trace(lepton_plain, bar_plain))
    back = parent - scalar
    forward = lepton + scalar
    d_parent = d.dot(back, back) - m * m
    d_daughter = d.dot(forward, forward) - m_daughter**2
    prop_parent = ((d.slash(back) + m * d.IDENTITY) / d_parent[:, None, None])[:, None]
    prop_daughter = ((d.slash(forward) + m_daughter * d.IDENTITY) / d_daughter[:, None, None])[:, None]
    emit_parent = _G @ prop_parent  # G^a (P - q + m)/D, bar = (P - q + m)/D bar(G^a)
    emit_daughter = prop_daughter @ _G  # (p + q + m')/D' G^a, bar = bar(G^a) (p + q + m')/D'
    nu_emit, parent_emit = p_nu @ emit_parent, p_parent @ (prop_parent @ _G_BAR)
    lepton_emit, bar_emit = p_lepton @ emit_daughter, p_bar @ (_G_BAR @ prop_daughter)
    h00, l00 = _trace(nu_plain, parent_plain), _trace(lepton_plain, bar_plain)
    h11 = _trace(nu_emit, parent_emit)
    h10 = _trace(nu_emit, parent_plain)
    l11 = _trace(lepton_emit, bar_emit)
    l01 = _trace(lepton_plain, bar_emit)
    return 0.5 * np.stack([contract(h11, l00), 2.0 * contract(h10, l01), contract(h00, l11)], axis=1)


def integrate(m: float, m_daughter: float, m_s: float | None, seed: int = 1,
              evaluations: int = _EVALUATIONS) -> tuple[NDArray, NDArray]:
    """(values, errors) of (1/(2 m)) (1/2) int sum|M|^2/G_F^2 dPhi by vegas (module docstring)."""
    import vegas

    dims = 5 if m_s is not None else 2
    rng = np.random.default_rng(seed)

    @vegas.rbatchintegrand
    def integrand(u: NDArray) -> NDArray:
        points = np.asarray(u).T
        lepton, nu, nubar, scalar, weight = phase_space(points, m, m_daughter, m_s)
        amp = squared_amplitudes(m, m_daughter, lepton, nu, nubar, scalar)
        values = (amp.T if amp.ndim == 2 else amp) * weight * 0.5 / (2.0 * m)
        return values

    integrator = vegas.Integrator(dims * [[0.0, 1.0]], ran_array_generator=rng.random)
    integrator(integrand, nitn=_WARMUP, neval=evaluations)
    result = integrator(integrand, nitn=_ITERATIONS, neval=evaluations)
    values = np.array([r.mean for r in np.atleast_1d(result)], dtype=float)
    errors = np.array([r.sdev for r in np.atleast_1d(result)], dtype=float)
    return values, errors


def vegas_ratios(parent: str, m_s: float, evaluations: int = _EVALUATIONS) -> RadiationRatios:
    """The ratios r_ll, r_ll', r_l'l' for parent 'tau' (-> mu) or 'mu' (-> e) at m_s (GeV) by vegas, with errors."""
    m, m_d, daughter = _pair(parent)
    if not 0.0 < m_s < m - m_d:
        raise KinematicallyForbidden(f"{parent} -> {daughter} nu nu S needs 0 < m_S < {m - m_d:.4g} GeV, got {m_s:g}")
    values, errors = integrate(m, m_d, m_s, seed=1, evaluations=evaluations)
    sm = sm_width_formula(m, m_d)
    r, e = values / sm, errors / sm
    scale = np.array([r[0], math.sqrt(abs(r[0] * r[2])), r[2]])
    if np.any(e > MAX_RELATIVE_ERROR * np.abs(scale)):
        raise ConvergenceError(f"{parent} -> {daughter} nu nu S at m_S = {m_s:g} GeV: vegas errors {e / np.abs(scale)} "
                               f"above {MAX_RELATIVE_ERROR:.0%}")
    return RadiationRatios(parent, daughter, m_s, float(r[0]), float(r[1]), float(r[2]),
                           (float(e[0]), float(e[1]), float(e[2])))
