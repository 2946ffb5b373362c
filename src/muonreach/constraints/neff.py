"""N_eff as computed bounds on a light vector coupled to neutrinos: :func:`muonreach.cosmo.neff.n_eff` against the 95 %
upper edge of Planck's N_eff (``neff-planck``) and against the BBN (D/H with the CMB baryon density) bound on Delta N_nu
(``neff-bbn``, Delta N_eff relative to this treatment's own Standard Model value), inputs/neff.toml.

N_eff is NOT monotonic in the coupling at fixed mass (freeze-in and late decays at g' ~ 1e-9, a shared nu - gamma
plasma when the Z' decays at g' ~ 1e-7, contact through e+e- annihilation at larger g'; docs/trident-neff.md): the
coupling is scanned on a log grid and the layer is the excluded interval that reaches g_max, its lower edge refined by
bisection in log g (conservative: excluded islands at smaller couplings are reported in the layer notes, not drawn).
Each mass is cached on disk, and so is the scan of N_eff on the grid, which both layers share.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache

import numpy as np
from numpy.typing import NDArray

from ..models.registry import ModelSpec
from .computed import BoundRows, ComputedBound, input_fields, register_bound


@cache
def _inputs() -> dict[str, float]:
    top = input_fields("neff.toml")
    p, b = top.table("planck"), top.table("bbn")
    out = {k: p.positive(k) for k in ("n_eff_max", "cl", "g_min", "g_max", "tolerance_dex", "grid_per_decade")}
    out.update({"bbn_delta_max": b.positive("delta_n_eff_max"), "bbn_cl": b.number("cl", low=0.0, high=1.0)})
    for f in (p, b, top):
        f.done()
    return out


def _scan_settings() -> dict[str, float]:
    """The coupling scan shared by both layers (the [planck] table; the cache key of every edge)."""
    d = _inputs()
    return {k: d[k] for k in ("g_min", "g_max", "tolerance_dex", "grid_per_decade")}


def _applies(spec: ModelSpec) -> bool:
    return spec.build(0.01, 1e-3).neutrino_coupling("mu") != 0.0 or spec.build(0.01, 1e-3).neutrino_coupling("e") != 0.0


def _scan_grid() -> NDArray[np.float64]:
    """log10 g of the coupling scan ([planck] g_min, g_max, grid_per_decade)."""
    d = _scan_settings()
    lo, hi = math.log10(d["g_min"]), math.log10(d["g_max"])
    return np.linspace(lo, hi, round((hi - lo) * d["grid_per_decade"]) + 1)


def _n_eff_at(spec: ModelSpec, mass: float, overrides: Mapping[str, object], lg: float) -> float:
    from ..cosmo.neff import n_eff

    return n_eff(spec.build(mass, 10.0**lg, overrides)).n_eff


def _overrides_key(overrides: Mapping[str, object]) -> dict[str, str]:
    return {k: str(v) for k, v in sorted(overrides.items())}


def grid_n_eff(spec: ModelSpec, mass: float, overrides: Mapping[str, object]) -> NDArray[np.float64]:
    """N_eff on the coupling scan :func:`_scan_grid` at one mass, cached on disk: both layers (``neff-planck``,
    ``neff-bbn``) scan the same couplings and differ only in the threshold and the bisection after the scan."""
    from ..cache import cached_arrays

    def compute():
        return {"n_eff": np.array([_n_eff_at(spec, mass, overrides, lg) for lg in _scan_grid()])}

    key = {"model": spec.name, "mass": mass, "overrides": _overrides_key(overrides), "scan": 1, **_scan_settings()}
    return cached_arrays("neff-grid", key, compute)["n_eff"]


def coupling_edge(spec: ModelSpec, mass: float, overrides: Mapping[str, object], n_eff_max: float) -> tuple[float, float]:
    """(edge, island): the smallest g with N_eff > n_eff_max for all g in [edge, g_max] (NaN: not excluded at g_max)
    and the largest excluded grid coupling below the edge's allowed gap (NaN: none), module docstring."""
    from ..cache import cached_arrays

    d = _scan_settings()

    def compute():
        f = lambda lg: _n_eff_at(spec, mass, overrides, lg) - n_eff_max
        grid = _scan_grid()
        vals = grid_n_eff(spec, mass, overrides) - n_eff_max
        if vals[-1] <= 0.0:
            return {"edge": np.array(math.nan), "island": np.array(math.nan)}
        allowed = np.flatnonzero(vals <= 0.0)
        if allowed.size == 0:
            return {"edge": np.array(10.0 ** grid[0]), "island": np.array(math.nan)}
        a, b = grid[allowed[-1]], grid[allowed[-1] + 1]
        while b - a > d["tolerance_dex"]:
            mid = 0.5 * (a + b)
            a, b = (a, mid) if f(mid) > 0.0 else (mid, b)
        below = np.flatnonzero(vals[: allowed[-1]] > 0.0)
        island = 10.0 ** grid[below[-1]] if below.size else math.nan
        return {"edge": np.array(10.0 ** (0.5 * (a + b))), "island": np.array(island)}

    key = {"model": spec.name, "mass": mass, "overrides": _overrides_key(overrides), "n_eff_max": n_eff_max, "scan": 2, **d}
    out = cached_arrays("neff-edge", key, compute)
    return float(out["edge"]), float(out["island"])


def _planck_max() -> float:
    return _inputs()["n_eff_max"]


def _bbn_max() -> float:
    from ..cosmo.neff import n_eff_sm

    return n_eff_sm() + _inputs()["bbn_delta_max"]


def _bound(n_eff_max: Callable[[], float]):
    def compute(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object]) -> BoundRows:
        return _compute(spec, masses, overrides, n_eff_max())

    return compute


def _compute(spec: ModelSpec, masses: NDArray[np.float64], overrides: Mapping[str, object], n_max: float) -> BoundRows:
    from ..cosmo.neff import MASS_MAX, MASS_MIN
    from ..errors import DataRangeError

    bad = [m for m in masses if not MASS_MIN <= m <= MASS_MAX]
    if bad:
        raise DataRangeError(f"N_eff: the mass {bad[0]:g} GeV is outside the computed range [{MASS_MIN:g}, {MASS_MAX:g}] GeV")
    edges = [coupling_edge(spec, float(m), overrides, n_max) for m in masses]
    notes = tuple(f"m = {m:g} GeV: also excluded at smaller couplings (e.g. g = {isl:.2g}; freeze-in or partial "
                  "nu-gamma contact), not drawn" for m, (_, isl) in zip(masses, edges) if math.isfinite(isl))
    return BoundRows(masses, np.array([e for e, _ in edges]), np.full(masses.size, math.nan), notes)


_APPROXIMATE = ("no finite-temperature QED corrections (-0.005 in N_eff_SM: 3.039 instead of 3.044); one common "
                "neutrino temperature; Z' in kinetic equilibrium with the neutrinos; no primordial Z' above 20 m_Z'")

register_bound(ComputedBound(
    "neff-planck", "N_eff from Z' decays and inverse decays (neutrino and photon temperatures) against Planck 2018",
    "arXiv:1901.02010 (method); Planck 2018 VI arXiv:1807.06209 eq. (67b)", _inputs()["cl"], _applies, _bound(_planck_max),
    approximate=_APPROXIMATE))
register_bound(ComputedBound(
    "neff-bbn", "Delta N_eff from Z' decays and inverse decays against BBN (D/H with the CMB baryon density: N_nu < 3.2)",
    "arXiv:1901.02010 (method); Cyburt, Fields, Olive, Yeh arXiv:1505.01076 (BBN bound)", _inputs()["bbn_cl"], _applies,
    _bound(_bbn_max),
    approximate=_APPROXIMATE + "; the late-time Delta N_eff (after e+e- annihilation) stands for the BBN-era Delta N_nu, "
                "which holds when the Z' has decayed before n/p freeze-out (m_Z' >~ 5 MeV; the edge lies at 12-17 MeV), "
                "not for lighter Z' whose own energy density and nu_e heating act during BBN (arXiv:1812.05605)"))
