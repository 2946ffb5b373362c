"""The planes a panel can show, and the maps between them.

* ``coupling``: x = mediator mass (GeV), y = the model's main coupling. Layers compute here.
* ``sigma-e``: x = m_chi (GeV), y = the reference DM-electron cross section sigma_e (cm^2) of 000 eq. (4.1),
  for a model with electron and dark-matter couplings (the leptophilic scalars with g_chi > 0). A point
  (m_S, g) maps to (m_chi, sigma_e), with m_chi, g_chi and g_e (proportional to g) taken from the model
  object at the panel's benchmark and sigma_e from ``cosmo.bounds.dm_electron_cross_section_cm2``
  (000 eq. (4.1), F_DM = 1); sigma_e limits are drawn in the coupling plane through the inverse map.
* ``g-chi``: x = m_S (GeV), y = g_chi (000 Fig. 1); the bounds come from ``muonreach.cosmo.bounds``.
* ``y``: x = the dark-matter mass m_DM (GeV), y = eps^2 alpha_D (m_DM/m_X)^4 (003_731e213823d1e5dc.txt eq. (2),
  the PBC BC2 variable), for a model with kinetic mixing and a dark coupling (``Mediator.relic_y``); a point
  (m_X, eps) maps at the panel's benchmark (m_DM = m_chi_ratio m_X), and coupling-plane limits are drawn through
  the same map.
* ``xsec``, ``spectrum``, ``energy-angle``: production cross section vs mediator mass, the mediator's energy
  distribution, and a dark state's (energy, angle) distribution (003 Figs. 4-5); their layers draw them directly.
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
        raise SpecError(f"the {panel.plane} plane needs m_chi as a ratio to the mediator mass (m_chi_ratio), not an "
                        "absolute m_chi")
    if "m_chi_ratio" not in values:
        raise SpecError(f"model {panel.model!r} has no dark-matter mass ratio: it cannot be drawn in the {panel.plane} plane")
    return float(values["m_chi_ratio"])


#: The model method giving (dark-matter mass, y value at the reference coupling) of each dark-matter plane.
_DM_PLANES = {"sigma-e": "dm_electron_scattering", "y": "relic_y"}


def check_dm_plane(panel: PanelSpec) -> None:
    """Raise SpecError unless the panel's model and benchmark define the plane's y quantity (sigma_e: electron and DM
    couplings, 000 eq. (4.1); y: kinetic mixing and a dark coupling, 003 eq. (2)) and m_DM as a ratio."""
    if panel.model is None:
        raise SpecError(f"the {panel.plane} plane needs a model")
    _dm_ratio(panel)
    from ..errors import InvalidParameter
    from ..models.registry import build_model

    try:
        getattr(build_model(panel.model, 0.1, _G_REF, panel.benchmark), _DM_PLANES[panel.plane])()
    except InvalidParameter as exc:
        raise SpecError(f"model {panel.model!r} with this benchmark: {exc}") from None


def check_sigma_e(panel: PanelSpec) -> None:
    """:func:`check_dm_plane` for a coupling panel that draws sigma_e limits (through 000 eq. (4.1))."""
    from dataclasses import replace

    check_dm_plane(replace(panel, plane="sigma-e"))


def mediator_range(panel: PanelSpec) -> tuple[float, float]:
    """Mediator masses (GeV) that cover the panel's x range."""
    if panel.plane in _DM_PLANES:
        r = _dm_ratio(panel)
        return panel.x.min / r, panel.x.max / r
    return panel.x.min, panel.x.max


def _dm_unit(panel: PanelSpec, m: np.ndarray, plane: str) -> tuple[np.ndarray, np.ndarray]:
    """(m_DM, the plane's y per unit coupling squared) at each mediator mass (sigma_e and y scale as g^2)."""
    from ..models.registry import build_model

    m_dm, unit = np.empty(m.size), np.empty(m.size)
    for i, mass in enumerate(np.asarray(m, dtype=float)):
        model = build_model(panel.model or "", float(mass), _G_REF, panel.benchmark)
        m_dm[i], value = getattr(model, _DM_PLANES[plane])()
        unit[i] = value / _G_REF**2
    return m_dm, unit


def to_axes(panel: PanelSpec, m: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map (mediator mass, coupling) to the panel's axes."""
    m, g = np.asarray(m, dtype=float), np.asarray(g, dtype=float)
    if panel.plane in _DM_PLANES:
        x, unit = _dm_unit(panel, m, panel.plane)
        return x, unit * g**2
    return m, g


def sigma_e_to_coupling(panel: PanelSpec, m_chi: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse map: a sigma_e curve (m_chi, sigma_e) as (mediator mass, coupling) at the panel's benchmark."""
    r = _dm_ratio(panel)
    m = np.asarray(m_chi, dtype=float) / r
    _, unit = _dm_unit(panel, m, "sigma-e")
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


__all__ = ["check_dm_plane", "check_sigma_e", "g_chi_perturbativity", "g_chi_self_interaction", "mediator_range", "sigma_e_to_coupling",
           "to_axes"]


def model_at(panel: PanelSpec, mass: float):
    """Coupling -> the panel's model (with its benchmark) at a fixed mediator mass."""
    from ..models.registry import get_model_spec

    spec = get_model_spec(panel.model or "")
    return lambda g: spec.build(mass, g, panel.benchmark)
