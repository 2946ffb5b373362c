"""Three-body phase space of l(p) N(P) -> l'(p') N(P') X(k) in the lab frame (nucleus at rest), in variables
that map the peaks of the integrand, with every invariant computed without cancellations.

Parametrisation A ("X first", the production one): the energy E_k = x E of X, its angle through
Delta = m'^2 - (p - k)^2 = -D2 (linear in cos theta_X: dcos theta_X = dDelta / (2 |p| |k|)), then the
two-body system V + P -> p' + P' with V = p - k: the momentum transfer t = -(P - P')^2 and the azimuth phi of q
around V. With s' = (V + P)^2 and the recursion dPhi_3 = dPhi_2(V + P -> p' P') d^3k / ((2 pi)^3 2 E_k), and
dPhi_2 = dt dphi / (32 pi^2 M |V|) (the Jacobian of (q0, q_par, q_perp) -> (P'^2, p'^2, t) is 8 M |V| q_perp),
the flux 1/(4 M |p|) and (1/2) sum |M|^2 = 2 M^2 e^4 g^2 G2 T / t^2 (:mod:`.amplitudes`)::

    dsigma = alpha^2 g^2 G2(t) T / (64 pi^2 |p|^2 |V| t^2)  dE_k dDelta dt dphi,     phi in [0, 2 pi).

The limits: q0 = -t/(2M) (from P'^2 = M^2), q_par = -(t (1 + E_V/M) + Delta) / (2 |V|) (from p'^2 = m'^2), and
q_perp^2 = (s'/M^2) (t - t_min)(t_+ - t) / (4 |V|^2) >= 0 with t_min t_+ = Delta^2 M^2 / s' (roots of a quadratic,
taken in the stable form). As M -> infinity, t_min -> (Delta / (2 |V|))^2, the WW value of 002 eq. (13) at
theta_X = 0 when Delta -> U (1 - x) (:mod:`muonreach.production.cross_sections`).

Parametrisation B ("lepton first", a cross-check of A in the tests): the same construction with the roles of X
and l' exchanged: E', Delta' = m_X^2 - (p - p')^2 and the two-body V' + P -> k + P' with V' = p - p'; then
E_k = E - E' - t/(2M) and the x cut is a condition on the point. The same formula for dsigma holds with
dE' dDelta' and |V'|.

Small quantities are computed in forms without cancellation: 1 - beta_p beta_k cos theta from
(E^2 m_k^2 + E_k^2 m^2 - m^2 m_k^2) / (E E_k + |p| |k|), the angle from Delta - Delta_min, |V|^2 from
(|p| - |k|)^2 + 2 |p| |k| (1 - cos theta).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ...constants import ALPHA
from .amplitudes import Invariants

#: alpha^2 / (64 pi^2): the constant of dsigma (module docstring), coupling g = 1.
PREFACTOR: float = ALPHA * ALPHA / (64.0 * math.pi * math.pi)


@dataclass(frozen=True)
class Kinematics:
    """Masses (GeV) and the beam energy: incoming lepton ``m``, outgoing lepton ``mp``, boson ``mx``, nucleus
    ``M``; ``energy`` is the beam lepton's total energy in the lab."""

    energy: float
    m: float
    mp: float
    mx: float
    M: float

    @property
    def p(self) -> float:
        """|p| of the beam lepton."""
        return np.sqrt((self.energy - self.m) * (self.energy + self.m))


@dataclass(frozen=True)
class Emission:
    """The first emitted particle (X in A, l' in B) at energy ``e_emit`` with mass ``m_emit``; the other one
    (mass ``m_other``) comes out of the two-body system V + P with V = p - emitted."""

    e_emit: NDArray
    k: NDArray  # its momentum |k|
    c0: NDArray  # E E_emit - |p| |k| >= 0 (p.emit at theta = 0)
    delta_min: NDArray  # Delta at theta = 0
    delta_max: NDArray  # Delta at theta = pi


def emission(kin: Kinematics, e_emit: NDArray, m_emit: float, m_other: float) -> Emission:
    """Angular limits of the first emission at energy ``e_emit`` (array)."""
    e = kin.energy
    k = np.sqrt(np.maximum((e_emit - m_emit) * (e_emit + m_emit), 0.0))
    c0 = (e * e * m_emit * m_emit + e_emit * e_emit * kin.m * kin.m - (kin.m * m_emit) ** 2) / (e * e_emit + kin.p * k)
    base = m_other * m_other - kin.m * kin.m - m_emit * m_emit
    return Emission(e_emit, k, c0, 2.0 * c0 + base, 2.0 * (c0 + 2.0 * kin.p * k) + base)


@dataclass(frozen=True)
class TwoBody:
    """The system V + P -> other + P' at fixed emission: |V|, E_V, Delta and the t limits."""

    v: NDArray  # |V| in the lab
    e_v: NDArray
    delta: NDArray
    w: NDArray  # 1 - cos theta of the emitted particle
    a2: NDArray  # s'/M^2
    t_min: NDArray
    t_plus: NDArray  # NaN-free; t_min >= t_plus marks a closed point


def two_body(kin: Kinematics, em: Emission, delta: NDArray, m_other: float) -> TwoBody:
    """t limits at (emission energy, Delta). ``delta`` broadcasts with the emission's arrays."""
    p, k = kin.p, em.k
    w = np.clip((delta - em.delta_min) / (2.0 * p * k), 0.0, 2.0)
    v2 = (p - k) ** 2 + 2.0 * p * k * w
    v = np.sqrt(v2)
    e_v = kin.energy - em.e_emit
    big_m = kin.M
    s_prime = m_other * m_other - delta + 2.0 * big_m * e_v + big_m * big_m
    a2 = s_prime / (big_m * big_m)
    b = 2.0 * v2 - delta * (1.0 + e_v / big_m)
    disc = b * b - a2 * delta * delta
    ok = (b > 0.0) & (disc >= 0.0)
    root = np.sqrt(np.where(ok, disc, 0.0))
    bb = np.where(ok, b + root, 1.0)
    t_plus = np.where(ok, bb / a2, 0.0)
    t_min = np.where(ok, delta * delta / bb, 1.0)
    return TwoBody(v, e_v, delta, w, a2, t_min, t_plus)


def delta_cut(kin: Kinematics, em: Emission, t_cap: float | NDArray) -> NDArray:
    """The largest Delta with t_min(Delta) <= t_cap (bounded by Delta_max): from t_min >= Delta^2 / (4 |V|^2) and
    |V|^2 = (|p| - |k|)^2 + Delta - Delta_min."""
    c = (kin.p - em.k) ** 2 - em.delta_min
    cut = 2.0 * t_cap + np.sqrt(np.maximum(4.0 * t_cap * t_cap + 4.0 * t_cap * c, 0.0))
    return np.minimum(cut, em.delta_max)


def _q_components(kin: Kinematics, tb: TwoBody, t: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    q0 = -t / (2.0 * kin.M)
    q_par = -(t * (1.0 + tb.e_v / kin.M) + tb.delta) / (2.0 * tb.v)
    q_perp = np.sqrt(np.maximum(tb.a2 * (t - tb.t_min) * (tb.t_plus - t), 0.0)) / (2.0 * tb.v)
    return q0, q_par, q_perp


def _projections(kin: Kinematics, em: Emission, tb: TwoBody) -> tuple[NDArray, NDArray, NDArray]:
    """(p.V^, emit.V^, common transverse component of p and emit perpendicular to V)."""
    p, k = kin.p, em.k
    sin_t = np.sqrt(np.maximum(tb.w * (2.0 - tb.w), 0.0))
    p_v = (p * (p - k) + p * k * tb.w) / tb.v
    k_v = (k * (p - k) - p * k * tb.w) / tb.v
    return p_v, k_v, p * k * sin_t / tb.v


def azimuth_parts_a(kin: Kinematics, em: Emission, tb: TwoBody, t: NDArray) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """(p.q at cos phi = 0, its cos phi coefficient, the same for k.q) of parametrisation A: p.q = a - b cos phi,
    k.q = c - d cos phi, with everything that does not depend on phi computed once (arrays of the shape of t)."""
    q0, q_par, q_perp = _q_components(kin, tb, t)
    p_v, k_v, perp = _projections(kin, em, tb)
    q_perp_perp = q_perp * perp
    return kin.energy * q0 - q_par * p_v, q_perp_perp, em.e_emit * q0 - q_par * k_v, q_perp_perp


def invariants_a(kin: Kinematics, em: Emission, tb: TwoBody, t: NDArray, cos_phi: NDArray,
                 parts: tuple[NDArray, NDArray, NDArray, NDArray] | None = None) -> Invariants:
    """Invariants of parametrisation A (X emitted first; ``em`` built with m_emit = m_X, m_other = m');
    ``parts``: :func:`azimuth_parts_a` at these points when the caller already has them."""
    pq_0, pq_1, kq_0, kq_1 = azimuth_parts_a(kin, em, tb, t) if parts is None else parts
    pq = pq_0 - pq_1 * cos_phi
    kq = kq_0 - kq_1 * cos_phi
    kp = 0.5 * (kin.m * kin.m + kin.mx * kin.mx - kin.mp * kin.mp + tb.delta)
    two_m = 2.0 * kin.M
    return Invariants(kin.m, kin.mp, kin.mx, t, pq, kq, kp, kin.energy - pq / two_m, em.e_emit - kq / two_m,
                      1.0 + t / (two_m * two_m), 2.0 * pq - t, -tb.delta)


def invariants_b(kin: Kinematics, em: Emission, tb: TwoBody, t: NDArray, cos_phi: NDArray) -> tuple[Invariants, NDArray]:
    """Invariants of parametrisation B (the lepton emitted first; ``em`` built with m_emit = m', m_other = m_X),
    and the lab energy E_k of X."""
    q0, q_par, q_perp = _q_components(kin, tb, t)
    p_v, _, perp = _projections(kin, em, tb)
    pq = kin.energy * q0 - (q_par * p_v + q_perp * cos_phi * perp)
    kq = 0.5 * (tb.delta - t)  # k = V' + q, V'.q = (Delta' + t)/2
    kp = 0.5 * (kin.m * kin.m - kin.mp * kin.mp + kin.mx * kin.mx - tb.delta) + pq
    e_k = kin.energy - em.e_emit + q0
    two_m = 2.0 * kin.M
    d2 = kin.m * kin.m + kin.mx * kin.mx - 2.0 * kp - kin.mp * kin.mp
    inv = Invariants(kin.m, kin.mp, kin.mx, t, pq, kq, kp, kin.energy - pq / two_m, e_k - kq / two_m,
                     1.0 + t / (two_m * two_m), 2.0 * pq - t, d2)
    return inv, e_k


def jacobian(kin: Kinematics, tb: TwoBody) -> NDArray:
    """dsigma / (G2 T / t^2  dE_emit dDelta dt dphi) at coupling 1: alpha^2 / (64 pi^2 |p|^2 |V|)."""
    return PREFACTOR / (kin.p * kin.p * tb.v)


def momenta_a(kin: Kinematics, em: Emission, tb: TwoBody, t: NDArray, phi: NDArray,
              phi_x: NDArray | float = 0.0) -> dict[str, NDArray]:
    """Lab four-momenta (E, px, py, pz), beam along +z, of parametrisation A at (E_k, Delta, t, phi): ``"k"``
    (X), ``"p_out"`` (l'), ``"P_out"`` (recoil nucleus), ``"q"``; ``phi_x`` is X's azimuth. Shape (..., 4)."""
    p, k = kin.p, em.k
    cos_t = 1.0 - tb.w
    sin_t = np.sqrt(np.maximum(tb.w * (2.0 - tb.w), 0.0))
    cx, sx = np.cos(phi_x), np.sin(phi_x)
    k_vec = np.stack(np.broadcast_arrays(k * sin_t * cx, k * sin_t * sx, k * cos_t), axis=-1)
    v_vec = np.stack(np.broadcast_arrays(-k * sin_t * cx, -k * sin_t * sx, p - k * cos_t), axis=-1)
    v_hat = v_vec / tb.v[..., None] if np.ndim(tb.v) else v_vec / tb.v
    # e1: in the (p, k) plane, perpendicular to V, with p.e1 > 0; e2 = V^ x e1
    z = np.array([0.0, 0.0, 1.0])
    e1 = z - (v_hat @ z)[..., None] * v_hat
    norm = np.linalg.norm(e1, axis=-1, keepdims=True)
    fallback = np.stack(np.broadcast_arrays(cx, sx, 0.0 * cx), axis=-1)  # theta = 0: any perpendicular direction
    e1 = np.where(norm > 1e-300, e1 / np.where(norm > 1e-300, norm, 1.0), fallback)
    e2 = np.cross(v_hat, e1)
    q0, q_par, q_perp = _q_components(kin, tb, t)
    q_vec = q_par[..., None] * v_hat + q_perp[..., None] * (np.cos(phi)[..., None] * e1 + np.sin(phi)[..., None] * e2)
    four = lambda e0, vec: np.concatenate([np.broadcast_to(e0, vec.shape[:-1])[..., None], vec], axis=-1)
    k4 = four(em.e_emit, k_vec)
    q4 = four(q0, q_vec)
    p4 = np.array([kin.energy, 0.0, 0.0, p])
    big_p = np.array([kin.M, 0.0, 0.0, 0.0])
    return {"k": k4, "q": q4, "p_out": p4 - k4 + q4, "P_out": big_p - q4}
