"""e+ e- -> gamma X: the mono-photon signal of a new boson X at an e+e- collider, for any model of the protocol.

Massless electrons (m_e^2/s ~ 2e-9 at B factories), photon polar angle theta in the centre-of-mass frame,
c = cos(theta). Three amplitudes, each checked by explicit Dirac traces in ``tests/test_monophoton.py``:

* vector X with coupling g_V to electrons (dark photon: g_V = eps e), the t/u-channel radiation:
  (1/4) sum |M|^2 = 2 e^2 g_V^2 (t/u + u/t + 2 m^2 s/(t u)), so
  dsigma/dc = (alpha g_V^2 / (2 s)) (1 - m^2/s) [1 + c^2 + 4 m^2 s/(s - m^2)^2] / (1 - c^2)
  (for g_V = eps e the textbook 2 pi alpha^2 eps^2/s (1 - m^2/s) [...]/sin^2 theta);
* scalar X with Yukawa g_e, the t/u-channel radiation: (1/4) sum |M|^2 = e^2 g_e^2 (s^2 + m^4)/(t u), so
  dsigma/dc = alpha g_e^2 (s^2 + m^4) / (2 s^2 (s - m^2) (1 - c^2));
* scalar X through the effective coupling -(1/4) G(q^2) X F F (000_2bfc33bcfac4181d.txt eq. (2.4) and App. A:
  G = alpha/(2 pi) sum_l (g_l/m_l) F_1/2(4 m_l^2/m^2, q^2/(4 m_l^2)) at q^2 = s, the s-channel photon of 000
  Fig. 8a): (1/4) sum |M|^2 = e^2 |G|^2 (s - m^2)^2 (1 + c^2) / (8 s), so
  dsigma/dc = alpha |G|^2 (1 - m^2/s)^3 (1 + c^2) / 64 (integrated: alpha |G|^2 (1 - m^2/s)^3 / 24, the ALP
  result for a constant coupling).

For massless electrons the s-channel (helicity conserving, one gamma matrix) and the Yukawa t/u amplitude (helicity
flipping, two) do not interfere: the trace of their product has an odd number of gamma matrices. Not included:
initial-state radiation, the Z exchange (s << m_Z^2) and the electron mass (the t/u terms are collinear
divergent at c -> +-1 for m_e -> 0: only acceptances with |c| < 1 are allowed).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .. import constants as c
from ..errors import InvalidParameter, KinematicallyForbidden
from ..models.base import Mediator
from ..models.diphoton import f_half

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(48)


def _check(s: float, mass: float, cos_min: float, cos_max: float) -> None:
    if not (s > 0.0 and math.isfinite(s)):
        raise InvalidParameter(f"s must be positive, got {s:g} GeV^2")
    if not -1.0 < cos_min < cos_max < 1.0:
        raise InvalidParameter(f"the photon acceptance needs -1 < cos_min < cos_max < 1, got [{cos_min:g}, {cos_max:g}]")
    if not 0.0 < mass < math.sqrt(s):
        raise KinematicallyForbidden(f"e+e- -> gamma X needs 0 < m_X < sqrt(s) = {math.sqrt(s):g} GeV, got {mass:g}")


def vector_dsigma_dcos(s: float, mass: float, g_v: float, cos: NDArray[np.float64]) -> NDArray[np.float64]:
    """dsigma/dcos(theta_gamma) in GeV^-2 for a vector with coupling g_v to electrons (module docstring)."""
    r = mass * mass / s
    return c.ALPHA * g_v**2 / (2.0 * s) * (1.0 - r) * (1.0 + cos**2 + 4.0 * r / (1.0 - r) ** 2) / (1.0 - cos**2)


def yukawa_dsigma_dcos(s: float, mass: float, g_e: float, cos: NDArray[np.float64]) -> NDArray[np.float64]:
    """dsigma/dcos(theta_gamma) in GeV^-2 for a scalar radiated off the electron line with Yukawa g_e."""
    return c.ALPHA * g_e**2 * (s * s + mass**4) / (2.0 * s * s * (s - mass * mass) * (1.0 - cos**2))


def diphoton_dsigma_dcos(s: float, mass: float, coupling_gev: float, cos: NDArray[np.float64]) -> NDArray[np.float64]:
    """dsigma/dcos(theta_gamma) in GeV^-2 through -(1/4) G X F F with |G| = ``coupling_gev`` (GeV^-1) at q^2 = s."""
    return c.ALPHA * coupling_gev**2 * (1.0 - mass * mass / s) ** 3 * (1.0 + cos**2) / 64.0


def diphoton_coupling(mass: float, lepton_couplings: dict[str, float], q2: float) -> float:
    """|G(q^2)| in GeV^-1 = alpha/(2 pi) |sum_l (g_l/m_l) F_1/2(4 m_l^2/m^2, q^2/(4 m_l^2))| (000 eq. (2.4), (A.1))."""
    amplitude = 0j
    for lepton, g in lepton_couplings.items():
        if g != 0.0:
            m_l = c.LEPTON_MASSES[lepton]
            amplitude += (g / m_l) * f_half(4.0 * m_l**2 / mass**2, q2 / (4.0 * m_l**2))
    return c.ALPHA / (2.0 * math.pi) * abs(amplitude)


def acceptance_integral(f, cos_min: float, cos_max: float) -> float:
    """int_{cos_min}^{cos_max} f(c) dc by 48-point Gauss-Legendre (f vectorised over c)."""
    half = 0.5 * (cos_max - cos_min)
    cos = 0.5 * (cos_max + cos_min) + half * _NODES
    return float(half * np.dot(_WEIGHTS, f(cos)))


def signal_cross_section(model: Mediator, s: float, cos_min: float, cos_max: float) -> float:
    """sigma(e+e- -> gamma X) in GeV^-2 with the photon in cos_min < cos(theta) < cos_max (CM frame).

    The model's electron coupling (``production_coupling("e")``) gives the t/u radiation: 'vector' or 'scalar';
    a scalar also gets the s-channel through its lepton-loop photon coupling at q^2 = s (all three leptons'
    'scalar' couplings). Other kinds (pseudoscalar) raise InvalidParameter: their loop coupling is not implemented.
    48-point Gauss-Legendre in cos(theta): the integrands are smooth inside |c| < 1 (1/(1 - c^2) at most); checked
    against the closed-form integrals in the tests (1e-12).
    """
    _check(s, model.mass, cos_min, cos_max)
    couplings: dict[str, float] = {}
    kind_e = None
    for lepton in c.LEPTON_MASSES:
        try:
            kind, g = model.production_coupling(lepton)
        except InvalidParameter:
            continue
        if lepton == "e":
            kind_e = kind
        if kind == "scalar":
            couplings[lepton] = g
        elif kind != "vector":
            raise InvalidParameter(f"e+e- -> gamma X is implemented for scalar and vector couplings, not {kind!r}")
    m = model.mass
    total = 0.0
    if kind_e == "vector":
        g_v = model.production_coupling("e")[1]
        total += acceptance_integral(lambda x: vector_dsigma_dcos(s, m, g_v, x), cos_min, cos_max)
    if couplings.get("e", 0.0) != 0.0:
        total += acceptance_integral(lambda x: yukawa_dsigma_dcos(s, m, couplings["e"], x), cos_min, cos_max)
    if any(g != 0.0 for g in couplings.values()):
        big_g = diphoton_coupling(m, couplings, s)
        total += acceptance_integral(lambda x: diphoton_dsigma_dcos(s, m, big_g, x), cos_min, cos_max)
    return total
