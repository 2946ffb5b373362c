"""The omega_a spectrum models: the weak-focusing frequencies, the time-dependent CBO frequency in the vertical
terms, and the analytic Jacobian (arXiv:2104.03247 as reconstructed in notes-004-part1 S02; docs/gm2-measurement.md)."""

import math

import numpy as np
import pytest

from muonreach.gm2.measurement.wiggle import fit_cost, fit_spectrum, generate_toy, with_n0
from muonreach.gm2.measurement.wiggle_model import (
    FULL_PARAMETERS,
    OMEGA_C,
    ToySettings,
    WiggleModel,
    cbo_frequency,
    run1d_truth,
    vertical_frequencies,
)

DRIFT = (2.0, 10.0, 5.0, 100.0)  # a tracker drift unlike Run-1d's: w_CBO(30 us) is 0.05 rad/us (2 %) above w_CBO
NO_DRIFT = (0.0, 10.0, 0.0, 100.0)


def test_weak_focusing_limit():
    # kappa_y = 1: w_CBO = w_c (1 - sqrt(1 - n)) and w_y = w_c sqrt(n) exactly (continuous focusing), for any n
    for n in (0.05, 0.108, 0.3):
        w_cbo = OMEGA_C * (1.0 - math.sqrt(1.0 - n))
        w_y, w_vw = vertical_frequencies(w_cbo, 1.0)
        assert w_y == pytest.approx(OMEGA_C * math.sqrt(n), rel=1e-12)
        assert w_vw == pytest.approx(OMEGA_C * (1.0 - 2.0 * math.sqrt(n)), rel=1e-12)


def test_table_ii_vertical_frequencies():
    # kappa_y scales w_CBO in the map to n (notes S02): Table II (w_CBO 2.33593 rad/us, kappa_y 1.01398) gives
    # f_y = 2.2161 MHz and f_VW = 2.2702 MHz (kappa_y = 1: 2.2012 and 2.3000 MHz); the superseded sqrt(kappa_y n)
    # placement gave 2.21655 MHz. Rounding of the printed inputs: 1e-5 MHz.
    tr = run1d_truth()
    w_y, w_vw = vertical_frequencies(tr["omega_cbo"], tr["kappa_y"])
    assert w_y / (2 * math.pi) == pytest.approx(2.21611, abs=1e-5)
    assert w_vw / (2 * math.pi) == pytest.approx(2.27019, abs=1e-5)


def test_vertical_terms_follow_the_time_dependent_cbo_frequency():
    # only the vertical betatron term on: mu = N0 e^{-t/gamma tau} [1 + A e^{-t/tau_y} cos(w_y(t) t + phi)], with
    # w_y(t) = w_c sqrt(n(t)), n(t) = 1 - (1 - kappa_y w_CBO(t)/w_c)^2 written out here independently of the module
    settings = ToySettings(cbo_drift=DRIFT)
    p = {k: 0.0 for k in FULL_PARAMETERS}
    p.update(N0=1e6, gamma_tau=64.4478, tau_cbo=190.0, tau_y=168.0, omega_cbo=2.33593, kappa_y=1.01398,
             A_Ny11=0.01, phi_Ny11=0.3)
    t = settings.times()
    a_w, tau_a, b_w, tau_b = DRIFT
    w_cbo_t = 2.33593 + a_w * np.exp(-t / tau_a) / t + b_w * np.exp(-t / tau_b) / t
    n_t = 1.0 - (1.0 - 1.01398 * w_cbo_t / OMEGA_C) ** 2
    expected = 1e6 * np.exp(-t / 64.4478) * (1 + 0.01 * np.exp(-t / 168.0) * np.cos(OMEGA_C * np.sqrt(n_t) * t + 0.3))
    got = WiggleModel("full", settings)(t, p)
    assert got == pytest.approx(expected, rel=1e-12)
    # and the drift matters: with a constant n the early-time counts differ by far more than rounding
    const = WiggleModel("full", ToySettings(cbo_drift=NO_DRIFT))(t, p)
    assert np.max(np.abs(const / got - 1.0)) > 1e-3
    assert cbo_frequency(np.array([0.2, 1.0]), 2.0, DRIFT)[0] == cbo_frequency(np.array([1.0]), 2.0, DRIFT)[0]


@pytest.mark.parametrize("kind, drift", [("5par", NO_DRIFT), ("full", NO_DRIFT), ("full", DRIFT), ("full", None)])
def test_jacobian_matches_finite_differences(kind, drift):
    # independent method: central differences at steps h = 1e-4 ... 1e-7 of each value (absolute for values ~0),
    # best of the four per parameter: truncation (h^2 f'''/6, largest for the phases w t ~ 1e4 rad of omega_cbo
    # and kappa_y) falls and rounding (~1e-16 mu / h) grows with smaller h; the best step reaches 1e-12 to 2e-7 of the
    # largest entry of a row here, so 1e-6 is a strict test (a wrong term would be off by O(1))
    model = WiggleModel(kind, ToySettings() if drift is None else ToySettings(cbo_drift=drift))  # None: Run-1d's
    p = run1d_truth()
    t = model.settings.times()
    mu, jac = model.evaluate(t, p)
    assert np.array_equal(mu, model(t, p))
    for i, k in enumerate(model.parameters):
        errors = []
        for rel in (1e-4, 1e-5, 1e-6, 1e-7):
            h = rel * max(abs(p[k]), 1.0)
            up, dn = dict(p), dict(p)
            up[k] += h
            dn[k] -= h
            fd = (model(t, up) - model(t, dn)) / (2 * h)
            errors.append(np.max(np.abs(fd - jac[i])) / np.max(np.abs(fd)))
        assert min(errors) < 1e-6, (k, errors)


def test_gradient_of_the_cost():
    # d cost / d p against central differences of the cost itself (Poisson deviance and Neyman chi2)
    model = WiggleModel("5par")
    tr = with_n0(run1d_truth(), 3e4)
    t, n = generate_toy(model, tr, np.random.default_rng(4))
    args = np.array([tr[k] for k in model.parameters]) * (1 + 1e-4)
    for method in ("poisson", "chi2"):
        cost = fit_cost(t, n, model, method)
        g = cost.grad(*args)
        for i in range(args.size):
            h = 1e-6 * max(abs(args[i]), 1.0)
            e = np.zeros_like(args)
            e[i] = h
            fd = (cost(*(args + e)) - cost(*(args - e))) / (2 * h)
            assert g[i] == pytest.approx(fd, rel=2e-4, abs=1e-6 * np.abs(g).max()), (method, i)


def test_analytic_gradient_fit_matches_numeric():
    # MIGRAD with the analytic gradient and with Minuit's numerical one reach the same minimum (R to 0.01 sigma, its
    # error to 1e-3: both within MIGRAD's EDM goal of the same deviance) with fewer calls
    model, tr = WiggleModel("full"), run1d_truth()
    t, n = generate_toy(model, tr, np.random.default_rng(11))
    fast = fit_spectrum(t, n, model, tr)
    slow = fit_spectrum(t, n, model, tr, gradient=False)
    assert fast.errors["R"] == pytest.approx(slow.errors["R"], rel=1e-3)
    assert abs(fast.values["R"] - slow.values["R"]) < 0.01 * fast.errors["R"]
    assert fast.calls < slow.calls
