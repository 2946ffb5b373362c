"""a_mu^{HVP,LO} by the time-like dispersion integral and by the space-like (MUonE) integral over Delta alpha_had(t).

* Time-like: WP (arXiv:2006.04822) eq. (2.1), 004 lines 313-328,
  a_mu = (alpha^2 / 3 pi^2) int ds K(s) R(s) / s = (alpha m_mu / 3 pi)^2 int ds R(s) K^(s) / s^2.
* Space-like (MUonE: Carloni Calame, Passera, Trentadue, Venanzoni, PLB 746 (2015) 325, arXiv:1504.02228;
  003 introduction): a_mu = (alpha / pi) int_0^1 dx (1 - x) Delta alpha_had[t(x)], t(x) = -x^2 m_mu^2 / (1 - x),
  with Delta alpha_had(t) = (alpha/3pi)(-t) int ds R(s) / (s (s - t)) for t < 0.

The two are the same integral (K(s) = int_0^1 dx x^2 (1 - x)/(x^2 + (1 - x) s/m^2)); here both integrate the same
:class:`~.spectral.SpectralMeasure`, so their difference measures only the x quadrature (tests: < 1e-6).
alpha is alpha(0) throughout (CODATA 2018, :data:`muonreach.constants.ALPHA`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...constants import ALPHA, M_MU, M_PI_CHARGED
from ...errors import InvalidParameter
from .kernel import kernel_k, kernel_khat
from .spectral import SpectralMeasure, spectral_measure

__all__ = ["HvpResult", "a_mu_hvp_spacelike", "a_mu_hvp_timelike", "delta_alpha_spacelike", "hvp_lo", "spacelike_integrand",
           "t_of_x"]


@dataclass(frozen=True)
class HvpResult:
    timelike: float
    spacelike: float
    khat_threshold: float
    regions: dict[str, float]
    pqcd_threshold_gev: float
    low_energy: str


def a_mu_hvp_timelike(measure: SpectralMeasure, m: float = M_MU) -> tuple[float, dict[str, float]]:
    """(alpha^2/3pi^2) sum w K(s)/s: the total and its split by the measure's regions."""
    f = ALPHA**2 / (3.0 * np.pi**2) * kernel_k(measure.s, m) / measure.s
    return measure.integrate(f), measure.by_region(f)


def delta_alpha_spacelike(t, measure: SpectralMeasure) -> np.ndarray:
    """Delta alpha(t) = (alpha/3pi)(-t) int ds R(s)/(s(s - t)) for space-like t < 0 (GeV^2); vectorised over t."""
    t = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t >= 0):
        raise InvalidParameter("Delta alpha_had(t) needs space-like t < 0")
    flat = t.ravel()
    vals = np.empty_like(flat)
    chunk = 256
    inv_s = measure.w / measure.s
    for i in range(0, flat.size, chunk):
        tt = flat[i : i + chunk]
        vals[i : i + chunk] = (-tt) * ((1.0 / (measure.s[None, :] - tt[:, None])) @ inv_s)
    return (ALPHA / (3.0 * np.pi) * vals).reshape(t.shape)


def t_of_x(x, m: float = M_MU) -> np.ndarray:
    """t(x) = -x^2 m^2 / (1 - x), 0 <= x < 1 (MUonE's x)."""
    x = np.asarray(x, dtype=float)
    return -(x**2) * m * m / (1.0 - x)


def spacelike_integrand(x, measure: SpectralMeasure, m: float = M_MU) -> np.ndarray:
    """(alpha/pi)(1 - x) Delta alpha[t(x)] for 0 < x < 1."""
    x = np.asarray(x, dtype=float)
    return ALPHA / np.pi * (1.0 - x) * delta_alpha_spacelike(t_of_x(x, m), measure)


def spacelike_nodes(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes for int_0^1 dx g(x) with x = 1 - y^2 (the (1 - x) ln(1 - x) end point becomes smooth)."""
    t, w = np.polynomial.legendre.leggauss(n)
    y = 0.5 * (t + 1.0)
    return 1.0 - y * y, w * y  # dx = 2 y dy, dy = dt/2


def a_mu_hvp_spacelike(measure: SpectralMeasure, m: float = M_MU, n: int = 64) -> float:
    """(alpha/pi) int_0^1 dx (1 - x) Delta alpha_had[t(x)] with :func:`spacelike_nodes`."""
    x, w = spacelike_nodes(n)
    keep = x > 0.0
    return float(np.dot(w[keep], spacelike_integrand(x[keep], measure, m)))


def hvp_lo(pqcd_threshold: float | None = None, resonances: bool = True, low_energy: str = "vmd") -> HvpResult:
    """Both routes from the shipped R (see :mod:`.spectral`), K^ at 4 M_pi^2 and the contributions by region."""
    measure = spectral_measure(pqcd_threshold, resonances, low_energy)
    total, regions = a_mu_hvp_timelike(measure)
    space = a_mu_hvp_spacelike(measure)
    khat = float(kernel_khat(4.0 * M_PI_CHARGED**2, M_MU))
    return HvpResult(total, space, khat, regions, measure.pqcd_threshold, low_energy)
