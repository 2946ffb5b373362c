"""Leptonic e-mu scalar portal: a complex scalar phi with an off-diagonal electron-muon coupling.

L = -h_mue ebar_L mu_R phi + h.c. (001_d90c7661beefddfc.txt eq. (2), Gninenko & Krasnikov 2022), with e_L =
P_L e, mu_R = P_R mu. phi carries L_e and L_mu, so there are no diagonal couplings. Optional dark matter
(001 eqs. (10)-(11)): two complex scalars s1, s2 with L = g phi s1 s2 + h.c. (g has dimension of MASS, GeV)
or two Dirac fermions psi1, psi2 with L = g phi psi1bar psi2 + h.c. (g dimensionless).
Widths 001 eqs. (12)-(14) (tree level, checked by hand below); (g-2) 001 eqs. (3)-(5) via
:func:`muonreach.gm2.loops.chiral_offdiagonal_scalar`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import constants as c
from ..errors import InvalidParameter
from ..gm2 import loops
from ..validation import coupling, non_negative, positive
from .base import Mediator, require_lepton
from .kinematics import momentum, scalar_or_array, two_body_momentum

if TYPE_CHECKING:
    from ..cosmo.annihilation import Annihilation

DM_KINDS: tuple[str, ...] = ("none", "scalar", "fermion")


def phi_to_mu_e_width(mass: ArrayLike, h: ArrayLike) -> Any:
    """Gamma(phi -> mu+ e-) = h^2 p_e/(8 pi) (1 - (m_e^2 + m_mu^2)/m_phi^2) (001 eq. (14)); 0 below m_mu + m_e.

    Check: the amplitude is M = -h ubar(e) P_R v(mu), so sum_spins |M|^2 = h^2 Tr[p_e-slash P_R p_mu-slash P_L]
    (the m_e m_mu term has Tr[P_R P_L] = 0) = 2 h^2 p_e.p_mu = h^2 (m_phi^2 - m_e^2 - m_mu^2); with
    Gamma = p |M|^2/(8 pi m_phi^2) this is eq. (14). phi* -> mu- e+ has the same width. Elementwise on arrays.
    """
    m = np.asarray(mass, dtype=float)
    p = two_body_momentum(m, c.M_MU, c.M_E)
    width = np.multiply(h, h) * p / (8.0 * math.pi) * (1.0 - (c.M_E**2 + c.M_MU**2) / m**2)
    return scalar_or_array(np.where(p > 0.0, width, 0.0))


def muon_to_electron_phi_width(m_phi: float, h: float) -> float:
    """Gamma(mu -> e phi) = h^2 (m_mu^2 + m_e^2 - m_phi^2) p_e/(16 pi m_mu^2) for m_phi < m_mu - m_e, else 0.

    The crossed process of :func:`phi_to_mu_e_width`: sum_spins |M|^2 = 2 h^2 p_e.p_mu = h^2 (m_mu^2 + m_e^2 -
    m_phi^2), averaged over the muon spin (1/2), Gamma = p |M|^2/(8 pi m_mu^2). For m_e -> 0 it is
    h^2 m_mu (1 - m_phi^2/m_mu^2)^2/(32 pi). Both muon charges have the same width.
    """
    if m_phi >= c.M_MU - c.M_E:
        return 0.0
    p = momentum(c.M_MU, c.M_E, m_phi)
    return h * h * (c.M_MU**2 + c.M_E**2 - m_phi**2) * p / (16.0 * math.pi * c.M_MU**2)


def phi_to_scalars_width(mass: ArrayLike, g: ArrayLike, m1: ArrayLike, m2: ArrayLike) -> Any:
    """Gamma(phi -> s1 s2) = g^2 p_1/(8 pi m_phi^2) (001 eq. (12)); g in GeV; 0 below m1 + m2.

    |M|^2 = g^2 for L = g phi s1 s2 + h.c. (001 eq. (10)); distinct particles, no symmetry factor. Elementwise.
    """
    m = np.asarray(mass, dtype=float)
    return scalar_or_array(np.multiply(g, g) * two_body_momentum(m, m1, m2) / (8.0 * math.pi * m**2))


def phi_to_fermions_width(mass: ArrayLike, g: ArrayLike, m1: ArrayLike, m2: ArrayLike) -> Any:
    """Gamma(phi -> psi1 psi2) = g^2 p_1/(4 pi) (1 - (m1 + m2)^2/m_phi^2) (001 eq. (13)); 0 below m1 + m2.

    Check: L = g phi psi1bar psi2 + h.c. (001 eq. (11)) gives sum |M|^2 = 4 g^2 (p1.p2 - m1 m2)
    = 2 g^2 (m_phi^2 - (m1 + m2)^2); with Gamma = p |M|^2/(8 pi m_phi^2) this is eq. (13). Elementwise on arrays.
    """
    m = np.asarray(mass, dtype=float)
    p = two_body_momentum(m, m1, m2)
    width = np.multiply(g, g) * p / (4.0 * math.pi) * (1.0 - np.add(m1, m2) ** 2 / m**2)
    return scalar_or_array(np.where(p > 0.0, width, 0.0))


@dataclass(frozen=True)
class EmuScalar(Mediator):
    """Complex scalar phi (mass in GeV) with off-diagonal coupling ``h_mue`` and optional dark matter.

    ``dm`` is 'none', 'scalar' (s1, s2; ``g_dm`` in GeV, >= 0) or 'fermion' (psi1, psi2; ``g_dm`` dimensionless,
    |g_dm| <= 4 pi). ``m1``, ``m2`` are the DM masses in GeV (``m2`` defaults to ``m1``).
    """

    h_mue: float = 0.0
    dm: str = "none"
    g_dm: float = 0.0
    m1: float | None = None
    m2: float | None = None
    array_safe: ClassVar[bool] = True

    def __post_init__(self) -> None:
        super().__post_init__()
        coupling("h_mue", self.h_mue)
        if self.dm not in DM_KINDS:
            raise InvalidParameter(f"dm must be one of {', '.join(DM_KINDS)}; got {self.dm!r}")
        if self.dm == "none":
            if self.g_dm != 0.0 or self.m1 is not None or self.m2 is not None:
                raise InvalidParameter("g_dm, m1, m2 need a dark-matter kind: set dm='scalar' or dm='fermion'")
            return
        if self.dm == "scalar":
            # trilinear coupling with dimension of mass (001 after eq. (10)); its sign is unphysical
            non_negative("g_dm (GeV)", self.g_dm)
        else:
            coupling("g_dm", self.g_dm)
        if self.m1 is None:
            raise InvalidParameter(f"dm={self.dm!r} needs the dark-matter mass m1 (GeV)")
        positive("m1", self.m1)
        if self.m2 is not None:
            positive("m2", self.m2)

    @property
    def dm_masses(self) -> tuple[float, float]:
        """(m1, m2) in GeV; raises if the model has no dark matter."""
        if self.m1 is None:
            raise InvalidParameter("this EmuScalar has no dark matter (dm='none')")
        return self.m1, self.m1 if self.m2 is None else self.m2

    def partial_widths(self) -> dict[str, float]:
        """'mu_e' (phi -> mu+ e-) and, with DM, 's1_s2' or 'psi1_psi2'."""
        widths = {"mu_e": phi_to_mu_e_width(self.mass, self.h_mue)}
        if self.dm == "scalar":
            widths["s1_s2"] = phi_to_scalars_width(self.mass, self.g_dm, *self.dm_masses)
        elif self.dm == "fermion":
            widths["psi1_psi2"] = phi_to_fermions_width(self.mass, self.g_dm, *self.dm_masses)
        return widths

    def dark_state_masses(self) -> dict[str, float]:
        """{"s1", "s2"} or {"psi1", "psi2"} masses for dm = 'scalar' or 'fermion'."""
        if self.dm == "none":
            return {}
        m1, m2 = self.dm_masses
        return {"s1": m1, "s2": m2} if self.dm == "scalar" else {"psi1": m1, "psi2": m2}

    def delta_a(self, lepton: str = "mu") -> float:
        """One-loop Delta a_l, 001 eqs. (3)-(4): internal electron for l = mu, internal muon for l = e; 0 for tau.

        Uses the full loop function (valid for any m_phi); the heavy-limit 001 eq. (5), h^2 m_l^2/(48 pi^2
        m_phi^2), is good only for m_phi >> m_mu (at m_phi = 3 m_mu it is 8% low for the muon, 57% high for the
        electron: see docs/notes-001-gm2.md).
        """
        internal = {"mu": c.M_E, "e": c.M_MU}.get(require_lepton(lepton))
        if internal is None:
            return 0.0
        return loops.chiral_offdiagonal_scalar(c.LEPTON_MASSES[lepton], internal, self.mass, self.h_mue)

    def invisible_channels(self) -> frozenset[str]:
        return frozenset({"s1_s2", "psi1_psi2"})

    def offdiagonal_coupling(self, pair: tuple[str, str]) -> float:
        """h_mue for the (e, mu) pair in either order (001 eq. (2)); 0 otherwise."""
        super().offdiagonal_coupling(pair)
        return self.h_mue if set(pair) == {"e", "mu"} else 0.0

    def annihilation(self, width: str = "constant") -> Annihilation:
        """Co-annihilation of the two dark states of 001 through the off-diagonal e-mu scalar phi (s channel).

        Which pairs annihilate (from 001 eqs. (2), (10), (11)): L = -h ebar P_R mu phi - h mubar P_L e phi^* and
        g phi psi1bar psi2 + g phi^* psi2bar psi1 (fermions) or g phi s1 s2 + g phi^* s1^* s2^* (scalars). So
        psi1 + anti-psi2 -> phi* -> e- mu+ and its CP conjugate anti-psi1 + psi2 -> phi*bar -> e+ mu-; for
        scalars s1 + s2 -> phi*bar -> e+ mu- and anti-s1 + anti-s2 -> e- mu+. Each initial pair has ONE charge
        combination; psi1 psi1bar, psi2 psi2bar (and psi1 psi2) do not annihilate into SM at tree level.
        States: psi1, psi2 (Dirac, dof 2) or s1, s2 (complex, dof 1); only the pair (0, 1) is listed:

        * fermions: sigma_01 = sigma(psi1 anti-psi2 -> e- mu+), exactly the contract's "particle i +
          antiparticle j"; the CP-conjugate pair is the contract's implied (anti-i, j), same cross section.
        * scalars: sigma_01 = sigma(s1 s2 -> e+ mu-). The contract reads it as s1 + anti-s2; for a symmetric
          plasma (n_s = n_sbar) the rate sigma [n(s1) n(s2) + n(s1bar) n(s2bar)] equals the contract's
          sigma [n(s1) n(s2bar) + n(s1bar) n(s2)], so the freeze-out is the same.

        |M|^2 (M the mediator mass, P(s) the Breit-Wigner factor, lepton trace Tr[k_e/ P_R k_mu/ P_L] = 2 k_e.k_mu
        = s - m_e^2 - m_mu^2, the m_e m_mu term vanishing by chirality):

        * fermions: sum |M|^2 = g^2 h^2 Tr[(p2/ - m2)(p1/ + m1)] (s - m_e^2 - m_mu^2) P
          = 2 g^2 h^2 (s - (m1 + m2)^2)(s - m_e^2 - m_mu^2) P, isotropic; average 1/4;
          sigma = g^2 h^2 (s - m_e^2 - m_mu^2) p_f sqrt(s - S^2) P / (16 pi sqrt(s) sqrt(s - D^2)).
        * scalars (g in GeV): |M|^2 = g^2 h^2 (s - m_e^2 - m_mu^2) P;
          sigma = g^2 h^2 (s - m_e^2 - m_mu^2) p_f P / (8 pi sqrt(s) sqrt((s - S^2)(s - D^2))),

        p_f the e (or mu) momentum in the c.m. frame, S = m1 + m2, D = m2 - m1. NR limits: sigma v = |M|^2 p_f /
        (16 pi (m1 + m2) m1 m2) = 001 eq. (15) with eq. (16) (scalars, s-wave, exact at v = 0) and with eq. (18)
        (fermions, p-wave: s - S^2 = m1 m2 v^2 + O(v^4)), each for ONE charge combination. For m1 = m2 >> m_mu the
        scalar result is 001 eq. (17); the fermion result is g^2 h^2 m1^2 v^2/(16 pi (m_phi^2 - 4 m1^2)^2), half
        of 001 eq. (19), which adds psi1 psi2bar -> e- mu+ and psi1bar psi2 -> e+ mu- (different initial states).
        """
        from ..cosmo import annihilation as an

        if self.dm == "none" or self.g_dm == 0.0:
            raise InvalidParameter("EmuScalar has no dark matter to annihilate: set dm='scalar' or 'fermion' and g_dm != 0")
        m1, m2 = self.dm_masses
        g, h = self.g_dm, self.h_mue
        prop = an.propagator(self, width)
        big_s2, d2 = (m1 + m2) ** 2, (m2 - m1) ** 2
        threshold = max(big_s2, (c.M_E + c.M_MU) ** 2)
        lep2 = c.M_E**2 + c.M_MU**2

        def fermions(s: NDArray[np.float64]) -> NDArray[np.float64]:
            p_f = an.cm_momentum(s, c.M_E, c.M_MU)
            num = (g * h) ** 2 * (s - lep2) * p_f * np.sqrt(s - big_s2) * prop(s)
            return num / (16.0 * math.pi * np.sqrt(s) * np.sqrt(s - d2))

        def scalars(s: NDArray[np.float64]) -> NDArray[np.float64]:
            p_f = an.cm_momentum(s, c.M_E, c.M_MU)
            num = (g * h) ** 2 * (s - lep2) * p_f * prop(s)
            return num / (8.0 * math.pi * np.sqrt(s) * np.sqrt((s - big_s2) * (s - d2)))

        if self.dm == "fermion":
            states = (an.DarkState("psi1", m1, 2, False), an.DarkState("psi2", m2, 2, False))
            text = f"Dirac psi1 ({m1:g} GeV) + anti-psi2 ({m2:g} GeV) -> phi* -> e- mu+ (and CP conjugate); phi {self.mass:g} GeV"
            formula = fermions
        else:
            states = (an.DarkState("s1", m1, 1, False), an.DarkState("s2", m2, 1, False))
            text = f"complex s1 ({m1:g} GeV) + s2 ({m2:g} GeV) -> phi* -> e+ mu- (and CP conjugate); phi {self.mass:g} GeV"
            formula = scalars
        return an.Annihilation(states, {(0, 1): [an.Channel("e_mu", threshold, formula)]}, text)
