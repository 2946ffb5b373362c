"""The positron time-spectrum models of the omega_a fit (5-parameter and 22-parameter beam dynamics) and their
analytic Jacobian.

Source: FNAL Run-1 omega_a analysis, T. Albahri et al., Phys. Rev. D 103 (2021) 072002, arXiv:2104.03247 (excerpt in
``004_7de0b22078876a0d.txt`` lines 9-112; Table II = the 22 Run-1d fit parameters; notes S02, V9). The PRD's Eqs.
25-30 and 34 are *not* in the excerpt (nor in any stored copy: docs/gm2-measurement.md, "[EXT] terms"); the forms
below are the notes' [EXT] reconstruction, checked term by term against public collaborator fit code (A. Fienberg,
atfienberg/omegaAAnalysis precessionlib/fitFunctions.C, and a second group's Blinders-based fit functions):

* 5-parameter: N(t) = N0 exp(-t/gamma tau) [1 + A cos(omega_a t + phi)];
* blinding (Eq. 34-like): omega_a = omega_ref (1 + R 1e-6), omega_ref = 2 pi x 0.2291 MHz, R in ppm;
* full: N(t) = N0 eta_N(t) Lambda(t) exp(-t/gamma tau) [1 + A0 eta_A(t) cos(omega_a t + phi0 + eta_phi(t))] with
  eta_N = 1 + A_Nx11 e^{-t/tau_CBO} cos(w_CBO t + phi_Nx11) + A_Nx22 e^{-2t/tau_CBO} cos(2 w_CBO t + phi_Nx22)
          + A_Ny11 e^{-t/tau_y} cos(w_y t + phi_Ny11) + A_Ny22 e^{-2t/tau_y} cos(w_VW t + phi_Ny22),
  eta_A = 1 + A_Ax11 e^{-t/tau_CBO} cos(w_CBO t + phi_Ax11), eta_phi = A_phix11 e^{-t/tau_CBO} cos(w_CBO t + phi_phix11);
* time-dependent CBO frequency (tracker model): w_CBO(t) = w_CBO + A_w e^{-t/tau_A}/t + B_w e^{-t/tau_B}/t, t held at
  >= 1 us (as the public code, where 1/t would explode); its constants are fixed settings, not fitted (Run-1d
  tracker values by default: N. Kinnaird, PhD thesis, Boston U. 2020, Wa.tex, in the data file). The phase
  w_CBO(t) t = w_CBO t + A_w e^{-t/tau_A} + B_w e^{-t/tau_B} advances at w_CBO - (A_w/tau_A) e^{-t/tau_A} - ..., below
  w_CBO early in the fill (0.360 vs 0.372 MHz at 30 us for Run-1d: the quadrupoles' slow charging);
* vertical frequencies from weak focusing at every t (:func:`vertical_frequencies`): x(t) = kappa_y w_CBO(t)/w_c,
  w_y(t) = w_c sqrt(x (2 - x)), w_VW(t) = w_c - 2 w_y(t), w_c = 2 pi / 149.2 ns: kappa_y scales the CBO frequency
  inside the map to the field index n = x (2 - x) (the notes' form, and the Kinnaird thesis's Run-1 fit, Wa.tex eq.
  VWfreqKappa: w_VW = 2 pi (f_c - 2 kappa f_CBO(t) sqrt(2 f_c/(kappa f_CBO(t)) - 1))). With Table II, n = 0.108;
* muon loss: Lambda(t) = 1 - K_loss int_{t0}^t L(t') e^{t'/gamma tau} dt' with, for toys, a model lost-muon rate
  L(t) proportional to e^{-t/tau_L} e^{-t/gamma tau} normalised to int_{t0}^inf L e^{t/gamma tau} = 1 (the PRD uses the
  measured rate), so Lambda(t) = 1 - K_loss (1 - e^{-(t - t0)/tau_L}), tau_L = 30 us by default.

The signs inside the cosines are a convention (PRD and public code differ); phases are free parameters, so the
fitted omega_a does not depend on it. Times in us, angular frequencies in rad/us.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ...errors import InvalidParameter

__all__ = [
    "CYCLOTRON_PERIOD_US", "FIVE_PARAMETERS", "FULL_PARAMETERS", "OMEGA_REF", "ToySettings", "WiggleModel",
    "cbo_frequency", "run1d_truth", "vertical_frequencies",
]

OMEGA_REF = 2.0 * math.pi * 0.2291  # rad/us (blinding reference, notes S02)
DRIFT_T_MIN_US = 1.0  # the 1/t tracker model is evaluated at max(t, 1 us) (public fit code's cutoff)

FIVE_PARAMETERS = ("R", "N0", "gamma_tau", "A0", "phi0")
FULL_PARAMETERS = (
    *FIVE_PARAMETERS, "omega_cbo", "tau_cbo", "A_Nx11", "phi_Nx11", "K_loss", "kappa_y", "tau_y", "A_Ny22", "phi_Ny22",
    "A_Nx22", "phi_Nx22",
    "A_Ax11", "phi_Ax11", "A_phix11", "phi_phix11", "A_Ny11", "phi_Ny11",
)


def _read_run1d() -> tuple[dict[str, float], dict[str, float]]:
    """(truth, settings) from ``gm2/data/fnal_run1d_wiggle.toml`` (sources and ASSUMPTIONs in the file)."""
    from ..hvp.spectral import read_gm2_data

    top = read_gm2_data(RUN1D_FILE)
    ring, truth_t, binning, loss, drift = (top.table(k) for k in ("ring", "truth", "binning", "muon_loss", "cbo_drift"))
    truth = {k: truth_t.number(k) for k in FULL_PARAMETERS}
    settings = {"cyclotron_period": ring.positive("cyclotron_period_us"),
                "bin_width": binning.positive("bin_width_us"), "t_start": binning.non_negative("t_start_us"),
                "t_stop": binning.positive("t_stop_us"), "tau_loss": loss.positive("tau_loss_us"),
                "a_w": drift.number("a_rad"), "tau_a": drift.positive("tau_a_us"), "b_w": drift.number("b_rad"),
                "tau_b": drift.positive("tau_b_us")}
    for table in (ring, truth_t, binning, loss, drift):
        table.done()
    top.done(("schema", "ring", "truth", "binning", "muon_loss", "cbo_drift"))
    return truth, settings


RUN1D_FILE = "fnal_run1d_wiggle.toml"
_RUN1D_TRUTH, _RUN1D = _read_run1d()
CYCLOTRON_PERIOD_US = _RUN1D["cyclotron_period"]  # 149.2 ns: FNAL ring cyclotron period (the 149 ns bins)
OMEGA_C = 2.0 * math.pi / CYCLOTRON_PERIOD_US  # rad/us


def run1d_truth() -> dict[str, float]:
    """PRD Table II (Run-1d, blinded) central values as toy truth (a fresh copy; ``gm2/data/fnal_run1d_wiggle.toml``)."""
    return dict(_RUN1D_TRUTH)


def vertical_frequencies(omega_cbo, kappa_y: float):
    """(w_y, w_VW) in rad/us from the CBO frequency by weak focusing (continuous-quadrupole approximation): the
    horizontal CBO is the alias w_CBO = w_c (1 - sqrt(1 - n)), the vertical betatron w_y = w_c sqrt(n), the vertical
    waist the alias w_VW = w_c - 2 w_y; kappa_y scales w_CBO in n = x (2 - x), x = kappa_y w_CBO / w_c (notes S02
    [EXT]; kappa_y = 1 is exact weak focusing). Valid for 0 < x < 1; arrays broadcast."""
    x = kappa_y * np.asarray(omega_cbo, dtype=float) / OMEGA_C
    w_y = OMEGA_C * np.sqrt(np.clip(x * (2.0 - x), 0.0, None))
    return w_y, OMEGA_C - 2.0 * w_y


def cbo_frequency(t: np.ndarray, omega_cbo: float, drift: tuple[float, float, float, float]) -> np.ndarray:
    """w_CBO(t) = w_CBO + A_w e^{-t/tau_A}/t + B_w e^{-t/tau_B}/t (tracker model), t held at >= 1 us."""
    a_w, tau_a, b_w, tau_b = drift
    te = np.maximum(t, DRIFT_T_MIN_US)
    return omega_cbo + (a_w * np.exp(-te / tau_a) + b_w * np.exp(-te / tau_b)) / te


@dataclass(frozen=True)
class ToySettings:
    """Binning and fixed (non-fitted) settings of the spectrum (defaults: Run-1d, ``gm2/data/fnal_run1d_wiggle.toml``)."""

    bin_width: float = _RUN1D["bin_width"]  # us (149.2 ns)
    t_start: float = _RUN1D["t_start"]  # us, Run-1 fit window 30.2-650 us
    t_stop: float = _RUN1D["t_stop"]
    tau_loss: float = _RUN1D["tau_loss"]  # us, toy lost-muon time constant (ASSUMPTION)
    # tracker model of w_CBO(t): A_w (rad), tau_A (us), B_w (rad), tau_B (us); Run-1d (Endgame) by default
    cbo_drift: tuple[float, float, float, float] = (_RUN1D["a_w"], _RUN1D["tau_a"], _RUN1D["b_w"], _RUN1D["tau_b"])

    def times(self) -> np.ndarray:
        if not (self.bin_width > 0 and 0 <= self.t_start < self.t_stop):
            raise InvalidParameter("need bin_width > 0 and 0 <= t_start < t_stop")
        n = math.floor((self.t_stop - self.t_start) / self.bin_width)
        if n < 50:
            raise InvalidParameter(f"the fit window holds only {n} bins (need >= 50)")
        return self.t_start + (np.arange(n) + 0.5) * self.bin_width


def _osc(amp: float, env: np.ndarray, c: np.ndarray, s: np.ndarray, phi: float, deriv: bool):
    """amp env cos(theta + phi) and (if ``deriv``) its derivative in theta, from c = cos theta, s = sin theta."""
    cp, sp = math.cos(phi), math.sin(phi)
    value = amp * env * (c * cp - s * sp)
    return value, (-amp * env * (s * cp + c * sp) if deriv else None)


@dataclass(frozen=True)
class FixedTerms:
    """The parameter-independent pieces of the full model at given times: the tracker drift w_CBO(t) - w_CBO, cos and
    sin of w_c t (w_VW t = w_c t - 2 w_y t, so its cosine needs no trigonometric call per evaluation) and the
    cumulative loss 1 - e^{-(t - t0)/tau_L}."""

    t: np.ndarray
    drift: np.ndarray
    cos_c: np.ndarray
    sin_c: np.ndarray
    loss: np.ndarray


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
        """Expected counts at the times ``t``."""
        return self.evaluate(t, p, jacobian=False)[0]

    def fixed_terms(self, t: np.ndarray) -> FixedTerms:
        """The pieces of the full model that no parameter changes, for repeated evaluation at the same ``t``."""
        s = self.settings
        th = OMEGA_C * t
        return FixedTerms(t, cbo_frequency(t, 0.0, s.cbo_drift), np.cos(th), np.sin(th),
                          1.0 - np.exp(-(t - s.t_start) / s.tau_loss))

    def evaluate(self, t: np.ndarray, p: dict[str, float], jacobian: bool = True,
                 fixed: FixedTerms | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """(mu, J): the expected counts and, if ``jacobian``, d mu / d p as rows in ``parameters`` order. ``fixed``:
        :meth:`fixed_terms` of the same ``t`` (computed here if not given)."""
        omega_a = OMEGA_REF * (1.0 + p["R"] * 1e-6)
        decay = p["N0"] * np.exp(-t / p["gamma_tau"])
        if self.kind == "5par":
            psi = omega_a * t + p["phi0"]
            cos_psi = np.cos(psi)
            wig = 1.0 + p["A0"] * cos_psi
            mu = decay * wig
            if not jacobian:
                return mu, None
            d_psi = -p["A0"] * np.sin(psi) * decay
            jac = np.stack([d_psi * OMEGA_REF * 1e-6 * t, mu / p["N0"], mu * t / p["gamma_tau"] ** 2,
                            decay * cos_psi, d_psi])
            return mu, jac
        if fixed is None or fixed.t is not t:
            fixed = self.fixed_terms(t)
        return self._full(t, p, omega_a, decay, jacobian, fixed)

    def _full(self, t: np.ndarray, p: dict[str, float], omega_a: float, decay: np.ndarray,
              jacobian: bool, fx: FixedTerms) -> tuple[np.ndarray, np.ndarray | None]:
        w_cbo = p["omega_cbo"] + fx.drift
        w_y, _ = vertical_frequencies(w_cbo, p["kappa_y"])
        th_c = w_cbo * t
        c1, s1 = np.cos(th_c), np.sin(th_c)
        c2, s2 = c1 * c1 - s1 * s1, 2.0 * s1 * c1  # 2 w_CBO t by the double angle
        th_y = w_y * t
        cy, sy = np.cos(th_y), np.sin(th_y)
        c2y, s2y = cy * cy - sy * sy, 2.0 * sy * cy
        cw, sw = fx.cos_c * c2y + fx.sin_c * s2y, fx.sin_c * c2y - fx.cos_c * s2y  # w_VW t = w_c t - 2 w_y t
        e_c, e_y = np.exp(-t / p["tau_cbo"]), np.exp(-t / p["tau_y"])
        nx1, dnx1 = _osc(p["A_Nx11"], e_c, c1, s1, p["phi_Nx11"], jacobian)
        nx2, dnx2 = _osc(p["A_Nx22"], e_c * e_c, c2, s2, p["phi_Nx22"], jacobian)
        ny1, dny1 = _osc(p["A_Ny11"], e_y, cy, sy, p["phi_Ny11"], jacobian)
        ny2, dny2 = _osc(p["A_Ny22"], e_y * e_y, cw, sw, p["phi_Ny22"], jacobian)
        ax, dax = _osc(p["A_Ax11"], e_c, c1, s1, p["phi_Ax11"], jacobian)
        ph, dph = _osc(p["A_phix11"], e_c, c1, s1, p["phi_phix11"], jacobian)
        eta_n = 1.0 + nx1 + nx2 + ny1 + ny2
        eta_a = 1.0 + ax
        loss = fx.loss
        lam = 1.0 - p["K_loss"] * loss
        psi = omega_a * t + p["phi0"] + ph
        cos_psi = np.cos(psi)
        wig = 1.0 + p["A0"] * eta_a * cos_psi
        mu = decay * eta_n * lam * wig
        if not jacobian:
            return mu, None
        sin_psi = np.sin(psi)
        # d ln mu / d p for each factor, then J = mu * d ln mu
        g_n, g_w = 1.0 / eta_n, 1.0 / wig
        a_cos, a_sin = p["A0"] * cos_psi * g_w, -p["A0"] * eta_a * sin_psi * g_w  # d ln W / d eta_A, / d psi
        # the CBO phase theta_c = w_CBO(t) t moves with omega_cbo (d theta_c = t); the vertical phases too, through x
        x = p["kappa_y"] * w_cbo / OMEGA_C
        dwy_dx = OMEGA_C * (1.0 - x) / np.sqrt(np.clip(x * (2.0 - x), 1e-300, None))
        d_vert = (dny1 - 2.0 * dny2) * g_n * dwy_dx * t  # d ln mu / d x through w_y and w_VW = w_c - 2 w_y
        d_thc = (dnx1 + 2.0 * dnx2) * g_n + dax * a_cos + dph * a_sin  # d ln mu / d theta_c
        tc2, ty2 = t / p["tau_cbo"] ** 2, t / p["tau_y"] ** 2
        cols = {
            "R": a_sin * OMEGA_REF * 1e-6 * t, "N0": np.full_like(t, 1.0 / p["N0"]), "gamma_tau": t / p["gamma_tau"] ** 2,
            "A0": eta_a * cos_psi * g_w, "phi0": a_sin,
            "omega_cbo": d_thc * t + d_vert * p["kappa_y"] / OMEGA_C,
            "tau_cbo": ((nx1 + 2.0 * nx2) * g_n + ax * a_cos + ph * a_sin) * tc2,
            "K_loss": -loss / lam, "kappa_y": d_vert * w_cbo / OMEGA_C, "tau_y": (ny1 + 2.0 * ny2) * g_n * ty2,
        }
        for name, (der, env, c, sn, k) in {
            "Nx11": (dnx1, e_c, c1, s1, g_n), "Nx22": (dnx2, e_c * e_c, c2, s2, g_n),
            "Ny11": (dny1, e_y, cy, sy, g_n), "Ny22": (dny2, e_y * e_y, cw, sw, g_n),
            "Ax11": (dax, e_c, c1, s1, a_cos), "phix11": (dph, e_c, c1, s1, a_sin),
        }.items():
            phi = p["phi_" + name]
            cols["A_" + name] = env * (c * math.cos(phi) - sn * math.sin(phi)) * k  # d(amp env cos)/d amp
            cols["phi_" + name] = der * k  # d/d phi = d/d theta
        return mu, np.stack([cols[k] for k in FULL_PARAMETERS]) * mu
