"""One-loop contributions of a new neutral boson to a_l = (g-2)_l / 2.

General formulas (Leveille, Nucl. Phys. B137 (1978) 63; in the form of Jegerlehner & Nyffeler,
Phys. Rept. 477 (2009) 1, arXiv:0902.3360, Sec. 7): an external lepton of mass ``m_l`` couples to a
boson of mass ``M`` and an internal fermion of mass ``m_F`` through

* scalar boson:  psibar_l (C_S + C_P gamma_5) psi_F  Phi  (+ h.c. if F != l),
* vector boson:  psibar_l gamma^mu (C_V + C_A gamma_5) psi_F  X_mu  (+ h.c. if F != l).

With eps = m_F/m_l, lam = m_l/M and D(x) = (1-x)(1 - lam^2 x) + eps^2 lam^2 x::

    Delta a = lam^2/(8 pi^2) int_0^1 dx [C_S^2 x^2 (1 + eps - x) + C_P^2 x^2 (1 - eps - x)] / D(x)
    Delta a = lam^2/(8 pi^2) int_0^1 dx {C_V^2 [2x(1-x)(x - 2(1-eps)) + lam^2 (1-eps)^2 x^2 (1+eps-x)]
                                         + C_A^2 [same with eps -> -eps]} / D(x)

(the sign of C_P, C_A does not matter: only squares enter). Diagonal couplings (F = l, eps = 1)
reproduce 000 eq. (2.6) and 002 eq. (3) (scalar), M^3 eq. (2.4) in 004 (vector); the off-diagonal
scalar of 001 eqs. (3)-(4) is C_S = -C_P = h/2 with eps = m_e/m_mu.

The integrals are done in the logit variable u = ln(x/(1-x)), which resolves the structures of width
M^2/m_l^2 near x = 0 (light boson) and m_l^2/M^2 near x = 1 (heavy boson): by fixed-order Gauss-Legendre on
panels of width <= 1 in u split at those structures, accepted when a 12- and a 24-node rule agree to 1e-11
(relative), otherwise by adaptive quadrature (scipy); non-convergence raises
:class:`~muonreach.errors.ConvergenceError`. Valid for any M > 0 (one loop, point-like couplings).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, InvalidParameter
from ..validation import finite, positive

_U_MAX = 60.0  # |ln(x/(1-x))| beyond 60 contributes < 1e-26 relative


#: Mass ratios (boson or internal fermion over the external lepton) where the integrals are validated: the light
#: and heavy limits are reproduced to < 1e-10 relative (tests); beyond 1e8 the cut |u| <= U_MAX loses ~e^-60 r^2.
RATIO_RANGE: tuple[float, float] = (1e-15, 1e8)


def _check_ratios(m_l: float, **masses: float) -> None:
    lo, hi = RATIO_RANGE
    for name, m in masses.items():
        if not lo <= m / m_l <= hi:
            raise InvalidParameter(f"{name} = {m:g} GeV is outside the validated range of the one-loop (g-2) integrals, "
                                   f"{lo:g} to {hi:g} times the lepton mass {m_l:g} GeV")


_PANEL: float = 1.0  # widest Gauss-Legendre panel in u (the integrand varies on scales >= 1 between hints)
_GL_COARSE, _GL_FINE = np.polynomial.legendre.leggauss(12), np.polynomial.legendre.leggauss(24)
_GL_RTOL: float = 1e-11  # coarse/fine agreement required to accept the fixed-order result


def _logit_integrand(ratio: Callable) -> Callable[[np.ndarray], np.ndarray]:
    """u -> ratio(x, 1-x) * dx/du at x = 1/(1+e^-u), with 1-x = 1/(1+e^u) evaluated without cancellation."""

    def integrand(u: np.ndarray) -> np.ndarray:
        x, one_minus_x = 1.0 / (1.0 + np.exp(-u)), 1.0 / (1.0 + np.exp(u))
        return ratio(x, one_minus_x) * x * one_minus_x

    return integrand


def _panel_edges(points: list[float]) -> np.ndarray:
    """Edges on [-U_MAX, U_MAX]: the break points, each interval cut into equal panels no wider than _PANEL."""
    breaks = [-_U_MAX, *points, _U_MAX]
    pieces = [np.linspace(a, b, max(1, math.ceil((b - a) / _PANEL)) + 1)[:-1] for a, b in zip(breaks[:-1], breaks[1:]) if b > a]
    return np.append(np.concatenate(pieces), _U_MAX)


def _gauss_legendre(f: Callable[[np.ndarray], np.ndarray], edges: np.ndarray, rule: tuple[np.ndarray, np.ndarray]) -> float:
    half, mid = 0.5 * np.diff(edges), 0.5 * (edges[1:] + edges[:-1])
    nodes, weights = rule
    return float(np.sum(f(mid[:, None] + half[:, None] * nodes) * (half[:, None] * weights)))


def _unit_roots(b: float, c: float) -> tuple[float, float] | None:
    """The real roots r1 < r2 of the monic quadratic t^2 + b t + c (the small one without cancellation), or None."""
    disc = b * b - 4.0 * c
    if not disc > 0.0:
        return None
    q = -0.5 * (b + math.copysign(math.sqrt(disc), b))
    r1, r2 = sorted((q, c / q))
    return r1, r2


@dataclass(frozen=True)
class _Poles:
    """The two zeros in (0, 1) of a Feynman denominator D(x) = (x - x1)(x - x2), each as (x_i, 1 - x_i) with the
    smaller of the two accurate, and their separation x2 - x1 = sqrt(discriminant)."""

    roots: tuple[tuple[float, float], tuple[float, float]]
    gap: float

    def distance(self, i: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """x - x_i, computed from 1 - x when x_i is near 1 (no cancellation at the pole)."""
        xi, yi = self.roots[i]
        return x - xi if xi <= 0.5 else yi - y


def _poles(bx: float, cx: float, by: float, cy: float) -> _Poles | None:
    """Zeros in (0, 1) of D, given as the monic quadratics x^2 + bx x + cx in x and y^2 + by y + cy in y = 1 - x.

    The denominators used here are positive at x = 0 and x = 1, so their zeros in (0, 1) come in pairs; they
    exist exactly when the external lepton can decay into the loop particles (boson + internal fermion)."""
    xs, ys = _unit_roots(bx, cx), _unit_roots(by, cy)
    if xs is None or ys is None or not 0.0 < xs[0] < xs[1] < 1.0:
        return None
    pairs = tuple((x, 1.0 - x) if x <= 0.5 else (1.0 - y, y) for x, y in zip(xs, (ys[1], ys[0])))
    return _Poles((pairs[0], pairs[1]), math.sqrt(bx * bx - 4.0 * cx))


def _boson_side_poles(eps: float, lam2: float) -> _Poles | None:
    """Zeros in (0, 1) of D(x) = (1-x)(1/lam^2 - x) + eps^2 x = x^2 - (1 + r - eps^2) x + r, r = 1/lam^2; in
    y = 1 - x the same D is y^2 - (1 - r + eps^2) y + eps^2 (photon on the fermion). With x <-> y this is also the
    denominator of the photon-on-scalar graph."""
    r = 1.0 / lam2
    return _poles(-(1.0 + r - eps * eps), r, -(1.0 - r + eps * eps), eps * eps)


def _scalar_side_poles(eps: float, lam2: float) -> _Poles | None:
    """Zeros in (0, 1) of D_S(x) = x (1/lam^2 - (1-x)) + eps^2 (1-x) = D_F(1 - x) (:func:`_boson_side_poles`)."""
    r = 1.0 / lam2
    return _poles(-(1.0 - r + eps * eps), eps * eps, -(1.0 + r - eps * eps), r)


def _feynman_integral(numerator: Callable, denominator: Callable, hints: list[float], poles: _Poles | None = None) -> float:
    """int_0^1 numerator(x, 1-x)/denominator(x, 1-x) dx in u = logit(x) (1-x passed exactly); numerator and
    denominator are evaluated on arrays (fixed-order rule) or floats (adaptive fallback).

    ``poles``: the zeros x1 < x2 in (0, 1) of the denominator, which must then be the monic quadratic
    (x - x1)(x - x2). The integral is the real part of the loop function with the i0 prescription (mass^2 - i0),
    i.e. the principal value: the simple poles a_i/(x - x_i), a_i = N(x_i)/D'(x_i) = +-N(x_i)/(x2 - x1), are
    subtracted and integrated analytically, PV int_0^1 dx/(x - x_i) = ln((1 - x_i)/x_i)."""
    if poles is not None:
        (x1, y1), (x2, y2) = poles.roots
        a1, a2 = -numerator(x1, y1) / poles.gap, numerator(x2, y2) / poles.gap

        def ratio(x, y):
            return numerator(x, y) / denominator(x, y) - a1 / poles.distance(0, x, y) - a2 / poles.distance(1, x, y)

        logs = a1 * math.log(y1 / x1) + a2 * math.log(y2 / x2)
        hints = [*hints, math.log(x1 / y1), math.log(x2 / y2)]
    else:
        def ratio(x, y):
            return numerator(x, y) / denominator(x, y)

        logs = 0.0
    points = sorted({max(-_U_MAX + 1, min(_U_MAX - 1, h)) for h in hints})
    integrand = _logit_integrand(ratio)
    edges = _panel_edges(points)
    with np.errstate(all="ignore"):  # a zero of the denominator shows up as disagreement or non-finite sums
        coarse, fine = _gauss_legendre(integrand, edges, _GL_COARSE), _gauss_legendre(integrand, edges, _GL_FINE)
    if math.isfinite(fine) and abs(fine - coarse) <= _GL_RTOL * max(abs(fine), abs(logs)):
        return fine + logs
    try:
        return _adaptive_integral(integrand, points, logs)
    except ConvergenceError:
        if poles is None:
            raise
        raise ConvergenceError(
            f"(g-2) loop integral not resolved this close to the threshold of the lepton's decay into the loop "
            f"particles (boson + internal fermion; zeros of the Feynman denominator {poles.gap:.1e} apart), where the "
            "one-loop function is singular") from None


def _adaptive_integral(integrand: Callable[[np.ndarray], np.ndarray], points: list[float], logs: float = 0.0) -> float:
    """The same integral (plus the analytic pole terms ``logs``) by adaptive quadrature (scipy quad, relative
    accuracy 1e-9), for integrands the fixed-order rule does not resolve."""
    from scipy import integrate

    def scalar(u: float) -> float:
        with np.errstate(all="ignore"):
            return float(integrand(np.asarray(u, dtype=float)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)  # judged by the error estimate below
        value, err = integrate.quad(scalar, -_U_MAX, _U_MAX, points=points, epsabs=0.0, epsrel=1e-9, limit=400)
    if not math.isfinite(value) or abs(err) > 1e-6 * max(abs(value), abs(logs)):
        raise ConvergenceError(f"(g-2) loop integral did not converge (value {value:g}, error estimate {err:g})")
    return value + logs


def _hints(m_l: float, m_f: float, m_boson: float) -> list[float]:
    """Places (in u) where the integrand changes: x ~ M/m_l, x ~ M^2/m_l^2, 1-x ~ m_l^2/M^2, ..."""
    r = (m_boson / m_l) ** 2
    q = (m_f / m_l) ** 2
    hints = [0.0]
    for s in (r, math.sqrt(r), q, math.sqrt(q), r / max(q, 1e-300)):
        if s > 0:
            hints += [math.log(s), -math.log(s)]
    return hints


def scalar_exchange(m_l: float, m_f: float, m_boson: float, c_s: float, c_p: float) -> float:
    """Delta a_l from a neutral scalar with couplings C_S, C_P to (l, F) (Jegerlehner-Nyffeler Sec. 7)."""
    m_l, m_f, m_b = positive("lepton mass", m_l), positive("internal fermion mass", m_f), positive("boson mass", m_boson)
    _check_ratios(m_l, **{"internal fermion mass": m_f, "boson mass": m_b})
    c_s, c_p = finite("C_S", c_s), finite("C_P", c_p)
    if c_s == 0.0 and c_p == 0.0:
        return 0.0
    eps, lam2 = m_f / m_l, (m_l / m_b) ** 2

    def num(x: float, y: float) -> float:
        return c_s**2 * x * x * (eps + y) + c_p**2 * x * x * (y - eps)

    def den(x: float, y: float) -> float:
        # D(x)/lam^2 = (1-x)(M^2/m_l^2 - x) + eps^2 x  (keeps the light-boson limit finite)
        return y * (1.0 / lam2 - x) + eps * eps * x

    return _feynman_integral(num, den, _hints(m_l, m_f, m_b), _boson_side_poles(eps, lam2)) / (8.0 * math.pi**2)


def vector_exchange(m_l: float, m_f: float, m_boson: float, c_v: float, c_a: float) -> float:
    """Delta a_l from a neutral vector with couplings C_V, C_A to (l, F) (Jegerlehner-Nyffeler Sec. 7).

    The axial part of a massive vector includes the longitudinal mode and grows like m_l^2/M^2 for
    M << m_l; that is physical for a Proca field with an axial coupling, not a numerical artefact.
    """
    m_l, m_f, m_b = positive("lepton mass", m_l), positive("internal fermion mass", m_f), positive("boson mass", m_boson)
    _check_ratios(m_l, **{"internal fermion mass": m_f, "boson mass": m_b})
    c_v, c_a = finite("C_V", c_v), finite("C_A", c_a)
    if c_v == 0.0 and c_a == 0.0:
        return 0.0
    eps, lam2 = m_f / m_l, (m_l / m_b) ** 2

    def part(e: float, x: float, y: float) -> float:
        return 2.0 * x * y * (x - 2.0 * (1.0 - e)) + lam2 * (1.0 - e) ** 2 * x * x * (e + y)

    def num(x: float, y: float) -> float:
        return c_v**2 * part(eps, x, y) + c_a**2 * part(-eps, x, y)

    def den(x: float, y: float) -> float:
        return y * (1.0 / lam2 - x) + eps * eps * x

    return _feynman_integral(num, den, _hints(m_l, m_f, m_b), _boson_side_poles(eps, lam2)) / (8.0 * math.pi**2)


# --- named cases -----------------------------------------------------------------------------------


def scalar(m_l: float, m_boson: float, g: float) -> float:
    """Diagonal scalar g S lbar l: 000 eq. (2.6), 002 eq. (3) (arXiv:1807.03790, 1701.07437).

    Delta a = g^2/(8 pi^2) int_0^1 dz (1-z)^2 (1+z) / [(1-z)^2 + z m_S^2/m_l^2]. Positive. (The M^3 paper,
    004 eq. (2.3), prints 1/(16 pi^2); the standard result used here has 1/(8 pi^2): see DESIGN.md errata.)
    """
    return scalar_exchange(m_l, m_l, m_boson, g, 0.0)


def pseudoscalar(m_l: float, m_boson: float, g: float) -> float:
    """Diagonal pseudoscalar g a lbar i gamma_5 l: -g^2/(8 pi^2) int x^3/(x^2 + (1-x) M^2/m_l^2). Negative."""
    return scalar_exchange(m_l, m_l, m_boson, 0.0, g)


def vector(m_l: float, m_boson: float, g: float) -> float:
    """Diagonal vector g V_mu lbar gamma^mu l: M^3 paper eq. (2.4) (004, arXiv:1804.03144).

    Delta a = g^2/(4 pi^2) int_0^1 dz z (1-z)^2 / [(1-z)^2 + z m_V^2/m_l^2]; g^2/(8 pi^2) for m_V << m_l.
    """
    return vector_exchange(m_l, m_l, m_boson, g, 0.0)


def axial_vector(m_l: float, m_boson: float, g: float) -> float:
    """Diagonal axial vector g A_mu lbar gamma^mu gamma_5 l; negative; -5 g^2 m_l^2/(12 pi^2 M^2) when heavy."""
    return vector_exchange(m_l, m_l, m_boson, 0.0, g)


def chiral_offdiagonal_scalar(m_l: float, m_internal: float, m_boson: float, h: float) -> float:
    """Off-diagonal scalar -h ebar_L mu_R phi + h.c. (001 eqs. (2)-(4), Gninenko & Krasnikov 2022).

    Delta a_l = h^2/(16 pi^2) (m_l^2/m_phi^2) L,  L = int_0^1 dx x^2 (1-x) / [(1-x)(1 - lam^2 x) + eps^2 lam^2 x]
    with lam = m_l/m_phi, eps = m_internal/m_l; for the electron swap the roles of m_e and m_mu (001 after eq. (4)).
    Heavy limit (001 eq. (5)): h^2 m_l^2 / (48 pi^2 m_phi^2).
    """
    return scalar_exchange(m_l, m_internal, m_boson, 0.5 * h, 0.5 * h)


# --- a loop of a charged scalar and a charged fermion ---------------------------------------------
#
# Leveille, Nucl. Phys. B137 (1978) 63, eqs. (the scalar-exchange graphs with the photon on the internal
# fermion and on the internal scalar); same conventions as scalar_exchange above: the lepton l (charge -1)
# couples as  lbar (C_S + C_P gamma_5) F  S^*  + h.c.  to a fermion F of charge q_f and a scalar of charge
# q_s (q_f + q_s = -1, in units of e). With eps = m_F/m_l, lam = m_l/M_S, x the Feynman parameter:
#
#   photon on F:  Delta a = (-q_f)/(8 pi^2) int dx x^2 [C_S^2 (1 - x + eps) + C_P^2 (1 - x - eps)] / D_F,
#                 D_F = (1-x)(1/lam^2 - x) + eps^2 x
#   photon on S:  Delta a = (-q_s)/(8 pi^2) int dx (-x(1-x)) [C_S^2 (x + eps) + C_P^2 (x - eps)] / D_S,
#                 D_S = x(1/lam^2 - (1-x)) + eps^2 (1-x)
#
# (q_f = -1, q_s = 0 is scalar_exchange; a charged scalar with a massless neutral fermion and chiral
# coupling c gives -c^2 m_l^2/(96 pi^2 M^2), the classic charged-Higgs result.)


def scalar_fermion_loop(m_l: float, m_f: float, m_s: float, q_f: float, q_s: float, c_s: float, c_p: float) -> float:
    """Delta a_l from a loop of a fermion (mass m_f, charge q_f) and a scalar (m_s, q_s), Leveille 1978.

    Charges in units of e with the lepton's charge -1, so q_f + q_s = -1 is required. Any masses > 0.
    """
    m_l, m_f, m_s = positive("lepton mass", m_l), positive("internal fermion mass", m_f), positive("scalar mass", m_s)
    _check_ratios(m_l, **{"internal fermion mass": m_f, "scalar mass": m_s})
    q_f, q_s, c_s, c_p = finite("q_f", q_f), finite("q_s", q_s), finite("C_S", c_s), finite("C_P", c_p)
    if abs(q_f + q_s + 1.0) > 1e-12:
        raise InvalidParameter(f"charges must add up to the lepton's, q_f + q_s = -1; got {q_f:g} + {q_s:g}")
    if c_s == 0.0 and c_p == 0.0:
        return 0.0
    eps, lam2 = m_f / m_l, (m_l / m_s) ** 2
    hints = _hints(m_l, m_f, m_s)
    total = 0.0
    if q_f != 0.0:
        total += -q_f * _feynman_integral(
            lambda x, y: x * x * (c_s**2 * (y + eps) + c_p**2 * (y - eps)),
            lambda x, y: y * (1.0 / lam2 - x) + eps * eps * x, hints, _boson_side_poles(eps, lam2))
    if q_s != 0.0:
        total += -q_s * _feynman_integral(
            lambda x, y: -x * y * (c_s**2 * (x + eps) + c_p**2 * (x - eps)),
            lambda x, y: x * (1.0 / lam2 - y) + eps * eps * y, hints, _scalar_side_poles(eps, lam2))
    return total / (8.0 * math.pi**2)


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(48)
_GL_X, _GL_W = 0.5 * (_GL_NODES + 1.0), 0.5 * _GL_WEIGHTS  # on [0, 1]


def _moments(a: np.ndarray, b: np.ndarray, poly: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """int_0^1 poly(x) / (a x + b (1-x)) dx for arrays a, b > 0 (48-node Gauss-Legendre).

    For |ln(a/b)| < 0.5 directly in x (the pole x = b/(b-a) is then more than 1.5 away from [0, 1]); otherwise
    in w = ln(a x + b(1-x)), where the integrand poly(x(w))/(a-b) is smooth. Relative error < 1e-12 (tested
    against adaptive quadrature).
    """
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    la, lb = np.log(a), np.log(b)
    near = np.abs(la - lb) < 0.5
    x = _bc(_GL_X, a)
    wts = _GL_W.reshape((-1,) + (1,) * a.ndim)
    out_direct = np.sum(wts * poly(x) / (a * x + b * (1.0 - x)), axis=0)
    safe = np.where(near, 1.0, a - b)
    xw = (np.exp(lb + (la - lb) * x) - b) / safe
    out_log = np.sum(wts * poly(xw), axis=0) * (la - lb) / safe
    return np.where(near, out_direct, out_log)


def _bc(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.reshape(x, (-1,) + (1,) * a.ndim), (x.size, *a.shape))


def scalar_fermion_loop_heavy(m_l, m_f, m_s, q_f: float, q_s: float, c_s, c_p):
    """Leading order in m_l^2/M^2 of :func:`scalar_fermion_loop`, vectorised over masses and couplings.

    Dropping m_l in the denominators (D -> m_F^2 x + m_S^2 (1-x) or m_S^2 x + m_F^2 (1-x)) gives

        Delta a = (-q_f)/(8 pi^2) [m_l^2 (C_S^2 + C_P^2) I(x^2(1-x); m_F, m_S) + m_l m_F (C_S^2 - C_P^2) I(x^2; m_F, m_S)]
                + (-q_s)/(8 pi^2) [-m_l^2 (C_S^2 + C_P^2) I(x^2(1-x); m_S, m_F) - m_l m_F (C_S^2 - C_P^2) I(x(1-x); m_S, m_F)]

    with I(p; a, b) = int_0^1 p(x) / (a^2 x + b^2 (1-x)) dx. Valid for m_l << m_F, m_S (relative corrections
    of order m_l^2/M^2; < 1e-6 for M > 100 m_l, tested). Chirally enhanced part: the m_l m_F terms.
    """
    m_f, m_s = np.asarray(m_f, float), np.asarray(m_s, float)
    if abs(q_f + q_s + 1.0) > 1e-12:
        raise InvalidParameter(f"charges must add up to the lepton's, q_f + q_s = -1; got {q_f:g} + {q_s:g}")
    if np.any(m_f <= 0) or np.any(m_s <= 0) or not np.all(np.isfinite(m_f)) or not np.all(np.isfinite(m_s)):
        raise InvalidParameter("loop masses must be finite and > 0")
    cs2, cp2 = np.asarray(c_s, float) ** 2, np.asarray(c_p, float) ** 2
    f2, s2 = m_f**2, m_s**2
    total = 0.0
    if q_f != 0.0:
        total = total - q_f * (m_l**2 * (cs2 + cp2) * _moments(f2, s2, lambda x: x * x * (1 - x))
                               + m_l * m_f * (cs2 - cp2) * _moments(f2, s2, lambda x: x * x))
    if q_s != 0.0:
        total = total - q_s * (-m_l**2 * (cs2 + cp2) * _moments(s2, f2, lambda x: x * x * (1 - x))
                               - m_l * m_f * (cs2 - cp2) * _moments(s2, f2, lambda x: x * (1 - x)))
    return total / (8.0 * math.pi**2)
