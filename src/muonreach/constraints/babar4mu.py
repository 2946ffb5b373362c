"""BaBar four-muon search recast to any boson radiated off muons: e+e- -> mu+ mu- X, X -> mu+ mu-.

BaBar (arXiv:1606.03501, Phys. Rev. D 94 (2016) 011102; 004 notes S9) limits the L_mu - L_tau gauge coupling
g'_lim(m) at 90 % CL (shipped curve ``babar-4mu-2016``). The signal cross section of a boson X of mass m radiated
off the final-state muons of e+e- -> gamma* -> mu+ mu- is, over the full solid angle,

    sigma(e+e- -> mu mu X) = g_X^2 R_kind(sqrt(s), m) sigma(e+e- -> mu mu),

R the ratio Gamma(V* -> mu mu X)/(g^2 Gamma(V* -> mu mu)) of a vector of mass sqrt(s) with pure vector coupling
(:func:`muonreach.production.z_radiation.radiation_ratio`, exact tree level with the muon mass; the scalar or the
vector emission |M|^2). A model is excluded at mass m where

    g_mu^2 R_kind(m) BR(X -> mu mu; g) > g'_lim(m)^2 R_vector(m) BR(Z' -> mu mu; g'_lim),

BR(Z' -> mu mu) from the limit curve's own model (the ``model`` of its TOML), so recasting that model to itself
returns the input curve (tests). Assumptions (docs/constraints.md): the same selection efficiency for X and Z'
(BaBar's efficiency depends on the dimuon mass, ~35-50 %, not on the boson's spin; the angular distributions
differ, which is not modelled); the full-energy 4 mu selection rejects e+e- -> tau tau X (neutrinos carry energy
off), so only X radiated off muons counts (in the lepton-specific model tau radiation, which dominates BaBar's 2020
search, does not enter); radiation off the beams neglected (applies only if |g_e| <= (m_e/m_mu) |g_mu|);
one centre-of-mass energy; tree level, no ISR. Validity: 2 m_mu < m < sqrt(s) - 2 m_mu and inside the curve's
mass range (0.212-10 GeV); the bound is at the source's 90 % CL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

import numpy as np
from numpy.typing import NDArray

from .. import constants as c
from ..errors import InvalidParameter
from ..models.base import Mediator
from ..models.registry import ModelSpec, build_model
from ..production.z_radiation import radiation_ratio
from .computed import RATE_SLOPE, BoundRows, ComputedBound, dimuon_fraction, excluded_interval, input_fields, register_bound
from .registry import get_limit

_KINDS = ("scalar", "vector")
#: Gauss-Legendre nodes of the cosine-mapped s1 axis (s2: the z-decay default 12): within 2.4e-9 of 200 x 120 nodes
#: at 0.21-9 GeV, scalar and vector (production/z_radiation.py; the former plain 24 x 24 grid: 4.5e-4 off).
_NODES = 24
#: Largest |g_e/g_mu| for which radiation off the beams is neglected: the lepton-specific ratio m_e/m_mu (rate
#: contributions below (m_e/m_mu)^2 = 2.3e-5; the L_mu - L_tau loop mixing is below it), with rounding slack.
_ELECTRON_TO_MUON = c.M_E / c.M_MU * (1.0 + 1e-9)


@cache
def _inputs() -> dict:
    top = input_fields("babar4mu.toml")
    out = {"limit": top.string("limit"), "cl": top.number("cl_source"), "sqrt_s": top.positive("sqrt_s")}
    top.done()
    return out


@cache
def muon_ratio(kind: str, sqrt_s: float, m_x: float) -> float:
    """sigma(e+e- -> mu mu X)/(g^2 sigma(e+e- -> mu mu)) for X a scalar or a vector (module docstring); cached."""
    return radiation_ratio(sqrt_s, c.M_MU, m_x, 1.0, 0.0, nodes=_NODES, emitted=kind)


def _muon_coupling(model: Mediator) -> tuple[str, float]:
    """(kind, g_mu) if X is radiated off muons with a scalar or vector coupling and the electrons barely couple."""
    try:
        kind, g = model.production_coupling("mu")
    except InvalidParameter:
        return "", 0.0
    if kind not in _KINDS or g == 0.0:
        return "", 0.0
    try:
        g_e = model.production_coupling("e")[1]
    except InvalidParameter:
        g_e = 0.0
    if abs(g_e) > _ELECTRON_TO_MUON * abs(g):
        return "", 0.0
    return kind, g


def _applies(spec: ModelSpec) -> bool:
    model = spec.build(0.5, 1e-3)
    return bool(_muon_coupling(model)[0]) and "mu_mu" in model.branching_ratios()


def recast(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
    """Excluded couplings of ``spec`` from the BaBar 4 mu limit (module docstring); NaN outside its range."""
    d = _inputs()
    curve = get_limit(d["limit"])
    if curve.edge != "lower":
        raise InvalidParameter(f"limit {d['limit']!r} is not a lower edge")
    sqrt_s = d["sqrt_s"]
    low = np.full(masses.size, math.nan)
    high = np.full(masses.size, math.nan)
    inside = (masses >= curve.x[0]) & (masses <= curve.x[-1]) & (masses + 2.0 * c.M_MU < sqrt_s) & (masses > 2.0 * c.M_MU)
    g_lim = np.exp(np.interp(np.log(np.where(inside, masses, curve.x[0])), np.log(curve.x), np.log(curve.y)))
    for i in np.nonzero(inside)[0]:
        m = float(masses[i])
        reference = build_model(curve.model, m, float(g_lim[i]))
        kind_ref, g_ref = _muon_coupling(reference)
        if not kind_ref:
            raise InvalidParameter(f"the model {curve.model!r} of limit {d['limit']!r} is not radiated off muons")
        target = g_ref**2 * muon_ratio(kind_ref, sqrt_s, m) * dimuon_fraction(reference)

        def excess(g: float, m: float = m, target: float = target) -> float:
            model = spec.build(m, g, overrides)
            kind, g_mu = _muon_coupling(model)
            rate = g_mu**2 * muon_ratio(kind, sqrt_s, m) * dimuon_fraction(model) if kind else 0.0
            return math.log(rate / target) if rate > 0.0 else -math.inf

        low[i], high[i] = excluded_interval(excess, max_slope=RATE_SLOPE)
    return BoundRows(masses, low, high)


def _register() -> None:
    d = _inputs()
    curve = get_limit(d["limit"])
    register_bound(ComputedBound(
        "babar-4mu", "e+e- -> mu mu X, X -> mu mu at BaBar, recast from the L_mu - L_tau Z' limit",
        f"{curve.source.paper}, arXiv:{curve.source.arxiv}; signal ratio: production/z_radiation.py", d["cl"],
        _applies, recast,
        approximate=(f"sqrt(s) = {d['sqrt_s']:g} GeV, full solid angle, same efficiency as the Z' (ASSUMPTION); "
                     "only radiation off the final-state muons")))


_register()
