"""The models shipped with muonreach, registered by name (``muonreach list models``)."""

from __future__ import annotations

from .registry import ModelSpec, Param, dm_mass, register
from .scalar import LeptophilicScalar

_THIRD = 1.0 / 3.0

_DM_FERMION = {
    "g_chi": Param(0.0, "Yukawa coupling of the mediator to Dirac dark matter chi (0: no dark matter)"),
    "m_chi": Param(None, "dark-matter mass in GeV (overrides m_chi_ratio)"),
    "m_chi_ratio": Param(_THIRD, "m_chi / mediator mass when m_chi is not given (000 eq. (2.8): 1/3)"),
}


def _scalar_dm(mass: float, v: dict) -> dict:
    return {"g_chi": v["g_chi"], "m_chi": dm_mass(mass, v) if v["g_chi"] != 0.0 or v["m_chi"] is not None else None}


register(
    ModelSpec(
        "scalar-muon",
        "muon-specific scalar S (g_e = g_tau = 0; model B of 002, 000 eq. (2.3)); optional Dirac DM",
        "g_mu",
        lambda m, g, v: LeptophilicScalar.muon_specific(m, g, **_scalar_dm(m, v)),
        _DM_FERMION,
        "000 eq. (2.3), arXiv:1807.03790; 002, arXiv:1701.07437",
    )
)
register(
    ModelSpec(
        "scalar-lepton",
        "lepton-specific scalar S (g_l proportional to m_l; model A of 002, 000 eq. (2.3)); optional Dirac DM",
        "g_mu",
        lambda m, g, v: LeptophilicScalar.lepton_specific(m, g, **_scalar_dm(m, v)),
        _DM_FERMION,
        "000 eq. (2.3), arXiv:1807.03790; 002, arXiv:1701.07437",
    )
)
register(
    ModelSpec(
        "scalar",
        "leptophilic scalar S with free couplings g_e, g_mu, g_tau; optional Dirac DM",
        "g_mu",
        lambda m, g, v: LeptophilicScalar(m, g_e=v["g_e"], g_mu=g, g_tau=v["g_tau"], **_scalar_dm(m, v)),
        {"g_e": Param(0.0, "coupling to electrons"), "g_tau": Param(0.0, "coupling to taus"), **_DM_FERMION},
        "000 eq. (2.1), arXiv:1807.03790",
    )
)
