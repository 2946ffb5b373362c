"""The planes a panel can show, and the maps between them.

* ``coupling``: x = mediator mass (GeV), y = the model's main coupling. Layers compute here.
* ``sigma-e``: x = m_chi (GeV), y = the reference DM-electron cross section sigma_e (cm^2) of 000 eq. (4.1),
  for a model with electron and dark-matter couplings (the leptophilic scalars with g_chi > 0). A point
  (m_S, g) maps to (m_chi, sigma_e), with m_chi, g_chi and g_e (proportional to g) taken from the model
  object at the panel's benchmark and sigma_e from ``cosmo.bounds.dm_electron_cross_section_cm2``
  (000 eq. (4.1), F_DM = 1); sigma_e limits are drawn in the coupling plane through the inverse map.
* ``g-chi``: x = m_S (GeV), y = g_chi (000 Fig. 1); the bounds come from ``muonreach.cosmo.bounds``.
"""

from __future__ import annotations

import numpy as np

from ..errors import SpecError
from .spec import PanelSpec

_G_REF = 1e-3  # reference coupling: sigma_e and g_e scale as g^2 and g in every shipped model


def _dm_ratio(panel: PanelSpec) -> float:
    from ..models.registry import get_model_spec

    values = get_model_spec(panel.model or "").resolve(panel.benchmark)
    if values.get("m_chi") is not None:
        raise SpecError("the sigma-e plane needs m_chi as a ratio to the mediator mass (m_chi_ratio), not an absolute m_chi")
    if "m_chi_ratio" not in values:
        raise SpecError(f"model {panel.model!r} has no dark-matter mass ratio: it cannot be drawn in the sigma-e plane")
    return float(values["m_chi_ratio"])


def check_sigma_e(panel: PanelSpec) -> None:
    """Raise SpecError unless the panel's model and benchmark define sigma_e (electron and DM couplings)."""
    if panel.model is None:
        raise SpecError("the sigma-e plane needs a model")
    _dm_ratio(panel)
    from ..errors import InvalidParameter
    from ..models.registry import build_model

    try:
        build_model(panel.model, 0.1, _G_REF, panel.benchmark).dm_electron_scattering()
    except InvalidParameter as exc:
        raise SpecError(f"model {panel.model!r} with this benchmark: {exc}") from None


def mediator_range(panel: PanelSpec) -> tuple[float, float]:
    """Mediator masses (GeV) that cover the panel's x range."""
    if panel.plane == "sigma-e":
        r = _dm_ratio(panel)
        return panel.x.min / r, panel.x.max / r
    return panel.x.min, panel.x.max


def _sigma_unit(panel: PanelSpec, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(m_chi, sigma_e in cm^2 per unit coupling squared) at each mediator mass."""
    from ..models.registry import build_model

    m_chi, unit = np.empty(m.size), np.empty(m.size)
    for i, mass in enumerate(np.asarray(m, dtype=float)):
        m_chi[i], sigma = build_model(panel.model or "", float(mass), _G_REF, panel.benchmark).dm_electron_scattering()
        unit[i] = sigma / _G_REF**2
    return m_chi, unit


def to_axes(panel: PanelSpec, m: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map (mediator mass, coupling) to the panel's axes."""
    m, g = np.asarray(m, dtype=float), np.asarray(g, dtype=float)
    if panel.plane == "sigma-e":
        m_chi, unit = _sigma_unit(panel, m)
        return m_chi, unit * g**2
    return m, g


def sigma_e_to_coupling(panel: PanelSpec, m_chi: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse map: a sigma_e curve (m_chi, sigma_e) as (mediator mass, coupling) at the panel's benchmark."""
    r = _dm_ratio(panel)
    m = np.asarray(m_chi, dtype=float) / r
    _, unit = _sigma_unit(panel, m)
    return m, np.sqrt(np.asarray(sigma, dtype=float) / unit)


def g_chi_self_interaction(m_s: np.ndarray, ratio: float, limit_cm2_g: float) -> np.ndarray:
    """g_chi at which sigma_T/m_chi (000 eq. (2.10)) equals the bound, for m_chi = ratio m_S."""
    from ..cosmo.bounds import sigma_t_over_m_cm2_g

    m_s = np.asarray(m_s, dtype=float)
    per_g4 = np.array([sigma_t_over_m_cm2_g(1.0, ratio * m, m) for m in m_s])  # cm^2/g at g_chi = 1
    return (limit_cm2_g / per_g4) ** 0.25


def g_chi_perturbativity(m_s: np.ndarray, scale_gev: float) -> np.ndarray:
    """Largest g_chi at the mediator mass that stays perturbative up to ``scale_gev`` (000 eq. (2.11))."""
    from ..cosmo.bounds import max_perturbative_coupling

    return np.array([max_perturbative_coupling(float(m), mu_max=scale_gev) for m in np.asarray(m_s, dtype=float)])


__all__ = ["check_sigma_e", "g_chi_perturbativity", "g_chi_self_interaction", "mediator_range", "sigma_e_to_coupling",
           "to_axes"]


def model_at(panel: PanelSpec, mass: float):
    """Coupling -> the panel's model (with its benchmark) at a fixed mediator mass."""
    from ..models.registry import get_model_spec

    spec = get_model_spec(panel.model or "")
    return lambda g: spec.build(mass, g, panel.benchmark)
