"""The QED kernel of the LO HVP dispersion integral and the leptonic vacuum polarisation in closed form.

Kernel: Theory Initiative white paper (arXiv:2006.04822) eq. (2.2), in ``004_7de0b22078876a0d.txt`` lines 332-355:

    K(s) = x^2/2 (2 - x^2) + (1 + x^2)(1 + x)^2 / x^2 [ln(1 + x) - x + x^2/2] + (1 + x)/(1 - x) x^2 ln x,
    x = (1 - beta)/(1 + beta), beta = sqrt(1 - 4 m^2 / s),

and K^(s) = 3 s K(s) / m^2, which rises from 0.63 at s = 4 M_pi^2 to 1 as s -> infinity (004 line 370).
Valid for s > 4 m^2 (the time-like region of the muon loop; the hadronic threshold is far above).
The bracket ln(1 + x) - x + x^2/2 = x^3/3 - x^4/4 + ... cancels catastrophically for small x (large s): it is
summed as a series below x = 0.05 (30 terms, truncation < 1e-40), which is the only cancellation in K.
Equivalent integral form (used in tests): K(s) = int_0^1 dy y^2 (1 - y) / (y^2 + (1 - y) s / m^2).
Below s = 4 m^2 (needed for the pi0 gamma threshold and for an electron loop in the tests) the x-form has complex
x; there we use that integral done in closed form (a = s/m^2, q = sqrt(a (1 - a/4))):

    K = 1/2 - a + a (2 - a)/2 ln(1/a) + (-2 + 4 a - a^2) arctan(2q/a) / (2q/a),

which matches the x-form at s = 4 m^2 (K = 0.0452) and has no cancellation for 0 < a <= 4.
"""

from __future__ import annotations

import numpy as np

from ...errors import InvalidParameter

__all__ = ["delta_alpha_lepton_spacelike", "kernel_k", "kernel_khat", "r_lepton"]

_SERIES_BELOW = 0.05
_SERIES_TERMS = 30


def _log1p_minus(x: np.ndarray) -> np.ndarray:
    """ln(1 + x) - x + x^2/2, accurate for all 0 < x < 1."""
    out = np.log1p(x) - x + 0.5 * x * x
    small = x < _SERIES_BELOW
    if np.any(small):
        xs = x[small]
        k = np.arange(3, 3 + _SERIES_TERMS)
        out[small] = np.sum(((-1.0) ** (k + 1) / k)[None, :] * xs[:, None] ** k[None, :], axis=1)
    return out


def _x_of_s(s: np.ndarray, m: float) -> np.ndarray:
    ratio = 4.0 * m * m / s
    # x = (1 - beta)/(1 + beta) = (1 - beta)^2 / ratio, with 1 - beta = ratio / (1 + beta) (no cancellation)
    beta = np.sqrt(1.0 - ratio)
    return ratio / (1.0 + beta) ** 2


def _k_below(a: np.ndarray) -> np.ndarray:
    """K for 0 < a = s/m^2 <= 4 (closed form of the integral representation, module docstring)."""
    z = 2.0 * np.sqrt(a * (1.0 - a / 4.0)) / a
    atanc = np.where(z > 0, np.arctan(z) / np.where(z > 0, z, 1.0), 1.0)
    return 0.5 - a + 0.5 * a * (2.0 - a) * np.log(1.0 / a) + (-2.0 + 4.0 * a - a * a) * atanc


def _k_above(s: np.ndarray, m: float) -> np.ndarray:
    x = _x_of_s(s, m)
    return (0.5 * x * x * (2.0 - x * x) + (1.0 + x * x) * (1.0 + x) ** 2 / (x * x) * _log1p_minus(x)
            + (1.0 + x) / (1.0 - x) * x * x * np.log(x))


def kernel_k(s, m: float) -> np.ndarray:
    """K(s) of WP eq. (2.2) for s > 0 in GeV^2 and the lepton (muon) mass m in GeV; vectorised."""
    sa = np.atleast_1d(np.asarray(s, dtype=float))
    if not np.all(np.isfinite(sa)) or np.any(sa <= 0.0) or not m > 0:
        raise InvalidParameter("the HVP kernel needs finite s > 0 and m > 0")
    out = np.empty_like(sa)
    above = sa > 4.0 * m * m
    out[above] = _k_above(sa[above], m)
    out[~above] = _k_below(sa[~above] / (m * m))
    return out.reshape(np.shape(s))


def kernel_khat(s, m: float) -> np.ndarray:
    """K^(s) = 3 s K(s) / m^2 (004 line 370: K^(4 M_pi^2) ~ 0.63, -> 1 at large s)."""
    return 3.0 * np.asarray(s, dtype=float) / (m * m) * kernel_k(s, m)


def r_lepton(s, m: float) -> np.ndarray:
    """R of a lepton pair, sigma(e+e- -> l+l-)/sigma_pt = beta (3 - beta^2)/2 above 4 m^2 (0 below); lowest order QED."""
    s = np.asarray(s, dtype=float)
    beta2 = np.clip(1.0 - 4.0 * m * m / np.where(s > 0, s, np.inf), 0.0, None)
    beta = np.sqrt(beta2)
    return np.where(s > 4.0 * m * m, 0.5 * beta * (3.0 - beta2), 0.0)


def delta_alpha_lepton_spacelike(t, m: float, alpha: float) -> np.ndarray:
    """One-loop Delta alpha_l(t) of a lepton of mass m at space-like t < 0 (GeV^2), closed form:

        Delta alpha_l(t) = (alpha / 3 pi) [ -5/3 - 4 m^2/t + (1 + 2 m^2/t) beta ln((beta + 1)/(beta - 1)) ],
        beta = sqrt(1 - 4 m^2 / t) > 1,

    the standard renormalised one-loop photon self-energy (e.g. Jegerlehner, 'The anomalous magnetic moment of the
    muon', eq. (2.23); limits: (alpha/3pi)(ln(-t/m^2) - 5/3) for -t >> m^2, (alpha/15 pi)(-t/m^2) for -t << m^2).
    The tests check it against the dispersion integral of :func:`r_lepton`."""
    t = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t >= 0):
        raise InvalidParameter("Delta alpha(t) is defined here for space-like t < 0")
    r = m * m / t  # negative
    beta = np.sqrt(1.0 - 4.0 * r)
    # ln((beta + 1)/(beta - 1)) with beta - 1 = -4 r / (beta + 1) (no cancellation at small |t|)
    log_term = np.log((beta + 1.0) ** 2 / (-4.0 * r))
    z = -t / (m * m)
    # the closed form cancels like 1/z^2 (O(1e-8) relative at z = 1e-3): below z = 1 use the series
    series = np.polynomial.polynomial.polyval(np.minimum(z, _DA_SERIES_BELOW), _DA_SERIES)
    exact = -5.0 / 3.0 - 4.0 * r + (1.0 + 2.0 * r) * beta * log_term
    return alpha / (3.0 * np.pi) * np.where(z < _DA_SERIES_BELOW, series, exact)


def _delta_alpha_series(n_terms: int) -> np.ndarray:
    """Coefficients c_n of Delta alpha_l = (alpha/3pi) sum_n c_n z^n, z = -t/m^2: from
    Delta alpha_l = (2 alpha/pi) int_0^1 dx x(1-x) ln(1 + z x(1-x)) expanded in z (radius of convergence 4),
    c_n = 6 (-1)^(n+1) ((n+1)!)^2 / (n (2n+3)!) (c_1 = 1/5, c_2 = -3/140)."""
    from math import factorial

    return np.array([0.0] + [6.0 * (-1) ** (n + 1) * factorial(n + 1) ** 2 / (n * factorial(2 * n + 3))
                             for n in range(1, n_terms + 1)])


_DA_SERIES_BELOW = 1.0  # terms fall like (z/4)^n: 32 terms truncate near 1e-21 at z = 1
_DA_SERIES = _delta_alpha_series(32)
