"""Computed bounds over 100 masses each (issue 15 target: <= 10 s per layer), next to a naive baseline.

The baseline for the Z-decay bounds integrates the three-body width with scipy's adaptive dblquad per mass (two masses,
scaled), with the largest relative difference of the widths.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import integrate

from muonreach import constants as c
from muonreach.constraints.computed import get_bound
from muonreach.models.registry import get_model_spec
from muonreach.production import z_radiation as z

BENCH = {"g_chi": 1.0, "m_chi_ratio": 1.0 / 3.0}


def _z_ratio_dblquad(m_s: float, v: float, a: float) -> float:
    m_z, m_f = c.M_Z, c.M_TAU
    mf2 = m_f**2

    def bounds(s1):
        root = math.sqrt(s1)
        e_s, e_b = (s1 - mf2 + m_s**2) / (2 * root), (m_z**2 - s1 - mf2) / (2 * root)
        ps, pb = math.sqrt(max(e_s**2 - m_s**2, 0)), math.sqrt(max(e_b**2 - mf2, 0))
        return (e_s + e_b) ** 2 - (ps + pb) ** 2, (e_s + e_b) ** 2 - (ps - pb) ** 2

    def f(s2, s1):
        return float(z.squared_amplitude(m_z, m_f, m_s, v, a, np.array([s1]), np.array([s2]))[0])

    val, _ = integrate.dblquad(f, (m_f + m_s) ** 2, (m_z - m_f) ** 2, lambda s1: bounds(s1)[0],
                               lambda s1: bounds(s1)[1], epsrel=1e-4)
    return val / (256 * math.pi**3 * m_z**3) / z.two_body_factor(m_z, m_f, v, a)


def bench_bounds(n_masses: int = 100) -> None:
    masses = np.geomspace(0.01, 80.0, n_masses)
    lepton = get_model_spec("scalar-lepton")
    for name in ("monophoton-babar", "monophoton-belle2", "z-tautau-invisible", "z-4mu"):
        t0 = time.perf_counter()
        get_bound(name).evaluate(lepton, masses, BENCH)
        print(f"bound {name}, scalar-lepton, {n_masses} masses: {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    get_bound("babar-4mu").evaluate(get_model_spec("scalar-muon"), np.geomspace(0.22, 7.6, n_masses))
    print(f"bound babar-4mu, scalar-muon (no DM), {n_masses} masses: {time.perf_counter() - t0:.2f} s "
          "(the same three-body engine as the Z widths below, scalar and vector emission)")
    # naive Z -> tau tau S width by adaptive quadrature, 2 masses, scaled
    a = -0.5
    v = a + 2 * 0.23153
    picks = (1.0, 20.0)
    t0 = time.perf_counter()
    naive = [_z_ratio_dblquad(m, v, a) for m in picks]
    t_naive = (time.perf_counter() - t0) * n_masses / len(picks)
    t0 = time.perf_counter()
    fast = [z.radiation_ratio(c.M_Z, c.M_TAU, m, v, a) for m in picks]
    t_fast = (time.perf_counter() - t0) * n_masses / len(picks)
    diff = max(abs(f / n - 1) for f, n in zip(fast, naive))
    print(f"Z -> tau tau S width, {n_masses} masses: Gauss-Legendre {t_fast:.2f} s | dblquad {t_naive:.1f} s (scaled "
          f"from {len(picks)}) | max relative difference {diff:.1e}")



def bench_tau_decay(n_masses: int = 100) -> None:
    """tau-mu-invisible over 100 masses with its ratio table read from the cache; the table itself (11 quadrature
    masses, cache bypassed: what a cold figure pays once); and the ratios by quadrature against vegas (the previous
    method, kept as the cross-check) at three masses, with the largest pull (difference / vegas error)."""
    from muonreach import cache
    from muonreach.production import lepton_decay_radiation as ldr
    from muonreach.production import lepton_decay_vegas as ldv

    masses = np.geomspace(0.01, 1.1, n_masses)
    get_bound("tau-mu-invisible").evaluate(get_model_spec("scalar-lepton"), masses[:1], BENCH)  # table warm
    t0 = time.perf_counter()
    get_bound("tau-mu-invisible").evaluate(get_model_spec("scalar-lepton"), masses, BENCH)
    t_bound = time.perf_counter() - t0
    ldr.radiation_ratios.cache_clear()  # the per-mass results are also memoised in the process
    t0 = time.perf_counter()
    with cache.bypass():
        ldr._table("tau")
    t_table = time.perf_counter() - t0
    picks = (1e-3, 0.02, 0.3)
    ldr.radiation_ratios.cache_clear()
    t0 = time.perf_counter()
    fast = [ldr.radiation_ratios("tau", m) for m in picks]
    t_fast = (time.perf_counter() - t0) / len(picks)
    t0 = time.perf_counter()
    slow = [ldv.vegas_ratios("tau", m) for m in picks]
    t_slow = (time.perf_counter() - t0) / len(picks)
    pull = max(abs(getattr(f, k) - getattr(v, k)) / v.errors[i] for f, v in zip(fast, slow)
               for i, k in enumerate(("r_parent", "r_cross", "r_daughter")))
    print(f"bound tau-mu-invisible, scalar-lepton, {n_masses} masses: {t_bound:.2f} s with the table cached | table "
          f"({ldr.TABLE_POINTS} quadrature masses) {t_table:.2f} s once (vegas: {t_slow * ldr.TABLE_POINTS:.1f} s)")
    print(f"tau -> mu nu nu S ratios per mass: quadrature {t_fast * 1e3:.0f} ms | vegas {t_slow:.2f} s | "
          f"largest |quadrature - vegas| / vegas error at m_S = {picks} GeV: {pull:.2f}")


def bench_supernova(n_masses: int = 100) -> None:
    """sn1987a-muon over 100 masses (1-100 MeV); baseline: the Compton cross section evaluated at every thermal node
    instead of the 48-point table (one mass, scaled), with the relative difference of epsilon."""
    from muonreach.constraints import supernova as sn

    t0 = time.perf_counter()
    get_bound("sn1987a-muon").evaluate(get_model_spec("scalar-muon"), np.geomspace(1e-3, 0.1, n_masses), BENCH)
    t_bound = time.perf_counter() - t0
    core = sn._inputs()[0]
    t0 = time.perf_counter()
    fast = sn.compton_emission(core, 0.03)[0]
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = sn.compton_emission(core, 0.03, method="direct")[0]
    t_naive = time.perf_counter() - t0
    print(f"bound sn1987a-muon, scalar-muon, {n_masses} masses: {t_bound:.2f} s | emission rate per mass: table "
          f"{t_fast:.3f} s, direct {t_naive:.1f} s (x {n_masses} masses: {t_naive * n_masses:.0f} s) | relative "
          f"difference {abs(fast / naive - 1):.1e}")


def bench_supernova_lepton(n_masses: int = 100) -> None:
    """sn1987a-lepton over 100 masses (1-100 MeV); baseline: the chi e -> chi e rate of one mass with the CM-angle
    rule refined 4x in t and azimuth (the converged reference), with its relative difference."""
    from muonreach.constraints import supernova as sn

    t0 = time.perf_counter()
    get_bound("sn1987a-lepton").evaluate(get_model_spec("scalar-lepton"), np.geomspace(1e-3, 0.1, n_masses), BENCH)
    t_bound = time.perf_counter() - t0
    core = sn._inputs()[0]
    t0 = time.perf_counter()
    fast = sn.lepton_scattering_rate(core, "e", 0.01, 0.03, 0.08)
    t_fast = time.perf_counter() - t0
    nodes = sn._TX, sn._TW, sn._PHI
    sn._TX, sn._TW = np.polynomial.legendre.leggauss(96)
    sn._PHI = (np.arange(32) + 0.5) * np.pi / 32.0
    try:
        t0 = time.perf_counter()
        fine = sn.lepton_scattering_rate(core, "e", 0.01, 0.03, 0.08)
        t_fine = time.perf_counter() - t0
    finally:
        sn._TX, sn._TW, sn._PHI = nodes
    print(f"bound sn1987a-lepton, scalar-lepton, {n_masses} masses: {t_bound:.2f} s | chi e rate per mass: "
          f"{t_fast:.3f} s, 16x finer angles {t_fine:.2f} s | relative difference {abs(fast / fine - 1):.1e}")


def bench_scan(n_masses: int = 100) -> None:
    """The coupling scan of every rate bound (000-fig5's models, 100 masses): grid points skipped by the slope bound
    (computed.RATE_SLOPE) and Brent refinement, next to the scan of every grid point (max_slope=None), alternated
    in the same run (best of 2 each, CPU seconds; Z ratios and emission rates memoised, the SN trapping rates
    recomputed), with the largest relative edge difference."""
    import importlib

    from muonreach.constraints import computed

    def every_point(excess, **options):
        options.pop("max_slope", None)
        return computed.excluded_interval(excess, **options)

    cases = [("sn1987a-muon", "scalar-muon", 1e-3, 0.1), ("sn1987a-lepton", "scalar-lepton", 1e-3, 0.1),
             ("monophoton-babar", "scalar-lepton", 0.01, 100.0), ("z-4mu", "scalar-muon", 0.01, 100.0),
             ("z-tautau-invisible", "scalar-lepton", 0.01, 100.0), ("tau-mu-invisible", "scalar-lepton", 0.01, 1.1)]
    modules = [importlib.import_module(m) for m in computed.BOUND_MODULES]
    for name, model, lo, hi in cases:
        bound, spec, masses = get_bound(name), get_model_spec(model), np.geomspace(lo, hi, n_masses)
        bound.evaluate(spec, masses, BENCH)  # per-mass set-up (widths, emission rates) memoised: the scan alone
        best, rows = {}, {}
        for _ in range(2):
            for label, scan in (("slope", computed.excluded_interval), ("every", every_point)):
                for module in modules:
                    if hasattr(module, "excluded_interval"):
                        module.excluded_interval = scan
                t0 = time.process_time()
                rows[label] = bound.evaluate(spec, masses, BENCH)
                best[label] = min(best.get(label, math.inf), time.process_time() - t0)
        for module in modules:
            if hasattr(module, "excluded_interval"):
                module.excluded_interval = computed.excluded_interval
        diff = max((float(np.nanmax(np.abs(getattr(rows["slope"], k) / getattr(rows["every"], k) - 1)))
                    for k in ("low", "high") if not np.all(np.isnan(getattr(rows["every"], k)))), default=0.0)
        print(f"scan {name}, {model}, {n_masses} masses: slope-bounded {best['slope']:.2f} s cpu | every grid point "
              f"{best['every']:.2f} s cpu | max relative edge difference {diff:.1e}")


if __name__ == "__main__":
    bench_scan()
    bench_bounds()
    bench_tau_decay()
    bench_supernova()
    bench_supernova_lepton()
