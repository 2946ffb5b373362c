"""N_eff (Planck 2018) as a computed bound on a light vector coupled to neutrinos: :func:`muonreach.cosmo.neff.n_eff`
against the 95 % upper edge of Planck's N_eff (inputs/neff.toml). N_eff grows with the coupling at fixed mass (more
Z' equilibrium, and through the loop-induced e+e- channel a later neutrino decoupling), so the excluded region is
above one edge, found by bisection in log g; each mass is cached on disk.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

import numpy as np
from numpy.typing import NDArray

from ..models.registry import ModelSpec
from .computed import BoundRows, ComputedBound, input_fields, register_bound


@cache
def _inputs() -> dict[str, float]:
    top = input_fields("neff.toml")
    p = top.table("planck")
    out = {k: p.positive(k) for k in ("n_eff_max", "cl", "g_min", "g_max", "tolerance_dex")}
    p.done()
    top.done()
    return out


def _applies(spec: ModelSpec) -> bool:
    return spec.build(0.01, 1e-3).neutrino_coupling("mu") != 0.0 or spec.build(0.01, 1e-3).neutrino_coupling("e") != 0.0


def coupling_edge(spec: ModelSpec, mass: float, overrides: Mapping[str, object], n_eff_max: float) -> float:
    """Smallest coupling with N_eff > n_eff_max at ``mass`` (NaN: none up to g_max), by bisection in log g."""
    from ..cache import cached_arrays
    from ..cosmo.neff import n_eff

    d = _inputs()

    def compute():
        f = lambda g: n_eff(spec.build(mass, g, overrides)).n_eff - n_eff_max
        lo, hi = math.log10(d["g_min"]), math.log10(d["g_max"])
        if f(10.0**hi) <= 0.0:
            return {"edge": np.array(math.nan)}
        if f(10.0**lo) > 0.0:
            return {"edge": np.array(10.0**lo)}
        while hi - lo > d["tolerance_dex"]:
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if f(10.0**mid) > 0.0 else (mid, hi)
        return {"edge": np.array(10.0 ** (0.5 * (lo + hi)))}

    key = {"model": spec.name, "mass": mass, "overrides": {k: str(v) for k, v in sorted(overrides.items())},
           "n_eff_max": n_eff_max, **d}
    return float(cached_arrays("neff-edge", key, compute)["edge"])


def _compute(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
    from ..cosmo.neff import MASS_MAX, MASS_MIN
    from ..errors import DataRangeError

    bad = [m for m in masses if not MASS_MIN <= m <= MASS_MAX]
    if bad:
        raise DataRangeError(f"N_eff: the mass {bad[0]:g} GeV is outside the computed range [{MASS_MIN:g}, {MASS_MAX:g}] GeV")
    n_max = _inputs()["n_eff_max"]
    low = np.array([coupling_edge(spec, float(m), overrides, n_max) for m in masses])
    return BoundRows(masses, low, np.full(masses.size, math.nan))


register_bound(ComputedBound(
    "neff-planck", "N_eff from Z' decays and inverse decays (neutrino and photon temperatures) against Planck 2018",
    "arXiv:1901.02010 (method); Planck 2018 VI arXiv:1807.06209 eq. (67b)", _inputs()["cl"], _applies, _compute,
    approximate="no finite-temperature QED corrections (-0.005 in N_eff_SM: 3.039 instead of 3.044); one common "
                "neutrino temperature; Z' in kinetic equilibrium with the neutrinos; no primordial Z' above 20 m_Z'"))
