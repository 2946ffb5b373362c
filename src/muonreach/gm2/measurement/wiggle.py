"""Toy positron time spectra of a (g-2) storage ring and the omega_a fit (5-parameter and beam-dynamics models).

Source: FNAL Run-1 omega_a analysis, T. Albahri et al., Phys. Rev. D 103 (2021) 072002, arXiv:2104.03247 (excerpt in
``004_7de0b22078876a0d.txt`` lines 9-112; notes S02, V9). The model forms, their sources and the Run-1d truth are in
:mod:`.wiggle_model`. Toy counts are Poisson draws of the model at bin centres (pile-up free, no gain changes); fits
use the same centres, so they are unbiased by construction and the pull study tests the fitter and its error
estimate, not the binning. Fits minimise the binned Poisson deviance (or Neyman's chi^2) with iminuit, given the
analytic gradient from the model's Jacobian (HESSE: Minuit's own second derivatives).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import ConvergenceError, InvalidParameter
from .wiggle_model import (
    CYCLOTRON_PERIOD_US,
    FIVE_PARAMETERS,
    FULL_PARAMETERS,
    OMEGA_REF,
    ToySettings,
    WiggleModel,
    run1d_truth,
    vertical_frequencies,
)

__all__ = [
    "CYCLOTRON_PERIOD_US", "FFT_BAND_MHZ", "FIVE_PARAMETERS", "FULL_PARAMETERS", "FitCost", "FitResult", "ToySettings",
    "WiggleModel", "fft_peak", "fit_cost", "fit_spectrum", "generate_toy", "pull_study", "residual_fft", "run1d_truth",
    "start_time_scan", "vertical_frequencies", "with_n0",
]

COVERAGE_1SIGMA = math.erf(1.0 / math.sqrt(2.0))  # 0.6827: P(|z| < 1) for a standard normal


def generate_toy(model: WiggleModel, truth: dict[str, float], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(bin-centre times, Poisson counts) of one toy spectrum."""
    t = model.settings.times()
    mu = model(t, truth)
    if not np.all(np.isfinite(mu)) or np.any(mu < 0):
        raise InvalidParameter("the toy truth gives a negative or non-finite expected count")
    return t, rng.poisson(mu).astype(float)


@dataclass(frozen=True)
class FitResult:
    values: dict[str, float]
    errors: dict[str, float]
    chi2: float
    ndof: int
    valid: bool
    method: str
    calls: int = 0  # cost-function plus gradient calls of the fit (MIGRAD + HESSE)

    @property
    def omega_a(self) -> float:
        """rad/us."""
        return OMEGA_REF * (1.0 + self.values["R"] * 1e-6)

    @property
    def omega_a_error(self) -> float:
        return OMEGA_REF * self.errors["R"] * 1e-6


class FitCost:
    """The function of the model's parameters (positional, in ``model.parameters`` order) that the fit minimises:
    ``poisson``, the binned Poisson deviance 2 sum [mu - n - n ln(mu/n)] (a chi^2-like quantity, errordef 1), or
    ``chi2``, Neyman's sum (n - mu)^2 / max(n, 1); with its analytic gradient from the model's Jacobian."""

    def __init__(self, t: np.ndarray, counts: np.ndarray, model: WiggleModel, method: str = "poisson") -> None:
        if method not in ("poisson", "chi2"):
            raise InvalidParameter(f"fit method must be 'poisson' or 'chi2', got {method!r}")
        self.t, self.model, self.method = t, model, method
        self.n = np.asarray(counts, dtype=float)
        self._pos = self.n > 0
        self._n_pos = np.where(self._pos, self.n, 1.0)
        self._var = np.maximum(self.n, 1.0)
        self._fixed = model.fixed_terms(t) if model.kind == "full" else None

    def _eval(self, args, jacobian: bool):
        return self.model.evaluate(self.t, dict(zip(self.model.parameters, args)), jacobian, self._fixed)

    def __call__(self, *args: float) -> float:
        mu = self._eval(args, False)[0]
        if self.method == "chi2":
            return float(np.sum((self.n - mu) ** 2 / self._var))
        if not np.all(np.isfinite(mu)) or np.any(mu <= 0):  # e.g. an unbounded minimiser trying tau < 0
            return 1e30
        # 2 sum [mu - n - n ln(mu/n)] = 2 sum n [x - ln(1 + x)], x = (mu - n)/n: no cancellation of the large
        # terms n ln mu (a naive sum has a rounding noise ~1e-4 at these counts, at MIGRAD's EDM goal); empty bins: 2 mu
        # (where mu << n, as a line search may try, 1 + x rounds to 0: ln(mu/n) directly)
        x = (mu - self.n) / self._n_pos
        with np.errstate(divide="ignore"):
            log_ratio = np.where(x > -0.5, np.log1p(x), np.log(mu / self._n_pos))
        return 2.0 * float(np.sum(np.where(self._pos, self.n * (x - log_ratio), mu)))

    def grad(self, *args: float) -> np.ndarray:
        """d cost / d p: 2 sum (1 - n/mu) J (Poisson) or -2 sum (n - mu)/var J (chi2)."""
        mu, jac = self._eval(args, True)
        w = (1.0 - self.n / mu) if self.method == "poisson" else (mu - self.n) / self._var
        return 2.0 * (jac @ w)


def fit_cost(t: np.ndarray, counts: np.ndarray, model: WiggleModel, method: str = "poisson") -> FitCost:
    """The cost the fit minimises (:class:`FitCost`), callable with the parameters in ``model.parameters`` order."""
    return FitCost(t, counts, model, method)


def fit_spectrum(t: np.ndarray, counts: np.ndarray, model: WiggleModel, start: dict[str, float],
                 method: str = "poisson", gradient: bool = True) -> FitResult:
    """Fit ``model`` with iminuit (MIGRAD, then HESSE). ``method``: ``poisson`` (binned Poisson deviance, 2 x NLL
    ratio) or ``chi2`` (Neyman, sigma^2 = max(n, 1)). ``gradient``: give MIGRAD the analytic gradient (default; ~4x
    fewer cost calls) or let it differentiate numerically. HESSE is Minuit's own finite-difference Hessian of the cost
    either way. The returned chi2 is Pearson's sum (n - mu)^2 / mu at the minimum."""
    names = model.parameters
    missing = [n for n in names if n not in start]
    if missing:
        raise InvalidParameter(f"start values missing for {', '.join(missing)}")
    n = np.asarray(counts, dtype=float)
    cost = fit_cost(t, n, model, method)
    # MIGRAD, then HESSE (whose exact covariance can raise the EDM above MIGRAD's estimate), repeated from the new
    # point; weakly constrained nuisances (tiny vertical amplitudes with free phases) may need strategy 2. The last
    # attempt accepts EDM < 2e-3 (goal x 10 at tol = 1), a shift of every parameter far below 0.1 sigma.
    m = _minuit(cost, [start[k] for k in names], names, gradient)
    for attempt in range(4):
        if attempt == 2:
            m.strategy = 2
        if attempt == 3:
            m.tol = 1.0
        m.migrad(ncall=200000)
        m.hesse()
        if m.valid:
            break
    if not m.valid:
        raise ConvergenceError(f"the {model.kind} wiggle fit did not converge (fmin: edm={m.fmin.edm:.3g})")
    values = {k: float(m.values[k]) for k in names}
    mu = model(t, values)
    chi2 = float(np.sum((n - mu) ** 2 / mu))
    return FitResult(values, {k: float(m.errors[k]) for k in names}, chi2, t.size - len(names), bool(m.valid), method,
                     int(m.nfcn + m.ngrad))


def _minuit(cost: FitCost, start: list[float], names: tuple[str, ...], gradient: bool):
    """A Minuit on ``cost`` (with its analytic gradient if ``gradient``), initial steps by parameter kind and the
    physical limits of lifetimes (positive) and kappa_y."""
    from iminuit import Minuit

    m = Minuit(cost, *start, name=names, grad=cost.grad if gradient else False)  # None would find cost.grad
    m.errordef = Minuit.LEAST_SQUARES
    m.strategy = 1
    for k, v in zip(names, start):
        if k.startswith("A_") or k in ("K_loss",):
            m.errors[k] = 1e-4
        elif k.startswith("phi"):
            m.errors[k] = 0.1
        elif k == "N0":
            m.errors[k] = max(abs(v) * 1e-3, 1.0)
        else:
            m.errors[k] = max(abs(v) * 1e-3, 1e-3)
    for k in ("gamma_tau", "tau_cbo", "tau_y"):
        if k in names:
            m.limits[k] = (1.0, 1e5)  # lifetimes in us: positive (a sign flip would turn a decay into growth)
    if "kappa_y" in names:
        m.limits["kappa_y"] = (0.5, 1.5)
    return m


def residual_fft(t: np.ndarray, counts: np.ndarray, model: WiggleModel, values: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(frequency in MHz, |FFT| of the normalised residuals (n - mu)/sqrt(mu)), as PRD Fig. 16 (right)."""
    mu = model(t, values)
    r = (counts - mu) / np.sqrt(mu)
    dt = float(t[1] - t[0])
    return np.fft.rfftfreq(t.size, dt), np.abs(np.fft.rfft(r - r.mean()))


# Physical band of the residual FFT (MHz). Below 0.1 MHz live the slow drifts a wrong fit leaves (lifetime
# 1/(2 pi gamma tau) = 0.0025 MHz, muon loss 1/(2 pi tau_L) = 0.005 MHz, the CBO envelope 1/(2 pi tau_CBO)): broad
# structures at the first FFT bins, not lines. The lowest beam-dynamics line is f_CBO - f_a = 0.14 MHz (PRD Fig. 16:
# f_CBO - f_a, f_a, f_CBO, f_CBO + f_a, 2 f_CBO, f_y, f_VW up to ~2.3 MHz); the upper edge None means Nyquist.
FFT_BAND_MHZ = (0.1, None)


def fft_peak(freq: np.ndarray, amp: np.ndarray, band: tuple[float, float | None] = FFT_BAND_MHZ) -> float:
    """Frequency (MHz) of the largest |FFT| line inside ``band`` = (low, high or None for Nyquist), low > 0."""
    low, high = band
    top = float(freq[-1]) if high is None else high
    if not (math.isfinite(low) and low > 0 and math.isfinite(top) and top > low):
        edge = f"{top!r} (Nyquist)" if high is None else repr(high)
        raise InvalidParameter(f"the FFT band needs 0 < low < high, got ({low!r}, {edge}) MHz")
    sel = (freq >= low) & (freq <= top)
    if not sel.any():
        raise InvalidParameter(f"no FFT bin between {low:g} and {top:g} MHz (Nyquist {freq[-1]:.4g} MHz)")
    return float(freq[sel][np.argmax(amp[sel])])


def start_time_scan(t: np.ndarray, counts: np.ndarray, model: WiggleModel, start: dict[str, float],
                    t_starts, method: str = "poisson") -> list[dict[str, float]]:
    """Refit from each start time (us) in ``t_starts`` (PRD Fig. 17): R, its error and N0 per start time."""
    rows = []
    for ts in t_starts:
        keep = t >= ts
        if keep.sum() < 50:
            raise InvalidParameter(f"start time {ts:g} us leaves fewer than 50 bins")
        res = fit_spectrum(t[keep], counts[keep], model, start, method)
        rows.append({"t_start": float(ts), "R": res.values["R"], "R_error": res.errors["R"], "N0": res.values["N0"]})
    return rows


def _toy_shift(job: tuple[WiggleModel, WiggleModel, dict[str, float], np.random.SeedSequence, str]) -> tuple[float, float]:
    """(R_fit - R_true, sigma_R) of one toy of a pull study."""
    model, fitter, truth, child, method = job
    t, n = generate_toy(model, truth, np.random.default_rng(child))
    res = fit_spectrum(t, n, fitter, {k: truth[k] for k in fitter.parameters}, method)
    return res.values["R"] - truth["R"], res.errors["R"]


def pull_study(model: WiggleModel, truth: dict[str, float], n_toys: int, seed: int, method: str = "poisson",
               fit_model: WiggleModel | None = None, workers: int = 1) -> dict[str, float | str]:
    """Generate ``n_toys`` toys with ``model`` and fit each with ``fit_model`` (default: the same model).

    Toy i is drawn from ``SeedSequence(seed).spawn(n_toys)[i]``, so a toy does not depend on how many others are run
    nor on ``workers`` (processes; the result is identical for any number). Returns the omega_a pull
    (R_fit - R_true)/sigma_R (omega_a is linear in R, so the omega_a and R pulls are the same number): its mean with the
    standard error std/sqrt(N), its std with the large-N standard error std/sqrt(2(N - 1)), the fraction of toys with
    |pull| < 1 (expected 0.6827, binomial error sqrt(0.6827 x 0.3173 / N)); and the bias of R in ppm,
    mean(R_fit - R_true) with its standard error, also as a bias of omega_a in rad/us."""
    if n_toys < 2:
        raise InvalidParameter("a pull study needs at least 2 toys")
    if workers < 1:
        raise InvalidParameter(f"workers must be >= 1, got {workers}")
    fitter = model if fit_model is None else fit_model
    jobs = [(model, fitter, truth, child, method) for child in np.random.SeedSequence(seed).spawn(n_toys)]
    if workers == 1:
        rows = [_toy_shift(j) for j in jobs]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            rows = list(pool.map(_toy_shift, jobs, chunksize=max(1, n_toys // (4 * workers))))
    d = np.array([r[0] for r in rows])
    p = d / np.array([r[1] for r in rows])
    std = float(p.std(ddof=1))
    cover = float(np.mean(np.abs(p) < 1.0))
    return {"omega_a_pull_mean": float(p.mean()), "omega_a_pull_mean_error": std / math.sqrt(n_toys),
            "omega_a_pull_std": std, "omega_a_pull_std_error": std / math.sqrt(2.0 * (n_toys - 1)),
            "omega_a_coverage_1sigma": cover, "coverage_expected": COVERAGE_1SIGMA,
            "coverage_error": math.sqrt(COVERAGE_1SIGMA * (1.0 - COVERAGE_1SIGMA) / n_toys),
            "R_bias_ppm": float(d.mean()), "R_bias_ppm_error": float(d.std(ddof=1)) / math.sqrt(n_toys),
            "omega_a_bias": OMEGA_REF * 1e-6 * float(d.mean()), "toys": n_toys,
            "toy_model": model.kind, "fit_model": fitter.kind}


def with_n0(truth: dict[str, float], n0: float) -> dict[str, float]:
    """The truth with another normalisation N0 (expected counts per bin at t = 0): statistics scale, shapes do not."""
    if not (math.isfinite(n0) and n0 > 0):
        raise InvalidParameter(f"N0 must be positive, got {n0!r}")
    return {**truth, "N0": float(n0)}
