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

from .. import constants as c
from ..errors import InvalidParameter
from ..gm2 import loops
from ..validation import coupling, non_negative, positive
from .base import Mediator, require_lepton
from .kinematics import momentum

DM_KINDS: tuple[str, ...] = ("none", "scalar", "fermion")


def phi_to_mu_e_width(mass: float, h: float) -> float:
    """Gamma(phi -> mu+ e-) = h^2 p_e/(8 pi) (1 - (m_e^2 + m_mu^2)/m_phi^2) (001 eq. (14)); 0 below m_mu + m_e.

    Check: the amplitude is M = -h ubar(e) P_R v(mu), so sum_spins |M|^2 = h^2 Tr[p_e-slash P_R p_mu-slash P_L]
    (the m_e m_mu term has Tr[P_R P_L] = 0) = 2 h^2 p_e.p_mu = h^2 (m_phi^2 - m_e^2 - m_mu^2); with
    Gamma = p |M|^2/(8 pi m_phi^2) this is eq. (14). phi* -> mu- e+ has the same width.
    """
    p = momentum(mass, c.M_MU, c.M_E)
    if p == 0.0:
        return 0.0
    return h * h * p / (8.0 * math.pi) * (1.0 - (c.M_E**2 + c.M_MU**2) / mass**2)


def phi_to_scalars_width(mass: float, g: float, m1: float, m2: float) -> float:
    """Gamma(phi -> s1 s2) = g^2 p_1/(8 pi m_phi^2) (001 eq. (12)); g in GeV; 0 below m1 + m2.

    |M|^2 = g^2 for L = g phi s1 s2 + h.c. (001 eq. (10)); distinct particles, no symmetry factor.
    """
    p = momentum(mass, m1, m2)
    return g * g * p / (8.0 * math.pi * mass**2)


def phi_to_fermions_width(mass: float, g: float, m1: float, m2: float) -> float:
    """Gamma(phi -> psi1 psi2) = g^2 p_1/(4 pi) (1 - (m1 + m2)^2/m_phi^2) (001 eq. (13)); 0 below m1 + m2.

    Check: L = g phi psi1bar psi2 + h.c. (001 eq. (11)) gives sum |M|^2 = 4 g^2 (p1.p2 - m1 m2)
    = 2 g^2 (m_phi^2 - (m1 + m2)^2); with Gamma = p |M|^2/(8 pi m_phi^2) this is eq. (13).
    """
    p = momentum(mass, m1, m2)
    if p == 0.0:
        return 0.0
    return g * g * p / (4.0 * math.pi) * (1.0 - (m1 + m2) ** 2 / mass**2)


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
