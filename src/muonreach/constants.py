"""Physical constants and Standard-Model particle properties.

Masses and lifetimes of SM particles come from the scikit-hep ``particle`` package (PDG tables), through a
copy of the entries used here (``data/particles.toml``, checked against ``particle`` by the tests, so that
start-up does not load the full PDG table); they are converted once to GeV and s. Nothing here is typed by
hand except the couplings below, each with its source.
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources
from typing import Any

from . import units
from .errors import UnknownName
from .specfields import parse_toml_text, require_schema


@cache
def _particles() -> dict[str, Any]:
    origin = "muonreach data/particles.toml"
    doc = parse_toml_text(resources.files(__package__).joinpath("data/particles.toml").read_bytes(), origin)
    require_schema(doc, origin)
    return dict(doc["particles"])


def _entry(pdgid: int, key: str) -> float:
    entry = _particles().get(str(pdgid))
    if entry is None or key not in entry:
        raise UnknownName(f"data/particles.toml has no {key} for PDG id {pdgid} (add it from the particle package)")
    return float(entry[key])


def particle_mass_gev(pdgid: int) -> float:
    """Mass of the particle with PDG id ``pdgid`` in GeV (PDG tables via ``particle``, data/particles.toml)."""
    return _entry(pdgid, "mass_mev") * units.MeV


def particle_lifetime_s(pdgid: int) -> float:
    """Mean lifetime of the particle with PDG id ``pdgid`` in s (PDG tables via ``particle``)."""
    return _entry(pdgid, "lifetime_ns") * units.ns


# Fine-structure constant at q^2 = 0, CODATA 2018: alpha^-1 = 137.035999084(21).
ALPHA: float = 1.0 / 137.035999084
E_CHARGE: float = math.sqrt(4.0 * math.pi * ALPHA)
# Fermi constant, PDG 2024: G_F = 1.1663788(6)e-5 GeV^-2.
G_F: float = 1.1663788e-5
# Kaon decay constant f_K+ = 155.7(3) MeV (FLAG Review 2021, N_f = 2+1+1, arXiv:2111.09849), in the convention
# f_pi ~ 130 MeV, where Gamma(K -> l nu) = G_F^2 f_K^2 |V_us|^2 m_l^2 m_K (1 - m_l^2/m_K^2)^2 / (8 pi).
F_K: float = 0.1557
# |V_us| = 0.2243(8), PDG 2024 review "CKM quark-mixing matrix".
V_US: float = 0.2243
# PDG 2024 K+ branching fractions: K+ -> mu+ nu_mu 63.56(11) %, K+ -> e+ nu_e 1.582(7)e-5.
BR_K_MU_NU: float = 0.6356
BR_K_E_NU: float = 1.582e-5
# Higgs vacuum expectation value v = (sqrt(2) G_F)^(-1/2) = 246.22 GeV.
HIGGS_VEV: float = (math.sqrt(2.0) * G_F) ** -0.5

M_E: float = particle_mass_gev(11)
M_MU: float = particle_mass_gev(13)
M_TAU: float = particle_mass_gev(15)
M_PROTON: float = particle_mass_gev(2212)
M_PI_CHARGED: float = particle_mass_gev(211)
M_PI0: float = particle_mass_gev(111)
M_K_CHARGED: float = particle_mass_gev(321)
M_Z: float = particle_mass_gev(23)

TAU_MU_S: float = particle_lifetime_s(13)
TAU_TAU_S: float = particle_lifetime_s(15)
TAU_K_CHARGED_S: float = particle_lifetime_s(321)

# Cosmology (the relic density and N_eff, muonreach.cosmo).
# Planck mass G_N^{-1/2} = 1.220890(14)e19 GeV (PDG 2024, "Physical constants").
M_PLANCK_GEV: float = 1.220890e19
# Present entropy density s_0/k = 2891.2 (T_0/2.7255 K)^3 cm^-3 (PDG 2024, "Astrophysical constants"),
# i.e. (2 pi^2/45)(43/11) T_0^3 for T_0 = 2.7255 K.
S0_CM3: float = 2891.2
# Critical density over h^2, rho_c/h^2 = 1.05368(2)e-5 GeV cm^-3 (PDG 2024, "Astrophysical constants").
RHO_CRIT_H2_GEV_CM3: float = 1.05368e-5

# Atomic mass unit, CODATA 2018: m_u c^2 = 931.49410242(28) MeV (nuclear masses M = A m_u in the exact 2 -> 3
# kinematics, A the atomic weight in g/mol).
M_U: float = 0.93149410242
# Proton magnetic moment in nuclear magnetons (PDG: 2.792847344); 002 App. A uses mu_p = 2.79.
MU_PROTON: float = 2.792847344

LEPTON_MASSES: dict[str, float] = {"e": M_E, "mu": M_MU, "tau": M_TAU}
LEPTONS: tuple[str, ...] = ("e", "mu", "tau")
