"""Track length of electrons and positrons of an electromagnetic shower in a thick target.

An electron beam (unlike a muon) showers: a new boson is radiated by the primary and by every shower electron
and positron. The yield needs the track length dL/dE of e+ and e- with energy E (Tsai, Rev. Mod. Phys. 46 (1974)
815, Sec. III; Bjorken et al., Phys. Rev. D 38 (1988) 3375, App. A, for E137), here computed exactly in Rossi's
**Approximation A** (Rossi, High-Energy Particles (1952), Ch. 5; Rossi & Greisen, Rev. Mod. Phys. 13 (1941)
240): complete-screening Bethe-Heitler bremsstrahlung and pair production, no ionization and no Compton
scattering, valid for energies well above the critical energy (~7 MeV in lead). In radiation lengths t, with
the bremsstrahlung kernel phi(v) = (4/3 - 4/3 v + v^2)/v (photon energy fraction v) and the pair kernel
psi(u) = 1 - 4/3 u (1 - u) (total 7/9 per X0), the lethargy eps = ln(E0/E) diagonalises the cascade
equations by a Laplace transform in eps (Rossi's functions)::

    A(s) = (4/3) H_s - (4/3) s/(s+1) + 1/2 - 1/((s+1)(s+2))     (H_s = psi(s+1) + gamma_E)
    B(s) = 4/(3s) - 4/(3(s+1)) + 1/(s+2),   C(s) = 1/(s+1) - 4/(3(s+2)) + 4/(3(s+3)),   sigma0 = 7/9

    d/dt (p, g) = M(s) (p, g),   M = [[-A, 2C], [B, -sigma0]],   (p, g)(t = 0) = (1, 0)  (one primary electron)

with p, g the Laplace transforms of the e+- and photon densities per unit lethargy. The track length to depth T
is int_0^T exp(M t) dt (1, 0) = f(M) (1, 0), f(z) = (e^{zT} - 1)/z (T = inf: -1/z), evaluated on the 2x2 matrix
by its eigenvalues, and inverted to eps by the fixed Talbot contour (Abate & Valko, Int. J. Numer. Meth. Eng. 60
(2004) 979). A(1) = B(1) = 1 and D(s) = A - 2 B C/sigma0 vanishes at s = 1 (energy conservation), so an
infinitely thick target gives dL/dE -> X0 E0/(D'(1) E^2) = 0.444 X0 E0/E^2 for E << E0 (photons
0.571 X0 E0/W^2): Rossi's 0.437 and 0.572 (tests). ``primary`` keeps only the beam electron (f(-A): no pair
production feeds back).

Neglected, and stated: positron annihilation e+ e- -> X (resonant for vectors), ionization loss (shower
electrons below ~10 E_c), the angular spread of the shower. The mean production depth per energy comes from
int_0^T t exp(M t) dt in the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma

from ..errors import InvalidParameter

SIGMA0: float = 7.0 / 9.0
MODES: tuple[str, ...] = ("shower", "primary")
#: Talbot contour nodes, and the shift c of the Laplace variable by mode: the inversion is of q(eps) =
#: e^{-c eps} p(eps), with c beyond the abscissa of convergence (1 for a full shower, whose low-energy density
#: grows like E0/E; 0 for the primary alone). A small margin keeps the e^{c eps} amplification of round-off low.
TALBOT_NODES: int = 32
SHIFTS: dict[str, float] = {"shower": 1.05, "primary": 0.05}


def rossi_a(s: NDArray) -> NDArray:
    """A(s) of the module docstring (complex s)."""
    return 4.0 / 3.0 * (digamma(s + 1.0) + np.euler_gamma) - 4.0 / 3.0 * s / (s + 1.0) + 0.5 - 1.0 / ((s + 1.0) * (s + 2.0))


def rossi_b(s: NDArray) -> NDArray:
    """B(s): photon production by an electron, Mellin moment of phi(v)."""
    return 4.0 / (3.0 * s) - 4.0 / (3.0 * (s + 1.0)) + 1.0 / (s + 2.0)


def rossi_c(s: NDArray) -> NDArray:
    """C(s): electron production by a photon, Mellin moment of psi(u)."""
    return 1.0 / (s + 1.0) - 4.0 / (3.0 * (s + 2.0)) + 4.0 / (3.0 * (s + 3.0))


def _f(z: NDArray, thickness: float, power: int) -> NDArray:
    """int_0^T t^power e^{z t} dt (power 0 or 1); T = inf needs Re z < 0."""
    if math.isinf(thickness):
        return -1.0 / z if power == 0 else 1.0 / (z * z)
    e = np.exp(z * thickness)
    small = np.abs(z * thickness) < 1e-6
    zs = np.where(small, 1.0, z)
    if power == 0:
        return np.where(small, thickness * (1.0 + 0.5 * z * thickness), (e - 1.0) / zs)
    return np.where(small, 0.5 * thickness**2, (e * (zs * thickness - 1.0) + 1.0) / (zs * zs))


def _transform(s: NDArray, thickness: float, mode: str, power: int) -> NDArray:
    """Laplace transform in lethargy of the e+- track length (power 0) or of its depth moment (power 1)."""
    a = rossi_a(s)
    if mode == "primary":
        return _f(-a, thickness, power)
    b, c = rossi_b(s), rossi_c(s)
    # eigenvalues of M = [[-a, 2c], [b, -sigma0]] and f(M) (1, 0)^T by the two-point (Sylvester) formula
    half_trace = -0.5 * (a + SIGMA0)
    root = np.sqrt(0.25 * (a - SIGMA0) ** 2 + 2.0 * b * c)
    lp, lm = half_trace + root, half_trace - root
    fp, fm = _f(lp, thickness, power), _f(lm, thickness, power)
    divided = (fp - fm) / (lp - lm)
    return divided * (-a) + (lp * fm - lm * fp) / (lp - lm)


def _talbot(transform, eps: NDArray, shift: float) -> NDArray:
    """Inverse Laplace transform at eps > 0 of F(s) (fixed Talbot, shifted by ``shift``)."""
    eps = np.asarray(eps, dtype=float)[:, None]
    m = TALBOT_NODES
    k = np.arange(1, m)
    theta = k * math.pi / m
    cot = 1.0 / np.tan(theta)
    r = 2.0 * m / (5.0 * eps)
    s = r * theta * (cot + 1j)  # (n_eps, m - 1)
    sigma = theta + (theta * cot - 1.0) * cot
    f0 = transform(shift + r[:, 0])
    contour = np.real(np.exp(eps * s) * transform(shift + s) * (1.0 + 1j * sigma))
    total = 0.5 * np.real(f0) * np.exp(r[:, 0] * eps[:, 0]) + np.sum(contour, axis=1)
    return (r[:, 0] / m) * total * np.exp(shift * eps[:, 0])


@dataclass(frozen=True)
class ShowerTrackLength:
    """e+- track length of a shower from one electron of energy E0 in a target of ``thickness`` radiation
    lengths (math.inf: infinitely thick), ``mode`` "shower" or "primary" (module docstring)."""

    thickness: float
    mode: str = "shower"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InvalidParameter(f"shower mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if not self.thickness > 0.0:
            raise InvalidParameter(f"target thickness must be positive (radiation lengths), got {self.thickness!r}")

    def density(self, eps: NDArray) -> NDArray:
        """Track length per unit lethargy eps = ln(E0/E), in radiation lengths (eps > 0)."""
        return _talbot(lambda s: _transform(s, self.thickness, self.mode, 0), eps, SHIFTS[self.mode])

    def mean_depth(self, eps: NDArray) -> NDArray:
        """Track-length-weighted mean depth (radiation lengths) of the e+- of lethargy eps."""
        moment = _talbot(lambda s: _transform(s, self.thickness, self.mode, 1), eps, SHIFTS[self.mode])
        return moment / self.density(eps)

    def cumulative(self, eps: NDArray) -> NDArray:
        """Track length with lethargy below eps (energies above E0 e^-eps), radiation lengths; for the small eps
        where the density's integrable 1/(eps ln^2 eps) peak sits (eps < 1e-2)."""
        return _talbot(lambda s: _transform(s, self.thickness, self.mode, 0) / s, eps, SHIFTS[self.mode])
