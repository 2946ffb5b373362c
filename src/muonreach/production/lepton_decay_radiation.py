"""A scalar radiated in leptonic decays, l -> l' nu_l nubar_l' S (000_2bfc33bcfac4181d.txt Sec. 4.6, Figs. 8c, 8d;
arXiv:1807.03790): tau -> mu nu nu S and mu -> e nu nu S, by deterministic quadrature.

Fermi theory (m_l << M_W) with the Yukawa -g_l S lbar l on both charged lines. For l(P) -> nu_l(k) l'(p) nubar_l'(kbar)
S(q), G^a = gamma^a (1 - gamma5), D_l = (P - q)^2 - m_l^2, D_l' = (p + q)^2 - m_l'^2 (000's Figs. 8c, 8d; both
diagrams carry (-i g)(i/D) and add with the same sign; the unfierzed form is in
:mod:`muonreach.production.lepton_decay_vegas`), the (V-A) x (V-A) Fierz identity (it holds for arbitrary spinors,
so with the scalar insertions on the charged lines; its overall sign is common to both diagrams and drops out of
|M|^2) gives

    M = (G_F/sqrt 2) [ubar(k) G^a v(kbar)] J_a,   J_a = ubar(p) [g_l G_a (P - q + m_l)/D_l + g_l' (p + q + m_l')/D_l' G_a] u(P).

The massless neutrino pair (Q = k + kbar) integrates analytically: int dPhi_2 k^a kbar^b = (Q^2 g^ab + 2 Q^a Q^b)/(96 pi),
so int dPhi_2 sum Tr[k G^a kbar bar(G^b)] = (Q^a Q^b - Q^2 g^ab)/(3 pi), and per coupling pair (i, j)

    <sum|M|^2>/G_F^2 = (1/(6 pi)) Tr[A_ij C(B_ij)],  C(B) = Qslash (1 - g5) B (1 + g5) Qslash - Q^2 gamma_a (1 - g5) B (1 + g5) gamma^a,

with A_ij = bar(Y_j) (p + m') Y_i, B_ij = X_i (P + m) bar(X_j) for the insertions X (right of G) and Y (left). The width
Gamma = (1/(2 m_l)) (1/2) int <sum|M|^2> dPhi_3(P; p, q, Q) dQ^2/(2 pi) is a three-dimensional integral over |p_S|
(ln(|p_S| + m_S) linear: the soft-S region), the l' direction in the l' Q frame relative to S (a logarithmic map of
1 - cos theta resolving the l'-S collinear peak, width ~ m_l'^2/E^2) and Q^2 (the sqrt edge of two-body phase space
mapped out), by tensor-product Gauss-Legendre with two rules (the difference is the error estimate; ConvergenceError
above TOLERANCE). The same
code with no scalar gives Gamma(l -> l' nu nu), checked against G_F^2 m^5/(192 pi^3) f(m_l'^2/m^2) (tests); the result is

    Gamma(l -> l' nu nu S) / Gamma(l -> l' nu nu) = g_l^2 r_ll + g_l g_l' r_ll' + g_l'^2 r_l'l',

in which G_F cancels. Tree level; W propagator and radiative corrections neglected (O(m_l^2/M_W^2) and O(alpha)).
Valid for 0 < m_S < m_l - m_l'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from ..constants import LEPTON_MASSES
from ..errors import ConvergenceError, KinematicallyForbidden
from ..models.kinematics import boost, two_body_momentum
from . import dirac as d

#: Gauss-Legendre orders per dimension (|p_S|, cos theta, Q^2) of the estimate and of the result: the difference is
#: the error estimate. Convergence study against (24, 24, 24) at tau: m_S = 1 MeV, 50 MeV, 0.3, 1 GeV and mu: 1, 20,
#: 70 MeV (errors relative to sqrt(r_ll r_l'l')): (10, 10, 6) <= 4.8e-4, (12, 12, 8) <= 1.3e-4 (the largest at
#: m_S = 1 MeV; Q^2 is smooth after the map and needs few nodes). 1,752 nodes per mass in all.
ORDERS: tuple[tuple[int, int, int], tuple[int, int, int]] = ((10, 10, 6), (12, 12, 8))
#: Largest accepted difference of the two rules on r_ll, r_l'l' and r_ll' relative to sqrt(r_ll r_l'l') (the cross
#: term can pass through zero), else ConvergenceError.
TOLERANCE: float = 3e-3
#: The mass table of :func:`interpolated_ratios`: TABLE_POINTS log-spaced masses from TABLE_MIN to TABLE_END of
#: the kinematic limit m_l - m_l' (beyond it the ratios fall like (Delta - m)^7 and the tau bounds need couplings
#: beyond 4 pi). Interpolation against direct quadrature at every mid-point (tests): <= 4.5e-3 on r_ll and r_l'l',
#: <= 2.4e-2 of sqrt(r_ll r_l'l') on r_ll' (in the last interval; elsewhere <= 1.6e-3).
TABLE_POINTS: int = 11
TABLE_MIN: float = 1e-3
TABLE_END: float = 0.7
#: Power of (1 - m_S/Delta) divided out before interpolating (:func:`interpolated_ratios`).
THRESHOLD_POWER: float = 7.0
#: Offset of the logarithmic map of 1 - cos theta, in units of (m_l'/m_l)^2: below the narrowest collinear peak
#: (its width in 1 - cos theta is >= ~4 (m_l'/m_l)^2, at E_l' = m_l/2).
COLLINEAR_OFFSET: float = 0.1
#: The charged lepton l' of each parent l of l -> l' nu nu S.
DAUGHTERS: dict[str, str] = {"tau": "mu", "mu": "e"}
_PLUS, _MINUS = d.IDENTITY + d.GAMMA5, d.IDENTITY - d.GAMMA5
_LOWER = d.GAMMA * np.diag(d.METRIC)[:, None, None]  # gamma_a


@dataclass(frozen=True)
class RadiationRatios:
    """Gamma(l -> l' nu nu S)/Gamma(l -> l' nu nu) per coupling structure (module docstring), with error estimates."""

    parent: str
    daughter: str
    mass: float
    r_parent: float
    r_cross: float
    r_daughter: float
    errors: tuple[float, float, float]

    def ratio(self, g_parent: float, g_daughter: float) -> float:
        return g_parent**2 * self.r_parent + g_parent * g_daughter * self.r_cross + g_daughter**2 * self.r_daughter


def sm_width_formula(m: float, m_daughter: float, g_fermi: float = 1.0) -> float:
    """Gamma(l -> l' nu nu) = G_F^2 m^5/(192 pi^3) (1 - 8 r + 8 r^3 - r^4 - 12 r^2 ln r), r = m_l'^2/m^2 (tree)."""
    r = (m_daughter / m) ** 2
    return g_fermi**2 * m**5 / (192.0 * math.pi**3) * (1.0 - 8 * r + 8 * r**3 - r**4 - 12 * r * r * math.log(r))


def _direction(cos: NDArray, phi: NDArray) -> NDArray:
    sin = np.sqrt(np.maximum(1.0 - cos * cos, 0.0))
    return np.stack([sin * np.cos(phi), sin * np.sin(phi), cos], axis=1)


def _split(parent: NDArray, m_parent: NDArray, m1: NDArray, m2: NDArray, direction: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """Two daughters of ``parent`` emitted along ``direction`` in its rest frame, boosted; and p* (for dPhi_2)."""
    q = two_body_momentum(m_parent, m1, m2)
    a = np.concatenate([np.sqrt(q * q + m1 * m1)[:, None], q[:, None] * direction], axis=1)
    b = np.concatenate([np.sqrt(q * q + m2 * m2)[:, None], -q[:, None] * direction], axis=1)
    return boost(a, parent, m_parent), boost(b, parent, m_parent), q


def _pair(parent: str) -> tuple[float, float, str]:
    if parent not in DAUGHTERS:
        raise KinematicallyForbidden(f"no leptonic decay with a radiated scalar for {parent!r}; known: tau, mu")
    daughter = DAUGHTERS[parent]
    return LEPTON_MASSES[parent], LEPTON_MASSES[daughter], daughter


def _linear_map(image) -> NDArray[np.complex128]:
    """A linear map on 4 x 4 matrices, given on a stack of them, as a (16, 16) matrix acting on row-major flattened
    matrices from the right."""
    return image(np.eye(16, dtype=complex).reshape(16, 4, 4)).reshape(16, 16)


#: B -> (1 - g5) B (1 + g5) and B -> gamma_a (1 - g5) B (1 + g5) gamma^a.
_CHIRAL = _linear_map(lambda b: _MINUS @ b @ _PLUS)
_AROUND = _linear_map(lambda b: sum(_LOWER[a] @ _MINUS @ b @ _PLUS @ d.GAMMA[a] for a in range(4)))


_SLASH_RE = (d.GAMMA.real * np.diag(d.METRIC)[:, None, None]).reshape(4, 16)
_SLASH_IM = (d.GAMMA.imag * np.diag(d.METRIC)[:, None, None]).reshape(4, 16)


def _slash(p: NDArray, mass: float = 0.0) -> NDArray[np.complex128]:
    """d.slash(p) + mass by stacked real (1, 4) @ (4, 16) products (the same numbers, ~5x faster)."""
    row = p[:, None, :]
    out = (row @ _SLASH_RE + 1j * (row @ _SLASH_IM)).reshape(-1, 4, 4)
    if mass:
        out[:, range(4), range(4)] += mass
    return out


def neutrino_pair_trace(a: NDArray, b: NDArray, pair: NDArray) -> NDArray[np.float64]:
    """Tr[A C(B)] of the module docstring per point: the neutrino line int dPhi_2 Tr[k G^a kbar bar(G^b)] times
    3 pi contracted with the charged line Tr[A G_a B bar(G_b)]: Tr[A (Qslash (1-g5) B (1+g5) Qslash - Q^2 gamma_a
    (1-g5) B (1+g5) gamma^a)]. a, b: (n, 4, 4); pair: Q, (n, 4)."""
    n = b.shape[0]
    q = _slash(pair)
    flat = b.reshape(n, 1, 16)  # stacked (1, 16) @ (16, 16): a 2-d product goes to threaded BLAS, slow for this size
    around = (flat @ _AROUND).reshape(n, 4, 4)
    c = q @ (flat @ _CHIRAL).reshape(n, 4, 4) @ q - d.dot(pair, pair)[:, None, None] * around
    return np.real(np.einsum("nij,nji->n", a, c))


@cache
def _rule(orders: tuple[int, int, int]) -> tuple[NDArray, NDArray]:
    """Tensor-product Gauss-Legendre nodes (prod(orders), 3) on the unit cube and their weights."""
    rules = [np.polynomial.legendre.leggauss(n) for n in orders]
    grid = np.stack([g.ravel() for g in np.meshgrid(*(0.5 * (x + 1.0) for x, _ in rules), indexing="ij")], axis=1)
    weights = np.einsum("i,j,k->ijk", *(0.5 * w for _, w in rules))
    return grid, weights.ravel()


def _offset_log(u: NDArray, top: float, offset: float) -> tuple[NDArray, NDArray]:
    """x in [0, top] with ln(x + offset) linear in u, and dx/du = ln(1 + top/offset) (x + offset)."""
    span = math.log1p(top / offset)
    x = offset * np.expm1(span * u)
    return x, span * (x + offset)


def _edge_map(u: NDArray, top: NDArray | float) -> tuple[NDArray, NDArray]:
    """s = top (1 - (1 - u)^2) in [0, top] and ds/du: takes out the sqrt(top - s) edge of two-body phase space."""
    return top * (1.0 - (1.0 - u) ** 2), 2.0 * top * (1.0 - u)


def _three_body(u: NDArray, m: float, m_d: float, m_s: float) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Momenta (l', S, Q) in the parent's rest frame at points u of the unit cube, and dPhi_3 dQ^2/(2 pi) per du.

    P -> S + X: |p_S| in [0, p_max] with ln(|p_S| + m_S) linear (the soft-S region dE/E without the sqrt edge of
    the two-body phase space at E_S = m_S), S along z (4 pi); X -> l' + Q: 1 - cos theta of l' in the X frame from
    the S direction with ln(1 - cos theta + c) linear, c = COLLINEAR_OFFSET (m_l'/m_l)^2 (phi = 0 and 2 pi);
    Q^2 = s_max (1 - (1 - u)^2), s_max = (m_X - m_l')^2 (takes out the sqrt edge at s_max). dPhi_2 = p*/(16 pi^2 M)
    dOmega, ds/(2 pi) per invariant mass, ds_X = 2 m dE_S = 2 m |p_S| d|p_S|/E_S."""
    n = u.shape[0]
    two = 1.0 / (16.0 * math.pi**2)
    e_hi = (m * m + m_s * m_s - m_d * m_d) / (2.0 * m)
    p_s, jacobian = _offset_log(u[:, 0], math.sqrt(e_hi * e_hi - m_s * m_s), m_s)
    e_s = np.sqrt(p_s * p_s + m_s * m_s)
    zero = np.zeros(n)
    scalar = np.stack([e_s, zero, zero, p_s], axis=1)
    system = np.stack([m - e_s, zero, zero, -p_s], axis=1)
    m_x = np.sqrt(np.maximum(m * m + m_s * m_s - 2.0 * m * e_s, 0.0))
    weight = (2.0 * m * p_s / e_s * jacobian / (2.0 * math.pi)) * (two * p_s / m * 4.0 * math.pi)
    one_minus, jacobian = _offset_log(u[:, 1], 2.0, COLLINEAR_OFFSET * (m_d / m) ** 2)
    weight = weight * jacobian * 2.0 * math.pi
    s_q, jacobian = _edge_map(u[:, 2], np.maximum(m_x - m_d, 0.0) ** 2)
    lepton, pair, p2 = _split(system, m_x, np.full(n, m_d), np.sqrt(s_q), _direction(1.0 - one_minus, zero))
    weight = weight * two * p2 / m_x * jacobian / (2.0 * math.pi)
    return lepton, scalar, pair, weight


def _charged_lines(m: float, m_d: float, lepton: NDArray, scalar: NDArray, pair: NDArray) -> NDArray:
    """(n, 3): Tr[A_ij C(B_ij)] for (i, j) = (l, l), 2 Re (l, l'), (l', l') (module docstring)."""
    n = lepton.shape[0]
    parent = np.zeros((n, 4))
    parent[:, 0] = m
    back, forward = parent - scalar, lepton + scalar
    x = (_slash(back, m)) / (d.dot(back, back) - m * m)[:, None, None]
    y = (_slash(forward, m_d)) / (d.dot(forward, forward) - m_d * m_d)[:, None, None]
    p_parent = _slash(parent, m)
    p_lepton = _slash(lepton, m_d)
    return np.stack([neutrino_pair_trace(p_lepton, x @ p_parent @ x, pair),
                     2.0 * neutrino_pair_trace(y @ p_lepton, x @ p_parent, pair),
                     neutrino_pair_trace(y @ p_lepton @ y, p_parent, pair)], axis=1)


def _width_coefficients(m: float, m_d: float, m_s: float, orders: tuple[int, int, int]) -> NDArray[np.float64]:
    """(1/(2 m)) (1/2) int <sum|M|^2>/G_F^2 dPhi per coupling pair, Gauss-Legendre of ``orders`` (|p_S|, cos, Q^2)."""
    u, w = _rule(orders)
    lepton, scalar, pair, weight = _three_body(u, m, m_d, m_s)
    traces = _charged_lines(m, m_d, lepton, scalar, pair)
    return np.sum((w * weight)[:, None] * traces, axis=0) / (6.0 * math.pi) * 0.5 / (2.0 * m)


def sm_width_quadrature(m: float, m_d: float, order: int = 24) -> float:
    """Gamma(l -> l' nu nu)/G_F^2 by the same neutrino-pair integration and Q^2 map with Gauss-Legendre (validation
    of the normalisation against :func:`sm_width_formula`)."""
    x, w = np.polynomial.legendre.leggauss(order)
    s, jacobian = _edge_map(0.5 * (x + 1.0), (m - m_d) ** 2)
    n = s.size
    rest = np.tile([m, 0.0, 0.0, 0.0], (n, 1))
    lepton, pair, p2 = _split(rest, np.full(n, m), np.full(n, m_d), np.sqrt(s), np.tile([0.0, 0.0, 1.0], (n, 1)))
    traces = neutrino_pair_trace(_slash(lepton, m_d), _slash(rest, m), pair)
    weight = 0.5 * w * jacobian / (2.0 * math.pi) * 4.0 * math.pi * p2 / (16.0 * math.pi**2 * m)
    return float(np.sum(weight * traces) / (6.0 * math.pi) * 0.5 / (2.0 * m))


@cache
def radiation_ratios(parent: str, m_s: float) -> RadiationRatios:
    """The ratios of the module docstring for parent 'tau' (-> mu) or 'mu' (-> e) at scalar mass m_s (GeV);
    ``errors`` are the differences of the two Gauss-Legendre rules (ORDERS)."""
    m, m_d, daughter = _pair(parent)
    if not 0.0 < m_s < m - m_d:
        raise KinematicallyForbidden(f"{parent} -> {daughter} nu nu S needs 0 < m_S < {m - m_d:.4g} GeV, got {m_s:g}")
    sm = sm_width_formula(m, m_d)
    low, high = (_width_coefficients(m, m_d, m_s, orders) / sm for orders in ORDERS)
    e = np.abs(high - low)
    scale = math.sqrt(abs(high[0] * high[2]))
    if np.any(e > TOLERANCE * scale):
        raise ConvergenceError(f"{parent} -> {daughter} nu nu S at m_S = {m_s:g} GeV: quadrature rules {ORDERS} differ "
                               f"by {np.max(e) / scale:.2g} (relative to sqrt(r_ll r_l'l')), above {TOLERANCE:g}")
    return RadiationRatios(parent, daughter, m_s, float(high[0]), float(high[1]), float(high[2]),
                           (float(e[0]), float(e[1]), float(e[2])))


def table_masses(parent: str) -> NDArray[np.float64]:
    """The masses (GeV) of the cached ratio table of ``parent``."""
    m, m_d, _ = _pair(parent)
    return np.geomspace(TABLE_MIN, TABLE_END * (m - m_d), TABLE_POINTS)


def _table(parent: str) -> dict[str, NDArray[np.float64]]:
    from .. import cache as disk

    masses = table_masses(parent)

    def compute() -> dict[str, NDArray[np.float64]]:
        rows = [radiation_ratios(parent, float(mass)) for mass in masses]
        return {"mass": masses, "r": np.array([[x.r_parent, x.r_cross, x.r_daughter] for x in rows])}

    inputs = {"parent": parent, "masses": masses.tolist(), "quadrature": [list(o) for o in ORDERS],
              "collinear_offset": COLLINEAR_OFFSET}
    return disk.cached_arrays("lepton-decay-radiation", inputs, compute)


def interpolated_ratios(parent: str, m_s: float) -> RadiationRatios | None:
    """The ratios at m_s from the cached table; None outside its mass range. Interpolated by cubic splines in ln m of
    ln(r / (1 - m/Delta)^THRESHOLD_POWER) for r_ll and r_l'l' (Delta = m_l - m_l': the factor takes out the steep
    fall at the kinematic limit, r ~ (Delta - m)^7 there, measured) and of the correlation r_ll'/sqrt(r_ll r_l'l')."""
    from scipy.interpolate import CubicSpline

    table = _table(parent)
    masses, r = table["mass"], table["r"]
    if not masses[0] <= m_s <= masses[-1]:
        return None
    m, m_d, daughter = _pair(parent)
    delta = m - m_d
    x = np.log(masses)
    at = math.log(m_s)
    fall = THRESHOLD_POWER * np.log1p(-masses / delta)
    here = THRESHOLD_POWER * math.log1p(-m_s / delta)
    r_p = math.exp(float(CubicSpline(x, np.log(r[:, 0]) - fall)(at)) + here)
    r_d = math.exp(float(CubicSpline(x, np.log(r[:, 2]) - fall)(at)) + here)
    corr = float(CubicSpline(x, r[:, 1] / np.sqrt(r[:, 0] * r[:, 2]))(at))
    return RadiationRatios(parent, daughter, m_s, r_p, corr * math.sqrt(r_p * r_d), r_d, (math.nan,) * 3)
