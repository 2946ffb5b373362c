"""K+ -> mu+ nu X (issue 13): the Dalitz engine and the binned NA62 reach, each next to a naive baseline.

1. BR(K -> mu nu V)/g^2 of the L_mu - L_tau Z' (eq. (A.7)) at 100 masses from 1 to 380 MeV with the log-mapped
   Gauss-Legendre engine (48 x 32 nodes), vs scipy's adaptive dblquad on the same |M|^2 (a few masses, scaled), with
   the largest relative difference. The baseline integrates in ln s: dblquad in s itself silently returns 0.551
   instead of 0.607 at m_X = 1 MeV (the 1/s^2 peak at s ~ m_X^2), a 9 % error without a warning; in ln s it is still
   8.6e-4 high there (0.60750), while the engine moves by 1.4e-6 with 4x the nodes in each variable (0.606974 ->
   0.606973): the difference printed is the baseline's error.
2. The na62-future reach (binned Asimov likelihood, 26 bins) over 50 masses, vs a naive baseline that evaluates
   Lambda(g) from per-bin branching ratios integrated by dblquad at every trial coupling of a root finder (the signal
   is invisible below 2 m_mu, so S_i = N A g^2 BR_i), at two masses, scaled; largest relative difference of the edges.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import integrate, optimize

from muonreach.experiments.spec import load_experiment
from muonreach.models.registry import get_model_spec
from muonreach.production import meson
from muonreach.reach.binned import asimov_lambda, search_bins
from muonreach.reach.contour import reach


def _report(label: str, fast: float, naive: float, diff: float, note: str = "") -> None:
    print(f"{label}: muonreach {fast:.3f} s | naive baseline {naive:.1f} s{note} | speed-up {naive / fast:,.0f}x "
          f"| max relative difference {diff:.1e}")


def _br_dblquad(m_x: float, s_range: tuple[float, float] | None = None) -> float:
    """BR(K -> mu nu V)/g^2 of (A.7) by adaptive 2-d quadrature (the naive baseline)."""
    m_k, m_mu = meson.M_K, meson.M_MU
    lo, hi = (m_x**2, (m_k - m_mu) ** 2) if s_range is None else (max(s_range[0], m_x**2), min(s_range[1], (m_k - m_mu) ** 2))
    lam2 = meson.lambda_lepton("mu") ** 2

    def t_lo(s: float) -> float:
        return float(meson.t_limits(m_k, 0.0, m_x, m_mu, np.array([s]))[0][0])

    def t_hi(s: float) -> float:
        return float(meson.t_limits(m_k, 0.0, m_x, m_mu, np.array([s]))[1][0])

    def f(t: float, u: float) -> float:  # outer variable u = ln s: the 1/s and 1/s^2 poles sit at s = 0, near m_X^2
        s = math.exp(u)
        return s * lam2 * float(meson.vector_conserved_msq(np.array([s]), np.array([t]), m_x)[0])

    val, _ = integrate.dblquad(f, math.log(lo), math.log(hi), lambda u: t_lo(math.exp(u)), lambda u: t_hi(math.exp(u)),
                               epsrel=1e-6)
    width = val / (256.0 * math.pi**3 * m_k**3)
    return width / meson.two_body_width("mu") * meson.get_meson("K+").br_lnu["mu"]


def bench_branching_ratios(n_masses: int = 100, n_naive: int = 4) -> None:
    masses = np.geomspace(1e-3, 0.38, n_masses)
    t0 = time.perf_counter()
    fast = [meson.KaonDecay("vector", float(m)).branching_ratio() for m in masses]
    t_fast = time.perf_counter() - t0
    pick = np.linspace(0, n_masses - 1, n_naive).astype(int)
    t0 = time.perf_counter()
    naive = [_br_dblquad(float(masses[i])) for i in pick]
    t_naive = (time.perf_counter() - t0) * n_masses / n_naive
    diff = max(abs(n / fast[i] - 1.0) for n, i in zip(naive, pick, strict=True))
    _report(f"BR(K -> mu nu Z'), {n_masses} masses", t_fast, t_naive, diff, f" (scaled from {n_naive} masses)")


def bench_na62_reach(n_masses: int = 50, n_naive: int = 2) -> None:
    exp = load_experiment("na62-future")
    spec = get_model_spec("lmu-ltau")
    masses = np.geomspace(1e-3, 0.2, n_masses)  # V invisible below 2 m_mu: the baseline's S_i = N A g^2 BR_i holds
    reach(exp, spec, masses[:2])  # warm-up
    t0 = time.perf_counter()
    rows = reach(exp, spec, masses)
    t_fast = time.perf_counter() - t0
    bins = search_bins(exp)
    scale = exp.particles_on_target * exp.efficiency.values[0]
    pick = np.linspace(0, n_masses - 1, n_naive).astype(int)
    t0 = time.perf_counter()
    naive = []
    for i in pick:
        m = float(masses[i])

        def excess(lg: float, m: float = m) -> float:
            g2 = 10.0 ** (2 * lg)
            s = np.array([scale * g2 * _br_dblquad(m, (lo, hi)) if hi > m * m else 0.0
                          for lo, hi in zip(bins.lo, bins.hi, strict=True)])
            return asimov_lambda(s, bins.background) - 4.0

        naive.append(10.0 ** optimize.brentq(excess, -6.0, -1.0, xtol=1e-8))
    t_naive = (time.perf_counter() - t0) * n_masses / n_naive
    diff = max(abs(n / rows[i].coupling_low - 1.0) for n, i in zip(naive, pick, strict=True))
    _report(f"na62-future reach (Asimov, 26 bins), {n_masses} masses", t_fast, t_naive, diff,
            f" (scaled from {n_naive} masses)")


if __name__ == "__main__":
    bench_branching_ratios()
    bench_na62_reach()
