"""Neutrino trident and N_eff (issue 14 targets: CCFR exclusion over 50 masses and Delta N_eff over a 30 x 30
(m, g) grid, each in <= 60 s on 2 cores).

1. CCFR exclusion, 50 masses: muonreach draws one weighted event sample per experiment (cache off: generation
   included) and scales it in g' (sigma = sigma_SM (1 + x r1 + x^2 r2)); the naive baseline draws a fresh sample
   per mass and finds the edge with brentq on sigma/sigma_SM, timed on 2 masses and scaled to 50.
2. N_eff grid, 30 masses (1-100 MeV) x 30 couplings (1e-10 - 0.1): muonreach (phase 1 by the exponential
   integrator, phase 2 with regime switches) vs the same physics with phase 1 by scipy's Radau (the previous
   implementation), timed on 30 grid points and scaled to 900. Prints the largest |N_eff| difference.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
from scipy import optimize
from scipy.integrate import solve_ivp

from muonreach import cache
from muonreach.constraints import trident as tb
from muonreach.cosmo import neff
from muonreach.models.registry import get_model_spec
from muonreach.production.trident import sample_events, sm_couplings


def bench_ccfr(n_masses: int = 50, n_naive: int = 2) -> None:
    masses = np.geomspace(1e-3, 10.0, n_masses)
    os.environ[cache.ENV_OFF] = "1"
    cache.clear_memory()
    t0 = time.perf_counter()
    fast = np.sqrt(tb.cross_sections("ccfr", masses).x_limit())
    t_fast = time.perf_counter() - t0
    exp, st = tb.get_experiment("ccfr"), tb.settings()
    c_v, c_a = sm_couplings(st.sin2_theta_w)
    target = exp.ratio + st.z * exp.ratio_error
    t0 = time.perf_counter()
    naive = []
    for m in masses[:: n_masses // n_naive][:n_naive]:
        smp = sample_events(exp.energy, a_reference=exp.a_reference, sin2_theta_w=st.sin2_theta_w,
                            events=st.events, seed=st.seed)

        def excess(lg, m=m, smp=smp):
            s0, s1, s2, _ = smp.cross_sections(exp.components, c_v, c_a, np.array([m]))
            x = 10.0 ** (2 * lg)
            return float((s0 + x * s1[0] + x * x * s2[0]) / s0) - target

        naive.append(10.0 ** optimize.brentq(excess, -6.0, 1.0, xtol=1e-6))
    t_naive = (time.perf_counter() - t0) * n_masses / n_naive
    del os.environ[cache.ENV_OFF]
    diff = max(abs(n / f - 1.0) for n, f in zip(naive, fast[:: n_masses // n_naive][:n_naive]))
    print(f"CCFR trident exclusion, {n_masses} masses (cold, sample drawn): muonreach {t_fast:.2f} s | naive baseline "
          f"{t_naive:.1f} s (a sample per mass + brentq, scaled from {n_naive}) | speed-up {t_naive / t_fast:,.0f}x | "
          f"max relative difference {diff:.1e} (same seed: the same events)")


def _phase1_radau(m: float, gamma_tot: float) -> float:
    """The previous phase-1 solver: scipy Radau on dY/d ln T = k (Y - Y_eq) (naive baseline)."""
    if gamma_tot == 0.0:
        return 0.0
    lo, hi = math.log(neff.T_SWITCH), math.log(max(20.0 * m, 1.01 * neff.T_SWITCH))

    def rates(lnt):
        k, y = neff.phase1_rates(m, gamma_tot, np.array([lnt]))
        return float(k[0]), float(y[0])

    if rates(hi)[0] > neff.TIGHT:
        return 1.0
    y_end = rates(lo)[1]
    if y_end == 0.0:
        return 0.0

    def rhs(lnt, y):
        k, y_eq = rates(lnt)
        return [k * (y[0] - y_eq)]

    sol = solve_ivp(rhs, (hi, lo), [0.0], method="Radau", rtol=1e-6, atol=1e-12 * y_end,
                    jac=lambda lnt, y: [[rates(lnt)[0]]])
    return float(sol.y[0, -1] / y_end)


def bench_neff_grid(n: int = 30, n_naive: int = 30) -> None:
    spec = get_model_spec("lmu-ltau")
    points = [(m, g) for m in np.geomspace(1e-3, 0.1, n) for g in np.geomspace(1e-10, 0.1, n)]
    neff.n_eff_sm()  # tables and the SM run, shared by both
    t0 = time.perf_counter()
    fast = [neff.n_eff(spec.build(m, g)).n_eff for m, g in points]
    t_fast = time.perf_counter() - t0
    sub = list(range(0, len(points), len(points) // n_naive))[:n_naive]
    original = neff._phase1
    neff._phase1 = _phase1_radau  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        naive = [neff.n_eff(spec.build(*points[i])).n_eff for i in sub]
        t_naive = (time.perf_counter() - t0) * len(points) / len(sub)
    finally:
        neff._phase1 = original  # type: ignore[assignment]
    diff = max(abs(a - fast[i]) for a, i in zip(naive, sub))
    print(f"Delta N_eff grid {n} x {n}: muonreach {t_fast:.2f} s | naive baseline {t_naive:.1f} s (Radau phase 1, "
          f"scaled from {len(sub)} points) | speed-up {t_naive / t_fast:,.1f}x | max |N_eff difference| {diff:.1e}")


if __name__ == "__main__":
    bench_ccfr()
    bench_neff_grid()
