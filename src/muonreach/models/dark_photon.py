"""Kinetically mixed dark photon A', with Dirac dark matter or with inelastic (pseudo-Dirac) dark matter.

* :class:`DarkPhoton`: L = -eps e A'_mu J^mu_EM - g_D A'_mu chibar gamma^mu chi, g_D = sqrt(4 pi alpha_D)
  (notes-004-part1.md S22 eq. (1), probably the LDMX proposal arXiv:1808.05219).
* :class:`InelasticDM`: L = -eps e A'_mu J^mu_EM - (g_D A'_mu chibar_2 gamma^mu chi_1 + h.c.)
  (003_731e213823d1e5dc.txt eq. (1), Krnjaic, Rocha, Wang 2024), masses m1 and m2 = m1 + Delta.

Both are valid for m_A' << m_Z: A'-Z mixing and hence A' -> nu nubar are neglected. The hadronic width uses
the data-driven R ratio of :mod:`muonreach.models.rratio`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from .. import constants as c
from .. import units
from ..errors import ConvergenceError, InvalidParameter
from ..validation import coupling, finite, non_negative, positive
from .base import DarkStateDecay, Mediator, require_lepton
from .kinematics import beta_pair, is_open, scalar_or_array, two_body_momentum
from .rratio import r_ratio, r_values, table

if TYPE_CHECKING:
    from ..cosmo.annihilation import Annihilation

# Gauss-Legendre rules: 3 points are exact for the inner (m_1l^2) integral, whose integrand is quadratic.
_INNER = np.polynomial.legendre.leggauss(3)
_OUTER_ORDERS = (32, 64, 128, 256, 512)
_REL_TOL = 1e-9


def vector_to_fermions_width(mass: ArrayLike, alpha_eff: ArrayLike, m_f: ArrayLike) -> Any:
    """Gamma(V -> f fbar) = alpha_eff m/3 (1 + 2 m_f^2/m^2) sqrt(1 - 4 m_f^2/m^2) for L = -g V_mu fbar gamma^mu f.

    alpha_eff = g^2/(4 pi) (eps^2 alpha for a lepton, alpha_D for Dirac chi). Tree level, any m > 2 m_f
    (0 below). Bjorken, Essig, Schuster, Toro arXiv:0906.0580; 004_7de0b22078876a0d.txt eq. (2) of arXiv:1902.07715
    (which prints m_mu for m_f, DESIGN.md errata). Elementwise on arrays (a float for floats).
    """
    m: Any = mass
    b = beta_pair(m, m_f)
    return scalar_or_array(alpha_eff * m / 3.0 * (1.0 + 2.0 * np.multiply(m_f, m_f) / (m * m)) * b)


def hadronic_width(mass: ArrayLike, eps: ArrayLike) -> Any:
    """Gamma(A' -> hadrons) = eps^2 alpha m/3 R(m): the massless-lepton width times R (DarkCast arXiv:1801.04847).

    R is normalised to the massless point cross section (PDG), so no muon phase-space factor enters. R = 0
    below 0.2818 GeV (A' -> pi0 gamma neglected there, see :mod:`.rratio`); DataRangeError above the table.
    Elementwise on arrays.
    """
    e: Any = eps
    return scalar_or_array(e * e * c.ALPHA * mass / 3.0 * r_ratio(mass))


def sm_widths(mass: ArrayLike, eps: Any) -> dict[str, Any]:
    """A' partial widths (GeV) to e e, mu mu, tau tau and hadrons through kinetic mixing (elementwise)."""
    widths = {f"{l}_{l}": vector_to_fermions_width(mass, eps * eps * c.ALPHA, c.LEPTON_MASSES[l]) for l in c.LEPTONS}
    widths["hadrons"] = hadronic_width(mass, eps)
    return widths


def kinetic_mixing_delta_a(mass: float, eps: float, lepton: str) -> float:
    """Delta a_l of a vector coupled as eps e to the lepton: gm2.loops.vector (Leveille 1978), g = eps e.

    Equals eps^2 alpha/(2 pi) int_0^1 dx 2 x^2 (1-x) / (x^2 + (1-x) m_A'^2/m_l^2); -> eps^2 alpha/(2 pi) for m_A' << m_l.
    """
    from ..gm2.loops import vector  # lazy: gm2 imports nothing from models

    return vector(c.LEPTON_MASSES[require_lepton(lepton)], mass, eps * c.E_CHARGE)


def offdiagonal_vector_width(mass: ArrayLike, alpha_d: Any, m1: ArrayLike, m2: ArrayLike) -> Any:
    """Gamma(A' -> chi1 chi2) for L = -g_D A'_mu chibar_2 gamma^mu chi_1 + h.c., unequal masses (derived here).

    With S = m1 + m2, D = m2 - m1, summing |M|^2 over spins and the 3 polarisations (-g + k k/m^2; the k k
    term survives because the current is not conserved for m1 != m2) gives sum |M|^2 = 2 g_D^2 m^2
    (1 - D^2/m^2)(2 + S^2/m^2), hence
        Gamma = alpha_D m/3 (1 + S^2/(2 m^2)) (1 - D^2/m^2)^(3/2) (1 - S^2/m^2)^(1/2),
    as in Berlin, Kling arXiv:1810.01879. For D -> 0 it is the Dirac width alpha_D m/3 (1 + 2 m1^2/m^2)
    sqrt(1 - 4 m1^2/m^2). 0 for m <= m1 + m2. Elementwise on arrays (a float for floats).
    """
    m, a, b = (np.asarray(v, dtype=float) for v in (mass, m1, m2))
    s2, d2 = ((a + b) / m) ** 2, ((b - a) / m) ** 2
    width = alpha_d * m / 3.0 * (1.0 + 0.5 * s2) * np.maximum(1.0 - d2, 0.0) ** 1.5 * np.sqrt(np.maximum(1.0 - s2, 0.0))
    return scalar_or_array(np.where(two_body_momentum(m, a, b) > 0.0, width, 0.0))


def chi2_msq_reduced(x: np.ndarray, q2: np.ndarray, m1: float, m2: float, m_l: float) -> np.ndarray:
    """Spin-summed |M(chi2 -> chi1 l- l+)|^2 / (32 C^2), C = g_D eps e/(q^2 - m_A'^2), at x = p1.k1 (derived here).

    Tr[(p1/ + m1) g^mu (P/ + m2) g^nu] Tr[(k1/ + m_l) g_mu (k2/ - m_l) g_nu] / 32
      = (p1.k1)(P.k2) + (p1.k2)(P.k1) + m_l^2 (p1.P) - m1 m2 (k1.k2) - 2 m1 m2 m_l^2
      = 2 x (p1.q - x) + (q^2/2)(p1.q - m1 m2) + m_l^2 (Delta^2 - q^2)/2,
    with p1.q = (m2^2 - m1^2 - q^2)/2; checked against explicit Dirac matrices in the tests.
    """
    d = m2 - m1
    pq = 0.5 * (d * (m1 + m2) - q2)
    return 2.0 * x * (pq - x) + 0.5 * q2 * (pq - m1 * m2) + 0.5 * m_l * m_l * (d * d - q2)


def chi2_spectrum(q2: np.ndarray, m1: float, m2: float, m_l: float, m_a: float) -> np.ndarray:
    """d Gamma(chi2 -> chi1 l+ l-) / d q^2 divided by eps^2 alpha alpha_D, at dilepton masses^2 q2 (GeV^-1).

    Tree level, M = g_D eps e/(q^2 - m_A'^2) [ubar_1 gamma^mu u_2][ubar_l gamma_mu v_l] (the q_mu q_nu/m_A'^2
    part of the propagator drops out: the lepton current is conserved), all masses kept, |M|^2 from
    :func:`chi2_msq_reduced`, averaged over the chi2 spin (1/2). Gamma = 1/(256 pi^3 m2^3) int dm_ll^2 dm_1l^2
    |M|^2 (PDG Dalitz formula); m_1l^2 = m1^2 + m_l^2 + 2x is integrated exactly (quadratic integrand) by
    3-point Gauss-Legendre over x in p1.q/2 -+ p_l* p_1* (momenta in the dilepton rest frame).
    """
    q2 = np.asarray(q2, dtype=float)
    d = m2 - m1
    pq = 0.5 * (d * (m1 + m2) - q2)
    p1 = np.sqrt(np.clip(((m1 + m2) ** 2 - q2) * (d * d - q2), 0.0, None) / (4.0 * q2))
    pl = 0.5 * np.sqrt(np.clip(q2 - 4.0 * m_l * m_l, 0.0, None))
    half = p1 * pl
    x = 0.5 * pq[..., None] + half[..., None] * _INNER[0]
    inner = half * (chi2_msq_reduced(x, q2[..., None], m1, m2, m_l) @ _INNER[1])
    # (1/2 spin) * 32 C^2 * 2 (d m_1l^2 = 2 dx) / (256 pi^3 m2^3), C^2 = 16 pi^2 eps^2 alpha alpha_D / (q^2 - m_A'^2)^2
    return 2.0 / (math.pi * m2**3) * inner / (q2 - m_a * m_a) ** 2


@cache
def _nodes(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


def _gauss_legendre(f: Callable[[np.ndarray], np.ndarray], n: int) -> float:
    """int_-1^1 f(u) du with n Gauss-Legendre points (f vectorised)."""
    u, w = _nodes(n)
    return float(np.dot(w, f(u)))


def _converged(f: Callable[[np.ndarray], np.ndarray]) -> float:
    """Gauss-Legendre of rising order until two successive orders agree to 1e-9; else ConvergenceError."""
    previous = _gauss_legendre(f, _OUTER_ORDERS[0])
    for n in _OUTER_ORDERS[1:]:
        value = _gauss_legendre(f, n)
        if abs(value - previous) <= _REL_TOL * abs(value):
            return value
        previous = value
    raise ConvergenceError(f"chi2 decay integral did not converge with {_OUTER_ORDERS[-1]} Gauss-Legendre points")


def chi2_leptonic_integral(m1: float, m2: float, m_l: float, m_a: float) -> float:
    """int dq^2 chi2_spectrum over 4 m_l^2 < q^2 < Delta^2 (0 if closed), mapped q^2 = a + (b-a)(1-cos th)/2.

    The map makes the sqrt thresholds at both ends smooth in th, so Gauss-Legendre converges fast.
    """
    a, b = 4.0 * m_l * m_l, (m2 - m1) ** 2
    if b - a <= 1e-10 * b:  # closed, or so close to threshold that Gamma/Gamma(b = 2a) < 1e-20
        return 0.0

    def f(u: np.ndarray) -> np.ndarray:
        th = 0.5 * math.pi * (u + 1.0)
        q2 = a + 0.5 * (b - a) * (1.0 - np.cos(th))
        return chi2_spectrum(q2, m1, m2, m_l, m_a) * 0.25 * math.pi * (b - a) * np.sin(th)

    return _converged(f)


def chi2_hadronic_integral(m1: float, m2: float, m_a: float) -> float:
    """int dq^2 R(sqrt q^2) chi2_spectrum(m_l = 0): the virtual A' -> hadrons replaces a massless lepton pair.

    R is piecewise linear between table points; each interval in sqrt(q^2) gets 8-point Gauss-Legendre, the
    last one mapped as sqrt(q^2) = Delta - h v^2 to absorb the sqrt(Delta - sqrt(q^2)) end point.
    """
    d = m2 - m1
    nodes = table()[0]
    r_ratio(d)  # DataRangeError beyond the table
    knots = np.append(nodes[nodes < d], d)
    if len(knots) < 2:
        return 0.0
    u, w = _nodes(8)
    lo, hi = knots[:-2, None], knots[1:-1, None]
    e = 0.5 * (hi + lo) + 0.5 * (hi - lo) * u
    total = np.sum(w * 0.5 * (hi - lo) * r_values(e) * chi2_spectrum(e * e, m1, m2, 0.0, m_a) * 2.0 * e)
    h = d - knots[-2]
    v = 0.5 * (u + 1.0)
    e = d - h * v * v
    jac = 0.5 * 2.0 * h * v  # d sqrt(q^2) = 2 h v dv, dv = du/2
    total += np.sum(w * jac * r_values(e) * chi2_spectrum(e * e, m1, m2, 0.0, m_a) * 2.0 * e)
    return float(total)


@dataclass(frozen=True)
class KineticallyMixed(Mediator):
    """A vector coupled to the SM only through kinetic mixing: coupling eps e to every charged lepton."""

    eps: float
    array_safe: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        if not abs(finite("eps", self.eps)) < 1.0:
            raise InvalidParameter(f"kinetic mixing eps must satisfy |eps| < 1, got {self.eps:g}")

    def production_coupling(self, lepton: str) -> tuple[str, float]:
        """Radiated as a vector with coupling eps e to every charged lepton."""
        require_lepton(lepton)
        return "vector", self.eps * c.E_CHARGE

    def delta_a(self, lepton: str = "mu") -> float:
        """One-loop Delta a_l from the eps e coupling (see :func:`kinetic_mixing_delta_a`)."""
        return kinetic_mixing_delta_a(self.mass, self.eps, lepton)


@dataclass(frozen=True)
class DarkPhoton(KineticallyMixed):
    """Dark photon (mass in GeV), kinetic mixing eps, dark coupling alpha_D to a Dirac fermion of mass m_chi (GeV)."""

    alpha_D: float = 0.0
    m_chi: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        coupling("eps", self.eps)
        coupling("alpha_D", non_negative("alpha_D", self.alpha_D))
        if self.m_chi is not None:
            positive("m_chi", self.m_chi)
        elif self.alpha_D != 0.0:
            raise InvalidParameter("alpha_D is set but m_chi is not: give the dark-matter mass")

    @classmethod
    def invisible(cls, mass: float, eps: float, alpha_D: float = 0.5, m_chi_ratio: float = 1.0 / 3.0) -> DarkPhoton:
        """Invisible benchmark m_chi = m_A'/3, alpha_D = 0.5 (a common choice, e.g. LDMX arXiv:1808.05219)."""
        return cls(mass=mass, eps=eps, alpha_D=alpha_D, m_chi=m_chi_ratio * positive("mass", mass))

    def partial_widths(self) -> dict[str, float]:
        """e_e, mu_mu, tau_tau, hadrons and (with m_chi set) chi_chi, in GeV."""
        widths = sm_widths(self.mass, self.eps)
        if self.m_chi is not None:
            widths["chi_chi"] = vector_to_fermions_width(self.mass, self.alpha_D, self.m_chi)
        return widths

    def invisible_channels(self) -> frozenset[str]:
        return frozenset({"chi_chi"})

    def dark_state_masses(self) -> dict[str, float]:
        """{"chi": m_chi} when the dark matter is set."""
        return {} if self.m_chi is None else {"chi": self.m_chi}

    def annihilation(self, width: str = "constant") -> Annihilation:
        """Dirac chi chibar -> A'* -> e+e-, mu+mu-, tau+tau-, hadrons (kinetic mixing eps, dark coupling alpha_D).

        :func:`sigma_fermions_via_vector` at m1 = m2 = m_chi, g_dm = g_D = sqrt(4 pi alpha_D), g_f = eps e:
        sigma = g_D^2 eps^2 e^2 (s + 2 m_chi^2) (s + 2 m_f^2) beta_f P(s)/(12 pi s beta_chi).
        s-wave: a = g_D^2 eps^2 e^2 (2 m_chi^2 + m_f^2)
        sqrt(1 - m_f^2/m_chi^2) P(4 m_chi^2)/(2 pi) -> 16 pi alpha y/m_chi^2 for m_A' >> m_chi >> m_f;
        b/a = 1/6 + 2 m^2 (m_A'^2 - 4 m^2) P(4 m^2) for massless f (general m_f: docs/annihilation.md).
        Hadrons as in :func:`inelastic_dm_sector`.
        """
        from ..cosmo import annihilation as an

        if self.m_chi is None or self.alpha_D == 0.0:
            raise InvalidParameter("DarkPhoton has no dark matter to annihilate: set m_chi and a non-zero alpha_D")
        m = float(self.m_chi)
        prop = an.propagator(self, width)
        g_d = math.sqrt(4.0 * math.pi * self.alpha_D)
        channels = an.kinetic_mixing_channels(m, m, g_d, self.eps, prop) if self.eps != 0.0 else []
        return an.Annihilation((an.DarkState("chi", m, 2, False),), {(0, 0): channels},
                               f"Dirac chi ({m:g} GeV) chi chibar -> A'* -> f fbar, hadrons; A' {self.mass:g} GeV")


@dataclass(frozen=True)
class InelasticDM(KineticallyMixed):
    """Dark photon (mass = m_A', GeV) with off-diagonal coupling to chi1 (m1) and chi2 (m1 + splitting)."""

    m1: float
    splitting: float
    alpha_D: float = 0.1

    def __post_init__(self) -> None:
        super().__post_init__()
        coupling("eps", self.eps)
        coupling("alpha_D", non_negative("alpha_D", self.alpha_D))
        positive("m1", self.m1)
        non_negative("splitting", self.splitting)

    @classmethod
    def from_ratios(
        cls, m1: float, eps: float, delta_ratio: float = 0.1, mass_ratio: float = 3.0, alpha_D: float = 0.1
    ) -> InelasticDM:
        """Benchmark in the PBC BC2 convention m_A' = 3 m1, alpha_D = 0.1, with Delta = delta_ratio * m1."""
        m1 = positive("m1", m1)
        return cls(mass=mass_ratio * m1, eps=eps, m1=m1, splitting=delta_ratio * m1, alpha_D=alpha_D)

    @property
    def m2(self) -> float:
        """Mass of the heavier state chi2 (GeV)."""
        return self.m1 + self.splitting

    def partial_widths(self) -> dict[str, float]:
        """A' widths: the kinetic-mixing channels of :func:`sm_widths` plus chi1_chi2 (GeV)."""
        widths = sm_widths(self.mass, self.eps)
        widths["chi1_chi2"] = offdiagonal_vector_width(self.mass, self.alpha_D, self.m1, self.m2)
        return widths

    def annihilation(self, width: str = "constant") -> Annihilation:
        """Co-annihilation chi1 chi2 -> A'* -> e+e-, mu+mu-, tau+tau-, hadrons (003 eq. (1)), full s dependence.

        chi1, chi2 are Majorana (dof 2, self-conjugate); the pseudo-Dirac current i g_D chibar_1 gamma chi_2 (the
        Majorana form of 003 eq. (1)) gives the Dirac-like vertex g_D gamma^mu with unequal masses, the same
        normalisation as the model's Gamma(A' -> chi1 chi2) (:func:`~muonreach.models.dark_photon.offdiagonal_vector_width`,
        which tends to the Dirac width as Delta -> 0). Only (0, 1) is listed: chi1 chi1 and chi2 chi2 have no
        vertex. sigma from :func:`sigma_fermions_via_vector` with g_dm = sqrt(4 pi alpha_D), g_f = eps e; hadrons
        = massless-muon cross section x R(sqrt s) (DarkCast arXiv:1801.04847); DataRangeError above 38.38 GeV.

        Exact s-wave limit (v -> 0; S = m1 + m2; P(S^2) the Breit-Wigner factor at threshold), per unit-charge f:
        a = g_D^2 eps^2 e^2 (S^2 + 2 m_f^2) sqrt(1 - 4 m_f^2/S^2) P(S^2) / (4 pi)
          = 4 pi alpha eps^2 alpha_D (S^2 + 2 m_f^2) sqrt(1 - 4 m_f^2/S^2) P(S^2).
        In the limit m_A' >> m1 >> Delta, m_f of 003 eq. (2): a -> 16 pi alpha eps^2 alpha_D m1^2/m_A'^4
        = 16 pi alpha y/m1^2 = 0.3668 y/m1^2 per channel, y = eps^2 alpha_D (m1/m_A')^4.
        """
        from ..cosmo import annihilation as an

        if self.alpha_D == 0.0:
            raise InvalidParameter("InelasticDM with alpha_D = 0 does not couple chi1 chi2 to the dark photon")
        prop = an.propagator(self, width)
        g_d = math.sqrt(4.0 * math.pi * self.alpha_D)
        channels = an.kinetic_mixing_channels(self.m1, self.m2, g_d, self.eps, prop) if self.eps != 0.0 else []
        states = (an.DarkState("chi1", self.m1, 2, True), an.DarkState("chi2", self.m2, 2, True))
        text = f"Majorana chi1 ({self.m1:g} GeV) chi2 ({self.m2:g} GeV) -> A'* -> f fbar, hadrons; A' {self.mass:g} GeV"
        return an.Annihilation(states, {(0, 1): channels}, text)

    def relic_y(self) -> tuple[float, float]:
        """(m1, y = eps^2 alpha_D (m1/m_A')^4), 003_731e213823d1e5dc.txt eq. (2): sigma v ~ y/m1^2 for m_A' >> m1."""
        return self.m1, self.eps**2 * self.alpha_D * (self.m1 / self.mass) ** 4

    def dark_state_masses(self) -> dict[str, float]:
        """{"chi1": m1, "chi2": m2}."""
        return {"chi1": self.m1, "chi2": self.m2}

    def dark_state_decays(self) -> dict[str, DarkStateDecay]:
        """chi2 -> chi1 f fbar (:meth:`chi2_width` with hadrons) with |M|^2 = :func:`chi2_msq_reduced` / (q^2 - m_A'^2)^2;
        none when chi2 cannot decay through an off-shell A' (splitting >= m_A') or is stable."""
        if self.splitting >= self.mass:
            return {}
        widths = self.chi2_width(include_hadrons=True)
        if not any(widths.values()):
            return {}
        m1, m2, m_a = self.m1, self.m2, self.mass

        def msq(q2: np.ndarray, x: np.ndarray, m_f: float) -> np.ndarray:
            return chi2_msq_reduced(x, q2, m1, m2, m_f) / (q2 - m_a * m_a) ** 2

        return {"chi2": DarkStateDecay("chi2", m2, "chi1", m1, widths, msq)}

    def extra_outputs(self) -> dict[str, object]:
        """The chi2 decay widths (GeV) and rest-frame c tau (cm), reported by ``muonreach widths``."""
        if self.splitting >= self.mass:
            return {}
        return {"chi2_widths": self.chi2_width(include_hadrons=True), "chi2_ctau_cm": self.chi2_ctau_cm()}

    # --- the heavier dark state ------------------------------------------------------------------------
    def chi2_width(self, include_hadrons: bool = False) -> dict[str, float]:
        """Gamma(chi2 -> chi1 f fbar) in GeV by channel: e_e, mu_mu, tau_tau (0 when closed) [+ hadrons].

        Full tree-level three-body result (:func:`chi2_spectrum`) through an off-shell A', so splitting < m_A'
        is required (else chi2 -> chi1 A' is open: InvalidParameter). For Delta << m1, m_A' and massless
        leptons dGamma/dq^2 -> 2 eps^2 alpha alpha_D (Delta^2 - q^2)^(3/2) / (3 pi m_A'^4), which integrates
        to 4 eps^2 alpha alpha_D Delta^5 / (15 pi m_A'^4) per flavour (003 footnote 2, citing its ref. [14],
        arXiv:2108.13422, prints the inverse lifetime). For Delta <= 2 m_e every width is 0: chi2 is treated
        as stable (chi1 gamma gamma gamma, chi1 nu nubar are higher order and neglected).
        ``include_hadrons`` adds chi1 + hadrons = R(sqrt q^2)-weighted massless-lepton spectrum, open for
        Delta > 0.2818 GeV (see :mod:`.rratio`); DataRangeError for Delta above the R table (38.38 GeV).
        """
        if self.splitting >= self.mass:
            raise InvalidParameter(
                f"chi2 decay needs splitting < m_A' (off-shell A'), got {self.splitting:g} >= {self.mass:g} GeV"
            )
        norm = self.eps**2 * c.ALPHA * self.alpha_D
        widths = {
            f"{l}_{l}": norm * chi2_leptonic_integral(self.m1, self.m2, m_l, self.mass)
            if norm and is_open(self.splitting, m_l, m_l)
            else 0.0
            for l, m_l in c.LEPTON_MASSES.items()
        }
        if include_hadrons:
            widths["hadrons"] = norm * chi2_hadronic_integral(self.m1, self.m2, self.mass) if norm else 0.0
        return widths

    def chi2_total_width(self, include_hadrons: bool = True) -> float:
        """Total chi2 width in GeV (hadrons included by default; they vanish for Delta < 0.2818 GeV)."""
        return math.fsum(self.chi2_width(include_hadrons).values())

    def chi2_ctau_cm(self, include_hadrons: bool = True) -> float:
        """Rest-frame c tau of chi2 in cm; math.inf when no channel is open (Delta <= 2 m_e or eps alpha_D = 0)."""
        return units.width_to_ctau_cm(self.chi2_total_width(include_hadrons))
