"""Singlet scenarios for (g-2)_mu: a muon-philic scalar S or the L_mu - L_tau vector V, with the muon coupling
fixed by Delta a_mu (004_7de0b22078876a0d.txt: letter arXiv:2006.16277 eqs. (3)-(4); companion
arXiv:2101.10334 eqs. (2.3)-(2.4)).

* scalar: g_S S mubar mu (model ``scalar-muon``); its origin is a dimension-5 operator, g_S ~ v/(sqrt 2 Lambda),
  or singlet-Higgs mixing, g_S ~ y_mu sin(theta) (:func:`dimension5_scale`, :func:`higgs_mixing_angle`);
* vector: g_V V_a mubar gamma^a mu + the tau and neutrino terms of gauged L_mu - L_tau (model ``lmu-ltau``,
  without the loop-induced kinetic-mixing channels, which are < 3e-4 of its width).

The (g-2) loops are those of :mod:`muonreach.gm2.loops` (via the models' ``delta_a``), exact at one loop at any
mass, so Delta a scales as g^2 and the coupling for a target Delta a is sqrt(Delta a / Delta a(g = 1)).

Perturbative unitarity of the muon coupling (derived in docs/heavy.md): the J = 0 partial wave of
mu+ mu- -> mu+ mu- in the equal-helicity channel, through s-channel S at s >> m_S^2, is a_0 = g^2/(16 pi);
|Re a_0| <= 1/2 gives g <= sqrt(8 pi). The letter (part 1 of 004, line 840) uses the stricter g <= sqrt(4 pi);
both are offered (``criterion``), the letter's is the default when reproducing the paper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..constants import HIGGS_VEV, M_MU
from ..errors import InvalidParameter, KinematicallyForbidden
from ..models.registry import build_model
from ..validation import positive

KINDS = ("scalar", "vector")
UNITARITY = {"partial-wave": math.sqrt(8.0 * math.pi), "letter": math.sqrt(4.0 * math.pi)}
_MODEL = {"scalar": ("scalar-muon", {}), "vector": ("lmu-ltau", {"loop_mixing": False})}


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidParameter(f"singlet kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return kind


def max_coupling(criterion: str = "letter") -> float:
    """The largest muon coupling allowed by perturbative unitarity (see the module docstring)."""
    if criterion not in UNITARITY:
        raise InvalidParameter(f"unitarity criterion must be one of {', '.join(UNITARITY)}, got {criterion!r}")
    return UNITARITY[criterion]


def delta_a(kind: str, mass: float, coupling: float) -> float:
    """Delta a_mu of the singlet at one loop (exact in m_mu/m)."""
    name, extra = _MODEL[_kind(kind)]
    return build_model(name, mass, coupling, extra).delta_a("mu")


def coupling_for(kind: str, mass: float, target: float) -> float:
    """The muon coupling that gives Delta a_mu = ``target`` (> 0; both singlets give positive contributions)."""
    positive("target Delta a_mu", target)
    return math.sqrt(target / delta_a(kind, positive("mass", mass), 1.0))


@dataclass(frozen=True)
class Singlet:
    """A singlet mediator with the coupling that explains ``target`` and its total width (GeV)."""

    kind: str
    mass: float
    coupling: float
    width: float


def explaining(kind: str, mass: float, target: float) -> Singlet:
    """The singlet of mass ``mass`` whose coupling gives Delta a_mu = ``target``, with its total width."""
    g = coupling_for(kind, mass, target)
    name, extra = _MODEL[kind]
    return Singlet(kind, mass, g, build_model(name, mass, g, extra).total_width)


def unitarity_mass_limit(kind: str, target: float, criterion: str = "letter") -> float:
    """The heaviest singlet that explains ``target`` with a coupling at the unitarity limit (GeV)."""
    from scipy.optimize import brentq

    g_max = max_coupling(criterion)
    f = lambda log_m: math.log(coupling_for(kind, math.exp(log_m), target) / g_max)
    lo, hi = math.log(10 * M_MU), math.log(1e6)
    if f(lo) > 0 or f(hi) < 0:
        raise KinematicallyForbidden(f"no {kind} mass between 1 GeV and 1 PeV reaches the unitarity coupling")
    return math.exp(brentq(f, lo, hi, xtol=1e-12))


def dimension5_scale(g_s: float) -> float:
    """Lambda (GeV) of the dimension-5 origin g_S = v/(sqrt 2 Lambda) (2101.10334 after eq. (2.3))."""
    return HIGGS_VEV / (math.sqrt(2.0) * positive("g_S", g_s))


def higgs_mixing_angle(g_s: float) -> float:
    """sin(theta) of the singlet-Higgs mixing origin g_S = y_mu sin(theta), y_mu = sqrt(2) m_mu / v.

    Raises InvalidParameter when |sin theta| would exceed 1 (the coupling cannot come from mixing alone).
    """
    y_mu = math.sqrt(2.0) * M_MU / HIGGS_VEV
    s = positive("g_S", g_s) / y_mu
    if s > 1.0:
        raise InvalidParameter(f"g_S = {g_s:g} exceeds y_mu = {y_mu:.3g}: not reachable by Higgs mixing (sin theta > 1)")
    return s
