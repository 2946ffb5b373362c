"""Reference yields by nested adaptive quadrature: the independent check of the fast
Gauss-Legendre yield of :mod:`.production` (``Bremsstrahlung.sample``).

The same physics (IWW cross section, photon flux, signature weight) integrated with ``scipy.integrate.quad``
over the muon energy and x, with the flux by its own adaptive quadrature. Slow (seconds per point); used by
the tests, which require agreement with the fast path to 1e-3, and as the naive baseline of ``make bench``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import integrate

from .. import units
from ..constants import LEPTON_MASSES
from ..errors import ConvergenceError, InvalidParameter
from ..models.registry import ModelSpec
from ..production.cross_sections import dsigma_dx_iww_per_chi
from ..production.flux import iww_photon_flux
from .beam import depth_at, energy_range
from .sample import BosonSample
from .signatures import Decays
from .spec import Experiment


def _quad(f, a: float, b: float, points: list[float] | None = None) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("error", integrate.IntegrationWarning)
        try:
            value, _ = integrate.quad(f, a, b, points=points, epsabs=0.0, epsrel=1e-8, limit=200)
        except integrate.IntegrationWarning as exc:
            raise ConvergenceError(f"reference yield quadrature: {str(exc).splitlines()[0]}") from None
    return value


def events_by_quadrature(exp: Experiment, spec: ModelSpec, mass: float, coupling: float,
                         overrides: dict | None = None) -> float:
    """Expected signal events at one (mass, coupling) by nested ``quad`` (reference implementation, IWW)."""
    if exp.approximation != "iww":
        raise InvalidParameter(f"the reference quadrature implements the IWW yields, not {exp.approximation!r}")
    model = spec.build(mass, coupling, overrides)
    kind, g_prod = model.production_coupling(exp.lepton)
    decays = Decays.of_model(model)
    m_l = LEPTON_MASSES[exp.lepton]
    e_lo, e_hi = energy_range(exp, mass)

    def per_energy(e: float) -> float:
        depth, dedx = depth_at(exp, np.array([e]))
        chi = float(iww_photon_flux(exp.target, mass, exp.lepton, e, method="quad"))
        x_lo, x_hi = max(exp.x_min, mass / e), 1.0 - m_l / e

        def integrand(x: float) -> float:
            p = math.sqrt(max((x * e) ** 2 - mass**2, 0.0))
            one = BosonSample(np.array([x * e]), np.array([p]), depth, np.array([e]), np.ones(1))
            weight = exp.signature.probability(one, exp.geometry, decays)[0, 0] * float(exp.efficiency.weights(one, mass)[0])
            return float(dsigma_dx_iww_per_chi(kind, x, e, mass, g_prod, m_l)) * float(weight)

        peak = min(max(math.sqrt(3.0) * mass / m_l, x_lo), x_hi)
        inner = [p for p in (peak, 0.5) if x_lo < p < x_hi]
        return chi * _quad(integrand, x_lo, x_hi, inner or None) / float(dedx[0])

    total = _quad(per_energy, e_lo, e_hi)
    return exp.particles_on_target * exp.target.n_atom_per_cm3 * units.GEV2_TO_CM2 * total
