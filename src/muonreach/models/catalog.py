"""The models shipped with muonreach, registered by name (``muonreach list models``)."""

from __future__ import annotations

import math
from typing import Any

from .registry import ModelSpec, Param, dm_mass, register
from .scalar import LeptophilicScalar, lepton_specific_couplings

_THIRD = 1.0 / 3.0

_FOUR_PI = 4.0 * math.pi
_DM_FERMION = {
    "g_chi": Param(0.0, "Yukawa coupling of the mediator to Dirac dark matter chi (0: no dark matter)", low=-_FOUR_PI, high=_FOUR_PI),
    "m_chi": Param(None, "dark-matter mass in GeV (overrides m_chi_ratio)", low=0.0, low_open=True),
    "m_chi_ratio": Param(_THIRD, "m_chi / mediator mass when m_chi is not given (000 eq. (2.8): 1/3)", low=0.0, low_open=True),
}


def _scalar_dm(mass: Any, v: dict) -> dict:
    return {"g_chi": v["g_chi"], "m_chi": dm_mass(mass, v) if v["g_chi"] != 0.0 or v["m_chi"] is not None else None}


# Fields functions (registry.Fields): elementwise in the mass and the coupling (floats or arrays).
def _scalar_muon(m: Any, g: Any, v: dict) -> tuple[type, dict]:
    return LeptophilicScalar, {"g_mu": g, **_scalar_dm(m, v)}


def _scalar_lepton(m: Any, g: Any, v: dict) -> tuple[type, dict]:
    return LeptophilicScalar, {**lepton_specific_couplings(g), **_scalar_dm(m, v)}


def _scalar_free(m: Any, g: Any, v: dict) -> tuple[type, dict]:
    return LeptophilicScalar, {"g_e": v["g_e"], "g_mu": g, "g_tau": v["g_tau"], **_scalar_dm(m, v)}


register(
    ModelSpec(
        "scalar-muon",
        "muon-specific scalar S (g_e = g_tau = 0; model B of 002, 000 eq. (2.3)); optional Dirac DM",
        "g_mu",
        params=_DM_FERMION,
        fields=_scalar_muon,
        source="000 eq. (2.3), arXiv:1807.03790; 002, arXiv:1701.07437",
        mass_symbol="m_S",
        coupling_symbol="g_\\mu",
    )
)
register(
    ModelSpec(
        "scalar-lepton",
        "lepton-specific scalar S (g_l proportional to m_l; model A of 002, 000 eq. (2.3)); optional Dirac DM",
        "g_mu",
        params=_DM_FERMION,
        fields=_scalar_lepton,
        source="000 eq. (2.3), arXiv:1807.03790; 002, arXiv:1701.07437",
        mass_symbol="m_S",
        coupling_symbol="g_\\mu",
    )
)
register(
    ModelSpec(
        "scalar",
        "leptophilic scalar S with free couplings g_e, g_mu, g_tau; optional Dirac DM",
        "g_mu",
        params={"g_e": Param(0.0, "coupling to electrons", low=-_FOUR_PI, high=_FOUR_PI),
                "g_tau": Param(0.0, "coupling to taus", low=-_FOUR_PI, high=_FOUR_PI), **_DM_FERMION},
        fields=_scalar_free,
        source="000 eq. (2.1), arXiv:1807.03790",
        mass_symbol="m_S",
        coupling_symbol="g_\\mu",
    )
)


# --- vectors ----------------------------------------------------------------------------------------


def _vector_dm(mass: Any, v: dict) -> dict:
    return _scalar_dm(mass, v)


def _dark_photon(m: Any, eps: Any, v: dict) -> tuple[type, dict]:
    from .dark_photon import DarkPhoton

    m_chi = dm_mass(m, v) if v["alpha_D"] != 0.0 or v["m_chi"] is not None else None
    return DarkPhoton, {"eps": eps, "alpha_D": v["alpha_D"], "m_chi": m_chi}


def _inelastic(m: Any, eps: Any, v: dict) -> tuple[type, dict]:
    from .dark_photon import InelasticDM

    m1 = dm_mass(m, v)
    return InelasticDM, {"eps": eps, "m1": m1, "splitting": v["delta"] * m1, "alpha_D": v["alpha_D"]}


register(
    ModelSpec(
        "dark-photon",
        "kinetically mixed dark photon A' (e+e-, mu+mu-, tau+tau-, hadrons via R ratio); optional Dirac DM",
        "eps",
        fields=_dark_photon,
        params={
            "alpha_D": Param(0.0, "dark coupling g_D^2/(4 pi) to Dirac DM chi (0: visible dark photon)", low=0.0, high=_FOUR_PI),
            "m_chi": Param(None, "dark-matter mass in GeV (overrides m_chi_ratio)", low=0.0, low_open=True),
            "m_chi_ratio": Param(_THIRD, "m_chi / m_A' when m_chi is not given", low=0.0, low_open=True),
        },
        source="arXiv:1801.04847 (DarkCast); 004 notes S22",
        mass_symbol="m_{A'}",
        coupling_symbol="\\epsilon",
    )
)
register(
    ModelSpec(
        "inelastic-dm",
        "dark photon with pseudo-Dirac DM chi1, chi2 (m2 = m1 (1 + delta)); chi2 -> chi1 l+ l- (003)",
        "eps",
        fields=_inelastic,
        params={
            "alpha_D": Param(0.1, "dark coupling g_D^2/(4 pi) (003 Fig. 6: 0.1)", low=0.0, high=_FOUR_PI),
            "m_chi": Param(None, "chi1 mass m1 in GeV (overrides m_chi_ratio)", low=0.0, low_open=True),
            "m_chi_ratio": Param(_THIRD, "m1 / m_A' when m_chi is not given (003: m_A' = 3 m1)", low=0.0, low_open=True),
            "delta": Param(0.1, "relative splitting (m2 - m1)/m1 (003 Figs. 5-6 use 0.1-0.4)", low=0.0),
        },
        source="003_731e213823d1e5dc.txt eq. (1), Krnjaic, Rocha, Wang 2024",
        mass_symbol="m_{A'}",
        coupling_symbol="\\epsilon",
    )
)


def _muon_vector(m: Any, g: Any, v: dict) -> tuple[type, dict]:
    from .vector import MuonVector

    return MuonVector, {"g_mu": g, "eps": v["eps"], **_vector_dm(m, v)}


def _lmu_ltau(m: Any, g: Any, v: dict) -> tuple[type, dict]:
    from .vector import LmuLtau

    return LmuLtau, {"g": g, "loop_mixing": v["loop_mixing"], **_vector_dm(m, v)}


register(
    ModelSpec(
        "vector-muon",
        "muon-specific vector V (g_mu V mubar gamma mu; M^3 eq. (2.2)); optional kinetic mixing eps and Dirac DM",
        "g_mu",
        fields=_muon_vector,
        params={"eps": Param(0.0, "tree-level kinetic mixing (e+e- and hadronic widths)", low=-1.0, high=1.0,
                             low_open=True, high_open=True),
                **_DM_FERMION},
        source="M^3 paper arXiv:1804.03144 (in 004)",
        mass_symbol="m_V",
        coupling_symbol="g_\\mu",
    )
)
register(
    ModelSpec(
        "lmu-ltau",
        "gauged L_mu - L_tau Z' (widths to mu mu, tau tau, nu nu, DM; loop-induced kinetic mixing)",
        "g",
        fields=_lmu_ltau,
        params={
            "loop_mixing": Param(True, "include the finite mu/tau-loop kinetic mixing (e+e- and hadron widths)", "bool"),
            **_DM_FERMION,
        },
        source="M^3 eqs. (2.5)-(2.6), arXiv:1902.07715 eqs. (1)-(2) (in 004)",
        mass_symbol="m_{Z'}",
        coupling_symbol="g'",
    )
)


# --- off-diagonal e-mu scalar -------------------------------------------------------------------------


def _emu(m: Any, h: Any, v: dict) -> tuple[type, dict]:
    from .emu_scalar import EmuScalar

    if v["dm"] == "none":
        return EmuScalar, {"h_mue": h}
    m1 = dm_mass(m, v, "m1", "m1_ratio")
    m2 = v["m2"] if v["m2"] is not None else m1
    return EmuScalar, {"h_mue": h, "dm": v["dm"], "g_dm": v["g_dm"], "m1": m1, "m2": m2}


register(
    ModelSpec(
        "emu-scalar",
        "complex scalar phi with off-diagonal coupling h_mue ebar_L mu_R phi (001 eq. (2)); DM scalars or fermions",
        "h_mue",
        fields=_emu,
        params={
            "dm": Param("none", "dark matter: none, scalar (s1 s2, g_dm in GeV) or fermion (psi1 psi2)", "choice",
                        ("none", "scalar", "fermion")),
            "g_dm": Param(0.0, "phi coupling to the DM pair (GeV for dm=scalar, dimensionless for dm=fermion)"),
            "m1": Param(None, "mass of DM state 1 in GeV (overrides m1_ratio)", low=0.0, low_open=True),
            "m1_ratio": Param(_THIRD, "m1 / m_phi when m1 is not given (001: m_phi = 3 m_1)", low=0.0, low_open=True),
            "m2": Param(None, "mass of DM state 2 in GeV (default: m1)", low=0.0, low_open=True),
        },
        source="001_d90c7661beefddfc.txt eqs. (2)-(14) (Gninenko, Krasnikov 2022, arXiv:2202.04410)",
        mass_symbol="m_\\phi",
        coupling_symbol="h_{\\mu e}",
    )
)
