"""omega_a toys and fits (FNAL Run-1 PRD arXiv:2104.03247; 004 lines 9-112, notes S02, V9)."""

import math

import numpy as np
import pytest

from muonreach.errors import InvalidParameter
from muonreach.gm2.measurement.wiggle import (
    COVERAGE_1SIGMA,
    FULL_PARAMETERS,
    ToySettings,
    WiggleModel,
    fft_peak,
    fit_spectrum,
    generate_toy,
    pull_study,
    residual_fft,
    run1d_truth,
    start_time_scan,
    with_n0,
)


def test_truth_is_table_ii():
    tr = run1d_truth()
    assert len(FULL_PARAMETERS) == 22 == len(tr)  # Table II has 22 parameters
    assert (tr["omega_cbo"], tr["tau_cbo"], tr["gamma_tau"], tr["A0"]) == (2.33593, 190.0, 64.4478, 0.355193)
    # weak focusing: w_CBO = w_c (1 - sqrt(1 - n)) with the 149.2 ns cyclotron period gives n = 0.108 (Run 1)
    w_c = 2 * math.pi / 0.1492
    assert 1 - (1 - tr["omega_cbo"] / w_c) ** 2 == pytest.approx(0.108, abs=0.001)


@pytest.fixture(scope="module")
def run1d_toy():
    # Run-1d size: N0 = 7.25e6 per 149.2 ns bin -> 1.9e9 positrons in 30-650 us
    return generate_toy(WiggleModel("full"), run1d_truth(), np.random.default_rng(11))


def test_full_fit_recovers_truth(run1d_toy):
    t, n = run1d_toy
    assert n.sum() > 1e9
    tr = run1d_truth()
    res = fit_spectrum(t, n, WiggleModel("full"), tr)
    # R within 3 sigma of the truth; sigma(R) ~ 1 ppm (PRD's asymmetry-weighted 0.68 ppm uses energy weights we do not)
    assert abs(res.values["R"] - tr["R"]) < 3 * res.errors["R"]
    assert 0.5 < res.errors["R"] < 1.5
    for k in ("gamma_tau", "A0", "omega_cbo", "tau_cbo", "A_Nx11"):
        assert abs(res.values[k] - tr[k]) < 4 * res.errors[k], k
    # chi2 of a correct model: ndof +- 4 sqrt(2 ndof)
    assert abs(res.chi2 - res.ndof) < 4 * math.sqrt(2 * res.ndof)


def _cbo_line_band(t: np.ndarray, tr: dict) -> tuple[float, float]:
    # the CBO phase is w_CBO(t) t = w_CBO t + A e^{-t/tau_A} + B e^{-t/tau_B} (tracker model): its rate, written out
    # here, w_CBO - (A/tau_A) e^{-t/tau_A} - (B/tau_B) e^{-t/tau_B}, rises from 0.360 MHz at 30 us to f_CBO = 0.37177
    a_w, tau_a, b_w, tau_b = ToySettings().cbo_drift
    rate = tr["omega_cbo"] - a_w / tau_a * np.exp(-t / tau_a) - b_w / tau_b * np.exp(-t / tau_b)
    return float(rate.min() / (2 * math.pi)), float(rate.max() / (2 * math.pi))


def test_five_parameter_fit_leaves_cbo_in_fft(run1d_toy):
    # PRD Fig. 16: the 5-parameter fit leaves the CBO line in the residual FFT; the full fit removes it. With the
    # Run-1d tracker drift the line lies between the early-time CBO rate and f_CBO (+- one FFT bin, 1.6 kHz)
    t, n = run1d_toy
    tr = run1d_truth()
    five = fit_spectrum(t, n, WiggleModel("5par"), tr)
    assert five.chi2 / five.ndof > 2.0
    f, a = residual_fft(t, n, WiggleModel("5par"), five.values)
    df = f[1] - f[0]
    low, high = _cbo_line_band(t, tr)
    assert high == pytest.approx(tr["omega_cbo"] / (2 * math.pi), rel=1e-4)  # the A term is 1e-3 of itself at 650 us
    assert low == pytest.approx(0.360, abs=0.001)
    peak = fft_peak(f, a)
    assert low - df <= peak <= high + df
    full = fit_spectrum(t, n, WiggleModel("full"), tr)
    f2, a2 = residual_fft(t, n, WiggleModel("full"), full.values)
    near = np.abs(f2 - peak) < 0.003
    assert a2[near].max() < 5 * np.median(a2)  # noise level (Rayleigh tail of ~2000 bins)


def test_fft_peak_is_cbo_not_slow_drift():
    # the 5-parameter fit of a toy with CBO at a constant frequency: its largest residual line in the physical band
    # (0.1 MHz to Nyquist) is f_CBO within one FFT bin (1/T = 1.6 kHz); the global maximum is the slow drift at the
    # first bins (the old bug)
    tr = run1d_truth()
    t, n = generate_toy(WiggleModel("full", ToySettings(cbo_drift=(0.0, 10.0, 0.0, 100.0))), tr, np.random.default_rng(11))
    model = WiggleModel("5par")
    five = fit_spectrum(t, n, model, tr)
    f, a = residual_fft(t, n, model, five.values)
    df = f[1] - f[0]
    assert df == pytest.approx(1.0 / (t.size * (t[1] - t[0])))
    assert abs(fft_peak(f, a) - tr["omega_cbo"] / (2 * math.pi)) <= df
    assert f[1:][np.argmax(a[1:])] < 0.1
    with pytest.raises(InvalidParameter):
        fft_peak(f, a, (0.0, None))
    with pytest.raises(InvalidParameter):
        fft_peak(f, a, (5.0, None))  # above Nyquist (3.35 MHz)


def _check_pulls(out: dict, n: int) -> None:
    # each statistic within 3.5 of its own standard error (two-sided 5e-4 per check for a correct fitter):
    # mean 0 +- 1/sqrt(N), std 1 +- 1/sqrt(2(N - 1)), coverage 0.6827 +- sqrt(p(1 - p)/N)
    assert out["toys"] == n
    assert abs(out["omega_a_pull_mean"]) < 3.5 / math.sqrt(n)
    assert abs(out["omega_a_pull_std"] - 1.0) < 3.5 / math.sqrt(2 * (n - 1))
    assert abs(out["omega_a_coverage_1sigma"] - COVERAGE_1SIGMA) < 3.5 * math.sqrt(COVERAGE_1SIGMA * (1 - COVERAGE_1SIGMA) / n)
    assert abs(out["R_bias_ppm"]) < 3.5 * out["R_bias_ppm_error"]


def test_pull_study_5par_on_5par():
    out = pull_study(WiggleModel("5par"), with_n0(run1d_truth(), 3e4), 100, seed=5)
    _check_pulls(out, 100)
    assert out["toy_model"] == out["fit_model"] == "5par"
    again = pull_study(WiggleModel("5par"), with_n0(run1d_truth(), 3e4), 100, seed=5)
    assert again == out  # seeded, reproducible


def test_pull_study_workers_give_the_same_toys():
    # per-toy spawned seeds: 2 processes fit exactly the toys one process fits
    one = pull_study(WiggleModel("5par"), with_n0(run1d_truth(), 3e4), 8, seed=3)
    two = pull_study(WiggleModel("5par"), with_n0(run1d_truth(), 3e4), 8, seed=3, workers=2)
    assert one == two
    with pytest.raises(InvalidParameter):
        pull_study(WiggleModel("5par"), run1d_truth(), 8, seed=3, workers=0)


def test_pull_study_full_on_full():
    # Run-1d statistics (the full model's small CBO and vertical terms are constrained there), 0.6 s per toy
    out = pull_study(WiggleModel("full"), run1d_truth(), 20, seed=8)
    _check_pulls(out, 20)
    assert 0.5 < out["R_bias_ppm_error"] * math.sqrt(20) < 1.5  # spread of R ~ sigma(R) ~ 1 ppm


def test_chi2_and_poisson_agree_at_high_statistics(run1d_toy):
    t, n = run1d_toy
    tr = run1d_truth()
    p = fit_spectrum(t, n, WiggleModel("5par"), tr, "poisson")
    c = fit_spectrum(t, n, WiggleModel("5par"), tr, "chi2")
    assert c.values["R"] == pytest.approx(p.values["R"], abs=0.1 * p.errors["R"])


def test_start_time_scan(run1d_toy):
    t, n = run1d_toy
    rows = start_time_scan(t, n, WiggleModel("full"), run1d_truth(), [30.2, 50.0, 80.0])
    assert [r["t_start"] for r in rows] == [30.2, 50.0, 80.0]
    assert rows[0]["R_error"] < rows[1]["R_error"] < rows[2]["R_error"]  # fewer data, larger errors


def test_bad_input():
    with pytest.raises(InvalidParameter):
        WiggleModel("7par")
    with pytest.raises(InvalidParameter):
        ToySettings(t_start=100, t_stop=101).times()
    with pytest.raises(InvalidParameter):
        with_n0(run1d_truth(), -1.0)
    with pytest.raises(InvalidParameter):
        fit_spectrum(np.arange(100.0), np.ones(100), WiggleModel("5par"), {"R": 0.0})


def test_cli_gm2_fit(run_cli_json, run_cli, tmp_path):
    out = run_cli_json("gm2-fit", "--model", "5par", "--toy-model", "5par", "--n0", "3e4", "--toys", "3",
                       "--out", str(tmp_path / "w.png"))
    assert set(out) >= {"omega_a", "omega_a_error", "chi2", "ndof", "omega_a_pull_mean", "omega_a_pull_std",
                        "R_bias_ppm", "fft_band_mhz", "fft_peak_mhz"}
    assert out["fft_band_mhz"][0] == 0.1 and out["fft_peak_mhz"] >= 0.1
    assert (tmp_path / "w.png").stat().st_size > 1000
    code, _, err = run_cli("gm2-fit", "--model", "5par", "--n0", "3e4", "--fft-min", "-1")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run_cli("gm2-fit", "--toys", "-1")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run_cli("gm2-fit", "--seed", "-1")  # numpy refuses negative seeds: a one-line error, not a traceback
    assert code == 2 and err.count("\n") == 1 and "--seed" in err
