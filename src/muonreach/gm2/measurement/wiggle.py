"""Toy positron time spectra of a (g-2) storage ring and the omega_a fit (5-parameter and beam-dynamics models).

Source: FNAL Run-1 omega_a analysis, T. Albahri et al., Phys. Rev. D 103 (2021) 072002, arXiv:2104.03247 (excerpt in
``004_7de0b22078876a0d.txt`` lines 9-112; Table II = the 22 Run-1d fit parameters; notes S02, V9). The PRD's Eqs.
25-30 and 34 are *not* in the excerpt; the forms below are the notes' [EXT] reconstruction, standard in the field:

* 5-parameter: N(t) = N0 exp(-t/gamma tau) [1 + A cos(omega_a t + phi)];
* blinding (Eq. 34-like): omega_a = omega_ref (1 + R 1e-6), omega_ref = 2 pi x 0.2291 MHz, R in ppm;
* full: N(t) = N0 eta_N(t) Lambda(t) exp(-t/gamma tau) [1 + A0 eta_A(t) cos(omega_a t + phi0 + eta_phi(t))] with
  eta_N = 1 + A_Nx11 e^{-t/tau_CBO} cos(w_CBO t + phi_Nx11) + A_Nx22 e^{-2t/tau_CBO} cos(2 w_CBO t + phi_Nx22)
          + A_Ny11 e^{-t/tau_y} cos(w_y t + phi_Ny11) + A_Ny22 e^{-2t/tau_y} cos(w_VW t + phi_Ny22),
  eta_A = 1 + A_Ax11 e^{-t/tau_CBO} cos(w_CBO t + phi_Ax11), eta_phi = A_phix11 e^{-t/tau_CBO} cos(w_CBO t + phi_phix11),
  w_CBO(t) = w_CBO (1 + A_w e^{-t/tau_A} / (w_CBO t) + B_w e^{-t/tau_B} / (w_CBO t)) (the tracker-measured drift; its
  constants are toy settings, 0 by default, not fit parameters), and the weak-focusing relations (n the field index,
  w_c the cyclotron frequency, kappa_y the fitted scale of n): n = 1 - (1 - w_CBO/w_c)^2, w_y = w_c sqrt(kappa_y n),
  w_VW = w_c - 2 w_y. With w_c = 2 pi / 149.2 ns, Table II's w_CBO = 2.33593 rad/us gives n = 0.108, the Run-1 value.
* muon loss: Lambda(t) = 1 - K_loss int_{t0}^t L(t') e^{t'/gamma tau} dt' with, for toys, a model lost-muon rate
  L(t) proportional to e^{-t/tau_L} e^{-t/gamma tau} normalised to int_{t0}^inf L e^{t/gamma tau} = 1 (the PRD uses the
  measured rate), so Lambda(t) = 1 - K_loss (1 - e^{-(t - t0)/tau_L}), tau_L = 30 us by default.

The signs inside the cosines are a convention (PRD and public code differ); phases are free parameters, so the
fitted omega_a does not depend on it. Times in us, angular frequencies in rad/us. Toy counts are Poisson draws of
the model at bin centres (pile-up free, no gain changes); fits use the same centres, so they are unbiased by
construction and the pull study tests the fitter and its error estimate, not the binning.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ...errors import ConvergenceError, InvalidParameter

__all__ = [
    "FFT_BAND_MHZ", "FIVE_PARAMETERS", "FULL_PARAMETERS", "FitResult", "ToySettings", "WiggleModel", "fft_peak",
    "fit_cost", "fit_spectrum", "generate_toy", "pull_study", "residual_fft", "run1d_truth", "start_time_scan", "with_n0",
]

OMEGA_REF = 2.0 * math.pi * 0.2291  # rad/us (blinding reference, notes S02)
COVERAGE_1SIGMA = math.erf(1.0 / math.sqrt(2.0))  # 0.6827: P(|z| < 1) for a standard normal
CYCLOTRON_PERIOD_US = 0.1492  # 149.2 ns: FNAL ring cyclotron period (PRD; the 149 ns bin width of the issue)

FIVE_PARAMETERS = ("R", "N0", "gamma_tau", "A0", "phi0")
FULL_PARAMETERS = (
    *FIVE_PARAMETERS, "omega_cbo", "tau_cbo", "A_Nx11", "phi_Nx11", "K_loss", "kappa_y", "tau_y", "A_Ny22", "phi_Ny22",
    "A_Nx22", "phi_Nx22",
    "A_Ax11", "phi_Ax11", "A_phix11", "phi_phix11", "A_Ny11", "phi_Ny11",
)


def run1d_truth() -> dict[str, float]:
    """PRD Table II (Run-1d, blinded) central values as toy truth (004 lines 10-27; lost minus signs restored)."""
    return {
        "R": -16.01, "N0": 7249.8e3, "gamma_tau": 64.4478, "A0": 0.355193, "phi0": 2.07519, "omega_cbo": 2.33593,
        "tau_cbo": 190.0, "A_Nx11": 0.003237, "phi_Nx11": -6.081, "K_loss": 0.00903, "kappa_y": 1.01398, "tau_y": 168.0,
        "A_Ny22": 0.00039, "phi_Ny22": 2.10, "A_Nx22": 0.000198, "phi_Nx22": -3.35, "A_Ax11": 0.00059, "phi_Ax11": -0.38,
        "A_phix11": 0.000108, "phi_phix11": -3.19, "A_Ny11": -0.000082, "phi_Ny11": -5.98,
    }


@dataclass(frozen=True)
class ToySettings:
    """Binning and fixed (non-fitted) settings of the spectrum."""

    bin_width: float = CYCLOTRON_PERIOD_US
    t_start: float = 30.2  # us, Run-1 fit start
    t_stop: float = 650.0
    tau_loss: float = 30.0  # us, toy lost-muon time constant
    cbo_drift: tuple[float, float, float, float] = (0.0, 10.0, 0.0, 100.0)  # A_w, tau_A, B_w, tau_B

    def times(self) -> np.ndarray:
        if not (self.bin_width > 0 and 0 <= self.t_start < self.t_stop):
            raise InvalidParameter("need bin_width > 0 and 0 <= t_start < t_stop")
        n = math.floor((self.t_stop - self.t_start) / self.bin_width)
        if n < 50:
            raise InvalidParameter(f"the fit window holds only {n} bins (need >= 50)")
        return self.t_start + (np.arange(n) + 0.5) * self.bin_width


@dataclass(frozen=True)
class WiggleModel:
    """The 5-parameter (``5par``) or 22-parameter (``full``) model on fixed settings."""

    kind: str = "5par"
    settings: ToySettings = field(default_factory=ToySettings)

    def __post_init__(self) -> None:
        if self.kind not in ("5par", "full"):
            raise InvalidParameter(f"model must be '5par' or 'full', got {self.kind!r}")

    @property
    def parameters(self) -> tuple[str, ...]:
        return FIVE_PARAMETERS if self.kind == "5par" else FULL_PARAMETERS

    def __call__(self, t: np.ndarray, p: dict[str, float]) -> np.ndarray:
        omega_a = OMEGA_REF * (1.0 + p["R"] * 1e-6)
        decay = p["N0"] * np.exp(-t / p["gamma_tau"])
        if self.kind == "5par":
            return decay * (1.0 + p["A0"] * np.cos(omega_a * t + p["phi0"]))
        s = self.settings
        a_w, tau_a, b_w, tau_b = s.cbo_drift
        w0 = p["omega_cbo"]
        w_cbo = w0 * (1.0 + a_w * np.exp(-t / tau_a) / (w0 * t) + b_w * np.exp(-t / tau_b) / (w0 * t))
        w_c = 2.0 * math.pi / CYCLOTRON_PERIOD_US
        n_index = 1.0 - (1.0 - w0 / w_c) ** 2
        w_y = w_c * math.sqrt(max(p["kappa_y"] * n_index, 0.0))
        w_vw = w_c - 2.0 * w_y
        e_cbo = np.exp(-t / p["tau_cbo"])
        e_y = np.exp(-t / p["tau_y"])
        eta_n = (1.0 + p["A_Nx11"] * e_cbo * np.cos(w_cbo * t + p["phi_Nx11"])
                 + p["A_Nx22"] * e_cbo**2 * np.cos(2.0 * w_cbo * t + p["phi_Nx22"])
                 + p["A_Ny11"] * e_y * np.cos(w_y * t + p["phi_Ny11"])
                 + p["A_Ny22"] * e_y**2 * np.cos(w_vw * t + p["phi_Ny22"]))
        eta_a = 1.0 + p["A_Ax11"] * e_cbo * np.cos(w_cbo * t + p["phi_Ax11"])
        eta_phi = p["A_phix11"] * e_cbo * np.cos(w_cbo * t + p["phi_phix11"])
        lam = 1.0 - p["K_loss"] * (1.0 - np.exp(-(t - s.t_start) / s.tau_loss))
        return decay * eta_n * lam * (1.0 + p["A0"] * eta_a * np.cos(omega_a * t + p["phi0"] + eta_phi))


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

    @property
    def omega_a(self) -> float:
        """rad/us."""
        return OMEGA_REF * (1.0 + self.values["R"] * 1e-6)

    @property
    def omega_a_error(self) -> float:
        return OMEGA_REF * self.errors["R"] * 1e-6


def fit_cost(t: np.ndarray, counts: np.ndarray, model: WiggleModel, method: str = "poisson") -> Callable[..., float]:
    """The function of the model's parameters (positional, in ``model.parameters`` order) that the fit minimises:
    ``poisson``, the binned Poisson deviance 2 sum [mu - n - n ln(mu/n)] (a chi^2-like quantity, errordef 1), or
    ``chi2``, Neyman's sum (n - mu)^2 / max(n, 1)."""
    if method not in ("poisson", "chi2"):
        raise InvalidParameter(f"fit method must be 'poisson' or 'chi2', got {method!r}")
    names = model.parameters
    n = np.asarray(counts, dtype=float)

    def expected(args) -> np.ndarray:
        return model(t, dict(zip(names, args)))

    if method == "poisson":
        pos = n > 0
        n_pos = np.where(pos, n, 1.0)

        def cost(*args):
            # 2 sum [mu - n - n ln(mu/n)] = 2 sum n [x - ln(1 + x)], x = (mu - n)/n: no cancellation of the large
            # terms n ln mu (a naive sum has a rounding noise ~1e-4, at MIGRAD's EDM goal); empty bins give 2 mu
            mu = expected(args)
            if not np.all(np.isfinite(mu)) or np.any(mu <= 0):  # e.g. an unbounded minimiser trying tau < 0
                return 1e30
            x = (mu - n) / n_pos
            return 2.0 * float(np.sum(np.where(pos, n * (x - np.log1p(x)), mu)))
    else:
        var = np.maximum(n, 1.0)

        def cost(*args):
            mu = expected(args)
            return float(np.sum((n - mu) ** 2 / var))
    return cost


def fit_spectrum(t: np.ndarray, counts: np.ndarray, model: WiggleModel, start: dict[str, float],
                 method: str = "poisson") -> FitResult:
    """Fit ``model`` with iminuit (MIGRAD + HESSE). ``method``: ``poisson`` (binned Poisson deviance, 2 x NLL ratio) or
    ``chi2`` (Neyman, sigma^2 = max(n, 1)). The returned chi2 is Pearson's sum (n - mu)^2 / mu at the minimum."""
    from iminuit import Minuit

    names = model.parameters
    missing = [n for n in names if n not in start]
    if missing:
        raise InvalidParameter(f"start values missing for {', '.join(missing)}")
    n = np.asarray(counts, dtype=float)
    cost = fit_cost(t, n, model, method)
    m = Minuit(cost, *[start[k] for k in names], name=names)
    m.errordef = Minuit.LEAST_SQUARES
    m.strategy = 1
    for k in names:
        if k.startswith("A_") or k in ("K_loss",):
            m.errors[k] = 1e-4
        elif k.startswith("phi"):
            m.errors[k] = 0.1
        elif k == "N0":
            m.errors[k] = max(abs(start[k]) * 1e-3, 1.0)
        else:
            m.errors[k] = max(abs(start[k]) * 1e-3, 1e-3)
    for k in ("gamma_tau", "tau_cbo", "tau_y"):
        if k in names:
            m.limits[k] = (1.0, 1e5)  # lifetimes in us: positive (a sign flip would turn a decay into growth)
    if "kappa_y" in names:
        m.limits["kappa_y"] = (0.5, 1.5)
    # MIGRAD, then HESSE (whose exact covariance can raise the EDM above MIGRAD's estimate), repeated from the new
    # point; weakly constrained nuisances (tiny vertical amplitudes with free phases) may need strategy 2. The last
    # attempt accepts EDM < 2e-3 (goal x 10 at tol = 1), a shift of every parameter far below 0.1 sigma.
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
    return FitResult(values, {k: float(m.errors[k]) for k in names}, chi2, t.size - len(names), bool(m.valid), method)


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
        raise InvalidParameter(f"the FFT band needs 0 < low < high, got ({low!r}, {high!r}) MHz")
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
