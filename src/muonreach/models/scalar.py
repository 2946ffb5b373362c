"""Leptophilic scalar S with an optional Dirac dark-matter fermion chi.

L = -g_chi S chibar chi - sum_l g_l S lbar l  (000 eq. (2.1), arXiv:1807.03790; 002 eq. (1), arXiv:1701.07437).
Benchmarks (000 eq. (2.3)): lepton-specific g_e : g_mu : g_tau = m_e : m_mu : m_tau (model A of 002) and
muon-specific g_e = g_tau = 0 (model B of 002).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import constants as c
from ..errors import InvalidParameter
from ..gm2 import loops
from ..validation import coupling, positive
from .base import Mediator, require_lepton
from .diphoton import f_half_on_shell_parts
from .kinematics import beta_pair, scalar_or_array

if TYPE_CHECKING:
    from ..cosmo.annihilation import Annihilation


def scalar_to_fermions_width(mass: ArrayLike, g: ArrayLike, m_f: ArrayLike) -> Any:
    """Gamma(S -> f fbar) = g^2 m_S / (8 pi) (1 - 4 m_f^2/m_S^2)^(3/2) (002 eq. (4); 000 eq. (2.5)). 0 if closed.
    Elementwise on arrays (a float for floats)."""
    return scalar_or_array(np.multiply(g, g) * mass / (8.0 * math.pi) * beta_pair(mass, m_f) ** 3)


@functools.lru_cache(maxsize=4096)
def _f_half_memo(tau: float) -> tuple[float, float]:
    """(Re, Im) F_1/2(tau, 0) of :func:`f_half_on_shell_parts` for one tau, remembered: it depends on the mass
    ratio only, and models are rebuilt at one mass with many couplings (bounds, supernova, coupling fits)."""
    re, im = f_half_on_shell_parts(tau)
    return float(re), float(im)


def scalar_to_photons_width(mass: ArrayLike, couplings: Mapping[str, Any]) -> Any:
    """Gamma(S -> gamma gamma) through the lepton loops (002 eqs. (5)-(6)); elementwise over ``mass`` and the
    couplings (arrays broadcasting together; a float for floats).

    Gamma = alpha^2 m_S^3 / (256 pi^3) |sum_l (g_l/m_l) F_1/2(4 m_l^2/m_S^2, 0)|^2, which equals 002 eq. (5)
    since F_1/2 = -2 tau [1 + (1 - tau) f(tau)]. 000 eq. (2.5) prints g_l^2/m_l^2 inside the modulus; that is
    a misprint (dimensionally and against 002 eq. (5)): the amplitude is linear in g_l (DESIGN.md errata).
    The loop factor of a single mass is remembered by tau (:func:`_f_half_memo`); the coupling enters linearly.
    """
    m = np.asarray(mass, dtype=float)
    re: Any = 0.0
    im: Any = 0.0  # the amplitude, in real arithmetic (called on ~1e5 points)
    for lepton, g in couplings.items():
        if np.ndim(g) or g != 0.0:  # an array of couplings: its zeros add exactly 0
            m_l = c.LEPTON_MASSES[lepton]
            tau = 4.0 * m_l**2 / m**2
            f_re, f_im = _f_half_memo(float(tau)) if m.ndim == 0 else f_half_on_shell_parts(tau)
            re = re + np.multiply(g / m_l, f_re)
            im = im + np.multiply(g / m_l, f_im)
    width = c.ALPHA**2 * m**3 / (256.0 * math.pi**3) * (re * re + im * im)
    return scalar_or_array(width)


def lepton_specific_couplings(g_mu: Any) -> dict[str, Any]:
    """g_l = g_mu m_l / m_mu (000 eq. (2.3); model A of 002), elementwise."""
    return {"g_e": g_mu * c.M_E / c.M_MU, "g_mu": g_mu, "g_tau": g_mu * c.M_TAU / c.M_MU}


@dataclass(frozen=True)
class LeptophilicScalar(Mediator):
    """Real scalar S (mass in GeV) with Yukawa couplings to e, mu, tau and to a Dirac fermion chi."""

    g_e: float = 0.0
    g_mu: float = 0.0
    g_tau: float = 0.0
    g_chi: float = 0.0
    m_chi: float | None = None
    array_safe: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("g_e", "g_mu", "g_tau", "g_chi"):
            coupling(name, getattr(self, name))
        if self.m_chi is not None:
            positive("m_chi", self.m_chi)
        elif self.g_chi != 0.0:
            raise InvalidParameter("g_chi is set but m_chi is not: give the dark-matter mass")

    # --- benchmarks ---------------------------------------------------------------------------------
    @classmethod
    def muon_specific(cls, mass: float, g_mu: float, g_chi: float = 0.0, m_chi: float | None = None) -> LeptophilicScalar:
        """Muon-specific scalar: g_e = g_tau = 0 (000 eq. (2.3); model B of 002)."""
        return cls(mass=mass, g_mu=g_mu, g_chi=g_chi, m_chi=m_chi)

    @classmethod
    def lepton_specific(cls, mass: float, g_mu: float, g_chi: float = 0.0, m_chi: float | None = None) -> LeptophilicScalar:
        """Lepton-specific scalar: g_l = g_mu m_l / m_mu (000 eq. (2.3); model A of 002)."""
        return cls(mass=mass, **lepton_specific_couplings(g_mu), g_chi=g_chi, m_chi=m_chi)

    # --- physics --------------------------------------------------------------------------------------
    @property
    def lepton_couplings(self) -> dict[str, float]:
        return {"e": self.g_e, "mu": self.g_mu, "tau": self.g_tau}

    def partial_widths(self) -> dict[str, float]:
        widths = {f"{l}_{l}": scalar_to_fermions_width(self.mass, g, c.LEPTON_MASSES[l]) for l, g in self.lepton_couplings.items()}
        widths["gamma_gamma"] = scalar_to_photons_width(self.mass, self.lepton_couplings)
        if self.m_chi is not None:
            widths["chi_chi"] = scalar_to_fermions_width(self.mass, self.g_chi, self.m_chi)
        return widths

    def production_coupling(self, lepton: str) -> tuple[str, float]:
        """Radiated as a scalar with Yukawa g_l (002 eq. (12))."""
        return "scalar", self.lepton_couplings[require_lepton(lepton)]

    def delta_a(self, lepton: str = "mu") -> float:
        """One-loop Delta a_l (000 eq. (2.6), 002 eq. (3)); the chi and photon couplings do not enter at one loop."""
        g = self.lepton_couplings[require_lepton(lepton)]
        return 0.0 if g == 0.0 else loops.scalar(c.LEPTON_MASSES[lepton], self.mass, g)

    def invisible_channels(self) -> frozenset[str]:
        return frozenset({"chi_chi"})

    def dark_state_masses(self) -> dict[str, float]:
        """{"chi": m_chi} when the Dirac dark matter is set."""
        return {} if self.m_chi is None else {"chi": self.m_chi}

    def dm_electron_scattering(self) -> tuple[float, float]:
        """(m_chi, sigma_e) with sigma_e of :func:`muonreach.cosmo.bounds.dm_electron_cross_section_cm2` (000 eq. (4.1))."""
        from ..cosmo.bounds import dm_electron_cross_section_cm2

        if self.m_chi is None or self.g_chi == 0.0 or self.g_e == 0.0:
            raise InvalidParameter("sigma_e (000 eq. (4.1)) needs electron and dark-matter couplings: g_e, g_chi and m_chi "
                                   "(e.g. scalar-lepton with g_chi > 0)")
        return self.m_chi, dm_electron_cross_section_cm2(self.g_chi, self.g_e, self.m_chi, self.mass)

    def annihilation(self, width: str = "constant") -> Annihilation:
        """Dirac chi chibar -> S* -> l+ l- (l = e, mu, tau) and -> gamma gamma through the lepton loop.

        L = -g_chi S chibar chi - sum_l g_l S lbar l (000 eq. (2.1)). Amplitude M = g_chi g_l [vbar(p2) u(p1)]
        [ubar(k1) v(k2)] / (s - M^2 + i M Gamma); sum_spins |M|^2 = Tr[(p2/ - m)(p1/ + m)] Tr[(k1/ + m_l)(k2/ - m_l)]
        g_chi^2 g_l^2 P = 4 g_chi^2 g_l^2 (s - 4 m_chi^2)(s - 4 m_l^2) P (isotropic), so

            sigma(chi chibar -> l+ l-) = g_chi^2 g_l^2 s beta_chi beta_l^3 P(s) / (16 pi),   beta_x = sqrt(1 - 4 m_x^2/s).

        Non-relativistically (v = 2 beta_chi exactly): sigma v = g_chi^2 g_l^2 s beta_l^3 P v^2/(32 pi), a = 0 and
        b = g_chi^2 g_l^2 (m_chi^2 - m_l^2)^(3/2) / (8 pi m_chi [(4 m_chi^2 - m_S^2)^2 + m_S^2 Gamma^2]): 000 eq.
        (2.7) (printed "up to O(1)") with the coefficient 1/(8 pi) for <v_rel^2>, p-wave.

        Photons: the S* -> gamma gamma vertex is the lepton loop at p_S^2 = s, i.e. the effective coupling
        g_gg(s) = alpha/(2 pi) |sum_l (g_l/m_l) F_1/2(4 m_l^2/s, 0)| of 000 eq. (2.4). Because the S* line carries
        spin 0, |M|^2 factorises into the chi side 2 g_chi^2 (s - 4 m^2) and the final side sum|M(S*(sqrt s) -> X)|^2
        = 32 pi sqrt(s) Gamma_X(sqrt s) (Gamma of an S of mass sqrt s, identical-particle 1/2 included), so for any X

            sigma(chi chibar -> X) = g_chi^2 beta_chi sqrt(s) Gamma_X(sqrt s) P(s) / 2
                                   = 4 pi Gamma_chi(sqrt s) Gamma_X(sqrt s) P(s) / beta_chi^2,

        with Gamma_gg from :func:`muonreach.models.scalar.scalar_to_photons_width` at mass sqrt(s). (For X = l+ l-
        it is the formula above.) The photon channel is p-wave too: b = g_chi^2 m_chi Gamma_gg(2 m_chi) P(4 m^2)/2.
        Valid for any m_chi (the 000 benchmarks take m_chi < m_S/2); chi chibar -> S S (open for m_chi > m_S) is
        not an SM final state and not included.
        """
        from ..cosmo import annihilation as an

        if self.m_chi is None or self.g_chi == 0.0:
            raise InvalidParameter("LeptophilicScalar has no dark matter to annihilate: set m_chi and a non-zero g_chi")
        m, g_chi = float(self.m_chi), self.g_chi
        prop = an.propagator(self, width)
        channels: list[an.Channel] = []
        for lepton, g_l in self.lepton_couplings.items():
            if g_l == 0.0:
                continue
            m_l = c.LEPTON_MASSES[lepton]

            def ll(s: NDArray[np.float64], g_l: float = g_l, m_l: float = m_l) -> NDArray[np.float64]:
                return (g_chi * g_l) ** 2 * s * an.beta(s, m) * an.beta(s, m_l) ** 3 * prop(s) / (16.0 * math.pi)

            channels.append(an.Channel(f"{lepton}_{lepton}", max(4.0 * m * m, 4.0 * m_l * m_l), ll))
        couplings = {k: v for k, v in self.lepton_couplings.items() if v != 0.0}
        if couplings:

            def photons(s: NDArray[np.float64]) -> NDArray[np.float64]:
                root = np.sqrt(s)
                gamma = scalar_to_photons_width(root, couplings)
                return g_chi**2 * an.beta(s, m) * root * gamma * prop(s) / 2.0

            channels.append(an.Channel("gamma_gamma", 4.0 * m * m, photons))
        states = (an.DarkState("chi", m, 2, False),)
        return an.Annihilation(states, {(0, 0): channels},
                               f"Dirac chi ({m:g} GeV) chi chibar -> S* -> l+ l-, gamma gamma; S {self.mass:g} GeV")
