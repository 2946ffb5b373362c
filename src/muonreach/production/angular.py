"""The angular spectrum of l N -> l N X in the Weizsaecker-Williams family: dsigma/(dx ds), s = 1/U.

With U = x E^2 theta_X^2 + U_min (small angles, :mod:`.cross_sections`) the spectrum of the module docstring
there, dsigma/(dx dU) = (g^2 alpha^2/(4 pi)) chi beta_l beta_X (1 - x) |A|^2/U^2, becomes in s = 1/U

    dsigma/(dx ds) = (g^2 alpha^2/(4 pi)) chi beta_l beta_X (1 - x) [a(x) + x b (U_min s^2 - s)]

(GeV^-2 per atom): flat in s up to a quadratic, which is why the event generator samples s. The range is
s in (0, 1/U_min] for IWW (chi fixed, U unbounded; the small-angle relation then puts a fraction
~ U_min/(x E^2 pi^2) of the events beyond theta = pi, which :func:`theta_x` caps at pi) and
s in [1/U_cut, 1/U_min] for WW (chi(t_min(x, U)) inside, zero above U_cut = 2 E (1 - x) sqrt(t_max)).
Integrating over s gives :func:`~muonreach.production.cross_sections.dsigma_dx` (tests). Validity as there.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ..constants import ALPHA
from ..materials import Material
from .cross_sections import _betas, _coefficients
from .flux import iww_photon_flux, photon_flux

__all__ = ["dsigma_dx_ds", "dsigma_dx_ds_per_chi", "s_range", "theta_x", "u_min", "ww_t_min"]


def u_min(x: NDArray, m: float, m_l: float) -> NDArray:
    """U_min = (m_X^2 (1 - x) + m_l^2 x^2)/x (GeV^2)."""
    return (m * m * (1.0 - x) + m_l * m_l * x * x) / x


def s_range(x: NDArray, energy: NDArray, m: float, m_l: float, approximation: str) -> tuple[NDArray, NDArray]:
    """(s_lo, s_hi) of s = 1/U at each (x, E): (0, 1/U_min) for IWW, (1/U_cut, 1/U_min) for WW (empty: s_lo >= s_hi)."""
    s_hi = 1.0 / u_min(x, m, m_l)
    if approximation == "iww":
        return np.zeros_like(s_hi), s_hi
    u_cut = 2.0 * energy * (1.0 - x) * math.sqrt(m * m + m_l * m_l)
    return 1.0 / u_cut, s_hi


def dsigma_dx_ds_per_chi(kind: str, x: NDArray, s: NDArray, energy: NDArray, m: float, m_l: float) -> NDArray[np.float64]:
    """dsigma/(dx ds) divided by the photon flux chi, at coupling 1 (GeV^-2), broadcast over x, s and E.

    No input checks: the generator's points are valid by construction; zero outside the x range."""
    m2, l2 = m * m, m_l * m_l
    a, b = _coefficients(kind, x, m2, l2)
    amp = a + x * b * (u_min(x, m, m_l) * s * s - s)  # >= 0 analytically; max() removes rounding only
    return ALPHA * ALPHA / (4.0 * math.pi) * _betas(x, energy, m, m_l) * (1.0 - x) * np.maximum(amp, 0.0)


def ww_t_min(x: NDArray, s: NDArray, energy: NDArray) -> NDArray:
    """WW lower limit of the photon virtuality, t_min = U^2/(4 E^2 (1 - x)^2) with U = 1/s (GeV^2)."""
    return (1.0 / (s * 2.0 * energy * (1.0 - x))) ** 2


def dsigma_dx_ds(kind: str, x: NDArray, s: NDArray, energy: NDArray, m: float, m_l: float, material: Material,
                 approximation: str) -> NDArray[np.float64]:
    """dsigma/(dx ds) at coupling 1 (GeV^-2 per atom) on broadcast arrays of x, s and the lepton energy E,
    with the IWW or WW photon flux (module docstring)."""
    x, s, energy = np.broadcast_arrays(np.asarray(x, float), np.asarray(s, float), np.asarray(energy, float))
    if approximation == "iww":
        chi = np.asarray(iww_photon_flux(material, m, m_l, energy, allow_forbidden=True))
    else:
        t_max = m * m + m_l * m_l
        chi = np.asarray(photon_flux(material, np.minimum(ww_t_min(x, s, energy), t_max), t_max, allow_forbidden=True))
    return chi * dsigma_dx_ds_per_chi(kind, x, s, energy, m, m_l)


def theta_x(x: NDArray, s: NDArray, energy: NDArray, m: float, m_l: float) -> NDArray:
    """The boson's lab angle from U = 1/s = x E^2 theta^2 + U_min, capped at pi."""
    theta2 = (1.0 / s - u_min(x, m, m_l)) / (x * energy * energy)
    return np.minimum(np.sqrt(np.maximum(theta2, 0.0)), math.pi)
