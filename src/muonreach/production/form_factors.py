"""Combined atomic and nuclear form factor G2(t) of a target atom.

Source: 002_64b267437daa15d5.txt (Chen, Pospelov, Zhong, arXiv:1701.07437) App. A, eqs. (A1)-(A2),
which follow Kim & Tsai, Phys. Rev. D 8 (1973) 3109 and Bjorken, Essig, Schuster, Toro,
arXiv:0906.0580, App. A (eqs. (A18)-(A19) there)::

    G2(t)     = G2_el(t) + G2_in(t)
    G2_el(t)  = (a^2 t / (1 + a^2 t))^2  Z^2 (1 / (1 + t/d))^2                                 (A1)
    G2_in(t)  = (a'^2 t / (1 + a'^2 t))^2 Z  ((1 + t (mu_p^2 - 1)/(4 m_p^2)) / (1 + t/0.71 GeV^2)^4)^2   (A2)

with a = 111 Z^(-1/3) / m_e (Thomas-Fermi screening), d = 0.164 GeV^2 A^(-2/3) (nuclear size),
a' = 773 Z^(-2/3) / m_e and mu_p = 2.79. The elastic part is coherent on the nucleus (Z^2); the
inelastic (quasi-elastic on the Z protons) part is incoherent (Z), with the proton dipole form factor.
t is the momentum transfer squared in GeV^2, everything is in GeV.

For a compound (e.g. CsI) G2 is the sum over the atoms of one formula unit, weighted by their count:
the atoms scatter independently, because inter-atomic coherence would need sqrt(t) below
~1/(3 Angstrom) ~ 0.7 keV, where atomic screening already suppresses G2 (see ``data/README.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..constants import M_E, M_PROTON
from ..validation import positive

if TYPE_CHECKING:  # pragma: no cover
    from ..materials import Material

#: Proton magnetic moment in nuclear magnetons as printed in 002 App. A. The PDG value 2.792847344
#: (``constants.MU_PROTON``) would raise G2_in by 9e-5, 8e-4 and 3e-3 (relative) at t = 0.01, 0.1 and
#: 1 GeV^2; the paper's value is the default so that its numbers are reproduced.
MU_P_PAPER: float = 2.79
#: Dipole scale of the proton form factor, GeV^2 (002 eq. (A2)).
PROTON_DIPOLE_GEV2: float = 0.71
#: Thomas-Fermi screening constants of 002 App. A (dimensionless, multiply 1/m_e).
SCREENING_EL: float = 111.0
SCREENING_IN: float = 773.0
#: Nuclear-size constant of 002 App. A: d = 0.164 GeV^2 A^(-2/3).
NUCLEAR_D_GEV2: float = 0.164


def screening_a(Z: float) -> float:
    """Elastic screening length a = 111 Z^(-1/3) / m_e in GeV^-1 (002 App. A)."""
    return SCREENING_EL * positive("Z", Z) ** (-1.0 / 3.0) / M_E


def screening_a_inelastic(Z: float) -> float:
    """Inelastic screening length a' = 773 Z^(-2/3) / m_e in GeV^-1 (002 App. A)."""
    return SCREENING_IN * positive("Z", Z) ** (-2.0 / 3.0) / M_E


def nuclear_d(A: float) -> float:
    """Nuclear-size scale d = 0.164 GeV^2 A^(-2/3) in GeV^2 (002 App. A; A = mass number)."""
    return NUCLEAR_D_GEV2 * positive("A", A) ** (-2.0 / 3.0)


def form_factor_scales(Z: float, A: float) -> tuple[float, float, float, float]:
    """The t values (GeV^2) where G2 changes behaviour: (1/a^2, 1/a'^2, d, 0.71).

    Used as break points by the flux integrators."""
    return (screening_a(Z) ** -2, screening_a_inelastic(Z) ** -2, nuclear_d(A), PROTON_DIPOLE_GEV2)


def g2_elastic(t: ArrayLike, Z: float, A: float) -> NDArray[np.float64]:
    """Elastic (coherent) part G2_el(t), 002 eq. (A1). ``t`` in GeV^2, any shape."""
    t = np.asarray(t, dtype=float)
    a2 = screening_a(Z) ** 2
    d = nuclear_d(A)
    screen = a2 * t / (1.0 + a2 * t)
    return screen * screen * (Z * Z) / (1.0 + t / d) ** 2


def g2_inelastic(t: ArrayLike, Z: float, mu_p: float = MU_P_PAPER) -> NDArray[np.float64]:
    """Inelastic (incoherent, on protons) part G2_in(t), 002 eq. (A2). ``t`` in GeV^2, any shape.

    ``mu_p`` defaults to the paper's 2.79 (see :data:`MU_P_PAPER`)."""
    t = np.asarray(t, dtype=float)
    ap2 = screening_a_inelastic(Z) ** 2
    screen = ap2 * t / (1.0 + ap2 * t)
    kappa = (mu_p * mu_p - 1.0) / (4.0 * M_PROTON * M_PROTON)
    nucleon = (1.0 + kappa * t) / (1.0 + t / PROTON_DIPOLE_GEV2) ** 4
    return screen * screen * Z * nucleon * nucleon


def g2(t: ArrayLike, Z: float, A: float, mu_p: float = MU_P_PAPER) -> NDArray[np.float64]:
    """Combined form factor G2 = G2_el + G2_in of one atom (002 App. A)."""
    return g2_elastic(t, Z, A) + g2_inelastic(t, Z, mu_p)


def g2_material(t: ArrayLike, material: Material, mu_p: float = MU_P_PAPER) -> NDArray[np.float64]:
    """G2 per formula unit of ``material``: sum over its atoms weighted by their count.

    For an element this is :func:`g2` with the element's Z and A; it pairs with
    ``material.n_atom_per_cm3`` (formula units per cm^3)."""
    t = np.asarray(t, dtype=float)
    total = np.zeros_like(t)
    for c in material.components:
        total = total + c.count * g2(t, c.Z, c.A, mu_p)
    return total
