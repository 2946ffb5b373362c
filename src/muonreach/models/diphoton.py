"""Lepton-loop form factors of a scalar coupled to photons.

``F_1/2(tau, rho)`` is defined by 000 eq. (2.4) (arXiv:1807.03790): the effective coupling
-(1/4) g_gg S F F with g_gg = alpha/(2 pi) |sum_l (g_l/m_l) F_1/2(4 m_l^2/p_S^2, q^2/(4 m_l^2))|,
one photon on shell and the other of virtuality q^2 (metric +,-,-,-).
"""

from __future__ import annotations

import cmath

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameter
from ..validation import finite, positive

_IEPS = 1e-13  # the Feynman prescription m^2 -> m^2 - i0, as a finite shift


def loop_f_parts(tau: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(Re f, Im f) of f(tau), 002 eq. (6), vectorised in real arithmetic: f = arcsin^2(tau^-1/2) for tau >= 1,
    -1/4 [L - i pi]^2 below with L = ln((1+b)/(1-b)) = 2 ln(1 + b) - ln(tau), b = sqrt(1 - tau) (the second
    form has no cancellation in 1 - b at small tau). ``tau`` must be positive (not checked: see :func:`loop_f`).
    """
    t = np.asarray(tau, dtype=float)
    above = t >= 1.0
    safe = np.where(above, t, 1.0)
    log = 2.0 * np.log1p(np.sqrt(np.where(above, 0.0, 1.0 - t))) - np.log(np.where(above, 1.0, t))
    re = np.where(above, np.arcsin(1.0 / np.sqrt(safe)) ** 2, -0.25 * (log * log - np.pi**2))
    im = np.where(above, 0.0, 0.5 * np.pi * log)
    return re, im


def loop_f_array(tau: ArrayLike) -> NDArray[np.complex128]:
    """f(tau) of 002 eq. (6), vectorised (complex; see :func:`loop_f_parts`)."""
    re, im = loop_f_parts(tau)
    return re + 1j * im


def loop_f(tau: float) -> complex:
    """f(tau) of 002 eq. (6) for one positive tau (see :func:`loop_f_array`)."""
    return complex(loop_f_array(positive("tau", tau)))


#: Above this tau the closed form of F_1/2 cancels (1 + (1 - tau) f ~ 2/(3 tau), relative error ~ 1e-16 tau):
#: the large-tau series is used instead (its first omitted term is < 1e-13 relative there).
_TAU_SERIES: float = 1e3


def f_half_on_shell_parts(tau: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(Re, Im) of F_1/2(tau, 0) = -2 tau [1 + (1 - tau) f(tau)] (000 App. A eq. (A.3)), in real arithmetic.

    For tau > 1e3 (a scalar much lighter than the lepton) by the expansion of arcsin^2(1/sqrt(tau)),
    F_1/2 = -2 [2/3 + 7/(45 tau) + 4/(63 tau^2) + 52/(1575 tau^3) + O(tau^-4)], which the closed form loses to
    cancellation (it was 221x too large for S -> gamma gamma through the muon at m_S = 1e-9 GeV)."""
    t = np.asarray(tau, dtype=float)
    big = t > _TAU_SERIES
    z = 1.0 / np.where(big, t, 1.0)
    series = -2.0 * (2.0 / 3.0 + z * (7.0 / 45.0 + z * (4.0 / 63.0 + z * 52.0 / 1575.0)))
    near = np.where(big, 1.0, t)
    re, im = loop_f_parts(near)
    scale = -2.0 * near
    return np.where(big, series, scale * (1.0 + (1.0 - near) * re)), np.where(big, 0.0, scale * (1.0 - near) * im)


def f_half_on_shell_array(tau: ArrayLike) -> NDArray[np.complex128]:
    """F_1/2(tau, 0) = -2 tau [1 + (1 - tau) f(tau)] (000 App. A eq. (A.3)), vectorised over positive tau
    (the large-tau series above tau = 1e3: see :func:`f_half_on_shell_parts`)."""
    re, im = f_half_on_shell_parts(tau)
    return re + 1j * im


def f_half_on_shell(tau: float) -> complex:
    """F_1/2(tau, 0) = -2 tau [1 + (1 - tau) f(tau)] (000 App. A eq. (A.3); 002 eqs. (5)-(6)).

    Limits: -4/3 for a heavy lepton (tau -> inf), 0 for a light one (tau -> 0, like tau ln^2 tau).
    """
    return complex(f_half_on_shell_array(positive("tau", tau)))


def f_half(tau: float, rho: float) -> complex:
    """Off-shell form factor F_1/2(tau, rho), tau = 4 m_l^2/p_S^2, rho = q^2/(4 m_l^2) (000 eq. (A.1)).

    000 eq. (A.1) as extracted prints the single-log term of the second logarithm with the coefficient
    -(tau + rho tau - 1)/4; that term must read ``-rho tau sqrt(1 - tau) log(...)``: only then does (A.1)
    reduce to (A.3) at rho = 0, and it then agrees to 1e-10 with the independent form
    4 [I_1(tau, 1/rho) - I_2(tau, 1/rho)] of the H -> Z gamma functions (Gunion, Haber, Kane, Dawson,
    The Higgs Hunter's Guide) for every tau > 0 and rho >= 0 (tests/test_scalar.py). The logarithms are
    continued with m^2 -> m^2 - i0. Valid for timelike or zero virtuality (rho >= 0: decays and e+e- -> S
    gamma with q^2 = s); the spacelike continuation (rho < 0) is not validated and raises.
    At rho tau = 1 (q^2 = p_S^2) the expression is 0/0; the removable singularity is resolved by
    averaging rho (1 +- 1e-6).
    """
    t = positive("tau", tau)
    r = finite("rho", rho)
    if r < 0.0:
        raise InvalidParameter(f"F_1/2 is implemented for rho = q^2/(4 m^2) >= 0 (timelike), got {r:g}")
    if r == 0.0:
        return f_half_on_shell(t)
    if abs(r * t - 1.0) < 1e-6:
        return 0.5 * (_f_half_general(t, r * (1.0 + 1e-6)) + _f_half_general(t, r * (1.0 - 1e-6)))
    return _f_half_general(t, r)


def _sum_of_conjugates(a: complex, b: complex) -> complex:
    """a + b where (a + b)(a - b) = 1 (the arguments of both logarithms), without the cancellation of a + b -> 0:
    1/(a - b) when |a + b| < |a - b| (e.g. rho = s/(4 m_e^2) ~ 1e8 at B factories, or tau = 4 m_e^2/m^2 -> 0)."""
    plus, minus = a + b, a - b
    return plus if abs(plus) >= abs(minus) else 1.0 / minus


def _f_half_general(tau: float, rho: float) -> complex:
    t = complex(tau, -_IEPS)
    r = complex(rho, _IEPS)
    sr = cmath.sqrt(r * (r - 1.0))
    log_y = cmath.log(_sum_of_conjugates(1.0 - 2.0 * r, 2.0 * sr))
    s1 = cmath.sqrt(1.0 - t)
    log_x = cmath.log(_sum_of_conjugates(1.0 - 2.0 / t, 2.0 * s1 / t))
    c = t + r * t - 1.0
    bracket = r * t - 1.0 + sr * t * log_y + 0.25 * c * log_y**2 - r * t * s1 * log_x - 0.25 * c * log_x**2
    return complex(2.0 * t / (r * t - 1.0) ** 2 * bracket)
