"""(g-2) measurement side (issue 17 targets: a Run-1-size toy fit in <= 5 s, 200 toys in <= 5 min on 2 cores).

1. The extended (22-parameter) omega_a fit of one Run-1d toy (1.9e9 positrons, 4154 bins of 149.2 ns): iminuit
   (MIGRAD with the analytic gradient + HESSE, :func:`muonreach.gm2.measurement.wiggle.fit_spectrum`) vs two
   baselines on the same Poisson deviance (:func:`~muonreach.gm2.measurement.wiggle.fit_cost`) from the same start:
   the same iminuit fit with numerical gradients (``gradient=False``, the previous implementation) and a naive
   scipy.optimize.minimize (BFGS with finite-difference gradients, then a finite-difference Hessian for the errors).
   Prints the times, the R differences and the machine's load average (other processes share the cores).
2. Pull studies over 200 toys each: 5-parameter fits of 5-parameter toys and extended fits of extended toys, at
   Run-1d statistics (seeded; the numbers go into docs/gm2-measurement.md). Baseline: one scipy fit (as in 1) of a
   toy of the same model, timed, times 200.
3. LO HVP, time-like: the muonreach spectral measure (Gauss-Legendre per table interval, both routes) vs
   scipy.integrate.quad on the same R(s) interval by interval (narrow resonances added in closed form to both).
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
from scipy import integrate, optimize

from muonreach.constants import ALPHA, M_MU
from muonreach.gm2.hvp.dispersion import hvp_lo
from muonreach.gm2.hvp.kernel import kernel_k
from muonreach.gm2.hvp.spectral import NARROW_BOTTOMONIUM, NARROW_CHARMONIUM, load_inputs, r_pqcd, spectral_measure
from muonreach.gm2.measurement.wiggle import WiggleModel, fit_cost, fit_spectrum, generate_toy, pull_study, run1d_truth
from muonreach.models import rratio


def _hessian(f, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central finite-difference Hessian of f at x (4 calls per element, step h in every coordinate)."""
    k = x.size
    hess = np.empty((k, k))
    eye = np.eye(k) * h
    for i in range(k):
        for j in range(i, k):
            hess[i, j] = hess[j, i] = (f(x + eye[i] + eye[j]) - f(x + eye[i] - eye[j]) - f(x - eye[i] + eye[j])
                                       + f(x - eye[i] - eye[j])) / (4.0 * h * h)
    return hess


def _scipy_fit(t: np.ndarray, n: np.ndarray, model: WiggleModel, start: dict[str, float]) -> tuple[float, float]:
    """(R, sigma_R): BFGS on the Poisson deviance, then a finite-difference Hessian for the error (BFGS's own
    inverse-Hessian estimate is not an error matrix); parameters scaled by their start values (N0 ~ 7e6, A ~ 1e-4)."""
    cost = fit_cost(t, n, model)
    x0 = np.array([start[k] for k in model.parameters])
    scale = np.where(np.abs(x0) > 0, np.abs(x0), 1.0)

    def f(y: np.ndarray) -> float:
        return cost(*(y * scale))

    with np.errstate(all="ignore"):  # BFGS has no bounds: its line searches try negative lifetimes (cost 1e30)
        res = optimize.minimize(f, np.ones_like(x0), method="BFGS", options={"gtol": 1e-4})
    i = model.parameters.index("R")
    cov = 2.0 * np.linalg.inv(_hessian(f, res.x))  # deviance = 2 NLL: cov = (H/2)^-1
    return float(res.x[i] * scale[i]), float(math.sqrt(cov[i, i]) * scale[i])


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def bench_wiggle_fit() -> None:
    model, truth = WiggleModel("full"), run1d_truth()
    t, n = generate_toy(model, truth, np.random.default_rng(11))
    fit_spectrum(t[:500], n[:500], WiggleModel("5par"), truth)  # warm-up (import of iminuit)
    t0 = time.perf_counter()
    res = fit_spectrum(t, n, model, truth)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    num = fit_spectrum(t, n, model, truth, gradient=False)
    t_num = time.perf_counter() - t0
    t0 = time.perf_counter()
    r_naive, err_naive = _scipy_fit(t, n, model, truth)
    t_naive = time.perf_counter() - t0
    sig = res.errors["R"]
    print(f"extended omega_a fit, {n.sum():.3g} positrons, {t.size} bins: iminuit + analytic gradient {t_fast:.2f} s "
          f"({res.calls} calls) | iminuit, numerical gradient {t_num:.2f} s ({num.calls} calls, {t_num / t_fast:.1f}x) | "
          f"naive scipy BFGS {t_naive:.1f} s ({t_naive / t_fast:.1f}x) | R {res.values['R']:+.4f}({sig:.4f}) vs "
          f"{num.values['R']:+.4f}({num.errors['R']:.4f}) vs {r_naive:+.4f}({err_naive:.4f}) ppm, differences "
          f"{abs(num.values['R'] - res.values['R']) / sig:.1g} and {abs(r_naive - res.values['R']) / sig:.1g} sigma "
          f"(target <= 5 s; {_load()})")


def bench_pull_studies(n_toys: int = 200, seed: int = 2026, workers: int = 2) -> None:
    truth = run1d_truth()
    for i, kind in enumerate(("5par", "full")):
        seed_i = seed + i  # independent toys for the two studies
        model = WiggleModel(kind)
        t, n = generate_toy(model, truth, np.random.default_rng(seed_i))
        t0 = time.perf_counter()
        _scipy_fit(t, n, model, truth)
        t_naive_fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = pull_study(model, truth, n_toys, seed_i, workers=workers)
        dt = time.perf_counter() - t0
        print(f"pull study, {n_toys} {kind} toys (Run-1d statistics, seed {seed_i}) fitted with {kind}: {dt:.1f} s "
              f"on {workers} processes (target 300 s on 2 cores) | naive scipy fits ~{t_naive_fit * n_toys:.0f} s "
              f"(one timed, x {n_toys}) | pull mean "
              f"{out['omega_a_pull_mean']:+.3f}({out['omega_a_pull_mean_error']:.3f}), std {out['omega_a_pull_std']:.3f}"
              f"({out['omega_a_pull_std_error']:.3f}), |pull| < 1 in {out['omega_a_coverage_1sigma']:.3f} (expected "
              f"{out['coverage_expected']:.4f} +- {out['coverage_error']:.3f}), R bias {out['R_bias_ppm']:+.3f}"
              f"({out['R_bias_ppm_error']:.3f}) ppm ({_load()})")


def _hvp_by_quad(threshold: float) -> float:
    """Time-like a_mu of the data table by quad per interval, + pQCD by quad in 1/s, + the same zero-width peaks."""
    x, _ = rratio.table()
    knots = np.unique(np.concatenate([x[x < threshold], [threshold]]))
    pref = ALPHA**2 / (3.0 * math.pi**2)

    def data(e: float) -> float:  # ds = 2 E dE
        s = e * e
        return 2.0 * e * float(rratio.r_values(np.asarray(e))) * float(kernel_k(s, M_MU)) / s

    total = sum(integrate.quad(data, a, b, epsabs=0.0, epsrel=1e-10)[0] for a, b in zip(knots[:-1], knots[1:]))

    def pqcd(u: float) -> float:  # s = 1/u, ds / s = du / u
        s = 1.0 / u
        return float(r_pqcd(math.sqrt(s), load_inputs())) * float(kernel_k(s, M_MU)) / u

    total += integrate.quad(pqcd, 1e-12, 1.0 / threshold**2, epsabs=0.0, epsrel=1e-10, limit=200)[0]
    return pref * total


def bench_hvp() -> None:
    hvp_lo()  # warm-up (data files, caches)
    t0 = time.perf_counter()
    fast = hvp_lo()
    t_fast = time.perf_counter() - t0
    peaks = fast.regions[NARROW_CHARMONIUM] + fast.regions[NARROW_BOTTOMONIUM]
    measure = spectral_measure()
    t0 = time.perf_counter()
    naive = _hvp_by_quad(measure.pqcd_threshold) + peaks
    t_naive = time.perf_counter() - t0
    print(f"LO HVP time-like + space-like: muonreach {t_fast:.3f} s | naive quad (time-like only) {t_naive:.1f} s | "
          f"speed-up {t_naive / t_fast:,.0f}x | a_mu {fast.timelike * 1e10:.4f} vs {naive * 1e10:.4f} e-10, relative "
          f"difference {abs(naive / fast.timelike - 1):.1e}")


def bench_gm2meas() -> None:
    bench_hvp()
    bench_wiggle_fit()
    bench_pull_studies()


if __name__ == "__main__":
    bench_gm2meas()
